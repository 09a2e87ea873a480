#!/usr/bin/env bash
# ServerPoolNetworkPolicy (doc/object-model.md §7.7): create, list, show,
# edit and delete with their refusals; the pool's DRS policy moves a VM off
# a server whose device on the policy's network carries more than the
# threshold (receive or transmit, percent of the device's capacity) over the
# policy period, through the same DRS move as the CPU policy, with an event
# saying why; a disabled policy moves nothing. The traffic is set with the
# simulator's sim_set_net_load hook (rates in Mbit/s of its 1000 Mbit/s
# NICs) and lands in the stats table as NETWORK_RECEIVE_UTILIZATION /
# NETWORK_TRANSMIT_UTILIZATION of the server's Port. TAP; every wait bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/e2e/rules-vm-lib.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP sqlite3 is not installed"; exit 0; }

RV_NET=127.0.75
rv_setup netpolicy 2
rv_pool pool1 ovs02 ovs03
rv_repo pool1
NET=$RV_NET.0 # the management network discovery made (N-7): bond0 (Port eth0) of each server
yaml=$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 1\nstats:\n  sampling_interval: 1\npolicy:\n  period: 2' "$port")
wait_for() { local end=$((SECONDS + $1)); shift; until "$@"; do [ "$SECONDS" -ge "$end" ] && return 1; sleep 0.5; done; }
events_of() { ovm "getEventsForObject objType=$1 objId=$2"; grep -q "$3" <<<"$out"; }
on_host() { [ "$(vm_host "$1")" = "$2" ]; }
net_load() { # net_load N DEVICE RX TX: traffic of DEVICE on the agent 127.0.75.N
    is_nil_result <<<"$(xr_call "$RV_NET.$1" "$port" sim_set_net_load "$(xs "$2")" "$(xi "$3")" "$(xi "$4")")"
}
field_is() { ovm "show ServerPoolNetworkPolicy name=$1"; [ "$(field "$2")" = "$3" ]; }

step "Vm m1 runs" "create Vm name=m1 repository=repo1 domainType=XEN_HVM on ServerPool name=pool1; start Vm name=m1"
if ! on_host m1 ovs02; then step "m1 moves to ovs02" "migrate Vm name=m1 destServer=ovs02"; fi
check "m1 runs on ovs02" on_host m1 ovs02
ovm "show Vm name=m1"; vmid=$(idof)

# ---- the agent hook ----
r=$(xr_call $RV_NET.2 "$port" sim_set_net_load "$(xs eth9)" "$(xi 1)" "$(xi 1)")
check "sim_set_net_load refuses a device the host does not have" grep -q "no such device: eth9" <<<"$r"
r=$(xr_call $RV_NET.2 "$port" sim_set_net_load "$(xs eth1)" "$(xi 1001)" "$(xi 0)")
check "sim_set_net_load refuses more than the NIC's 1000 Mbit/s" grep -q "carries 0 to 1000 Mbit/s" <<<"$r"
check "list_vms reports Domain-0's net_rates" bash -c 'grep -q "<name>net_rates</name>" <<<"$1"' _ "$(xr_call $RV_NET.2 "$port" list_vms)"

# ---- commands and refusals ----
step "a network no server uses" "create Network name=spare"
step "create ServerPoolNetworkPolicy on the management network, disabled" \
    "create ServerPoolNetworkPolicy name=np1 network=$NET policyThreshold=50 policyEnable=No on ServerPool name=pool1"
step "a policy on a network no member uses is allowed (concepts guide 6.12.3)" \
    "create ServerPoolNetworkPolicy name=np2 network=spare direction=TRANSMIT on ServerPool name=pool1"
refused "a second policy for the same pool and network is refused" \
    "create ServerPoolNetworkPolicy name=np3 network=$NET on ServerPool name=pool1" \
    "ServerPool pool1 already has ServerPoolNetworkPolicy np1 for Network $NET"
refused "a duplicate name is refused" \
    "create ServerPoolNetworkPolicy name=np1 network=spare on ServerPool name=pool1" \
    "A ServerPoolNetworkPolicy named np1 already exists"
ovm "create ServerPoolNetworkPolicy name=np4 network=$NET policyThreshold=0 on ServerPool name=pool1"
check "threshold 0 is refused" bash -c '[ "$1" -ne 0 ] && grep -q "Error Msg: .*policyThreshold" <<<"$2"' _ "$rc" "$out"
ovm "create ServerPoolNetworkPolicy name=np4 network=$NET policyThreshold=101 on ServerPool name=pool1"
check "threshold 101 is refused" bash -c '[ "$1" -ne 0 ] && grep -q "Error Msg: .*policyThreshold" <<<"$2"' _ "$rc" "$out"
ovm "create ServerPoolNetworkPolicy name=np4 network=nosuch on ServerPool name=pool1"
check "an unknown network is refused" bash -c '[ "$1" -ne 0 ] && grep -q "Error Msg: .*nosuch" <<<"$2"' _ "$rc" "$out"
ovm "edit ServerPoolNetworkPolicy name=np2 network=$NET"
check "network cannot be edited" bash -c '[ "$1" -ne 0 ] && grep -q "Error Msg: .*network" <<<"$2"' _ "$rc" "$out"
ovm "delete Network name=spare"
check "a network a policy names cannot be deleted" bash -c '[ "$1" -ne 0 ] && grep -q "Error Msg: .*np2" <<<"$2"' _ "$rc" "$out"
ovm "list ServerPoolNetworkPolicy"
check "list ServerPoolNetworkPolicy shows both" bash -c 'grep -q "name:np1" <<<"$1" && grep -q "name:np2" <<<"$1"' _ "$out"
check "show: Policy Threshold (%) = 50" field_is np1 "Policy Threshold (%)" 50
check "show: Policy Enabled = No" field_is np1 "Policy Enabled" No
check "show: Direction = Receive (the default)" field_is np1 Direction Receive
ovm "show ServerPoolNetworkPolicy name=np1"
check "show: Network names the management network" bash -c 'grep -q "^  Network = .*\[$1\]$" <<<"$2"' _ "$NET" "$out"
ovm "show ServerPool name=pool1"
check "show ServerPool lists its network policies" bash -c 'grep -q "^  Network Policy [0-9]* = .*\[np2\]$" <<<"$1"' _ "$out"
step "delete the unused policy np2; then the network" "delete ServerPoolNetworkPolicy name=np2; delete Network name=spare"

# ---- the policy acts ----
step "DRS on pool1 without the CPU policy, both servers" \
    "edit ServerPool name=pool1 policyMode=DRS policyCpuEnable=No; addPolicyServer ServerPool name=pool1 server=ovs02; addPolicyServer ServerPool name=pool1 server=ovs03"
check "ovs02's bond0 receives 800 of 1000 Mbit/s" net_load 2 bond0 800 10
check "ovmd restarts with a 1 s poll, 1 s samples and a 2 s policy period" eval 'ovmd_stop "$work/m" && ovmd_start "$work/m" "$yaml"'
pid2=$(ovm "show Port name='eth0 on ovs02'"; idof)
rx_samples() { [ "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM stats WHERE obj='$pid2' AND stat='NETWORK_RECEIVE_UTILIZATION' AND value=80")" -ge "$1" ]; }
check "ovs02's Port eth0 gets NETWORK_RECEIVE_UTILIZATION samples of 80 % (bounded 20 s)" wait_for 20 rx_samples 4
check "its NETWORK_TRANSMIT_UTILIZATION is 1 %" test "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT value FROM stats WHERE obj='$pid2' AND stat='NETWORK_TRANSMIT_UTILIZATION' ORDER BY time_ms DESC LIMIT 1")" = 1.0
sleep 5 # more than two policy periods with the traffic above the threshold
check "while np1 is disabled m1 stays on ovs02" on_host m1 ovs02
step "enable np1" "edit ServerPoolNetworkPolicy name=np1 policyEnable=Yes"
check "DRS moves m1 to ovs03 (bounded 30 s)" wait_for 30 on_host m1 ovs03
check "an event on m1 says why: the network's receive usage" \
    events_of Vm m1 "DRS: Server ovs02 Network $NET receive usage 80.0 % above the threshold 50 % of ServerPoolNetworkPolicy np1 over the policy period; moving Vm m1 to Server ovs03"
check "the agents agree: m1 runs on ovs03" agent_runs 3 "$vmid"
ovm "list Job"
check "the move is a DRS Migrate job" eval 'grep -q "DRS Migrate" <<<"$out"'

# ---- the direction: a transmit policy does not see receive traffic ----
step "np1 judges transmit traffic" "edit ServerPoolNetworkPolicy name=np1 direction=TRANSMIT"
check "ovs03 receives 900 Mbit/s (not judged by a transmit policy)" net_load 3 bond0 900 0
sleep 6
check "m1 stays on ovs03" on_host m1 ovs03
check "ovs03 transmits 900 Mbit/s and ovs02 is quiet" eval 'net_load 3 bond0 0 900 && net_load 2 bond0 0 0'
check "DRS moves m1 back to ovs02 (bounded 30 s)" wait_for 30 on_host m1 ovs02
check "the event names the transmit usage" \
    events_of Vm m1 "DRS: Server ovs03 Network $NET transmit usage [0-9.]* % above the threshold 50 % of ServerPoolNetworkPolicy np1"
check "m1 is Running" test "$(vm_field m1 Status)" = Running
step "policyMode=OFF; delete np1" "edit ServerPool name=pool1 policyMode=OFF; delete ServerPoolNetworkPolicy name=np1"
ovm "list ServerPoolNetworkPolicy"
check "no policy is left" bash -c '! grep -q "name:np" <<<"$1"' _ "$out"
rv_stop
tap_done
