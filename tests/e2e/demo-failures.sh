#!/usr/bin/env bash
# `ovmd --demo` never announces a half-built demo (issues 7 and 9): with a
# simulated host's address and port already taken it says which and exits
# non-zero; when a set-up step fails it names the step — with the agent
# password masked — stops everything it started and exits non-zero; a clean
# stop logs no error.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"

work=$(mktemp -d /tmp/ovm-demo-fail.XXXXXX)
port=$(free_port)
sshport=$(free_port)
pid=
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    agent_stop "$work/occupant"
    pkill -f "ovm-agentd.*$work" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
printf 'agent:\n  port: %s\n' "$port" > "$work/ovmd.yaml"
demo() {  # demo STATE: runs the demo in the background, pid in $pid
    OVMD_DEMO_PASSWORD=demo-pw-7 "$top_builddir/ovmd" -f "$work/ovmd.yaml" --demo --state-dir "$work/$1" \
        --listen 127.0.0.1:"$sshport" > "$work/$1.out" 2> "$work/$1.err" < /dev/null &
    pid=$!
}
# wait_exit PID SECONDS: the exit status, or 124 when still running.
wait_exit() {
    local _
    for _ in $(seq 1 $(($2 * 10))); do kill -0 "$1" 2>/dev/null || { wait "$1"; return; }; sleep 0.1; done
    return 124
}

# 1. The third simulated host's address is taken by another agent.
agent_start "$work/occupant" 127.0.0.4 "$port" || { echo "Bail out! cannot start the occupying agent"; exit 1; }
demo taken
wait_exit "$pid" 60; rc=$?
check "a demo whose host address is taken exits non-zero" test "$rc" -ne 0 -a "$rc" -ne 124
check "it names the address and port" grep -q "cannot use 127.0.0.4:$port for simulated host ovs03: Address already in use" "$work/taken.err"
check "it prints no banner" bash -c "! grep -q 'connect:' '$work/taken.out'"
check "it stops the hosts it had started" bash -c "! pgrep -f '[o]vm-agentd.*$work/taken' >/dev/null"
r=$(xr_call 127.0.0.4 "$port" get_api_version)
check "the agent already there keeps running" grep -q '>3<' <<<"$r"
agent_stop "$work/occupant"
pid=

# 2. A clean run, then a clean stop.
demo good
for _ in $(seq 1 300); do grep -q 'connect:' "$work/good.out" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check "the demo comes up" grep -q 'connect:' "$work/good.out"
kill -TERM "$pid"
wait_exit "$pid" 30; rc=$?
check "SIGTERM stops it with status 0" test "$rc" -eq 0
check "a clean run logs no warning and no error" bash -c "! grep -E ' (warning|error): ' '$work/good.err'"
pid=

# 3. The store is wiped but the simulated hosts keep their owner: discovery
#    fails; the log names the step without the agent password.
rm -rf "$work/good/ovmd.db" "$work/good/ovmd.db-wal" "$work/good/ovmd.db-shm" "$work/good/pki" "$work/good/manager-uuid"
agentpw=$(head -1 "$work/good/agent-password")
mv "$work/good.err" "$work/good1.err"
demo good
wait_exit "$pid" 60; rc=$?
check "a demo whose set-up fails exits non-zero" test "$rc" -ne 0 -a "$rc" -ne 124
check "it names the failing step" grep -q "step 'discoverServer ipAddress=127.0.0.2 password=\*\*\*\*\*\*' failed: " "$work/good.err"
check "it never shows the agent password" bash -c "test -n '$agentpw' && ! grep -qF -- '$agentpw' '$work/good.err' '$work/good.out'"
check "it prints no banner" bash -c "! grep -q 'connect:' '$work/good.out'"
check "it stops its simulated hosts" bash -c "! pgrep -f '[o]vm-agentd.*$work/good' >/dev/null"
pid=
tap_done
