#!/usr/bin/env bash
# jobs.max_queued: asynchronous commands wait while that many jobs are queued,
# so a client that submits faster than the workers run cannot grow the engine
# without bound. One worker, max_queued 2, an agent that takes 1 s per
# create_vm, 6 asynchronous creates in one batch: at no time are more than 3
# (1 running + 2 queued) create jobs unfinished, and all 6 complete. Without
# the back-pressure all 6 are queued at once (a slow machine could only hide
# that, never fail a correct engine).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP sqlite3 missing"; exit 0; }
trap fleet_down EXIT

check "fleet of one agent and ovmd starts" fleet_up 1
ovmd_stop "$work/m"
check "ovmd restarts with one worker and jobs.max_queued 2" ovmd_start "$work/m" \
    "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0\njobs:\n  workers: 1\n  max_queued: 2' "$port")"
check "fleet setup" fleet_setup
echo "create_vm delay 1" > "$work/a2/faults"

unfinished() {
    sqlite3 -readonly "$work/m/ovmd.db" \
        "SELECT count(*) FROM jobs WHERE name LIKE 'Create VM:%' AND run_state NOT IN ('Completed','Failed','Aborted')" 2>/dev/null
}
{
    echo "set CommandMode=Asynchronous"
    for i in 1 2 3 4 5 6; do
        echo "create Vm name=bp$i repository=repo1 domainType=XEN_HVM on ServerPool name=pool1"
    done
} > "$work/batch.in"
timeout 120 "$OVMSH_BIN" -S "$work/m/engine.sock" -u admin < "$work/batch.in" > "$work/batch.out" 2>&1 &
batch=$!
most=0
for i in $(seq 1 600); do  # bounded: 60 s
    n=$(unfinished)
    [ -n "$n" ] && [ "$n" -gt "$most" ] && most=$n
    kill -0 "$batch" 2>/dev/null || [ "$n" != 0 ] || break
    sleep 0.1
done
wait "$batch"
check "the batch ends successfully" test $? -eq 0
check "at most 3 create jobs were unfinished at once (saw $most)" test "$most" -le 3
check "the sampling saw jobs waiting (saw $most)" test "$most" -ge 2
done_n=$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM jobs WHERE name LIKE 'Create VM:%' AND run_state = 'Completed'")
check "all 6 creates completed ($done_n)" test "$done_n" -eq 6
rm -f "$work/a2/faults"
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
