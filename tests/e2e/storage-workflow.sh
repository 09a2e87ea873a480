#!/usr/bin/env bash
# Oracle VM's documented storage workflow as one batch file fed to ovmsh, as
# an administrator's script feeds `ssh -p 10000 admin@manager < batch`: a
# generic iSCSI StorageArray on a real tgtd (file-backed LUNs), its admin
# server, validate, refresh, the initiators in its access group, an OCFS2
# FileSystem on one LUN with a repository on it, a repository made directly
# on another LUN (create Repository on PhysicalDisk, the 3.3 form), both
# presented, importTemplate over HTTP, a VM cloned from the template, a
# clone with a VmCloneCustomizer into the second repository,
# exportVirtualAppliance, importVirtualAppliance of that OVA back over HTTP
# and createVmFromVirtualAppliance. Every command must answer
# `Status: Success`; then the LUN headers, the hosts' repository
# directories, iscsi-ls and the script-facing show labels are checked.
# Loopback addresses 127.0.74.x only. TAP output; every wait is bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/loopback.sh"
. "$top_srcdir/tests/lib/tgt.sh"
tgt_require
for tool in qemu-img; do
    command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed (tools/deps.sh)"; exit 0; }
done
py=
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import http.server' 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || { echo "1..0 # SKIP python3 is not installed"; exit 0; }

tgt_ip=127.0.74.1
ip_a=127.0.74.2
ip_b=127.0.74.3
srv_ip=127.0.74.4

work=$(mktemp -d /tmp/ovm-storflow.XXXXXX)
port=$(pick_port "$ip_a" "$ip_b" "$tgt_ip"); portal=$(pick_port "$tgt_ip"); ctl=$(tgt_pick_control 8300)
http_port=$(pick_port "$srv_ip")
AGENT_PASSWORD=s3cret
http_pid=
cleanup() {
    ovmd_stop "$work/m" >/dev/null 2>&1
    agent_stop "$work/a" >/dev/null 2>&1
    agent_stop "$work/b" >/dev/null 2>&1
    [ -n "$http_pid" ] && { kill "$http_pid" 2>/dev/null; wait "$http_pid" 2>/dev/null; }
    tgt_cleanup
    rm -rf "$work"
}
trap cleanup EXIT

target=iqn.2026-12.org.ovmsh.test:storflow
truncate -s 12G "$work/lun1.img"
truncate -s 12G "$work/lun2.img"
truncate -s 12G "$work/lun3.img"
tgt_start "$tgt_ip" "$portal"
check "tgtd answers on control port $ctl" wait_tgtd
check "tgtadm makes a target with three 12 GiB file-backed LUNs" eval \
    'tgtadm_ --op new --mode target --tid 1 -T "$target" &&
     tgtadm_ --op new --mode logicalunit --tid 1 --lun 1 -b "$work/lun1.img" &&
     tgtadm_ --op new --mode logicalunit --tid 1 --lun 2 -b "$work/lun2.img" &&
     tgtadm_ --op new --mode logicalunit --tid 1 --lun 3 -b "$work/lun3.img" &&
     tgtadm_ --op bind --mode target --tid 1 -I ALL'
iscsi_luns=$(timeout 20 iscsi-ls -s "iscsi://$tgt_ip:$portal/" 2>&1)
check "iscsi-ls sees LUN 1 of the target" grep -q "Lun:1 .*DIRECT_ACCESS" <<<"$iscsi_luns"
check "iscsi-ls sees LUN 2 of the target" grep -q "Lun:2 .*DIRECT_ACCESS" <<<"$iscsi_luns"
check "iscsi-ls sees LUN 3 of the target" grep -q "Lun:3 .*DIRECT_ACCESS" <<<"$iscsi_luns"

# The template: a one-VM OVF 1.1 package with a 16 MiB VMDK, served over HTTP.
files=$work/files
mkdir -p "$files" "$work/pkg"
qemu-img create -q -f vmdk "$work/pkg/disk1.vmdk" 16M
cat > "$work/pkg/tmpl.ovf" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" ovf:version="1.1">
  <References><File ovf:id="file1" ovf:href="disk1.vmdk"/></References>
  <DiskSection><Info>disks</Info>
    <Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="16" ovf:capacityAllocationUnits="byte * 2^20"/>
  </DiskSection>
  <VirtualSystem ovf:id="ol7tmpl"><Info>a VM</Info><Name>ol7tmpl</Name>
    <VirtualHardwareSection><Info>hw</Info>
      <Item><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>512</rasd:VirtualQuantity></Item>
      <Item><rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>4</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
EOF
(cd "$work/pkg" && tar --format=ustar -cf "$files/tmpl.ova" tmpl.ovf disk1.vmdk)
# The administrator's web server also publishes what exportVirtualAppliance
# wrote: /export/latest.ova is the newest package.ova of the hosts' LUN
# directories (the script cannot know the export's id in advance).
cat > "$work/serve-exports.py" <<'EOF'
import glob, http.server, os, shutil, sys
root, lunfs = sys.argv[3], sys.argv[4]
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def do_GET(self):
        if self.path == "/export/latest.ova":
            found = glob.glob(os.path.join(lunfs, "*", "Assemblies", "*", "package.ova"))
            if not found:
                return self.send_error(404)
            path = max(found, key=os.path.getmtime)
            self.send_response(200)
            self.send_header("Content-Length", str(os.path.getsize(path)))
            self.end_headers()
            with open(path, "rb") as f:
                shutil.copyfileobj(f, self.wfile)
            return
        return super().do_GET()
http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
EOF
"$py" "$work/serve-exports.py" "$srv_ip" "$http_port" "$files" "$work/lunfs" >"$work/http.log" 2>&1 &
http_pid=$!
# wait_port waits 10 s; a loaded machine may take longer to start python.
wait_http() { local i; for i in 1 2 3 4 5 6; do wait_port "$srv_ip" "$http_port" && return 0; done; return 1; }
check "HTTP server listens on $srv_ip:$http_port" wait_http

# Both hosts see the same OCFS2 contents, as hosts sharing a LUN do.
check "agent A starts" agent_start "$work/a" "$ip_a" "$port" --nfs-root "$work/nfs" --lun-fs-root "$work/lunfs" --hostname ovs74a
check "agent B starts" agent_start "$work/b" "$ip_b" "$port" --nfs-root "$work/nfs" --lun-fs-root "$work/lunfs" --hostname ovs74b
check "ovmd starts" ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")"

# The initiator name an Oracle VM Server reports (agent/san.c: FNV-1a of its host name).
iqn_of() {
    local h=2166136261 i c
    for ((i = 0; i < ${#1}; i++)); do
        printf -v c '%d' "'${1:i:1}"
        h=$(( ((h ^ c) * 16777619) & 0xffffffff ))
    done
    printf 'iqn.1988-12.com.oracle:%08x.%s' "$h" "$1"
}
ag="Default access group @ san1"
url=http://$srv_ip:$http_port
cat > "$work/batch" <<EOF
# Servers and their pool
discoverServer ipAddress=$ip_a password=s3cret
discoverServer ipAddress=$ip_b password=s3cret
create ServerPool name=pool1 clusterEnable=No
add Server name=ovs74a to ServerPool name=pool1
add Server name=ovs74b to ServerPool name=pool1
# The SAN: a generic iSCSI array, its admin server, validate, refresh
create StorageArray name=san1 storageType=ISCSI plugin="Oracle Generic SCSI Plugin" \\
    accessHost=$tgt_ip accessPort=$portal
addAdminServer StorageArray name=san1 server=ovs74a
validate StorageArray name=san1
refresh StorageArray name=san1
# The servers' initiators into the array's access group
refreshStorageLayer Server name=ovs74a
refreshStorageLayer Server name=ovs74b
add StorageInitiator name=$(iqn_of ovs74a) to AccessGroup name="$ag"
add StorageInitiator name=$(iqn_of ovs74b) to AccessGroup name="$ag"
# An OCFS2 file system on LUN 1 and a repository on it
create FileServer name=local1 accessHost=$tgt_ip adminServers=ovs74a
create FileSystem name=ocfs1 physicalDisk="IET (1)" on FileServer name=local1
create Repository name=repoA description="on a file system" on FileSystem name=ocfs1
# A repository made directly on LUN 2 (file system and repository in one job)
create Repository name=repoB description="on a LUN" on PhysicalDisk name="IET (2)"
# Presented to the servers
add Server name=ovs74b to Repository name=repoA
add ServerPool name=pool1 to Repository name=repoB
# A template over HTTP, a VM cloned from it
importTemplate Repository name=repoA url=$url/tmpl.ova
clone Vm name=ol7tmpl destType=Vm destName=web1 serverPool=pool1
# A data disk of web1 that a customized clone copies into repoB
create VirtualDisk name=data1 size=0.01 sparse=Yes shareable=No on Repository name=repoA
create VmDiskMapping slot=1 virtualDisk=data1 name=web1-data on Vm name=web1
create VmCloneCustomizer name=cust1 description="data to repoB" on Vm name=web1
create VmCloneStorageMapping cloneType=SPARSE_COPY name=sm1 vmDiskMapping=web1-data repository=repoB \\
    on VmCloneCustomizer name=cust1
clone Vm name=web1 destType=Vm destName=web2 serverPool=pool1 cloneCustomizer=cust1
# web1 as an OVA, imported back, a VM made from it
exportVirtualAppliance Repository name=repoA name=web1export vms=web1
importVirtualAppliance Repository name=repoB url=$url/export/latest.ova
delete VirtualAppliance name=web1export
createVmFromVirtualAppliance VirtualApplianceVm name=web1
EOF
ncmd=$(grep -v '^#' "$work/batch" | grep -cv '^    ')

timeout 900 "$OVMSH_BIN" -S "$work/m/engine.sock" --stop-on-error < "$work/batch" > "$work/out" 2> "$work/err"
rc=$?
tr -d '\r' < "$work/out" > "$work/transcript"
check "the batch runs to its end (exit 0)" test "$rc" -eq 0
nok=$(grep -c '^Status: Success' "$work/transcript")
check "each of its $ncmd commands answers Status: Success ($nok did)" test "$nok" -eq "$ncmd"
if [ "$rc" -ne 0 ] || [ "$nok" -ne "$ncmd" ]; then
    grep -B3 -A3 '^Status: Failure' "$work/transcript" | sed 's/^/# /' | head -20
    sed 's/^/# stderr: /' "$work/err" | head -5
fi
check "no command failed" test "$(grep -c '^Status: Failure' "$work/transcript")" -eq 0

# --- what the commands left, as scripts read it (ovmsh -c) ---
ovm() {
    out=$(timeout 120 "$OVMSH_BIN" -S "$work/m/engine.sock" -c "$1" 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}")
    rc=$?
}
field() { sed -n "s/^  $1 = //p" <<<"$out" | head -1; }
idof() { field Id; }
p83() { echo "360000000000000000e0000000001000$1"; }
hdr_field() { head -c 4096 "$work/lun$1.img" | tr -d '\0' | sed -n "s/^$2=//p"; }

ovm "show AccessGroup name=\"$ag\""
check "the access group lists both initiators (Storage Initiator N)" eval \
    'grep -q "^  Storage Initiator 1 = .*\[$(iqn_of ovs74a)\]$" <<<"$out" &&
     grep -q "^  Storage Initiator 2 = .*\[$(iqn_of ovs74b)\]$" <<<"$out"'
ovm "show Server name=ovs74a"
check "show Server lists its initiator (Storage Initiator 1)" grep -q "^  Storage Initiator 1 = .*\[$(iqn_of ovs74a)\]$" <<<"$out"

ovm "show PhysicalDisk name=\"IET (2)\""
check "show PhysicalDisk: LUN 2's page 0x83 id, 12.0 GiB, its array" eval \
    'test "$(field "Page83 ID")" = "$(p83 2)" -a "$(field "Size (GiB)")" = 12.0 -a "$(field "San Server")" = san1'

ovm "show Repository name=repoA"
repoA=$(idof); fsA=$(sed -n 's/^  File System = \([^ ]*\)  \[ocfs1\]$/\1/p' <<<"$out")
check "show Repository repoA: File System = <id>  [ocfs1]" test -n "$fsA"
check "show Repository repoA: File System Free (GiB) = 12.0 or less" \
    awk -v f="$(field 'File System Free (GiB)')" 'BEGIN { exit !(f != "" && f + 0 > 11 && f + 0 <= 12) }'
check "show Repository repoA: Presented Server 1 and 2" eval \
    'grep -q "^  Presented Server 1 = " <<<"$out" && grep -q "^  Presented Server 2 = " <<<"$out"'
check "show Repository repoA: the template and web1 (Vm N)" eval \
    'grep -q "^  Vm 1 = .*\[ol7tmpl\]$" <<<"$out" && grep -q "^  Vm [0-9] = .*\[web1\]$" <<<"$out"'
check "show Repository repoA: its disks (VirtualDisk N)" grep -q "^  VirtualDisk 1 = .*" <<<"$out"
check "LUN 1's header names ocfs1 and repoA" test "$(hdr_field 1 FS_LABEL)/$(hdr_field 1 REPO_ALIAS)" = ocfs1/repoA
check "the host made repoA in LUN 1's directory" test -f "$work/lunfs/$(p83 1)/.ovsrepo"

ovm "show Repository name=repoB"
repoB=$(idof)
fsB=$(sed -n 's/^  File System = \([^ ]*\)  \[repoB\]$/\1/p' <<<"$out")
check "create Repository on PhysicalDisk made FileSystem repoB for it" test -n "$fsB"
check "its id has type code 0005" grep -q '^0004fb0000050000[0-9a-f]\{16\}$' <<<"$fsB"
check "repoB is presented to both pool members" grep -q "^  Presented Server 2 = " <<<"$out"
ovm "show FileSystem id=$fsB"
check "show FileSystem: OCFS2, on LUN 2, used by a repository" eval \
    'test "$(field "File System Type")" = OCFS2 -a "$(field Usage)" = REPOSITORY &&
     grep -q "^  Physical Disk = .*\[IET (2)\]$" <<<"$out"'
check "LUN 2's header names the file system and repoB" \
    test "$(hdr_field 2 FS_UUID)/$(hdr_field 2 REPO_UUID)/$(hdr_field 2 REPO_ALIAS)" = "$fsB/$repoB/repoB"
check "the host made repoB in LUN 2's directory" test -f "$work/lunfs/$(p83 2)/.ovsrepo"

ovm "show Vm name=web2"
web2=$(idof)
check "web2's vm.cfg is on LUN 1 (repoA, the default target)" test -f "$work/lunfs/$(p83 1)/VirtualMachines/$web2/vm.cfg"
check "the customizer copied data1 into repoB on LUN 2" eval \
    'test "$(ls "$work/lunfs/$(p83 2)/VirtualDisks/" | wc -l)" -ge 1 &&
     grep -q "$repoB/VirtualDisks/" "$work/lunfs/$(p83 1)/VirtualMachines/$web2/vm.cfg"'
check "the exported OVA was served from repoA's Assemblies" grep -q '"GET /export/latest.ova HTTP/1.[01]" 200' "$work/http.log"
check "delete VirtualAppliance removed the export's folder" test -z "$(ls "$work/lunfs/$(p83 1)/Assemblies/")"
ovm "list VirtualAppliance"
check "the imported appliance is the only one left" test "$(grep -c ' id:' <<<"$out")" -eq 1
ovm "list Vm"
check "createVmFromVirtualAppliance made a second Vm web1" test "$(grep -c 'name:web1$' <<<"$out")" -eq 2
check "Vms: template, web1 twice, web2" test "$(grep -c ' id:' <<<"$out")" -eq 4

# --- create Repository on PhysicalDisk: refusals leave everything as it was ---
refused() {
    ovm "$3"
    if grep -q '^Status: Failure' <<<"$out" && grep -q "^Error Msg: .*$2" <<<"$out"; then ok "$1"
    else not_ok "$1"; printf '# %s\n' "$out" | head -12; fi
}
refused "a LUN that holds a file system is refused" "PhysicalDisk IET (2) already contains a file system" \
    "create Repository name=repoC on PhysicalDisk name=\"IET (2)\""
refused "a repository name in use is refused" "A Repository named repoA already exists" \
    "create Repository name=repoA on PhysicalDisk name=\"IET (1)\""
ovm "list FileSystem"
check "the refusals stored no FileSystem" test "$(grep -c ' id:' <<<"$out")" -eq 2
# --- a repository step that fails leaves the LUN blank and no FileSystem ---
printf '%s\n' "create_repository fault exceptions.OSError:[Errno 28] No space left on device" > "$work/a/faults"
refused "create Repository on PhysicalDisk fails with the host's error" "No space left on device" \
    "create Repository name=repoC on PhysicalDisk name=\"IET (3)\""
: > "$work/a/faults"
check "the failed job wiped LUN 3's header" test -z "$(hdr_field 3 FS_UUID)"
ovm "list FileSystem"
check "and removed its FileSystem" test "$(grep -c ' id:' <<<"$out")" -eq 2
ovm "list Repository"
check "and stored no Repository repoC" test "$(grep -c 'name:repoC$' <<<"$out")" -eq 0
ovm "create Repository name=repoC on PhysicalDisk name=\"IET (3)\""
check "the same LUN takes the repository afterwards" grep -q '^Status: Success' <<<"$out"
check "LUN 3's header names repoC" test "$(hdr_field 3 REPO_ALIAS)" = repoC

check "ovmd stops cleanly" ovmd_stop "$work/m"
check "agent A stops cleanly" agent_stop "$work/a"
check "agent B stops cleanly" agent_stop "$work/b"
tap_done
