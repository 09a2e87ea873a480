#!/usr/bin/env bash
# Clone customizers, moveVmToRepository and the clone verbs end to end
# (doc/object-model.md §6.7, §6.8; doc/command-language.md §4.7): ovmsh ->
# ovmd -> two simulated agents on 127.0.62.2-3 sharing one NFS export with
# repositories repo1 and repo2. Effects are checked on the export: which
# repository directory holds which disk, sparse against non-sparse copies by
# their allocated blocks, vm.cfg files; failures by injected agent faults.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/e2e/rules-vm-lib.sh"

RV_NET=127.0.62
rv_setup cust 2
rv_pool pool1 ovs02 ovs03
rv_repo pool1
step "repo2 presented to pool1" \
    "create Repository name=repo2 on FileSystem name=nfs:/repo2; add ServerPool name=pool1 to Repository name=repo2"
r1=$nfs/127.0.0.1/repo1
r2=$nfs/127.0.0.1/repo2
nd() { ls "$1/VirtualDisks" 2>/dev/null | wc -l; }
# blocks FILE: allocated 512-byte blocks (du and stat count the same).
blocks() { stat -c %b "$1"; }
ovm "list Network"
mgmt=$(sed -n 's/^  id:[^ ]*  name:\(.*\)$/\1/p' <<<"$out" | head -1)
step "a second VM network" "create Network name=vmnet2 roles=VIRTUAL_MACHINE"
step "src: two private disks and a Vnic" \
    "create VirtualDisk name=d0 size=0.01 sparse=Yes shareable=No on Repository name=repo1; create VirtualDisk name=d1 size=0.01 sparse=Yes shareable=No on Repository name=repo1; create Vm name=src repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=1024 on ServerPool name=pool1; create VmDiskMapping slot=0 virtualDisk=d0 name=m0 on Vm name=src; create VmDiskMapping slot=1 virtualDisk=d1 name=m1 on Vm name=src; create Vnic name=n1 network=$mgmt on Vm name=src"
d0=$(ovm "show VirtualDisk name=d0"; idof)
# 1 MiB of data in a 10 MiB sparse image: a sparse copy keeps the hole
dd if=/dev/urandom of="$r1/VirtualDisks/$d0" bs=1M count=1 seek=2 conv=notrunc status=none
step "other: a Vm with its own disk mapping and Vnic" \
    "create VirtualDisk name=od size=0.01 sparse=Yes shareable=No on Repository name=repo1; create Vm name=other repository=repo1 domainType=XEN_HVM_PV_DRIVERS on ServerPool name=pool1; create VmDiskMapping slot=0 virtualDisk=od name=om on Vm name=other; create Vnic name=on1 network=$mgmt on Vm name=other"

# ---- the customizer and its mappings ----
step "create VmCloneCustomizer on Vm src" "create VmCloneCustomizer name=c1 description=first on Vm name=src"
ovm "show VmCloneCustomizer name=c1"
check "show VmCloneCustomizer: its Vm and description" \
    test "$(sed -n 's/^  Vm = .*\[\(.*\)\]$/\1/p' <<<"$out")/$(field Description)" = "src/first"
check "a customizer's id has type code 0014" grep -q '^  Id = 0004fb00001400' <<<"$out"
refused "a second customizer of the same name on src" "create VmCloneCustomizer name=c1 on Vm name=src" \
    "Vm src already has a VmCloneCustomizer named c1"
step "a customizer of the same name on another Vm is fine" "create VmCloneCustomizer name=oc on Vm name=other"
refused "storage mapping: the disk mapping belongs to another Vm" \
    "create VmCloneStorageMapping cloneType=SPARSE_COPY name=x vmDiskMapping=om repository=repo2 on VmCloneCustomizer name=c1" \
    "VmDiskMapping om does not belong to Vm src of VmCloneCustomizer c1"
refused "storage mapping: THIN_CLONE needs OCFS2 (CL-4)" \
    "create VmCloneStorageMapping cloneType=THIN_CLONE name=x vmDiskMapping=m0 repository=repo1 on VmCloneCustomizer name=c1" \
    "THIN_CLONE needs source and target in the same OCFS2 repository"
refused "storage mapping: unknown repository" \
    "create VmCloneStorageMapping cloneType=SPARSE_COPY name=x vmDiskMapping=m0 repository=nope on VmCloneCustomizer name=c1" \
    "Cannot find Repository with name: nope"
refused "network mapping: the Vnic belongs to another Vm" \
    "create VmCloneNetworkMapping name=x vnic=on1 network=vmnet2 on VmCloneCustomizer name=c1" \
    "Vnic on1 does not belong to Vm src of VmCloneCustomizer c1"
step "storage mapping d0 -> repo2 NON_SPARSE_COPY" \
    "create VmCloneStorageMapping cloneType=NON_SPARSE_COPY name=s0 vmDiskMapping=m0 repository=repo2 on VmCloneCustomizer name=c1"
refused "a second storage mapping of the same disk mapping" \
    "create VmCloneStorageMapping cloneType=SPARSE_COPY name=s0b vmDiskMapping=m0 repository=repo1 on VmCloneCustomizer name=c1" \
    "VmDiskMapping m0 already has a VmCloneStorageMapping in VmCloneCustomizer c1"
step "network mapping n1 -> vmnet2" \
    "create VmCloneNetworkMapping name=nm1 vnic=n1 network=vmnet2 on VmCloneCustomizer name=c1"
ovm "show VmCloneStorageMapping name=s0"
check "show VmCloneStorageMapping: type, disk mapping, repository, customizer" \
    test "$(field 'Clone Type')|$(sed -n 's/^  Repository = .*\[\(.*\)\]$/\1/p' <<<"$out")|$(sed -n 's/^  Vm Clone Customizer = .*\[\(.*\)\]$/\1/p' <<<"$out")" = "NON_SPARSE_COPY|repo2|c1"
ovm "list VmCloneStorageMapping"
check "list VmCloneStorageMapping lists s0" grep -q '  name:s0$' <<<"$out"
ovm "show VmCloneCustomizer name=c1"
check "show VmCloneCustomizer lists both mappings" \
    test "$(grep -c '^  Storage Mapping 1 = \|^  Network Mapping 1 = ' <<<"$out")" -eq 2
refused "edit a storage mapping to THIN_CLONE" "edit VmCloneStorageMapping name=s0 cloneType=THIN_CLONE" \
    "THIN_CLONE needs source and target in the same OCFS2 repository"

# ---- clone with the customizer ----
refused "clone with another Vm's customizer" \
    "clone Vm name=src destType=Vm destName=x serverPool=pool1 cloneCustomizer=oc" \
    "VmCloneCustomizer oc belongs to another Vm, not to Vm src"
n1=$(nd "$r1"); n2=$(nd "$r2")
for i in 2 3; do set_fault "$i" "create_vm fault exceptions.OSError:[Errno 28] No space left on device"; done
ovm "clone Vm name=src destType=Vm destName=broken serverPool=pool1 cloneCustomizer=c1"
check "a customized clone whose create_vm fails, fails" grep -q 'No space left on device' <<<"$out"
for i in 2 3; do set_fault "$i" ""; done
check "and leaves no disk copy in repo1 or repo2" test "$(nd "$r1")/$(nd "$r2")" = "$n1/$n2"
check "and no Vm" test -z "$(vm_field broken Id)"
step "clone src with customizer c1" "clone Vm name=src destType=Vm destName=cl serverPool=pool1 cloneCustomizer=c1"
ovm "show Vm name=cl"
cl=$(idof)
check "the clone's vm.cfg is in repo1 (the default target)" test -f "$r1/VirtualMachines/$cl/vm.cfg"
check "d0's copy went to repo2, d1's to repo1" test "$(nd "$r1")/$(nd "$r2")" = "$((n1 + 1))/$((n2 + 1))"
c0=$(ls "$r2/VirtualDisks" | head -1)
repo2=$(ovm "show Repository name=repo2"; idof)
check "vm.cfg maps the repo2 copy on xvda" grep -q "$repo2/VirtualDisks/$c0,xvda,w" "$r1/VirtualMachines/$cl/vm.cfg"
check_seen "NON_SPARSE_COPY: the copy is fully allocated ($(blocks "$r2/VirtualDisks/$c0") blocks)" \
    "blocks $r2/VirtualDisks/$c0" test "$(blocks "$r2/VirtualDisks/$c0")" -ge 20000
ovm "show VirtualDisk id=$c0"
check "the copy is recorded non-sparse in repo2" test "$(field Sparse)" = "No"
ovm "show Vm name=cl"
check "the clone's Vnic is on vmnet2 (network mapping)" bash -c "grep -q '^  Vnic 1 = ' <<<'$out'"
vn=$(sed -n 's/^  Vnic 1 = \([^ ]*\) .*/\1/p' <<<"$out")
ovm "show Vnic id=$vn"
check "show Vnic of the clone: Network vmnet2" grep -q '^  Network = .*\[vmnet2\]$' <<<"$out"
step "edit the storage mapping to SPARSE_COPY" "edit VmCloneStorageMapping name=s0 cloneType=SPARSE_COPY"
step "clone again" "clone Vm name=src destType=Vm destName=cl2 serverPool=pool1 cloneCustomizer=c1"
c2=$(ls -t "$r2/VirtualDisks" | head -1)
check_seen "SPARSE_COPY keeps the hole ($(blocks "$r2/VirtualDisks/$c2") blocks)" \
    "blocks $r2/VirtualDisks/$c2" test "$(blocks "$r2/VirtualDisks/$c2")" -lt 10000
# (the free space is printed as fmt_gib gives it, e.g. 1023.9899978637695)
ovm "create VirtualDisk name=big size=2000 sparse=Yes shareable=No on Repository name=repo1; create VmDiskMapping slot=2 virtualDisk=big name=mb on Vm name=src; create VmCloneStorageMapping cloneType=NON_SPARSE_COPY name=sb vmDiskMapping=mb repository=repo2 on VmCloneCustomizer name=c1; clone Vm name=src destType=Vm destName=huge cloneCustomizer=c1"
check "MV-4 a full target: a big disk copied non-sparse is refused" \
    grep -q '^Error Msg: Repository repo2 has [0-9.]* GiB free; this operation needs 2000.0 GiB$' <<<"$out"
check "and nothing was copied" test -z "$(vm_field huge Id)"
step "delete the big mapping's storage mapping" "delete VmCloneStorageMapping name=sb"
step "start src" "start Vm name=src"
refused "CL-1 a running Vm is not cloned, customizer or not" \
    "clone Vm name=src destType=Vm destName=hot cloneCustomizer=c1" \
    "Hot clone of running Vm src needs thin clones on an OCFS2 repository; stop the Vm first"
refused "MV-1 a running Vm is not moved" "moveVmToRepository Vm name=src cloneCustomizer=c1 targetRepository=repo2" \
    "Cannot move Vm src: its status is Running"
step "stop src" "stop Vm name=src"

# ---- moveVmToRepository ----
step "a customizer on cl" "create VmCloneCustomizer name=mc on Vm name=cl"
refused "MV-2 the Vm is already there" "moveVmToRepository Vm name=cl CloneCustomizer=mc targetRepository=repo1" \
    "Vm cl is already in Repository repo1"
ovm "show Vm name=cl"
before=$(grep -v '^Time\|^Command\|^Status' <<<"$out")
n1=$(nd "$r1"); n2=$(nd "$r2")
for i in 2 3; do set_fault "$i" "create_vm fault exceptions.OSError:[Errno 28] No space left on device"; done
ovm "moveVmToRepository Vm name=cl CloneCustomizer=mc targetRepository=repo2"
check "a move whose create_vm fails, fails" grep -q 'No space left on device' <<<"$out"
for i in 2 3; do set_fault "$i" ""; done
check "and leaves no copies" test "$(nd "$r1")/$(nd "$r2")" = "$n1/$n2"
ovm "show Vm name=cl"
check "and the Vm as it was" test "$(grep -v '^Time\|^Command\|^Status' <<<"$out")" = "$before"
check "its vm.cfg still in repo1" test -f "$r1/VirtualMachines/$cl/vm.cfg"
step "moveVmToRepository cl to repo2" "moveVmToRepository Vm name=cl CloneCustomizer=mc targetRepository=repo2"
ovm "show Vm name=cl"
check "MV-7 the Vm keeps its id" test "$(idof)" = "$cl"
check "its Repository is repo2" grep -q '^  Repository = .*\[repo2\]$' <<<"$out"
check "vm.cfg moved: in repo2, gone from repo1" \
    bash -c "test -f '$r2/VirtualMachines/$cl/vm.cfg' && ! test -e '$r1/VirtualMachines/$cl'"
check "its two disks moved: repo1 $((n1 - 1)), repo2 $((n2 + 2))" \
    test "$(nd "$r1")/$(nd "$r2")" = "$((n1 - 1))/$((n2 + 2))"
ovm "show Vm name=cl"
for m in $(sed -n 's/^  VmDiskMapping [0-9]* = \([^ ]*\) .*/\1/p' <<<"$out"); do
    ovm "show VmDiskMapping id=$m"
    d=$(sed -n 's/^  Virtual Disk Id = \([^ ]*\).*/\1/p; s/^  Mapping for disk Id (\(.*\))$/\1/p' <<<"$out" | head -1)
    [ -n "$d" ] || d=$(grep -o '0004fb0000120000[0-9a-f]*\.img' <<<"$out" | head -1)
    check "mapping $m maps a disk in repo2 ($d)" test -f "$r2/VirtualDisks/$d"
done
ovm "getVmCfgFileContent Vm name=cl"
check "getVmCfgFileContent prints vm.cfg from repo2" grep -q "$repo2/VirtualDisks" <<<"$out"
check "getVmCfgFileContent: the file's lines" \
    test "$(grep -c '^  ' <<<"$out")" -eq "$(grep -c . "$r2/VirtualMachines/$cl/vm.cfg")"

# ---- the clone verbs ----
nn=$(nd "$r2")
step "cloneVdToRepo VirtualDisk d1 to repo2" "cloneVdToRepo VirtualDisk name=d1 target=repo2 cloneType=NON_SPARSE_COPY"
check "the copy is in repo2" test "$(nd "$r2")" -eq $((nn + 1))
printf 'iso' > "$r1/ISOs/boot.iso"
step "refresh repo1 finds an ISO" "refresh Repository name=repo1"
step "cloneCdToRepo VirtualCdrom boot.iso to repo2" "cloneCdToRepo VirtualCdrom name=boot.iso target=repo2 cloneType=SPARSE_COPY"
check "the ISO copy is in repo2/ISOs" test "$(ls "$r2/ISOs" | wc -l)" -eq 1
refused "clonePdToRepo of an unknown PhysicalDisk (copies with LUNs: clone-pd.sh)" \
    "clonePdToRepo PhysicalDisk name=x target=repo2 cloneType=SPARSE_COPY" \
    "Cannot find PhysicalDisk with name: x"

# ---- deletes ----
step "a storage mapping of disk mapping mb" \
    "create VmCloneStorageMapping cloneType=SPARSE_COPY name=sb2 vmDiskMapping=mb repository=repo2 on VmCloneCustomizer name=c1"
step "delete VmDiskMapping mb" "delete VmDiskMapping name=mb"
ovm "list VmCloneStorageMapping"
check "its storage mapping went with it" bash -c "! grep -q 'name:sb2\$' <<<'$out'"
step "delete a network mapping" "delete VmCloneNetworkMapping name=nm1"
step "a network mapping of VNIC n1 again" \
    "create VmCloneNetworkMapping name=nm2 vnic=n1 network=vmnet2 on VmCloneCustomizer name=c1"
step "delete Vnic n1" "delete Vnic name=n1"
ovm "list VmCloneNetworkMapping"
check "its network mapping went with it" bash -c "! grep -q 'name:nm2\$' <<<'$out'"
step "delete Vm src" "delete Vm name=src"
ovm "list VmCloneCustomizer"
check "V-8 src's customizer went with it, other's stays" test "$(grep -c '  id:' <<<"$out")/$(grep -c 'name:oc$' <<<"$out")" = "2/1"
ovm "list VmCloneStorageMapping"
check "and c1's storage mapping with the customizer" test "$(grep -c '  id:' <<<"$out")" -eq 0
step "delete VmCloneCustomizer" "delete VmCloneCustomizer name=oc"
rv_stop
tap_done
