#!/bin/bash
# The SSH front end inside the real ovmd, configured by an ovmd.yaml:
# exec, batch, key login and the doc/command-language.md §12.1 Expect script against
# the real engine, plus TAB completion and '?' help served by it.
. "${top_srcdir:-.}/tests/e2e/ssh-lib.sh"
[ -x "$OVMD_BIN" ] || skip_all "ovmd not built"
command -v expect >/dev/null 2>&1 || skip_all "expect not installed"
TMP=$(mktemp -d /tmp/ssh-ovmd.XXXXXX)
trap 'ssh_stop; rm -rf "$TMP"' EXIT
ovmd_start "$TMP/o" || { echo "not ok 1 - ovmd starts"; cat "$TMP/o/sshd.log" >&2; echo "1..1"; exit 1; }
ok "ovmd starts with SSH on 127.0.0.1:$SSH_PORT"
first() { head -n1 | tr -d '\r'; }

out=$(pw_ssh admin@127.0.0.1 "showversion; list Server"); rc=$?
check "exec through ovmd exits 0" test $rc -eq 0
check "exec echoes each command" test "$(printf '%s' "$out" | tr -d '\r' | grep -c '^OVM> ')" -eq 2
check "showversion starts with 3.4" bash -c 'printf "%s" "$1" | tr -d "\r" | sed -n 2p | grep -q "^3\.4"' _ "$out"
pw_ssh admin@127.0.0.1 "list Vm; bogus" > "$TMP/f"; rc=$?
check "an unknown command fails with exit 1" bash -c "test $rc -eq 1 && grep -q '^Status: Failure' '$TMP/f'"
printf 'list Server\nbogus\n' | pw_ssh -T admin@127.0.0.1 > "$TMP/b" 2> "$TMP/be"; rc=$?
check "batch through ovmd: exit 1 and line 2 named" bash -c "test $rc -eq 1 && grep -q 'line 2' '$TMP/be'"
new_key ed25519 "$TMP/id"
cp "$TMP/id.pub" "$TMP/o/authorized_keys"; chmod 600 "$TMP/o/authorized_keys"
check "key login through ovmd.yaml's auth.authorized_keys" \
    test "$(key_ssh "$TMP/id" admin@127.0.0.1 'list Vm' 2>/dev/null | first)" = "OVM> list Vm"

cat > "$TMP/oracle.exp" <<'EOF'
set timeout 15
log_user 0
proc step {ok what} { if {$ok} { puts "PASS $what" } else { puts "FAIL $what"; exit 1 } }
spawn ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no -l admin 127.0.0.1 -p $env(SSH_PORT)
expect "password:" { step 1 "password prompt" } timeout { step 0 "password prompt" }
send "$env(SSH_PASSWORD)\r"
expect -ex "OVM> " { step 1 "prompt" } timeout { step 0 "prompt" }
send "set OutputMode=Verbose\r"
expect "Status: Success" { step 1 "set OutputMode=Verbose" } "Status: Failure" { step 0 "set OutputMode" } timeout { step 0 "set OutputMode (timeout)" }
expect -ex "OVM> "
send "list Server\r"
expect "Status: Success" { step 1 "list Server" } timeout { step 0 "list Server" }
expect -ex "OVM> "
send "show Vm name=nosuchvm\r"
expect "Status: Failure" { step 1 "a failing show prints Status: Failure" } timeout { step 0 "failing show" }
expect -ex "OVM> "
send "list ServerPoolN\t"
expect -ex "etworkPolicy " { step 1 "TAB completes a type from the engine" } timeout { step 0 "TAB completes a type" }
send "\r"
expect "Command: list ServerPoolNetworkPolicy" { step 1 "the completed line runs" } timeout { step 0 "completed line runs" }
expect -ex "OVM> "
send "list ?"
expect -re "Server\r\n.*ServerPool\r\n" { step 1 "? lists the types for list from the engine" } timeout { step 0 "? help" }
expect -ex "OVM> " { step 1 "prompt redrawn after ?" } timeout { step 0 "prompt after ?" }
send "\025exit\r"
expect eof { step 1 "exit ends the session" } timeout { step 0 "exit" }
set st [wait]
step [expr {[lindex $st 3] == 0}] "exit status 0"
EOF
SSH_PORT=$SSH_PORT SSH_PASSWORD=$SSH_PASSWORD timeout 90 expect -f "$TMP/oracle.exp" > "$TMP/x.out" 2>&1
rc=$?
while IFS= read -r line; do
    case $line in PASS\ *) ok "expect: ${line#PASS }" ;; FAIL\ *) not_ok "expect: ${line#FAIL }" ;; esac
done < <(tr -d '\r' < "$TMP/x.out" | grep -E '^(PASS|FAIL) ')
check "expect script ran to its end (rc $rc)" test $rc -eq 0
tap_done
