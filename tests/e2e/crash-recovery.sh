#!/usr/bin/env bash
# SIGKILL of ovmd in the middle of jobs (doc/object-model.md §7.8, issue 2 acceptance):
# after a restart every object is intact, no job stays In Progress, and each
# interrupted job is Completed when the agents show its goal was reached, or
# Failed "interrupted by a Manager restart" otherwise. The agents' fault file
# (`METHOD delay N`) holds a call open so the kill lands inside the job.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
trap fleet_down EXIT

check "fleet of two agents and ovmd starts" fleet_up 2
check "fleet setup (discover, pool, repository)" fleet_setup
ovm "create VirtualDisk name=d0 size=1 sparse=Yes shareable=No on Repository name=repo1; create Vm name=web1 repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=512 on ServerPool name=pool1; create VmDiskMapping slot=0 virtualDisk=d0 emulatedBlockDevice=No on Vm name=web1"
check "a VM to work with" test "$rc" -eq 0
object_ids() { sqlite3 -readonly "$work/m/ovmd.db" 'SELECT type, id, name FROM objects ORDER BY id'; }
before=$(object_ids)

kill_engine() {
    local pid
    pid=$(cat "$work/m/ovmd.pid")
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    rm -f "$work/m/ovmd.pid"
}
restart_engine() {
    ovmd_start "$work/m" "$(cat "$work/m/ovmd.yaml")"
}
# submit CMD: queues CMD asynchronously and prints its job id.
submit() {
    ovm "set CommandMode=Asynchronous; $1"
    jobid
}
job_state() { ovm "show Job id=$1"; field 'Run State'; }

# 1. kill while start_vm is held by the agent; the agent finishes the start.
for i in 2 3; do echo "start_vm delay 3" > "$work/a$i/faults"; done
job=$(submit "start Vm name=web1")
check "start job queued" test -n "$job"
sleep 1
kill_engine
sleep 4   # the agent completes the held start_vm
rm -f "$work/a2/faults" "$work/a3/faults"
check "ovmd restarts after SIGKILL during start" restart_engine
check "interrupted start is Completed (the agent runs the VM)" test "$(job_state "$job")" = "Completed"
ovm "show Vm name=web1"
check "VM reconciled to Running" test "$(field Status)" = "Running"
check "every object survived the crash unchanged in identity" test "$(object_ids)" = "$before"

# 2. kill while the agent holds stop_vm and never completes it.
host=$(sed -n 's/^  Server = .*\[ovs0\(.\)\]$/127.0.0.\1/p' <<<"$out")
for i in 2 3; do echo "stop_vm hang" > "$work/a$i/faults"; done
job=$(submit "stop Vm name=web1")
sleep 1
kill_engine
rm -f "$work/a2/faults" "$work/a3/faults"
check "ovmd restarts after SIGKILL during stop" restart_engine
check "interrupted stop is Failed (the VM still runs)" test "$(job_state "$job")" = "Failed"
ovm "show Job id=$job"
check "the failure says why" test "$(field Error)" = "Job failed: interrupted by a Manager restart"
ovm "show Vm name=web1"
check "VM is Running, as the agent reports" test "$(field Status)" = "Running"
check "the agent indeed runs it" grep -q "$(sed -n 's/^  Id = //p' <<<"$out")" <<<"$(agent_vms "$host")"

# 3. kill during create VirtualDisk: no half-created object.
for i in 2 3; do echo "storage_plugin_create delay 3" > "$work/a$i/faults"; done
job=$(submit "create VirtualDisk name=half size=1 sparse=Yes shareable=No on Repository name=repo1")
sleep 1
kill_engine
sleep 3
rm -f "$work/a2/faults" "$work/a3/faults"
check "ovmd restarts after SIGKILL during create" restart_engine
check "interrupted create is Failed" test "$(job_state "$job")" = "Failed"
ovm "list VirtualDisk"
check "no half-created VirtualDisk in the store" bash -c "! grep -q 'name:half' <<<'$out'"
check "the other disk is intact" grep -q 'name:d0' <<<"$out"

# 4. nothing is left In Progress
ovm "list Job"
ids=$(sed -n 's/^  id:\([0-9]*\) .*/\1/p' <<<"$out")
stuck=0
for id in $ids; do
    s=$(job_state "$id")
    [ "$s" = "In Progress" ] && stuck=$((stuck + 1))
done
check "no job stays In Progress" test "$stuck" -eq 0
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
