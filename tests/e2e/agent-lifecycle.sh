#!/bin/bash
# ovm-agentd: repository, disk and VM life cycle on two agents (127.0.0.2 and
# 127.0.0.3) sharing one simulated NFS root, live migration between them, and
# persistence across a restart.
. "${top_srcdir:-.}/tests/lib/agent.sh"
TMP=$(mktemp -d /tmp/agent-life.XXXXXX)
trap 'agent_stop "$TMP/a"; agent_stop "$TMP/b"; rm -rf "$TMP"' EXIT
A=127.0.0.2
B=127.0.0.3
PORT=$(free_port) || { echo "1..0 # SKIP no free port"; exit 0; }
NFS=$TMP/nfs
MGR=0004fb00000100001111111111111111
REPO=0004fb0000030000aaaaaaaaaaaaaaaa
VM=0004fb0000060000bbbbbbbbbbbbbbbb
DISK=0004fb0000120000cccccccccccccccc.img
LOC=nfs1:/export/repo1
MP=/OVS/Repositories/$REPO
DPATH=$MP/VirtualDisks/$DISK
PLUGIN=oracle.generic.NFSPlugin.GenericNFSPlugin

start_a() { agent_start "$TMP/a" $A "$PORT" --nfs-root "$NFS" --memory-mb 8192; }
start_b() { agent_start "$TMP/b" $B "$PORT" --nfs-root "$NFS" --memory-mb 8192; }
if ! start_a || ! start_b; then
    echo "not ok 1 - two agents start"; cat "$TMP"/*.log >&2; echo "1..1"; exit 1
fi
ok "two agents start with a shared --nfs-root"

nil() { grep -q '<nil/>' <<< "$1" && ! grep -q '<fault>' <<< "$1"; }
has() { grep -qF -- "$2" <<< "$1"; }
fs() { fault_string <<< "$1"; }

for ip in $A $B; do
    xr_call $ip $PORT take_ownership "$(xst "$(xm manager_uuid "$(xs $MGR)")")" >/dev/null
done

r=$(xr_call $A $PORT mount_repository_fs "$(xs $LOC)" "$(xs $MP)")
check "mount_repository_fs on A" nil "$r"
r=$(xr_call $A $PORT create_repository "$(xs $LOC)" "$(xs $MP)" "$(xs $REPO)" "$(xs repo1)")
check "create_repository on A" nil "$r"
check ".ovsrepo written in the export" grep -qx "OVS_REPO_UUID=$REPO" "$NFS/nfs1/export/repo1/.ovsrepo"
check ".ovsrepo alias" grep -qx "OVS_REPO_ALIAS=repo1" "$NFS/nfs1/export/repo1/.ovsrepo"
check "repository subdirectories" test -d "$NFS/nfs1/export/repo1/VirtualMachines" -a -d "$NFS/nfs1/export/repo1/VirtualDisks"
r=$(xr_call $A $PORT create_repository "$(xs $LOC)" "$(xs $MP)" "$(xs $REPO)" "$(xs repo1)")
check "create_repository again faults" has "$r" "<fault>"
db=$(xr_call $A $PORT discover_repository_db | result_string)
check "discover_repository_db lists the repository" test "$(xpath "string(//Repository[@Uuid='$REPO']/Alias)" <<< "$db")" = repo1
check "repository status Mounted" test "$(xpath "string(//Repository[@Uuid='$REPO']/Status)" <<< "$db")" = Mounted
mfs=$(xr_call $A $PORT discover_mounted_file_systems "$(xs nfs)" | result_string)
check "discover_mounted_file_systems shows the mount" test "$(xpath "string(//Mount[@Dir='$MP']/Device)" <<< "$mfs")" = $LOC

ss=$(xst "$(xm uuid "$(xs 0004fb0000090000dddddddddddddddd)")" "$(xm storage_type "$(xs FileSys)")")
sd=$(xst "$(xm uuid "$(xs 0004fb00-0005-0000-eeee-eeeeeeeeeeee)")" "$(xm access_path "$(xs $LOC)")")
r=$(xr_call $A $PORT storage_plugin_create "$(xs $PLUGIN)" "$ss" "$sd" "$(xs $DPATH)" "$(xs File)" "$(xi 1073741824)")
check "storage_plugin_create returns the file" test "$(xpath 'string(//member[name="file_path"]/value/string)' <<< "$r")" = $DPATH
img=$NFS/nfs1/export/repo1/VirtualDisks/$DISK
check "disk file has the requested size" test "$(stat -c %s "$img")" = 1073741824
check "disk file is sparse" test "$(du -k "$img" | cut -f1)" -lt 1024
r=$(xr_call $A $PORT storage_plugin_create "$(xs $PLUGIN)" "$ss" "$sd" "$(xs $DPATH)" "$(xs File)" "$(xi 1073741824)")
check "second create faults with Errno 17" test "$(fs "$r")" = "exceptions.OSError:[Errno 17] File exists: '$DPATH'"
r=$(xr_call $A $PORT storage_plugin_create "$(xs $PLUGIN)" "$ss" "$sd" "$(xs $MP/VirtualDisks/x.img)" "$(xs File)" "$(xi 1000)")
check "unaligned size refused" has "$r" "not a multiple of 4096"
r=$(xr_call $A $PORT storage_plugin_create "$(xs $PLUGIN)" "$ss" "$sd" "$(xs /etc/passwd)" "$(xs File)" "$(xi 4096)")
check "path outside /OVS refused" has "$r" "<fault>"
fp=$(xst "$(xm file_path "$(xs $DPATH)")")
r=$(xr_call $A $PORT storage_plugin_getFileInfo "$(xs $PLUGIN)" "$ss" "$sd" "$fp")
check "getFileInfo file_sz" test "$(xpath 'string(//member[name="file_sz"]/value/*)' <<< "$r")" = 1073741824
r=$(xr_call $A $PORT storage_plugin_getFileSystemInfo "$(xs $PLUGIN)" "$ss" "$sd")
check "getFileSystemInfo size is --nfs-size-gb" test "$(xpath 'string(//member[name="size"]/value/*)' <<< "$r")" = $((1024 * 1024 * 1024 * 1024))
r=$(xr_call $A $PORT copy_file "$(xs $DPATH)" "$(xs $MP/VirtualDisks/clone.img)" "$(xb 1)")
check "copy_file" nil "$r"
check "copy has the same size" test "$(stat -c %s "$NFS/nfs1/export/repo1/VirtualDisks/clone.img")" = 1073741824
r=$(xr_call $A $PORT storage_plugin_destroy "$(xs $PLUGIN)" "$ss" "$sd" "$(xst "$(xm file_path "$(xs $MP/VirtualDisks/clone.img)")")")
check "storage_plugin_destroy" nil "$r"
check "destroyed file is gone" test ! -e "$NFS/nfs1/export/repo1/VirtualDisks/clone.img"

cfg=$(xst "$(xm name "$(xs $VM)")" "$(xm uuid "$(xs 0004fb00-0006-0000-bbbb-bbbbbbbbbbbb)")" \
          "$(xm OVM_simple_name "$(xs "web01's")")" "$(xm memory "$(xi 2048)")" "$(xm vcpus "$(xi 2)")" \
          "$(xm builder "$(xs hvm)")" "$(xm OVM_high_availability "$(xb 0)")" \
          "$(xm disk "$(xa "$(xs "file:$DPATH,xvda,w")")")" \
          "$(xm vif "$(xa "$(xs mac=00:21:f6:00:00:01,bridge=7f000000)")")")
r=$(xr_call $A $PORT create_vm "$(xs $REPO)" "$(xs $VM)" "$cfg")
check "create_vm" nil "$r"
vmcfg=$NFS/nfs1/export/repo1/VirtualMachines/$VM/vm.cfg
check "vm.cfg written as text" grep -qx "memory = 2048" "$vmcfg"
check "vm.cfg quotes strings" grep -qxF "OVM_simple_name = 'web01\\'s'" "$vmcfg"
check "vm.cfg lists" grep -qxF "disk = ['file:$DPATH,xvda,w']" "$vmcfg"
r=$(xr_call $A $PORT create_vm "$(xs $REPO)" "$(xs $VM)" "$cfg")
check "create_vm again faults with Errno 17" has "$r" "[Errno 17] File exists"
r=$(xr_call $A $PORT get_vm_config "$(xs $REPO)" "$(xs $VM)")
check "get_vm_config round-trips strings" test "$(xpath 'string(//member[name="OVM_simple_name"]/value/string)' <<< "$r")" = "web01's"
check "get_vm_config round-trips numbers" test "$(xpath 'string(//member[name="memory"]/value/*)' <<< "$r")" = 2048
r=$(xr_call $A $PORT configure_vm_ha "$(xs $REPO)" "$(xs $VM)" "$(xb 1)")
check "configure_vm_ha" grep -qx "OVM_high_availability = True" "$vmcfg"

r=$(xr_call $A $PORT start_vm "$(xs $REPO)" "$(xs $VM)")
check "start_vm" nil "$r"
r=$(xr_call $A $PORT list_vms)
check "list_vms has Domain-0" test "$(xpath 'count(//struct[member[name="name"]/value/string="Domain-0"])' <<< "$r")" = 1
check "list_vms shows the VM blocked/running" test "$(xpath "string(//struct[member[name='name']/value/string='$VM']/member[name='state']/value/string)" <<< "$r")" = -b----
r=$(xr_call $A $PORT list_vm "$(xs $REPO)" "$(xs $VM)")
check "list_vm vfb location" has "$r" "127.0.0.1:59"
r=$(xr_call $A $PORT start_vm "$(xs $REPO)" "$(xs $VM)")
check "start_vm twice faults" has "$r" "already exists"
hw=$(xr_call $A $PORT discover_hardware | result_string)
check "FreePages reflects the running VM" test "$(xpath 'string(//FreePages)' <<< "$hw")" = $(((8192 - 2048 - 2048) * 256))
r=$(xr_call $A $PORT delete_vm "$(xs $REPO)" "$(xs $VM)")
check "delete_vm refused while running" has "$r" "is running"
r=$(xr_call $A $PORT unmount_repository_fs "$(xs $MP)")
check "unmount refused while a VM runs from it" has "$r" "busy"
r=$(xr_call $A $PORT pause_vm "$(xs $REPO)" "$(xs $VM)")
check "pause_vm state" has "$(xr_call $A $PORT list_vm "$(xs $REPO)" "$(xs $VM)")" "--p---"
xr_call $A $PORT unpause_vm "$(xs $REPO)" "$(xs $VM)" >/dev/null

r=$(xr_call $A $PORT migrate_vm "$(xs $REPO)" "$(xs $VM)" "$(xs $B)" "$(xb 1)" "$(xb 0)")
check "migration to a server without the repository faults" has "$r" "No such file"
check "VM still runs on the source after a refused migration" has "$(xr_call $A $PORT list_vm "$(xs $REPO)" "$(xs $VM)")" "<struct>"

r=$(xr_call $B $PORT mount_repository_fs "$(xs $LOC)" "$(xs $MP)")
check "mount on B" nil "$r"
r=$(xr_call $B $PORT add_repository "$(xs $LOC)" "$(xs $MP)")
check "add_repository on B" nil "$r"
rep=$(xr_call $B $PORT discover_repositories "$(xs $REPO)" | result_string)
check "B sees the VM created by A" test "$(xpath "count(//VirtualMachines/VirtualMachine[@Name='$VM'])" <<< "$rep")" = 1
check "B sees the disk created by A" test "$(xpath "string(//VirtualDisks/Disk)" <<< "$rep")" = $DISK
check "B reads the alias from the repository" test "$(xpath "string(//Repository_Alias)" <<< "$rep")" = repo1

r=$(xr_call $A $PORT migrate_vm "$(xs $REPO)" "$(xs $VM)" "$(xs $B)" "$(xb 1)" "$(xb 0)")
check "migrate_vm A -> B" nil "$r"
check "VM gone from A" has "$(xr_call $A $PORT list_vm "$(xs $REPO)" "$(xs $VM)")" "<nil/>"
r=$(xr_call $B $PORT list_vm "$(xs $REPO)" "$(xs $VM)")
check "VM running on B" test "$(xpath "string(//member[name='state']/value/string)" <<< "$r")" = -b----

uid_before=$(xr_call $B $PORT discover_server | result_string | xpath 'string(//Unique_Id)')
check "B stops cleanly" agent_stop "$TMP/b"
check "B restarts" start_b
uid_after=$(xr_call $B $PORT discover_server | result_string | xpath 'string(//Unique_Id)')
check "Unique_Id is stable across restarts" test -n "$uid_before" -a "$uid_before" = "$uid_after"
check "running VM persisted across restart" has "$(xr_call $B $PORT list_vm "$(xs $REPO)" "$(xs $VM)")" "-b----"
db=$(xr_call $B $PORT discover_repository_db | result_string)
check "repository registration persisted" test "$(xpath "string(//Repository[@Uuid='$REPO']/Status)" <<< "$db")" = Mounted
check "ownership persisted" test "$(xr_call $B $PORT discover_server | result_string | xpath 'string(//Manager_Unique_Id)')" = $MGR

r=$(xr_call $B $PORT save_vm "$(xs $REPO)" "$(xs $VM)" "$(xb 0)")
check "save_vm suspends" has "$(xr_call $B $PORT list_vm "$(xs $REPO)" "$(xs $VM)")" "<nil/>"
check "suspend image in the VM directory" test -f "$NFS/nfs1/export/repo1/VirtualMachines/$VM/vm.save"
r=$(xr_call $B $PORT restore_vm "$(xs $REPO)" "$(xs $VM)" "$(xb 0)")
check "restore_vm resumes" has "$(xr_call $B $PORT list_vm "$(xs $REPO)" "$(xs $VM)")" "-b----"
r=$(xr_call $B $PORT reboot_vm "$(xs $REPO)" "$(xs $VM)" "$(xb 0)")
check "reboot_vm" nil "$r"
r=$(xr_call $B $PORT stop_vm "$(xs $REPO)" "$(xs $VM)" "$(xb 0)")
check "stop_vm" nil "$r"
check "VM no longer listed" has "$(xr_call $B $PORT list_vm "$(xs $REPO)" "$(xs $VM)")" "<nil/>"
r=$(xr_call $B $PORT stop_vm "$(xs $REPO)" "$(xs $VM)" "$(xb 1)")
check "stopping a stopped VM faults" has "$r" "does not exist"
xr_call $B $PORT start_vm "$(xs $REPO)" "$(xs $VM)" >/dev/null
r=$(xr_call $B $PORT sim_guest_shutdown "$(xs $VM)")
check "sim_guest_shutdown removes the domain" has "$(xr_call $B $PORT list_vm "$(xs $REPO)" "$(xs $VM)")" "<nil/>"
big=$(xst "$(xm memory "$(xi 999999)")" "$(xm name "$(xs $VM)")")
xr_call $B $PORT configure_vm "$(xs $REPO)" "$(xs $VM)" "$big" >/dev/null
r=$(xr_call $B $PORT start_vm "$(xs $REPO)" "$(xs $VM)")
check "start_vm refuses when memory is short" has "$r" "Not enough free memory"
r=$(xr_call $B $PORT delete_vm "$(xs $REPO)" "$(xs $VM)")
check "delete_vm" nil "$r"
check "VM directory removed" test ! -e "$NFS/nfs1/export/repo1/VirtualMachines/$VM"
r=$(xr_call $B $PORT unmount_repository_fs "$(xs $MP)")
check "unmount on B" nil "$r"
r=$(xr_call $A $PORT delete_repository "$(xs $REPO)" "$(xb 1)")
check "delete_repository on A" nil "$r"
check "repository erased" test ! -e "$NFS/nfs1/export/repo1/.ovsrepo"
db=$(xr_call $A $PORT discover_repository_db | result_string)
check "repository no longer in A's db" test "$(xpath 'count(//Repository)' <<< "$db")" = 0
boot_of() { xr_call $A $PORT get_last_boot_time | xpath 'string(//member[name="last_boot_time"]/value/*)'; }
boot0=$(boot_of)
r=$(xr_call $A $PORT sim_crash)
boot1=$(boot_of)
check "sim_crash changes Boot_Time ($boot0 -> $boot1)" test -n "$boot0" -a "$boot1" -gt "$boot0"
check "agents stop cleanly" agent_stop "$TMP/a"
tap_done
