#!/usr/bin/env bash
# Maintenance evacuation (doc/object-model.md §6.11 MM-2, MM-3) moves VMs by the same
# live migration as `migrate Vm` (§6.5): the pool's migrateUsingSsl decides the
# transport, and the M-5 (CpuCompatibilityGroup) and M-6 (Oracle VM Server
# version) checks refuse a destination. Real ovmd and four real agents: ovs02
# the source, ovs03 another CPU model, ovs04 an older Oracle VM Server, ovs05
# compatible but with the least memory (so only the checks, not the memory
# ranking, can send the VM there). The source agent logs every migration it
# sends, with "using SSL" when asked to encrypt.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
. "$top_srcdir/tests/e2e/ha-lib.sh"
trap fleet_down EXIT

OPTS_2="--memory-mb 16384"
OPTS_3="--memory-mb 16384 --cpu-model 85"
OPTS_4="--memory-mb 16384 --ovm-version 3.4.5-1919"
OPTS_5="--memory-mb 8192"

# flows_up: four agents with the options above, ovmd with the HA monitor settings.
flows_up() {
    local i v
    work=$(mktemp -d /tmp/ovm-ha-flows.XXXXXX)
    port=$(free_port)
    nfs=$work/nfs
    fleet_n=4
    mkdir -p "$nfs/127.0.0.1/repo1" "$nfs/127.0.0.1/poolfs"
    for i in 2 3 4 5; do
        v=OPTS_$i
        # shellcheck disable=SC2086
        agent_start "$work/a$i" 127.0.0.$i "$port" --nfs-root "$nfs" --hostname ovs0$i ${!v} || return 1
    done
    ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\n%s' "$port" "$HA_YAML")"
}

# sent_since FILE LINES PATTERN: PATTERN is in FILE after its first LINES lines.
sent_since() { tail -n +"$(($2 + 1))" "$1" | grep -q "$3"; }
log_lines() { wc -l < "$1"; }

check "four agents and ovmd with the monitor on" flows_up
check "clustered pool cpool, servers, repository" ha_setup
ovm "edit ServerPool name=cpool migrateUsingSsl=Yes"
check "cpool migrates using SSL" test "$rc" -eq 0
ha_vm v1 No 50
ovm "edit Server name=ovs03 inboundMigrationLocked=Yes; edit Server name=ovs04 inboundMigrationLocked=Yes; edit Server name=ovs05 inboundMigrationLocked=Yes; start Vm name=v1"
check "v1 runs on ovs02" runs_on 127.0.0.2 v1
id=$(vm_id v1)

# ---- the user's migrate Vm honours migrateUsingSsl (reference behaviour) ----
ovm "edit Server name=ovs05 inboundMigrationLocked=No; migrate Vm name=v1 destServer=ovs05"
check "migrate Vm to ovs05 succeeds" test "$rc" -eq 0
check "the agent of ovs02 sent v1 to ovs05 using SSL" grep -q "migrated $id to 127.0.0.5 using SSL" "$work/a2.log"
ovm "migrate Vm name=v1 destServer=ovs02"
check "v1 is back on ovs02" runs_on 127.0.0.2 v1

# ---- MM-2 evacuation honours migrateUsingSsl too (ovs05 the only target) ----
before=$(log_lines "$work/a2.log")
ovm "edit Server name=ovs02 maintenanceMode=Yes"
check "evacuation to ovs05 succeeds" test "$rc" -eq 0
check "v1 runs on ovs05 (agent)" runs_on 127.0.0.5 v1
check "the agent of ovs02 sent v1 using SSL, as cpool asks" sent_since "$work/a2.log" "$before" \
    "migrated $id to 127.0.0.5 using SSL"
ovm "edit Server name=ovs02 maintenanceMode=No; migrate Vm name=v1 destServer=ovs02"
check "v1 is back on ovs02 again" runs_on 127.0.0.2 v1

# ---- M-5, M-6: the only other unlocked servers are incompatible ----
ovm "edit Server name=ovs05 inboundMigrationLocked=Yes; edit Server name=ovs03 inboundMigrationLocked=No; edit Server name=ovs04 inboundMigrationLocked=No"
ovm "edit Server name=ovs02 maintenanceMode=Yes"
check "evacuation to incompatible servers fails" test "$rc" -ne 0
check "MM-3 names M-5 for ovs03" grep -q \
    'could not be migrated: v1: .*Servers ovs02 and ovs03 share no CpuCompatibilityGroup' <<<"$out"
check "MM-3 names M-6 for ovs04" grep -q \
    'could not be migrated: v1: .*Server ovs04 runs Oracle VM Server 3.4.5-1919, earlier than 3.4.6-2105 on Server ovs02' <<<"$out"
check "v1 still runs on ovs02 (agent)" runs_on 127.0.0.2 v1
check "the store agrees" test "$(vm_host v1)" = ovs02

# ---- M-5, M-6 decide the target: ovs05 although it has the least memory ----
ovm "edit Server name=ovs02 maintenanceMode=No; edit Server name=ovs03 inboundMigrationLocked=Yes; edit Server name=ovs04 inboundMigrationLocked=Yes; edit Server name=ovs05 inboundMigrationLocked=Yes"
ha_vm v2 No 50
ovm "start Vm name=v2; edit Server name=ovs03 inboundMigrationLocked=No; edit Server name=ovs04 inboundMigrationLocked=No; edit Server name=ovs05 inboundMigrationLocked=No"
check "v2 runs on ovs02, every server is unlocked" runs_on 127.0.0.2 v2
ovm "edit Server name=ovs02 maintenanceMode=Yes"
check "evacuation succeeds" test "$rc" -eq 0
check "v2 runs on ovs05, the only compatible server (agent)" runs_on 127.0.0.5 v2
check "the store agrees" test "$(vm_host v2)" = ovs05
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
