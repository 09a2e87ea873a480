#!/usr/bin/env bash
# doc/object-model.md §6.3 (V-1..V-9), §6.13 (D-4..D-6) and §6.15 (MSG-1..MSG-3):
# every refused case with its exact Error Msg, the allowed cases with their
# effect in show and on the agent side. TAP output; bounded waits.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/e2e/rules-vm-lib.sh"

rv_setup create 3
rv_pool pool1 ovs02 ovs03
rv_pool pool2 ovs04
rv_repo pool1
R="repository=repo1"

# V-1
refused "V-1 domainType UNKNOWN is refused" "create Vm name=x $R domainType=UNKNOWN on ServerPool name=pool1" \
    "domainType UNKNOWN cannot be set; use XEN_HVM, XEN_HVM_PV_DRIVERS, XEN_PVM or LDOMS_PVM"
# V-2
refused "V-2 LDOMS_PVM does not match a XEN pool" "create Vm name=x $R domainType=LDOMS_PVM on ServerPool name=pool1" \
    "domainType LDOMS_PVM does not match the XEN servers of ServerPool pool1"
# V-3
refused "V-3 XEN_PVM with Oracle Linux 7" "create Vm name=x $R domainType=XEN_PVM osType=\"Oracle Linux 7\" on ServerPool name=pool1" \
    "Oracle Linux 7 and Red Hat Enterprise Linux 7 cannot run as XEN_PVM; use XEN_HVM_PV_DRIVERS"
refused "V-3 XEN_PVM with red hat enterprise linux 7.9 (any case)" \
    "create Vm name=x $R domainType=XEN_PVM osType=\"red hat enterprise linux 7.9\" on ServerPool name=pool1" \
    "Oracle Linux 7 and Red Hat Enterprise Linux 7 cannot run as XEN_PVM; use XEN_HVM_PV_DRIVERS"
step "V-3 XEN_PVM with Oracle Linux 6 is accepted" "create Vm name=pvm $R domainType=XEN_PVM osType=\"Oracle Linux 6\" on ServerPool name=pool1"
refused "V-3 edit osType of a XEN_PVM Vm to Oracle Linux 7" "edit Vm name=pvm osType=\"Oracle Linux 7\"" \
    "Oracle Linux 7 and Red Hat Enterprise Linux 7 cannot run as XEN_PVM; use XEN_HVM_PV_DRIVERS"
# V-4
refused "V-4 memory above memoryLimit" "create Vm name=x $R domainType=XEN_HVM memory=2048 memoryLimit=1024 on ServerPool name=pool1" \
    "memory (2048 MB) must not exceed memoryLimit (1024 MB)"
refused "V-4 cpuCount above cpuCountLimit" "create Vm name=x $R domainType=XEN_HVM cpuCount=4 cpuCountLimit=2 on ServerPool name=pool1" \
    "cpuCount (4) must not exceed cpuCountLimit (2)"
refused "V-4 edit memoryLimit below memory" "edit Vm name=pvm memoryLimit=256" \
    "memory (512 MB) must not exceed memoryLimit (256 MB)"
step "V-4 defaults: memoryLimit = memory, cpuCountLimit = cpuCount" "create Vm name=lim $R domainType=XEN_HVM_PV_DRIVERS memory=2048 cpuCount=3 on ServerPool name=pool1"
ovm "show Vm name=lim"
check "V-4 lim has Max. Memory 2048 and Max. Processors 3" test "$(field 'Max. Memory (MB)')/$(field 'Max. Processors')" = "2048/3"
# V-5
refused "V-5 repository not presented to the pool" "create Vm name=x $R domainType=XEN_HVM on ServerPool name=pool2" \
    "Repository repo1 is not presented to any server of ServerPool pool2"
# V-6
refused "V-6 server outside the pool" "create Vm name=x $R domainType=XEN_HVM server=ovs04 on ServerPool name=pool1" \
    "Server ovs04 is not a VM server of ServerPool pool1"
step "ovs03 becomes a utility-only server" "edit Server name=ovs03 roles=UTILITY"
refused "V-6 server without the VM role" "create Vm name=x $R domainType=XEN_HVM server=ovs03 on ServerPool name=pool1" \
    "Server ovs03 is not a VM server of ServerPool pool1"
step "ovs03 gets the VM role back" "edit Server name=ovs03 roles=VM,UTILITY"
step "V-6 server in the pool with the VM role is accepted" "create Vm name=pinned $R domainType=XEN_HVM server=ovs03 on ServerPool name=pool1"
check "V-6 pinned is assigned to ovs03" test "$(vm_host pinned)" = ovs03
# V-7
step "V-7 highAvailability=Yes is accepted on a Vm" "edit Vm name=lim highAvailability=Yes"
check "V-7 lim is highly available" test "$(vm_field lim 'High Availability')" = Yes
step "a template" "clone Vm name=pvm destType=VmTemplate destName=tpl"
refused "V-7 templates cannot be highly available" "edit Vm name=tpl highAvailability=Yes" "Templates cannot be highly available"
# V-9
refused "V-9 XEN_PVM cannot boot from CDROM" "create Vm name=x $R domainType=XEN_PVM bootOrder=CDROM on ServerPool name=pool1" \
    "XEN_PVM guests cannot boot from CDROM; set networkInstallPath and boot from DISK or PXE"
refused "V-9 edit bootOrder of a XEN_PVM Vm to CDROM" "edit Vm name=pvm bootOrder=DISK,CDROM" \
    "XEN_PVM guests cannot boot from CDROM; set networkInstallPath and boot from DISK or PXE"
step "V-9 XEN_PVM may boot from PXE" "edit Vm name=pvm bootOrder=PXE networkInstallPath=http://127.0.0.1/ol6"
step "V-9 XEN_HVM_PV_DRIVERS may boot from CDROM" "edit Vm name=lim bootOrder=CDROM,DISK"
ovm "list Vm"
check "V-1..V-9 no refused create left a Vm behind" test "$(grep -c '  id:' <<<"$out")" -eq 4

# D-4
step "disks and an HVM Vm" \
    "create VirtualDisk name=priv size=1 sparse=Yes shareable=No on Repository name=repo1; create VirtualDisk name=shared size=1 sparse=Yes shareable=Yes on Repository name=repo1; create VirtualDisk name=e1 size=1 sparse=Yes shareable=No on Repository name=repo1; create Vm name=hvm $R domainType=XEN_HVM on ServerPool name=pool1"
refused "D-4 slot 4 is out of range for XEN_HVM" "create VmDiskMapping slot=4 virtualDisk=e1 on Vm name=hvm" \
    "Slot 4 is out of range for domainType XEN_HVM (0..3)"
step "D-4 slot 3 of XEN_HVM is accepted" "create VmDiskMapping slot=3 virtualDisk=e1 on Vm name=hvm"
ovm "show Vm name=hvm"
check "D-5 an HVM mapping defaults to an emulated device" bash -c "grep -q '^  VmDiskMapping 1 = ' <<<'$out'"
refused "D-4 slot already used" "create VmDiskMapping slot=3 virtualCdrom=EMPTY_CDROM on Vm name=hvm" "Slot 3 of Vm hvm is already used"
step "D-4 slot 103 of a PV-driver Vm is accepted" "create VmDiskMapping slot=103 virtualDisk=priv on Vm name=lim"
# D-5
refused "D-5 XEN_HVM needs emulated devices" "create VmDiskMapping slot=1 virtualCdrom=EMPTY_CDROM emulatedBlockDevice=No on Vm name=hvm" \
    "Vm hvm cannot mix emulated and paravirtual disks"
refused "D-5 XEN_PVM needs paravirtual devices" "create VmDiskMapping slot=0 virtualCdrom=EMPTY_CDROM emulatedBlockDevice=Yes on Vm name=pvm" \
    "Vm pvm cannot mix emulated and paravirtual disks"
refused "D-5 one emulatedBlockDevice value per Vm" "create VmDiskMapping slot=1 virtualCdrom=EMPTY_CDROM emulatedBlockDevice=Yes on Vm name=lim" \
    "Vm lim cannot mix emulated and paravirtual disks"
# D-6
refused "D-6 a non-shareable disk has one mapping" "create VmDiskMapping slot=0 virtualDisk=priv on Vm name=pinned" \
    "VirtualDisk priv is not shareable and is mapped by Vm lim"
ovm "create VmDiskMapping slot=5 virtualDisk=priv on Vm name=lim"
check "D-6 a Vm maps a disk once" grep -q '^Status: Failure$' <<<"$out"
step "D-6 a shareable disk maps into two Vms of one pool" \
    "create VmDiskMapping slot=1 virtualDisk=shared on Vm name=lim; create VmDiskMapping slot=1 virtualDisk=shared on Vm name=pinned"
step "repo1 presented to ovs04, a Vm in pool2" "add Server name=ovs04 to Repository name=repo1; create Vm name=other $R domainType=XEN_HVM_PV_DRIVERS on ServerPool name=pool2"
refused "D-6 a shareable disk stays in one pool" "create VmDiskMapping slot=1 virtualDisk=shared on Vm name=other" \
    "Shareable VirtualDisk shared is used in ServerPool pool1; Vm other is in pool2"
lim=$(sed -n 's/^  Id = //p' <<<"$(ovm 'show Vm name=lim'; echo "$out")" | head -1)
cfg=$nfs/127.0.0.1/repo1/VirtualMachines/$lim/vm.cfg
check "D-4 vm.cfg of lim maps slot 103 and slot 1" bash -c "grep -q 'xvdcz' '$cfg' && grep -q 'xvdb' '$cfg'"

# MSG-1
step "a Vnic on lim and start it" "create Vnic name=n1 network=127.0.0.0 on Vm name=lim; start Vm name=lim"
refused "MSG-1 a message needs a Running Vm" "sendVmMessage Vm name=pinned key=k message=m log=Yes" \
    "Cannot send a message to Vm pinned: its status is Stopped"
# MSG-2
k256=$(printf 'k%.0s' $(seq 256)); k257=${k256}k
# The grammar checks MSG-2 and MSG-3 (grammar/commands.c) with the texts of
# doc/object-model.md §6.15.
refused "MSG-2 key of 257 bytes" "sendVmMessage Vm name=lim key=$k257 message=m log=Yes" "Key is 257 bytes; the limit is 256"
step "MSG-2 key of 256 bytes is accepted" "sendVmMessage Vm name=lim key=$k256 message=m256 log=Yes"
# MSG-3
m1024=$(printf 'm%.0s' $(seq 1024)); m8192=$(printf "$m1024%.0s" 1 2 3 4 5 6 7 8)
refused "MSG-3 1025 bytes with log=Yes" "sendVmMessage Vm name=lim key=a message=${m1024}m log=Yes" \
    "Message is 1025 bytes; the limit is 1024 with log=Yes and 8192 with log=No"
refused "MSG-3 8193 bytes with log=No" "sendVmMessage Vm name=lim key=a message=${m8192}m log=No" \
    "Message is 8193 bytes; the limit is 1024 with log=Yes and 8192 with log=No"
step "MSG-3 1024 bytes with log=Yes and 8192 with log=No are accepted" \
    "sendVmMessage Vm name=lim key=big1 message=$m1024 log=Yes; sendVmMessage Vm name=lim key=big2 message=$m8192 log=No"
host=$(vm_host lim)
state=$work/a${host#ovs0}/domains/$(ovm 'show Vm name=lim'; idof).xml
check "MSG-2/3 the agent of $host received the three messages" \
    bash -c "grep -q 'big2' '$state' && grep -q 'big1' '$state' && grep -q '$k256' '$state'"

# V-8
step "a tag and a group on pinned" "create Tag name=t1; add Tag name=t1 to Vm name=pinned; create AntiAffinityGroup name=g1 on ServerPool name=pool1; add Vm name=pinned to AntiAffinityGroup name=g1; create Vnic name=pn network=127.0.0.0 on Vm name=pinned"
pinned=$(ovm 'show Vm name=pinned'; idof)
ovm "show Vm name=pinned"
pmap=$(sed -n 's/^  VmDiskMapping 1 = \([^ ]*\) .*/\1/p' <<<"$out")
pvnic=$(sed -n 's/^  Vnic 1 = \([^ ]*\) .*/\1/p' <<<"$out")
check "V-8 pinned's vm.cfg exists" test -f "$nfs/127.0.0.1/repo1/VirtualMachines/$pinned/vm.cfg"
step "V-8 delete pinned" "delete Vm name=pinned"
refused "V-8 its mapping is gone" "show VmDiskMapping id=$pmap" "Cannot find VmDiskMapping with id: $pmap"
refused "V-8 its Vnic is gone" "show Vnic id=$pvnic" "Cannot find Vnic with id: $pvnic"
ovm "show AntiAffinityGroup name=g1"
check "V-8 it left the anti-affinity group" bash -c "! grep -q '$pinned' <<<'$out'"
ovm "show Tag name=t1"
check "V-8 it left the tag" bash -c "! grep -q '$pinned' <<<'$out'"
ovm "show VirtualDisk name=shared"
check "V-8 the shared disk stays" grep -q '^Status: Success$' <<<"$out"
check "V-8 the disk image stays on the export" test -f "$nfs/127.0.0.1/repo1/VirtualDisks/$(idof)"
check "V-8 the vm directory is removed from the export" test ! -e "$nfs/127.0.0.1/repo1/VirtualMachines/$pinned"
rv_stop
tap_done
