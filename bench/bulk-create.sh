#!/bin/bash
# The issue-10 job-throughput benchmark: asynchronous bulk creates of N VMs
# over H simulated hosts, timed apart from building the fleet.
#
#   bench/bulk-create.sh [-n VMS] [-H HOSTS] [-w WORKERS] [-s] [-b BUILDDIR]
#
# -s submits the creates synchronously (each waits for its job; target
# >= 500 jobs/s) instead of after `set CommandMode=Asynchronous` (>= 1000).
# Defaults: 10000 VMs, 20 hosts, jobs.workers 16, BUILDDIR = $top_builddir
# or the current directory (needs ovmd, ovmsh and ovm-agentd: `make bench`).
# It prints create jobs/s two ways: N over the wall time from the first line
# of the create batch until the last create job has ended (what a user
# waits), and N over the jobs' own span (first start to last end, what the
# engine and agents do). The peer ratio is the same run against one host
# (-H 1 gives that figure: run both). Network traffic stays on 127.0.0.0/8.
# Not part of make check.
set -u

n=10000 hosts=20 workers=16 mode=Asynchronous
builddir=${top_builddir:-.}
while getopts "n:H:w:sb:" opt; do
    case $opt in
    n) n=$OPTARG ;; H) hosts=$OPTARG ;; w) workers=$OPTARG ;; s) mode=Synchronous ;; b) builddir=$OPTARG ;;
    *) sed -n '5p' "$0" >&2; exit 2 ;;
    esac
done
[ "$hosts" -ge 1 ] && [ "$hosts" -le 250 ] || { echo "bulk-create: -H must be 1..250" >&2; exit 2; }

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "$builddir" && pwd)
export top_builddir=$builddir
for b in ovmd ovmsh ovm-agentd; do
    [ -x "$builddir/$b" ] || { echo "bulk-create: $builddir/$b missing (run make bench)" >&2; exit 2; }
done
command -v sqlite3 >/dev/null || { echo "bulk-create: sqlite3 missing (apt-get install sqlite3)" >&2; exit 2; }
. "$srcdir/tests/lib/agent.sh"
. "$srcdir/tests/lib/ovmd.sh"

. "$srcdir/bench/bench-lib.sh"

work=$(mktemp -d /tmp/ovm-bulk.XXXXXX)
trap bench_fleet_down EXIT
trap 'exit 130' INT TERM
cpu_s() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null; }
# agents_cpu_s: CPU seconds of all agents together.
agents_cpu_s() {
    local i t=0
    for i in $(seq 2 $((hosts + 1))); do t=$(awk -v a="$t" -v b="$(cpu_s "$(cat "$work/a$i.pid")")" 'BEGIN {print a + b}'); done
    echo "$t"
}

say "starting $hosts agents and ovmd"
bench_fleet_up "$workers"
say "building the fleet: pool1 with $hosts servers, repo1"
bench_fleet_lines > "$work/fleet.in"
timeout 900 "$builddir/ovmsh" -S "$sock" -u admin --stop-on-error < "$work/fleet.in" > "$work/fleet.out" 2>&1 ||
    die "fleet batch failed: $(grep -m1 -B2 'Error Msg' "$work/fleet.out")"

{
    echo "set CommandMode=$mode"
    bench_create_lines "$n"
} > "$work/creates.in"
a_cpu0=$(agents_cpu_s)
e_cpu0=$(cpu_s "$engine_pid")
say "submitting $n $mode creates"
t0=$(now_ms)
TIMEFORMAT='%U %S'
{ time timeout 900 "$builddir/ovmsh" -S "$sock" -u admin --stop-on-error < "$work/creates.in" > "$work/creates.out" 2>&1; } 2> "$work/client.time" ||
    die "create batch failed: $(grep -m1 -B2 'Error Msg' "$work/creates.out")"
t1=$(now_ms)
bench_wait_creates "$n"
t2=$(now_ms)
span_ms=$(create_jobs "max(end_ms) - min(start_ms)")
a_cpu1=$(agents_cpu_s)
e_cpu1=$(cpu_s "$engine_pid")
rate() { awk -v n="$n" -v s="$1" 'BEGIN { printf "%.0f", n * 1000 / (s > 0 ? s : 1) }'; }

echo
echo "bulk-create: $n $mode create Vm on $hosts hosts, jobs.workers $workers ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-44s %s\n' "submit (ovmsh batch) ms" "$((t1 - t0))"
printf '%-44s %s\n' "submit to last job ended ms" "$((t2 - t0))"
printf '%-44s %s\n' "jobs/s (wall: N / submit to last end)" "$(rate $((t2 - t0)))"
printf '%-44s %s\n' "jobs/s (jobs: N / first start to last end)" "$(rate "$span_ms")"
printf '%-44s %s\n' "engine CPU s during the creates" "$(awk -v a="$e_cpu0" -v b="$e_cpu1" 'BEGIN {print b - a}')"
printf '%-44s %s\n' "agents' CPU s during the creates (sum)" "$(awk -v a="$a_cpu0" -v b="$a_cpu1" 'BEGIN {print b - a}')"
printf '%-44s %s\n' "ovmsh CPU s (the batch client)" "$(awk '{print $1 + $2}' "$work/client.time")"
printf '%-44s %s\n' "engine VmRSS / VmHWM MB" \
    "$(awk -v r="$(rss_kb "$engine_pid")" -v h="$(hwm_kb "$engine_pid")" 'BEGIN { printf "%.1f / %.1f", r / 1024, h / 1024 }')"
echo "target: >= $([ "$mode" = Synchronous ] && echo 500 || echo 1000) jobs/s (wall) at 10,000 VMs on 20 hosts; peer: the same run with -H 1"
