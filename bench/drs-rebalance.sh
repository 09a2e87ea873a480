#!/usr/bin/env bash
# DRS rebalance benchmark (issue 12): VMS running VMs concentrated on HOT of
# HOSTS simulated hosts, every VM with the same CPU load, so that the hot hosts
# are above the DRS threshold; then DRS is enabled with a short policy period
# and the script measures the time until the pool is balanced, the number of
# DRS migrations, and the lower bound of moves it computes itself.
# See bench/README.md ("drs-rebalance.sh"). Everything stays on 127.0.76.0/24.
#
# Usage: bench/drs-rebalance.sh [-q] [-v VMS] [-h HOSTS] [-k HOT] [-l VMLOAD]
#          [-c CPUS] [-t THRESHOLD] [-p PERIOD] [-W MAXWAIT] [-b BUILDDIR]
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
VMS=1000 HOSTS=50 HOT=5 VMLOAD=30 CPUS=64 THRESHOLD=50 PERIOD=1 MAXWAIT=1200
builddir=${top_builddir:-.}
NET=127.0.76
usage() { sed -n '9,10p' "$0" | sed 's/^# //' >&2; exit 2; }
while getopts "qv:h:k:l:c:t:p:W:b:" o; do
    case $o in
    q) VMS=100 HOSTS=6 HOT=2 CPUS=16 MAXWAIT=300 ;;
    v) VMS=$OPTARG ;; h) HOSTS=$OPTARG ;; k) HOT=$OPTARG ;; l) VMLOAD=$OPTARG ;;
    c) CPUS=$OPTARG ;; t) THRESHOLD=$OPTARG ;; p) PERIOD=$OPTARG ;; W) MAXWAIT=$OPTARG ;;
    b) builddir=$OPTARG ;; *) usage ;;
    esac
done
[ "$HOSTS" -ge 2 ] && [ "$HOSTS" -le 250 ] && [ "$HOT" -ge 1 ] && [ "$HOT" -lt "$HOSTS" ] || usage
top_builddir=$(cd "$builddir" && pwd) || exit 2
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"   # ovm
. "$top_srcdir/tests/lib/loopback.sh" # pick_port
. "$top_srcdir/bench/bench-lib.sh"    # say, die, now_ms
for t in "$OVMD_BIN" "$OVMSH_BIN" "$AGENT_BIN"; do [ -x "$t" ] || die "$t is not built (make ovmd ovmsh ovm-agentd)"; done
command -v sqlite3 >/dev/null && command -v python3 >/dev/null || die "needs sqlite3 and python3"
export OVM_TIMEOUT=900
AGENT_PASSWORD=s3cret

# A pool holds at most 32 servers (object-model.md P-8): HOSTS are dealt
# round robin over POOLS pools; host i is ovs<i> on $NET.<i+2>, in pool
# p<i % POOLS>; the hot hosts are hosts 0..HOT-1 (so spread over the pools too).
POOLS=$(( (HOSTS + 31) / 32 ))
ip_of() { echo "$NET.$(($1 + 2))"; }
pool_of() { echo "p$(($1 % POOLS))"; }

work=$(mktemp -d /tmp/ovm-drsbench.XXXXXX)
down() {
    local i
    ovmd_stop "$work/m" >/dev/null 2>&1
    for i in $(seq 0 $((HOSTS - 1))); do agent_stop "$work/a$i" >/dev/null 2>&1; done
    rm -rf "$work"
}
trap down EXIT
trap 'exit 130' INT TERM
q() { sqlite3 -readonly "$work/m/ovmd.db" "$1"; }

# --- fleet: agents (10 starting at a time: each makes an RSA key), ovmd ---
port=$(pick_port "$NET.2" "$NET.3") || die "no free port"
mkdir -p "$work/nfs/127.0.0.1/repo1"
pids=()  # wait for these only: ovmd is a child of this shell too
say "starting $HOSTS agents on $NET.2-$(ip_of $((HOSTS - 1)) | cut -d. -f4) ($CPUS CPUs each)"
for i in $(seq 0 $((HOSTS - 1))); do
    agent_start "$work/a$i" "$(ip_of "$i")" "$port" --nfs-root "$work/nfs" --hostname "ovs$i" \
        --memory-mb 262144 --cpus "$CPUS" >/dev/null 2>&1 &
    pids+=($!)
    [ $((i % 10)) -eq 9 ] && { wait "${pids[@]}"; pids=(); }
done
[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"
for i in $(seq 0 $((HOSTS - 1))); do
    kill -0 "$(cat "$work/a$i.pid" 2>/dev/null)" 2>/dev/null || die "agent $(ip_of "$i") did not start"
done
ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 1\n  threads: 16\nstats:\n  sampling_interval: 1\npolicy:\n  period: %s\njobs:\n  workers: 16' \
    "$port" "$PERIOD")" || die "ovmd did not start: $(cat "$work/m/ovmd.stderr")"

# --- discovery (5 ovmsh sessions at a time), pools, repository ---
say "discovering $HOSTS servers"
for i in $(seq 0 $((HOSTS - 1))); do
    timeout 600 "$OVMSH_BIN" -S "$work/m/engine.sock" -c "discoverServer ipAddress=$(ip_of "$i") password=$AGENT_PASSWORD" \
        >"$work/disc$i.out" 2>&1 &
    pids+=($!)
    [ $((i % 5)) -eq 4 ] && { wait "${pids[@]}"; pids=(); }
done
[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"
n=$(q "SELECT count(*) FROM attrs WHERE key='ownership' AND value='Owned'")
[ "$n" = "$HOSTS" ] || die "$n of $HOSTS servers discovered: $(grep -h 'Error Msg' "$work"/disc*.out | head -2)"
cmds="create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs0; refresh FileServer name=nfs1; create Repository name=repo1 on FileSystem name=nfs:/repo1"
for p in $(seq 0 $((POOLS - 1))); do cmds+="; create ServerPool name=p$p clusterEnable=No"; done
for i in $(seq 0 $((HOT - 1))); do cmds+="; add Server name=ovs$i to ServerPool name=$(pool_of "$i")"; done
for p in $(seq 0 $((POOLS - 1))); do cmds+="; add ServerPool name=p$p to Repository name=repo1"; done
ovm "$cmds"
grep -q 'Status: Failure' <<<"$out" && die "set-up: $(grep -m1 'Error Msg' <<<"$out")"

# --- VMS running VMs: while only the hot hosts are in the pools, every start
# lands on one of them ---
say "creating and starting $VMS VMs on the $HOT hot hosts"
batch=
for v in $(seq 1 "$VMS"); do
    batch+="; create Vm name=dvm$v repository=repo1 domainType=XEN_PVM memory=256 on ServerPool name=$(pool_of $(((v - 1) % HOT))); start Vm name=dvm$v"
    if [ $((v % 100)) -eq 0 ] || [ "$v" -eq "$VMS" ]; then
        ovm "${batch#; }"; batch=
        grep -q 'Status: Failure' <<<"$out" && die "VM set-up: $(grep -m1 'Error Msg' <<<"$out")"
    fi
done

# vm_hosts: "vmid serverip" of every Running VM (the store's placement).
vm_hosts() {
    q "SELECT v.id, ip.value FROM objects v JOIN attrs st ON st.obj=v.id AND st.key='status' AND st.value='Running'
       JOIN attrs s ON s.obj=v.id AND s.key='server' JOIN attrs ip ON ip.obj=s.value AND ip.key='ipAddress'
       WHERE v.type='Vm'" | tr '|' ' '
}
# set_loads: sim_set_cpu_load VMLOAD on every VM, through its host's agent,
# with the Manager's client certificate (agents answer only their Manager).
n=$(vm_hosts | wc -l)
[ "$n" = "$VMS" ] || die "$n of $VMS VMs run: $(tail -5 <<<"$out")"
say "setting every VM's CPU load to $VMLOAD % of its vCPU"
vm_hosts >"$work/vms"  # a file: python reads its program from the here-document
python3 - "$port" "$work/m/pki" "$AGENT_PASSWORD" "$VMLOAD" "$work/vms" <<'PY' || die "setting the VM loads failed"
import base64, http.client, ssl, sys
port, pki, pw, load, vms = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.load_cert_chain(pki + "/manager-cert.pem", pki + "/manager-key.pem")
auth = "Basic " + base64.b64encode(("oracle:" + pw).encode()).decode()
conns = {}
for line in open(vms):
    vm, ip = line.split()
    c = conns.get(ip) or conns.setdefault(ip, http.client.HTTPSConnection(ip, port, context=ctx, timeout=30))
    body = ("<?xml version='1.0'?><methodCall><methodName>sim_set_cpu_load</methodName><params>"
            "<param><value><string>%s</string></value></param><param><value><int>%d</int></value></param>"
            "</params></methodCall>" % (vm, load))
    c.request("POST", "/api/3/", body, {"Content-Type": "text/xml", "Authorization": auth})
    r = c.getresponse().read().decode()
    if "<nil/>" not in r:
        sys.exit("sim_set_cpu_load %s on %s: %s" % (vm, ip, r))
PY

# --- the cold hosts join the pools; the lower bound from the placement ---
cmds=
for i in $(seq "$HOT" $((HOSTS - 1))); do
    cmds+="; add Server name=ovs$i to ServerPool name=$(pool_of "$i"); add Server name=ovs$i to Repository name=repo1"
done
ovm "${cmds#; }"
grep -q 'Status: Failure' <<<"$out" && die "adding the other servers: $(grep -m1 'Error Msg' <<<"$out")"

# loads: "serverip vmload vmload ..." for every server of the pools (the
# store's placement; all VMs have VMLOAD, 1 vCPU).
loads() {
    local i
    vm_hosts | awk -v l="$VMLOAD" '{ n[$2]++ } END { for (h in n) { printf "%s", h; for (k = 0; k < n[h]; k++) printf " %s", l; print "" } }'
    for i in $(seq 0 $((HOSTS - 1))); do echo "$(ip_of "$i")"; done
}
# The lower bound (python3): a host's load is the sum of its VMs' loads (% of
# one vCPU each) over its CPUs, which is what the simulated host reports. The
# fewest VMs to take off a host so that it is at or under THRESHOLD: its
# largest VMs first (removing any other set of k VMs leaves at least as much
# load), so k is minimal; for equal loads k = ceil(excess / vmload). A VM
# moves once at most in a shortest plan, and moves only add load to the
# others, so the sum over hosts of k is a lower bound on any plan's moves;
# it is reached when the cold hosts can take the VMs (checked: the pool's
# room under the threshold must hold them).
bound() {
    loads | python3 -c '
import sys
cpus, thr = float(sys.argv[1]), float(sys.argv[2])
hosts = {}
for line in sys.stdin:
    f = line.split()
    hosts.setdefault(f[0], []).extend(float(x) for x in f[1:])
moves = 0; room = 0.0; need = 0.0; worst = 0.0
for h, vms in hosts.items():
    vms.sort(reverse=True)
    load = sum(vms) / cpus
    worst = max(worst, load)
    k = 0
    while load > thr + 1e-9:
        load -= vms[k] / cpus; need += vms[k] / cpus; k += 1
    moves += k
    if k == 0:
        room += thr - load
print(moves, "%.2f" % worst, "feasible" if need <= room + 1e-9 else "infeasible")
' "$CPUS" "$THRESHOLD"
}
# balanced: every server at or under THRESHOLD by the placement (same rule as
# the policy: a server is above it when its load is > policyCpuThreshold).
balanced() { [ "$(bound | cut -d' ' -f1)" = 0 ]; }
drs_jobs() { q "SELECT count(*) FROM jobs WHERE name LIKE 'DRS Migrate%' AND parent IS NULL $1"; }

read -r lower initial feas <<<"$(bound)"
[ "$feas" = feasible ] || die "the cold hosts cannot take the excess under $THRESHOLD %: raise -h or -c"
awk -v w="$initial" 'BEGIN { exit !(w > 100) }' && say "warning: the hot hosts would be at $initial %: the agents cap at 100 %"
# Wait (bounded) until the samples the policy reads show the hot hosts above the threshold.
hot_sampled() {
    [ "$(q "SELECT count(DISTINCT obj) FROM stats WHERE stat='CPU_UTILIZATION' AND value > $THRESHOLD
        AND time_ms > (strftime('%s','now') - 3) * 1000 AND obj IN (SELECT id FROM objects WHERE type='Server')")" = "$HOT" ]
}
for i in $(seq 1 120); do hot_sampled && break; sleep 0.5; done
hot_sampled || die "the hot hosts' CPU samples are not above $THRESHOLD % after 60 s: $(q "SELECT o.name, max(time_ms), max(value) FROM stats JOIN objects o ON o.id=obj WHERE stat='CPU_UTILIZATION' AND o.type='Server' GROUP BY o.name" | tr '\n' ' ')"

# --- DRS on: every server of every pool takes part ---
cmds=
for p in $(seq 0 $((POOLS - 1))); do
    cmds+="; edit ServerPool name=p$p policyMode=DRS policyCpuEnable=Yes policyCpuThreshold=$THRESHOLD"
done
for i in $(seq 0 $((HOSTS - 1))); do cmds+="; addPolicyServer ServerPool name=$(pool_of "$i") server=ovs$i"; done
say "DRS on ($POOLS pool(s), threshold $THRESHOLD %, period $PERIOD s); lower bound $lower moves"
cpu0=$(awk '{print $14 + $15}' "/proc/$(cat "$work/m/ovmd.pid")/stat")
t0=$(now_ms)
ovm "${cmds#; }"
grep -q 'Status: Failure' <<<"$out" && die "enabling DRS: $(grep -m1 'Error Msg' <<<"$out")"
tb=
end=$((SECONDS + MAXWAIT))
while [ "$SECONDS" -lt "$end" ]; do
    if balanced; then tb=$(now_ms); break; fi
    sleep 0.5
done
moves_at_balance=$(drs_jobs "")
# After balance: SETTLE policy periods (at least 10 s) to see whether DRS
# keeps moving (overshoot, ping-pong); then every DRS job must have ended.
settle=$(( PERIOD * 5 > 10 ? PERIOD * 5 : 10 ))
[ -n "$tb" ] && sleep "$settle"
for i in $(seq 1 240); do [ "$(drs_jobs "AND end_ms IS NULL")" = 0 ] && break; sleep 0.5; done
cpu1=$(awk '{print $14 + $15}' "/proc/$(cat "$work/m/ovmd.pid")/stat")
moves=$(drs_jobs "AND run_state='Completed'")
failed=$(drs_jobs "AND run_state!='Completed'")
read -r after_lower final _ <<<"$(bound)"
span=$(q "SELECT (max(end_ms) - min(start_ms)) / 1000.0 FROM jobs WHERE name LIKE 'DRS Migrate%' AND parent IS NULL")
pervm=$(q "SELECT printf('%.0f', avg(end_ms - start_ms)) FROM jobs WHERE name LIKE 'DRS Migrate%' AND parent IS NULL AND run_state='Completed'")
maxmoved=$(q "SELECT max(c) FROM (SELECT count(*) c FROM jobs WHERE name LIKE 'DRS Migrate%' AND parent IS NULL GROUP BY target)")

echo
printf '%-44s %s\n' "VMs / hosts / pools / hot hosts" "$VMS / $HOSTS / $POOLS / $HOT" \
    "VM load, host CPUs, threshold, period" "$VMLOAD % of 1 vCPU, $CPUS, $THRESHOLD %, $PERIOD s" \
    "hottest host before" "$initial %" \
    "time to balanced" "$( [ -n "$tb" ] && awk -v a="$t0" -v b="$tb" 'BEGIN { printf "%.1f s", (b - a) / 1000 }' || echo "NOT balanced after $MAXWAIT s")" \
    "DRS moves (completed jobs)" "$moves (at balance: $moves_at_balance; failed: $failed)" \
    "lower bound (fewest moves to balance)" "$lower" \
    "ratio moves / lower bound" "$(awk -v m="$moves" -v l="$lower" 'BEGIN { if (l > 0) printf "%.2f", m / l; else print "-" }')" \
    "most moves of one VM" "${maxmoved:-0}" \
    "DRS job span, mean job time" "${span:-0} s, ${pervm:-0} ms" \
    "hottest host after; hosts still above" "$final %; $after_lower moves short" \
    "engine CPU seconds while DRS ran" "$(awk -v d=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", d / hz }')" \
    "load average" "$(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$tb" ]
