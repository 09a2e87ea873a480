#!/usr/bin/env bash
# Creates are spread over the pool (backend/flows/server_load.h): the vm.cfg
# of a VM without a host is written by the pool server with the fewest jobs
# planned on it, the first server on a tie. With ovs02's create_vm held by an
# agent fault, an idle engine still sends the first create to ovs02, and the
# next two, submitted while it is held, go to the other servers and complete
# (before, every create went to ovs02 and waited behind the held one). Once
# every job has ended the counts are back to zero: a create goes to ovs02
# again. No timing assumption: every wait is bounded and only its outcome is
# checked.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
FLEET_NET=127.0.79
. "$top_srcdir/tests/lib/fleet.sh"
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP sqlite3 missing"; exit 0; }
trap fleet_down EXIT

check "fleet of three agents and ovmd starts" fleet_up 3
check "fleet setup" fleet_setup

# state NAME: the run state of the Create VM job of NAME.
state() {
    sqlite3 -readonly "$work/m/ovmd.db" \
        "SELECT run_state FROM jobs WHERE name = 'Create VM: $1' ORDER BY id DESC LIMIT 1" 2>/dev/null
}
# wait_state NAME STATE: up to 60 s.
wait_state() {
    local i
    for i in $(seq 1 300); do
        [ "$(state "$1")" = "$2" ] && return 0
        sleep 0.2
    done
    return 1
}
create() { echo "create Vm name=$1 repository=repo1 domainType=XEN_HVM on ServerPool name=pool1"; }

echo "create_vm hold 100" > "$work/a2/faults"
ovm "set CommandMode=Asynchronous; $(create s1)"
check "the first create is submitted" test "$rc" -eq 0
check "it waits on ovs02, the first server of an idle pool" wait_state s1 "In Progress"
ovm "set CommandMode=Asynchronous; $(create s2); $(create s3)"
check "two more creates are submitted while it waits" test "$rc" -eq 0
check "the second completes: it went to another server" wait_state s2 Completed
check "the third completes too" wait_state s3 Completed
check "the first is still held on ovs02" test "$(state s1)" = "In Progress"
rm -f "$work/a2/faults"
check "released, the first completes" wait_state s1 Completed

echo "create_vm fault exceptions.OSError:[Errno 28] No space left on device" > "$work/a2/faults"
ovm "$(create s4)"
check "every job ended: a create goes to ovs02 again (its count is back to 0)" \
    grep -q "Job failed on Server ovs02: .*No space left" <<<"$out"
rm -f "$work/a2/faults"
ovm "$(create s5)"
check "and succeeds there once the fault is gone" test "$rc" -eq 0
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
