#!/bin/bash
# SSH exec (doc/command-language.md §1.3) and piped batch (§1.4): echo lines, byte
# transport, exit statuses, large input and output, clients that vanish.
. "${top_srcdir:-.}/tests/e2e/ssh-lib.sh"
TMP=$(mktemp -d /tmp/ssh-exec.XXXXXX)
# Anything left of this listener is killed at the end, so that a leak fails
# the check below instead of holding the test's output open.
trap 'ssh_stop; pkill -KILL -f -- "--state-dir $TMP/s" 2>/dev/null; rm -rf "$TMP"' EXIT
# The listener starts with SIGHUP ignored, as under nohup: sessions must
# still end when their client goes (they are hung up with SIGHUP).
trap '' HUP
ssh_start "$TMP/s" || { echo "not ok 1 - listener starts"; cat "$TMP/s/sshd.log" >&2; echo "1..1"; exit 1; }
ok "listener starts on 127.0.0.1:$SSH_PORT"
check "Ed25519 host key generated with mode 0600, no RSA key (issue 10 item 11)" \
    test "$(stat -c %a "$TMP/s/ssh/ssh_host_ed25519_key")" = 600 -a ! -e "$TMP/s/ssh/ssh_host_rsa_key"
check "host key fingerprints logged" log_has 'host key .*ssh_host_ed25519_key ssh-ed25519 SHA256:'

out=$(pw_ssh admin@127.0.0.1 "list Server"); rc=$?
check "exec of one command exits 0" test $rc -eq 0
check "exec echoes the command first" test "$(printf '%s' "$out" | head -n1)" = $'OVM> list Server\r'
check "output keeps CRLF" bash -c 'printf "%s" "$1" | grep -q $'"'"'^Status: Success\r$'"'" _ "$out"
check "no prompt after the last result" bash -c '! printf "%s" "$1" | tail -n1 | grep -q "^OVM> $"' _ "$out"

out=$(pw_ssh admin@127.0.0.1 "show Vm name=a; show Vm name='b;c' ;; list Vm;"); rc=$?
check "several commands exit 0" test $rc -eq 0
echoes=$(printf '%s' "$out" | grep -a '^OVM> ' | tr -d '\r')
check "one echo per segment, quotes keep ';', empty segments skipped" \
    test "$echoes" = "$(printf '%s\n' "OVM> show Vm name=a" "OVM> show Vm name='b;c'" "OVM> list Vm")"

pw_ssh admin@127.0.0.1 "list Vm; bogus; list Server" > "$TMP/o" 2>&1; rc=$?
check "a failing command makes exit status 1" test $rc -eq 1
check "commands after the failure still run" grep -q '^OVM> list Server' "$TMP/o"
check "the failure is reported" grep -q '^Status: Failure' "$TMP/o"

pw_ssh admin@127.0.0.1 "list Vm; exit; list Server" > "$TMP/o"; rc=$?
check "exit stops the exec string" bash -c "! grep -q 'list Server' '$TMP/o' && test $rc -eq 0"

pw_ssh admin@127.0.0.1 "set EndLineChars=LF; list Vm" > "$TMP/lf"
check "EndLineChars=LF reaches the client untouched" \
    test "$(tail -n 3 "$TMP/lf" | od -An -tx1 | tr -d ' \n' | grep -c 0d)" -eq 0 -a "$(grep -c . "$TMP/lf")" -gt 3

printf 'list Server\n# comment\n\n   bogus\nshow Vm \\\n name=x\nlist Vm; show Vm name=y\n' > "$TMP/batch"
pw_ssh -T admin@127.0.0.1 < "$TMP/batch" > "$TMP/bo" 2> "$TMP/be"; rc=$?
check "batch with a failure exits 1" test $rc -eq 1
check "batch echoes every command" test "$(grep -ac '^OVM> ' "$TMP/bo")" -eq 5
check "batch joins continued lines" grep -q '^OVM> show Vm  name=x' "$TMP/bo"
check "batch names the failing line on stderr" grep -q 'line 4: ' "$TMP/be"
check "batch writes no bare prompt" bash -c "! grep -qa '^OVM> \$' '$TMP/bo'"
printf 'list Server\nlist Vm\n' | pw_ssh -T admin@127.0.0.1 > "$TMP/bo2"; rc=$?
pw_ssh admin@127.0.0.1 'list Server; list Vm' > "$TMP/eo2"
check "batch transcript equals the exec transcript" cmp -s "$TMP/bo2" "$TMP/eo2"
check "batch of successes exits 0" test $rc -eq 0

n=$(pw_ssh admin@127.0.0.1 "lines 100000" | grep -ac '^  id:')
check "100000-line output streams completely" test "$n" -eq 100000

# A single argv string is limited to 128 KiB; ssh joins its arguments with
# blanks, so 16 x 64 KiB make one exec string of 1 MiB.
chunk=$(head -c 65535 /dev/zero | tr '\0' 'x')
args=(); for i in $(seq 1 16); do args+=("$chunk"); done
pw_ssh admin@127.0.0.1 show "${args[@]}" > "$TMP/big" 2>&1; rc=$?
check "an exec string of 1 MiB ends the connection with an error (rc $rc)" test $rc -eq 255
check "the listener logs and survives the 1 MiB request" \
    test "$(pw_ssh admin@127.0.0.1 "list Vm" | head -n1)" = $'OVM> list Vm\r'

head -c 102400 /dev/urandom > "$TMP/garbage"
pw_ssh -T admin@127.0.0.1 < "$TMP/garbage" > /dev/null 2>&1; rc=$?
check "100 KiB of binary garbage as batch input ends with status 0 or 1 ($rc)" test $rc -le 1

# -e none: the garbage must not contain an OpenSSH client escape (~.).
pw_ssh -e none -tt admin@127.0.0.1 < "$TMP/garbage" > /dev/null 2>&1; rc=$?
check "100 KiB of binary garbage typed at the prompt: the session ends at input EOF (rc $rc)" test $rc -le 1
(printf 'list Vm\r'; sleep 2) | pw_ssh -tt admin@127.0.0.1 > "$TMP/tt" 2>&1; rc=$?
check "interactive session ends cleanly at input EOF after the typed command (rc $rc)" \
    bash -c "test $rc -eq 0 && grep -q '^Command: list Vm' '$TMP/tt'"

pw_ssh admin@127.0.0.1 "sleep 3" > /dev/null 2>&1 &
cpid=$!
sleep 1
kill -9 $cpid 2>/dev/null
wait $cpid 2>/dev/null
check "a client gone mid-command is logged" log_has 'closed during a session|ended, exit-status'
out=$(pw_ssh admin@127.0.0.1 "list Vm" | head -n1)
check "the listener keeps serving after that" test "$out" = $'OVM> list Vm\r'

if command -v sftp >/dev/null 2>&1; then
    timeout 20 sshpass -p "$SSH_PASSWORD" sftp -F /dev/null -P "$SSH_PORT" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no admin@127.0.0.1 </dev/null > "$TMP/sftp" 2>&1
    rc=$?
    check "sftp subsystem refused (rc $rc)" bash -c "test $rc -ne 0 && grep -qi 'subsystem request failed' '$TMP/sftp'"
    check "sftp refusal logged" log_has 'refused subsystem sftp'
fi
pw_ssh -W 127.0.0.1:22 admin@127.0.0.1 </dev/null > "$TMP/fw" 2>&1; rc=$?
check "direct-tcpip (ssh -W) refused (rc $rc)" bash -c "test $rc -eq 255"
pw_ssh -o ExitOnForwardFailure=yes -R 127.0.0.1:0:127.0.0.1:22 admin@127.0.0.1 "list Vm" > "$TMP/fw" 2>&1; rc=$?
check "remote port forwarding refused (rc $rc)" bash -c "test $rc -eq 255 && grep -qi 'forwarding failed' '$TMP/fw'"
out=$(SSH_AUTH_SOCK=/nonexistent pw_ssh -A -o ForwardX11=yes admin@127.0.0.1 "list Vm" 2>/dev/null | head -n1)
check "agent/X11 forwarding requests do not break the session" test "$out" = $'OVM> list Vm\r'
# Every session process has ended with its client (bounded 10 s), and none
# is left once the listener stops.
check "no session process outlives its client (bounded 10 s)" eval \
    'for i in $(seq 1 50); do [ "$(pgrep -cf -- "--state-dir $TMP/s")" -le 1 ] && break; sleep 0.2; done; [ "$(pgrep -cf -- "--state-dir $TMP/s")" -le 1 ]'
ssh_stop
check "nothing of the listener is left after it stops" test "$(pgrep -cf -- "--state-dir $TMP/s")" -eq 0
tap_done
