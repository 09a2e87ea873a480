#!/usr/bin/env bash
# Files private (issue 10 item 7, ovmd(8) FILES): a fresh ovmd creates its
# store, WAL, shm and log 0600/0640 whatever the umask; a state directory,
# store or log found open to others is tightened with a warning naming the
# old and new modes; a state directory owned by another user is refused.
# Also: the SSH listener generates only an Ed25519 host key, and still offers
# an RSA host key that is already there.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"

work=$(mktemp -d /tmp/ovm-modes.XXXXXX)
trap 'ovmd_stop "$work/m" >/dev/null 2>&1; ovmd_stop "$work/o" >/dev/null 2>&1; rm -rf "$work"' EXIT
mode() { stat -c %a "$1" 2>/dev/null; }
# has FILE MODE: FILE exists with exactly MODE (octal, as stat prints it).
has() { [ "$(mode "$1")" = "$2" ] || { echo "# $1: mode $(mode "$1"), want $2" >&2; return 1; }; }

# 1. A fresh start under the loosest umask.
mkdir -m 700 "$work/m"
sshport=$(free_port)
yaml=$(printf 'monitor:\n  poll_interval: 0\nssh:\n  listen: 127.0.0.1\n  port: %s' "$sshport")
umask 000 # ovmd must not depend on its caller's umask (not a subshell: ovmd_stop waits for ovmd)
ovmd_start "$work/m" "$yaml" || { echo "Bail out! ovmd did not start: $(cat "$work/m/ovmd.stderr")"; exit 1; }
umask 022
printf 'create Tag name=t1\n' | ovmsh_batch "$work/m" 30 > /dev/null
check "the store is created 0600" has "$work/m/ovmd.db" 600
check "its WAL is 0600" has "$work/m/ovmd.db-wal" 600
check "its shm is 0600" has "$work/m/ovmd.db-shm" 600
check "the log is created 0640" has "$work/m/ovmd.log" 640
check "the state directory stays 0700" has "$work/m" 700
check "a clean start logs no warning" bash -c "! grep -q ' warning: ' '$work/m/ovmd.log'"
for _ in $(seq 1 100); do [ -f "$work/m/ssh/ssh_host_ed25519_key" ] && break; sleep 0.1; done
check "the SSH listener generates an Ed25519 host key 0600" has "$work/m/ssh/ssh_host_ed25519_key" 600
check "and no RSA host key" test ! -e "$work/m/ssh/ssh_host_rsa_key"
ovmd_stop "$work/m" || not_ok "ovmd stops cleanly"

# 2. Everything made loose while stopped is tightened at the next start.
chmod 777 "$work/m"
chmod 666 "$work/m/ovmd.db"
chmod 644 "$work/m/ovmd.log"
[ -f "$work/m/ovmd.db-wal" ] && chmod 664 "$work/m/ovmd.db-wal"
ssh-keygen -q -t rsa -b 2048 -N '' -f "$work/m/ssh/ssh_host_rsa_key" < /dev/null ||
    not_ok "ssh-keygen makes an RSA host key"
ovmd_start "$work/m" "$yaml" || { echo "Bail out! ovmd did not restart: $(cat "$work/m/ovmd.stderr")"; exit 1; }
out=$(printf 'list Tag\n' | ovmsh_batch "$work/m" 30)
check "the store still answers" grep -q 'name:t1' <<<"$out"
check "a loose state directory is tightened to 0750" has "$work/m" 750
check "with a warning naming both modes" grep -q "warning: $work/m was mode 0777, open to other users; tightened to 0750" "$work/m/ovmd.log"
check "a loose store is tightened to 0600" has "$work/m/ovmd.db" 600
check "with a warning" grep -q "warning: $work/m/ovmd.db was mode 0666, .*tightened to 0600" "$work/m/ovmd.log"
check "a loose log is tightened to 0640" has "$work/m/ovmd.log" 640
check "with a warning" grep -q "warning: $work/m/ovmd.log was mode 0644, .*tightened to 0640" "$work/m/ovmd.log"
check "the WAL is 0600 again" has "$work/m/ovmd.db-wal" 600
for _ in $(seq 1 100); do grep -q 'ssh_host_rsa_key ssh-rsa' "$work/m/ovmd.log" && break; sleep 0.1; done
check "an RSA host key already there is still offered" grep -q 'host key .*ssh_host_rsa_key ssh-rsa SHA256:' "$work/m/ovmd.log"
ovmd_stop "$work/m" || not_ok "ovmd stops cleanly after tightening"

# 3. A state directory owned by another user is refused (needs root to make one).
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
    mkdir -m 700 "$work/o"
    chown nobody "$work/o"
    printf 'monitor:\n  poll_interval: 0\nssh:\n  enabled: false\n' > "$work/o.yaml"
    "$OVMD_BIN" -f "$work/o.yaml" --state-dir "$work/o" --socket "$work/o.sock" > "$work/o.out" 2>&1 &
    pid=$!
    rc=124
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || { wait "$pid"; rc=$?; break; }; sleep 0.1; done
    [ "$rc" -eq 124 ] && kill -KILL "$pid" 2>/dev/null
    check "a state directory owned by another user is refused" test "$rc" -ne 0 -a "$rc" -ne 124
    check "saying whose it is" grep -q "refusing $work/o: owned by uid $(id -u nobody), not by this user" "$work/o.out"
    check "and nothing is created in it" test -z "$(ls -A "$work/o")"
else
    ok "# SKIP a state directory owned by another user: needs root and the user nobody"
fi
tap_done
