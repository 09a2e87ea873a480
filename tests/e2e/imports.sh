#!/usr/bin/env bash
# importVirtualCdrom and importVirtualDisk (doc/command-language.md §4.4,
# Imports) end to end: ovmsh -> a real ovmd -> a real ovm-agentd, which
# downloads from a real HTTP server (python3 -m http.server) and a real FTP
# server (python3-pyftpdlib, a test-only dependency), all on loopback
# addresses of their own. Checks the objects, their sizes and the bytes in the
# repository, and that every failure (404, refused connection, bad scheme, a
# redirect to file://, a stalled server, a file over the cap) leaves no object
# and no file. TAP output; every wait is bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/loopback.sh"

# Debian's python3-pyftpdlib is for Debian's python3, which another python3
# earlier on PATH (pyenv, a virtualenv) may hide.
py=
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import pyftpdlib' 2>/dev/null; then py=$p; break; fi
done
if [ -z "$py" ]; then
    echo "1..0 # SKIP python3-pyftpdlib is not installed (tools/deps.sh lists it)"
    exit 0
fi

# Addresses no other test uses; ports checked free on them.
agent_ip=127.0.0.42
srv_ip=127.0.0.43

work=$(mktemp -d /tmp/ovm-imports.XXXXXX)
ips=("$agent_ip" "$srv_ip")
port=$(pick_port "${ips[@]}"); http_port=$(pick_port "${ips[@]}"); ftp_port=$(pick_port "${ips[@]}")
stall_port=$(pick_port "${ips[@]}"); dead_port=$(pick_port "${ips[@]}")
https_port=$(pick_port "${ips[@]}"); rogue_port=$(pick_port "${ips[@]}")
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
head -c 300000 /dev/urandom > "$files/boot.iso"
head -c 1048576 /dev/urandom > "$files/data.img"
# 256 KiB of data then 1.5 MiB of written zeros (the agent takes 2 MiB at most):
# the import keeps the zeros as a hole.
{ head -c 262144 /dev/urandom; head -c 1572864 /dev/zero; } > "$files/holes.img"
head -c 3145728 /dev/urandom > "$files/big.iso"   # over the agent's 2 MiB cap

(cd "$files" && exec "$py" -m http.server --bind "$srv_ip" "$http_port") >"$work/http.log" 2>&1 &
pids+=($!)
"$py" -m pyftpdlib -i "$srv_ip" -p "$ftp_port" -d "$files" >"$work/ftp.log" 2>&1 &
pids+=($!)
# Two HTTPS servers: one whose certificate the agent trusts (--import-ca-file),
# one with a certificate nobody signed for it. Without openssl they are left out.
https_ok=
if command -v openssl >/dev/null && tls_server trusted "$srv_ip" "$https_port" "$files" && tls_server rogue "$srv_ip" "$rogue_port" "$files"; then
    https_ok=1
fi
# A server that announces 1 MB, sends a few bytes and then stalls, that
# redirects /redir to file:///etc/passwd, and that answers a proxy request
# (an absolute URL) with "proxied".
"$py" - "$srv_ip" "$stall_port" >"$work/stall.log" 2>&1 <<'EOF' &
import socket, sys, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8)
def serve(c):
    req = c.recv(4096).decode(errors="replace")
    if req.startswith("GET http://"):
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nproxied\n")
    elif " /redir" in req.split("\r\n")[0]:
        c.sendall(b"HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n")
    else:
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nabc")
        time.sleep(60)
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
pids+=($!)
check "HTTP server listens on $srv_ip:$http_port" wait_port "$srv_ip" "$http_port"
check "FTP server listens on $srv_ip:$ftp_port" wait_port "$srv_ip" "$ftp_port"
check "stalling server listens on $srv_ip:$stall_port" wait_port "$srv_ip" "$stall_port"

check "agent starts with a 2 MiB import cap and a 2 s stall timeout" agent_start "$work/a" "$agent_ip" "$port" \
    --nfs-root "$nfs" --hostname ovs42 --import-max-mb 2 --import-stall-timeout 2 --import-connect-timeout 5 \
    ${https_ok:+--import-ca-file "$work/trusted.pem"}
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
repo_dir=$nfs/127.0.0.1/repo1
# files_in SUB: the number of files (hidden ones included) in the repository's SUB folder.
files_in() { find "$repo_dir/$1" -type f | wc -l; }

step "a repository presented to ovs42" "discoverServer ipAddress=$agent_ip password=s3cret; create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs42; refresh FileServer name=nfs1; create Repository name=repo1 on FileSystem name=nfs:/repo1"

# --- successes ---
step "import an ISO over HTTP" "importVirtualCdrom Repository name=repo1 url=http://$srv_ip:$http_port/boot.iso"
check "the reply lists the new ISO" grep -q '^  id:0004fb0000150000[0-9a-f]\{16\}\.iso  name:boot.iso$' <<<"$out"
iso_id=$(sed -n 's/^  id:\([^ ]*\)  name:boot.iso$/\1/p' <<<"$out")
check "the ISO's bytes in ISOs/ equal the source" cmp -s "$files/boot.iso" "$repo_dir/ISOs/$iso_id"
ovm "list Job"
check "the job is named Import Virtual Cdrom: boot.iso" grep -q 'name:Import Virtual Cdrom: boot.iso$' <<<"$out"

step "import an ISO over FTP, with Oracle's doubled slashes" \
    "importVirtualCdrom Repository name=repo1 url=\"ftp:////$srv_ip:$ftp_port//boot.iso\""
ftp_id=$(sed -n 's/^  id:\([^ ]*\)  name:boot.iso$/\1/p' <<<"$out")
check "the FTP copy's bytes equal the source" cmp -s "$files/boot.iso" "$repo_dir/ISOs/$ftp_id"
ovm "list VirtualCdrom"
check "list VirtualCdrom shows both imports" test "$(grep -c 'name:boot.iso$' <<<"$out")" -eq 2

if [ -n "$https_ok" ]; then
    check "HTTPS server with the trusted certificate listens" wait_port "$srv_ip" "$https_port"
    check "HTTPS server with an untrusted certificate listens" wait_port "$srv_ip" "$rogue_port"
    step "import a disk over HTTPS from a server the agent trusts (--import-ca-file)" \
        "importVirtualDisk Repository name=repo1 url=https://$srv_ip:$https_port/data.img"
    https_id=$(sed -n 's/^  id:\([^ ]*\)  name:data.img$/\1/p' <<<"$out")
    check "the HTTPS copy's bytes equal the source" cmp -s "$files/data.img" "$repo_dir/VirtualDisks/$https_id"
    n_before=$(files_in VirtualDisks)
    ovm "importVirtualDisk Repository name=repo1 url=https://$srv_ip:$rogue_port/data.img"
    check "a server whose certificate is not trusted is refused (the peer is verified)" \
        eval 'grep -qx "Status: Failure" <<<"$out" && grep -q "^Error Msg: .*import of https://$srv_ip:$rogue_port/data.img failed: SSL certificate problem" <<<"$out"'
    check "and leaves no file behind" test "$(files_in VirtualDisks)" -eq "$n_before"
    step "delete the HTTPS disk" "delete VirtualDisk id=$https_id"
else
    ok "# SKIP HTTPS imports: openssl is missing (tools/deps.sh lists it)"
fi

step "import a virtual disk over HTTP" "importVirtualDisk Repository name=repo1 url=http://$srv_ip:$http_port/data.img"
check "the disk id ends in .img" grep -q '^  id:0004fb0000120000[0-9a-f]\{16\}\.img  name:data.img$' <<<"$out"
disk_id=$(sed -n 's/^  id:\([^ ]*\)  name:data.img$/\1/p' <<<"$out")
check "the disk's bytes in VirtualDisks/ equal the source" cmp -s "$files/data.img" "$repo_dir/VirtualDisks/$disk_id"
ovm "show VirtualDisk id=$disk_id"
check_seen "show VirtualDisk gives the file's size (1 MiB)" "field Max..GiB." test "$(field 'Max (GiB)')" = 0.0009765625
ovm "show Job name=$(ovm 'list Job' && sed -n 's/^  id:\([0-9]*\)  name:Import Virtual Disk: data.img$/\1/p' <<<"$out" | tail -1)"
check "the disk's job is Import Virtual Disk: data.img" test "$(field Name)" = "Import Virtual Disk: data.img"

step "import through a proxy" \
    "importVirtualCdrom Repository name=repo1 url=http://no-such-host.invalid/p.iso proxy=$srv_ip:$stall_port"
proxy_id=$(sed -n 's/^  id:\([^ ]*\)  name:p.iso$/\1/p' <<<"$out")
check "the proxy's answer is what was stored" test "$(cat "$repo_dir/ISOs/$proxy_id" 2>/dev/null)" = proxied

# Sparse imports and clones: whole zero blocks stay holes (cp --sparse=always's rule).
# kib_used FILE: KiB allocated on disk (a missing file fails the check using it).
kib_used() { local b; b=$(stat -c '%b * %B' "$1" 2>/dev/null) || { echo 999999; return 1; }; echo $((b / 1024)); }
step "import an image whose last 1.5 MiB are zeros" "importVirtualDisk Repository name=repo1 url=http://$srv_ip:$http_port/holes.img"
holes_id=$(sed -n 's/^  id:\([^ ]*\)  name:holes.img$/\1/p' <<<"$out")
check "its bytes equal the source" cmp -s "$files/holes.img" "$repo_dir/VirtualDisks/$holes_id"
check "the zeros are a hole: under 1 MiB on disk (source $(kib_used "$files/holes.img") KiB)" \
    test "$(kib_used "$repo_dir/VirtualDisks/$holes_id")" -lt 1024
step "clone it sparse and non-sparse" "clone VirtualDisk id=$holes_id target=repo1 cloneType=SPARSE_COPY name=hs; clone VirtualDisk id=$holes_id target=repo1 cloneType=NON_SPARSE_COPY name=hn"
ovm "show VirtualDisk name=hs"; hs=$(sed -n 's/^  Id = //p' <<<"$out")
ovm "show VirtualDisk name=hn"; hn=$(sed -n 's/^  Id = //p' <<<"$out")
check "both clones hold the same bytes" eval 'cmp -s "$files/holes.img" "$repo_dir/VirtualDisks/$hs" && cmp -s "$files/holes.img" "$repo_dir/VirtualDisks/$hn"'
check "the sparse clone keeps the hole, the non-sparse one is allocated in full" \
    eval '[ "$(kib_used "$repo_dir/VirtualDisks/$hs")" -lt 1024 ] && [ "$(kib_used "$repo_dir/VirtualDisks/$hn")" -ge 1792 ] && [ "$(kib_used "$repo_dir/VirtualDisks/$hn")" -lt 999999 ]'
step "delete the three disks" "delete VirtualDisk name=hs; delete VirtualDisk name=hn; delete VirtualDisk id=$holes_id"

isos=$(files_in ISOs)
disks=$(files_in VirtualDisks)
cdroms_before=$(ovm "list VirtualCdrom" && grep -c ' id:' <<<"$out")
vdisks_before=$(ovm "list VirtualDisk" && grep -c ' id:' <<<"$out")
# failed DESCRIPTION PATTERN CMD: Status: Failure, an Error Msg matching
# PATTERN, and no new object or file.
failed() {
    local d=$1 pat=$2
    ovm "$3"
    if grep -q '^Status: Failure' <<<"$out" && grep -q "^Error Msg: .*$pat" <<<"$out"; then ok "$d"
    else not_ok "$d"; printf '# %s\n' "$out" | head -12; fi
    local nc nv
    nc=$(ovm "list VirtualCdrom" && grep -c ' id:' <<<"$out")
    nv=$(ovm "list VirtualDisk" && grep -c ' id:' <<<"$out")
    check "$d: no object is left" test "$nc" -eq "$cdroms_before" -a "$nv" -eq "$vdisks_before"
    check "$d: no file is left" test "$(files_in ISOs)" -eq "$isos" -a "$(files_in VirtualDisks)" -eq "$disks"
}

# --- failures ---
failed "a missing file fails with HTTP 404" "import of http://$srv_ip:$http_port/nope.iso failed: HTTP 404$" \
    "importVirtualCdrom Repository name=repo1 url=http://$srv_ip:$http_port/nope.iso"
failed "a missing FTP file fails" "import of ftp://$srv_ip:$ftp_port/nope.img failed: " \
    "importVirtualDisk Repository name=repo1 url=ftp://$srv_ip:$ftp_port/nope.img"
failed "a refused connection fails" "failed: could not connect to $srv_ip: " \
    "importVirtualCdrom Repository name=repo1 url=http://$srv_ip:$dead_port/boot.iso"
failed "file:// is refused by the parser" \
    "Invalid value 'file:///etc/passwd' for url; expected an http://, https:// or ftp:// URL$" \
    "importVirtualCdrom Repository name=repo1 url=file:///etc/passwd"
failed "a redirect to file:// is refused by the agent" "import of http://$srv_ip:$stall_port/redir.iso failed: " \
    "importVirtualCdrom Repository name=repo1 url=http://$srv_ip:$stall_port/redir.iso"
start=$(date +%s)
failed "a stalled server times out" "failed: timed out: " \
    "importVirtualDisk Repository name=repo1 url=http://$srv_ip:$stall_port/slow.img"
check "the stall was cut off within 30 s" test $(( $(date +%s) - start )) -lt 30
failed "a file over the 2 MiB cap is refused" \
    "failed: the file is 3145728 bytes; at most 2097152 may be imported" \
    "importVirtualCdrom Repository name=repo1 url=http://$srv_ip:$http_port/big.iso"
failed "a file over the cap is refused over FTP too" "failed: the file is .* bytes" \
    "importVirtualCdrom Repository name=repo1 url=ftp://$srv_ip:$ftp_port/big.iso"
check "no temporary file is left anywhere in the repository" \
    test -z "$(find "$repo_dir" -name '.import-*')"

# The agent itself refuses other schemes, whatever the Manager sends.
r=$(xr_call "$agent_ip" "$port" import_virtual_cdrom "$(xs file:///etc/passwd)" "$(xs 0004fb00001500000000000000000001.iso)" \
    "$(xs "$(ls "$work/a/OVS/Repositories")")")
check "the agent refuses file:// on its own" grep -q 'only http, https and ftp URLs are allowed' <<<"$(fault_string <<<"$r")"

# delete removes the file too: an ISO left behind came back with the next refresh.
step "delete VirtualCdrom of the FTP import" "delete VirtualCdrom id=$ftp_id"
check "its file is gone from ISOs/" test ! -e "$repo_dir/ISOs/$ftp_id"
step "refresh Repository after the delete" "refresh Repository name=repo1"
ovm "list VirtualCdrom"
no_ftp_iso() { ! grep -q "id:$ftp_id" <<<"$out"; }
listed() { grep ' id:' <<<"$out"; }
check_seen "the deleted ISO does not come back" listed no_ftp_iso
check "the other ISO is still there" cmp -s "$files/boot.iso" "$repo_dir/ISOs/$iso_id"
step "delete VirtualDisk of the import" "delete VirtualDisk id=$disk_id"
check "the disk's file is gone from VirtualDisks/" test ! -e "$repo_dir/VirtualDisks/$disk_id"

ovmd_stop "$work/m"
check "ovmd exits cleanly" test $? -eq 0
tap_done
