#!/usr/bin/env bash
# Tier 1 server, repository and disk rules of doc/object-model.md that need the
# agent side or a second Manager: S-1, S-2, S-4, S-5, the ownership
# transitions of §5.2, releaseOwnership and delete Server on the agent (S-11),
# NTP (S-12), R-2, R-7, R-9, R-10, R-11, D-1 and X-4. Real ovmd engines and
# ovm-agentd processes on 127.0.0.2-4; TAP output; every wait is bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"

work=$(mktemp -d /tmp/ovm-rules-infra.XXXXXX)
port=$(free_port)
AGENT_PASSWORD=s3cret
cleanup() {
    ovmd_stop "$work/m" >/dev/null 2>&1
    ovmd_stop "$work/m2" >/dev/null 2>&1
    for i in 2 3 4; do agent_stop "$work/a$i" >/dev/null 2>&1; done
    rm -rf "$work"
}
trap cleanup EXIT
nfs=$work/nfs
small=$work/small
mkdir -p "$nfs/127.0.0.1/repo1" "$small/127.0.0.1/tiny"

for i in 2 3; do
    check "agent on 127.0.0.$i starts" agent_start "$work/a$i" 127.0.0.$i "$port" --nfs-root "$nfs" --hostname ovs0$i
done
# A third agent whose exports are only 5 GiB, for R-2.
check "agent on 127.0.0.4 starts" agent_start "$work/a4" 127.0.0.4 "$port" --nfs-root "$small" --hostname ovs04 \
    --nfs-size-gb 5
yaml=$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")
check "ovmd starts" ovmd_start "$work/m" "$yaml"
check "second ovmd starts" ovmd_start "$work/m2" "$yaml"
mgr=$(cat "$work/m/manager-uuid")
mgr2=$(cat "$work/m2/manager-uuid")

# ovm [-2] CMDS: one exec string against the first (or -2: second) engine;
# output (CR stripped) in $out, status in $rc.
ovm() {
    local sock=$work/m/engine.sock
    if [ "$1" = -2 ]; then sock=$work/m2/engine.sock; shift; fi
    out=$(timeout 120 "$OVMSH_BIN" -S "$sock" -c "$1" 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}")
    rc=$?
}
# step DESCRIPTION [-2] CMDS: the commands succeed.
step() {
    local d=$1; shift
    ovm "$@"
    if ! grep -q 'Status: Failure' <<<"$out"; then ok "$d"; else not_ok "$d"; printf '# %s\n' "$out" | head -20; fi
}
# refused DESCRIPTION TEXT [-2] CMDS: the last command fails with exactly "Error Msg: TEXT".
refused() {
    local d=$1 want=$2; shift 2
    ovm "$@"
    if [ "$(grep '^Error Msg: ' <<<"$out" | tail -1)" = "Error Msg: $want" ]; then ok "$d"
    else not_ok "$d"; printf '# want: %s\n' "$want"; grep '^Error Msg' <<<"$out" | sed 's/^/# got:  /'; fi
}
field() { sed -n "s/^  $1 = //p" <<<"$out" | head -1; }
agent_doc() { xr_call "127.0.0.$1" "$port" discover_server | result_string; }
# agent_owner N: the Manager UUID the agent reports ("none" when unowned, doc/agent-protocol.md).
agent_owner() { agent_doc "$1" | sed -n 's:.*<Manager_Unique_Id>\([^<]*\)</Manager_Unique_Id>.*:\1:p'; }
unowned() { test "$(agent_owner "$1")" = none; }

# S-1: nothing listens on 127.0.0.9
ovm "discoverServer ipAddress=127.0.0.9 password=s3cret"
check "S-1 unreachable agent fails the job" \
    grep -q "^Error Msg: Job failed: Cannot reach the Oracle VM Agent at 127.0.0.9:$port: ." <<<"$out"
# S-2
refused "S-2 wrong password is rejected" "Job failed: The Oracle VM Agent at 127.0.0.2 rejected the password" \
    "discoverServer ipAddress=127.0.0.2 password=wrong"
check "S-2 agent stays unowned" unowned 2

# §5.2: the second Manager owns 127.0.0.3.
step "second Manager discovers and owns 127.0.0.3" -2 "discoverServer ipAddress=127.0.0.3 password=s3cret"
check "agent 127.0.0.3 is owned by the second Manager" test "$(agent_owner 3)" = "$mgr2"
# S-4: the record is kept (partial discovery), the job fails.
refused "S-4 owned by another Manager" \
    "Job failed: Server ovs03 is owned by another Manager ($mgr2); release it there, then run takeOwnership" \
    "discoverServer ipAddress=127.0.0.3 password=s3cret takeOwnership=Yes"
ovm "show Server name=ovs03"
check "S-4 record kept: Unknown, Owned by another Manager" \
    test "$(field Status)/$(field Ownership)/$(field 'Manager UUID')" = "Unknown/Owned by another Manager/$mgr2"
# S-5 / §5.2: OTHER_MANAGER -> takeOwnership refused with the S-4 text.
ovm "takeOwnership Server name=ovs03 password=s3cret"
check "S-5 takeOwnership of another Manager's server is refused" \
    grep -Eq "^Error Msg: (Job failed: )?Server ovs03 is owned by another Manager \\($mgr2\\); release it there, then run takeOwnership$" <<<"$out"
check "agent 127.0.0.3 still belongs to the second Manager" test "$(agent_owner 3)" = "$mgr2"
# §5.2: the other Manager releases; a refresh sees UNOWNED; takeOwnership -> OWNED.
step "second Manager releases 127.0.0.3" -2 "releaseOwnership Server name=ovs03"
step "refresh sees the release" "refresh Server name=ovs03"
ovm "show Server name=ovs03"
check "§5.2 OTHER_MANAGER -> UNOWNED on refresh" test "$(field Ownership)" = "Unowned"
step "takeOwnership of the unowned server" "takeOwnership Server name=ovs03 password=s3cret"
ovm "show Server name=ovs03"
check "§5.2 UNOWNED -> OWNED, Running" test "$(field Status)/$(field Ownership)" = "Running/Owned"
check "agent 127.0.0.3 is owned by this Manager" test "$(agent_owner 3)" = "$mgr"

# S-12: NTP servers reach the agent; empty reverts to the local clock.
step "S-12 set two NTP servers" "edit Server name=ovs03 ntpServers=10.0.0.1,10.0.0.2"
ntp=$(xr_call 127.0.0.3 "$port" get_ntp)
check "S-12 agent has both NTP servers" bash -c "grep -q 10.0.0.1 <<<'$ntp' && grep -q 10.0.0.2 <<<'$ntp'"
step "S-12 empty ntpServers" "edit Server name=ovs03 ntpServers=''"
ovm "show Server name=ovs03"
check "S-12 empty list shows the local clock" test "$(field 'NTP Server 1')" = "127.127.1.0"
# §5.1: flags of an owned Running server are stored.
step "edit maintenanceMode and inboundMigrationLocked" "edit Server name=ovs03 maintenanceMode=Yes inboundMigrationLocked=Yes"
ovm "show Server name=ovs03"
check "flags stored" test "$(field 'Maintenance Mode')/$(field 'Inbound Migration Locked')" = "Yes/Yes"
step "clear the flags" "edit Server name=ovs03 maintenanceMode=No inboundMigrationLocked=No"
# Oracle VM 3.3's setMaintenanceMode: the same as edit Server maintenanceMode=.
step "setMaintenanceMode mode=on" "setMaintenanceMode Server name=ovs03 mode=on"
ovm "show Server name=ovs03"
check "setMaintenanceMode on puts the server into maintenance mode" test "$(field 'Maintenance Mode')" = Yes
step "setMaintenanceMode mode=OFF (any case)" "setMaintenanceMode Server name=ovs03 mode=OFF"
ovm "show Server name=ovs03"
check "setMaintenanceMode off takes it out again" test "$(field 'Maintenance Mode')" = No
refused "setMaintenanceMode needs mode" "Missing mandatory attribute: mode" "setMaintenanceMode Server name=ovs03"
refused "setMaintenanceMode mode is on or off" "Invalid value 'maybe' for mode; expected one of: on, off" \
    "setMaintenanceMode Server name=ovs03 mode=maybe"

# releaseOwnership (allowed: not in a pool, nothing presented) on the agent side.
step "releaseOwnership of ovs03" "releaseOwnership Server name=ovs03"
ovm "show Server name=ovs03"
check "released server is Unowned and Unknown" test "$(field Ownership)/$(field Status)" = "Unowned/Unknown"
check "agent 127.0.0.3 has no Manager any more" unowned 3
# Oracle VM 3.2's edit Server takeOwnership=: the password kept from discoverServer.
refused "edit takeOwnership=Yes without a password on record" \
    "No agent password of Server ovs03 is on record; use takeOwnership Server <instance> password=<password>" \
    "edit Server name=ovs03 takeOwnership=Yes"
step "rediscover ovs03 without taking ownership" "discoverServer ipAddress=127.0.0.3 password=s3cret takeOwnership=No"
check "ovs03 is still unowned on the agent" unowned 3
refused "takeOwnership= does not mix with other attributes" \
    "takeOwnership cannot be combined with other attributes; edit them separately" \
    "edit Server name=ovs03 takeOwnership=Yes description=x"
step "edit Server takeOwnership=Yes" "edit Server name=ovs03 takeOwnership=Yes"
ovm "show Server name=ovs03"
check "ovs03 is Owned and Running after edit takeOwnership=Yes" test "$(field Ownership)/$(field Status)" = "Owned/Running"
check "the agent is owned by this Manager" test "$(agent_owner 3)" = "$mgr"
step "edit Server takeOwnership=No" "edit Server name=ovs03 takeOwnership=No"
ovm "show Server name=ovs03"
check "edit takeOwnership=No releases it" test "$(field Ownership)/$(field Status)" = "Unowned/Unknown"
check "the agent has no Manager again" unowned 3

# S-11 allowed: an owned reachable server is released first, then deleted.
step "discover 127.0.0.2" "discoverServer ipAddress=127.0.0.2 password=s3cret"
check "agent 127.0.0.2 owned" test "$(agent_owner 2)" = "$mgr"
step "S-11 delete an owned server outside any pool" "delete Server name=ovs02"
check "S-11 deleted server was released on the agent" unowned 2
ovm "list Server"
check "S-11 server gone from the store" bash -c "! grep -q 'name:ovs02$' <<<'$out'"

# R-2: a 5 GiB export cannot hold a repository.
step "small file server" "discoverServer ipAddress=127.0.0.4 password=s3cret; create FileServer name=small accessHost=127.0.0.1 adminServers=ovs04; refresh FileServer name=small"
refused "R-2 repository needs 10 GiB" "FileSystem nfs:/tiny has 5.0 GiB; a repository needs at least 10 GiB" \
    "create Repository name=tiny on FileSystem name=nfs:/tiny"

# R-7: presenting to a pool is a FAN_OUT parent with one child per server.
step "pool with two servers, repository" "discoverServer ipAddress=127.0.0.2 password=s3cret; discoverServer ipAddress=127.0.0.3 password=s3cret; create ServerPool name=pool1 clusterEnable=No; add Server name=ovs02 to ServerPool name=pool1; add Server name=ovs03 to ServerPool name=pool1; create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs02; refresh FileServer name=nfs1; create Repository name=repo1 on FileSystem name=nfs:/repo1; remove Server name=ovs02 from Repository name=repo1"
ovm "show Repository name=repo1"
repo=$(field Id)
check "repository marker on the export" grep -q "OVS_REPO_UUID=$repo" "$nfs/127.0.0.1/repo1/.ovsrepo"
step "R-7 add ServerPool to Repository" "add ServerPool name=pool1 to Repository name=repo1"
job=$(sed -n 's/^JobId: //p' <<<"$out" | tail -1)
ovm "show Job id=$job"
check "R-7 parent job has two child jobs" test "$(grep -c '^  Child Job [0-9]* = ' <<<"$out")" -eq 2
for i in 2 3; do
    check "R-7 agent 127.0.0.$i has the repository" grep -q "$repo" <<<"$(xr_call 127.0.0.$i "$port" discover_repository_db | result_string)"
done

# D-1: sizes are rounded up to 4 KiB before the agent sees them.
step "D-1 disk of 1.0000001 GiB" "create VirtualDisk name=odd size=1.0000001 sparse=Yes shareable=No on Repository name=repo1"
ovm "show VirtualDisk name=odd"
disk=$(field Id)
check "D-1 image is 2^30 + 4096 bytes" test "$(stat -c %s "$nfs/127.0.0.1/repo1/VirtualDisks/$disk" 2>/dev/null)" = 1073745920

# D-2: edit VirtualDisk size= grows the image on a server before the store
# follows; a failed grow leaves both as they were; a shrink is refused by the
# engine and by the agent itself.
img=$nfs/127.0.0.1/repo1/VirtualDisks/$disk
size0=$(field 'Max (GiB)')
printf 'storage_plugin_resize fault exceptions.OSError:[Errno 28] No space left on device\n' | tee "$work/a2/faults" > "$work/a3/faults"
refused "D-2 a grow the agent refuses fails with its text" "Job failed on Server ovs02: exceptions.OSError:[Errno 28] No space left on device" \
    "edit VirtualDisk name=odd size=3"
rm -f "$work/a2/faults" "$work/a3/faults"
ovm "show VirtualDisk name=odd"
check "D-2 after the failed grow the store keeps its size" test "$(field 'Max (GiB)')" = "$size0"
check "D-2 after the failed grow the image keeps its size" test "$(stat -c %s "$img")" = 1073745920
step "D-2 grow to 3 GiB" "edit VirtualDisk name=odd size=3"
check "D-2 the image is 3 GiB" test "$(stat -c %s "$img")" = 3221225472
ovm "show VirtualDisk name=odd"
check "D-2 show VirtualDisk says 3.0 GiB" test "$(field 'Max (GiB)')" = 3.0
sd='<value><struct></struct></value>'
fp="<value><struct><member><name>file_path</name><value><string>/OVS/Repositories/$repo/VirtualDisks/$disk</string></value></member></struct></value>"
reply=$(xr_call 127.0.0.2 "$port" storage_plugin_resize '<value><string>x</string></value>' "$sd" "$sd" "$fp" '<value><int>4096</int></value>')
check "D-2 the agent refuses a shrink itself" grep -q "cannot shrink" <<<"$reply"
[[ $reply == *"cannot shrink"* ]] || fault_string <<<"$reply" | sed "s/^/# /"
check "D-2 the refused shrink left the image" test "$(stat -c %s "$img")" = 3221225472

# R-9, R-11: refresh follows the export; vm.cfg files are not objects.
step "a Vm in repo1" "create Vm name=vm1 repository=repo1 domainType=XEN_HVM_PV_DRIVERS on ServerPool name=pool1"
rm -f "$nfs/127.0.0.1/repo1/VirtualDisks/$disk"
cp "$nfs/127.0.0.1/repo1/.ovsrepo" "$nfs/127.0.0.1/repo1/ISOs/boot.iso" 2>/dev/null || : > "$nfs/127.0.0.1/repo1/ISOs/boot.iso"
step "R-9 refresh Repository" "refresh Repository name=repo1"
ovm "list VirtualDisk"
check "R-9 a disk gone from the export leaves the store" bash -c "! grep -q 'name:odd$' <<<'$out'"
ovm "list VirtualCdrom"
check "R-9 an ISO added on the export appears" grep -q 'boot.iso' <<<"$out"
ovm "list Vm"
check "R-11 the Vm is listed once, vm.cfg is no object" test "$(grep -c '  id:' <<<"$out")" -eq 1

# X-4: a job is deleted only when terminal.
printf 'storage_plugin_create delay 4\n' > "$work/a2/faults"
printf 'storage_plugin_create delay 4\n' > "$work/a3/faults"
ovm "set CommandMode=Asynchronous; create VirtualDisk name=slow size=1 sparse=Yes shareable=No on Repository name=repo1"
job=$(sed -n 's/^JobId: //p' <<<"$out" | tail -1)
refused "X-4 running job cannot be deleted" "Cannot delete Job $job: its Run State is In Progress" "delete Job id=$job"
rm -f "$work/a2/faults" "$work/a3/faults"
for i in $(seq 1 50); do
    ovm "show Job id=$job"
    [ "$(field 'Summary Done')" = Yes ] && break
    sleep 0.2
done
step "X-4 finished job can be deleted" "delete Job id=$job"
refused "X-4 deleted job is gone" "Cannot find Job with id: $job" "show Job id=$job"

# R-10: delete empties the export of the repository marker and unpresents it.
step "R-10 delete the repository once empty" "delete VirtualDisk name=slow; delete VirtualCdrom name=boot.iso; delete Vm name=vm1; delete Repository name=repo1"
check "R-10 repository marker removed" test ! -e "$nfs/127.0.0.1/repo1/.ovsrepo"
for i in 2 3; do
    check "R-10 agent 127.0.0.$i no longer has it" bash -c "! grep -q '$repo' <<<'$(xr_call 127.0.0.$i "$port" discover_repository_db | result_string)'"
done

check "ovmd stops cleanly" ovmd_stop "$work/m"
check "second ovmd stops cleanly" ovmd_stop "$work/m2"
tap_done
