#!/usr/bin/env bash
# Clustered pools and HA (doc/object-model.md §5.8, §6.1, §6.10) with a real ovmd and
# three real agents. The failed host is silenced with SIGSTOP: its process
# keeps its sockets but answers nothing, as a host cut off from the network.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
. "$top_srcdir/tests/e2e/ha-lib.sh"
stopped_pid=
cleanup() { [ -n "$stopped_pid" ] && kill -CONT "$stopped_pid" 2>/dev/null; fleet_down; }
trap cleanup EXIT

check "three agents and ovmd with the monitor on" ha_up 3
mkdir -p "$nfs/127.0.0.1/small"
# ---- P-2..P-5 before the pool exists ----
ovm "create ServerPool name=bad clusterEnable=Yes"
check "P-2 a clustered pool needs a pool file system" grep -q 'Error Msg: A clustered ServerPool needs a pool file system: give fileSystem= or physicalDisk=' <<<"$out"
ovm "create ServerPool name=bad clusterEnable=No fileSystem=nfs:/poolfs"
check "P-3 an unclustered pool takes no pool file system" grep -q 'Error Msg: fileSystem and physicalDisk apply only to clustered server pools' <<<"$out"

check "clustered pool cpool, servers, repository" ha_setup
ovm "show ServerPool name=cpool"
check "cpool is clustered" test "$(field Clustered)" = "Yes"
check "cpool shows its pool file system" grep -q 'Pool File System = .*nfs:/poolfs' <<<"$out"
ovm "list Job"
check "create clustered pool ran as a SEQUENCE job" \
    test "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM jobs WHERE name='Create Server Pool: cpool' AND kind='SEQUENCE' AND run_state='Completed'")" -eq 1
ovm "create ServerPool name=bad2 clusterEnable=Yes fileSystem=nfs:/poolfs"
check "P-5 the pool file system is in use" grep -q 'Error Msg: Cannot use FileSystem nfs:/poolfs: it is in use by ServerPool cpool' <<<"$out"
ovm "edit ServerPool name=cpool clusterTimeout=60"
check "P-7 clusterTimeout is fixed while the pool has servers" grep -q 'Error Msg: clusterTimeout of ServerPool cpool can only change while the pool has no servers' <<<"$out"
cl=$(xr_call 127.0.0.3 "$port" discover_cluster | result_string)
check "the agent joined the cluster, DLM_READY" grep -q '<Status>DLM_READY</Status>' <<<"$cl"
check "o2cb values for clusterTimeout 30: threshold 16, idle 15000 ms" \
    grep -q '<O2CB_Heartbeat_Threshold>16</O2CB_Heartbeat_Threshold><O2CB_Idle_Timeout_Ms>15000</O2CB_Idle_Timeout_Ms>' <<<"$cl"
all_online() { local i; for i in 2 3 4; do xr_call 127.0.0.$i "$port" is_cluster_online | grep -q '<boolean>1</boolean>' || return 1; done; }
check "is_cluster_online is true on every member" all_online

# ---- VMs: all on ovs02 (the others inbound-locked while they start) ----
ha_vm ha-low Yes 10 && ha_vm hb-high Yes 90 && ha_vm plain No 50
check "three VMs created" test "$rc" -eq 0
ovm "edit Server name=ovs03 inboundMigrationLocked=Yes; edit Server name=ovs04 inboundMigrationLocked=Yes; start Vm name=ha-low; start Vm name=hb-high; start Vm name=plain; edit Server name=ovs03 inboundMigrationLocked=No; edit Server name=ovs04 inboundMigrationLocked=No"
all_on2() { runs_on 127.0.0.2 ha-low && runs_on 127.0.0.2 hb-high && runs_on 127.0.0.2 plain; }
check "the VMs run on ovs02" all_on2
ovm "edit Server name=ovs04 inboundMigrationLocked=Yes"   # H-3: HA ignores inbound locks

# ---- host silenced ----
stopped_pid=$(cat "$work/a2.pid")
t0=$SECONDS
kill -STOP "$stopped_pid"
check "ovs02 goes Stopped (bounded 30 s)" wait_for 30 server_is ovs02 Stopped
moved() { vm_is "$1" Running && [ "$(vm_host "$1")" != ovs02 ]; }
check "HA VM hb-high runs elsewhere (bounded 40 s)" wait_for 40 moved hb-high
check "HA VM ha-low runs elsewhere (bounded 40 s)" wait_for 40 moved ha-low
echo "# failover took $((SECONDS - t0)) s"
for v in ha-low hb-high; do
    h=$(vm_host $v)
    check "$v: the agent of $h runs it" runs_on "127.0.0.${h#ovs0}" $v
done
check "non-HA VM plain stays Stopped (H-8)" vm_is plain Stopped
sleep 2
check "non-HA VM plain is not restarted" vm_is plain Stopped
pid_of() { vm_id "$1"; }
check "VM_OFFLINE of plain stays unacknowledged" test "$(ev_count "$(pid_of plain)" VM_OFFLINE 0)" -eq 1
check "VM_OFFLINE of hb-high acknowledged by its HA restart" test "$(ev_count "$(pid_of hb-high)" VM_OFFLINE 1)" -eq 1
check "HA_RESTARTED event on hb-high" test "$(ev_count "$(pid_of hb-high)" HA_RESTARTED 0)" -eq 1
order=$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT name FROM jobs WHERE name LIKE 'HA Restart VM:%' AND user='system' ORDER BY id")
check "system jobs HA Restart VM, cpuPriority first (H-4)" test "$order" = $'HA Restart VM: hb-high\nHA Restart VM: ha-low'
check "ovs02 has its SERVER_OFFLINE event" test "$(ev_count "$(ovm 'show Server name=ovs02'; field Id)" SERVER_OFFLINE 0)" -eq 1

# ---- guest shutdown of an HA VM (H-6) and of a non-HA VM ----
h=$(vm_host hb-high); ip=127.0.0.${h#ovs0}
xr_call "$ip" "$port" sim_guest_shutdown "$(xs "$(vm_id hb-high)")" >/dev/null
check "guest shutdown: hb-high restarted (bounded 20 s)" wait_for 20 runs_on "$ip" hb-high
check "guest shutdown: on the same server" test "$(vm_host hb-high)" = "$h"
check "hb-high is Running" wait_for 10 vm_is hb-high Running
# ---- user stop never triggers HA; kill clears HA (H-7) ----
ovm "stop Vm name=ha-low"
check "user stop of ha-low succeeds" test "$rc" -eq 0
sleep 3
check "ha-low stays Stopped after a user stop" vm_is ha-low Stopped
ovm "kill Vm name=hb-high"
check "kill clears highAvailability" test "$(vm_field hb-high 'High Availability')" = "No"
sleep 3
check "killed hb-high stays Stopped" vm_is hb-high Stopped

# ---- H-5: no eligible server, then a server leaves maintenance ----
ovm "edit Vm name=hb-high highAvailability=Yes; start Vm name=hb-high"
h=$(vm_host hb-high); other=ovs03; [ "$h" = ovs03 ] && other=ovs04
ovm "edit Server name=$other maintenanceMode=Yes"
xr_call "127.0.0.${h#ovs0}" "$port" sim_guest_shutdown "$(xs "$(vm_id hb-high)")" >/dev/null
ovm "edit Server name=$h maintenanceMode=Yes"
no_server() { [ "$(ev_count "$1" HA_NO_SERVER 0)" -ge 1 ]; }
check "no server: HA_NO_SERVER warning (bounded 20 s)" wait_for 20 no_server "$(vm_id hb-high)"
check "hb-high stays Stopped" vm_is hb-high Stopped
ovm "edit Server name=$other maintenanceMode=No"
on_other() { vm_is hb-high Running && [ "$(vm_host hb-high)" = "$other" ]; }
check "leaving maintenance retries the HA restart (bounded 20 s)" wait_for 20 on_other

kill -KILL "$stopped_pid"; kill -CONT "$stopped_pid" 2>/dev/null; stopped_pid=
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
