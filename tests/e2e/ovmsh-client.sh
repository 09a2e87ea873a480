#!/usr/bin/env bash
# ovmsh, the local client (issue 2 item 7): -c exit statuses, batch mode with
# line numbers on stderr and --stop-on-error, continuation lines, an engine
# that is not there, and the interactive mode through a real pty (expect):
# prompt, TAB completion of a verb, a type, an attribute, an enum value and an
# object name, `?` help, history recall, Ctrl-D.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"

work=$(mktemp -d /tmp/ovm-client.XXXXXX)
trap 'ovmd_stop "$work/m" >/dev/null 2>&1; rm -rf "$work"' EXIT
check "ovmd starts" ovmd_start "$work/m"
sock=$work/m/engine.sock
sh() { timeout 30 "$OVMSH_BIN" -S "$sock" "$@"; }

sh -c "create Tag name=alpha; create Tag name='two words'" >/dev/null
quiet() { "$@" >/dev/null 2>&1; }
check "-c: all commands succeed -> exit 0" quiet sh -c "showversion; list Tag"
sh -c "list Tag; show Tag name=nosuch; showversion" > "$work/out" 2>/dev/null
check "-c: one failure -> exit 1" test $? -eq 1
check "-c: later commands still run after a failure" grep -q '^3.4' <(tr -d '\r' < "$work/out")
check "-c: every command echoed" test "$(grep -c '^OVM> ' "$work/out")" -eq 3
sh -c "showversion; exit; list Tag" > "$work/out"
check "-c: exit stops processing" test "$(grep -c '^OVM> ' "$work/out")" -eq 2

sh -c "?" > "$work/out" 2>&1
check "a lone ? lists the verbs (exec)" grep -q 'showversion' "$work/out"
check "the engine survives a lone ?" quiet sh -c showversion

printf '# a comment\n\nlist Tag\nshow Tag name=nosuch\ncreate Tag \\\n  name=gamma\nshow Tag name=gamma\n' > "$work/batch"
sh < "$work/batch" > "$work/out" 2> "$work/err"
check "batch: a failure -> exit 1" test $? -eq 1
check "batch: the error carries its line number on stderr" grep -q '^ovmsh: line 4: Cannot find Tag with name: nosuch' "$work/err"
check "batch: stdout stays the exact transcript" bash -c "! grep -q 'ovmsh:' '$work/out'"
check "batch: continuation line joined" grep -q '^Command: create Tag  *name=gamma$' <(tr -d '\r' < "$work/out")
sh --stop-on-error < "$work/batch" > "$work/out" 2>/dev/null
check "batch --stop-on-error stops at the first failure" test "$(grep -c '^OVM> ' "$work/out")" -eq 2

# A batch is sent ahead of its results (shell/client/client_batch.c); what
# follows a failure under --stop-on-error, or an exit, must still not run.
tag_exists() { sh -c "show Tag name=$1" >/dev/null 2>&1; }
printf 'create Tag name=p1\nshow Tag name=nosuch\ncreate Tag name=p2\n' | sh --stop-on-error >/dev/null 2>&1
check "batch --stop-on-error: the command before the failure ran" tag_exists p1
check "batch --stop-on-error: the command after it did not run" eval '! tag_exists p2'
printf 'create Tag name=p3\nexit\ncreate Tag name=p4\n' | sh > "$work/out" 2>&1
st=$?
check "batch: exit ends the batch with status 0 ($st), both commands answered" \
    eval 'test "$st" -eq 0 && test "$(grep -c "^OVM> " "$work/out")" -eq 2'
check "batch: the command after an exit did not run" eval '! tag_exists p4 && tag_exists p3'
{ for i in $(seq 1 299); do [ "$i" = 250 ] && echo "show Tag name=nosuch" || echo "show Tag name=alpha; ?"; done; } > "$work/long"
sh < "$work/long" > "$work/out" 2> "$work/err"
check "batch of 299 lines, long replies: every command answered, in order" \
    test "$(grep -c '^OVM> ' "$work/out")" -eq $((298 * 2 + 1))
check "batch of 299 lines: the failure is reported at its line" \
    test "$(cat "$work/err")" = "ovmsh: line 250: Cannot find Tag with name: nosuch"
check "batch of 299 lines: the failing command's echo is the 499th" \
    test "$(grep '^OVM> ' "$work/out" | sed -n 499p | tr -d '\r')" = "OVM> show Tag name=nosuch"
# A program that writes the next line only after it has read the last result
# (a co-process) is answered: the batch reads ahead only input already there.
# bash unsets CP and CP_PID once the co-process has ended and been reaped,
# which under set -u would end this script: keep copies.
coproc CP { timeout 60 "$OVMSH_BIN" -S "$sock" 2>&1; }
cp_pid=$CP_PID cp_in=${CP[1]} cp_out=${CP[0]}
statuses=0
for cmd in "list Tag" "show Tag name=alpha" "list Tag"; do
    echo "$cmd" >&"$cp_in"
    while IFS= read -t 20 -r l <&"$cp_out"; do
        case $l in Status:*) statuses=$((statuses + 1)); break ;; esac
    done
done
exec {cp_in}>&-
wait "$cp_pid" 2>/dev/null
check "batch from a co-process: each result arrives before the next line is written ($statuses of 3)" test "$statuses" -eq 3

timeout 10 "$OVMSH_BIN" -S "$work/nothing.sock" -c showversion >/dev/null 2>"$work/err"
check "no engine: exit 2" test $? -eq 2
check "no engine: a clear message" grep -qi 'engine' "$work/err"

cat > "$work/i.exp" <<EXP
set timeout 10
log_user 0
spawn $OVMSH_BIN -S $sock
proc fail {what} { puts "FAIL \$what"; exit 1 }
expect "OVM> " {} timeout { fail prompt }
send "showc\t"
sleep 0.3
send "\t"
expect "showclisession  showcustomcmds" {} timeout { fail "second TAB lists the candidates" }
send "\025"
send "showv\t"
expect "showversion " {} timeout { fail "unique verb completion" }
send "\r"
expect -re "3\\\\.4\[^\r]*\r" {} timeout { fail "showversion output" }
expect "OVM> "
send "list ServerPo\t"
sleep 0.3
send "\r"
expect "Command: list ServerPool\r" {} timeout { fail "type completion" }
expect "OVM> "
send "show Tag name=al\t"
sleep 0.3
send "\r"
expect "Name = alpha" {} timeout { fail "object name completion" }
expect "OVM> "
send "create Vm domainT\t"
sleep 0.3
send "XEN_H\t"
sleep 0.3
send " name=x repository=nosuch\r"
expect "Command: create Vm domainType=XEN_HVM" {} timeout { fail "attribute and enum value completion" }
expect "OVM> "
send "create Tag ?"
expect -re "\\\\*name" {} timeout { fail "? help lists the mandatory attribute" }
expect "create Tag " {} timeout { fail "line redrawn after ?" }
send "\025"
send "\033\[A"
expect "repository=nosuch" {} timeout { fail "history recall" }
send "\025"
send "\004"
expect eof {} timeout { fail "Ctrl-D ends the session" }
puts "PASS"
EXP
out=$(timeout 60 expect "$work/i.exp" 2>&1)
check "interactive: completion, ? help, history, Ctrl-D ($out)" test "$out" = "PASS"
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
