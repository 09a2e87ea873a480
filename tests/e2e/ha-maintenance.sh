#!/usr/bin/env bash
# Maintenance mode in a clustered pool (doc/object-model.md §6.11 MM-2, MM-3) and
# agent crash + restart reconciliation (§5.1 S10, §5.4), with a real ovmd and
# two real agents.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
. "$top_srcdir/tests/e2e/ha-lib.sh"
trap fleet_down EXIT

check "two agents and ovmd with the monitor on" ha_up 2
check "clustered pool cpool, servers, repository" ha_setup
ha_vm v1 Yes 50 && ha_vm v2 No 50
ovm "edit Server name=ovs03 inboundMigrationLocked=Yes; start Vm name=v1; start Vm name=v2; edit Server name=ovs03 inboundMigrationLocked=No"
both_on() { runs_on "127.0.0.$1" v1 && runs_on "127.0.0.$1" v2; }
check "v1 and v2 run on ovs02" both_on 2

# ---- MM-2: evacuation succeeds ----
ovm "edit Server name=ovs02 maintenanceMode=Yes"
check "maintenance edit succeeds" test "$rc" -eq 0
check "the edit job is a Completed FAN_OUT parent" \
    test "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT kind || ' ' || run_state FROM jobs WHERE name='Edit Server: ovs02' ORDER BY id DESC LIMIT 1")" = "FAN_OUT Completed"
check "both VMs now run on ovs03 (agent)" both_on 3
check "nothing is left on ovs02 (agent)" test -z "$(agent_vms 127.0.0.2 | grep -v Domain-0)"
check "the store agrees" test "$(vm_host v1) $(vm_host v2)" = "ovs03 ovs03"
ovm "show Server name=ovs02"
check "ovs02 is in maintenance mode" test "$(field 'Maintenance Mode')" = "Yes"

# ---- MM-3: a VM that cannot move ----
ovm "edit Server name=ovs02 maintenanceMode=No; edit Server name=ovs02 inboundMigrationLocked=Yes; edit Server name=ovs03 maintenanceMode=Yes"
check "evacuation onto an inbound-locked server fails" test "$rc" -ne 0
check "the MM-3 text names the Vms" grep -q 'Error Msg: Job failed: maintenance mode is set on Server ovs03 but 2 Vm(s) could not be migrated: v1: .*inbound migration locked' <<<"$out"
ovm "show Server name=ovs03"
check "the flag stays Yes" test "$(field 'Maintenance Mode')" = "Yes"
sid=$(field Id)
check "WARNING MAINTENANCE_EVACUATION_INCOMPLETE on ovs03" test "$(ev_count "$sid" MAINTENANCE_EVACUATION_INCOMPLETE 0)" -eq 1
check "the VMs still run on ovs03, consistent with the agent" both_on 3
check "v1 is Running in the store" vm_is v1 Running
ovm "edit Server name=ovs03 maintenanceMode=No; edit Server name=ovs02 inboundMigrationLocked=No"

# ---- agent crash and restart: reconciliation ----
kill -KILL "$(cat "$work/a3.pid")"; wait "$(cat "$work/a3.pid")" 2>/dev/null
# While it is down the domain of v2 goes away (the host's own restart lost it).
# (the sim keeps one file per running domain: ovm-agentd(8) FILES)
check "v2's domain record is removed while the agent is down" rm "$work/a3/domains/$(vm_id v2).xml"
check "the agent restarts" agent_start "$work/a3" 127.0.0.3 "$port" --nfs-root "$nfs" --hostname ovs03 --memory-mb 16384
check "v2 is reconciled to Stopped (bounded 15 s)" wait_for 15 vm_is v2 Stopped
check "v1 stays Running on ovs03" vm_is v1 Running
check "ovs03 is Running" server_is ovs03 Running
check "no HA restart for non-HA v2" test "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM jobs WHERE name='HA Restart VM: v2'")" -eq 0
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
