#!/bin/bash
# Password throttling by (account, client address) (issue 10, item 2), with
# the real OpenSSH client: wrong passwords from 127.0.0.2 never lock out
# admin logging in from 127.0.0.1, nor a valid key from 127.0.0.2 itself;
# the throttled pair is released by the local --unthrottle; and failures
# for unknown users spend little CPU (auth.unknown_user_hashes).
# Before, 5 wrong passwords from anywhere locked admin for everyone.
. "${top_srcdir:-.}/tests/e2e/ssh-lib.sh"
TMP=$(mktemp -d /tmp/ssh-throttle.XXXXXX)
trap 'ssh_stop; rm -rf "$TMP"' EXIT
first() { tr -d '\r' | head -n 1; }

ssh_start "$TMP/s" -o auth.unknown_user_hashes=1 ||
    { echo "not ok 1 - listener starts"; cat "$TMP/s/sshd.log" >&2; echo "1..1"; exit 1; }
ok "listener starts"
new_key ed25519 "$TMP/id"
cp "$TMP/id.pub" "$TMP/s/authorized_keys" && chmod 600 "$TMP/s/authorized_keys"

# Wrong passwords for admin from 127.0.0.2, one connection each, until the
# pair must wait at least 8 s (1 s, 2 s, 4 s, 8 s after the free failures),
# so that the checks below reach the listener inside the wait even on a
# loaded machine where a connection takes seconds (at most 60 tries).
long_wait='passwords for admin from 127\.0\.0\.2 throttled: the next one is checked in ([89]|[1-9][0-9]+) s'
throttle_02() {
    local i before
    before=$(grep -cE "$long_wait" "$SSH_DIR/sshd.log" 2>/dev/null)
    for i in $(seq 1 60); do
        SSH_PASSWORD=wrong pw_ssh -b 127.0.0.2 -o NumberOfPasswordPrompts=1 admin@127.0.0.1 true >/dev/null 2>&1
        [ "$(grep -cE "$long_wait" "$SSH_DIR/sshd.log" 2>/dev/null)" -gt "$before" ] && return 0
        sleep 1
    done
    return 1
}
check "wrong passwords from 127.0.0.2 throttle that address, for 8 s and more" throttle_02
check "admin logs in with the password from 127.0.0.1" \
    test "$(pw_ssh -b 127.0.0.1 admin@127.0.0.1 'list Vm' | first)" = "OVM> list Vm"
pw_ssh -b 127.0.0.2 -o NumberOfPasswordPrompts=1 admin@127.0.0.1 true >/dev/null 2>&1; rc=$?
check "the right password from the throttled address waits (rc $rc)" test $rc -eq 255
check "the refusal says it is throttled" log_has 'failed password login for admin from 127\.0\.0\.2: throttled for'
out=$("$SSHD_BIN" --state-dir "$TMP/s" --unthrottle admin@127.0.0.2); rc=$?
check "--unthrottle admin@127.0.0.2 releases the pair (rc $rc: $out)" \
    bash -c "[ $rc -eq 0 ] && grep -q '1 throttled pair' <<<'$out'"
check "then the password works from 127.0.0.2" \
    test "$(pw_ssh -b 127.0.0.2 admin@127.0.0.1 'list Vm' | first)" = "OVM> list Vm"
check "throttled again for 8 s and more" throttle_02
pw_ssh -b 127.0.0.2 -o NumberOfPasswordPrompts=1 admin@127.0.0.1 true >/dev/null 2>&1; rc=$?
check "the right password waits again (rc $rc)" test $rc -eq 255
check "a valid key from the throttled address works" \
    test "$(key_ssh "$TMP/id" -b 127.0.0.2 admin@127.0.0.1 'list Vm' | first)" = "OVM> list Vm"
"$SSHD_BIN" --state-dir "$TMP/nowhere" --unthrottle all >/dev/null 2>"$TMP/err"; rc=$?
check "--unthrottle without a listener fails clearly (rc $rc)" \
    bash -c "[ $rc -eq 1 ] && grep -q 'no password throttle table' '$TMP/err'"

# CPU of the connection processes (reaped children of the listener), in
# clock ticks, once every connection process has ended (10 s at most).
child_cpu() {
    local pid i
    pid=$(cat "$SSH_DIR/sshd.pid")
    for i in $(seq 1 50); do [ "$(pgrep -c -P "$pid")" -eq 0 ] && break; sleep 0.2; done
    sleep 1 # the listener reaps at least twice a second
    awk '{print $16 + $17}' "/proc/$pid/stat"
}
# wrong_passwords USER: 4 wrong passwords from each of 4 addresses, the
# addresses at once (within the free failures, so no throttling), 16 in all.
wrong_passwords() {
    local a pids=()
    for a in 11 12 13 14; do
        for i in 1 2 3 4; do
            SSH_PASSWORD=wrong pw_ssh -b "127.0.0.$a" -o NumberOfPasswordPrompts=1 "$1@127.0.0.1" true >/dev/null 2>&1
        done &
        pids+=($!)
    done
    wait "${pids[@]}"
}
c0=$(child_cpu); wrong_passwords admin; c1=$(child_cpu); wrong_passwords nosuchuser; c2=$(child_cpu)
known=$((c1 - c0)) unknown=$((c2 - c1))
check "16 wrong passwords for admin were really checked (log)" \
    test "$(grep -c 'failed password login for admin from 127\.0\.0\.1[1-4]: wrong password' "$SSH_DIR/sshd.log")" -eq 16
check "16 unknown-user passwords cost less than half the CPU of 16 real checks ($unknown vs $known ticks)" \
    test $((unknown * 2)) -lt "$known"
check "no connection process crashed" bash -c "! grep -q 'died of signal' '$SSH_DIR/sshd.log'"
tap_done
