#!/bin/bash
# Interactive SSH sessions through a real pty with Debian's expect: the
# Oracle-style Expect script of doc/command-language.md §12.1, then line editing, TAB,
# '?', history, Ctrl-C and Ctrl-D (§1.2, §11.3).
. "${top_srcdir:-.}/tests/e2e/ssh-lib.sh"
command -v expect >/dev/null 2>&1 || skip_all "expect not installed"
TMP=$(mktemp -d /tmp/ssh-expect.XXXXXX)
trap 'ssh_stop; rm -rf "$TMP"' EXIT
ssh_start "$TMP/s" || { echo "not ok 1 - listener starts"; cat "$TMP/s/sshd.log" >&2; echo "1..1"; exit 1; }
ok "listener starts"

# Each expect script prints PASS/FAIL lines; run_expect turns them into TAP.
run_expect() {
    local name=$1 script=$2 line
    SSH_PORT=$SSH_PORT SSH_PASSWORD=$SSH_PASSWORD ENGINE_PID_FILE=${ENGINE_PID_FILE:-} ENGINE_CMD=${ENGINE_CMD:-} SSH_LOG=$SSH_DIR/sshd.log \
        timeout 60 expect -f "$script" > "$TMP/$name.out" 2>&1
    local rc=$?
    while IFS= read -r line; do
        case $line in
            PASS\ *) ok "$name: ${line#PASS }" ;;
            FAIL\ *) not_ok "$name: ${line#FAIL }" ;;
        esac
    done < <(tr -d '\r' < "$TMP/$name.out" | grep -E '^(PASS|FAIL) ')
    check "$name: script ran to its end (rc $rc)" test $rc -eq 0
}

# Written only from doc/command-language.md §12.1, as a customer script would be.
cat > "$TMP/oracle.exp" <<'EOF'
set timeout 10
log_user 0
proc step {ok what} { if {$ok} { puts "PASS $what" } else { puts "FAIL $what"; exit 1 } }
spawn ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no -l admin 127.0.0.1 -p $env(SSH_PORT)
expect "password:" { step 1 "password prompt" } timeout { step 0 "password prompt" }
send "$env(SSH_PASSWORD)\r"
expect -ex "OVM> " { step 1 "prompt after login" } timeout { step 0 "prompt after login" }
step [expr {[string first "\033" $expect_out(buffer)] < 0}] "no escape sequence before the prompt"
send "set OutputMode=Verbose\r"
expect "Status: Success" { step 1 "set OutputMode=Verbose succeeds" } "Status: Failure" { step 0 "set OutputMode" } timeout { step 0 "set OutputMode (timeout)" }
expect -ex "OVM> "
send "list Server\r"
expect "Status: Success" { step 1 "list Server" } timeout { step 0 "list Server" }
expect -ex "OVM> "
send "show Vm name=x\r"
expect "Status: Success" { step 1 "show Vm" } timeout { step 0 "show Vm" }
step [expr {[string first "\r\r\n" $expect_out(buffer)] < 0}] "no CR CR LF in the output"
expect -ex "OVM> "
send "bogus command\r"
expect "Status: Failure" { step 1 "a failing command prints Status: Failure" } timeout { step 0 "failing command" }
expect -ex "OVM> "
send "exit\r"
expect eof { step 1 "exit ends the session" } timeout { step 0 "exit ends the session" }
set st [wait]
step [expr {[lindex $st 3] == 0}] "exit status 0"
EOF
run_expect oracle "$TMP/oracle.exp"

cat > "$TMP/editing.exp" <<'EOF'
set timeout 10
log_user 0
proc step {ok what} { if {$ok} { puts "PASS $what" } else { puts "FAIL $what"; exit 1 } }
spawn ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no admin@127.0.0.1 -p $env(SSH_PORT)
expect "password:"
send "$env(SSH_PASSWORD)\r"
expect -ex "OVM> "
send "showv\t"
expect -ex "showversion " { step 1 "TAB completes a unique verb" } timeout { step 0 "TAB completes a unique verb" }
send "\r"
expect "Command: showversion" { step 1 "the completed line runs" } timeout { step 0 "completed line runs" }
expect -ex "OVM> "
send "s\t\t"
expect -re "set +show +showversion +sleep +start +stop" { step 1 "second TAB lists the candidates" } timeout { step 0 "second TAB lists" }
send "\025"
send "?"
expect -re "  list\r\n  show\r\n" { step 1 "? prints the help listing" } timeout { step 0 "? help" }
expect -ex "OVM> " { step 1 "the prompt is redrawn after ?" } timeout { step 0 "prompt after ?" }
send "list Vm\r"
expect "Command: list Vm"
expect -ex "OVM> "
send "\020"
expect -ex "list Vm" { step 1 "Ctrl-P recalls history" } timeout { step 0 "history" }
send "\025discard me"
expect -ex "discard me"
send "\003"
expect -ex "OVM> " { step 1 "Ctrl-C gives a fresh prompt" } timeout { step 0 "prompt after Ctrl-C" }
send "show Vm name=kept\r"
expect "Command: show Vm name=kept" { step 1 "Ctrl-C discards the typed line" } "Command: discard" { step 0 "Ctrl-C discards" } timeout { step 0 "after Ctrl-C" }
expect -ex "OVM> "
# A window change travels to the session's pty; the session carries on.
stty rows 20 columns 60 < $spawn_out(slave,name)
send "show Vm name=after-resize\r"
expect "Command: show Vm name=after-resize" { step 1 "session works after a window change" } timeout { step 0 "after window change" }
expect -ex "OVM> "
set pid [exec sh -c "sed -n 's/.*interactive session for admin .*(pid \\(\[0-9\]*\\)).*/\\1/p' $env(SSH_LOG) | tail -n1"]
set size [exec stty -F /proc/$pid/fd/0 size]
step [expr {$size eq "20 60"}] "the session's pty has the new size ($size)"
send "list Vm; bogus\r"
expect -re "OVM> bogus\r\nCommand: bogus" { step 1 "later commands on one line are echoed" } timeout { step 0 "echo of later commands" }
expect -ex "OVM> "
send "\004"
expect eof { step 1 "Ctrl-D ends the session" } timeout { step 0 "Ctrl-D" }
set st [wait]
step [expr {[lindex $st 3] == 0}] "exit status 0 after Ctrl-D"
EOF
run_expect editing "$TMP/editing.exp"

# The engine restarts while a command runs: that command reports the loss,
# the session reconnects and the next command works (issue 3, item 1).
cat > "$TMP/restart.exp" <<'EOF'
set timeout 10
log_user 0
proc step {ok what} { if {$ok} { puts "PASS $what" } else { puts "FAIL $what"; exit 1 } }
spawn ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no admin@127.0.0.1 -p $env(SSH_PORT)
expect "password:"
send "$env(SSH_PASSWORD)\r"
expect -ex "OVM> "
send "sleep 5\r"
sleep 1
exec sh -c "kill -9 \$(cat $env(ENGINE_PID_FILE))"
expect "lost the connection to the engine" { step 1 "the command in flight reports the lost engine" } timeout { step 0 "lost engine reported" }
exec sh -c "$env(ENGINE_CMD) > /dev/null 2>&1 & echo \$! > $env(ENGINE_PID_FILE)"
expect -ex "OVM> " { step 1 "the session survives and prompts again" } eof { step 0 "session survives" } timeout { step 0 "prompt after restart" }
send "list Vm\r"
expect "Status: Success" { step 1 "the next command runs on the restarted engine" } timeout { step 0 "command after restart" }
expect -ex "OVM> "
send "exit\r"
expect eof
EOF
if [ -z "${SSH_TEST_ENGINE:-}" ]; then
    ENGINE_PID_FILE=$SSH_DIR/engine.pid ENGINE_CMD="$FAKE_ENGINE $SSH_DIR/engine.sock" run_expect restart "$TMP/restart.exp"
fi
tap_done
