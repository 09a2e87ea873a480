#!/usr/bin/env bash
# The DRS policy of a server pool (doc/object-model.md §7.7): a participating
# server whose CPU_UTILIZATION stays above policyCpuThreshold over the policy
# period gives up its busiest VM through the live-migration flow, as a job
# with an event saying why; an inbound-migration lock leaves no server (an
# event, no move), and so does a destination that would be above the
# threshold with the VM's load; a migration that fails fails its job readably with an
# event and the VM keeps running; a VM that a user job holds is not moved,
# nor one on a server taken out with removePolicyServer (DPM:
# tests/e2e/policies-dpm.sh). Loads are
# set with the sim_set_cpu_load hook. TAP; every wait bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/e2e/rules-vm-lib.sh"

RV_NET=127.0.70
rv_setup policies 2
rv_pool pool1 ovs02 ovs03
rv_repo pool1
A=$RV_NET.2
yaml=$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 1\nstats:\n  sampling_interval: 1\npolicy:\n  period: 2' "$port")
wait_for() { local end=$((SECONDS + $1)); shift; until "$@"; do [ "$SECONDS" -ge "$end" ] && return 1; sleep 0.5; done; }
events_of() { ovm "getEventsForObject objType=$1 objId=$2"; grep -q "$3" <<<"$out"; }
on_host() { [ "$(vm_host "$1")" = "$2" ]; }

step "Vm m1 runs" "create Vm name=m1 repository=repo1 domainType=XEN_HVM on ServerPool name=pool1; start Vm name=m1"
if ! on_host m1 ovs02; then step "m1 moves to ovs02" "migrate Vm name=m1 destServer=ovs02"; fi
check "m1 runs on ovs02" on_host m1 ovs02
ovm "show Vm name=m1"; vmid=$(idof)
r=$(xr_call $A "$port" sim_set_cpu_load "$(xs "")" "<value><int>70</int></value>")
check "ovs02 is busy (70 % of its own)" is_nil_result <<<"$r"
r=$(xr_call $A "$port" sim_set_cpu_load "$(xs "$vmid")" "<value><int>90</int></value>")
check "m1 is busy (90 %)" is_nil_result <<<"$r"

step "ovs03 refuses inbound migrations" "edit Server name=ovs03 inboundMigrationLocked=Yes"
step "DRS on pool1: CPU policy, threshold 50 %, both servers" \
    "edit ServerPool name=pool1 policyMode=DRS policyCpuEnable=Yes policyCpuThreshold=50; addPolicyServer ServerPool name=pool1 server=ovs02; addPolicyServer ServerPool name=pool1 server=ovs03"
check "ovmd restarts with a 1 s poll, 1 s samples and a 2 s policy period" eval 'ovmd_stop "$work/m" && ovmd_start "$work/m" "$yaml"'

check "no server can take m1 (inbound lock): a DRS_NO_SERVER event on ovs02 (bounded 20 s)" \
    wait_for 20 events_of Server ovs02 "no server can take Vm m1"
check "m1 stays on ovs02" on_host m1 ovs02

# A destination that would be above the threshold is no destination: before
# the fix DRS moved m1 to the busy ovs03, which gave it back (ping-pong).
r=$(xr_call $RV_NET.3 "$port" sim_set_cpu_load "$(xs "")" "<value><int>70</int></value>")
check "ovs03 is busy too (70 % of its own)" is_nil_result <<<"$r"
step "ovs03 takes inbound migrations again" "edit Server name=ovs03 inboundMigrationLocked=No"
check "ovs03 above the threshold cannot take m1: a DRS_NO_SERVER event says so (bounded 20 s)" \
    wait_for 20 events_of Server ovs02 "no server can take Vm m1: every other Server that can take it would be above the threshold"
ovm "list Job"
check "m1 stays on ovs02: no move to a busier server" eval 'on_host m1 ovs02 && ! grep -q "DRS Migrate" <<<"$out"'
set_fault 2 "migrate_vm fault exceptions.RuntimeError:migration aborted by the test"
r=$(xr_call $RV_NET.3 "$port" sim_set_cpu_load "$(xs "")" "<value><int>0</int></value>")
check "ovs03 is idle again" is_nil_result <<<"$r"
check "the failing move: a DRS_MIGRATION_FAILED event on m1 with the agent's reason (bounded 20 s)" \
    wait_for 20 events_of Vm m1 "DRS could not move the Vm to Server ovs03: .*migration aborted by the test"
ovm "list Job"
check "the failed move is a job" eval 'grep -q "DRS Migrate" <<<"$out"'
check "m1 still runs on ovs02" eval 'on_host m1 ovs02 && [ "$(vm_field m1 Status)" = Running ]'
step "the pool keeps working: a user command succeeds" "edit ServerPool name=pool1 description=still-here"

# A VM that a user job holds is never moved: an edit whose agent call is
# delayed holds m1 for several policy periods while nothing else stops DRS.
set_fault 2 "$(printf '%s\n' "migrate_vm fault exceptions.RuntimeError:migration aborted by the test" "configure_vm hold 100")"
async "edit Vm name=m1 description=held"
hold_job=$(sed -n 's/^JobId: //p' <<<"$out")
ovm "list Job"; n_drs=$(grep -c "DRS Migrate" <<<"$out")
set_fault 2 "configure_vm hold 100"
sleep 8
ovm "list Job"; n_now=$(grep -c "DRS Migrate" <<<"$out")
ovm "show Job id=$hold_job"
check "while user job $hold_job holds m1 (4 policy periods), DRS does not move it" \
    eval '[ -n "$hold_job" ] && grep -q "^  Summary Done = No" <<<"$out" && [ "$n_now" -eq "$n_drs" ] && on_host m1 ovs02'
job_done() { ovm "show Job id=$hold_job"; grep -q '^  Summary Done = Yes' <<<"$out"; }
set_fault 2 ""
check "released, the holding job completes (bounded 30 s)" wait_for 30 job_done
check "DRS moves m1 to ovs03 (bounded 30 s)" wait_for 30 on_host m1 ovs03
check "an event on m1 says why: ovs02's CPU above the threshold" \
    events_of Vm m1 "DRS: Server ovs02 CPU [0-9.]* % above the pool's threshold 50 % over the policy period; moving Vm m1 to Server ovs03"
check "the agents agree: m1 runs on ovs03" agent_runs 3 "$vmid"
check "m1 is Running" test "$(vm_field m1 Status)" = Running
ovm "show Vm name=m1"
sleep 5
check "ovs03 is below the threshold: m1 stays there" on_host m1 ovs03

# removePolicyServer: a server out of the policy gives up no VM, however
# busy; added back, it does (the control that the set-up would move m1).
step "ovs03 leaves the policy" "removePolicyServer ServerPool name=pool1 server=ovs03"
r=$(xr_call $A "$port" sim_set_cpu_load "$(xs "")" "<value><int>0</int></value>")
check "ovs02 is idle" is_nil_result <<<"$r"
r=$(xr_call $RV_NET.3 "$port" sim_set_cpu_load "$(xs "")" "<value><int>70</int></value>")
check "ovs03 is busy (70 % of its own, m1 on it)" is_nil_result <<<"$r"
sleep 8
check "out of the policy, ovs03 keeps m1 over 4 policy periods" on_host m1 ovs03
step "ovs03 joins the policy again" "addPolicyServer ServerPool name=pool1 server=ovs03"
check "then DRS moves m1 to ovs02 (bounded 30 s)" wait_for 30 on_host m1 ovs02
step "policyMode=OFF" "edit ServerPool name=pool1 policyMode=OFF"
rv_stop
tap_done
