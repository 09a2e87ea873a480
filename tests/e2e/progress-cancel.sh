#!/usr/bin/env bash
# Long synchronous jobs in interactive sessions (issue 3 items 3 and 4,
# doc/command-language.md §1.2): after a second a one-line progress indicator (job id,
# state, child jobs done/total) appears and is erased before the result;
# Ctrl-C stops the wait, prints the JobId as in asynchronous mode and returns
# to the prompt while the job runs on. Exec and batch output never contain
# progress lines. Checked through ovmsh on a pty and through real SSH.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
trap fleet_down EXIT

check "fleet of one agent and ovmd starts" fleet_up 1
sshport=$(free_port)
hash=$(printf 'pw-progress\n' | "$OVMD_BIN" --hash-password)
ovmd_stop "$work/m"
check "ovmd restarts with SSH" ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0\nssh:\n  listen: 127.0.0.1\n  port: %s\nauth:\n  users:\n    admin: "%s"' "$port" "$sshport" "$hash")"
check "fleet setup" fleet_setup
ovm "create Vm name=slow repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=512 on ServerPool name=pool1; create Vm name=slow2 repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=512 on ServerPool name=pool1"
# Every start is slow (the agent delays it) so that the progress line (after
# a second) and Ctrl-C land inside the wait however slow the machine; the
# waits that follow are bounded.
echo "start_vm delay 8" > "$work/a2/faults"

# 1. local ovmsh on a pty: progress, then the result with the line erased.
cat > "$work/p.exp" <<EXP
set timeout 20
log_file -noappend $work/p.log
spawn $OVMSH_BIN -S $work/m/engine.sock
expect "OVM> "
send "start Vm name=slow\r"
expect -re "Job \[0-9]{13} Start VM: slow: In Progress \\\\(0/0 child jobs done\\\\)" {} timeout { puts "FAIL progress"; exit 1 }
expect "Status: Success" {} timeout { puts "FAIL result"; exit 1 }
expect "OVM> "
send "\004"
expect eof
puts "\nPASS"
EXP
out=$(timeout 60 expect "$work/p.exp" 2>&1 | tail -1)
check "interactive ovmsh shows a progress line after a second" test "$out" = "PASS"
check "the progress line is erased before the result (CR + erase-to-end)" grep -q $'\r\033\\[K\r' "$work/p.log"

# 2. Ctrl-C during the wait: JobId printed, prompt back, the job completes.
echo "start_vm delay 30" > "$work/a2/faults"
cat > "$work/c.exp" <<EXP
set timeout 20
log_file -noappend $work/c.log
spawn $OVMSH_BIN -S $work/m/engine.sock
expect "OVM> "
send "start Vm name=slow2\r"
expect "Start VM: slow2" {} timeout { puts "FAIL progress"; exit 1 }
send "\003"
expect -re "JobId: (\[0-9]{13})" {} timeout { puts "FAIL jobid"; exit 1 }
set job \$expect_out(1,string)
expect "OVM> " {} timeout { puts "FAIL prompt"; exit 1 }
send "showversion\r"
expect "3.4" {} timeout { puts "FAIL session usable"; exit 1 }
send "\004"
expect eof
puts "\nPASS \$job"
EXP
out=$(timeout 60 expect "$work/c.exp" 2>&1 | tail -1)
check "Ctrl-C stops the wait and prints the JobId ($out)" test "${out%% *}" = "PASS"
job=${out#PASS }
check "the cancelled wait printed Status: Success, not a failure" bash -c "! grep -q 'Status: Failure' '$work/c.log'"
for _ in $(seq 1 90); do  # bounded: the 30 s start plus a margin
    ovm "show Job id=$job"
    [ "$(field 'Run State')" = "Completed" ] && break
    sleep 1
done
check "the job went on and completed" test "$(field 'Run State')" = "Completed"
echo "start_vm delay 4" > "$work/a2/faults"

# 3. exec and batch never show progress
ovm "stop Vm name=slow; stop Vm name=slow2"
ovm "start Vm name=slow"
check "exec output has no progress line" bash -c "! grep -q 'child jobs done' <<<'$out'"
check "exec waited for the result" grep -q '^Status: Success' <<<"$out"

# 4. over SSH with a pty: progress and Ctrl-C
ovm "stop Vm name=slow"
echo "start_vm delay 30" > "$work/a2/faults"
cat > "$work/s.exp" <<EXP
set timeout 30
log_file -noappend $work/s.log
spawn ssh -tt -p $sshport -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no admin@127.0.0.1
expect "password:" {} timeout { puts "FAIL password prompt"; exit 1 }
send "pw-progress\r"
expect "OVM> " {} timeout { puts "FAIL prompt"; exit 1 }
send "start Vm name=slow\r"
expect "Start VM: slow: In Progress" {} timeout { puts "FAIL ssh progress"; exit 1 }
send "\003"
expect -re "JobId: \[0-9]{13}" {} timeout { puts "FAIL ssh jobid"; exit 1 }
expect "OVM> " {} timeout { puts "FAIL ssh prompt"; exit 1 }
send "exit\r"
expect eof
puts "\nPASS"
EXP
out=$(timeout 60 expect "$work/s.exp" 2>&1 | tail -1)
check "over SSH: progress line and Ctrl-C ($out)" test "$out" = "PASS"
rm -f "$work/a2/faults"
for _ in $(seq 1 90); do  # the cancelled wait's job runs on: let it end first
    ovm "show Vm name=slow"
    [ "$(field Status)" = Running ] && break
    sleep 1
done
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
