#!/usr/bin/env bash
# doc/object-model.md §6.5 live migration M-5 (CpuCompatibilityGroup), M-6 (ovmVersion),
# M-7 (Xen version), their order before M-11, M-11 huge pages; §6.4 L-5 (a guest that ignores
# the shutdown) and L-8 (resume needs the server of the suspend image); §5.2
# P-8 (at most 32 servers per pool). Exact Error Msg texts, effects checked on
# the agents. ovs02 reference server; ovs03 another CPU model and little
# memory; ovs04 an older Oracle VM Server; ovs05 an old Xen (all in pool1).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/e2e/rules-vm-lib.sh"

# A monitor that marks a silent server Stopped within seconds (L-8) and a short
# stop timeout (L-5).
MT_YAML=$'monitor:\n  poll_interval: 1\n  offline_after: 4\njobs:\n  vm_stop_timeout: 3'
P8_FIRST=2 P8_LAST=34 # 33 agents on 127.0.1.2..127.0.1.34

mt_cleanup() {
    p8_stop_agents
    rv_cleanup
}

# mt_setup N: like rv_setup, but ovmd with MT_YAML.
mt_setup() {
    local n=$1 i v cmds=""
    work=$(mktemp -d /tmp/ovm-rules-vm-more.XXXXXX)
    port=$(free_port)
    AGENT_PASSWORD=s3cret
    rv_n=$n
    trap mt_cleanup EXIT
    nfs=$work/nfs
    mkdir -p "$nfs/127.0.0.1/repo1"
    for i in $(seq 2 $((n + 1))); do
        v=RV_OPTS_$i
        # shellcheck disable=SC2086
        check "agent on 127.0.0.$i starts" agent_start "$work/a$i" 127.0.0.$i "$port" --nfs-root "$nfs" \
            --hostname ovs0$i ${!v:-}
        cmds+="discoverServer ipAddress=127.0.0.$i password=s3cret; "
    done
    check "ovmd starts" ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\n%s' "$port" "$MT_YAML")"
    step "discover $n servers" "$cmds"
}

# p8_start_agents: the 33 P-8 agents start in parallel; 0 when all answer.
p8_start_agents() {
    local i pids=() bad=0
    for i in $(seq $P8_FIRST $P8_LAST); do
        agent_start "$work/p$i" 127.0.1.$i "$port" --nfs-root "$nfs" --hostname px$i >/dev/null 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || bad=$((bad + 1)); done
    [ "$bad" -eq 0 ]
}

# p8_discover: discovers the 33 servers in 4 parallel sessions (one discovery
# takes seconds); 0 when every session succeeded.
p8_discover() {
    local g i cmds pids=() bad=0
    for g in 0 1 2 3; do
        cmds=""
        for i in $(seq $((P8_FIRST + g)) 4 $P8_LAST); do cmds+="discoverServer ipAddress=127.0.1.$i password=s3cret; "; done
        timeout 120 "$OVMSH_BIN" -S "$work/m/engine.sock" -c "$cmds" > "$work/discover$g.out" 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || bad=$((bad + 1)); done
    for g in 0 1 2 3; do
        if grep -q 'Status: Failure' "$work/discover$g.out"; then
            bad=$((bad + 1))
            grep -m3 '^Error Msg:' "$work/discover$g.out" | sed 's/^/# /'
        fi
    done
    [ "$bad" -eq 0 ]
}

p8_stop_agents() {
    local i pids=()
    for i in $(seq $P8_FIRST $P8_LAST); do
        [ -f "$work/p$i.pid" ] || continue
        agent_stop "$work/p$i" >/dev/null 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i"; done
}

vmid() { ovm "show Vm name=$1"; idof; }
srv_field() { ovm "show Server name=$1"; field "$2"; }
# wait_server_status SERVER STATUS: polls show Server for up to 30 s.
wait_server_status() {
    local i
    for i in $(seq 1 150); do
        [ "$(srv_field "$1" Status)" = "$2" ] && return 0
        sleep 0.2
    done
    return 1
}
# on SERVER VM...: the Vms run on SERVER (CURRENT_SERVER start policy).
on() {
    local s=$1 v cmds=""; shift
    for v in "$@"; do
        cmds+="create Vm name=$v $R startPolicy=CURRENT_SERVER on ServerPool name=pool1; "
        cmds+="migrate Vm name=$v destServer=$s; start Vm name=$v; "
    done
    step "$* run on $s" "$cmds"
}

RV_OPTS_3="--cpu-model 85 --memory-mb 4096" RV_OPTS_4="--ovm-version 3.4.5-1919" RV_OPTS_5="--xen-version 4.1.3" \
    mt_setup 4
rv_pool pool1 ovs02 ovs03 ovs04 ovs05
rv_repo pool1
R="repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=3000"
on ovs02 m1
check "m1 runs on ovs02" test "$(vm_host m1)" = ovs02

# M-5: the discovered CPU model decides the default CpuCompatibilityGroup.
g2=$(srv_field ovs02 'Cpu Compatibility Group') g3=$(srv_field ovs03 'Cpu Compatibility Group')
g4=$(srv_field ovs04 'Cpu Compatibility Group')
check "M-5 ovs03 (model 85) is in another group than ovs02 (model 79)" test -n "$g2" -a -n "$g3" -a "$g2" != "$g3"
check "M-5 ovs04 (same model) shares ovs02's group" test "$g2" = "$g4"
check "M-5 the group name carries family and model" grep -q 'Family:6_Model:85' <<<"$g3"
check "M-11 ovs03 lacks memory for m1" test "$(srv_field ovs03 'Usable Memory (MB)')" -lt 3000
refused "M-5 different CpuCompatibilityGroup (checked before M-11 memory)" "migrate Vm name=m1 destServer=ovs03" \
    "Servers ovs02 and ovs03 share no CpuCompatibilityGroup; live migration needs the same processor family and model"

# Custom CpuCompatibilityGroups (§2.8, X-2): a group listing both servers
# allows the live migration the default groups refuse.
gid2=${g2%% *} gname2=${g2##*[}
gname2=${gname2%]}
refused "X-2 a default group cannot be edited" "edit CpuCompatibilityGroup id=$gid2 description=x" \
    "CpuCompatibilityGroup $gname2 is a default group and cannot be changed"
refused "X-2 a default group cannot be deleted" "delete CpuCompatibilityGroup id=$gid2" \
    "CpuCompatibilityGroup $gname2 is a default group and cannot be changed"
refused "X-2 a default group's servers cannot change" "add Server name=ovs03 to CpuCompatibilityGroup id=$gid2" \
    "CpuCompatibilityGroup $gname2 is a default group and cannot be changed"
step "create a custom CpuCompatibilityGroup" "create CpuCompatibilityGroup name=mixed description=\"models 79 and 85\""
refused "its name is unique" "create CpuCompatibilityGroup name=mixed" "A CpuCompatibilityGroup named mixed already exists"
step "add ovs02 and ovs03 to it" "add Server name=ovs02 to CpuCompatibilityGroup name=mixed; add Server name=ovs03 to CpuCompatibilityGroup name=mixed"
refused "a server is added once" "add Server name=ovs02 to CpuCompatibilityGroup name=mixed" \
    "Server ovs02 is already in CpuCompatibilityGroup mixed"
ovm "show CpuCompatibilityGroup name=mixed"
check "show lists both servers, Default = No" eval 'grep -q "^  Server 1 = .*\[ovs02\]" <<<"$out" && grep -q "^  Server 2 = .*\[ovs03\]" <<<"$out" && grep -q "^  Default = No" <<<"$out"'
R="repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=512"
on ovs02 c1
R="repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=3000"
step "M-5 c1 live-migrates from ovs02 to ovs03 through the custom group" "migrate Vm name=c1 destServer=ovs03"
check "M-5 c1 runs on ovs03, on its agent" eval 'test "$(vm_host c1)" = ovs03 && agent_runs 3 "$(vmid c1)"'
step "remove ovs02 from the custom group" "remove Server name=ovs02 from CpuCompatibilityGroup name=mixed"
refused "a server not in the group cannot be removed" "remove Server name=ovs02 from CpuCompatibilityGroup name=mixed" \
    "Server ovs02 is not a member of CpuCompatibilityGroup mixed"
refused "M-5 without the custom group the way back is refused" "migrate Vm name=c1 destServer=ovs02" \
    "Servers ovs03 and ovs02 share no CpuCompatibilityGroup; live migration needs the same processor family and model"
step "delete the custom group" "delete CpuCompatibilityGroup name=mixed"
ovm "list CpuCompatibilityGroup"
check "the group is gone, the default groups stay" eval '! grep -q "name:mixed" <<<"$out" && grep -qF "name:$gname2" <<<"$out"'
step "stop c1" "stop Vm name=c1"

# M-6
check "M-6 ovs04 reports OVM Version 3.4.5-1919" test "$(srv_field ovs04 'OVM Version')" = 3.4.5-1919
refused "M-6 destination with an earlier ovmVersion" "migrate Vm name=m1 destServer=ovs04" \
    "Rule exception: Server ovs04 runs Oracle VM Server 3.4.5-1919, earlier than 3.4.6-2105 on Server ovs02"

# M-7, for the destination and for the source
check "M-7 ovs05 reports Hypervisor Version 4.1.3" test "$(srv_field ovs05 'Hypervisor Version')" = 4.1.3
check "M-7 ovs02 reports the default Xen 4.4.4OVM" test "$(srv_field ovs02 'Hypervisor Version')" = 4.4.4OVM
refused "M-7 destination on an old Xen" "migrate Vm name=m1 destServer=ovs05" \
    "Live migration needs xen-4.3.0-55.el6.22.18 or later; Server ovs05 runs 4.1.3"
on ovs05 s1
refused "M-7 source on an old Xen" "migrate Vm name=s1 destServer=ovs02" \
    "Live migration needs xen-4.3.0-55.el6.22.18 or later; Server ovs05 runs 4.1.3"
check "M-5..M-7 refusals left m1 on ovs02 and s1 on ovs05" test "$(vm_host m1)/$(vm_host s1)" = "ovs02/ovs05"
check "M-5..M-7 the agent of ovs02 still runs m1" agent_runs 2 "$(vmid m1)"

# M-6 is directional: a newer destination is fine.
on ovs04 n1
step "M-6 n1 migrates from ovs04 (3.4.5) to ovs02 (3.4.6)" "migrate Vm name=n1 destServer=ovs02"
check "M-6 n1 runs on ovs02" test "$(vm_host n1)" = ovs02
check "M-6 the agent of ovs02 runs n1" agent_runs 2 "$(vmid n1)"

# M-11 huge pages, as for a start (§6.4): ovs02 runs m1 and n1 without them.
step "n2 with huge pages starts on ovs04" "create Vm name=n2 $R hugePagesEnabled=Yes startPolicy=CURRENT_SERVER on ServerPool name=pool1; migrate Vm name=n2 destServer=ovs04; start Vm name=n2"
refused "M-11 huge pages mismatch on the destination" "migrate Vm name=n2 destServer=ovs02" \
    "Server ovs02 cannot receive Vm n2: huge pages mismatch"
check "M-11 n2 still runs on ovs04" agent_runs 4 "$(vmid n2)"

# L-5: stop_vm answers success but the domain stays.
set_fault 2 "stop_vm ignore"
refused "L-5 a guest that ignores the shutdown" "stop Vm name=m1" \
    "Job failed: Vm m1 did not stop within 3 seconds; use kill Vm"
check "L-5 m1 back to Running on ovs02" test "$(vm_field m1 Status)/$(vm_host m1)" = "Running/ovs02"
check "L-5 the agent of ovs02 still runs m1" agent_runs 2 "$(vmid m1)"
set_fault 2 ""
step "L-5 without the fault m1 stops" "stop Vm name=m1"
check "L-5 m1 Stopped" test "$(vm_field m1 Status)" = Stopped
check "L-5 no agent runs m1" bash -c "! grep -q '$(vmid m1)' <<<'$(agent_vms 2)'"

# L-8: s1 suspended on ovs05, whose agent then stops answering.
step "suspend s1 on ovs05" "suspend Vm name=s1"
check "L-8 s1 Suspended" test "$(vm_field s1 Status)" = Suspended
kill -STOP "$(cat "$work/a5.pid")"
check "L-8 the monitor marks the silent ovs05 Stopped" wait_server_status ovs05 Stopped
refused "L-8 resume needs the server of the suspend image" "resume Vm name=s1" \
    "Vm s1 is suspended on Server ovs05, which is Stopped; resume needs that server or kill the Vm"
check "L-8 s1 still Suspended" test "$(vm_field s1 Status)" = Suspended
kill -CONT "$(cat "$work/a5.pid")"
check "L-8 ovs05 is Running again once its agent answers" wait_server_status ovs05 Running
step "L-8 resume s1 on ovs05" "resume Vm name=s1"
check "L-8 s1 Running on ovs05" test "$(vm_field s1 Status)/$(vm_host s1)" = "Running/ovs05"

# P-8: 32 servers fill a pool; the 33rd is refused.
check "P-8 33 more agents start" p8_start_agents
check "P-8 discover 33 servers" p8_discover
cmds="create ServerPool name=big clusterEnable=No"
for i in $(seq $P8_FIRST $((P8_LAST - 1))); do cmds+="; add Server name=px$i to ServerPool name=big"; done
step "P-8 32 servers join pool big" "$cmds"
ovm "show ServerPool name=big"
check "P-8 big lists 32 servers" test "$(grep -c '^  Server [0-9]* = ' <<<"$out")" -eq 32
refused "P-8 the 33rd server is refused" "add Server name=px$P8_LAST to ServerPool name=big" \
    "ServerPool big already has 32 servers, the maximum"
ovm "show Server name=px$P8_LAST"
check "P-8 px$P8_LAST stays without a pool" test -z "$(field 'Server Pool')"
rv_stop
tap_done
