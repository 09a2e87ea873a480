#!/usr/bin/env bash
# Virtual appliances end to end (doc/command-language.md §4.4, "Virtual
# appliances"): ovmsh -> a real ovmd -> a real ovm-agentd, which downloads
# OVA packages built here at test time (tar + a handwritten OVF + qemu-img
# made VMDK images) from a real HTTP server (python3 -m http.server) on
# loopback. Covers importVirtualAppliance and its failures (404, a truncated
# package, OVFs that lie, bad XML, a bad manifest checksum: each leaves no
# object and no file), createVmFromVirtualAppliance and starting that VM,
# importTemplate, exportVirtualAppliance (tar tf and xmllint accept the OVA)
# and the round trip of the export through the HTTP server back into a VM
# that starts. TAP output; every wait is bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/loopback.sh"

for tool in qemu-img tar xmllint sha256sum; do
    if ! command -v "$tool" >/dev/null; then echo "1..0 # SKIP $tool is not installed (tools/deps.sh)"; exit 0; fi
done
py=
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import http.server' 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || { echo "1..0 # SKIP python3 is not installed"; exit 0; }

# Addresses no other test uses (127.0.61.x); ports checked free on them.
agent_ip=127.0.61.2
srv_ip=127.0.61.3

work=$(mktemp -d /tmp/ovm-appliances.XXXXXX)
port=$(pick_port "$agent_ip" "$srv_ip"); http_port=$(pick_port "$agent_ip" "$srv_ip")
https_port=$(pick_port "$agent_ip" "$srv_ip"); ftp_port=$(pick_port "$agent_ip" "$srv_ip")
AGENT_PASSWORD=s3cret
pids=()
cleanup() {
    ovmd_stop "$work/m" >/dev/null 2>&1
    agent_stop "$work/a" >/dev/null 2>&1
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
nfs=$work/nfs
files=$work/files
mkdir -p "$nfs/127.0.0.1/repo1" "$files"

# ovf NAME VMNAME CPUS MEMMB HREF CAPACITY [FILESIZE]: a minimal OVF 1.1 descriptor.
ovf() {
    local size=${7:+ ovf:size=\"$7\"}
    cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" ovf:version="1.1">
  <References><File ovf:id="file1" ovf:href="$5"$size/></References>
  <DiskSection><Info>disks</Info>
    <Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="$6" ovf:capacityAllocationUnits="byte * 2^20"/>
  </DiskSection>
  <VirtualSystem ovf:id="$2"><Info>a VM</Info><Name>$2</Name>
    <VirtualHardwareSection><Info>hw</Info>
      <Item><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>$3</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>$4</rasd:VirtualQuantity></Item>
      <Item><rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceType>10</rasd:ResourceType></Item>
      <Item><rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>4</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
EOF
}
# pack NAME FILE...: NAME.ova in $files from the files of $work/pkg-NAME, in that order.
pack() {
    local name=$1; shift
    (cd "$work/pkg-$name" && tar --format=ustar -cf "$files/$name.ova" "$@")
}
mkpkg() { rm -rf "$work/pkg-$1"; mkdir -p "$work/pkg-$1"; echo "$work/pkg-$1"; }

# good: one VM (2 CPUs, 256 MiB), a 16 MiB VMDK disk with a known pattern, a SHA256 manifest.
d=$(mkpkg good)
head -c 1048576 /dev/urandom > "$work/pattern.raw"
qemu-img create -q -f raw "$work/disk.raw" 16M
dd if="$work/pattern.raw" of="$work/disk.raw" conv=notrunc status=none
qemu-img convert -q -f raw -O vmdk -o subformat=streamOptimized "$work/disk.raw" "$d/disk1.vmdk"
ovf good web 2 256 disk1.vmdk 16 "$(stat -c %s "$d/disk1.vmdk")" > "$d/good.ovf"
(cd "$d" && sha256sum --tag good.ovf disk1.vmdk | sed 's/^SHA256 (\(.*\)) = /SHA256(\1)= /' > good.mf)
pack good good.ovf good.mf disk1.vmdk
# truncated: the good package cut inside its disk.
head -c $(( $(stat -c %s "$files/good.ova") / 2 )) "$files/good.ova" > "$files/truncated.ova"
# missing: the OVF references a file the package lacks.
d=$(mkpkg missing); ovf missing web 1 128 nothere.vmdk 16 > "$d/missing.ovf"; pack missing missing.ovf
# toobig: a 32 MiB image where the OVF declares 16 MiB.
d=$(mkpkg toobig); qemu-img create -q -f vmdk "$d/big.vmdk" 32M
ovf toobig web 1 128 big.vmdk 16 > "$d/toobig.ovf"; pack toobig toobig.ovf big.vmdk
# badxml: a descriptor that is not XML.
d=$(mkpkg badxml); cp "$work/pkg-good/disk1.vmdk" "$d/"
ovf badxml web 1 128 disk1.vmdk 16 | sed 's|</Envelope>||' > "$d/badxml.ovf"; pack badxml badxml.ovf disk1.vmdk
# badsum: the manifest's checksum of the disk is wrong.
d=$(mkpkg badsum); cp "$work/pkg-good/disk1.vmdk" "$work/pkg-good/good.ovf" "$d/"
printf 'SHA256(disk1.vmdk)= %064d\n' 0 > "$d/badsum.mf"; pack badsum good.ovf badsum.mf disk1.vmdk
# v09: an OVF 0.9 (VMware ESX 3.5) descriptor, which Oracle VM refuses.
d=$(mkpkg v09); cp "$work/pkg-good/disk1.vmdk" "$d/"
ovf v09 web 1 128 disk1.vmdk 16 | sed 's|http://schemas.dmtf.org/ovf/envelope/1|http://www.vmware.com/schema/ovf/1/envelope|g' > "$d/v09.ovf"
pack v09 v09.ovf disk1.vmdk
# tgz: a gzip-compressed template, which is refused.
(cd "$work/pkg-good" && tar czf "$files/tmpl.tgz" good.ovf disk1.vmdk)
# tmpl: a one-VM package for importTemplate.
d=$(mkpkg tmpl); cp "$work/pkg-good/disk1.vmdk" "$d/"; ovf tmpl ol7tmpl 1 512 disk1.vmdk 16 > "$d/tmpl.ovf"
pack tmpl tmpl.ovf disk1.vmdk

(cd "$files" && exec "$py" -m http.server --bind "$srv_ip" "$http_port") >"$work/http.log" 2>&1 &
pids+=($!)
check "HTTP server listens on $srv_ip:$http_port" wait_port "$srv_ip" "$http_port"
# The same packages over HTTPS (a certificate the agent trusts) and FTP, when
# openssl and python3-pyftpdlib are there (tools/deps.sh lists both).
https_ok=
command -v openssl >/dev/null && tls_server ova-tls "$srv_ip" "$https_port" "$files" && https_ok=1
ftp_py=
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import pyftpdlib' 2>/dev/null; then ftp_py=$p; break; fi
done
if [ -n "$ftp_py" ]; then
    "$ftp_py" -m pyftpdlib -i "$srv_ip" -p "$ftp_port" -d "$files" >"$work/ftp.log" 2>&1 &
    pids+=($!)
fi
check "agent starts" agent_start "$work/a" "$agent_ip" "$port" --nfs-root "$nfs" --hostname ovs61 \
    ${https_ok:+--import-ca-file "$work/ova-tls.pem"}
check "ovmd starts" ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")"

ovm() {
    out=$(timeout 120 "$OVMSH_BIN" -S "$work/m/engine.sock" -c "$1" 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}")
    rc=$?
}
step() {
    ovm "$2"
    if ! grep -q 'Status: Failure' <<<"$out" && [ "$rc" -eq 0 ]; then ok "$1"; else not_ok "$1"; printf '# %s\n' "$out" | head -20; fi
}
field() { sed -n "s/^  $1 = //p" <<<"$out" | head -1; }
new_id() { sed -n 's/^  id:\([^ ]*\)  name:.*$/\1/p' <<<"$out" | head -1; }
repo_dir=$nfs/127.0.0.1/repo1
count() { ovm "list $1"; grep -c ' id:' <<<"$out"; }
url() { echo "http://$srv_ip:$http_port/$1"; }

step "a pool and a repository presented to ovs61" "discoverServer ipAddress=$agent_ip password=s3cret; create ServerPool name=pool1 clusterEnable=No; add Server name=ovs61 to ServerPool name=pool1; create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs61; refresh FileServer name=nfs1; create Repository name=repo1 on FileSystem name=nfs:/repo1; add ServerPool name=pool1 to Repository name=repo1"

# --- failures first: each leaves no object and no file ---
failed() {
    local d=$1 pat=$2
    ovm "$3"
    if grep -q '^Status: Failure' <<<"$out" && grep -q "^Error Msg: .*$pat" <<<"$out"; then ok "$d"
    else not_ok "$d"; printf '# %s\n' "$out" | head -12; fi
    check "$d: no VirtualAppliance, Vm or VirtualDisk is left" \
        test "$(count VirtualAppliance)" -eq 0 -a "$(count VirtualApplianceVm)" -eq 0 -a "$(count Vm)" -eq 0 \
        -a "$(count VirtualDisk)" -eq 0
    check "$d: nothing is left in Assemblies/ or VirtualDisks/" \
        test -z "$(find "$repo_dir/Assemblies" "$repo_dir/VirtualDisks" -mindepth 1 2>/dev/null)"
}
failed "a missing package (404)" "HTTP 404" "importVirtualAppliance Repository name=repo1 url=$(url nosuch.ova)"
failed "a truncated package" "the package is truncated" "importVirtualAppliance Repository name=repo1 url=$(url truncated.ova)"
failed "an OVF that references a missing file" "references file nothere.vmdk, which the package lacks" \
    "importVirtualAppliance Repository name=repo1 url=$(url missing.ova)"
failed "a disk bigger than its OVF declares" "is 33554432 bytes, more than the 16777216 bytes its OVF declares" \
    "importVirtualAppliance Repository name=repo1 url=$(url toobig.ova)"
failed "a descriptor that is not XML" "not well-formed XML" \
    "importVirtualAppliance Repository name=repo1 url=$(url badxml.ova)"
failed "a manifest checksum that does not match" "SHA256 checksum of disk1.vmdk does not match the manifest" \
    "importVirtualAppliance Repository name=repo1 url=$(url badsum.ova)"
failed "OVF 0.9 is refused" "OVF 1.x and 2.0 only" "importVirtualAppliance Repository name=repo1 url=$(url v09.ova)"
failed "a .tgz template is refused" "only OVA (tar) packages are supported" \
    "importTemplate Repository name=repo1 url=$(url tmpl.tgz)"
failed "importTemplate of a package that lies fails alike" "references file nothere.vmdk" \
    "importTemplate Repository name=repo1 url=$(url missing.ova)"

# --- import ---
step "importVirtualAppliance of a good OVA" "importVirtualAppliance Repository name=repo1 url=$(url good.ova)"
check "the reply lists the appliance" grep -q '^  id:0004fb0000190000[0-9a-f]\{16\}  name:good.ova$' <<<"$out"
app=$(new_id)
check "its folder holds the raw image and the descriptor" test -f "$repo_dir/Assemblies/$app/0.img" -a -f "$repo_dir/Assemblies/$app/package.ovf"
check "the image is raw, 16 MiB" test "$(stat -c %s "$repo_dir/Assemblies/$app/0.img")" -eq 16777216
check "the image holds the disk's bytes" cmp -s -n 1048576 "$work/pattern.raw" "$repo_dir/Assemblies/$app/0.img"
check "no temporary folder is left" test -z "$(find "$repo_dir" -name '.import-*')"
ovm "show VirtualAppliance id=$app"
check "show VirtualAppliance names its repository" grep -q '^  Repository = .*\[repo1\]$' <<<"$out"
check "show VirtualAppliance gives the OVF version" test "$(field 'OVF Version')" = 1.x
ovm "list VirtualApplianceVm"
check "list VirtualApplianceVm shows web" grep -q 'name:web$' <<<"$out"
ovm "show AssemblyVm name=web"
check "the VM has 2 processors and 256 MB (AssemblyVm alias)" test "$(field Processors)" = 2 -a "$(field 'Memory (MB)')" = 256
ovm "show VirtualApplianceVirtualDisk name=disk1.vmdk"
check "the appliance disk is 16 MiB" test "$(field 'Max (GiB)')" = 0.015625
ovm "list Assembly"
check "list Assembly lists the appliance" grep -q "id:$app  name:good.ova" <<<"$out"
step "edit VirtualAppliance renames it" "edit VirtualAppliance id=$app name=goodapp description=tested"

# --- a VM from the appliance, started ---
step "createVmFromVirtualAppliance" "createVmFromVirtualAppliance VirtualApplianceVm name=web"
vm=$(new_id)
check "the reply lists a new Vm web" grep -q '^  id:0004fb0000060000[0-9a-f]\{16\}  name:web$' <<<"$out"
check "its vm.cfg is written" test -f "$repo_dir/VirtualMachines/$vm/vm.cfg"
ovm "show Vm id=$vm"
check "the Vm has the appliance's CPUs and memory" test "$(field Processors)" = 2 -a "$(field 'Memory (MB)')" = 256
disk=$(ovm "list VirtualDisk" && sed -n 's/^  id:\([^ ]*\)  name:web-disk0$/\1/p' <<<"$out")
check "its disk is a copy of the appliance's image" cmp -s "$repo_dir/Assemblies/$app/0.img" "$repo_dir/VirtualDisks/$disk"
step "move it into pool1 and start it" "migrate Vm id=$vm destServerPool=pool1; start Vm id=$vm"
ovm "show Vm id=$vm"
check "the Vm runs" test "$(field Status)" = Running
step "stop it" "stop Vm id=$vm"

# --- template ---
step "importTemplate" "importTemplate Repository name=repo1 url=$(url tmpl.ova)"
tmpl=$(new_id)
ovm "show Vm id=$tmpl"
check "the template is a Vm in TEMPLATE state named by its OVF" test "$(field Status)" = Template -a "$(field Name)" = ol7tmpl
check "importTemplate stores no appliance" test "$(count VirtualAppliance)" -eq 1
check "and leaves no folder in Assemblies/" test "$(ls "$repo_dir/Assemblies" | wc -l)" -eq 1

# --- export and the round trip ---
step "exportVirtualAppliance of web" "exportVirtualAppliance Repository name=repo1 name=webexport vms=web"
exp=$(new_id)
ova=$repo_dir/Assemblies/$exp/package.ova
check "the export wrote an OVA into the repository" test -f "$ova"
check "tar tf lists descriptor, manifest and VMDK, descriptor first" \
    test "$(tar tf "$ova" | tr '\n' ' ')" = "appliance.ovf appliance.mf disk0.vmdk "
mkdir -p "$work/x" && tar xf "$ova" -C "$work/x"
check "xmllint accepts the descriptor" xmllint --noout "$work/x/appliance.ovf"
check "the manifest's checksums hold" sh -c "cd '$work/x' && sed 's/^SHA256(\(.*\))= \(.*\)$/\2  \1/' appliance.mf | sha256sum -c --quiet"
check "the disk is a stream-optimized VMDK" sh -c "qemu-img info '$work/x/disk0.vmdk' | grep -q 'file format: vmdk'"
failed_ok() { ovm "$2"; if grep -q "^Error Msg: .*$1" <<<"$out"; then ok "$3"; else not_ok "$3"; printf '# %s\n' "$out" | head; fi; }
failed_ok "Cannot export Vm ol7tmpl: templates cannot be exported" \
    "exportVirtualAppliance Repository name=repo1 name=t vms=ol7tmpl" "a template is not exported"
cp "$ova" "$files/roundtrip.ova"
step "import the exported OVA back over HTTP" "importVirtualAppliance Repository name=repo1 url=$(url roundtrip.ova)"
rt=$(new_id)
ovm "list VirtualApplianceVm"
check "the round trip has VM web twice (export and import)" test "$(grep -c 'name:web$' <<<"$out")" -eq 3
rtvm=$(ovm "show VirtualAppliance id=$rt" && sed -n 's/^  Virtual Appliance Vm 1 = \([^ ]*\).*/\1/p' <<<"$out")
step "a VM from the round trip" "createVmFromAssembly AssemblyVm id=$rtvm"
vm2=$(new_id)
check "its disk holds the original bytes" sh -c "cmp -s -n 1048576 '$work/pattern.raw' \"\$(ls '$repo_dir'/VirtualDisks/* | xargs ls -t | head -1)\""
step "edit and start the round-trip VM" "edit Vm id=$vm2 name=web2; migrate Vm id=$vm2 destServerPool=pool1; start Vm id=$vm2"
ovm "show Vm id=$vm2"
check "the round-trip VM runs" test "$(field Status)" = Running

# --- delete ---
step "delete VirtualAppliance" "delete VirtualAppliance id=$rt"
check "its folder is gone" test ! -e "$repo_dir/Assemblies/$rt"
ovm "list VirtualApplianceVirtualDisk"
check "its children are gone from the store" test "$(grep -c ' id:' <<<"$out")" -eq 2
failed_ok "Cannot delete Repository repo1: it is in use by" "delete Repository name=repo1" \
    "a repository with appliances is not deleted"

# --- the import transport: the same package over HTTPS and FTP ---
# import_over SCHEME URL: imports good.ova from URL, checks its image, deletes it.
import_over() {
    step "importVirtualAppliance over $1" "importVirtualAppliance Repository name=repo1 url=$2"
    local id
    id=$(new_id)
    check "over $1: the image holds the disk's bytes" \
        cmp -s -n 1048576 "$work/pattern.raw" "$repo_dir/Assemblies/$id/0.img"
    step "over $1: delete the appliance" "delete VirtualAppliance id=$id"
}
if [ -n "$https_ok" ]; then
    check "HTTPS server listens on $srv_ip:$https_port" wait_port "$srv_ip" "$https_port"
    import_over HTTPS "https://$srv_ip:$https_port/good.ova"
else
    ok "# SKIP OVA over HTTPS: openssl is missing"
fi
if [ -n "$ftp_py" ]; then
    check "FTP server listens on $srv_ip:$ftp_port" wait_port "$srv_ip" "$ftp_port"
    import_over FTP "ftp://$srv_ip:$ftp_port/good.ova"
else
    ok "# SKIP OVA over FTP: python3-pyftpdlib is missing"
fi

ovmd_stop "$work/m"
check "ovmd exits cleanly" test $? -eq 0
tap_done
