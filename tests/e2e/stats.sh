#!/usr/bin/env bash
# Statistics with history (doc/command-language.md §5.4, doc/object-model.md
# §5.6): the simulated hosts report CPU utilisation (the sim_set_cpu_load
# test hook of ovm-agentd sets a guest's or the host's load), the monitor
# samples every statType into the store at stats.sampling_interval, and
# getStatList, getAverageStat, getLatestStatForList and getStatListByQuery
# read that history; getStatsConfig/setStatsConfig and
# getArchiveConfig/setArchiveConfig; the history survives an engine restart
# and goes after the hold time. TAP; every wait bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/e2e/rules-vm-lib.sh"
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP sqlite3 missing"; exit 0; }

RV_NET=127.0.70
rv_setup stats 1
rv_pool pool1 ovs02
rv_repo pool1
A=$RV_NET.2
data() { sed -n '/^Data:/,/^OVM> \|^$/p' <<<"$out" | grep '^  ' ; }
# sampled every second, polled every second
yaml=$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 1\nstats:\n  sampling_interval: 1' "$port")
ago="2000-01-01 00:00:00"
# refused_has DESCRIPTION CMDS TEXT: Failure with an Error Msg containing TEXT.
refused_has() {
    ovm "$2"
    if grep -q '^Status: Failure$' <<<"$out" && grep -q "^Error Msg: .*$3" <<<"$out"; then ok "$1"; else
        not_ok "$1"; grep '^Error Msg:\|^Status:' <<<"$out" | sed 's/^/#   got:  /'; fi
}

step "a running Vm with one vCPU" "create Vm name=m1 repository=repo1 domainType=XEN_HVM cpuCount=1 cpuCountLimit=1 on ServerPool name=pool1; start Vm name=m1"
ovm "show Vm name=m1"; vmid=$(idof)
ovm "show Server name=ovs02"; sid=$(idof)

r=$(xr_call $A "$port" sim_set_cpu_load "$(xs "$vmid")" "<value><int>80</int></value>")
check "sim_set_cpu_load sets the guest's load" is_nil_result <<<"$r"
r=$(xr_call $A "$port" sim_set_cpu_load "$(xs "")" "<value><int>30</int></value>")
check "and the host's own load" is_nil_result <<<"$r"
r=$(xr_call $A "$port" sim_set_cpu_load "$(xs "$vmid")" "<value><int>150</int></value>")
check "the hook refuses a load over 100" is_fault <<<"$r"
r=$(xr_call $A "$port" sim_set_cpu_load "$(xs nosuchvm)" "<value><int>10</int></value>")
check "and a VM that does not run" is_fault <<<"$r"
r=$(xr_call $A "$port" list_vms)
check "list_vms reports the guest's cpu_utilization" eval 'grep -q "<name>cpu_utilization</name><value><double>80" <<<"$r"'

check "ovmd restarts with a 1 s poll and sampling interval" eval 'ovmd_stop "$work/m" && ovmd_start "$work/m" "$yaml"'

# latest VALUE of STAT for OBJID, waiting (bounded) until it is WANT
wait_latest() { # TYPE ID STAT WANT
    local i
    for i in $(seq 1 30); do
        ovm "getLatestStatForList objType=$1 ids=$2 statType=$3"
        [ "$(data | sed 's/.* = //')" = "$4" ] && return 0
        sleep 0.5
    done
    printf '# %s\n' "$out" | head -8
    return 1
}
check "the Vm's CPU_UTILIZATION is sampled: 80.0" wait_latest Vm "$vmid" CPU_UTILIZATION 80.0
check "the Server's: its own 30 % plus 80 % of 1 of 8 CPUs = 40.0" wait_latest Server "$sid" CPU_UTILIZATION 40.0
check "CPU_COUNT of the Vm is 1" wait_latest Vm m1 CPU_COUNT 1
ovm "getLatestStatForList objType=Vm ids=$vmid statType=CPU_UTILIZATION"
check "getLatestStatForList line: <id> <time> = <value>" eval '[[ "$(data)" =~ ^\ \ $vmid\ .+\ =\ 80\.0$ ]]'
ovm "getLatestStatForList objType=Server ids=$sid statType=FREE_MEMORY"
check "FREE_MEMORY of the Server is a whole number of MB" eval '[[ "$(data)" =~ \ =\ [0-9]+$ ]]'
ovm "getLatestStatForList objType=Server ids=$sid statType=MEMORY_USED"
check "MEMORY_USED (Oracle's name) too" eval '[[ "$(data)" =~ \ =\ [0-9]+$ ]]'
ovm "getLatestStatForList objType=FileSystem ids=nfs:/repo1 statType=FILE_SYSTEM_SPACE_FREE"
free_now=$(data | sed 's/.* = //')
check "FILE_SYSTEM_SPACE_FREE of the file system is sampled" test -n "$free_now"
ovm "getLatestStatForList objType=FileSystem ids=nfs:/repo1 statType=FILE_SYSTEM_SPACE_AVAILABLE"
check "FILE_SYSTEM_SPACE_AVAILABLE is its alias" test "$(data | sed 's/.* = //')" = "$free_now"

r=$(xr_call $A "$port" sim_set_cpu_load "$(xs "$vmid")" "<value><int>20</int></value>")
check "the guest's load drops to 20" wait_latest Vm "$vmid" CPU_UTILIZATION 20.0
# samples_at_least N: the history of m1 has N samples (a loaded machine samples
# less often than once a second: wait, bounded, rather than assume a count).
samples_at_least() {
    ovm "getStatList objType=Vm objId=m1 statType=CPU_UTILIZATION startTime=\"$ago\""
    [ "$(data | wc -l)" -ge "$1" ]
}
for i in $(seq 1 40); do samples_at_least 3 && break; sleep 0.5; done
check "getStatList lists the history, one '<time> = <value>' line per sample" \
    eval '[ "$(data | wc -l)" -ge 3 ] && ! data | grep -qv "^  .* = [0-9.]*$"'
check "the history has the 80.0 and the 20.0 samples, oldest first" \
    eval 'data | sed "s/.* = //" | uniq | tr "\n" " " | grep -q "80.0 20.0"'
ovm "getStatList objType=Vm objId=m1 statType=CPU_UTILIZATION startTime=\"2099-01-01 00:00:00\""
check "a window in the future: Success and no sample" eval 'grep -q "^Status: Success" <<<"$out" && [ -z "$(data)" ]'
ovm "getAverageStat objType=Vm objId=m1 statType=CPU_UTILIZATION startTime=\"$ago\""
avg=$(field Average)
check "getAverageStat: an average between 20 and 80 ($avg)" eval 'awk -v a="$avg" "BEGIN{exit !(a > 20 && a < 80)}"'
check "getAverageStat counts the samples" test "$(field Samples)" -ge 3
ovm "getStatListByQuery objType=Vm objIds=$vmid statType=CPU_UTILIZATION equalityType=GTE statValue=50"
check "getStatListByQuery GTE 50: only the 80.0 samples" \
    eval '[ -n "$(data)" ] && ! data | grep -qv " = 80.0$"'
ovm "getStatListByQuery objType=Vm objIds=$vmid statType=CPU_UTILIZATION equalityType=LT statValue=50 maxResults=1"
check "LT 50 with maxResults=1: one 20.0 sample" eval '[ "$(data | wc -l)" -eq 1 ] && data | grep -q " = 20.0$"'
ovm "getStatListByQuery objType=Vm objIds=$vmid,m1 statType=CPU_COUNT equalityType=EQ statValue=1 startTime=\"2099-01-01 00:00:00\""
check "a query whose window has no sample: Success, empty" eval 'grep -q "^Status: Success" <<<"$out" && [ -z "$(data)" ]'

refused_has "CPU_COUNT is not a Server statistic" \
    "getStatList objType=Server objId=$sid statType=CPU_COUNT startTime=\"$ago\"" "Statistic CPU_COUNT is not available for Server"
refused_has "an unknown Vm" "getAverageStat objType=Vm objId=nosuch statType=CPU_UTILIZATION startTime=\"$ago\"" \
    "Cannot find Vm with id: nosuch"
refused_has "an unknown id in a list" "getLatestStatForList objType=Vm ids=$vmid,nosuch statType=CPU_UTILIZATION" \
    "Cannot find Vm with id: nosuch"
refused_has "a bad time" "getStatListByQuery objType=Vm objIds=m1 statType=CPU_UTILIZATION equalityType=GT statValue=1 startTime=yesterday" \
    "Invalid value 'yesterday' for startTime"
refused_has "a bad equalityType" "getStatListByQuery objType=Vm objIds=m1 statType=CPU_UTILIZATION equalityType=ABOUT statValue=1" \
    "Invalid value 'ABOUT' for equalityType"
refused_has "a statValue that is not an integer" "getStatListByQuery objType=Vm objIds=m1 statType=CPU_UTILIZATION equalityType=GT statValue=1.5" \
    "statValue"

# Settings
ovm "getStatsConfig"
check "getStatsConfig defaults: enabled, 60 s, 60 min, 300 s" \
    eval '[ "$(field "Statistics Enabled")/$(field "Sampling Interval")/$(field "Hold Time")/$(field "FS Sampling Interval")" = "Yes/60/60/300" ]'
ovm "getArchiveConfig"
check "getArchiveConfig default: 60 min" test "$(field Interval)" = 60
refused_has "samplingInterval below 20" "setStatsConfig samplingInterval=5" "samplingInterval"
refused_has "holdTime above 4320" "setStatsConfig holdTime=5000" "holdTime"
refused_has "setStatsConfig with nothing to set" "setStatsConfig" "setStatsConfig needs at least one of"
refused_has "an archive interval below 30" "setArchiveConfig interval=10" "interval"
ovm "getStatsConfig"
check "the refusals changed nothing" test "$(field "Sampling Interval")/$(field "Hold Time")" = "60/60"
step "setStatsConfig samplingInterval=120 holdTime=15" "setStatsConfig samplingInterval=120 holdTime=15"
step "setArchiveConfig interval=30" "setArchiveConfig interval=30"
ovm "list Job"
check "the settings are jobs" eval 'grep -q "Set Statistics Configuration" <<<"$out" && grep -q "Set Archive Configuration" <<<"$out"'

# Restart: settings and history kept
ovm "getStatList objType=Vm objId=m1 statType=CPU_UTILIZATION startTime=\"$ago\""
before=$(data | wc -l)
check "ovmd restarts" eval 'ovmd_stop "$work/m" && ovmd_start "$work/m" "$yaml"'
ovm "getStatsConfig"
check "the settings survive a restart" test "$(field "Sampling Interval")/$(field "Hold Time")" = "120/15"
ovm "getArchiveConfig"
check "the archive interval too" test "$(field Interval)" = 30
ovm "getStatList objType=Vm objId=m1 statType=CPU_UTILIZATION startTime=\"$ago\""
check "the history survives a restart ($before samples before)" test "$(data | wc -l)" -ge "$before"
check "the store is at schema version 6 (PeriodicTask, issue 12)" test "$(sqlite3 "$work/m/ovmd.db" "SELECT version FROM schema_version")" = 6

# statisticsEnabled=No: no new samples
step "setStatsConfig statisticsEnabled=No" "setStatsConfig statisticsEnabled=No"
sleep 1.5
n1=$(sqlite3 "$work/m/ovmd.db" "SELECT count(*) FROM stats")
sleep 2.5
check "statisticsEnabled=No stops sampling" test "$(sqlite3 "$work/m/ovmd.db" "SELECT count(*) FROM stats")" = "$n1"
step "setStatsConfig statisticsEnabled=Yes" "setStatsConfig statisticsEnabled=Yes"

# Retention: a 2 s hold time pruned every second (the yaml test overrides)
step "stop the Vm (no more Vm samples)" "stop Vm name=m1"
yaml2=$(printf '%s\n  hold_time: 2\n  archive_interval: 1' "$yaml")
check "ovmd restarts with a 2 s hold time" eval 'ovmd_stop "$work/m" && ovmd_start "$work/m" "$yaml2"'
gone() {
    local i
    for i in $(seq 1 20); do
        ovm "getStatList objType=Vm objId=m1 statType=CPU_UTILIZATION startTime=\"$ago\""
        [ -z "$(data)" ] && grep -q "^Status: Success" <<<"$out" && return 0
        sleep 0.5
    done
    return 1
}
check "samples older than the hold time are pruned" gone
check "the Server is still sampled" wait_latest Server "$sid" CPU_UTILIZATION 30.0
rv_stop
tap_done
