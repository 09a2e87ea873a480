#!/usr/bin/env bash
# The DPM policy of a server pool (issue 12 item 4; doc/object-model.md §7.7
# DPM): three agents on 127.0.72.2-4 in a clustered pool, each with an
# OpenIPMI ipmi_sim BMC on 127.0.72.12-14 whose chassis control powers the
# agent off and on (tests/lib/ipmi.sh). Checked: a BMC that rejects the
# password gives a failed DPM job and events and the pool keeps running; an
# idle server is powered off through IPMI (its agent is gone, an event says
# why, the job completed); servers running VMs are not powered off; when
# every running server is above the threshold a server DPM powered off is
# powered on again and takes load; at low load DPM consolidates the VMs onto
# one server with live migrations and powers the others off, never the last;
# a server without a ServerController or in maintenance mode is left alone.
# Loads come from the simulator's sim_set_cpu_load hook. TAP; every wait bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
FLEET_NET=127.0.72
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
. "$top_srcdir/tests/lib/loopback.sh"
. "$top_srcdir/tests/lib/ipmi.sh"
. "$top_srcdir/tests/e2e/ha-lib.sh"
ipmi_require
command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP sqlite3 is not installed"; exit 0; }

# IPMI 2.0 passwords are at most 20 bytes; unique so that a hit cannot be a coincidence.
IPMI_PW="Dpm$$x$RANDOM"
# 1 s polls and samples, a 2 s policy period; HA as in the HA tests.
HA_YAML=$'monitor:\n  poll_interval: 1\n  offline_after: 4\n  ha_delay: 2\nstats:\n  sampling_interval: 1\npolicy:\n  period: 2\npower:\n  ipmi_timeout: 2\n  wait_timeout: 60'
work=
trap ipmi_fleet_cleanup EXIT

db() { sqlite3 -readonly "$work/m/ovmd.db" "$1"; }
srv_id() { ovm "show Server name=$1"; field Id; }
status_of() { ovm "show Server name=$1"; field Status; }
# ev N TYPE LIKE: number of TYPE events of server ovs0N whose summary matches LIKE.
ev() { local q=\'; db "SELECT count(*) FROM events WHERE target='${sid[$1]}' AND type='$2' AND summary LIKE '${3//$q/$q$q}'"; }
ev_seen() { [ "$(ev "$@")" -ge 1 ]; }
# job_state NAME: run state of the newest job of that name.
job_state() { db "SELECT run_state FROM jobs WHERE name='$1' ORDER BY id DESC LIMIT 1"; }
job_is() { [ "$(job_state "$1")" = "$2" ]; }
load() { # load N PERCENT: ovs0N's own (dom0) CPU load
    local r
    r=$(xr_call "$FLEET_NET.$1" "$port" sim_set_cpu_load "$(xs "")" "$(xi "$2")")
    is_nil_result <<<"$r"
}
stopped_and_off() { [ "$(status_of "ovs0$1")" = Stopped ] && ! ipmi_agent_alive "$work/a$1"; }
running_and_on() { [ "$(status_of "ovs0$1")" = Running ] && ipmi_agent_alive "$work/a$1"; }
running_servers() { local i n=0; for i in 2 3 4; do [ "$(status_of "ovs0$i")" = Running ] && n=$((n + 1)); done; echo "$n"; }
dpm_offs() { db "SELECT count(*) FROM events WHERE type='DPM_POWER_OFF'"; }

check "three agents and ovmd with the monitor, statistics and a 2 s policy period" ha_up 3
check "clustered pool cpool with ovs02-ovs04, repo1" ha_setup
bport=$(pick_port $FLEET_NET.12 $FLEET_NET.13 $FLEET_NET.14)
declare -A sid
for i in 2 3 4; do
    check "BMC of ovs0$i (ipmi_sim) answers on $FLEET_NET.1$i:$bport" ipmi_bmc_start "$work/bmc$i" "$FLEET_NET.1$i" \
        "$bport" admin "$IPMI_PW" "$work/a$i" "$FLEET_NET.$i" "$port" --nfs-root "$nfs" --hostname "ovs0$i" --memory-mb 16384
    pw=$IPMI_PW; [ "$i" = 4 ] && pw=W$IPMI_PW
    ovm "create ServerController ipAddress=$FLEET_NET.1$i userName=admin password=$pw name=bmc0$i port=$bport on Server name=ovs0$i"
    check "ServerController bmc0$i on ovs0$i" test "$rc" -eq 0
    sid[$i]=$(srv_id "ovs0$i")
done

# m1 on ovs02, m2 on ovs03; ovs02 and ovs03 at 20 % each: together above half
# the threshold, so DPM does not consolidate them.
for v in m1 m2; do
    ha_vm "$v" No 50 && ovm "start Vm name=$v"
    check "$v runs" wait_for 30 vm_is "$v" Running
done
on() { [ "$(vm_host "$1")" = "$2" ]; }
for pair in m1:ovs02 m2:ovs03; do
    v=${pair%%:*} h=${pair#*:}
    on "$v" "$h" || ovm "migrate Vm name=$v destServer=$h"
    check "$v runs on $h" wait_for 30 on "$v" "$h"
done
load 2 20 && load 3 20
check "ovs02 and ovs03 at 20 % CPU" test $? -eq 0

ovm "edit ServerPool name=cpool policyMode=DPM policyCpuEnable=Yes policyCpuThreshold=50"
check "policyMode=DPM is accepted" test "$rc" -eq 0
ovm "show ServerPool name=cpool"
check "show ServerPool: Policy Mode = DPM" test "$(field 'Policy Mode')" = DPM
for i in 2 3 4; do ovm "addPolicyServer ServerPool name=cpool server=ovs0$i"; done
check "all three servers take part in the policy" test "$rc" -eq 0

# ---- a BMC that rejects the password ----
check "wrong password on bmc04: the DPM power off of ovs04 fails (bounded 60 s)" \
    wait_for 60 job_is "DPM Power Off Server: ovs04" Failed
check "a DPM_POWER_FAILED event with FreeIPMI's reason" ev_seen 4 DPM_POWER_FAILED "%DPM could not power off Server ovs04: %password invalid%"
check "a JOB_FAILED event on ovs04" ev_seen 4 JOB_FAILED "%"
check "a DPM_POWER_OFF event said why it was tried" ev_seen 4 DPM_POWER_OFF "DPM: Server ovs04 runs no Vm%"
check "ovs04 keeps running, its agent too" running_and_on 4
ovm "edit ServerPool name=cpool description=still-running; list Server"
check "the pool keeps working: a user command succeeds" test "$rc" -eq 0
fails=$(db "SELECT count(*) FROM jobs WHERE name='DPM Power Off Server: ovs04'")
sleep 6
check "the failing BMC is not asked again every period (one job in 3 periods)" \
    test "$(db "SELECT count(*) FROM jobs WHERE name='DPM Power Off Server: ovs04'")" -eq "$fails"

# ---- an idle server is powered off ----
ovm "edit ServerController name=bmc04 password=$IPMI_PW"
check "bmc04's password corrected" test "$rc" -eq 0
check "DPM powers ovs04 off through its BMC: Stopped, agent gone (bounded 60 s)" wait_for 60 stopped_and_off 4
check "the DPM power-off job completed" wait_for 30 job_is "DPM Power Off Server: ovs04" Completed
check "a DPM_POWER_OFF event says why" \
    ev_seen 4 DPM_POWER_OFF "DPM: Server ovs04 runs no Vm and the other running servers average %below half the pool's threshold (50 %); powering it off"
check "a SERVER_STATE event: shut down by DPM" ev_seen 4 SERVER_STATE "Server shut down by DPM%"
sleep 8
check "servers running VMs are not powered off: ovs02 and ovs03 run on" eval 'running_and_on 2 && running_and_on 3'
check "m1 and m2 stayed (20 % + 20 % is not light enough to consolidate)" eval 'on m1 ovs02 && on m2 ovs03'

# ---- load rises: a server is powered on again ----
load 2 90 && load 3 90
check "ovs02 and ovs03 at 90 %" test $? -eq 0
check "DPM powers ovs04 on: Running, agent back (bounded 90 s)" wait_for 90 running_and_on 4
check "the DPM power-on job completed" wait_for 30 job_is "DPM Power On Server: ovs04" Completed
check "a DPM_POWER_ON event says why" \
    ev_seen 4 DPM_POWER_ON "DPM: Server ovs0% above the pool's threshold 50 % over the policy period and no other running server below it; powering on Server ovs04"
moved_to4() { db "SELECT count(*) FROM events WHERE type='DPM_MIGRATION' AND summary LIKE '%to Server ovs04'" | grep -qv '^0$'; }
check "then DPM moves a VM of a busy server to ovs04 (bounded 60 s)" wait_for 60 moved_to4

# ---- load falls: consolidation onto one server, never the last powered off ----
load 2 0 && load 3 0 && load 4 0
check "all three at 0 %" test $? -eq 0
one_left() {
    [ "$(running_servers)" = 1 ] || return 1
    local h; h=$(vm_host m1)
    [ -n "$h" ] && on m2 "$h" && vm_is m1 Running && vm_is m2 Running && [ "$(status_of "$h")" = Running ]
}
check "DPM consolidates m1 and m2 onto one server and powers the others off (bounded 240 s)" wait_for 240 one_left
last=$(vm_host m1)
check "a DPM_MIGRATION event explains a consolidation move" \
    test "$(db "SELECT count(*) FROM events WHERE type='DPM_MIGRATION' AND summary LIKE '%below half the pool''s threshold%to empty it and power it off'")" -ge 1
offs=$(dpm_offs)
sleep 8
check "the last running server ($last) is never powered off" eval '[ "$(status_of "$last")" = Running ] && [ "$(dpm_offs)" = "$offs" ]'
check "the agents agree: $last runs both VMs" eval 'runs_on "$FLEET_NET.${last#ovs0}" m1 && runs_on "$FLEET_NET.${last#ovs0}" m2'
check "no DPM move or power job failed after the password fix" \
    test "$(db "SELECT count(*) FROM jobs WHERE name LIKE 'DPM %' AND run_state='Failed' AND name NOT LIKE 'DPM Power Off Server: ovs04'")" -eq 0

# ---- servers DPM leaves alone: no ServerController, maintenance mode ----
ovm "edit ServerPool name=cpool policyMode=OFF"
check "policyMode=OFF while two servers are prepared" test "$rc" -eq 0
set -- $(for i in 2 3 4; do [ "ovs0$i" != "$last" ] && echo "$i"; done)
a=$1 b=$2
ovm "start Server name=ovs0$a; delete ServerController name=bmc0$a"
check "ovs0$a started by the user, then its ServerController deleted" eval '[ "$rc" -eq 0 ] && running_and_on $a'
ovm "start Server name=ovs0$b; edit Server name=ovs0$b maintenanceMode=Yes"
check "ovs0$b started by the user, then put in maintenance mode" eval '[ "$rc" -eq 0 ] && running_and_on $b'
offs=$(dpm_offs)
ovm "edit ServerPool name=cpool policyMode=DPM"
check "policyMode=DPM again" test "$rc" -eq 0
sleep 10   # five periods, samples every second: both would be powered off otherwise
check "neither the server without a ServerController nor the one in maintenance mode is powered off" \
    eval 'running_and_on $a && running_and_on $b && [ "$(dpm_offs)" = "$offs" ]'
ovm "edit ServerPool name=cpool policyMode=OFF"
check "policyMode=OFF" test "$rc" -eq 0
check "ovmd stops" ovmd_stop "$work/m"
tap_done
