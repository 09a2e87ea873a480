#!/usr/bin/env bash
# ovm-agentd --driver libvirt against one session-mode libvirtd: through
# XML-RPC, a repository, disks (a qcow2 made by the agent, a qcow2 clone by
# copy_file), a VM whose boot disk is a qcow2 overlay on the boot-sector
# guest; start (seen by virsh, "BOOT OK" in its console file), pause/unpause,
# refusals (XEN_PVM, unknown settings), stop, delete. TAP; bounded waits;
# every daemon and guest is cleaned up by the trap.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/libvirt.sh"

lv_skip_unless_available
lv_agent_skip_unless_driver
work=
cleanup() {
    [ -n "$work" ] && agent_stop "$work/a" >/dev/null 2>&1
    lv_cleanup
    [ -n "$work" ] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

work=$(mktemp -d "$LV_TMP/lvs.XXXXXX")
chmod 755 "$work"
port=$(free_port) || lv_skip "no free port"
A=127.0.0.2
uri=$(lv_host_up smoke) || lv_skip "session libvirtd did not start"
LOC=nfs1:/export/repo1
REPO=0004fb0000030000aaaaaaaaaaaaaaaa
VM=0004fb0000060000bbbbbbbbbbbbbbbb
PVM=0004fb0000060000cccccccccccccccc
MP=/OVS/Repositories/$REPO
EXP=$work/nfs/nfs1/export/repo1
PLUGIN=oracle.generic.NFSPlugin.GenericNFSPlugin
mkdir -p "$work/nfs/nfs1/export/repo1"

nil() { grep -q '<nil/>' <<<"$1" && ! grep -q '<fault>' <<<"$1"; }
has() { grep -qF -- "$2" <<<"$1"; }
call() { xr_call $A "$port" "$@"; }
state_of() { call list_vm "$(xs $REPO)" "$(xs "$1")" | xpath 'string(//member[name="state"]/value/string)'; }

check "agent with --driver libvirt starts" lv_agent_start "$work/a" $A "$port" "$uri" --nfs-root "$work/nfs"
check "agent log names the libvirt URI" grep -qF "libvirt driver: $uri" "$work/a.log"
hw=$(call discover_hardware | result_string)
check "discover_hardware reports the host's CPUs" test "$(xpath 'string(//PhysicalInfo/ThreadsPerCore)' <<<"$hw")" -ge 1
check "discover_hardware TotalPages from libvirt" test "$(xpath 'string(//PhysicalInfo/TotalPages)' <<<"$hw")" -gt 0
fam=$(lv_virsh "$uri" capabilities | sed -n "s/.*<signature family='\([0-9]*\)' model='\([0-9]*\)'.*/\1.\2/p" | head -1)
check "CPU family.model is the host CPU's signature ($fam)" \
    test "$(xpath 'string(//CPU[1]/Family)' <<<"$hw").$(xpath 'string(//CPU[1]/Model)' <<<"$hw")" = "${fam:-none}"
srv=$(call discover_server | result_string)
check "discover_server names QEMU" test "$(xpath 'string(//Hypervisor_Name)' <<<"$srv")" = QEMU

call take_ownership "$(xst "$(xm manager_uuid "$(xs 0004fb00000100001111111111111111)")")" >/dev/null
check "mount_repository_fs" nil "$(call mount_repository_fs "$(xs $LOC)" "$(xs $MP)")"
check "create_repository" nil "$(call create_repository "$(xs $LOC)" "$(xs $MP)" "$(xs $REPO)" "$(xs repo1)")"

ss=$(xst "$(xm uuid "$(xs 0004fb0000090000dddddddddddddddd)")" "$(xm storage_type "$(xs FileSys)")")
sd=$(xst "$(xm uuid "$(xs 0004fb00-0005-0000-eeee-eeeeeeeeeeee)")" "$(xm access_path "$(xs $LOC)")")
r=$(call storage_plugin_create "$(xs $PLUGIN)" "$ss" "$sd" "$(xs $MP/VirtualDisks/data.qcow2)" "$(xs File)" "$(xi 1048576)")
check "storage_plugin_create of a .qcow2 disk" has "$r" "data.qcow2"
check "the agent made it a qcow2 image (qemu-img)" grep -q 'file format: qcow2' <<<"$(qemu-img info "$EXP/VirtualDisks/data.qcow2")"

lv_boot_image "$work/boot.img" || { not_ok "boot-sector guest assembles"; tap_done; exit 1; }
qemu-img convert -q -f raw -O qcow2 "$work/boot.img" "$EXP/VirtualDisks/base.qcow2"
check "copy_file clones a qcow2 image" nil "$(call copy_file "$(xs $MP/VirtualDisks/base.qcow2)" "$(xs $MP/VirtualDisks/clone.qcow2)" "$(xb 1)")"
check "the clone is a qcow2 image" grep -q 'file format: qcow2' <<<"$(qemu-img info "$EXP/VirtualDisks/clone.qcow2")"
qemu-img create -q -f qcow2 -F qcow2 -b "$EXP/VirtualDisks/base.qcow2" "$EXP/VirtualDisks/boot.qcow2" 1M
check "the boot disk is a qcow2 overlay on the boot-sector image" \
    grep -q 'backing file:' <<<"$(qemu-img info "$EXP/VirtualDisks/boot.qcow2")"

vmcfg() { # ID DOMAIN_TYPE [extra members]
    local id=$1 dt=$2
    shift 2
    xst "$(xm name "$(xs "$id")")" "$(xm OVM_simple_name "$(xs smoke)")" "$(xm OVM_domain_type "$(xs "$dt")")" \
        "$(xm builder "$(xs hvm)")" "$(xm memory "$(xi 32)")" "$(xm vcpus "$(xi 1)")" "$(xm boot "$(xs c)")" \
        "$(xm on_crash "$(xs destroy)")" "$(xm vnc "$(xi 0)")" \
        "$(xm disk "$(xa "$(xs "file:$MP/VirtualDisks/boot.qcow2,xvda,w")" "$(xs "file:$MP/VirtualDisks/data.qcow2,xvdb,w")")")" \
        "$(xm vif "$(xa "$(xs mac=00:21:f6:00:00:01,bridge=7f000000)")")" "$@"
}
check "create_vm" nil "$(call create_vm "$(xs $REPO)" "$(xs $VM)" "$(vmcfg $VM xen_hvm)")"
check "start_vm" nil "$(call start_vm "$(xs $REPO)" "$(xs $VM)")"
check "virsh sees the domain running" lv_running_on "$uri" $VM
console=$EXP/VirtualMachines/$VM/console.log
check "the guest prints BOOT OK in its console file" lv_wait_serial "$console" 'BOOT OK' 20
check "the agent log names the console file" grep -qF "console output in $work/a/OVS/Repositories/$REPO/VirtualMachines/$VM/console.log" "$work/a.log"
check "the domain keeps the vm.cfg MAC" grep -q '00:21:f6:00:00:01' <<<"$(lv_virsh "$uri" domiflist $VM)"
check "the domain's disk is the repository file" grep -q "$REPO/VirtualDisks/boot.qcow2" <<<"$(lv_disks_of "$uri" $VM)"
check "list_vm: running" test "$(state_of $VM)" = r-----
check "list_vms lists it" has "$(call list_vms)" "$VM"
r=$(call start_vm "$(xs $REPO)" "$(xs $VM)")
check "start_vm twice faults" has "$(fault_string <<<"$r")" "Domain '$VM' already exists"
check "delete_vm refused while running" has "$(call delete_vm "$(xs $REPO)" "$(xs $VM)")" "<fault>"
check "unmount refused while a VM runs from the repository" has "$(call unmount_repository_fs "$(xs $MP)")" "<fault>"

check "pause_vm" nil "$(call pause_vm "$(xs $REPO)" "$(xs $VM)")"
check "virsh: paused" test "$(lv_domstate "$uri" $VM)" = paused
check "list_vm: paused" test "$(state_of $VM)" = --p---
check "unpause_vm" nil "$(call unpause_vm "$(xs $REPO)" "$(xs $VM)")"
check "virsh: running again" test "$(lv_domstate "$uri" $VM)" = running

lvd=$(lv_host_dir "$uri")
lv_kill_pid "$(lv_daemon_pid "$uri")"
r=$(call list_vm "$(xs $REPO)" "$(xs $VM)")
check "with libvirtd down, list_vm faults (never nil: the VM is not known stopped)" has "$r" "<fault>"
check "the fault text comes from libvirt, not raw stderr" has "$(fault_string <<<"$r")" "libvirt"
lv_as_user "$lvd" libvirtd --daemon && lv_wait_ready "$lvd"
check "after libvirtd restarts, the agent reconnects: list_vm running" test "$(state_of $VM)" = r-----
check "the guest survived the daemon restart" lv_running_on "$uri" $VM

check "save_vm suspends to the VM directory" nil "$(call save_vm "$(xs $REPO)" "$(xs $VM)" "$(xb 0)")"
check "virsh: gone while suspended" lv_wait_state "$uri" $VM absent 10
check "suspend image vm.save in the VM directory" test -s "$EXP/VirtualMachines/$VM/vm.save"
tick=$(lv_last_tick "$console")
check "restore_vm resumes" nil "$(call restore_vm "$(xs $REPO)" "$(xs $VM)" "$(xb 0)")"
check "virsh: running after restore" lv_running_on "$uri" $VM
check "the guest carries on counting (past tick $tick)" lv_wait_serial "$console" "tick $((tick + 2))" 15
check "and did not boot again (one BOOT OK)" test "$(grep -ac 'BOOT OK' "$console")" -eq 1
check "the suspend image is removed" test ! -e "$EXP/VirtualMachines/$VM/vm.save"
check "reboot_vm is passed to the guest" nil "$(call reboot_vm "$(xs $REPO)" "$(xs $VM)" "$(xb 0)")"

call create_vm "$(xs $REPO)" "$(xs $PVM)" "$(vmcfg $PVM xen_pvm)" >/dev/null
r=$(call start_vm "$(xs $REPO)" "$(xs $PVM)")
check "XEN_PVM is refused with a clear fault" has "$(fault_string <<<"$r")" "domain type XEN_PVM cannot run on a QEMU host"
check "no domain was made for it" test -z "$(lv_domstate "$uri" $PVM)"
call configure_vm "$(xs $REPO)" "$(xs $PVM)" "$(vmcfg $PVM xen_hvm "$(xm cpuid "$(xs x)")")" >/dev/null
r=$(call start_vm "$(xs $REPO)" "$(xs $PVM)")
check "an unknown vm.cfg setting is refused" has "$(fault_string <<<"$r")" "vm.cfg setting 'cpuid' is not supported"

check "stop_vm (the guest ignores ACPI: destroyed after the timeout)" nil "$(call stop_vm "$(xs $REPO)" "$(xs $VM)" "$(xb 0)")"
check "virsh: the transient domain is gone" lv_wait_state "$uri" $VM absent 10
check "list_vm: nil" is_nil_result <<<"$(call list_vm "$(xs $REPO)" "$(xs $VM)")"
check "stopping a stopped VM faults" has "$(call stop_vm "$(xs $REPO)" "$(xs $VM)" "$(xb 1)")" "does not exist"
check "delete_vm" nil "$(call delete_vm "$(xs $REPO)" "$(xs $VM)")"
check "VM directory removed" test ! -e "$EXP/VirtualMachines/$VM"
tap_done
