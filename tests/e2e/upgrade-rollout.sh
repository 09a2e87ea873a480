#!/usr/bin/env bash
# An upgrade Server rollout over a clustered pool of four servers (issue 12
# item 4; doc/command-language.md, Server updates), run as one batch file the
# way an admin's script would: agents on 127.0.78.2-5, a loopback YUM
# repository on 127.0.78.20 (tests/lib/yum.sh), two running HA VMs. The
# third server's agent fails update_server: the first two servers upgrade,
# the third's upgrade fails with the agent's reason and an ERROR event and
# leaves it in maintenance mode, the fourth's is refused while the third is
# in maintenance mode; the VMs run throughout (live-migrated, never stopped,
# as the store's jobs and events show; a sampler also watches their Status)
# and the pool keeps working. Then the fault is fixed and a
# second batch finishes the rollout (ackEvent, maintenance mode off, the
# last two upgrades). TAP; every wait bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
FLEET_NET=127.0.78
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
. "$top_srcdir/tests/lib/loopback.sh"
. "$top_srcdir/tests/lib/yum.sh"
. "$top_srcdir/tests/e2e/ha-lib.sh"
py=$(command -v python3) || { echo "1..0 # SKIP python3 is not installed"; exit 0; }
command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP sqlite3 is not installed"; exit 0; }

HA_YAML=$'monitor:\n  poll_interval: 1\n  offline_after: 6\n  ha_delay: 2\npower:\n  wait_timeout: 30'
HTTP=$FLEET_NET.20
work=
sampler=
cleanup() {
    [ -n "$sampler" ] && kill "$sampler" 2>/dev/null
    yum_stop
    [ -n "$work" ] && fleet_down
}
trap cleanup EXIT

check "four agents and ovmd with the monitor on" ha_up 4
check "clustered pool cpool with ovs02..ovs05, repo1" ha_setup
yum_mkrepo "$work/yum/new" no ovs-agent 0 3.4.7 2150 xen 0 4.4.4 222.0.48.el6
check "YUM repository served on $HTTP" yum_serve "$work/yum" $HTTP "$work/http.log"
ovm "create ServerUpdateRepository name=ol6 repositoryName=ovm_update url=http://$HTTP:$yum_port/new enabled=Yes pkgSignatureType=NONE on ServerUpdateGroup name=GlobalX86ServerUpdateConfiguration"
check "create ServerUpdateRepository on the global ServerUpdateGroup" test "$rc" -eq 0
ovm "show Server name=ovs05"; old=$(field 'OVM Version')
check "the servers run an older OVM version ($old)" bash -c '[ -n "$1" ] && [ "$1" != 3.4.7-2150 ]' _ "$old"

for v in v1 v2; do
    check "HA VM $v" ha_vm $v Yes 50
    ovm "start Vm name=$v"
    check "$v runs" wait_for 30 vm_is $v Running
done

# vm_sampler: every second, the Status of v1 and v2, one line each, until killed.
vm_sampler() {
    while :; do
        for v in v1 v2; do echo "$v $(vm_field $v Status)"; done
        sleep 1
    done
}
vm_sampler > "$work/vm-states" 2>/dev/null &
sampler=$!
# all_running: every sample so far says Running (and there are samples).
all_running() { [ -s "$work/vm-states" ] && ! grep -qv '^v[12] Running$' "$work/vm-states"; }
# section N: the transcript of the batch's Nth command (from its echo to the next).
section() { awk -v n="$1" '/^OVM> /{i++} i==n' "$work/batch.out"; }

# ---- the rollout, with the third server failing ----
printf '%s\n' "update_server fault exceptions.RuntimeError:Transaction check error: file /usr/sbin/xl from install of xen-4.4.4 conflicts" > "$work/a4/faults"
cat > "$work/rollout.ovm" <<'OVM'
# rolling upgrade of cpool, one server at a time
set OutputMode=Verbose
upgrade Server name=ovs02
upgrade Server name=ovs03
upgrade Server name=ovs04
upgrade Server name=ovs05
OVM
samples() { wc -l < "$work/vm-states"; }
n0=$(samples)
ovmsh_batch "$work/m" 600 < "$work/rollout.ovm" 2>"$work/batch.err" | tr -d '\r' > "$work/batch.out"
brc=${PIPESTATUS[0]}
n1=$(samples)
show_batch() { cat "$work/batch.out"; }
check_seen "the batch ends with a failure status (some commands failed)" show_batch test "$brc" -ne 0 -a "$brc" -ne 124
for n in 2 3; do
    s=ovs0$n
    check_seen "upgrade Server $s succeeds" show_batch bash -c 'grep -q "^Status: Success$" <<<"$1"' _ "$(section $n)"
done
check_seen "upgrade Server ovs04 fails with the agent's reason" show_batch \
    bash -c 'grep -q "^Status: Failure$" <<<"$1" && grep -q "^Error Msg: .*Transaction check error: file /usr/sbin/xl" <<<"$1"' _ "$(section 4)"
check_seen "upgrade Server ovs05 is refused while ovs04 is in maintenance mode" show_batch \
    bash -c 'grep -q "^Error Msg: Cannot upgrade Server ovs05: Server ovs04 of the same pool is in maintenance mode" <<<"$1"' _ "$(section 5)"
for s in ovs02 ovs03; do
    ovm "show Server name=$s"
    check "$s reports OVM Version 3.4.7-2150 and is out of maintenance mode" \
        test "$(field 'OVM Version')/$(field 'Maintenance Mode')/$(field Status)" = "3.4.7-2150/No/Running"
done
ovm "show Server name=ovs04"
check "ovs04 is Running, in maintenance mode, still on $old" \
    test "$(field Status)/$(field 'Maintenance Mode')/$(field 'OVM Version')" = "Running/Yes/$old"
id4=$(field Id)
check "an ERROR SERVER_UPGRADE event on ovs04 says it stays in maintenance mode" \
    test "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM events WHERE target='$id4' AND type='SERVER_UPGRADE' AND severity='ERROR' AND summary LIKE '%stays in maintenance mode%'")" -eq 1
ovm "show Server name=ovs05"
check "ovs05 is untouched: out of maintenance mode, still on $old" \
    test "$(field 'Maintenance Mode')/$(field 'OVM Version')" = "No/$old"
check "v1 and v2 were Running in every sample taken during the batch" all_running
for v in v1 v2; do
    h=$(vm_host $v)
    check "$v runs on $h (not ovs04) and its agent runs it" bash -c '[ "$1" != ovs04 ] && [ -n "$1" ]' _ "$h"
    check "the agent of $h runs $v" runs_on "$FLEET_NET.${h#ovs0}" $v
done
ovm "edit ServerPool name=cpool description=rollout-paused; show ServerPool name=cpool"
check "the pool keeps working: a user command succeeds" bash -c '[ "$1" -eq 0 ] && grep -q "Description = rollout-paused" <<<"$2"' _ "$rc" "$out"

# ---- fix and finish ----
: > "$work/a4/faults"
eid=$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT id FROM events WHERE target='$id4' AND type='SERVER_UPGRADE' AND severity='ERROR'")
cat > "$work/finish.ovm" <<OVM
# the fault on ovs04 is fixed: acknowledge, leave maintenance mode, finish
ackEvent eventId=$eid
edit Server name=ovs04 maintenanceMode=No
upgrade Server name=ovs04
upgrade Server name=ovs05
OVM
ovmsh_batch "$work/m" 600 < "$work/finish.ovm" 2>"$work/batch.err" | tr -d '\r' > "$work/batch.out"
brc=${PIPESTATUS[0]}
n2=$(samples)
check_seen "the finishing batch succeeds" show_batch test "$brc" -eq 0
for s in ovs02 ovs03 ovs04 ovs05; do
    ovm "show Server name=$s"
    check "$s: OVM Version 3.4.7-2150, out of maintenance mode, Running" \
        test "$(field 'OVM Version')/$(field 'Maintenance Mode')/$(field Status)" = "3.4.7-2150/No/Running"
done
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null; sampler=
check "v1 and v2 were Running in every sample of both batches" all_running
# The samples show what a watching administrator saw, but an upgrade of a
# simulated host can take less than the sampler's second; the store's jobs
# and events show, independently of speed, that the VMs were never stopped.
db() { sqlite3 -readonly -cmd ".timeout 5000" "$work/m/ovmd.db" "$1"; }
check "v1 and v2 were sampled ($n0 -> $n1 -> $n2 lines)" test "$n2" -ge 2
check "the rollout live-migrated VMs off the servers it upgraded (Migrate VM jobs under Upgrade Server)" \
    test "$(db "SELECT count(*) FROM jobs c JOIN jobs p ON c.parent = p.id WHERE c.name LIKE 'Migrate VM: v_' AND c.run_state = 'Completed' AND p.name LIKE 'Upgrade Server: %'")" -ge 2
check "no job stopped, killed, restarted or started v1 or v2 after their first start" \
    test "$(db "SELECT count(*) FROM jobs WHERE name GLOB '[SKR]*VM: v[12]'")" -eq 2
check "no event says v1 or v2 stopped or lost its server" \
    test "$(db "SELECT count(*) FROM events e JOIN objects o ON e.target = o.id WHERE o.name IN ('v1','v2') AND e.type IN ('VM_STATE','VM_OFFLINE')")" -eq 0
for v in v1 v2; do
    h=$(vm_host $v)
    check "$v runs on $h's agent" runs_on "$FLEET_NET.${h#ovs0}" $v
done
tap_done
