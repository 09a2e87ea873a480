#!/usr/bin/env bash
# Messages to and from a VM's guest (doc/object-model.md §6.15, MSG-4..MSG-7):
# sendVmMessage log=Yes kept by the Manager, getVmSentMessages and
# clearVmAllSentMessages (the log survives an engine restart and goes with
# its Vm), getVmReceivedMessages and clearVmAllRcvdMessages reading what the
# simulated guest sent (the sim_guest_message test hook of ovm-agentd), the
# refusals, and an agent that fails or answers garbage. TAP; bounded waits.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/e2e/rules-vm-lib.sh"
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP sqlite3 missing"; exit 0; }

RV_NET=127.0.64
rv_setup messages 1
rv_pool pool1 ovs02
rv_repo pool1
A=$RV_NET.2
yaml=$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")
data() { sed -n '/^Data:/,/^OVM> \|^$/p' <<<"$out" | grep '^  ' ; }

step "a running Vm" "create Vm name=m1 repository=repo1 domainType=XEN_HVM on ServerPool name=pool1; start Vm name=m1"
ovm "show Vm name=m1"; vmid=$(idof)
ovm "getVmSentMessages Vm name=m1"
check "no message yet: Success with an empty Data:" eval 'grep -q "^Status: Success" <<<"$out" && grep -q "^Data:" <<<"$out" && [ -z "$(data)" ]'

step "MSG-4 send with log=Yes" "sendVmMessage Vm name=m1 key=com.oracle.linux.network.device.0 message=eth0 log=Yes"
step "MSG-4 send with log=No" "sendVmMessage Vm name=m1 key=com.oracle.linux.root-password message=secret log=No"
step "MSG-4 send with log=yes (any case)" "sendVmMessage Vm name=m1 key=k2 message=\"two words\" log=yes"
ovm "getVmSentMessages Vm name=m1"
check "MSG-5 the logged pairs, oldest first, as key = message" \
    test "$(data)" = "$(printf '  com.oracle.linux.network.device.0 = eth0\n  k2 = two words')"
check "MSG-5 a log=No pair is not kept" eval '! grep -q secret <<<"$out"'
ovm "getVmSentMessages Vm id=$vmid"
check "getVmSentMessages takes id= too" test "$(data | wc -l)" -eq 2

check "ovmd stops for a restart" ovmd_stop "$work/m"
check "ovmd starts again on the same store" ovmd_start "$work/m" "$yaml"
ovm "getVmSentMessages Vm name=m1"
check "MSG-5 the log survives an engine restart" test "$(data | wc -l)" -eq 2
ovm "set OutputMode=Xml; getVmSentMessages Vm name=m1"
check "XML output names each pair" eval 'grep -q "<PropertyName>k2</PropertyName>" <<<"$out"'
step "clearVmAllSentMessages" "clearVmAllSentMessages Vm name=m1"
ovm "getVmSentMessages Vm name=m1"
check "the log is empty after the clear" test -z "$(data)"

# What the guest sends the Manager (the simulated guest's channel).
r=$(xr_call $A "$port" sim_guest_message "$(xs "$vmid")" "$(xs com.oracle.linux.guest.ip)" "$(xs 192.0.2.7)")
check "the simulated guest sends a pair" is_nil_result <<<"$r"
r=$(xr_call $A "$port" sim_guest_message "$(xs "$vmid")" "$(xs app.state)" "$(xs ready)")
check "and a second one" is_nil_result <<<"$r"
r=$(xr_call $A "$port" sim_guest_message "$(xs "$vmid")" "$(xs '')" "$(xs x)")
check "the agent refuses an empty key" is_fault <<<"$r"
ovm "getVmReceivedMessages Vm name=m1"
check "MSG-6 getVmReceivedMessages lists them, oldest first" \
    test "$(data)" = "$(printf '  com.oracle.linux.guest.ip = 192.0.2.7\n  app.state = ready')"

set_fault 2 "get_guest_messages fault exceptions.RuntimeError:channel closed"
ovm "getVmReceivedMessages Vm name=m1"
check "an agent fault fails the command with its text" \
    eval 'grep -qx "Status: Failure" <<<"$out" && grep -q "^Error Msg: .*channel closed" <<<"$out"'
set_fault 2 "get_guest_messages garbage"
ovm "getVmReceivedMessages Vm name=m1"
check "a garbage answer fails the command readably" \
    eval 'grep -qx "Status: Failure" <<<"$out" && grep -q "^Error Msg: ." <<<"$out"'
set_fault 2 ""
ovm "getVmReceivedMessages Vm name=m1"
check "the messages are still there after the failed reads" test "$(data | wc -l)" -eq 2

step "MSG-7 clearVmAllRcvdMessages" "clearVmAllRcvdMessages Vm name=m1"
ovm "list Job"
check "the clear is a job" eval 'grep -q "Clear Received Messages of VM: m1\|Clear Received Messages of Vm: m1" <<<"$out"'
ovm "getVmReceivedMessages Vm name=m1"
check "nothing received after the clear" eval 'grep -q "^Status: Success" <<<"$out" && [ -z "$(data)" ]'

step "one more logged pair, then stop the Vm" "sendVmMessage Vm name=m1 key=last message=one log=Yes; stop Vm name=m1"
refused "MSG-6 received messages need a Running Vm" "getVmReceivedMessages Vm name=m1" \
    "Cannot read the messages of Vm m1: its status is Stopped"
refused "MSG-7 clearing them needs a Running Vm" "clearVmAllRcvdMessages Vm name=m1" \
    "Cannot clear the messages of Vm m1: its status is Stopped"
ovm "getVmSentMessages Vm name=m1"
check "MSG-5 the Manager's log reads while the Vm is stopped" test "$(data)" = "  last = one"
ovm "getVmSentMessages Vm name=nosuch"
check "an unknown Vm fails" eval 'grep -qx "Status: Failure" <<<"$out" && grep -q "^Error Msg: .*nosuch" <<<"$out"'

step "delete the Vm" "delete Vm name=m1"
check "ovmd stops for a second restart" ovmd_stop "$work/m"
check "the store opens again" ovmd_start "$work/m" "$yaml"
check "the deleted Vm's log is gone from the store" \
    test "$(sqlite3 "$work/m/ovmd.db" "SELECT count(*) FROM vm_messages WHERE vm = '$vmid'" 2>&1)" = 0
rv_stop
tap_done
