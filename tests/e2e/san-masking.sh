#!/usr/bin/env bash
# LUN masking by AccessGroup (doc/object-model.md §3, SAN access groups) on a
# real tgtd: ovmsh -> a real ovmd -> two real ovm-agentd, the ovmsh tgt Plugin
# managing the target through tgtadm. A group made by create AccessGroup is a
# target of its own whose ACL holds the group's initiators; its LUNs move there
# with their page 0x83 ids. Checked from outside with iscsi-ls and iscsi-inq
# (libiscsi) under the member's and the non-member's initiator names, and
# through the agents' own reads, which log in with each server's name:
# admitted, refused, revoked, granted, and the disk parked when it leaves the
# group. Then the presentation rule of OCFS2 repositories: only the servers of
# the repository's pool; joining the pool presents it, leaving unpresents it.
# TAP output; every wait is bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/loopback.sh"
. "$top_srcdir/tests/lib/tgt.sh"
. "$top_srcdir/tests/lib/cli.sh"
tgt_require
command -v iscsi-inq >/dev/null || { echo "1..0 # SKIP iscsi-inq is not installed (libiscsi-bin)"; exit 0; }

# Addresses no other test uses; ports checked free on them.
tgt_ip=127.0.77.1
ip_a=127.0.77.2
ip_b=127.0.77.3

work=$(mktemp -d /tmp/ovm-mask.XXXXXX)
port=$(pick_port "$ip_a" "$ip_b" "$tgt_ip"); portal=$(pick_port "$ip_a" "$ip_b" "$tgt_ip"); ctl=$(tgt_pick_control 7700)
AGENT_PASSWORD=s3cret
cleanup() {
    ovmd_stop "$work/m" >/dev/null 2>&1
    agent_stop "$work/a" >/dev/null 2>&1
    agent_stop "$work/b" >/dev/null 2>&1
    tgt_cleanup
    rm -rf "$work"
}
trap cleanup EXIT

target=iqn.2026-12.org.ovmsh.test:mask
mkdir -p "$work/prov"
tgt_start "$tgt_ip" "$portal"
check "tgtd answers on control port $ctl" wait_tgtd
check "tgtadm makes the array's target, open to every initiator" eval \
    'tgtadm_ --op new --mode target --tid 1 -T "$target" && tgtadm_ --op bind --mode target --tid 1 -I ALL'
check "agent A starts" agent_start "$work/a" "$ip_a" "$port" --nfs-root "$work/nfs" --lun-fs-root "$work/lunfs" --hostname ovs77a
check "agent B starts" agent_start "$work/b" "$ip_b" "$port" --nfs-root "$work/nfs" --lun-fs-root "$work/lunfs" --hostname ovs77b
check "ovmd starts" ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")"

# inq IQN TARGET: INQUIRY on LUN 1 of TARGET, logged in as IQN.
inq() { timeout 20 iscsi-inq -i "$1" "iscsi://$tgt_ip:$portal/$2/1" >/dev/null 2>&1; }
# sees IQN TARGET: SendTargets, as IQN, lists TARGET with a LUN 1.
sees() { timeout 20 iscsi-ls -i "$1" -s "iscsi://$tgt_ip:$portal/" 2>/dev/null |
         sed -n "/^Target:$2 /,/^Target:/p" | grep -q "Lun:1 .*DIRECT_ACCESS"; }
# in_target NAME: tgtadm lists LUN 1 in the target named NAME.
in_target() { tgtadm_ --op show --mode target | sed -n "/^Target [0-9]*: $1\$/,/^Target [0-9]/p" | grep -q "LUN: 1$"; }
acl_of() { tgtadm_ --op show --mode target | sed -n "/^Target [0-9]*: $1\$/,/^Target [0-9]/p" | sed -n '/ACL information:/,$p'; }

step "discover both servers" "discoverServer ipAddress=$ip_a password=s3cret; discoverServer ipAddress=$ip_b password=s3cret"
step "the tgt array, admin server ovs77a" "create StorageArray name=prov storageType=ISCSI plugin=\"ovmsh tgt Plugin\" accessHost=$tgt_ip accessPort=$portal storageName=$target pluginPrivateData=\"control=$ctl;tid=1;dir=$work/prov\"; addAdminServer StorageArray name=prov server=ovs77a; refresh StorageArray name=prov"
ovm "show StorageArray name=prov"
vg=$(sed -n 's/^  Volume Group 1 = \([^ ]*\) .*/\1/p' <<<"$out")
step "create PhysicalDisk m1 (LUN 1)" "create PhysicalDisk name=m1 size=1 thinProvision=Yes on VolumeGroup id=$vg"
p83=360000000000000000e00000000010001
ovm "show PhysicalDisk name=m1"
check "m1 has tgtd's page 0x83 id of LUN 1" test "$(field 'Page83 ID')" = $p83
step "refreshStorageLayer on both servers" "refreshStorageLayer Server name=ovs77a; refreshStorageLayer Server name=ovs77b"
ovm "list StorageInitiator"
iqn_a=$(sed -n 's/^  id:[^ ]*  name:\(iqn\..*\.ovs77a\)$/\1/p' <<<"$out")
iqn_b=$(sed -n 's/^  id:[^ ]*  name:\(iqn\..*\.ovs77b\)$/\1/p' <<<"$out")
check "both servers' initiators are known" test -n "$iqn_a" -a -n "$iqn_b"
check "unmasked, B's initiator reads LUN 1 of the array's target" inq "$iqn_b" "$target"

# --- refusals that leave everything as it was ---
failed "the default group does not mask" "Storage plug-in ovmsh tgt Plugin does not support this operation" \
    "add PhysicalDisk name=m1 to AccessGroup name=\"Default access group @ prov\""
step "create AccessGroup ag1 on the tgt array" "create AccessGroup name=ag1 description=\"servers of A\" on StorageArray name=prov"
ovm "show AccessGroup name=ag1"
ag1=$(field Id | sed 's/  .*//')
check "ag1's id has type code 000c" grep -q '^0004fb00000c0000[0-9a-f]\{16\}$' <<<"$ag1"
gt="$target.ag.$ag1"
failed "a second ag1 is refused" "AccessGroup named ag1 already exists" "create AccessGroup name=ag1 on StorageArray name=prov"
failed "removing a disk that is not in the group is refused" "PhysicalDisk m1 is not in AccessGroup ag1" \
    "remove PhysicalDisk name=m1 from AccessGroup name=ag1"

# --- masking: A's initiator and LUN 1 in ag1 ---
step "add A's StorageInitiator to ag1" "add StorageInitiator name=$iqn_a to AccessGroup name=ag1"
check "tgtd has ag1's target, admitting A's initiator" eval 'acl_of "$gt" | grep -qx "        $iqn_a"'
check "and not B's" eval '! acl_of "$gt" | grep -q "$iqn_b"'
step "add PhysicalDisk m1 to ag1" "add PhysicalDisk name=m1 to AccessGroup name=ag1"
check "LUN 1 moved to ag1's target" in_target "$gt"
check "and left the array's target" eval '! in_target "$target"'
ovm "show AccessGroup name=ag1"
check "show AccessGroup lists the disk and the initiator" eval \
    'grep -q "^  Physical Disk 1 = .*\[m1\]$" <<<"$out" && grep -q "^  Storage Initiator 1 = .*\[$iqn_a\]$" <<<"$out"'
ovm "show PhysicalDisk name=m1"
check "m1 keeps its page 0x83 id" test "$(field 'Page83 ID')" = $p83
check "iscsi-ls as A lists ag1's target with LUN 1" sees "$iqn_a" "$gt"
check "iscsi-ls as B does not" eval '! sees "$iqn_b" "$gt"'
check "iscsi-inq as A reads LUN 1" inq "$iqn_a" "$gt"
check "iscsi-inq as B is refused" eval '! inq "$iqn_b" "$gt"'
step "ag2" "create AccessGroup name=ag2 on StorageArray name=prov"
failed "a LUN is in one group at a time" "PhysicalDisk m1 is already in AccessGroup ag1; a LUN of this plug-in is presented through one access group" \
    "add PhysicalDisk name=m1 to AccessGroup name=ag2"
failed "the same disk twice is refused" "PhysicalDisk m1 is already in AccessGroup ag1" \
    "add PhysicalDisk name=m1 to AccessGroup name=ag1"

# --- the agents read with their own initiator names ---
P=ovmsh.tgt.TgtPlugin
G=oracle.generic.SCSIPlugin.GenericPlugin
SS=$(xst "$(xm access_host "$(xs "$tgt_ip")")$(xm access_port "$(xi "$portal")")$(xm storage_type "$(xs ISCSI)")$(xm storage_name "$(xs "$target")")$(xm plugin_private "$(xs "control=$ctl;tid=1;dir=$work/prov")")")
SE=$(xst "$(xm target "$(xs "$gt")")$(xm lun "$(xi 1)")$(xm block_size "$(xi 512)")")
pattern="ovmsh-mask-$RANDOM"
hex=$(printf '%s' "$pattern" | od -An -tx1 | tr -d ' \n')
r=$(xr_call "$ip_a" "$port" storage_plugin_writeBlocks "$(xs $P)" "$SS" "$SE" "$(xi 4096)" "$(xs "$pattern")")
check "agent A (member) writes LUN 1" is_nil_result <<<"$r"
r=$(xr_call "$ip_a" "$port" storage_plugin_readBlocks "$(xs $P)" "$SS" "$SE" "$(xi 4096)" "$(xi ${#pattern})")
check "agent A reads it back" test "$(result_string <<<"$r")" = "$hex"
r=$(xr_call "$ip_b" "$port" storage_plugin_readBlocks "$(xs $P)" "$SS" "$SE" "$(xi 4096)" "$(xi ${#pattern})")
check "agent B (not a member) gets a readable login refusal" eval \
    'fault_string <<<"$r" | grep -q "iSCSI login to $gt at $tgt_ip:$portal failed: .*(initiator $iqn_b: the target does not admit this initiator (LUN masking) or is gone)"'
# A server's own view of the portal: SendTargets and logins under its name.
r=$(xr_call "$ip_b" "$port" storage_plugin_listStorageElements "$(xs $G)" "$SS")
check "B's own listing of the array does not show the LUN" eval '! grep -q "$p83" <<<"$r" && ! is_fault <<<"$r"'
r=$(xr_call "$ip_a" "$port" storage_plugin_listStorageElements "$(xs $G)" "$SS")
check "A's does" grep -q "$p83" <<<"$r"
step "refresh StorageArray (the plug-in's management path sees every LUN)" "refresh StorageArray name=prov"
ovm "show PhysicalDisk name=m1"
check "m1 is still there, in ag1's target" eval 'test "$(field "Page83 ID")" = $p83'

# --- revocation and grant ---
step "remove A's StorageInitiator from ag1" "remove StorageInitiator name=$iqn_a from AccessGroup name=ag1"
check "iscsi-inq as A is refused now" eval '! inq "$iqn_a" "$gt"'
r=$(xr_call "$ip_a" "$port" storage_plugin_readBlocks "$(xs $P)" "$SS" "$SE" "$(xi 4096)" "$(xi ${#pattern})")
check "agent A's read is refused now" eval 'fault_string <<<"$r" | grep -q "does not admit this initiator"'
step "add B's StorageInitiator to ag1" "add StorageInitiator name=$iqn_b to AccessGroup name=ag1"
r=$(xr_call "$ip_b" "$port" storage_plugin_readBlocks "$(xs $P)" "$SS" "$SE" "$(xi 4096)" "$(xi ${#pattern})")
check "agent B reads what A wrote" test "$(result_string <<<"$r")" = "$hex"

# --- the disk leaves the group: nobody is admitted ---
step "remove PhysicalDisk m1 from ag1" "remove PhysicalDisk name=m1 from AccessGroup name=ag1"
check "LUN 1 is parked in the array's unpresented target" in_target "$target.unpresented"
check "iscsi-inq as B (still in ag1) is refused" eval '! inq "$iqn_b" "$target.unpresented" && ! inq "$iqn_b" "$gt"'
check "nor does the array's open target have it" eval '! inq "$iqn_b" "$target"'
ovm "show AccessGroup name=ag1"
check "ag1 lists no disk" eval '! grep -q "Physical Disk" <<<"$out"'
step "m1 into ag2 (a group without initiators)" "add PhysicalDisk name=m1 to AccessGroup name=ag2"
check "LUN 1 is in ag2's target" in_target "$target.ag.$(ovm 'show AccessGroup name=ag2'; field Id | sed 's/  .*//')"
check "no server reads it" eval '! inq "$iqn_a" "$target.ag.$(ovm "show AccessGroup name=ag2"; field Id | sed "s/  .*//")"'
step "edit PhysicalDisk size=2 where it is" "edit PhysicalDisk name=m1 size=2"
ovm "show PhysicalDisk name=m1"
check "it grew and kept its page 0x83 id" eval 'test "$(field "Size (GiB)")" = 2.0 -a "$(field "Page83 ID")" = $p83'

# --- an OCFS2 repository is presented only to the servers of its pool ---
step "a 12 GiB LUN o1 with an OCFS2 FileSystem and a Repository on it" \
    "create PhysicalDisk name=o1 size=12 thinProvision=Yes on VolumeGroup id=$vg; create FileServer name=local1 accessHost=$tgt_ip adminServers=ovs77a; create FileSystem name=ofs physicalDisk=o1 on FileServer name=local1; create Repository name=orepo on FileSystem name=ofs"
step "pool1 with ovs77a, pool2 with ovs77b" \
    "create ServerPool name=pool1 clusterEnable=No; add Server name=ovs77a to ServerPool name=pool1; create ServerPool name=pool2 clusterEnable=No; add Server name=ovs77b to ServerPool name=pool2"
step "present orepo to pool1, which makes it pool1's" "add ServerPool name=pool1 to Repository name=orepo"
outside="Repository orepo belongs to ServerPool pool1; Server ovs77b is not a member"
failed "presenting it to a server of pool2 is refused" "$outside" "add Server name=ovs77b to Repository name=orepo"
failed "and to pool2" "$outside" "add ServerPool name=pool2 to Repository name=orepo"
step "ovs77b leaves pool2" "remove Server name=ovs77b from ServerPool name=pool2"
failed "a server in no pool is refused" "$outside" \
    "add Server name=ovs77b to Repository name=orepo"
ovm "show Repository name=orepo"
check "the refusals presented nothing" eval '! grep -q "^  Presented Server [0-9]* = .*\[ovs77b\]$" <<<"$out"'
step "ovs77b joins pool1" "add Server name=ovs77b to ServerPool name=pool1"
ovm "show Repository name=orepo"
check "joining pool1 presented orepo to ovs77b" grep -q "^  Presented Server [0-9]* = .*\[ovs77b\]$" <<<"$out"
orepo_id=$(field Id | sed 's/  .*//')
r=$(xr_call "$ip_b" "$port" discover_repositories "$(xs "$orepo_id")")
check "ovs77b's agent has it" eval '! is_fault <<<"$r" && grep -q "$orepo_id" <<<"$r"'
failed "P-14: ovs77b cannot leave pool1 while orepo is presented to it" \
    "Cannot remove Server ovs77b: still OCFS2 file systems present (Repository orepo); unpresent it first" \
    "remove Server name=ovs77b from ServerPool name=pool1"
ovm "show Server name=ovs77b"
check "the refusal left ovs77b in pool1" grep -q "^  Server Pool = .*\[pool1\]$" <<<"$out"
step "unpresent orepo from ovs77b, then ovs77b leaves pool1" \
    "remove Server name=ovs77b from Repository name=orepo; remove Server name=ovs77b from ServerPool name=pool1"
ovm "show Repository name=orepo"
check "orepo is no longer presented to ovs77b" eval '! grep -q "^  Presented Server [0-9]* = .*\[ovs77b\]$" <<<"$out"'
r=$(xr_call "$ip_b" "$port" discover_repositories "$(xs "$orepo_id")")
check "ovs77b's agent no longer has it" eval 'fault_string <<<"$r" | grep -q "Repository $orepo_id not found"'
check "and ovs77a keeps it" grep -q "^  Presented Server [0-9]* = .*\[ovs77a\]$" <<<"$out"
step "take the OCFS2 objects down" \
    "remove ServerPool name=pool1 from Repository name=orepo; delete Repository name=orepo; delete FileSystem name=ofs; delete PhysicalDisk name=o1"

# --- delete AccessGroup ---
failed "ag2 is not deleted while it presents m1" "Cannot delete AccessGroup ag2: it presents PhysicalDisk m1; remove it first" \
    "delete AccessGroup name=ag2"
failed "the default group is not deleted" "Storage plug-in ovmsh tgt Plugin does not support this operation" \
    "delete AccessGroup name=\"Default access group @ prov\""
check "ag1's target still admits B" eval 'acl_of "$gt" | grep -qx "        $iqn_b"'
step "delete AccessGroup ag1 (B's initiator still in it)" "delete AccessGroup name=ag1"
check "its target is gone from tgtd" eval '! tgtadm_ --op show --mode target | grep -q "^Target [0-9]*: $gt$"'
ovm "list AccessGroup"
check "ag1 is gone, ag2 stays" eval '! grep -q "name:ag1$" <<<"$out" && grep -q "name:ag2$" <<<"$out"'
step "delete PhysicalDisk m1" "delete PhysicalDisk name=m1"
check "its LUN is in no target" eval '! tgtadm_ --op show --mode target | grep -q "$work/prov/"'
check "its backing file is gone" eval '! ls "$work/prov" | grep -q .'
step "delete the array" "delete StorageArray name=prov"
ovm "list AccessGroup"
check "its access groups went with it" eval '! grep -q "name:ag[12]$" <<<"$out"'

check "ovmd stops cleanly" ovmd_stop "$work/m"
check "agent A stops cleanly" agent_stop "$work/a"
check "agent B stops cleanly" agent_stop "$work/b"
tap_done
