#!/usr/bin/env bash
# OCFS2 file systems and repositories on LUNs (doc/object-model.md §3.1) on a
# real iSCSI target (tgt's tgtd, file-backed LUNs) on loopback addresses of
# its own: create FileSystem physicalDisk= on FileServer writes the header to
# the LUN (read back from the backing file), a repository on it holds a
# VirtualDisk and a running VM, the refusals (LUN too small, already
# formatted in the store or only on the disk, delete FileSystem with a
# repository, takeOwnership of an owned repository, a repository owned
# elsewhere presented), then a rebuilt Manager (a fresh store on another
# host) finds the file system and repository on refresh StorageArray and
# takes ownership, and delete Repository / delete FileSystem leave a blank
# LUN that can be formatted again. TAP output; every wait is bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/loopback.sh"
. "$top_srcdir/tests/lib/tgt.sh"
tgt_require

# Addresses no other test uses; ports checked free on them.
tgt_ip=127.0.66.1
ip_a=127.0.66.2
ip_b=127.0.66.3

work=$(mktemp -d /tmp/ovm-ocfs2.XXXXXX)
port=$(pick_port "$ip_a" "$ip_b" "$tgt_ip"); portal=$(pick_port "$ip_a" "$ip_b" "$tgt_ip"); ctl=$(tgt_pick_control 8300)
AGENT_PASSWORD=s3cret
cleanup() {
    ovmd_stop "$work/m1" >/dev/null 2>&1
    ovmd_stop "$work/m2" >/dev/null 2>&1
    agent_stop "$work/a" >/dev/null 2>&1
    agent_stop "$work/b" >/dev/null 2>&1
    tgt_cleanup
    rm -rf "$work"
}
trap cleanup EXIT

target=iqn.2026-12.org.ovmsh.test:ocfs2
truncate -s 12G "$work/lun1.img"
truncate -s 2G "$work/lun2.img"
truncate -s 12G "$work/lun3.img"
truncate -s 12G "$work/lun4.img"
tgt_start "$tgt_ip" "$portal"
check "tgtd answers on control port $ctl" wait_tgtd
check "tgtadm makes a target with four file-backed LUNs (12, 2, 12 and 12 GiB)" eval \
    'tgtadm_ --op new --mode target --tid 1 -T "$target" &&
     tgtadm_ --op new --mode logicalunit --tid 1 --lun 1 -b "$work/lun1.img" &&
     tgtadm_ --op new --mode logicalunit --tid 1 --lun 2 -b "$work/lun2.img" &&
     tgtadm_ --op new --mode logicalunit --tid 1 --lun 3 -b "$work/lun3.img" &&
     tgtadm_ --op new --mode logicalunit --tid 1 --lun 4 -b "$work/lun4.img" &&
     tgtadm_ --op bind --mode target --tid 1 -I ALL'

# Both hosts see the same OCFS2 contents, as hosts sharing a LUN do.
check "agent A starts" agent_start "$work/a" "$ip_a" "$port" --nfs-root "$work/nfs" --lun-fs-root "$work/lunfs" --hostname ovs66a
check "agent B starts" agent_start "$work/b" "$ip_b" "$port" --nfs-root "$work/nfs" --lun-fs-root "$work/lunfs" --hostname ovs66b
yaml=$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")
check "Manager 1 starts" ovmd_start "$work/m1" "$yaml"

M=m1
ovm() {
    out=$(timeout 120 "$OVMSH_BIN" -S "$work/$M/engine.sock" -c "$1" 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}")
    rc=$?
}
step() {
    ovm "$2"
    if ! grep -q 'Status: Failure' <<<"$out" && [ "$rc" -eq 0 ]; then ok "$1"; else not_ok "$1"; printf '# %s\n' "$out" | head -20; fi
}
failed() {
    ovm "$3"
    if grep -q '^Status: Failure' <<<"$out" && grep -q "^Error Msg: .*$2" <<<"$out"; then ok "$1"
    else not_ok "$1"; printf '# %s\n' "$out" | head -12; fi
}
field() { sed -n "s/^  $1 = //p" <<<"$out" | head -1; }
count() { grep -c '^  id:' <<<"$out"; }
# pd_id LUN: the id of the PhysicalDisk of tgtd's LUN N (its page 0x83 id ends in 0001000N).
p83() { echo "360000000000000000e0000000001000$1"; }
pd_id() {
    local id
    for id in $(ovm "list PhysicalDisk" && sed -n 's/^  id:\([^ ]*\)  name:.*/\1/p' <<<"$out"); do
        ovm "show PhysicalDisk id=$id"
        if [ "$(field 'Page83 ID')" = "$(p83 "$1")" ]; then echo "$id"; return 0; fi
    done
    return 1
}
# header LUN: the header block of a LUN's backing file, as text.
header() { head -c 4096 "$work/lun$1.img" | tr -d '\0'; }
hdr_field() { header "$1" | sed -n "s/^$2=//p"; }

san_setup() { # SERVER: the array on tgtd, refreshed by SERVER
    step "$M: create StorageArray, admin server $1, refresh" \
        "create StorageArray name=san1 storageType=ISCSI plugin=\"Oracle Generic SCSI Plugin\" accessHost=$tgt_ip accessPort=$portal; addAdminServer StorageArray name=san1 server=$1; refresh StorageArray name=san1"
}

step "discover ovs66a" "discoverServer ipAddress=$ip_a password=s3cret"
step "pool1 with ovs66a" "create ServerPool name=pool1 clusterEnable=No; add Server name=ovs66a to ServerPool name=pool1"
san_setup ovs66a
pd1=$(pd_id 1); pd2=$(pd_id 2); pd3=$(pd_id 3)
check "the three LUNs are PhysicalDisks" test -n "$pd1" -a -n "$pd2" -a -n "$pd3"
step "a file server whose admin server reaches the LUNs" \
    "create FileServer name=local1 accessHost=$tgt_ip adminServers=ovs66a"

# --- create FileSystem: refusals, then the format ---
failed "a LUN under 10 GiB is refused" "PhysicalDisk .* has 2.0 GiB; an OCFS2 file system needs at least 10 GiB" \
    "create FileSystem name=small physicalDisk=$pd2 on FileServer name=local1"
failed "a missing disk is refused" "Cannot find PhysicalDisk" \
    "create FileSystem name=nodisk physicalDisk=nosuchdisk on FileServer name=local1"
ovm "list FileSystem"
check "no FileSystem was recorded by the refusals" test "$(count)" -eq 0
step "create FileSystem on LUN 1" "create FileSystem name=ocfs1 physicalDisk=$pd1 description=\"repo disk\" on FileServer name=local1"
ovm "list FileSystem"
check "the FileSystem's id has type code 0005" grep -q '^  id:0004fb0000050000[0-9a-f]\{16\}  name:ocfs1$' <<<"$out"
fsid=$(sed -n 's/^  id:\([^ ]*\)  name:ocfs1$/\1/p' <<<"$out")
ovm "show FileSystem name=ocfs1"
check "show FileSystem: 12.0 GiB" test "$(field 'Size (GiB)')" = 12.0
check "show FileSystem: type OCFS2" test "$(field 'File System Type')" = OCFS2
check "show FileSystem: on the PhysicalDisk" grep -q "^  Physical Disk = $pd1  \[" <<<"$out"
mgr1=$(field 'Manager UUID')
check "show FileSystem: owned by this Manager" test -n "$mgr1"
check "the LUN's backing file starts with the header" test "$(header 1 | head -1)" = "OVMSH-OCFS2 1"
check "the header names the file system" test "$(hdr_field 1 FS_UUID)" = "$fsid"
check "the header names its label" test "$(hdr_field 1 FS_LABEL)" = ocfs1
check "the header names this Manager" test "$(hdr_field 1 MGR_UUID)" = "$mgr1"
failed "the same LUN again is refused" "PhysicalDisk .* already contains a file system (FileSystem ocfs1)" \
    "create FileSystem name=again physicalDisk=$pd1 on FileServer name=local1"
# A header some other Manager wrote, known only on the disk.
printf 'OVMSH-OCFS2 1\nFS_UUID=0004fb0000050000aaaaaaaaaaaaaaaa\nFS_LABEL=theirs\nMGR_UUID=0004fb00000100001111111111111111\nREPO_UUID=\nREPO_ALIAS=\n' |
    dd of="$work/lun3.img" conv=notrunc status=none
failed "a LUN another Manager formatted is refused" \
    "PhysicalDisk .* already contains a file system (theirs, id 0004fb0000050000aaaaaaaaaaaaaaaa, owned by Manager 0004fb00000100001111111111111111)" \
    "create FileSystem name=third physicalDisk=$pd3 on FileServer name=local1"
check "the refused LUN keeps the other header" test "$(hdr_field 3 FS_LABEL)" = theirs
ovm "list FileSystem"
check "still one FileSystem" test "$(count)" -eq 1
failed "a clustered pool on a LUN another Manager formatted fails in its job" \
    "PhysicalDisk .* already contains a file system (theirs" \
    "create ServerPool name=cbad clusterEnable=Yes physicalDisk=$pd3"
ovm "list ServerPool"
check "and leaves no pool" test -z "$(grep cbad <<<"$out")"
ovm "list FileSystem"
check "nor a FileSystem" test "$(count)" -eq 1

# --- a repository on it, a disk, a running VM ---
step "create Repository on the OCFS2 FileSystem" "create Repository name=orepo on FileSystem name=ocfs1"
ovm "show Repository name=orepo"
repo=$(field Id | sed 's/  .*//')
check "the repository's id has type code 0003" grep -q '^0004fb0000030000[0-9a-f]\{16\}$' <<<"$repo"
check "show Repository: 12.0 GiB" test "$(field 'File System Total (GiB)')" = 12.0
check "show Repository: owned by this Manager" test "$(field 'Manager UUID')" = "$mgr1"
check "the header names the repository" test "$(hdr_field 1 REPO_UUID)" = "$repo"
check "the header names its alias" test "$(hdr_field 1 REPO_ALIAS)" = orepo
check "the host made the repository in the LUN's directory" test -f "$work/lunfs/$(p83 1)/.ovsrepo"
check "with its subdirectories" test -d "$work/lunfs/$(p83 1)/VirtualDisks" -a -d "$work/lunfs/$(p83 1)/VirtualMachines"
step "refresh FileSystem reads the LUN's header again" "refresh FileSystem name=ocfs1"
ovm "show FileSystem name=ocfs1"
check "the FileSystem's usage is REPOSITORY" test "$(field Usage)" = REPOSITORY
ovm "list FileSystem"
check "the refresh made no NFS file systems of the file server" test "$(count)" -eq 1
step "present it to pool1" "add ServerPool name=pool1 to Repository name=orepo"
step "a VirtualDisk in it" "create VirtualDisk name=vd1 size=1 sparse=Yes shareable=No on Repository name=orepo"
check "the disk file is in the LUN's directory" eval 'ls "$work/lunfs/$(p83 1)/VirtualDisks/" | grep -q "\.img$"'
step "a VM using it, started" "create Vm name=vm1 repository=orepo domainType=XEN_HVM on ServerPool name=pool1; create VmDiskMapping slot=0 virtualDisk=vd1 on Vm name=vm1; start Vm name=vm1"
ovm "show Vm name=vm1"
check "the VM runs" test "$(field Status)" = Running
check "its configuration is in the LUN's directory" eval 'ls "$work/lunfs/$(p83 1)/VirtualMachines/"*/vm.cfg >/dev/null'

# --- RepositoryExport: an NFS export of the repository on ovs66a, for a backup host ---
exports=$work/a/etc/exports
failed "a bad client host is refused" "Invalid value 'bad host!' for clientHostName" \
    "create RepositoryExport name=bk1 repository=orepo clientHostName=\"bad host!\" on Server name=ovs66a"
failed "an unknown NFS option is refused" "Unknown NFS export option 'rwx'" \
    "create RepositoryExport name=bk1 repository=orepo clientHostName=10.1.2.3 options=\"rw, rwx\" on Server name=ovs66a"
mkdir -p "$work/nfs/127.0.0.1/nrepo"
step "an NFS repository presented to ovs66a" \
    "create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs66a; refresh FileServer name=nfs1; create Repository name=nrepo on FileSystem name=nfs:/nrepo; add Server name=ovs66a to Repository name=nrepo"
failed "an NFS repository is not exported by a server" "Repository nrepo is not on an OCFS2 file system" \
    "create RepositoryExport name=bk1 repository=nrepo clientHostName=10.1.2.3 on Server name=ovs66a"
ovm "list RepositoryExport"
check "the refusals made no RepositoryExport" test "$(count)" -eq 0
check "nor an exports file on the host" test ! -s "$exports"
step "create RepositoryExport" \
    "create RepositoryExport name=bk1 repository=orepo clientHostName=10.1.2.3 options=\"rw, async, no_root_squash\" description=backup on Server name=ovs66a"
ovm "list RepositoryExport"
check "its id has type code 001b" grep -q '^  id:0004fb00001b0000[0-9a-f]\{16\}  name:bk1$' <<<"$out"
ovm "show RepositoryExport name=bk1"
check "show: options as exports(5) writes them" test "$(field Options)" = rw,async,no_root_squash
check "show: the client host" test "$(field 'Client Host Name')" = 10.1.2.3
check "show: the repository and server" eval 'grep -q "^  Repository = $repo  \[orepo\]$" <<<"$out" && grep -q "^  Server = .*\[ovs66a\]$" <<<"$out"'
check "the host's exports file has the line" grep -qx "/OVS/Repositories/$repo 10.1.2.3(rw,async,no_root_squash)" "$exports"
r=$(xr_call "$ip_a" "$port" list_repository_exports)
check "the agent reports it back" eval 'grep -q ">bk1<" <<<"$r" && grep -q ">10.1.2.3<" <<<"$r"'
failed "the same client twice is refused" "Repository orepo is already exported to 10.1.2.3 on Server ovs66a (RepositoryExport bk1)" \
    "create RepositoryExport name=bk9 repository=orepo clientHostName=10.1.2.3 on Server name=ovs66a"
failed "a taken name is refused" "A RepositoryExport named bk1 already exists" \
    "create RepositoryExport name=bk1 repository=orepo clientHostName=backup.example.com on Server name=ovs66a"
step "edit RepositoryExport name and options" "edit RepositoryExport name=bk1 name=bk2 options=ro,sync"
check "the exports file follows" grep -qx "/OVS/Repositories/$repo 10.1.2.3(ro,sync)" "$exports"
failed "an edit with a bad option is refused" "Unknown NFS export option 'fsid=x'" \
    "edit RepositoryExport name=bk2 options=fsid=x"
check "and changes nothing" grep -qx "/OVS/Repositories/$repo 10.1.2.3(ro,sync)" "$exports"
failed "unpresenting an exported repository is refused" "Server ovs66a exports Repository orepo (RepositoryExport bk2); delete the export first" \
    "remove Server name=ovs66a from Repository name=orepo"
step "delete RepositoryExport" "delete RepositoryExport name=bk2"
check "the exports file no longer has it" test -z "$(grep "$repo" "$exports")"
r=$(xr_call "$ip_a" "$port" list_repository_exports)
check "nor does the agent" test -z "$(grep '>10.1.2.3<' <<<"$r")"

failed "delete FileSystem is refused while a repository is on it" "Cannot delete FileSystem ocfs1: it is in use by Repository orepo" \
    "delete FileSystem name=ocfs1"
failed "takeOwnership of a repository this Manager owns is refused" "Repository orepo is already owned by this Manager" \
    "takeOwnership Repository name=orepo"
failed "takeOwnership names a missing pool" "Cannot find ServerPool" \
    "takeOwnership Repository name=orepo serverPool=nopool"
check "the header still names Manager 1" test "$(hdr_field 1 MGR_UUID)" = "$mgr1"
step "stop the VM" "stop Vm name=vm1"

# --- a raw LUN mapped to a VM ---
step "LUN 2 mapped raw to a VM" "create Vm name=raw1 repository=orepo domainType=XEN_HVM on ServerPool name=pool1; create VmDiskMapping slot=0 physicalDisk=$pd2 on Vm name=raw1"
failed "a mapped LUN is not formatted" "Cannot use PhysicalDisk .* it is in use by VmDiskMapping" \
    "create FileSystem name=mapped physicalDisk=$pd2 on FileServer name=local1"

# --- Manager 1 is lost; a rebuilt Manager 2 on host B finds the repository ---
check "Manager 1 stops (its store is not used again)" ovmd_stop "$work/m1"
M=m2
check "Manager 2 starts with an empty store" ovmd_start "$work/m2" "$yaml"
step "discover ovs66b" "discoverServer ipAddress=$ip_b password=s3cret"
san_setup ovs66b
pd1=$(pd_id 1); pd3=$(pd_id 3) # this store's ids
ovm "list FileSystem"
check "refresh StorageArray found the file system by its header" grep -q "^  id:$fsid  name:ocfs1$" <<<"$out"
ovm "list Repository"
check "and the repository, with its id" grep -q "^  id:$repo  name:orepo$" <<<"$out"
ovm "show FileSystem name=theirs"
check "and the file system only LUN 3's header named, with its owner" \
    test "$(field 'Manager UUID')" = 0004fb00000100001111111111111111
failed "a file system owned elsewhere is not deleted" "FileSystem theirs is owned by another Manager (0004fb00000100001111111111111111)" \
    "delete FileSystem name=theirs"
check "its header is intact" test "$(hdr_field 3 FS_LABEL)" = theirs
printf 'OVMSH-WIPED\n' | dd of="$work/lun3.img" conv=notrunc status=none
failed "refresh FileSystem of a LUN wiped behind the Manager's back fails" \
    "PhysicalDisk .* no longer holds FileSystem theirs; refresh its StorageArray" "refresh FileSystem name=theirs"
printf 'OVMSH-OCFS2 1\n' | dd of="$work/lun3.img" conv=notrunc status=none
failed "nor does it take a repository" "FileSystem theirs is owned by another Manager" \
    "create Repository name=r3 on FileSystem name=theirs"
ovm "show Repository name=orepo"
mgr2=$(ovm "show FileSystem name=ocfs1" >/dev/null; ovm "show Repository name=orepo"; field 'Manager UUID')
check "the repository is owned by Manager 1" test "$mgr2" = "$mgr1"
failed "a repository owned elsewhere is not presented" "Repository orepo is owned by another Manager ($mgr1); run takeOwnership Repository first" \
    "add Server name=ovs66b to Repository name=orepo"
pd2=$(pd_id 2); pd4=$(pd_id 4)
failed "a clustered pool on a small LUN is refused" "PhysicalDisk .* has 2.0 GiB; an OCFS2 file system needs at least 10 GiB" \
    "create ServerPool name=pool2 clusterEnable=Yes physicalDisk=$pd2"
step "clustered pool2 whose pool file system is LUN 4, with ovs66b" \
    "create ServerPool name=pool2 clusterEnable=Yes physicalDisk=$pd4; add Server name=ovs66b to ServerPool name=pool2"
ovm "show ServerPool name=pool2"
check "pool2 is clustered" test "$(field Clustered)" = Yes
check "its pool file system is the LUN's new FileSystem" grep -q '^  Pool File System = .*\[pool2 pool file system\]$' <<<"$out"
ovm "show FileSystem name=\"pool2 pool file system\""
check "that FileSystem is OCFS2, used as a pool file system" eval \
    'test "$(field Usage)" = POOL_FS && test "$(field "File System Type")" = OCFS2 && grep -q "^  Physical Disk = $pd4  \[" <<<"$out"'
check "LUN 4's header names it" test "$(hdr_field 4 FS_LABEL)" = "pool2 pool file system"
pfs=$(AGENT_CLIENT_PKI=$work/m2/pki xr_call "$ip_b" "$port" discover_pool_filesystem | result_string) # B trusts Manager 2
check "ovs66b mounted the LUN's OCFS2 file system as its pool file system" eval \
    'grep -q "<Type>ocfs2</Type>" <<<"$pfs" && grep -q "<Target>/dev/mapper/$(p83 4)</Target>" <<<"$pfs" && grep -q "<Mounted>True</Mounted>" <<<"$pfs"'
check "the pool file system is mounted from the shared LUN directory" test -d "$work/lunfs/$(p83 4)"
failed "its FileSystem is not deleted under the pool" "Cannot delete FileSystem pool2 pool file system: it is in use by ServerPool pool2" \
    "delete FileSystem name=\"pool2 pool file system\""
step "takeOwnership Repository" "takeOwnership Repository name=orepo serverPool=pool2"
ovm "show Repository name=orepo"
mgr2=$(field 'Manager UUID')
check "the repository is now owned by Manager 2" test -n "$mgr2" -a "$mgr2" != "$mgr1"
check "the header names Manager 2" test "$(hdr_field 1 MGR_UUID)" = "$mgr2"
check "the header still names the repository" test "$(hdr_field 1 REPO_UUID)" = "$repo"
failed "takeOwnership twice is refused" "Repository orepo is already owned by this Manager" \
    "takeOwnership Repository name=orepo"
step "present it to pool2 and refresh it" "add ServerPool name=pool2 to Repository name=orepo; refresh Repository name=orepo"
ovm "list VirtualDisk"
check "the refresh finds the VirtualDisk Manager 1 made" test "$(count)" -eq 1

# --- delete Repository, delete FileSystem: a blank LUN again ---
vd=$(sed -n 's/^  id:\([^ ]*\)  name:.*/\1/p' <<<"$out")
step "delete the disk and the repository" "delete VirtualDisk id=$vd; remove ServerPool name=pool2 from Repository name=orepo; delete Repository name=orepo"
check "the header names no repository" test -z "$(hdr_field 1 REPO_UUID)"
check "the header still names the file system" test "$(hdr_field 1 FS_UUID)" = "$fsid"
step "delete FileSystem" "delete FileSystem name=ocfs1"
check "the header is wiped" test "$(header 1 | head -1)" = "OVMSH-WIPED"
ovm "list FileSystem"
check "the other Manager's and the pool's FileSystems are left" test "$(count)" -eq 2 -a -z "$(grep ocfs1 <<<"$out")"
step "refresh StorageArray finds nothing on the wiped LUN" "refresh StorageArray name=san1"
ovm "list FileSystem"
check "still two FileSystems" test "$(count)" -eq 2
step "the wiped LUN formats again (on a file server of Manager 2)" \
    "create FileServer name=local2 accessHost=$tgt_ip adminServers=ovs66b; create FileSystem name=ocfs1b physicalDisk=$pd1 on FileServer name=local2"
check "its header names the new file system" test "$(hdr_field 1 FS_LABEL)" = ocfs1b

# --- the array vanishes: delete FileSystem fails and keeps it ---
stop_tgtd
failed "with the array gone, delete FileSystem fails on the agent" "Job failed on Server ovs66b: .*cannot connect to iSCSI portal" \
    "delete FileSystem name=ocfs1b"
ovm "list FileSystem"
check "the FileSystem is kept" grep -q "name:ocfs1b$" <<<"$out"
failed "the array is not deleted under its file systems" "Cannot delete StorageArray san1: its PhysicalDisk .* is in use by FileSystem" \
    "delete StorageArray name=san1"

check "Manager 2 stops cleanly" ovmd_stop "$work/m2"
check "agent B stops cleanly" agent_stop "$work/b"
tap_done
