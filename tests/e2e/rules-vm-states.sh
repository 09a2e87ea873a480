#!/usr/bin/env bash
# doc/object-model.md §5.5, every cell of the Vm action precondition table, for the
# six states STOPPED, STARTING, RUNNING, STOPPING, SUSPENDED and TEMPLATE.
# Each state is held while another job owns the Vm's lock (an agent call
# delayed by fault injection); every action is then submitted in asynchronous
# mode: a refused cell must answer "Cannot <action> Vm <vm>: its status is
# <Status>" (or the rule text named in the table), an allowed cell passes the
# state rule and is only stopped by the lock ("Vm <vm> is locked by job <id>"),
# so nothing is changed by the probes. TAP output; bounded waits.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/e2e/rules-vm-lib.sh"

rv_setup states 2
rv_pool pool1 ovs02 ovs03
rv_repo pool1
step "disks, a VM with a disk and a Vnic, a template, a group" \
    "create VirtualDisk name=d1 size=1 sparse=Yes shareable=No on Repository name=repo1; create VirtualDisk name=dx size=1 sparse=Yes shareable=Yes on Repository name=repo1; create Vm name=v1 repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=1024 on ServerPool name=pool1; create VmDiskMapping slot=0 virtualDisk=d1 on Vm name=v1; create Vnic name=n1 network=127.0.0.0 on Vm name=v1; create Vm name=t1 repository=repo1 domainType=XEN_HVM_PV_DRIVERS on ServerPool name=pool1; create Vnic name=tn network=127.0.0.0 on Vm name=t1; create VmDiskMapping slot=0 virtualCdrom=EMPTY_CDROM on Vm name=t1; create AntiAffinityGroup name=g1 on ServerPool name=pool1"
step "t1 becomes a template" "clone Vm name=t1 destType=VmTemplate destName=tpl; delete Vm name=t1"

# mapping_of VM / vnic_of VM: ids of a VM's first disk mapping and Vnic.
mapping_of() { ovm "show Vm name=$1"; sed -n 's/^  VmDiskMapping 1 = \([^ ]*\) .*/\1/p' <<<"$out"; }
vnic_of() { ovm "show Vm name=$1"; sed -n 's/^  Vnic 1 = \([^ ]*\) .*/\1/p' <<<"$out"; }

# The table: action word, command (VM=@, its mapping=%M, its Vnic=%N), then one
# cell per state in the order Stopped Starting Running Stopping Suspended
# Template: y = allowed, s = refused with the state text, other = exact text.
HOT='Hot clone of running Vm @ needs thin clones on an OCFS2 repository; stop the Vm first'
TPLHA='Templates cannot be highly available'
TPLAAG='Templates cannot join an AntiAffinityGroup'
table=(
    "start|start Vm name=@|y s s s s s"
    "stop|stop Vm name=@|s s y s s s"
    "restart|restart Vm name=@|s s y s s s"
    "kill|kill Vm name=@|y y y y y s"
    "suspend|suspend Vm name=@|s s y s s s"
    "resume|resume Vm name=@|s s s s y s"
    "migrate|migrate Vm name=@ destServer=ovs03|y s y s s s"
    "migrate|migrate Vm name=@ destServerPool=pool1|y s s s s s"
    "clone|clone Vm name=@ destType=Vm destName=c|y s HOT s s y"
    "delete|delete Vm name=@|y s s s s y"
    "edit|edit Vm name=@ description=probe|y y y y y y"
    "edit|edit Vm name=@ startPolicy=BEST_SERVER|y y y y y y"
    "edit|edit Vm name=@ highAvailability=Yes|y y y y y TPLHA"
    "edit|edit Vm name=@ cpuCount=1|y s y s s y"
    "edit|edit Vm name=@ memory=1024|y s y s s y"
    "edit|edit Vm name=@ domainType=XEN_HVM_PV_DRIVERS|y s s s s y"
    "add a disk to|create VmDiskMapping slot=7 virtualDisk=dx on Vm name=@|y s y s s y"
    "remove a disk from|delete VmDiskMapping id=%M|y s y s s y"
    "add a Vnic to|create Vnic name=nx network=127.0.0.0 on Vm name=@|y s y s s y"
    "remove a Vnic from|delete Vnic id=%N|y s y s s y"
    "send a message to|sendVmMessage Vm name=@ key=k message=m log=No|s s y s s s"
    "add to group|add Vm name=@ to AntiAffinityGroup name=g1|y y y y y TPLAAG"
)
states=(Stopped Starting Running Stopping Suspended Template)

# probe_state INDEX VM: checks every row of the table for the state.
probe_state() {
    local col=$1 vm=$2 st=${states[$1]} row action cmd cells cell want map vnic
    map=$(mapping_of "$vm")
    vnic=$(vnic_of "$vm")
    for row in "${table[@]}"; do
        IFS='|' read -r action cmd cells <<<"$row"
        cmd=${cmd//@/$vm}
        cmd=${cmd//%M/$map}
        cmd=${cmd//%N/$vnic}
        read -ra cells <<<"$cells"
        cell=${cells[$col]}
        async "$cmd"
        # §5.5
        case $cell in
            y) if grep -q "^Error Msg: .* is locked by job [0-9]\{13\}$" <<<"$out"; then
                   ok "§5.5 $st: '$cmd' allowed"
               else
                   not_ok "§5.5 $st: '$cmd' allowed"; grep '^Error Msg:\|^Status:' <<<"$out" | sed 's/^/#   /'
               fi ;;
            *) if [ "$cell" = s ]; then want="Cannot $action Vm $vm: its status is $st"; else want=${!cell//@/$vm}; fi
               if grep -qxF "Error Msg: $want" <<<"$out"; then
                   ok "§5.5 $st: '$cmd' refused"
               else
                   not_ok "§5.5 $st: '$cmd' refused"; echo "#   want: $want"
                   grep '^Error Msg:\|^Status:' <<<"$out" | sed 's/^/#   /'
               fi ;;
        esac
    done
}

# hold VM STATE-INDEX AGENTS METHOD CMD: holds METHOD on the agents (the
# agents' "hold" fault: until the rule is removed, at most 110 s, under the
# engine's 120 s agent call timeout, so the probes of one state may take as
# long as a loaded ASan machine needs; a fixed 20 s delay ran out there
# before the last probe), submits CMD
# asynchronously, probes while the job holds the lock, releases the call
# and waits for the job.
hold() {
    local vm=$1 col=$2 agents=$3 method=$4 cmd=$5 a jobid
    for a in $agents; do set_fault "$a" "$method hold 110"; done
    async "$cmd"
    jobid=$(sed -n 's/^JobId: //p' <<<"$out")
    check "${states[$col]}: Vm $vm is ${states[$col]} while job $jobid runs" test "$(vm_field "$vm" Status)" = "${states[$col]}"
    probe_state "$col" "$vm"
    check "${states[$col]}: the state outlived the probes" test "$(vm_field "$vm" Status)" = "${states[$col]}"
    for a in $agents; do set_fault "$a" ""; done
    ovm "show Job id=$jobid"
    local i
    for i in $(seq 1 150); do
        ovm "show Job id=$jobid"
        grep -q '^  Summary Done = Yes' <<<"$out" && break
        sleep 0.2
    done
    check "${states[$col]}: holding job $jobid completed" grep -q '^  Summary State = Success' <<<"$out"
}

hold v1 0 "2 3" configure_vm "edit Vm name=v1 description=hold"
hold v1 1 "2 3" start_vm "start Vm name=v1"
check "v1 is Running after the start" wait_status v1 Running
hold v1 2 "2 3" configure_vm "edit Vm name=v1 description=hold2"
hold v1 3 "2 3" stop_vm "stop Vm name=v1"
check "v1 is Stopped after the stop" wait_status v1 Stopped
step "start and suspend v1" "start Vm name=v1; suspend Vm name=v1"
hold v1 4 "2 3" configure_vm "edit Vm name=v1 description=hold3"
hold tpl 5 "2 3" configure_vm "edit Vm name=tpl description=hold4"

# The probes changed nothing.
ovm "list Vm"
check "no clone was made by the probes" test "$(grep -c '  id:' <<<"$out")" -eq 2
ovm "show Vm name=v1"
check "v1 still has one mapping and one Vnic" test "$(grep -c '^  VmDiskMapping ' <<<"$out")/$(grep -c '^  Vnic ' <<<"$out")" = "1/1"
rv_stop
tap_done
