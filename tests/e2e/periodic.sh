#!/usr/bin/env bash
# PeriodicTask (doc/object-model.md §7.7, issue 12 item 2): the statistics
# archive is the Manager's "Statistics Archive Task"; list, show, edit; its
# taskInterval is the interval the engine prunes statistics at (the same
# value as getArchiveConfig/setArchiveConfig), every run is a job in
# `list Job`, and a disabled task runs no more. An old sample planted in the
# stats table shows whether a run really pruned. No agents. TAP; every wait
# bounded (a run every minute: the waits are up to 100 s).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP sqlite3 is not installed"; exit 0; }

work=$(mktemp -d /tmp/ovm-periodic.XXXXXX)
trap 'ovmd_stop "$work/m" >/dev/null 2>&1; rm -rf "$work"' EXIT
check "ovmd starts with a 1 s poll" ovmd_start "$work/m" "$(printf 'monitor:\n  poll_interval: 1')"
T='name="Statistics Archive Task"'
wait_for() { local end=$((SECONDS + $1)); shift; until "$@"; do [ "$SECONDS" -ge "$end" ] && return 1; sleep 1; done; }
# runs: the task's runs `list Job` shows (not the edits of the task, whose job names end with its name)
runs() { ovm "list Job"; grep -c "  name:Statistics Archive Task$" <<<"$out"; }
runs_at_least() { [ "$(runs)" -ge "$1" ]; }
sql() { sqlite3 -readonly -cmd ".timeout 5000" "$work/m/ovmd.db" "$1"; }
plant() { sqlite3 -cmd ".timeout 5000" "$work/m/ovmd.db" "INSERT INTO stats(obj, stat, time_ms, value) VALUES('$1', 'CPU_UTILIZATION', 1000, 1)"; }
unplanted() { ! planted "$1"; }
planted() { [ "$(sql "SELECT count(*) FROM stats WHERE obj='$1'")" -eq 1 ]; }

ovm "list PeriodicTask"
check "list PeriodicTask shows the Statistics Archive Task" grep -q "name:Statistics Archive Task" <<<"$out"
ovm "show PeriodicTask $T"
check "show: Interval (Minutes) = 60, Enabled = Yes" test "$(field 'Interval (Minutes)')/$(field Enabled)" = "60/Yes"
ovm "getArchiveConfig"
check "getArchiveConfig shows the task's interval" test "$(field Interval)" = 60
check "an old sample is planted" plant old1
sleep 5
check "starting the engine runs no task: no job in list Job after 5 s" test "$(runs)" -eq 0
check "and the old sample is still there" planted old1
n=0

ovm "edit PeriodicTask $T taskInterval=1"
check "edit PeriodicTask taskInterval=1" test "$rc" -eq 0
check "the engine runs it again within a minute (bounded 100 s)" wait_for 100 runs_at_least $((n + 1))
check "that run pruned the old sample" wait_for 10 unplanted old1
check "its job completed without error" test "$(sql "SELECT count(*) FROM jobs WHERE name='Statistics Archive Task' AND run_state='Completed' AND error=''")" -ge 1
ovm "getArchiveConfig"
check "getArchiveConfig follows: Interval = 1" test "$(field Interval)" = 1
ovm "setArchiveConfig interval=45; show PeriodicTask $T"
check "setArchiveConfig interval=45 sets the task's interval" test "$(field 'Interval (Minutes)')" = 45
ovm "edit PeriodicTask $T taskInterval=1 enabled=No"
check "edit PeriodicTask enabled=No" test "$rc" -eq 0
n=$(runs)
check "another old sample is planted" plant old2
sleep 75
check "a disabled task does not run (75 s, more than its interval)" test "$(runs)" -eq "$n"
check "and prunes nothing" planted old2
ovm "edit PeriodicTask $T taskInterval=0"
check "taskInterval=0 is refused" bash -c '[ "$1" -ne 0 ] && grep -q "^Error Msg: .*taskInterval" <<<"$2"' _ "$rc" "$out"
ovm "edit PeriodicTask $T enabled=Yes name=\"Stats Archiver\"; list PeriodicTask"
check "the task can be renamed and re-enabled" bash -c '[ "$1" -eq 0 ] && grep -q "name:Stats Archiver" <<<"$2"' _ "$rc" "$out"
check "ovmd restarts: the task keeps its settings" eval 'ovmd_stop "$work/m" && ovmd_start "$work/m" "$(printf "monitor:\n  poll_interval: 1")"'
ovm 'show PeriodicTask name="Stats Archiver"'
check "show after the restart: Interval 1, Enabled Yes" test "$(field 'Interval (Minutes)')/$(field Enabled)" = "1/Yes"
check "the re-enabled task runs and prunes (bounded 100 s)" wait_for 100 unplanted old2
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
