#!/bin/sh
# The chassis_control hook of the test BMCs (tests/lib/ipmi.sh): OpenIPMI's
# ipmi_sim runs it as
#   ipmi-chassis.sh AGENTDIR get power            -> prints "power:1" or "power:0"
#   ipmi-chassis.sh AGENTDIR set power 0|1 ...    -> power off (SIGKILL) or on
#   ipmi-chassis.sh AGENTDIR set shutdown 1       -> orderly shutdown (SIGTERM)
# The simulated host is the ovm-agentd of AGENTDIR (pid in AGENTDIR.pid):
# powered on while that process lives. Powering on runs AGENTDIR.poweron
# (written by ipmi_bmc_start), which starts the agent again on the same state
# directory, detached from ipmi_sim. With AGENTDIR.ignore present every set is
# accepted and ignored: a BMC whose power state never comes.
dir=$1 op=$2
shift 2

alive() {
    pid=$(cat "$dir.pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    # a killed agent the test shell has not reaped yet is off
    ! grep -q '^[0-9]* (.*) Z' "/proc/$pid/stat"
}

case $op in
get)
    for parm in "$@"; do
        case $parm in
        power) if alive; then echo "power:1"; else echo "power:0"; fi ;;
        *) echo "$parm:0" ;;
        esac
    done
    ;;
set)
    [ -e "$dir.ignore" ] && exit 0
    while [ $# -ge 2 ]; do
        case $1 in
        power)
            if [ "$2" = 1 ]; then
                alive || setsid sh "$dir.poweron" </dev/null >/dev/null 2>&1 &
            elif alive; then
                kill -KILL "$pid"
            fi
            ;;
        shutdown) alive && kill -TERM "$pid" ;;
        esac
        shift 2
    done
    ;;
*)
    echo "unknown operation $op"
    exit 1
    ;;
esac
exit 0
