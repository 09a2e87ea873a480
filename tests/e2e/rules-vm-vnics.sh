#!/usr/bin/env bash
# add Vnic to Vm and remove Vnic from Vm (doc/object-model.md §6.14): since
# Oracle VM 3.3.1 a Vnic always belongs to a Vm, so adding one to a Vm moves
# it there with its MAC and network, and removing it from its Vm deletes it.
# Checked in the store (show) and in the vm.cfg files the agents wrote; the
# state rules, N-2, and a source agent that fails half way (the Vnic goes
# back). TAP; bounded waits.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/e2e/rules-vm-lib.sh"

RV_NET=127.0.68
rv_setup vnics 2
rv_pool pool1 ovs02 ovs03
rv_repo pool1
R="repository=repo1 domainType=XEN_HVM_PV_DRIVERS"
M1=00:21:f6:00:10:01 M2=00:21:f6:00:10:02

# cfg_has VM MAC: the Vm's vm.cfg in the repository names MAC.
cfg_has() {
    local id f
    ovm "show Vm name=$1"; id=$(idof)
    f=$(find "$nfs" -path "*/VirtualMachines/$id/vm.cfg" | head -1)
    [ -n "$f" ] && grep -qi "$2" "$f"
}
vnic_vm() { ovm "show Vnic name=$1"; sed -n 's/^  Vm = .*\[\(.*\)\]$/\1/p' <<<"$out"; }

step "two stopped Vms, a Vnic on a" "create Vm name=a $R on ServerPool name=pool1; create Vm name=b $R on ServerPool name=pool1; create Vnic name=v1 network=$RV_NET.0 macAddress=$M1 on Vm name=a"
check "a's vm.cfg has the Vnic" cfg_has a $M1
step "add Vnic to Vm moves it" "add Vnic name=v1 to Vm name=b"
check "show Vnic: it is on b" test "$(vnic_vm v1)" = b
ovm "show Vnic name=v1"
check "it keeps its MAC and network" eval 'grep -q "^  Mac Address = $M1\$" <<<"$out" || grep -qi "$M1" <<<"$out"'
check "b's vm.cfg has it, a's no longer" eval 'cfg_has b $M1 && ! cfg_has a $M1'
ovm "list Job"
check "the job is named Add Vnic: v1 to Vm: b" eval 'grep -q "Add Vnic: v1 to Vm: b" <<<"$out"'
refused "adding it to its own Vm" "add Vnic name=v1 to Vm name=b" "Vnic v1 is already on Vm b"
refused "removing it from a Vm it is not on" "remove Vnic name=v1 from Vm name=a" "Vnic v1 is not on Vm a"

step "b runs on ovs03, a on ovs02" "edit Vm name=a startPolicy=CURRENT_SERVER; edit Vm name=b startPolicy=CURRENT_SERVER; migrate Vm name=a destServer=ovs02; migrate Vm name=b destServer=ovs03; start Vm name=a; start Vm name=b"
step "a running Vm takes the Vnic from another running one (hot plug)" "add Vnic name=v1 to Vm name=a"
check "it is on a, in a's vm.cfg only" eval 'test "$(vnic_vm v1)" = a && cfg_has a $M1 && ! cfg_has b $M1'

# The source (a on ovs02) fails its rewrite after the destination (b on ovs03) took the Vnic.
set_fault 2 "configure_vm fault exceptions.RuntimeError:disk full"
ovm "add Vnic name=v1 to Vm name=b"
check "a failing source agent fails the job with its text" \
    eval 'grep -qx "Status: Failure" <<<"$out" && grep -q "^Error Msg: .*disk full" <<<"$out"'
set_fault 2 ""
check "the Vnic is back on a" test "$(vnic_vm v1)" = a
check "and only in a's vm.cfg: b's rewrite was undone" eval 'cfg_has a $M1 && ! cfg_has b $M1'
set_fault 3 "configure_vm fault exceptions.RuntimeError:no bridge"
ovm "add Vnic name=v1 to Vm name=b"
check "a failing destination agent fails the job" \
    eval 'grep -qx "Status: Failure" <<<"$out" && grep -q "^Error Msg: .*no bridge" <<<"$out"'
set_fault 3 ""
check "the Vnic stayed on a, a's vm.cfg unchanged" eval 'test "$(vnic_vm v1)" = a && cfg_has a $M1 && ! cfg_has b $M1'

step "suspend b" "suspend Vm name=b"
refused "a suspended destination is refused" "add Vnic name=v1 to Vm name=b" \
    "Cannot add a Vnic to Vm b: its status is Suspended"
step "resume b, suspend a" "resume Vm name=b; suspend Vm name=a"
refused "a suspended source is refused" "add Vnic name=v1 to Vm name=b" \
    "Cannot remove a Vnic from Vm a: its status is Suspended"
step "resume a" "resume Vm name=a"

cmds="create Vm name=h $R on ServerPool name=pool1; edit Vm name=h domainType=XEN_HVM"
for i in 1 2 3 4 5 6 7 8; do cmds+="; create Vnic name=h$i network=$RV_NET.0 on Vm name=h"; done
step "an XEN_HVM Vm with 8 Vnics" "$cmds"
refused "N-2 the destination's Vnic limit holds" "add Vnic name=v1 to Vm name=h" \
    "Vm h already has 8 Vnics, the maximum for domainType XEN_HVM"

step "remove Vnic from Vm deletes it" "remove Vnic name=v1 from Vm name=a"
ovm "show Vnic name=v1"
check "the Vnic is gone" grep -qx "Status: Failure" <<<"$out"
check "and out of a's vm.cfg" eval '! cfg_has a $M1'
step "its MAC can be used again" "create Vnic name=v2 network=$RV_NET.0 macAddress=$M1 on Vm name=b"
check "the Vnic-to-Network forms still work" eval 'ovm "remove Vnic name=v2 from Network name=$RV_NET.0; add Vnic name=v2 to Network name=$RV_NET.0"; grep -q "^Status: Success" <<<"$out"'
rv_stop
tap_done
