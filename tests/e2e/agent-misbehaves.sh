#!/usr/bin/env bash
# An agent that answers with a fault, garbage XML, nothing at all (timeout), a
# dropped connection, or a different certificate: the job fails with a
# readable Error Msg, the store is unchanged and the agent keeps no leftover.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
trap fleet_down EXIT

check "fleet of one agent and ovmd starts" fleet_up 1
# Short agent timeouts so that a hanging agent fails the job quickly.
ovmd_stop "$work/m"
check "ovmd restarts with short agent timeouts" ovmd_start "$work/m" \
    "$(printf 'agent:\n  port: %s\n  call_timeout: 3\n  long_timeout: 3\nmonitor:\n  poll_interval: 0' "$port")"
check "fleet setup" fleet_setup
objects() { sqlite3 -readonly "$work/m/ovmd.db" 'SELECT id FROM objects ORDER BY id; SELECT obj, key, value FROM attrs ORDER BY 1, 2'; }
vmdirs() { ls "$nfs/127.0.0.1/repo1/VirtualMachines" 2>/dev/null | wc -l; }

create="create Vm name=bad repository=repo1 domainType=XEN_HVM on ServerPool name=pool1"
# try MODE EXPECTED-ERROR: with the fault line "create_vm MODE", the create fails
# with that Error Msg, and neither the store nor the export changes.
try() {
    local mode=$1 want=$2 before
    before=$(objects)
    echo "create_vm $mode" > "$work/a2/faults"
    ovm "$create"
    rm -f "$work/a2/faults"
    check "$mode: command fails" test "$rc" -eq 1
    check "$mode: readable Error Msg" grep -qF "Error Msg: $want" <<<"$out"
    check "$mode: the failed job is listed with its reason" grep -qF "Error = $want" \
        <<<"$(timeout 20 "$OVMSH_BIN" -S "$work/m/engine.sock" -c "show Job id=$(jobid)" | tr -d '\r')"
    check "$mode: store unchanged" test "$(objects)" = "$before"
    check "$mode: no VM files left on the export" test "$(vmdirs)" -eq 0
}
try "fault exceptions.OSError:[Errno 28] No space left on device" \
    "Job failed on Server ovs02: exceptions.OSError:[Errno 28] No space left on device"
try "garbage" "Job failed on Server ovs02: agent unreachable (malformed reply"
try "hang" "Job failed on Server ovs02: agent unreachable (timed out after 3 s)"
try "drop" "Job failed on Server ovs02: agent unreachable ("

ovm "$create"
check "the same command works once the agent behaves" test "$rc" -eq 0
check "and its files exist on the export" test "$(vmdirs)" -eq 1

# A different certificate: the agent is restarted with a new key pair and
# without the certificate the Manager issued, so mutual TLS fails.
agent_stop "$work/a2"
rm -f "$work/a2"/*.pem "$work/a2"/*key* "$work/a2"/*cert* 2>/dev/null
check "agent restarts with a new certificate" agent_start "$work/a2" 127.0.0.2 "$port" --nfs-root "$nfs" \
    --hostname ovs02 --memory-mb 16384
ovm "edit Vm name=bad description=x"
check "a wrong certificate fails the job" grep -qF "Error Msg: Job failed on Server ovs02: agent authentication failed" <<<"$out"
ovm "show Server name=ovs02"
check "the server becomes Unknown" test "$(field Status)" = "Unknown"
ovm "show Vm name=bad"
check "the edit was not applied" test "$(field Description)" = ""
ovm "takeOwnership Server name=ovs02 password=$AGENT_PASSWORD"
check "takeOwnership with the password issues a new certificate" test "$rc" -eq 0
ovm "show Server name=ovs02"
check "the server is Running again" test "$(field Status)" = "Running"
ovm "edit Vm name=bad description=x"
check "jobs work again" test "$rc" -eq 0
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
