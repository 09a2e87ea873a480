#!/usr/bin/env bash
# SAN storage arrays on real iSCSI (doc/command-language.md §4.4, SAN storage):
# ovmsh -> a real ovmd -> a real ovm-agentd, whose generic SCSI plug-in logs in
# through libiscsi to a real target (tgt's tgtd, file-backed LUNs made with
# tgtadm) on loopback addresses of its own. Checks the array, its volume
# group, the PhysicalDisks with their sizes and page 0x83 ids, the storage
# initiator and the access group, blocks written through the agent and read
# back from the backing file, LUNs added and removed under a refresh, and that
# an array that vanishes fails refresh and validate readably and leaves every
# object as it was. TAP output; every wait is bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/loopback.sh"
. "$top_srcdir/tests/lib/tgt.sh"
tgt_require

# Addresses no other test uses; ports checked free on them.
agent_ip=127.0.63.2
tgt_ip=127.0.63.1

work=$(mktemp -d /tmp/ovm-san.XXXXXX)
port=$(pick_port "$agent_ip" "$tgt_ip"); portal=$(pick_port "$agent_ip" "$tgt_ip"); ctl=$(tgt_pick_control 6300)
AGENT_PASSWORD=s3cret
cleanup() {
    ovmd_stop "$work/m" >/dev/null 2>&1
    agent_stop "$work/a" >/dev/null 2>&1
    tgt_cleanup
    rm -rf "$work"
}
trap cleanup EXIT

target=iqn.2026-12.org.ovmsh.test:san1
truncate -s 1G "$work/lun1.img"
truncate -s 2G "$work/lun2.img"
truncate -s 3G "$work/lun3.img"
tgt_start "$tgt_ip" "$portal"
check "tgtd answers on control port $ctl" wait_tgtd
check "tgtadm makes a target with two file-backed LUNs (1 and 2 GiB)" eval \
    'tgtadm_ --op new --mode target --tid 1 -T "$target" &&
     tgtadm_ --op new --mode logicalunit --tid 1 --lun 1 -b "$work/lun1.img" &&
     tgtadm_ --op new --mode logicalunit --tid 1 --lun 2 -b "$work/lun2.img" &&
     tgtadm_ --op bind --mode target --tid 1 -I ALL'
check "iscsi-ls sees the target on $tgt_ip:$portal" eval \
    'timeout 20 iscsi-ls -s "iscsi://$tgt_ip:$portal/" | grep -q "Lun:2 .*DIRECT_ACCESS"'

check "agent starts" agent_start "$work/a" "$agent_ip" "$port" --nfs-root "$work/nfs" --hostname ovs63
check "ovmd starts" ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")"

ovm() {
    out=$(timeout 120 "$OVMSH_BIN" -S "$work/m/engine.sock" -c "$1" 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}")
    rc=$?
}
step() {
    ovm "$2"
    if ! grep -q 'Status: Failure' <<<"$out" && [ "$rc" -eq 0 ]; then ok "$1"; else not_ok "$1"; printf '# %s\n' "$out" | head -20; fi
}
# failed DESCRIPTION PATTERN CMD: Status: Failure with an Error Msg matching PATTERN.
failed() {
    ovm "$3"
    if grep -q '^Status: Failure' <<<"$out" && grep -q "^Error Msg: .*$2" <<<"$out"; then ok "$1"
    else not_ok "$1"; printf '# %s\n' "$out" | head -12; fi
}
field() { sed -n "s/^  $1 = //p" <<<"$out" | head -1; }
count() { grep -c '^  id:' <<<"$out"; }
# disk_field PAGE83 LABEL: LABEL of the PhysicalDisk with that page 0x83 id.
disk_field() {
    local id
    for id in $(ovm "list PhysicalDisk" && sed -n 's/^  id:\([^ ]*\)  name:.*/\1/p' <<<"$out"); do
        ovm "show PhysicalDisk id=$id"
        if [ "$(field 'Page83 ID')" = "$1" ]; then field "$2"; return 0; fi
    done
    return 1
}

step "discover the agent" "discoverServer ipAddress=$agent_ip password=s3cret"
ovm "list StorageArrayPlugin"
check "list StorageArrayPlugin shows the generic SCSI plug-in" \
    grep -q '^  id:oracle.generic.SCSIPlugin.GenericPlugin (1.1.0)  name:Oracle Generic SCSI Plugin$' <<<"$out"
ovm "list FileServerPlugin"
check "list FileServerPlugin shows the generic NFS plug-in" grep -q 'name:Oracle Generic Network File System$' <<<"$out"

failed "an ISCSI array needs accessHost" "An ISCSI StorageArray needs accessHost" \
    "create StorageArray name=san0 storageType=ISCSI plugin=\"Oracle Generic SCSI Plugin\""
failed "an unknown plug-in is refused" "Cannot find StorageArrayPlugin with name: Acme" \
    "create StorageArray name=san0 storageType=ISCSI plugin=Acme accessHost=$tgt_ip"
step "create StorageArray" "create StorageArray name=san1 storageType=ISCSI plugin=\"Oracle Generic SCSI Plugin\" accessHost=$tgt_ip accessPort=$portal"
failed "a second array of that name is refused" "A StorageArray named san1 already exists" \
    "create StorageArray name=san1 storageType=ISCSI plugin=\"Oracle Generic SCSI Plugin\" accessHost=$tgt_ip"
ovm "list StorageArray"
check "the array's id has type code 000a" grep -q '^  id:0004fb00000a0000[0-9a-f]\{16\}  name:san1$' <<<"$out"
failed "refresh without an admin server is refused" "No owned Running admin server of StorageArray san1" \
    "refresh StorageArray name=san1"
step "addAdminServer" "addAdminServer StorageArray name=san1 server=ovs63"
failed "the same admin server twice is refused" "Server ovs63 is already an admin server of StorageArray san1" \
    "addAdminServer StorageArray name=san1 server=ovs63"
step "validate StorageArray" "validate StorageArray name=san1"
step "refresh StorageArray" "refresh StorageArray name=san1"

ovm "list PhysicalDisk"
check "refresh found two PhysicalDisks" test "$(count)" -eq 2
check "their ids have type code 0018" test "$(grep -c '^  id:0004fb0000180000' <<<"$out")" -eq 2
# tgtd's page 0x83 NAA designator ends in the LUN's SCSI id (IET 0001000N).
p83_1=$(disk_field "360000000000000000e00000000010001" "Page83 ID")
p83_2=$(disk_field "360000000000000000e00000000010002" "Page83 ID")
check "LUN 1's page 0x83 id is tgtd's NAA designator" test "$p83_1" = 360000000000000000e00000000010001
check "LUN 2's page 0x83 id is tgtd's NAA designator" test "$p83_2" = 360000000000000000e00000000010002
check "LUN 1 is 1.0 GiB" test "$(disk_field "$p83_1" 'Size (GiB)')" = 1.0
check "LUN 2 is 2.0 GiB" test "$(disk_field "$p83_2" 'Size (GiB)')" = 2.0
check "San Server is the array's name" test "$(disk_field "$p83_1" 'San Server')" = san1
check "VolumeGroup reads name  [description]" test "$(disk_field "$p83_1" 'VolumeGroup')" = "Generic_iSCSI_Volume_Group  []"
check "the disk is named after the vendor" test "$(disk_field "$p83_1" 'Name' | sed 's/ (.*//')" = IET
ovm "list VolumeGroup"
check "one VolumeGroup" test "$(count)" -eq 1
vg=$(sed -n 's/^  id:\([^ ]*\)  name:.*/\1/p' <<<"$out")
ovm "show VolumeGroup id=$vg"
check "the volume group holds 3.0 GiB" test "$(field 'Size (GiB)')" = 3.0
check "the volume group belongs to san1" grep -q "^  Storage Array = .*\[san1\]$" <<<"$out"

# --- initiators and the access group ---
step "refreshStorageLayer Server" "refreshStorageLayer Server name=ovs63"
ovm "list StorageInitiator"
iqn=$(sed -n 's/^  id:[^ ]*  name:\(iqn\..*\)$/\1/p' <<<"$out")
check "the server's iSCSI initiator is listed" grep -q '^iqn.1988-12.com.oracle:[0-9a-f]\{8\}.ovs63$' <<<"$iqn"
ovm "show StorageInitiator name=$iqn"
check "the initiator belongs to ovs63" grep -q "^  Server = .*\[ovs63\]$" <<<"$out"
ag="Default access group @ san1"
step "add StorageInitiator to the default AccessGroup" "add StorageInitiator name=$iqn to AccessGroup name=\"$ag\""
ovm "show AccessGroup name=\"$ag\""
check "the access group lists the initiator" grep -q "^  Storage Initiator 1 = .*\[$iqn\]$" <<<"$out"
failed "adding it twice is refused" "is already in AccessGroup" \
    "add StorageInitiator name=$iqn to AccessGroup name=\"$ag\""
step "remove StorageInitiator from the AccessGroup" "remove StorageInitiator name=$iqn from AccessGroup name=\"$ag\""
ovm "show AccessGroup name=\"$ag\""
check "the access group lists no initiator" test -z "$(grep 'Storage Initiator' <<<"$out")"

# --- the generic plug-in is passive ---
passive="Storage plug-in Oracle Generic SCSI Plugin does not support this operation"
failed "create PhysicalDisk is refused" "$passive" \
    "create PhysicalDisk name=new size=1 on VolumeGroup id=$vg"
failed "delete PhysicalDisk is refused" "$passive" "delete PhysicalDisk name=\"IET (1)\""
failed "a new size is refused" "$passive" "edit PhysicalDisk name=\"IET (1)\" size=5"
failed "create AccessGroup is refused" "$passive" "create AccessGroup name=ag2 on StorageArray name=san1"
failed "add PhysicalDisk to an AccessGroup is refused" "$passive" \
    "add PhysicalDisk name=\"IET (1)\" to AccessGroup name=\"$ag\""
step "edit PhysicalDisk name and shareable" "edit PhysicalDisk name=\"IET (1)\" name=data1 shareable=Yes"
check "the edit is stored" test "$(disk_field "$p83_1" Shareable)" = Yes

# --- blocks through the agent, checked in the backing file ---
P=oracle.generic.SCSIPlugin.GenericPlugin
SS=$(xst "$(xm access_host "$(xs "$tgt_ip")")$(xm access_port "$(xi "$portal")")$(xm storage_type "$(xs ISCSI)")")
SE=$(xst "$(xm target "$(xs "$target")")$(xm lun "$(xi 2)")$(xm block_size "$(xi 512)")")
pattern="ovmsh-san-$RANDOM-pattern"
r=$(xr_call "$agent_ip" "$port" storage_plugin_writeBlocks "$(xs $P)" "$SS" "$SE" "$(xi 1048577)" "$(xs "$pattern")")
check "the agent writes a pattern at byte 1048577 of LUN 2" is_nil_result <<<"$r"
check "the backing file holds the pattern there" \
    test "$(dd if="$work/lun2.img" bs=1 skip=1048577 count=${#pattern} 2>/dev/null)" = "$pattern"
r=$(xr_call "$agent_ip" "$port" storage_plugin_readBlocks "$(xs $P)" "$SS" "$SE" "$(xi 1048577)" "$(xi ${#pattern})")
check "the agent reads the pattern back (hex)" \
    test "$(result_string <<<"$r")" = "$(printf '%s' "$pattern" | od -An -tx1 | tr -d ' \n')"

# --- LUNs appear and vanish between refreshes ---
check "tgtadm adds LUN 3 (3 GiB)" tgtadm_ --op new --mode logicalunit --tid 1 --lun 3 -b "$work/lun3.img"
step "refresh StorageArray after LUN 3 appeared" "refresh StorageArray name=san1"
ovm "list PhysicalDisk"
check "refresh found the third PhysicalDisk" test "$(count)" -eq 3
check "LUN 3 is 3.0 GiB" test "$(disk_field 360000000000000000e00000000010003 'Size (GiB)')" = 3.0
check "tgtadm removes LUN 3" tgtadm_ --op delete --mode logicalunit --tid 1 --lun 3
step "refresh StorageArray after LUN 3 vanished" "refresh StorageArray name=san1"
ovm "list PhysicalDisk"
check "the vanished, unused PhysicalDisk is gone" test "$(count)" -eq 2
check "the renamed disk kept its name" grep -q 'name:data1$' <<<"$out"

# --- a LUN vanishes under a VM: the disk stays, with an ERROR event ---
mkdir -p "$work/nfs/127.0.0.1/repo1"
step "a VM in a repository" "create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs63; refresh FileServer name=nfs1; create Repository name=repo1 on FileSystem name=nfs:/repo1; create Vm name=v1 repository=repo1 domainType=XEN_HVM_PV_DRIVERS"
step "map PhysicalDisk data1 to the VM" "create VmDiskMapping slot=0 physicalDisk=data1 emulatedBlockDevice=No on Vm name=v1"
failed "deleting the array is refused while the VM uses its disk" \
    "Cannot delete StorageArray san1: its PhysicalDisk data1 is in use by Vm v1" "delete StorageArray name=san1"
check "tgtadm removes LUN 1" tgtadm_ --op delete --mode logicalunit --tid 1 --lun 1
step "refresh StorageArray after the mapped LUN vanished" "refresh StorageArray name=san1"
ovm "list PhysicalDisk"
check "the mapped PhysicalDisk is kept" grep -q 'name:data1$' <<<"$out"
ovm "getEvents objType=PhysicalDisk objId=$(sed -n 's/^  id:\([^ ]*\)  name:data1$/\1/p' <<<"$out")"
check "it carries an ERROR event naming the VM" grep -q 'no longer reports PhysicalDisk data1 .*in use by Vm v1' <<<"$out"
check "tgtadm brings LUN 1 back" tgtadm_ --op new --mode logicalunit --tid 1 --lun 1 -b "$work/lun1.img"
step "refresh StorageArray after LUN 1 came back" "refresh StorageArray name=san1"
ovm "list PhysicalDisk"
check "LUN 1 is the same PhysicalDisk again (no duplicate)" test "$(grep -c 'name:data1$' <<<"$out")" -eq 1 -a "$(count)" -eq 2
step "unmap the disk" "delete VmDiskMapping name=\"$(ovm 'list VmDiskMapping' && sed -n 's/^  id:\([^ ]*\)  name:.*/\1/p' <<<"$out" | head -1)\""

# --- CHAP: a second target that needs it ---
check "tgtadm makes a CHAP target with a 1 GiB LUN" eval \
    'tgtadm_ --op new --mode target --tid 2 -T "$target-chap" &&
     tgtadm_ --op new --mode logicalunit --tid 2 --lun 1 -b "$work/lun3.img" &&
     tgtadm_ --op bind --mode target --tid 2 -I ALL &&
     tgtadm_ --op new --mode account --user ovmchap --password chapsecret1234 &&
     tgtadm_ --op bind --mode account --tid 2 --user ovmchap'
step "create a CHAP StorageArray" "create StorageArray name=san2 storageType=ISCSI plugin=\"Oracle Generic SCSI Plugin\" accessHost=$tgt_ip accessPort=$portal useChap=Yes accessUsername=ovmchap accessPassword=chapsecret1234; addAdminServer StorageArray name=san2 server=ovs63"
ovm "show Job name=$(ovm 'list Job' && sed -n 's/^  id:\([0-9]*\)  name:Create Storage Array: san2$/\1/p' <<<"$out")"
check "the job's command hides the CHAP password" test -z "$(grep chapsecret1234 <<<"$out")"
step "refresh the CHAP array" "refresh StorageArray name=san2"
ovm "list PhysicalDisk"
check "the CHAP target's LUN is found" test "$(count)" -eq 5
check "the CHAP LUN is 3.0 GiB" test "$(disk_field 360000000000000000e00000000020001 'Size (GiB)')" = 3.0
step "a wrong CHAP password" "create StorageArray name=san3 storageType=ISCSI plugin=\"Oracle Generic SCSI Plugin\" accessHost=$tgt_ip accessPort=$portal useChap=Yes accessUsername=ovmchap accessPassword=wrongwrongwrong; addAdminServer StorageArray name=san3 server=ovs63"
failed "refresh with a wrong CHAP password fails at login" "iSCSI login to $target-chap at $tgt_ip:$portal failed" \
    "refresh StorageArray name=san3"
step "delete the CHAP arrays" "delete StorageArray name=san3; delete StorageArray name=san2"
check "tgtadm removes the CHAP target" eval 'tgtadm_ --op delete --mode target --tid 2 --force'

# --- Fibre Channel: simulated by the agent ---
step "a Fibre Channel array, refreshed" "create StorageArray name=fc1 storageType=FIBRECHANNEL plugin=\"Oracle Generic SCSI Plugin\"; addAdminServer StorageArray name=fc1 server=ovs63; validate StorageArray name=fc1; refresh StorageArray name=fc1"
ovm "show StorageArray name=fc1"
check "its volume group is Generic_FC_Volume_Group" grep -q '^  Volume Group 1 = .*\[Generic_FC_Volume_Group\]$' <<<"$out"
fcpds=0
for id in $(ovm "list PhysicalDisk" && sed -n 's/^  id:\([^ ]*\)  name:.*/\1/p' <<<"$out"); do
    ovm "show PhysicalDisk id=$id"
    [ "$(field 'San Server')" = fc1 ] && fcpds=$((fcpds + 1)) && sizes="${sizes:-} $(field 'Size (GiB)')"
done
sizes=$(printf '%s\n' ${sizes:-} | sort -n | tr '\n' ' ')
check "the simulated FC LUNs: two disks of 10.0 and 20.0 GiB" test "$fcpds:$sizes" = "2:10.0 20.0 "
failed "an iSCSI initiator does not join an FC access group" "is of type ISCSI; AccessGroup Default access group @ fc1 admits FC initiators" \
    "add StorageInitiator name=$iqn to AccessGroup name=\"Default access group @ fc1\""
failed "a second generic FC array is refused" "Only one generic FIBRECHANNEL StorageArray can exist: fc1" \
    "create StorageArray name=fc2 storageType=FIBRECHANNEL plugin=\"Oracle Generic SCSI Plugin\""
step "delete the FC array" "delete StorageArray name=fc1"

# --- a plug-in that provisions: LUNs made with tgtadm on this host ---
mkdir -p "$work/prov"
check "tgtadm makes an empty target for provisioning" eval \
    'tgtadm_ --op new --mode target --tid 3 -T "$target-prov" && tgtadm_ --op bind --mode target --tid 3 -I ALL'
ovm "list StorageArrayPlugin"
check "list StorageArrayPlugin shows the tgt plug-in" grep -q '^  id:ovmsh.tgt.TgtPlugin (1.0.0)  name:ovmsh tgt Plugin$' <<<"$out"
failed "the tgt plug-in needs pluginPrivateData" "needs pluginPrivateData" \
    "create StorageArray name=prov storageType=ISCSI plugin=\"ovmsh tgt Plugin\" accessHost=$tgt_ip accessPort=$portal"
step "create a provisioning StorageArray on one target" "create StorageArray name=prov storageType=ISCSI plugin=\"ovmsh tgt Plugin\" accessHost=$tgt_ip accessPort=$portal storageName=$target-prov pluginPrivateData=\"control=$ctl;tid=3;dir=$work/prov\"; addAdminServer StorageArray name=prov server=ovs63; refresh StorageArray name=prov"
ovm "show StorageArray name=prov"
pvg=$(sed -n 's/^  Volume Group 1 = \([^ ]*\) .*/\1/p' <<<"$out")
check "the provisioning array has a volume group" test -n "$pvg"
pds_before=$(ovm "list PhysicalDisk" && count)
step "create PhysicalDisk on its VolumeGroup" "create PhysicalDisk name=p1 size=1 thinProvision=Yes on VolumeGroup id=$pvg"
p1=$(sed -n 's/^  id:\([^ ]*\)  name:p1$/\1/p' <<<"$out")
check "the reply lists the new disk" test -n "$p1"
check "its backing file is 1 GiB" test "$(stat -c %s "$work/prov/$p1.img" 2>/dev/null)" = 1073741824
check "iscsi-ls sees it as LUN 1 of the target" eval \
    'timeout 20 iscsi-ls -s "iscsi://$tgt_ip:$portal/" | sed -n "/^Target:$target-prov /,/^Target:/p" |
     grep -q "Lun:1 .*DIRECT_ACCESS"'
ovm "show PhysicalDisk id=$p1"
check "show gives 1.0 GiB, thin, and tgtd's page 0x83 id" eval \
    'test "$(field "Size (GiB)")" = 1.0 -a "$(field "Thin Provision")" = Yes -a "$(field "Page83 ID")" = 360000000000000000e00000000030001'
step "edit PhysicalDisk size=2" "edit PhysicalDisk id=$p1 size=2 description=grown"
check "the backing file grew to 2 GiB" test "$(stat -c %s "$work/prov/$p1.img")" = 2147483648
ovm "show PhysicalDisk id=$p1"
check "show gives 2.0 GiB and the same page 0x83 id" eval \
    'test "$(field "Size (GiB)")" = 2.0 -a "$(field "Page83 ID")" = 360000000000000000e00000000030001'
failed "a LUN cannot shrink" "PhysicalDisk p1 is 2.0 GiB; a LUN cannot shrink" "edit PhysicalDisk id=$p1 size=1"
step "refresh the provisioning array" "refresh StorageArray name=prov"
ovm "list PhysicalDisk"
check "refresh finds the created disk, not a second one" test "$(count)" -eq $((pds_before + 1))
# The tgt plug-in masks LUNs by access group: tests/e2e/san-masking.sh.
step "create AccessGroup on the tgt plug-in's array" "create AccessGroup name=ag2 on StorageArray name=prov"
step "delete PhysicalDisk" "delete PhysicalDisk id=$p1"
check "its backing file is gone" test ! -e "$work/prov/$p1.img"
check "its LUN is gone from the target" eval \
    '! tgtadm_ --op show --mode target | sed -n "/^Target 3:/,/^Target [0-9]/p" | grep -q "LUN: 1"'
step "delete the provisioning array" "delete StorageArray name=prov"
check "tgtadm removes the provisioning target" tgtadm_ --op delete --mode target --tid 3 --force

# --- the array vanishes: jobs fail readably, state stays ---
before=$(ovm "list PhysicalDisk" && echo "$out" | grep '^  id:')
stop_tgtd
failed "refresh of a vanished array fails readably" \
    "Job failed on Server ovs63: .*cannot connect to iSCSI portal $tgt_ip:$portal" "refresh StorageArray name=san1"
failed "validate of a vanished array fails readably" \
    "cannot connect to iSCSI portal $tgt_ip:$portal" "validate StorageArray name=san1"
after=$(ovm "list PhysicalDisk" && echo "$out" | grep '^  id:')
check "the failed refresh left the PhysicalDisks as they were" test "$before" = "$after"
check "LUN 2 still shows 2.0 GiB" test "$(disk_field "$p83_2" 'Size (GiB)')" = 2.0

# --- removal ---
step "removeAdminServer" "removeAdminServer StorageArray name=san1 server=ovs63"
step "delete StorageArray" "delete StorageArray name=san1"
ovm "list PhysicalDisk"
check "its PhysicalDisks went with it" test "$(count)" -eq 0
ovm "list VolumeGroup"
check "its VolumeGroup went with it" test "$(count)" -eq 0
ovm "list AccessGroup"
check "its AccessGroup went with it" test "$(count)" -eq 0

check "ovmd stops cleanly" ovmd_stop "$work/m"
check "agent stops cleanly" agent_stop "$work/a"
tap_done
