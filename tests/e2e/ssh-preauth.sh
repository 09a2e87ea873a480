#!/bin/bash
# Pre-authentication limits (ssh.max_startups, ssh.per_source_max_startups):
# a flood of idle TCP connections holds a bounded number of connection
# processes, and a legitimate login still works, from another address while
# one address floods, and again once a flood from many addresses ends.
# Before the limits, every idle connection got its own root process.
. "${top_srcdir:-.}/tests/e2e/ssh-lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
command -v pgrep >/dev/null 2>&1 || skip_all "pgrep not installed"
FLOOD=${top_srcdir:-.}/tests/e2e/ssh-flood.py
TMP=$(mktemp -d /tmp/ssh-preauth.XXXXXX)
FLOOD_PID=
trap '[ -n "$FLOOD_PID" ] && kill "$FLOOD_PID" 2>/dev/null; ssh_stop; rm -rf "$TMP"' EXIT

# most_children SECONDS: the most child processes the listener had, sampled
# every 0.2 s for SECONDS.
most_children() {
    local max=0 n i pid
    pid=$(cat "$SSH_DIR/sshd.pid")
    for i in $(seq 1 $(($1 * 5))); do
        n=$(pgrep -c -P "$pid")
        [ "$n" -gt "$max" ] && max=$n
        sleep 0.2
    done
    echo "$max"
}

# flood N SRC...: opens N idle connections in the background (held 60 s
# at most, or until flood_end); waits up to 30 s until they are open.
flood() {
    local n=$1; shift
    exec 7> >(exec python3 "$FLOOD" 127.0.0.1 "$SSH_PORT" "$n" 60 "$@" > "$TMP/flood.out")
    FLOOD_PID=$!
    local i
    for i in $(seq 1 150); do
        [ -s "$TMP/flood.out" ] && return 0
        sleep 0.2
    done
    return 1
}
flood_end() {
    exec 7>&-
    FLOOD_PID=
}

login_from() { # SRC: one password login with an exec command from SRC
    pw_ssh -b "$1" admin@127.0.0.1 "show Vm name=x" 2>&1 | grep -q '^Status: Success'
}

# 1. Default limits, 400 idle connections from one address.
ssh_start "$TMP/a" || { echo "not ok 1 - listener starts"; cat "$TMP/a/sshd.log" >&2; echo "1..1"; exit 1; }
ok "listener starts with the default limits"
flood 400 127.0.0.1 && ok "400 idle connections attempted from 127.0.0.1 ($(cat "$TMP/flood.out") opened)" ||
    not_ok "the flood started"
most=$(most_children 3)
check "connection processes stay within ssh.per_source_max_startups (most $most, limit 60)" test "$most" -le 60
check "a login from 127.0.0.2 works during the flood" login_from 127.0.0.2
check "refusals are logged" log_has "refused a connection from 127.0.0.1 before login: ssh.per_source_max_startups"
check "refusal logging is rate-limited (at most 10 lines)" \
    test "$(grep -c 'refused a connection' "$SSH_DIR/sshd.log")" -le 10
flood_end
ssh_stop

# 2. Small limits, 400 idle connections from 40 addresses: the global cap
# bites; once the flood ends, logins work again.
srcs=$(for i in $(seq 10 49); do echo "127.0.0.$i"; done)
ssh_start "$TMP/b" -o ssh.max_startups=5:50:20 -o ssh.per_source_max_startups=0 ||
    { not_ok "listener starts with small limits"; tap_done; exit 1; }
ok "listener starts with ssh.max_startups=5:50:20"
flood 400 $srcs && ok "400 idle connections attempted from 40 addresses" || not_ok "the flood started"
most=$(most_children 3)
check "connection processes stay within ssh.max_startups (most $most, full 20)" test "$most" -le 20
check "the cap is logged" log_has "refused a connection from 127\\.0\\.0\\.[0-9]+ before login: (ssh.max_startups reached|random early drop)"
flood_end
ok=0
for i in $(seq 1 10); do login_from 127.0.0.1 && { ok=1; break; }; sleep 0.5; done
check "a login works once the idle connections are gone" test $ok -eq 1
check "the listener is still up" kill -0 "$(cat "$SSH_DIR/sshd.pid")"
check "no connection process crashed" bash -c "! grep -q 'died of signal' '$SSH_DIR/sshd.log'"
tap_done
