#!/usr/bin/env bash
# The whole Tier 1 workflow of issue 2 through `ovmsh` against a real ovmd and
# three real ovm-agentd processes on 127.0.0.2-4: discover, pool, file server,
# repository, disks, VMs with NICs, start, migrate, clone, stop, delete. Every
# step is checked in list/show AND on the agent side (its XML-RPC answers and
# the files it keeps for the simulated NFS export). TAP output; bounded waits.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"

work=$(mktemp -d /tmp/ovm-tier1.XXXXXX)
port=$(free_port)
AGENT_PASSWORD=s3cret
cleanup() {
    ovmd_stop "$work/m" >/dev/null 2>&1
    for i in 2 3 4; do agent_stop "$work/a$i" >/dev/null 2>&1; done
    rm -rf "$work"
}
trap cleanup EXIT
nfs=$work/nfs
mkdir -p "$nfs/127.0.0.1/repo1" "$nfs/127.0.0.1/small"

for i in 2 3 4; do
    check "agent on 127.0.0.$i starts" agent_start "$work/a$i" 127.0.0.$i "$port" --nfs-root "$nfs" \
        --hostname ovs0$i --memory-mb 16384
done
check "ovmd starts" ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")"
mgr=$(cat "$work/m/manager-uuid")

# ovm CMDS: runs one exec string; output (CR stripped) in $out, status in $rc.
ovm() {
    out=$(timeout 120 "$OVMSH_BIN" -S "$work/m/engine.sock" -c "$1" 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}")
    rc=$?
}
# step DESCRIPTION CMDS: the commands succeed.
step() {
    ovm "$2"
    if [ "$rc" -eq 0 ] && ! grep -q 'Status: Failure' <<<"$out"; then ok "$1"; else not_ok "$1"; printf '# %s\n' "$out" | head -20; fi
}
# field LABEL: the value of "  LABEL = value" in $out.
field() { sed -n "s/^  $1 = //p" <<<"$out" | head -1; }
idof() { sed -n 's/^  Id = //p' <<<"$out" | head -1; }
agent_vms() { xr_call "127.0.0.$1" "$port" list_vms | xpath '//member[name="name"]/value/string/text()' ; }

step "discover three servers and take ownership" \
    "discoverServer ipAddress=127.0.0.2 password=s3cret; discoverServer ipAddress=127.0.0.3 password=s3cret; discoverServer ipAddress=127.0.0.4 password=s3cret takeOwnership=Yes"
ovm "list Server"
check "list Server shows the three hosts" test "$(grep -c '  id:.*name:ovs0' <<<"$out")" -eq 3
for i in 2 3 4; do
    doc=$(xr_call 127.0.0.$i "$port" discover_server | result_string)
    check "agent 127.0.0.$i is owned by this manager" grep -q "<Manager_Unique_Id>$mgr</Manager_Unique_Id>" <<<"$doc"
done
ovm "show Server name=ovs02"
check "server is Running and Owned" test "$(field Status)/$(field Ownership)" = "Running/Owned"

step "create a server pool and add two servers" \
    "create ServerPool name=pool1 clusterEnable=No; add Server name=ovs02 to ServerPool name=pool1; add Server name=ovs03 to ServerPool name=pool1"
ovm "show ServerPool name=pool1"
pool=$(idof)
check "pool lists both servers" test "$(grep -c '^  Server [0-9] = ' <<<"$out")" -eq 2
for i in 2 3; do
    doc=$(xr_call 127.0.0.$i "$port" discover_server | result_string)
    check "agent 127.0.0.$i is in the pool" grep -q "<Pool_Unique_Id>$pool</Pool_Unique_Id>" <<<"$doc"
done

step "file server, refresh, repository, presentation" \
    "create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs02; refresh FileServer name=nfs1; create Repository name=repo1 on FileSystem name=nfs:/repo1; add ServerPool name=pool1 to Repository name=repo1"
ovm "show Repository name=repo1"
repo=$(idof)
check "repository presented to both pool servers" test "$(grep -c '^  Presented Server [0-9] = ' <<<"$out")" -eq 2
check "repository marker written on the export" grep -q "OVS_REPO_UUID=$repo" "$nfs/127.0.0.1/repo1/.ovsrepo"
for i in 2 3; do
    check "agent 127.0.0.$i has the repository" grep -q "$repo" <<<"$(xr_call 127.0.0.$i "$port" discover_repository_db | result_string)"
done

step "virtual disks and a VM with a disk and a NIC" \
    "create VirtualDisk name=boot size=8 sparse=Yes shareable=No on Repository name=repo1; create VirtualDisk name=data size=2.5 sparse=No shareable=No on Repository name=repo1; create Vm name=web1 repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=1024 cpuCount=2 on ServerPool name=pool1; create VmDiskMapping slot=0 virtualDisk=boot emulatedBlockDevice=No on Vm name=web1; create VmDiskMapping slot=1 virtualDisk=data emulatedBlockDevice=No on Vm name=web1; create Vnic name=nic1 network=127.0.0.0 on Vm name=web1"
ovm "show VirtualDisk name=data"
data=$(idof)
check "disk size rounded to 4 KiB (2.5 GiB)" test "$(field 'Max (GiB)')" = "2.5"
check "disk image exists on the export" test -f "$nfs/127.0.0.1/repo1/VirtualDisks/$data"
check "disk image has the requested size" test "$(stat -c %s "$nfs/127.0.0.1/repo1/VirtualDisks/$data")" -eq 2684354560
ovm "show Vm name=web1"
vm=$(idof)
check "vm is Stopped with two mappings and a Vnic" test "$(field Status)/$(grep -c '^  VmDiskMapping ' <<<"$out")/$(grep -c '^  Vnic ' <<<"$out")" = "Stopped/2/1"
cfg=$nfs/127.0.0.1/repo1/VirtualMachines/$vm/vm.cfg
check "vm.cfg written on the export" test -f "$cfg"
check "vm.cfg has both disks and the vif" bash -c "grep -q xvda '$cfg' && grep -q xvdb '$cfg' && grep -q 'bridge=7f000000' '$cfg'"

step "start the VM" "start Vm name=web1"
ovm "show Vm name=web1"
host=$(sed -n 's/^  Server = .*\[\(.*\)\]$/\1/p' <<<"$out")
check "vm Running on a pool server" test "$(field Status)" = "Running" -a -n "$host"
hostip=127.0.0.${host#ovs0}
check "agent $hostip runs the domain" grep -q "$vm" <<<"$(agent_vms "${host#ovs0}")"

other=$([ "$host" = ovs02 ] && echo ovs03 || echo ovs02)
step "live-migrate the VM to $other" "migrate Vm name=web1 destServer=$other"
ovm "show Vm name=web1"
check "store says the VM runs on $other" grep -q "^  Server = .*\[$other\]$" <<<"$out"
check "agent of $other runs the domain" grep -q "$vm" <<<"$(agent_vms "${other#ovs0}")"
check "agent of $host no longer runs it" bash -c "! grep -q '$vm' <<<'$(agent_vms "${host#ovs0}")'"

ovm "migrate Vm name=web1 destServer=ovs04"
check "live migration outside the pool is refused (M-2)" grep -q "Error Msg: Live migration is only possible within ServerPool pool1; stop Vm web1 to move it to another pool" <<<"$out"

step "stop the VM" "stop Vm name=web1"
check "no agent runs the domain any more" bash -c "! grep -q '$vm' <<<'$(agent_vms 2)$(agent_vms 3)'"

step "clone the VM" "clone Vm name=web1 destType=Vm destName=web1-clone"
ovm "show Vm name=web1-clone"
clone=$(idof)
check "clone is Stopped in pool1" test "$(field Status)" = "Stopped"
check "clone has a new MAC" bash -c "test \"\$(grep -c '^  Vnic ' <<<'$out')\" -eq 1"
check "clone vm.cfg on the export" test -f "$nfs/127.0.0.1/repo1/VirtualMachines/$clone/vm.cfg"
check "clone's disks were copied" test "$(ls "$nfs/127.0.0.1/repo1/VirtualDisks" | wc -l)" -eq 4

step "start and kill the clone, delete it" "start Vm name=web1-clone; kill Vm name=web1-clone; delete Vm name=web1-clone"
check "clone's vm directory removed" test ! -e "$nfs/127.0.0.1/repo1/VirtualMachines/$clone"
ovm "list Vm"
check "only web1 is left" test "$(grep -c '  id:' <<<"$out")" -eq 1

ovm "delete Repository name=repo1"
check "repository in use cannot be deleted" grep -q "Error Msg: Cannot delete Repository repo1: it is in use by Vm web1" <<<"$out"
ovm "list Job"
check "every job is listed" test "$(grep -c '  id:' <<<"$out")" -ge 20
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
