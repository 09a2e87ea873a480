#!/usr/bin/env bash
# Server power through real IPMI (issue 12 item 2; doc/object-model.md §5.1
# S4-S7, §6.2 S-9, S-10): three agents on 127.0.65.2-4 in a clustered pool,
# each with a BMC of its own, OpenIPMI's ipmi_sim on 127.0.65.12-14, whose
# chassis control powers the agent off and on (tests/lib/ipmi.sh). The engine
# speaks IPMI 2.0 with libfreeipmi. Checked: ServerController create, edit,
# show and delete; start, stop, kill and restart Server with their states and
# events; S-9 refusal and maintenance mode; S-10; a kill of a server running
# an HA VM restarts the VM elsewhere; the faults of a BMC that does not answer,
# rejects the password, or never reaches the power state asked for; and the
# IPMI password appears in no output, event, job row or log.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
FLEET_NET=127.0.65
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
. "$top_srcdir/tests/lib/loopback.sh"
. "$top_srcdir/tests/lib/ipmi.sh"
. "$top_srcdir/tests/e2e/ha-lib.sh"
export -f ipmi_agent_alive   # for the bash -c checks
ipmi_require

# Unique, so that a hit cannot be a coincidence.
IPMI_PW="IpPw$$x$RANDOM"
HA_YAML=$'monitor:\n  poll_interval: 1\n  offline_after: 4\n  ha_delay: 2\npower:\n  ipmi_timeout: 2\n  wait_timeout: 12'
work=
trap ipmi_fleet_cleanup EXIT

check "three agents and ovmd with the monitor on" ha_up 3
check "clustered pool cpool with ovs02-ovs04, repo1" ha_setup
bport=$(pick_port 127.0.65.12 127.0.65.13 127.0.65.14)
for i in 2 3 4; do
    check "BMC of ovs0$i (ipmi_sim) answers on 127.0.65.1$i:$bport" ipmi_bmc_start "$work/bmc$i" 127.0.65.1$i "$bport" \
        admin "$IPMI_PW" "$work/a$i" "$FLEET_NET.$i" "$port" --nfs-root "$nfs" --hostname ovs0$i --memory-mb 16384
done
shown=$work/shown.txt
say() { ovm "$1"; printf '%s\n' "$out" >> "$shown"; }
ev_of() { sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM events WHERE target='$1' AND type='$2'"; }
srv_id() { ovm "show Server name=$1"; field Id; }
status_of() { ovm "show Server name=$1"; field Status; }

# ---- ServerController ----
for i in 2 3 4; do
    say "create ServerController ipAddress=127.0.65.1$i userName=admin password=$IPMI_PW name=bmc0$i port=$bport on Server name=ovs0$i"
    check "create ServerController bmc0$i on ovs0$i" test "$rc" -eq 0
done
say "show ServerController name=bmc03"
check "show ServerController: address, port, user, server" \
    bash -c '[ "$(sed -n "s/^  IP Address = //p" <<<"$1")" = 127.0.65.13 ] && grep -q "^  Port = $2\$" <<<"$1" &&
             grep -q "^  User Name = admin\$" <<<"$1" && grep -q "^  Server = .*\[ovs03\]" <<<"$1"' _ "$out" "$bport"
check "show ServerController prints no password row" bash -c '! grep -qi password <<<"$1"' _ "$out"
say "create ServerController ipAddress=127.0.65.99 userName=admin name=second on Server name=ovs03"
check "a second controller for ovs03 is refused" grep -q 'Error Msg: Server ovs03 already has ServerController bmc03; edit or delete it' <<<"$out"
say "create ServerController ipAddress=127.0.65.99 userName=admin name=x"
check "create ServerController needs on Server" grep -q 'Error Msg:' <<<"$out"
say "set OutputMode=Xml; show ServerController name=bmc02; list ServerController; set OutputMode=Json; show ServerController name=bmc02; set OutputMode=Verbose"
check "XML and JSON show and list work" bash -c 'grep -q "127.0.65.12" <<<"$1" && grep -q "\"status\":\"Success\"" <<<"$1"' _ "$out"

# ---- stop, start, restart without VMs ----
say "start Server name=ovs03"
check "start of a Running server: state error" grep -q 'Error Msg: Cannot start Server ovs03: its status is Running' <<<"$out"
id3=$(srv_id ovs03)
say "stop Server name=ovs03"
check "stop Server ovs03 succeeds" test "$rc" -eq 0
check "ovs03 is Stopped" test "$(status_of ovs03)" = Stopped
check "its agent process is gone (soft off through the BMC)" bash -c '! ipmi_agent_alive "$1"' _ "$work/a3"
check "a SERVER_STATE event says it was shut down" \
    test "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM events WHERE target='$id3' AND type='SERVER_STATE' AND summary LIKE '%shut down%'")" -eq 1
sleep 6   # longer than offline_after: the monitor polls the powered-off server
check "S5: no SERVER_DISCONNECT or SERVER_OFFLINE for a requested stop" \
    test "$(( $(ev_of "$id3" SERVER_DISCONNECT) + $(ev_of "$id3" SERVER_OFFLINE) ))" -eq 0
say "kill Server name=ovs03"
check "kill of a Stopped server: state error" grep -q 'Error Msg: Cannot kill Server ovs03: its status is Stopped' <<<"$out"
say "start Server name=ovs03"
check "start Server ovs03 succeeds" test "$rc" -eq 0
check "ovs03 is Running again" test "$(status_of ovs03)" = Running
check "its agent runs again" ipmi_agent_alive "$work/a3"
check "a SERVER_STATE event says it was powered on" \
    test "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM events WHERE target='$id3' AND type='SERVER_STATE' AND summary LIKE '%powered on%'")" -eq 1
pid_before=$(cat "$work/a3.pid")
say "restart Server name=ovs03"
check "restart Server ovs03 succeeds" test "$rc" -eq 0
check "after restart ovs03 is Running with a new agent process" \
    bash -c '[ "$1" = Running ] && [ "$(cat "$2")" != "$3" ] && ipmi_agent_alive "$4"' _ "$(status_of ovs03)" "$work/a3.pid" "$pid_before" "$work/a3"

# ---- S-9 and maintenance mode ----
ha_vm hv Yes 50
check "HA VM hv created" test "$rc" -eq 0
ovm "start Vm name=hv"
check "hv runs" wait_for 20 vm_is hv Running
h=$(vm_host hv)
say "stop Server name=$h"
check "S-9: stop refused while hv runs" \
    grep -q "Error Msg: Server $h runs 1 Vm(s): hv; migrate or stop them, or set maintenanceMode=Yes first" <<<"$out"
say "restart Server name=$h"
check "S-9: restart refused while hv runs" grep -q "Error Msg: Server $h runs 1 Vm(s): hv" <<<"$out"
check "$h still Running after the refusals" test "$(status_of "$h")" = Running
say "edit Server name=$h maintenanceMode=Yes"
check "maintenance mode on $h (hv evacuated)" test "$rc" -eq 0
moved_from() { vm_is hv Running && [ "$(vm_host hv)" != "$1" ]; }
check "hv runs on another server" wait_for 20 moved_from "$h"
say "stop Server name=$h"
check "stop of $h in maintenance mode succeeds" test "$rc" -eq 0
check "$h is Stopped" test "$(status_of "$h")" = Stopped
say "start Server name=$h; edit Server name=$h maintenanceMode=No"
check "$h started again and leaves maintenance mode" bash -c '[ "$1" = 0 ] && [ "$2" = Running ]' _ "$rc" "$(status_of "$h")"

# ---- kill with an HA VM: the host-failure flow restarts it elsewhere ----
k=$(vm_host hv)
idk=$(srv_id "$k")
say "kill Server name=$k"
check "kill Server $k (running hv) succeeds" test "$rc" -eq 0
check "$k is Stopped and its agent is gone" bash -c '[ "$1" = Stopped ] && ! ipmi_agent_alive "$2"' _ "$(status_of "$k")" "$work/a${k#ovs0}"
check "HA restarts hv on another server (bounded 40 s)" wait_for 40 moved_from "$k"
check "S5: no SERVER_OFFLINE for a requested kill" test "$(ev_of "$idk" SERVER_OFFLINE)" -eq 0
check "a SERVER_STATE event says it was powered off at once" \
    test "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM events WHERE target='$idk' AND type='SERVER_STATE' AND summary LIKE '%at once%'")" -eq 1

# ---- S-10 ----
say "delete ServerController name=bmc0${k#ovs0}"
check "delete ServerController of $k" test "$rc" -eq 0
say "start Server name=$k"
check "S-10: start without a power-on method" \
    grep -q "Error Msg: Server $k has no power-on method (no Wake-on-LAN, no ServerController)" <<<"$out"

# ---- faults on a running server without VMs ----
ovm "stop Vm name=hv"
f=ovs02; [ "$k" = ovs02 ] && f=ovs03
fi_=${f#ovs0}
idf=$(srv_id "$f")
other=ovs04; [ "$k" = ovs04 ] && other=ovs03; [ "$f" = ovs03 ] && [ "$k" = ovs04 ] && other=ovs02
still_fine() { [ "$(status_of "$f")" = Running ] && ipmi_agent_alive "$work/a$fi_" && [ "$(status_of "$other")" = Running ]; }
job_failed_events() { sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM events WHERE target='$idf' AND type='JOB_FAILED'"; }

ipmi_bmc_stop "$work/bmc$fi_"
say "stop Server name=$f"
check "BMC not answering: the stop fails with a readable message" \
    grep -q "Error Msg: .*Server $f: IPMI soft shutdown at 127.0.65.1$fi_:$bport failed: connection timeout" <<<"$out"
check "BMC not answering: $f and the pool keep running" still_fine
check "BMC not answering: a JOB_FAILED event" test "$(job_failed_events)" -eq 1
check "the BMC of $f answers again" ipmi_bmc_start "$work/bmc$fi_" 127.0.65.1$fi_ "$bport" admin "$IPMI_PW" \
    "$work/a$fi_" "$FLEET_NET.$fi_" "$port" --nfs-root "$nfs" --hostname "$f" --memory-mb 16384

say "edit ServerController name=bmc0$fi_ password=Wrong$IPMI_PW"
say "kill Server name=$f"
check "wrong password: the kill fails with a readable message" \
    grep -q "Error Msg: .*Server $f: IPMI power off at 127.0.65.1$fi_:$bport failed: password invalid" <<<"$out"
check "wrong password: $f and the pool keep running" still_fine
check "wrong password: a JOB_FAILED event" test "$(job_failed_events)" -eq 2
say "edit ServerController name=bmc0$fi_ password=$IPMI_PW"

touch "$work/a$fi_.ignore"
say "stop Server name=$f"
check "power state never comes: the stop fails with a readable message" \
    grep -q "Error Msg: .*Server $f did not power off within 12 s: its ServerController still reports power on" <<<"$out"
check "power state never comes: $f and the pool keep running" still_fine
check "power state never comes: a JOB_FAILED event" test "$(job_failed_events)" -eq 3
# a Manager restart in the middle of the wait: the job is settled by its goal
# and the server by its agent (still answering: Running)
OVM_TIMEOUT=60 ovm "stop Server name=$f" > /dev/null 2>&1 &
stop_client=$!
stopping() { [ "$(status_of "$f")" = Stopping ]; }
check "a stop that waits leaves $f Stopping" wait_for 10 stopping
kill -KILL "$(cat "$work/m/ovmd.pid")"
wait "$stop_client" 2>/dev/null
yaml=$(cat "$work/m/ovmd.yaml")
check "ovmd restarts after SIGKILL" ovmd_start "$work/m" "$yaml"
check "after the restart $f is Running again (its agent answers)" test "$(status_of "$f")" = Running
check "the interrupted stop job is Failed" \
    test "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT run_state FROM jobs WHERE name='Stop Server: $f' ORDER BY id DESC LIMIT 1")" = Failed
rm -f "$work/a$fi_.ignore"

say "stop Server name=$f"
check "$f stops" bash -c '[ "$1" = 0 ] && [ "$2" = Stopped ]' _ "$rc" "$(status_of "$f")"
touch "$work/a$fi_.ignore"
say "start Server name=$f"
check "power on never comes: the start fails with a readable message" \
    grep -q "Error Msg: .*Server $f did not power on within 12 s: its ServerController still reports power off" <<<"$out"
check "power on never comes: $f stays Stopped" test "$(status_of "$f")" = Stopped
rm -f "$work/a$fi_.ignore"
say "start Server name=$f"
check "$f starts" bash -c '[ "$1" = 0 ] && [ "$2" = Running ]' _ "$rc" "$(status_of "$f")"
say "list Server"
check "the pool answers after the faults" grep -q "$other" <<<"$out"

# ---- the IPMI password is nowhere ----
for t in ServerController Server Job; do
    ovm "list $t"
    printf '%s\n' "$out" >> "$shown"
    for id in $(sed -n 's/^  id:\([^ ]*\) .*/\1/p' <<<"$out"); do
        say "show $t id=$id"
    done
done
say "getEvents"
sqlite3 -readonly "$work/m/ovmd.db" 'SELECT * FROM jobs' > "$work/jobs.txt"
sqlite3 -readonly "$work/m/ovmd.db" 'SELECT * FROM events' > "$work/events.txt"
check "ovmd stops" ovmd_stop "$work/m"
# The echo of what the user typed (OVM> and Command: lines) returns the
# user's own input to that user; everything the engine said is searched.
grep -a -v -e '^OVM> ' -e '^Command: ' "$shown" > "$work/results.txt"
files=("$work/m/ovmd.log" "$work/m/ovmd.stderr" "$work/results.txt" "$work/jobs.txt" "$work/events.txt")
check "show output was collected" test "$(grep -c 'Status: Success' "$work/results.txt")" -gt 10
check "job rows name the controller jobs" grep -q 'Create Server Controller' "$work/jobs.txt"
hits=$(grep -a -l -F -e "$IPMI_PW" "${files[@]}" 2>/dev/null)
check "the IPMI password appears in no output, job, event or log${hits:+ (found in $hits)}" test -z "$hits"
tap_done
