#!/bin/bash
# SSH authentication (doc/command-language.md §1.1, §11.5): passwords, authorized_keys
# with OpenSSH semantics, lockout, per-connection limits, login grace time.
. "${top_srcdir:-.}/tests/e2e/ssh-lib.sh"
TMP=$(mktemp -d /tmp/ssh-auth.XXXXXX)
trap 'ssh_stop; rm -rf "$TMP"' EXIT
HASH=$(printf '%s\n' "$SSH_PASSWORD" | "$SSHD_BIN" --hash-password)
ssh_start "$TMP/s" -o "auth.users.ops=$HASH" -o auth.login_grace_time=4 ||
    { echo "not ok 1 - listener starts"; cat "$TMP/s/sshd.log" >&2; echo "1..1"; exit 1; }
ok "listener starts"
AK=$TMP/s/authorized_keys
first() { head -n1 | tr -d '\r'; }

check "password hash is yescrypt or SHA-512, never the password" \
    bash -c '[[ "$1" == \$y\$* || "$1" == \$6\$* ]] && [[ "$1" != *"$2"* ]]' _ "$HASH" "$SSH_PASSWORD"
check "password login works" test "$(pw_ssh admin@127.0.0.1 'list Vm' | first)" = "OVM> list Vm"
check "the engine is told the user name" grep -q "user = ops" <(pw_ssh ops@127.0.0.1 "show x")
check "successful login logged with the client address" log_has 'accepted password for admin from 127\.0\.0\.1'
check "the password never reaches the log" bash -c "! grep -qF '$SSH_PASSWORD' '$TMP/s/sshd.log'"

SSH_PASSWORD=wrong pw_ssh -o NumberOfPasswordPrompts=1 admin@127.0.0.1 'list Vm' >/dev/null 2>&1; rc=$?
check "wrong password refused (rc $rc)" test $rc -ne 0 -a $rc -ne 1
check "wrong password logged with the address" log_has 'failed password login for admin from 127\.0\.0\.1: wrong password'
pw_ssh -o NumberOfPasswordPrompts=1 nobody@127.0.0.1 'list Vm' >/dev/null 2>&1; rc=$?
check "unknown user refused even with a valid password (rc $rc)" test $rc -ne 0 -a $rc -ne 1
check "unknown user logged" log_has 'failed password login for nobody from 127\.0\.0\.1: unknown user'

for t in ed25519 ecdsa rsa; do new_key $t "$TMP/$t"; done
for k in stranger opt cmd from10 from127 restr; do new_key ed25519 "$TMP/$k"; done
{
    echo "# comment line"
    echo ""
    echo "this is not a key"
    echo "ssh-ed25519 !!!not-base64!!!"
    echo "no-such-option $(cat "$TMP/opt.pub")"
    echo "command=\"list Vm\" $(cat "$TMP/cmd.pub")"
    echo "from=\"10.0.0.0/8\" $(cat "$TMP/from10.pub")"
    echo "from=\"10.1.2.3,127.0.0.*\" $(cat "$TMP/from127.pub")"
    echo "restrict $(cat "$TMP/restr.pub")"
    cat "$TMP/ed25519.pub" "$TMP/ecdsa.pub" "$TMP/rsa.pub"
} > "$AK"
chmod 600 "$AK"

for t in ed25519 ecdsa rsa; do
    check "$t key login without any prior password login" \
        test "$(key_ssh "$TMP/$t" admin@127.0.0.1 'list Vm' 2>/dev/null | first)" = "OVM> list Vm"
done
check "key login logged with its fingerprint" log_has 'accepted publickey for admin from 127\.0\.0\.1 ssh-rsa SHA256:'
key_ssh "$TMP/stranger" admin@127.0.0.1 'list Vm' >/dev/null 2>&1; rc=$?
check "key not in the file refused (rc $rc)" test $rc -eq 255
check "broken lines are logged and skipped" log_has 'authorized_keys:4: not a usable public key'
check "a line of words is taken as unknown options" log_has "authorized_keys:3: unsupported option 'this'"
key_ssh "$TMP/opt" admin@127.0.0.1 'list Vm' >/dev/null 2>&1; rc=$?
check "line with an unknown option ignored (rc $rc)" test $rc -eq 255
check "unknown option logged" log_has "authorized_keys:5: unsupported option 'no-such-option'"
key_ssh "$TMP/cmd" admin@127.0.0.1 'list Vm' >/dev/null 2>&1; rc=$?
check "command= (not supported) disables its line (rc $rc)" test $rc -eq 255
key_ssh "$TMP/from10" admin@127.0.0.1 'list Vm' >/dev/null 2>&1; rc=$?
check "from= excluding the client refuses the key (rc $rc)" test $rc -eq 255
check "from= refusal logged" log_has 'key refused for client 127\.0\.0\.1 \(from= option\)'
check "from= including the client accepts the key" \
    test "$(key_ssh "$TMP/from127" admin@127.0.0.1 'list Vm' 2>/dev/null | first)" = "OVM> list Vm"
check "restrict still allows exec" \
    test "$(key_ssh "$TMP/restr" admin@127.0.0.1 'list Vm' 2>/dev/null | first)" = "OVM> list Vm"
printf 'list Vm\n' | key_ssh "$TMP/restr" -tt -o LogLevel=INFO admin@127.0.0.1 > "$TMP/r" 2>&1
check "restrict refuses the pty" grep -q 'PTY allocation request failed' "$TMP/r"

chmod 620 "$AK"
key_ssh "$TMP/ed25519" admin@127.0.0.1 'list Vm' >/dev/null 2>&1; rc=$?
check "group-writable authorized_keys refused (rc $rc)" test $rc -eq 255
check "refused file logged" log_has 'authorized_keys .* refused'
chmod 602 "$AK"
key_ssh "$TMP/ed25519" admin@127.0.0.1 'list Vm' >/dev/null 2>&1; rc=$?
check "world-writable authorized_keys refused (rc $rc)" test $rc -eq 255
chmod 600 "$AK"

keys=(); for k in k1 k2 k3 k4 k5 k6 k7; do new_key ed25519 "$TMP/$k"; keys+=(-i "$TMP/$k"); done
timeout 20 ssh $(ssh_opts) -o PasswordAuthentication=no -o BatchMode=yes "${keys[@]}" admin@127.0.0.1 true >/dev/null 2>&1
rc=$?
check "7 rejected keys: dropped after 6 attempts (rc $rc)" test $rc -eq 255
check "too many attempts logged" log_has 'too many authentication failures from 127\.0\.0\.1'

start=$(date +%s)
timeout 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SSH_PORT; cat <&3 >/dev/null"
took=$(( $(date +%s) - start ))
check "silent client dropped after the login grace time (${took}s, grace 4s)" test $took -ge 3 -a $took -le 8
check "grace time expiry logged" log_has 'login grace time exceeded'

for i in 1 2 3 4 5 6; do
    SSH_PASSWORD=wrong pw_ssh -o NumberOfPasswordPrompts=1 ops@127.0.0.1 true >/dev/null 2>&1
done
check "6 failures throttle the account from this address" log_has 'passwords for ops from 127\.0\.0\.1 throttled'
pw_ssh -o NumberOfPasswordPrompts=1 ops@127.0.0.1 'list Vm' >/dev/null 2>&1; rc=$?
check "a throttled account refuses the right password from there (rc $rc)" test $rc -ne 0 -a $rc -ne 1
check "the refusal says it is throttled" log_has 'failed password login for ops from .*: throttled for'
check "other accounts keep working" test "$(pw_ssh admin@127.0.0.1 'list Vm' | first)" = "OVM> list Vm"
tap_done
