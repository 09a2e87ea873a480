#!/usr/bin/env bash
# doc/object-model.md §6.8 simple clone (CL-1, CL-2, CL-5..CL-8, CL-10) and the
# backup/clone scripts of doc/command-language.md §12.6, exportVirtualAppliance
# included (customizers and moves in depth: clone-customizer.sh; appliances in
# depth: appliances.sh). Effects checked on
# the NFS export.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/e2e/rules-vm-lib.sh"

rv_setup clone 3
rv_pool pool1 ovs02 ovs03
rv_pool pool2 ovs04
rv_repo pool1
exp=$nfs/127.0.0.1/repo1
step "an ISO found by refresh" "refresh Repository name=repo1"
printf 'iso' > "$exp/ISOs/boot.iso"
step "refresh Repository" "refresh Repository name=repo1"
iso=$(ovm "list VirtualCdrom"; sed -n 's/^  id:\([^ ]*\)  name:.*/\1/p' <<<"$out" | head -1)
step "src with a private disk, a shareable disk, the ISO and a Vnic" \
    "create VirtualDisk name=priv size=1 sparse=Yes shareable=No on Repository name=repo1; create VirtualDisk name=sh size=1 sparse=Yes shareable=Yes on Repository name=repo1; create Vm name=src repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=1024 on ServerPool name=pool1; create VmDiskMapping slot=0 virtualDisk=priv on Vm name=src; create VmDiskMapping slot=1 virtualDisk=sh on Vm name=src; create VmDiskMapping slot=2 virtualCdrom=$iso on Vm name=src; create Vnic name=n1 network=127.0.0.0 on Vm name=src"
ovm "show Vm name=src"
src=$(idof); srcmac=$(sed -n 's/^  Vnic 1 = .*\[\(.*\)\]$/\1/p' <<<"$out")

# CL-1
step "start src" "start Vm name=src"
refused "CL-1 a running Vm on an NFS repository is not cloned (hot clones need OCFS2)" "clone Vm name=src destType=Vm destName=hot" \
    "Hot clone of running Vm src needs thin clones on an OCFS2 repository; stop the Vm first"
step "stop src" "stop Vm name=src"
# CL-10 (customizers are supported since issue 11: an unknown one is not found)
refused "CL-10 clone with an unknown customizer" "clone Vm name=src destType=Vm destName=x serverPool=pool1 cloneCustomizer=c" \
    "Cannot find VmCloneCustomizer with name: c"
# CL-6 with V-5
refused "CL-6 V-5 applies to the clone's pool" "clone Vm name=src destType=Vm destName=x serverPool=pool2" \
    "Repository repo1 is not presented to any server of ServerPool pool2"
# CL-2, CL-5, CL-6, CL-8
# A clone whose vm.cfg cannot be written fails and leaves no disk copy: the
# copies it made are removed again (the job's undo list).
ndisks=$(ls "$exp/VirtualDisks" | wc -l)
for i in 2 3 4; do set_fault "$i" "create_vm fault exceptions.OSError:[Errno 28] No space left on device"; done
ovm "clone Vm name=src destType=Vm destName=broken"
check "a clone whose create_vm fails, fails" grep -q 'No space left on device' <<<"$out"
for i in 2 3 4; do rm -f "$work/a$i/faults"; done
check "and leaves no disk copy on the export" test "$(ls "$exp/VirtualDisks" | wc -l)" -eq "$ndisks"
check "and no Vm" test -z "$(vm_field broken Id)"
# An edit or a disk mapping whose vm.cfg the agent refuses leaves the Vm as
# it was: the job rolls its store changes back.
step "a spare disk" "create VirtualDisk name=spare size=1 sparse=Yes shareable=No on Repository name=repo1"
ovm "show Vm name=src"
src_before=$(grep -v '^Time\|^Command\|^Status' <<<"$out")
for i in 2 3 4; do set_fault "$i" "configure_vm fault exceptions.OSError:[Errno 28] No space left on device"; done
ovm "edit Vm name=src name=src2 memory=2048 description=changed"
check "an edit whose vm.cfg the agent refuses fails" grep -q 'No space left on device' <<<"$out"
ovm "create VmDiskMapping slot=3 virtualDisk=spare on Vm name=src"
check "a new disk mapping the agent refuses fails" grep -q 'No space left on device' <<<"$out"
ovm "delete VmDiskMapping id=$(ovm "show Vm name=src"; sed -n 's/^  VmDiskMapping 2 = \([^ ]*\) .*/\1/p' <<<"$out")"
check "an unmapping the agent refuses fails" grep -q 'No space left on device' <<<"$out"
for i in 2 3 4; do rm -f "$work/a$i/faults"; done
ovm "show Vm name=src"
check "and show Vm src is as before (name, memory, description, mappings)" \
    test "$(grep -v '^Time\|^Command\|^Status' <<<"$out")" = "$src_before"
step "the spare disk goes" "delete VirtualDisk name=spare"
step "CL-6 clone src to a Vm" "clone Vm name=src destType=Vm destName=cl"
ovm "show Vm name=cl"
cl=$(idof)
check "CL-6 the clone is Stopped in the source's pool" \
    test "$(field Status)/$(sed -n 's/^  Server Pool = .*\[\(.*\)\]$/\1/p' <<<"$out")" = "Stopped/pool1"
check "CL-8 the clone has a new id" test -n "$cl" -a "$cl" != "$src"
clmac=$(sed -n 's/^  Vnic 1 = .*\[\(.*\)\]$/\1/p' <<<"$out")
check "CL-8 its Vnic has a new MAC ($clmac, source $srcmac)" test -n "$clmac" -a "$clmac" != "$srcmac"
check "CL-2 the ISO is not cloned: an empty drive" grep -q '^  VmDiskMapping [0-9] = .*\[Mapping for disk Id (EMPTY_CDROM)\]$' <<<"$out"
shid=$(ovm "show VirtualDisk name=sh"; idof)
check "CL-5 the shareable disk is mapped, not copied" grep -q "Mapping for disk Id ($shid)" <<<"$out"
privid=$(ovm "show VirtualDisk name=priv"; idof)
check "CL-2 the private disk is copied" bash -c "! grep -q 'Mapping for disk Id ($privid)' <<<'$out'"
check "CL-2 the copy exists on the export" test "$(ls "$exp/VirtualDisks" | wc -l)" -eq 3
check "CL-2 the clone's vm.cfg is in the same repository" test -f "$exp/VirtualMachines/$cl/vm.cfg"
# The clone's vm.cfg lists its own devices, as show Vm does: the copied disk,
# the shared disk, the empty drive and the new MAC (it listed none before).
cfg=$(cat "$exp/VirtualMachines/$cl/vm.cfg" 2>/dev/null)
copyid=$(ls "$exp/VirtualDisks" | grep -v -e "^$privid\$" -e "^$shid\$" | head -1)
check "CL-2 the clone's vm.cfg maps the copy ($copyid) on xvda" \
    grep -q "file:/OVS/Repositories/[0-9a-f]*/VirtualDisks/$copyid,xvda,w'" <<<"$cfg"
check "CL-5 the clone's vm.cfg maps the shareable disk on xvdb" \
    grep -q "file:/OVS/Repositories/[0-9a-f]*/VirtualDisks/$shid,xvdb,w!'" <<<"$cfg"
check "CL-2 the clone's vm.cfg has an empty drive on xvdc" grep -q "',xvdc:cdrom,r'" <<<"$cfg"
check "CL-8 the clone's vm.cfg has the new MAC" grep -q "mac=$clmac,bridge=" <<<"$cfg"
check "the source's vm.cfg is unchanged: its own disk" \
    grep -q "VirtualDisks/$privid,xvda,w'" "$exp/VirtualMachines/$src/vm.cfg"
# CL-7
step "CL-7 clone src to a template" "edit Vm name=src highAvailability=Yes; clone Vm name=src destType=VmTemplate destName=tp"
ovm "show Vm name=tp"
check "CL-7 the template: Template, no pool, High Availability No" \
    test "$(field Status)/$(field 'Server Pool')/$(field 'High Availability')" = "Template//No"
step "CL-6 a Vm cloned from a template is Unassigned" "clone Vm name=tp destType=Vm destName=fromtp"
check "CL-6 fromtp has no pool" test -z "$(vm_field fromtp 'Server Pool')"

# doc/command-language.md §12.6: the backup/clone script; its wrong steps fail cleanly
step "§12.6 create VmCloneCustomizer" "create VmCloneCustomizer name=c on Vm name=src"
refused "§12.6 create VmCloneStorageMapping of an unknown disk mapping" \
    "create VmCloneStorageMapping cloneType=SPARSE_COPY name=s vmDiskMapping=x repository=repo1 on VmCloneCustomizer name=c" \
    "Cannot find VmDiskMapping with name: x"
refused "§12.6 moveVmToRepository with another Vm's customizer" \
    "moveVmToRepository Vm name=cl CloneCustomizer=c targetRepository=repo1" \
    "VmCloneCustomizer c belongs to another Vm, not to Vm cl"
step "§12.6 rename, unassign and tag the clone" "edit vm name=cl name=z; migrate Vm name=z; create tag name=bk; add tag name=bk to Vm name=z"
check "§12.6 z is Unassigned" test -z "$(vm_field z 'Server Pool')"
step "§12.6 exportVirtualAppliance" "exportVirtualAppliance Repository name=repo1 name=z vms=z"
ovm "list VirtualAppliance"
check "§12.6 the export is a VirtualAppliance z" grep -q 'name:z$' <<<"$out"
ovm "list Vm"
check "§12.6 the export and the failed steps created no Vm" test "$(grep -c '  id:' <<<"$out")" -eq 4
rv_stop
tap_done
