#!/usr/bin/env bash
# Disk copies between images and LUNs, thin clones and hot clones (issue 11,
# doc/command-language.md §4.4 Disk copies; doc/object-model.md Thin and hot
# clones) on a real iSCSI target (tgtd, file-backed LUNs) on loopback
# addresses of its own: cloneVdToPd writes an image's blocks to a LUN,
# clonePdToRepo makes a VirtualDisk of a LUN, clonePdToPd copies a LUN to
# another; every copy is checked against the bytes of the LUNs' backing
# files (the only way data reaches them is through the agent's iSCSI
# session). The refusals (LUN too small, with a file system, mapped to a VM,
# THIN_CLONE, repository full), a LUN deleted from its target (the job fails
# and leaves no VirtualDisk and no file), THIN_CLONE on the OCFS2 repository
# (a reflink where the file system shares extents, else a clear failure that
# leaves nothing) and the hot clone of a running VM (OCFS2 only; the VM keeps
# running). TAP output; every wait is bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/loopback.sh"
. "$top_srcdir/tests/lib/tgt.sh"
tgt_require

tgt_ip=127.0.73.1
ip_a=127.0.73.2
work=$(mktemp -d /tmp/ovm-clonepd.XXXXXX)
# The OCFS2 contents live in a plain directory (--lun-fs-root); thin clones
# need one on a file system that shares extents. OVM_TEST_REFLINK_DIR names
# such a place (e.g. an XFS mounted with reflink=1); without it the file
# system of /tmp decides, and on ext4 the THIN_CLONE checks expect the failure.
lunfs=$work/lunfs
[ -n "${OVM_TEST_REFLINK_DIR:-}" ] && lunfs=$(mktemp -d "$OVM_TEST_REFLINK_DIR/ovm-lunfs.XXXXXX")
port=$(pick_port "$ip_a" "$tgt_ip"); portal=$(pick_port "$ip_a" "$tgt_ip"); ctl=$(tgt_pick_control 8700)
AGENT_PASSWORD=s3cret
cleanup() {
    ovmd_stop "$work/m" >/dev/null 2>&1
    agent_stop "$work/a" >/dev/null 2>&1
    tgt_cleanup
    rm -rf "$work" "$lunfs"
}
trap cleanup EXIT

target=iqn.2026-12.org.ovmsh.test:clonepd
truncate -s 12G "$work/lun1.img"
truncate -s 64M "$work/lun2.img" "$work/lun3.img"
truncate -s 16M "$work/lun4.img"
truncate -s 12G "$work/lun5.img"
# Old contents the copies must overwrite, zeros included.
head -c 1M /dev/urandom | dd of="$work/lun2.img" bs=1M seek=20 conv=notrunc status=none
tgt_start "$tgt_ip" "$portal"
check "tgtd answers on control port $ctl" wait_tgtd
check "tgtadm makes a target with five LUNs (12 GiB, 64 MiB, 64 MiB, 16 MiB, 12 GiB)" eval \
    'tgtadm_ --op new --mode target --tid 1 -T "$target" &&
     for n in 1 2 3 4 5; do tgtadm_ --op new --mode logicalunit --tid 1 --lun $n -b "$work/lun$n.img" || exit 1; done &&
     tgtadm_ --op bind --mode target --tid 1 -I ALL'
check "agent A starts" agent_start "$work/a" "$ip_a" "$port" --nfs-root "$work/nfs" --nfs-size-gb 11 \
    --lun-fs-root "$lunfs" --hostname ovs73a
yaml=$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")
check "the Manager starts" ovmd_start "$work/m" "$yaml"

ovm() {
    out=$(timeout 300 "$OVMSH_BIN" -S "$work/m/engine.sock" -c "$1" 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}")
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
p83() { echo "360000000000000000e0000000001000$1"; }
pd_id() {
    local id
    for id in $(ovm "list PhysicalDisk" && sed -n 's/^  id:\([^ ]*\)  name:.*/\1/p' <<<"$out"); do
        ovm "show PhysicalDisk id=$id"
        if [ "$(field 'Page83 ID')" = "$(p83 "$1")" ]; then echo "$id"; return 0; fi
    done
    return 1
}
vd_id() { ovm "show VirtualDisk name=\"$1\""; field Id | sed 's/  .*//'; }
vd_count() { ovm "list VirtualDisk"; count; }
odisks=$lunfs/$(p83 1)/VirtualDisks
# same_bytes A B N: the first N bytes of files A and B are equal.
same_bytes() { cmp -s -n "$3" "$1" "$2"; }

step "discover ovs73a, pool1" \
    "discoverServer ipAddress=$ip_a password=s3cret; create ServerPool name=pool1 clusterEnable=No; add Server name=ovs73a to ServerPool name=pool1"
step "the array on tgtd, refreshed" \
    "create StorageArray name=san1 storageType=ISCSI plugin=\"Oracle Generic SCSI Plugin\" accessHost=$tgt_ip accessPort=$portal; addAdminServer StorageArray name=san1 server=ovs73a; refresh StorageArray name=san1"
pd1=$(pd_id 1); pd2=$(pd_id 2); pd3=$(pd_id 3); pd4=$(pd_id 4); pd5=$(pd_id 5)
check "the five LUNs are PhysicalDisks" test -n "$pd1" -a -n "$pd2" -a -n "$pd3" -a -n "$pd4" -a -n "$pd5"
step "an OCFS2 repository on LUN 1, presented to pool1" \
    "create FileServer name=local1 accessHost=$tgt_ip adminServers=ovs73a; create FileSystem name=ocfs1 physicalDisk=$pd1 on FileServer name=local1; create Repository name=orepo on FileSystem name=ocfs1; add ServerPool name=pool1 to Repository name=orepo"
mkdir -p "$work/nfs/127.0.0.1/nrepo"
step "an NFS repository presented to pool1" \
    "create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs73a; refresh FileServer name=nfs1; create Repository name=nrepo on FileSystem name=nfs:/nrepo; add ServerPool name=pool1 to Repository name=nrepo"
step "a 0.03 GiB VirtualDisk on orepo" "create VirtualDisk name=vd1 size=0.03 sparse=Yes shareable=No on Repository name=orepo"
vd1=$(vd_id vd1)
img=$odisks/$vd1
check "its image is in the LUN's directory" test -f "$img"
# Data at the start, in the middle and in the last block; holes between.
head -c 3M /dev/urandom | dd of="$img" conv=notrunc status=none
head -c 100K /dev/urandom | dd of="$img" bs=1K seek=15000 conv=notrunc status=none
isize=$(stat -c %s "$img")
head -c 512 /dev/urandom | dd of="$img" bs=1 seek=$((isize - 512)) conv=notrunc status=none
check "the image keeps its size (${isize} bytes)" test "$(stat -c %s "$img")" -eq "$isize"

# ---- cloneVdToPd ----
failed "cloneVdToPd: THIN_CLONE is refused" "THIN_CLONE needs source and target in the same OCFS2 repository" \
    "cloneVdToPd VirtualDisk name=vd1 target=$pd2 cloneType=THIN_CLONE"
failed "cloneVdToPd: a LUN smaller than the image is refused" "PhysicalDisk .* has 0.015625 GiB, too small for VirtualDisk vd1 (0.03" \
    "cloneVdToPd VirtualDisk name=vd1 target=$pd4 cloneType=SPARSE_COPY"
failed "cloneVdToPd: a LUN with a file system is refused" "PhysicalDisk .* already contains a file system (FileSystem ocfs1)" \
    "cloneVdToPd VirtualDisk name=vd1 target=$pd1 cloneType=SPARSE_COPY"
step "a stopped Vm with LUN 3 mapped" \
    "create Vm name=lvm repository=orepo domainType=XEN_HVM on ServerPool name=pool1; create VmDiskMapping slot=0 physicalDisk=$pd3 name=lmap on Vm name=lvm"
failed "cloneVdToPd: a LUN mapped to a Vm is refused" "Cannot use PhysicalDisk .*: it is in use by VmDiskMapping lmap" \
    "cloneVdToPd VirtualDisk name=vd1 target=$pd3 cloneType=SPARSE_COPY"
step "unmap LUN 3" "delete VmDiskMapping name=lmap"
check "LUN 2 holds other bytes before the copy" eval '! same_bytes "$img" "$work/lun2.img" "$isize"'
step "cloneVdToPd VirtualDisk vd1 to LUN 2" "cloneVdToPd VirtualDisk name=vd1 target=$pd2 cloneType=SPARSE_COPY"
check "LUN 2's first ${isize} bytes equal the image, holes as zeros" same_bytes "$img" "$work/lun2.img" "$isize"
ovm "list Job"
check "the job is named after the disk" grep -q "Clone Virtual Disk: vd1" <<<"$out"
hex=$(xr_call "$ip_a" "$port" storage_plugin_readBlocks "$(xs oracle.generic.SCSIPlugin.GenericPlugin)" \
      "$(xst "$(xm access_host "$(xs "$tgt_ip")")$(xm access_port "$(xi "$portal")")$(xm storage_type "$(xs ISCSI)")")" \
      "$(xst "$(xm target "$(xs "$target")")$(xm lun "$(xi 2)")$(xm block_size "$(xi 512)")")" \
      "$(xi $((15000 * 1024)))" "$(xi 64)" | result_string)
check "read back through the agent's iSCSI session, too" \
    test "$hex" = "$(dd if="$img" bs=1K skip=15000 count=1 status=none | head -c 64 | od -An -tx1 | tr -d ' \n')"
check "the copy made no VirtualDisk" test "$(vd_count)" -eq 1
# The agent checks the LUN's size itself (the store's may be stale).
SS=$(xst "$(xm access_host "$(xs "$tgt_ip")")$(xm access_port "$(xi "$portal")")$(xm storage_type "$(xs ISCSI)")")
lun4=$(xst "$(xm ss "$SS")$(xm se "$(xst "$(xm name "$(xs lun4)")$(xm target "$(xs "$target")")$(xm lun "$(xi 4)")")")")
f=$(xr_call "$ip_a" "$port" copy_blocks "$(xs "/OVS/Repositories/$(ovm "show Repository name=orepo"; field Id | sed 's/  .*//')/VirtualDisks/$vd1")" "$lun4" | fault_string)
check "copy_blocks to a LUN smaller than the image fails in the agent" \
    grep -q "LUN lun4 has 16777216 bytes, the source .* needs $isize" <<<"$f"
orepo_id=$(ovm "show Repository name=orepo"; field Id | sed 's/  .*//')
wrong=$(xst "$(xm ss "$SS")$(xm se "$(xst "$(xm name "$(xs lun2)")$(xm target "$(xs "$target")")$(xm lun "$(xi 2)")$(xm page83_id "$(xs 3600000000000000000000000000000ff)")")")")
f=$(xr_call "$ip_a" "$port" copy_blocks "$(xs "/OVS/Repositories/$orepo_id/VirtualDisks/$vd1")" "$wrong" | fault_string)
check "copy_blocks refuses a LUN whose page 0x83 id is not the one asked for" \
    grep -q "LUN lun2 is not the disk it was (page 0x83 id $(p83 2), expected 3600000000000000000000000000000ff)" <<<"$f"
f=$(xr_call "$ip_a" "$port" copy_blocks "$(xs /OVS/a)" "$(xs /OVS/b)" | fault_string)
check "copy_blocks between two files is refused (copy_file does that)" grep -q "needs a LUN at one end" <<<"$f"

# ---- clonePdToRepo ----
failed "clonePdToRepo: a full repository is refused" "Repository nrepo has [0-9.]* GiB free; this operation needs 12.0 GiB" \
    "clonePdToRepo PhysicalDisk id=$pd5 target=nrepo cloneType=NON_SPARSE_COPY"
failed "clonePdToRepo: a LUN with a file system is not cloned" \
    "Cannot clone PhysicalDisk .*: it contains a file system (FileSystem ocfs1)" \
    "clonePdToRepo PhysicalDisk id=$pd1 target=nrepo cloneType=SPARSE_COPY"
failed "clonePdToPd: nor onto another LUN" "Cannot clone PhysicalDisk .*: it contains a file system (FileSystem ocfs1)" \
    "clonePdToPd PhysicalDisk id=$pd1 target=$pd5 cloneType=SPARSE_COPY"
failed "clonePdToRepo: THIN_CLONE is refused" "THIN_CLONE needs source and target in the same OCFS2 repository" \
    "clonePdToRepo PhysicalDisk id=$pd2 target=orepo cloneType=THIN_CLONE"
ovm "show PhysicalDisk id=$pd2"; pd2name=$(field Name)
step "clonePdToRepo LUN 2 to orepo, NON_SPARSE_COPY" "clonePdToRepo PhysicalDisk id=$pd2 target=orepo cloneType=NON_SPARSE_COPY"
ovm "show VirtualDisk name=\"$pd2name (clone)\""
check "a VirtualDisk '<LUN> (clone)' of the LUN's size (64 MiB)" test "$(field 'Max (GiB)')" = 0.0625
c1=$(field Id | sed 's/  .*//')
check "its image equals the LUN byte for byte" cmp "$odisks/$c1" "$work/lun2.img"
check "NON_SPARSE_COPY allocated it in full" test "$(( $(stat -c %b "$odisks/$c1") * 512 ))" -ge $((64 << 20))
step "clonePdToRepo LUN 2 to nrepo, SPARSE_COPY" "clonePdToRepo PhysicalDisk id=$pd2 target=nrepo cloneType=SPARSE_COPY"
check "two VirtualDisks of LUN 2 now" test "$(vd_count)" -eq 3
nf=$(ls "$work/nfs/127.0.0.1/nrepo/VirtualDisks/"*.img 2>/dev/null | head -1)
check "the sparse copy equals the LUN" cmp "$nf" "$work/lun2.img"
check "and keeps its holes" test "$(( $(stat -c %b "$nf") * 512 ))" -lt $((32 << 20))

# ---- clonePdToPd ----
failed "clonePdToPd: onto itself is refused" "cannot be cloned onto itself" \
    "clonePdToPd PhysicalDisk id=$pd2 target=$pd2 cloneType=SPARSE_COPY"
failed "clonePdToPd: a smaller LUN is refused" "PhysicalDisk .* too small for PhysicalDisk" \
    "clonePdToPd PhysicalDisk id=$pd2 target=$pd4 cloneType=SPARSE_COPY"
step "clonePdToPd LUN 2 to LUN 3" "clonePdToPd PhysicalDisk id=$pd2 target=$pd3 cloneType=NON_SPARSE_COPY"
check "LUN 3 equals LUN 2" cmp "$work/lun2.img" "$work/lun3.img"

# ---- a LUN that vanishes from its target ----
check "tgtadm deletes LUN 3" tgtadm_ --op delete --mode logicalunit --tid 1 --lun 3
before=$(ls "$odisks" | wc -l)
failed "clonePdToRepo from the vanished LUN fails in its job" "Job failed on Server ovs73a: .*iSCSI" \
    "clonePdToRepo PhysicalDisk id=$pd3 target=orepo cloneType=SPARSE_COPY"
check "and leaves no VirtualDisk" test "$(vd_count)" -eq 3
check "nor a file in the repository" test "$(ls "$odisks" | wc -l)" -eq "$before"
failed "cloneVdToPd to the vanished LUN fails in its job" "Job failed on Server ovs73a: .*iSCSI" \
    "cloneVdToPd VirtualDisk name=vd1 target=$pd3 cloneType=SPARSE_COPY"

# ---- THIN_CLONE ----
failed "THIN_CLONE to an NFS repository is refused" "THIN_CLONE needs source and target in the same OCFS2 repository" \
    "clone VirtualDisk name=vd1 target=nrepo cloneType=THIN_CLONE name=t0"
touch "$lunfs/probe" && cp --reflink=always "$lunfs/probe" "$lunfs/probe2" 2>/dev/null && reflink=1 || reflink=0
rm -f "$lunfs/probe" "$lunfs/probe2"
before=$(ls "$odisks" | wc -l)
if [ "$reflink" = 1 ]; then
    step "THIN_CLONE in orepo: a reflink" "clone VirtualDisk name=vd1 target=orepo cloneType=THIN_CLONE name=t1"
    check "the thin clone equals its source" cmp "$img" "$odisks/$(vd_id t1)"
    check "and shares its extents (filefrag: shared)" eval 'filefrag -v "$odisks/$(vd_id t1)" | grep -q shared'
    check "no new VirtualDisk but t1" test "$(vd_count)" -eq 4
else
    failed "THIN_CLONE in orepo fails: this host's file system cannot reflink" \
        "Job failed on Server ovs73a: .*cannot share extents (reflink)" \
        "clone VirtualDisk name=vd1 target=orepo cloneType=THIN_CLONE name=t1"
    check "and leaves no VirtualDisk" test "$(vd_count)" -eq 3
    check "nor a file" test "$(ls "$odisks" | wc -l)" -eq "$before"
fi

# ---- hot clone ----
step "vm1 on orepo with vd1, a customizer" \
    "create Vm name=vm1 repository=orepo domainType=XEN_HVM on ServerPool name=pool1; create VmDiskMapping slot=0 virtualDisk=vd1 name=vm1map on Vm name=vm1; create VmCloneCustomizer name=cc on Vm name=vm1"
failed "a THIN_CLONE storage mapping to an NFS repository is refused" "THIN_CLONE needs source and target in the same OCFS2 repository" \
    "create VmCloneStorageMapping cloneType=THIN_CLONE name=sn vmDiskMapping=vm1map repository=nrepo on VmCloneCustomizer name=cc"
step "a THIN_CLONE storage mapping in the disk's OCFS2 repository is taken" \
    "create VmCloneStorageMapping cloneType=THIN_CLONE name=st vmDiskMapping=vm1map repository=orepo on VmCloneCustomizer name=cc"
failed "editing it to the NFS repository is refused" "THIN_CLONE needs source and target in the same OCFS2 repository" \
    "edit VmCloneStorageMapping name=st repository=nrepo"
step "edit it to SPARSE_COPY, start vm1" "edit VmCloneStorageMapping name=st cloneType=SPARSE_COPY; start Vm name=vm1"
failed "a hot clone with a SPARSE_COPY storage mapping is refused" \
    "A running Vm is cloned with THIN_CLONE only; VmCloneStorageMapping st asks for SPARSE_COPY" \
    "clone Vm name=vm1 destType=Vm destName=hotx cloneCustomizer=cc"
failed "cloneVdToPd of a running Vm's disk is refused" "VirtualDisk vd1 is used by Vm vm1, which is Running" \
    "cloneVdToPd VirtualDisk name=vd1 target=$pd2 cloneType=SPARSE_COPY"
step "vm2 on nrepo, started" "create Vm name=vm2 repository=nrepo domainType=XEN_HVM on ServerPool name=pool1; start Vm name=vm2"
failed "a hot clone on an NFS repository is refused" \
    "Hot clone of running Vm vm2 needs thin clones on an OCFS2 repository; stop the Vm first" \
    "clone Vm name=vm2 destType=Vm destName=hot2"
if [ "$reflink" = 1 ]; then
    step "a hot clone of vm1 on orepo" "clone Vm name=vm1 destType=Vm destName=hot1"
    ovm "show Vm name=hot1"
    check "the clone exists, stopped" test "$(field Status)" = Stopped
    hd=$(vd_id "vd1 (clone)")
    check "its disk is a thin clone of vd1, sharing extents" eval \
        'cmp "$img" "$odisks/$hd" && filefrag -v "$odisks/$hd" | grep -q shared'
else
    failed "a hot clone of vm1 on orepo fails: this host's file system cannot reflink" \
        "Job failed on Server ovs73a: .*cannot share extents (reflink)" "clone Vm name=vm1 destType=Vm destName=hot1"
    ovm "list Vm"
    check "and leaves no Vm" test -z "$(grep hot1 <<<"$out")"
    check "nor a disk file" test "$(ls "$odisks" | wc -l)" -eq "$before"
fi
ovm "show Vm name=vm1"
check "vm1 keeps running" test "$(field Status)" = Running
ovm "show Vm name=vm1"; vm1=$(field Id | sed 's/  .*//')
r=$(xr_call "$ip_a" "$port" list_vms)
check "the agent still runs vm1's domain" grep -q "<string>$vm1</string>" <<<"$r"

check "ovmd stops cleanly" ovmd_stop "$work/m"
check "agent stops cleanly" agent_stop "$work/a"
tap_done
