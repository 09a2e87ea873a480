#!/usr/bin/env bash
# Failover benchmark (issue 4): N simulated hosts (default 100) in one clustered
# pool, V HA VMs (default 2000) spread over them, one host silenced with
# SIGSTOP. Prints the time from the host going silent to the last of its HA
# VMs running elsewhere, and ovmd's CPU seconds per minute of monitoring at
# N hosts (and at MON_HOSTS hosts, default 1000, when the machine allows that
# many agent processes; otherwise it says so and extrapolates linearly).
# Usage: bench/failover.sh [BUILD_DIR]   (env: HOSTS, VMS, MON_HOSTS, POLL, OFFLINE, HA_DELAY)
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=$(cd "${1:-.}" && pwd)
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
HOSTS=${HOSTS:-100} VMS=${VMS:-2000} MON_HOSTS=${MON_HOSTS:-1000}
POLL=${POLL:-2} OFFLINE=${OFFLINE:-10} HA_DELAY=${HA_DELAY:-0}
export OVM_TIMEOUT=3600
stopped=
trap '[ -n "$stopped" ] && kill -CONT "$stopped" 2>/dev/null; bench_down' EXIT

# Agents on 127.0.<b>.<c> so more than 250 fit on loopback.
ip_of() { echo "127.0.$(( $1 / 250 + 10 )).$(( $1 % 250 + 2 ))"; }
agents_up() {
    local i
    for i in $(seq "$1" "$2"); do
        agent_start "$work/a$i" "$(ip_of "$i")" "$port" --nfs-root "$nfs" --hostname "h$i" --memory-mb 262144 \
            >/dev/null 2>&1 || { echo "# agent $i did not start"; return 1; }
    done
}
bench_down() {
    local f
    ovmd_stop "$work/m" >/dev/null 2>&1
    for f in "$work"/a*.pid; do [ -f "$f" ] && agent_stop "${f%.pid}" >/dev/null 2>&1; done
    rm -rf "$work"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# cpu_per_minute SECONDS: ovmd CPU seconds per minute of wall time, idle fleet.
cpu_per_minute() {
    local pid t0 t1 hz
    pid=$(cat "$work/m/ovmd.pid"); hz=$(getconf CLK_TCK)
    t0=$(cpu_ticks "$pid"); sleep "$1"; t1=$(cpu_ticks "$pid")
    awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$1" 'BEGIN { printf "%.2f", d / hz * 60 / s }'
}

work=$(mktemp -d /tmp/ovm-bench.XXXXXX)
port=$(free_port)
nfs=$work/nfs
mkdir -p "$nfs/127.0.0.1/repo1" "$nfs/127.0.0.1/poolfs"
echo "# starting $HOSTS agents"
agents_up 0 $((HOSTS - 1)) || exit 1
ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: %s\n  offline_after: %s\n  ha_delay: %s\n  threads: 64\njobs:\n  workers: 64' \
    "$port" "$POLL" "$OFFLINE" "$HA_DELAY")" || exit 1
echo "# discovery and clustered pool"
cmds="create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=h0; refresh FileServer name=nfs1; create ServerPool name=cpool clusterEnable=Yes fileSystem=nfs:/poolfs clusterTimeout=30"
for i in $(seq 0 $((HOSTS - 1))); do cmds="discoverServer ipAddress=$(ip_of "$i") password=$AGENT_PASSWORD; $cmds"; done
ovm "$cmds"
echo "# discovery: $(grep -c 'Status: Success' <<<"$out") commands succeeded, $(grep -c 'Status: Failure' <<<"$out") failed"
grep -m1 'Error Msg' <<<"$out" | sed 's/^/# /'
# A clustered pool holds at most 32 servers (P-8): the first 32 form cpool;
# the rest are owned and polled (they count for the monitor load).
members=$(( HOSTS < 32 ? HOSTS : 32 ))
for i in $(seq 0 $((members - 1))); do
    ovm "add Server name=h$i to ServerPool name=cpool"
    grep -m1 'Error Msg' <<<"$out" | sed 's/^/# /'
done
ovm "create Repository name=repo1 on FileSystem name=nfs:/repo1; add ServerPool name=cpool to Repository name=repo1"
echo "# creating and starting $VMS HA VMs"
batch=
for v in $(seq 1 "$VMS"); do
    batch="$batch; create Vm name=vm$v repository=repo1 domainType=XEN_PVM memory=64 highAvailability=Yes on ServerPool name=cpool; start Vm name=vm$v"
    if [ $((v % 100)) -eq 0 ] || [ "$v" -eq "$VMS" ]; then
        ovm "${batch#; }"; batch=
        grep -m1 'Error Msg' <<<"$out" | sed 's/^/# /'
    fi
done
victim=h1
vms_on_victim() { sqlite3 -readonly "$work/m/ovmd.db" "SELECT o.name FROM objects o JOIN attrs a ON a.obj=o.id WHERE o.type='Vm' AND a.key='server' AND a.value=(SELECT id FROM objects WHERE type='Server' AND name='$victim')" 2>/dev/null; }
mine=$(vms_on_victim)
n_mine=$(wc -w <<<"$mine")
echo "# $n_mine HA VMs run on $victim; silencing it"
stopped=$(cat "$work/a1.pid")
t0=$(date +%s.%N)
kill -STOP "$stopped"
left=$n_mine
end=$((SECONDS + OFFLINE + 600))
while [ "$left" -gt 0 ] && [ "$SECONDS" -lt "$end" ]; do
    left=$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM objects o JOIN attrs s ON s.obj=o.id AND s.key='status' JOIN attrs h ON h.obj=o.id AND h.key='server' WHERE o.type='Vm' AND o.name IN ($(sed "s/[^ ]\+/'&'/g; s/ /,/g" <<<"$(echo $mine)")) AND NOT (s.value='Running' AND h.value != (SELECT id FROM objects WHERE type='Server' AND name='$victim'))" 2>/dev/null || echo "$left")
    sleep 0.2
done
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v n="$n_mine" -v l="$left" -v g="$OFFLINE" 'BEGIN {
    printf "failover: %d HA VMs, last one running elsewhere after %.1f s (offline_after %d s, target <= %d s)%s\n",
        n, b - a, g, g + 10, (l > 0) ? sprintf(" -- %d NOT restarted", l) : "" }'
kill -KILL "$stopped"; kill -CONT "$stopped" 2>/dev/null; stopped=; rm -f "$work/a1.pid"
echo "monitor load at $HOSTS hosts (poll every $POLL s): $(cpu_per_minute 30) CPU s/min"
extra=$((MON_HOSTS - HOSTS))
if [ "$extra" -gt 0 ]; then
    lim=$(ulimit -u); procs=$(ps -e --no-headers | wc -l)
    if [ "$lim" != unlimited ] && [ $((procs + extra + 100)) -gt "$lim" ]; then
        echo "# $MON_HOSTS agents exceed this machine's process limit ($lim): extrapolating from $HOSTS hosts"
    elif agents_up "$HOSTS" $((MON_HOSTS - 1)); then
        cmds=
        for i in $(seq "$HOSTS" $((MON_HOSTS - 1))); do
            cmds="$cmds; discoverServer ipAddress=$(ip_of "$i") password=$AGENT_PASSWORD"
            if [ $(((i - HOSTS + 1) % 50)) -eq 0 ]; then ovm "${cmds#; }"; cmds=; fi
        done
        [ -n "$cmds" ] && ovm "${cmds#; }"
        echo "monitor load at $MON_HOSTS hosts (poll every $POLL s): $(cpu_per_minute 30) CPU s/min"
    fi
fi
