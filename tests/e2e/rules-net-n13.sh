#!/usr/bin/env bash
# Rule N-13 (doc/object-model.md §6.14, §7.6): a network job that fails on a server
# raises ERROR NETWORK_CONFIG_FAILED on it, runs a "Rediscover Network" child
# job, and the event is acknowledged automatically when the child ends, so
# the server is not left blocked. The parent job stays Failed with its error.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
trap fleet_down EXIT

fault="exceptions.RuntimeError:bridge failure"
port_name="eth0 on ovs02"
# is_ok_call CMD...: CMD prints an agent reply that is not a fault.
is_ok_call() { local r; r=$("$@"); [[ $r == *'<methodResponse>'* && $r != *'<fault>'* ]]; }

check "fleet of one agent and ovmd starts" fleet_up 1
ovm "discoverServer ipAddress=127.0.0.2 password=$AGENT_PASSWORD"
check "server discovered" test "$rc" -eq 0
ovm "show Server name=ovs02"
sid=$(field Id)
sid=${sid%% *}
check "server has an id" test -n "$sid"
ovm "show Port name=\"$port_name\""
mgmt=$(field Network)
mgmt=${mgmt%% *}
check "eth0 starts in the management network" test -n "$mgmt"
# Discovery records eth0 in the management network, but the simulated agent
# has no bridge for it yet: create one so that eth0 can leave that network.
check "the agent bridges eth0 into the management network" is_ok_call \
    xr_call 127.0.0.2 "$port" ovs_br_config "$(xs start)" "$(xs "$mgmt")" "$(xs eth0)"
ovm "remove Port name=\"$port_name\" from Network id=$mgmt; create Network name=net1 roles=VIRTUAL_MACHINE"
check "eth0 leaves the management network; net1 created" test "$rc" -eq 0

# events KIND: NETWORK_CONFIG_FAILED lines of the server with acknowledged=KIND.
events() { ovm "getEvents objType=Server objId=$sid acknowledged=$1"; grep -F "$fault" <<<"$out"; }
check "no network event before the fault" test -z "$(events Yes)$(events No)"

echo "ovs_br_config fault $fault" > "$work/a2/faults"
ovm "add Port name=\"$port_name\" to Network name=net1"
rm -f "$work/a2/faults"
job=$(jobid)
check "add Port fails" test "$rc" -eq 1
check "with the agent's fault text" grep -qF "Error Msg: Job failed on Server ovs02: $fault" <<<"$out"
ovm "show Port name=\"$port_name\""
check "the port did not join net1" test -z "$(field Network)"

check "the event is raised on the server and acknowledged" grep -q "name:Error" <<<"$(events Yes)"
check "no unacknowledged network event is left" test -z "$(events No)"

ovm "show Job id=$job"
check "the parent job stays Failed" test "$(field 'Run State')" = "Failed"
check "the parent keeps its own error" test "$(field Error)" = "Job failed on Server ovs02: $fault"
child=$(sed -n 's/^  Child Job 1 = \([0-9]*\)  \[Rediscover Network: ovs02\]$/\1/p' <<<"$out")
check "the rediscovery child job is listed under the parent" test -n "$child"
ovm "show Job id=$child"
check "the child job rediscovered the network" test "$(field 'Run State')" = "Completed"

# The server is not blocked: a job whose write set holds it runs.
ovm "create ServerPool name=pool1 clusterEnable=No; add Server name=ovs02 to ServerPool name=pool1"
check "a later job on the server works" test "$rc" -eq 0
ovm "add Port name=\"$port_name\" to Network name=net1"
check "the same add Port works once the agent behaves" test "$rc" -eq 0
check "no new network event after a successful job" test "$(events Yes | wc -l)" -eq 1
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
