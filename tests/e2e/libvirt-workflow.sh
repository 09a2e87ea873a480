#!/usr/bin/env bash
# The Tier 1 workflow through ovmd and ovmsh against two ovm-agentd processes
# driving real QEMU (TCG) guests, each on its own session libvirtd "host":
# discover, pool, repository, disks, a VM with a NIC, start, live-migrate,
# clone, stop, delete. Every step is checked with list/show AND with virsh on
# both daemons: the domain runs on exactly the host the engine names, and its
# disk is the repository file `show VirtualDisk` names. The VM's boot disk
# holds the boot-sector guest, so "BOOT OK" and its ticks prove a real guest
# ran and kept running across the migration. TAP; bounded waits.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
. "$top_srcdir/tests/lib/libvirt.sh"

lv_skip_unless_available
lv_agent_skip_unless_driver
work=
cleanup() {
    [ -n "$work" ] && ovmd_stop "$work/m" >/dev/null 2>&1
    [ -n "$work" ] && for i in 2 3; do agent_stop "$work/a$i" >/dev/null 2>&1; done
    lv_cleanup
    [ -n "$work" ] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

work=$(mktemp -d "$LV_TMP/lvw.XXXXXX")
chmod 755 "$work"
port=$(free_port)
nfs=$work/nfs
mkdir -p "$nfs/127.0.0.1/repo1"
H[2]=$(lv_host_up ovs02) || lv_skip "session libvirtd for ovs02 did not start"
H[3]=$(lv_host_up ovs03) || lv_skip "session libvirtd for ovs03 did not start"
for i in 2 3; do
    check "libvirt agent ovs0$i on 127.0.0.$i starts" lv_agent_start "$work/a$i" 127.0.0.$i "$port" "${H[$i]}" \
        --nfs-root "$nfs" --hostname ovs0$i
done
check "ovmd starts" ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")"
fleet_n=2

# step DESCRIPTION CMDS: the commands succeed.
step() {
    local t0=$SECONDS
    ovm "$2"
    echo "# $1: $((SECONDS - t0)) s"
    if [ "$rc" -eq 0 ] && ! grep -q 'Status: Failure\|Error Msg' <<<"$out"; then ok "$1"; else
        not_ok "$1"
        printf '# %s\n' "$out" | grep -v '^# *$' | tail -15
    fi
}
idof() { field Id; }
# where NAME: which daemons (2, 3, 23 or none) run the domain NAME.
where() { local r=; lv_running_on "${H[2]}" "$1" && r="${r}2"; lv_running_on "${H[3]}" "$1" && r="${r}3"; echo "${r:-none}"; }
vm_server() { ovm "show Vm name=$1"; sed -n 's/^  Server = .*\[\(.*\)\]$/\1/p' <<<"$out"; }
# same_file A B: the same file (the domain may name it by another path).
same_file() { [ -e "$1" ] && [ -e "$2" ] && [ "$(stat -L -c %d:%i "$1")" = "$(stat -L -c %d:%i "$2")" ]; }
# console_has VM REGEX: the guest's console output (a file the agent keeps
# in the VM's directory of the repository); console_count VM REGEX: lines.
vmdir() { echo "$nfs/127.0.0.1/repo1/VirtualMachines/$1"; }
console_has() { grep -rqaE "$2" "$(vmdir "$1")" 2>/dev/null; }
console_count() { grep -rhacE "$2" "$(vmdir "$1")" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }

step "discover both libvirt hosts" \
    "discoverServer ipAddress=127.0.0.2 password=$AGENT_PASSWORD; discoverServer ipAddress=127.0.0.3 password=$AGENT_PASSWORD"
ovm "show Server name=ovs02"
check "ovs02 is Running and Owned" test "$(field Status)/$(field Ownership)" = "Running/Owned"
ovm "list Server"
check "list Server shows both hosts" test "$(grep -c '  id:.*name:ovs0' <<<"$out")" -eq 2

step "pool with both servers, file server, repository presented" \
    "create ServerPool name=pool1 clusterEnable=No; add Server name=ovs02 to ServerPool name=pool1; add Server name=ovs03 to ServerPool name=pool1; create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs02; refresh FileServer name=nfs1; create Repository name=repo1 on FileSystem name=nfs:/repo1; add ServerPool name=pool1 to Repository name=repo1"
ovm "show Repository name=repo1"
repo=$(idof)
check "repository presented to both servers" test "$(grep -c '^  Presented Server [0-9] = ' <<<"$out")" -eq 2
check "repository marker on the export" grep -q "OVS_REPO_UUID=$repo" "$nfs/127.0.0.1/repo1/.ovsrepo"

step "virtual disks, a VM with both and a NIC" \
    "create VirtualDisk name=boot size=1 sparse=Yes shareable=No on Repository name=repo1; create VirtualDisk name=data size=1 sparse=Yes shareable=No on Repository name=repo1; create Vm name=tiny1 repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=64 cpuCount=1 on ServerPool name=pool1; create VmDiskMapping slot=0 virtualDisk=boot emulatedBlockDevice=No on Vm name=tiny1; create VmDiskMapping slot=1 virtualDisk=data emulatedBlockDevice=No on Vm name=tiny1; create Vnic name=nic1 network=127.0.0.0 on Vm name=tiny1"
ovm "show VirtualDisk name=boot"
boot=$(idof)
bootfile=$nfs/127.0.0.1/repo1/VirtualDisks/$boot
check "show VirtualDisk names the repository file" test "$(field 'Mounted Path')" = "/OVS/Repositories/$repo/VirtualDisks/$boot"
check "the disk file exists on the export" test -f "$bootfile"
# The "installed OS": the boot sector written into the VM's first disk.
check "the boot-sector guest is installed on the boot disk" eval \
    'lv_boot_image "$work/boot.img" && lv_install_boot "$work/boot.img" "$bootfile"'
ovm "show Vm name=tiny1"
vm=$(idof)
check "VM is Stopped with two disks and a Vnic" \
    test "$(field Status)/$(grep -c '^  VmDiskMapping ' <<<"$out")/$(grep -c '^  Vnic ' <<<"$out")" = "Stopped/2/1"
check "vm.cfg on the export" test -f "$nfs/127.0.0.1/repo1/VirtualMachines/$vm/vm.cfg"
check "no daemon has the domain before start" test "$(where "$vm")" = none

step "start the VM" "start Vm name=tiny1"
host=$(vm_server tiny1)
ovm "show Vm name=tiny1"
check "show Vm: Running on a pool server ($host)" test "$(field Status)" = Running -a -n "$host"
h=${host#ovs0}
check "virsh: running on $host's daemon and only there" test "$(where "$vm")" = "$h"
check "virsh domblklist: the first disk is the repository file of show VirtualDisk" \
    same_file "$(lv_disks_of "${H[$h]}" "$vm" | head -1)" "$bootfile"
check "the guest boots (BOOT OK on its console)" eval 'for i in $(seq 1 100); do console_has "$vm" "BOOT OK" && break; sleep 0.2; done; console_has "$vm" "BOOT OK"'
check "and ticks" eval 'for i in $(seq 1 50); do console_has "$vm" "tick 2" && break; sleep 0.2; done; console_has "$vm" "tick 2"'

o=$([ "$h" = 2 ] && echo 3 || echo 2)
step "live-migrate the VM to ovs0$o" "migrate Vm name=tiny1 destServer=ovs0$o"
check "show Vm: runs on ovs0$o" test "$(vm_server tiny1)" = "ovs0$o"
check "virsh: running on ovs0$o's daemon only" test "$(where "$vm")" = "$o"
check "virsh domblklist on ovs0$o: still the repository file" \
    same_file "$(lv_disks_of "${H[$o]}" "$vm" | head -1)" "$bootfile"
qpid=$(cat "$(lv_host_dir "${H[$o]}")/run/libvirt/qemu/run/$vm.pid" 2>/dev/null)
check "a QEMU process runs it on ovs0$o" eval 'kill -0 "$qpid" 2>/dev/null' || ls "$(lv_host_dir "${H[$o]}")/run/libvirt/qemu/run/" | sed "s/^/# /"
n=$(grep -rhao 'tick [0-9]*' "$(vmdir "$vm")" 2>/dev/null | sed 's/tick //' | sort -n | tail -1)
check "the guest keeps ticking after the migration (past tick $n)" eval \
    'for i in $(seq 1 50); do console_has "$vm" "tick $((n + 2))" && break; sleep 0.2; done; console_has "$vm" "tick $((n + 2))"'
check "and did not reboot (one BOOT OK)" test "$(console_count "$vm" 'BOOT OK')" -eq 1

step "stop the VM" "stop Vm name=tiny1"
ovm "show Vm name=tiny1"
check "show Vm: Stopped" test "$(field Status)" = Stopped
check "virsh: no daemon runs it" test "$(where "$vm")" = none
check "no daemon keeps a definition (transient domains)" eval \
    '! lv_virsh "${H[2]}" dominfo "$vm" >/dev/null 2>&1 && ! lv_virsh "${H[3]}" dominfo "$vm" >/dev/null 2>&1'

# Disks grow with qemu-img on a host: a raw image made by create VirtualDisk,
# and a qcow2 image found on the export by refresh Repository.
vsize() { qemu-img info --output=json "$1" 2>/dev/null | sed -n 's/.*"virtual-size": *\([0-9]*\).*/\1/p' | head -1; }
ovm "show VirtualDisk name=data"
datafile=$nfs/127.0.0.1/repo1/VirtualDisks/$(idof)
step "grow the stopped VM's data disk to 2 GiB" "edit VirtualDisk name=data size=2"
check "qemu-img info: the raw data disk is 2 GiB" test "$(vsize "$datafile")" = 2147483648
qemu-img create -q -f qcow2 "$nfs/127.0.0.1/repo1/VirtualDisks/extra.qcow2" 1G
step "refresh Repository finds a qcow2 image" "refresh Repository name=repo1"
step "grow the qcow2 image to 3 GiB" "edit VirtualDisk name=extra.qcow2 size=3"
check "qemu-img info: the qcow2 image is 3 GiB and still qcow2" eval \
    'test "$(vsize "$nfs/127.0.0.1/repo1/VirtualDisks/extra.qcow2")" = 3221225472 && qemu-img info "$nfs/127.0.0.1/repo1/VirtualDisks/extra.qcow2" | grep -q "file format: qcow2"'
step "delete the qcow2 image" "delete VirtualDisk name=extra.qcow2"

step "clone the VM" "clone Vm name=tiny1 destType=Vm destName=tiny1-clone"
ovm "show Vm name=tiny1-clone"
clone=$(idof)
check "clone is Stopped with its own vm.cfg" eval 'test "$(field Status)" = Stopped && test -f "$nfs/127.0.0.1/repo1/VirtualMachines/$clone/vm.cfg"'
cdisks=$(sed -n 's/^  VmDiskMapping [0-9]* = .*(\(.*\))\]$/\1/p' <<<"$out")
check "the clone has copies of both disks" eval 'test "$(wc -w <<<"$cdisks")" -eq 2 && ! grep -q "$boot" <<<"$cdisks"'
step "start the clone" "start Vm name=tiny1-clone"
ch=$(vm_server tiny1-clone)
check "virsh: the clone runs on $ch's daemon only" test "$(where "$clone")" = "${ch#ovs0}"
cfile=$(lv_disks_of "${H[${ch#ovs0}]}" "$clone" | head -1)
# The clone's vm.cfg lists its own devices (it once had disk = [] and
# vif = []: the clone started without a disk).
[ -n "$cfile" ] || grep '^\(disk\|vif\) = ' "$(vmdir "$clone")/vm.cfg" | sed 's/^/# clone vm.cfg: /'
check "virsh domblklist: the clone boots its own copy of the boot disk" \
    eval 'grep -q "$(basename "${cfile:-none}")" <<<"$cdisks" && same_file "$cfile" "$nfs/127.0.0.1/repo1/VirtualDisks/$(basename "$cfile")"'
check "the clone boots too" eval 'for i in $(seq 1 40); do console_has "$clone" "BOOT OK" && break; sleep 0.2; done; console_has "$clone" "BOOT OK"'
step "kill and delete the clone" "kill Vm name=tiny1-clone; delete Vm name=tiny1-clone"
check "virsh: the clone is gone" test "$(where "$clone")" = none
check "clone's vm directory removed" test ! -e "$nfs/127.0.0.1/repo1/VirtualMachines/$clone"

step "delete the VM" "delete Vm name=tiny1"
ovm "list VirtualDisk"
for d in boot data; do
    grep -q "name:$d\$" <<<"$out" && step "delete VirtualDisk $d" "delete VirtualDisk name=$d"
done
check "the disk file is removed from the export" test ! -e "$bootfile"
ovm "list Vm"
check "list Vm is empty" test "$(grep -c '  id:' <<<"$out")" -eq 0
check "virsh: both daemons run nothing" eval \
    'test -z "$(lv_virsh "${H[2]}" list --all --name)" && test -z "$(lv_virsh "${H[3]}" list --all --name)"'
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
