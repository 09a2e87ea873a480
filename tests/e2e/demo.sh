#!/usr/bin/env bash
# `ovmd --demo` (issue 3, item 5): one command starts the engine, the SSH
# server and four simulated hosts with a pool, a repository and VMs; it prints
# how to connect; `ssh ... admin@host` then lists the demo VMs and starts one.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"

work=$(mktemp -d /tmp/ovm-demo.XXXXXX)
port=$(free_port)
sshport=$(free_port)
pid=
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    pkill -f "ovm-agentd.*$work" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
printf 'agent:\n  port: %s\n' "$port" > "$work/ovmd.yaml"
OVMD_DEMO_PASSWORD=demo-pw-42 "$top_builddir/ovmd" -f "$work/ovmd.yaml" --demo --state-dir "$work/demo" \
    --listen 127.0.0.1:$sshport > "$work/out" 2> "$work/err" &
pid=$!
for i in $(seq 1 300); do grep -q 'connect:' "$work/out" && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
check "the demo prints how to connect" grep -q "connect:  ssh -p $sshport admin@127.0.0.1" "$work/out"
check "the banner shows the password from OVMD_DEMO_PASSWORD" grep -q 'password: demo-pw-42' "$work/out"
for i in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$sshport) 2>/dev/null && break; sleep 0.1; done
sshc() {
    timeout 60 sshpass -p demo-pw-42 ssh -p "$sshport" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -o PubkeyAuthentication=no admin@127.0.0.1 "$1" 2>&1 | tr -d '\r'
}
out=$(sshc "list Vm")
check "list Vm over SSH shows the demo VMs" bash -c "grep -q 'name:web01' <<<'$out' && grep -q 'name:web02' <<<'$out' && grep -q 'name:db01' <<<'$out'"
out=$(sshc "list Server; show ServerPool name=pool1")
check "four simulated hosts are discovered" test "$(grep -c 'name:ovs0' <<<"$out")" -eq 4
out=$(sshc "start Vm name=web02; show Vm name=web02")
check "start Vm works" grep -q '^  Status = Running' <<<"$out"
check "the VM runs on a simulated host" test -n "$(grep '^  Server = .*\[ovs0' <<<"$out")"
kill -TERM $pid
for i in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
check "SIGTERM stops the demo" bash -c "! kill -0 $pid 2>/dev/null"
wait $pid 2>/dev/null
sleep 1
check "and its simulated hosts" bash -c "! pgrep -f '[o]vm-agentd.*$work' >/dev/null"
pid=
tap_done
