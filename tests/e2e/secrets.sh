#!/usr/bin/env bash
# No secret leaks (issue 4, "Bad input and attack surface"): after a full
# workflow (SSH password login, discovery with the agent password, pool,
# storage, a VM started and stopped, an agent password change attempt with a
# wrong old password) the admin password, the agent password and private-key
# material appear nowhere: not in the engine's or the agents' logs, not in
# show/list output, not in job rows or events, not in the store files.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
# Unique values, so a hit cannot be a coincidence.
export AGENT_PASSWORD="AgPw-$$-$RANDOM$RANDOM-q"
ADMIN_PW="AdPw-$$-$RANDOM$RANDOM-z"
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
trap fleet_down EXIT
command -v sshpass >/dev/null 2>&1 || { echo "1..0 # SKIP sshpass not installed"; exit 0; }

check "fleet of two agents and ovmd starts" fleet_up 2
m=$work/m
hash=$(printf '%s\n' "$ADMIN_PW" | "$OVMD_BIN" --hash-password)
check "the admin password hashes" test -n "$hash"
ssh_port=$(free_port)
yaml="$(cat "$m/ovmd.yaml" | grep -v '^ssh:\|^  enabled: false')
ssh:
  listen: 127.0.0.1
  port: $ssh_port
auth:
  users:
    admin: \"$hash\""
ovmd_stop "$m" >/dev/null 2>&1
check "ovmd restarts with SSH and an admin password" ovmd_start "$m" "$yaml"
ssh_run() {
    timeout 60 sshpass -p "$1" ssh -F /dev/null -p "$ssh_port" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=10 -o PubkeyAuthentication=no \
        -o PreferredAuthentications=password admin@127.0.0.1 "$2" 2>&1 | tr -d '\r'
}
wait_ssh() { local i; for i in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$ssh_port) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
check "the SSH port answers" wait_ssh
shown=$work/shown.txt
ssh_run "$ADMIN_PW" "discoverServer ipAddress=127.0.0.2 password=$AGENT_PASSWORD" > "$shown"
check "discovery over SSH with the admin password works" grep -q 'Status: Success' "$shown"
ssh_run "wrong-$ADMIN_PW" "list Server" >> "$shown"
check "fleet setup (discover, pool, repository)" fleet_setup
ovm "create Vm name=web repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=512 on ServerPool name=pool1; start Vm name=web; stop Vm name=web"
check "a VM is created, started and stopped" test "$rc" -eq 0
echo "$out" >> "$shown"
ovm "discoverServer ipAddress=127.0.0.3 password=wrong-$AGENT_PASSWORD"
echo "$out" >> "$shown"
for t in Server ServerPool Repository FileServer Vm Manager Job Event; do
    ovm "list $t"
    echo "$out" >> "$shown"
    for id in $(sed -n 's/^  id:\([^ ]*\) .*/\1/p' <<<"$out" | head -20); do
        ovm "show $t id=$id"
        echo "$out" >> "$shown"
    done
done
check "show output was collected" test "$(grep -c 'Status: Success' "$shown")" -gt 10
sqlite3 -readonly "$m/ovmd.db" 'SELECT * FROM jobs' > "$work/jobs.txt"
sqlite3 -readonly "$m/ovmd.db" 'SELECT * FROM events' > "$work/events.txt"
check "job rows recorded the discovery" grep -q 'discoverServer' "$work/jobs.txt"
check "ovmd stops" ovmd_stop "$m"

# The session's echo of what its own user typed ("OVM> ..." and the
# "Command: ..." line of doc/command-language.md) is left out: it returns the user's input
# to that user only. Everything the engine says about objects, jobs and events
# is searched.
grep -a -v -e '^OVM> ' -e '^Command: ' "$shown" > "$work/results.txt"
files=("$m/ovmd.log" "$m/ovmd.stderr" "$work"/a*.log "$work/results.txt" "$work/jobs.txt" "$work/events.txt")
for f in "$m"/ovmd.db*; do files+=("$f"); done
# leaks STRING: names the files that contain STRING (binary-safe).
leaks() { grep -a -l -F -e "$1" "${files[@]}" 2>/dev/null; }
none() { local hit; hit=$(leaks "$1"); [ -z "$hit" ] || { echo "# found in: $hit" >&2; return 1; }; }
check "the admin password appears nowhere" none "$ADMIN_PW"
check "the agent password appears nowhere" none "$AGENT_PASSWORD"
check "no PEM private key block appears" none "PRIVATE KEY"
# Every private key on disk (Manager CA and client keys, agents' keys): its
# first base64 line must not appear anywhere either.
nkeys=0
for k in $(grep -l -r -- '-----BEGIN .*PRIVATE KEY-----' "$m" "$work"/a* 2>/dev/null); do
    line=$(sed -n 2p "$k")
    [ -n "$line" ] || continue
    nkeys=$((nkeys + 1))
    check "private key $(basename "$k") does not leak" none "$line"
done
check "private keys were found to look for" test "$nkeys" -gt 0
tap_done
