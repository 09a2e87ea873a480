# Shell helpers shared by the fleet benchmarks (engine-vs-virsh.sh,
# bulk-create.sh). Source after tests/lib/agent.sh and tests/lib/ovmd.sh with
# $work, $hosts and $builddir set. Every wait is bounded.

say() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }
now_ms() { date +%s%3N; }
# status_kb PID FIELD: a /proc/PID/status field in kB (VmRSS, VmHWM).
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null; }
rss_kb() { status_kb "$1" VmRSS; }
hwm_kb() { status_kb "$1" VmHWM; }

# bench_fleet_up WORKERS: $hosts sim agents on 127.0.0.2.. sharing one NFS
# root, and ovmd (monitor off, jobs.workers WORKERS). Sets $port, $sock,
# $engine_pid, $db.
bench_fleet_up() {
    local i
    port=$(free_port) || die "no free port"
    mkdir -p "$work/nfs/127.0.0.1/repo1"
    for i in $(seq 2 $((hosts + 1))); do
        agent_start "$work/a$i" "127.0.0.$i" "$port" --nfs-root "$work/nfs" --hostname "ovs$i" \
            --memory-mb 262144 --cpus 64 || die "agent 127.0.0.$i did not start"
    done
    ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0\njobs:\n  workers: %s' "$port" "$1")" ||
        die "ovmd did not start: $(cat "$work/m/ovmd.stderr")"
    sock=$work/m/engine.sock
    engine_pid=$(cat "$work/m/ovmd.pid")
    db=$work/m/ovmd.db
}

bench_fleet_down() {
    local i
    ovmd_stop "$work/m" >/dev/null 2>&1
    for i in $(seq 2 $((hosts + 1))); do agent_stop "$work/a$i" >/dev/null 2>&1; done
    rm -rf "$work"
}

# bench_fleet_lines: the ovmsh lines that discover every agent into pool1
# and present repo1 (on nfs1) to the pool.
bench_fleet_lines() {
    local i
    echo "create ServerPool name=pool1 clusterEnable=No"
    for i in $(seq 2 $((hosts + 1))); do
        echo "discoverServer ipAddress=127.0.0.$i password=$AGENT_PASSWORD"
        echo "add Server name=ovs$i to ServerPool name=pool1"
    done
    echo "create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs2"
    echo "refresh FileServer name=nfs1"
    echo "create Repository name=repo1 on FileSystem name=nfs:/repo1"
    echo "add ServerPool name=pool1 to Repository name=repo1"
}

# bench_create_lines N: N `create Vm name=bvmNNNNNN` lines in pool1/repo1.
bench_create_lines() {
    awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
        printf "create Vm name=bvm%06d repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=256 on ServerPool name=pool1\n", i }'
}

# create_jobs EXPR: EXPR over the top-level create jobs (sqlite, read-only).
create_jobs() { sqlite3 -readonly "$db" "SELECT $1 FROM jobs WHERE name LIKE 'Create VM:%' AND parent IS NULL"; }

# bench_wait_creates N: waits (bounded, 30 min) until no create job is
# unfinished, then checks that N completed.
bench_wait_creates() {
    local i created
    for i in $(seq 1 7200); do
        [ "$(create_jobs "count(*) FILTER (WHERE run_state NOT IN ('Completed','Failed','Aborted'))")" = 0 ] && break
        sleep 0.25
    done
    created=$(create_jobs "count(*) FILTER (WHERE run_state = 'Completed')")
    [ "$created" = "$1" ] ||
        die "only $created of $1 create jobs completed ($(create_jobs "error" | sort | uniq -c | sort -rn | head -3))"
}
