#!/bin/bash
# The issue-11 storage benchmark: import and clone throughput of a disk image
# through ovmsh next to the plain tools on the same files, in the same run.
#
#   bench/import-clone.sh [-s MIB] [-r RUNS] [-b BUILDDIR]
#
# Defaults: a 1024 MiB raw image (its first half random data, its second
# half a hole), 3 runs, BUILDDIR = $top_builddir or the current directory
# (needs ovmd, ovmsh and ovm-agentd). One simulated host on 127.0.71.2 with
# its repository on a local directory; the image served over HTTP by
# python3's http.server on 127.0.71.1. Each run times, as medians:
#   importVirtualDisk over HTTP       vs  curl -o of the same URL, then sync FILE
#   clone VirtualDisk SPARSE_COPY     vs  cp --sparse=always of the same file
#   clone VirtualDisk NON_SPARSE_COPY vs  qemu-img convert -O raw -S 0
# and prints MB/s for both and the ratio ovmsh time / peer time (target:
# at most 1.5). The ovmsh figures include the whole command: ovmsh start,
# the job, the agent's work and the reply; each step starts after a sync.
# Not part of make check.
set -u

size=1024 runs=3
builddir=${top_builddir:-.}
while getopts "s:r:b:" opt; do
    case $opt in
    s) size=$OPTARG ;; r) runs=$OPTARG ;; b) builddir=$OPTARG ;;
    *) sed -n '4p' "$0" >&2; exit 2 ;;
    esac
done
srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "$builddir" && pwd)
export top_builddir=$builddir
for b in ovmd ovmsh ovm-agentd; do
    [ -x "$builddir/$b" ] || { echo "import-clone: $builddir/$b missing (run make)" >&2; exit 2; }
done
for t in curl qemu-img python3; do
    command -v "$t" >/dev/null || { echo "import-clone: $t missing (tools/deps.sh installs it)" >&2; exit 2; }
done
. "$srcdir/tests/lib/agent.sh"
. "$srcdir/tests/lib/ovmd.sh"
. "$srcdir/tests/lib/loopback.sh"
. "$srcdir/bench/bench-lib.sh"

NET=127.0.71
work=$(mktemp -d /tmp/ovm-import-clone.XXXXXX)
pids=()
cleanup() {
    ovmd_stop "$work/m" >/dev/null 2>&1
    agent_stop "$work/a2" >/dev/null 2>&1
    [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(free_port) || die "no free port"
http_port=$(pick_port "$NET.1") || die "no free HTTP port on $NET.1"
nfs=$work/nfs repo=$work/nfs/127.0.0.1/repo1
mkdir -p "$repo" "$work/www" "$work/peer"
say "making a $size MiB image (half random data, half hole)"
head -c $((size / 2))M /dev/urandom > "$work/www/disk.img" || die "cannot write the image"
truncate -s "${size}M" "$work/www/disk.img"
python3 -m http.server --bind "$NET.1" --directory "$work/www" "$http_port" >"$work/http.log" 2>&1 &
pids+=($!)
wait_port "$NET.1" "$http_port" || die "http.server did not start"
agent_start "$work/a2" "$NET.2" "$port" --nfs-root "$nfs" --hostname ovs2 --memory-mb 65536 ||
    die "agent did not start"
ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")" ||
    die "ovmd did not start: $(cat "$work/m/ovmd.stderr")"
ovm() { timeout 1800 "$builddir/ovmsh" -S "$work/m/engine.sock" -u admin -c "$1" 2>&1 | tr -d '\r'; }
out=$(ovm "discoverServer ipAddress=$NET.2 password=$AGENT_PASSWORD; create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs2; refresh FileServer name=nfs1; create Repository name=repo1 on FileSystem name=nfs:/repo1")
grep -q "Status: Failure" <<<"$out" && die "set-up failed: $(grep -m1 'Error Msg' <<<"$out")"

# timed_ms CMD...: wall milliseconds of CMD (which must succeed). The dirty
# pages of the step before are written out first, so that no step pays for
# the previous one's writeback.
timed_ms() {
    local t0 t1
    sync
    t0=$(now_ms)
    "$@" >/dev/null 2>&1 || return 1
    t1=$(now_ms)
    echo $((t1 - t0))
}
# curl_durable FILE URL: the download as the agent makes it, on disk
# before it counts (the agent fsyncs the file before it names it).
curl_durable() { curl -sf -o "$1" "$2" && sync "$1"; }
# ovm_ok CMD: one ovmsh command that must end in Status: Success.
ovm_ok() { ovm "$1" | grep -q '^Status: Success'; }
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
url=http://$NET.1:$http_port/disk.img
imp=() curl_t=() sp=() cp_t=() ns=() qi=()
for r in $(seq 1 "$runs"); do
    say "run $r of $runs"
    t=$(timed_ms ovm_ok "importVirtualDisk Repository name=repo1 url=$url") || die "import failed"
    imp+=("$t")
    t=$(timed_ms curl_durable "$work/peer/curl.img" "$url") || die "curl failed"
    curl_t+=("$t")
    src=$(ls -t "$repo/VirtualDisks/"*.img | head -1)
    id=$(basename "$src")
    t=$(timed_ms ovm_ok "clone VirtualDisk id=$id target=repo1 cloneType=SPARSE_COPY name=sp$r") || die "sparse clone failed"
    sp+=("$t")
    t=$(timed_ms cp --sparse=always "$src" "$repo/peer-sparse.img") || die "cp failed"
    cp_t+=("$t")
    t=$(timed_ms ovm_ok "clone VirtualDisk id=$id target=repo1 cloneType=NON_SPARSE_COPY name=ns$r") ||
        die "non-sparse clone failed"
    ns+=("$t")
    t=$(timed_ms qemu-img convert -f raw -O raw -S 0 "$src" "$repo/peer-full.img") || die "qemu-img failed"
    qi+=("$t")
    ovm "delete VirtualDisk name=sp$r; delete VirtualDisk name=ns$r; delete VirtualDisk id=$id" >/dev/null
    rm -f "$work/peer/curl.img" "$repo/peer-sparse.img" "$repo/peer-full.img"
done

# line WHAT MS PEER PEER_MS: one result line.
line() {
    awk -v w="$1" -v a="$2" -v p="$3" -v b="$4" -v mib="$size" 'BEGIN {
        printf "%-30s %8.0f MB/s   %-28s %8.0f MB/s   ratio %.2f\n",
            w, mib * 1.048576 / (a / 1000), p, mib * 1.048576 / (b / 1000), a / b }'
}
echo "import-clone: $size MiB image, medians of $runs runs (ratio = ovmsh time / peer time, target <= 1.5)"
line "importVirtualDisk (HTTP)" "$(printf '%s\n' "${imp[@]}" | median)" "curl -o + sync" "$(printf '%s\n' "${curl_t[@]}" | median)"
line "clone SPARSE_COPY" "$(printf '%s\n' "${sp[@]}" | median)" "cp --sparse=always" "$(printf '%s\n' "${cp_t[@]}" | median)"
line "clone NON_SPARSE_COPY" "$(printf '%s\n' "${ns[@]}" | median)" "qemu-img convert -S 0" "$(printf '%s\n' "${qi[@]}" | median)"
