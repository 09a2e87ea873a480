#!/bin/bash
# Pre-authentication flood benchmark (issue 10, item 1). In one run, on
# loopback: the median wall time of a key login running "list Vm" from
# 127.0.0.2 while the listener is quiet, and again while FLOOD idle TCP
# connections are attempted from 127.0.0.1 and held open; their ratio
# (target < 2), the most connection processes the listener had during the
# flood, and the memory (PSS, kB: shared pages split between the processes
# that share them) of the listener and all its processes.
# Usage: bench/ssh-preauth-flood.sh [FLOOD] [RUNS]   (defaults 3000 and 10)
# Run from a build tree (or set top_builddir / top_srcdir).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/e2e/ssh-lib.sh"
FLOOD=${1:-3000}
RUNS=${2:-10}
TMP=$(mktemp -d /tmp/ssh-flood-bench.XXXXXX)
cleanup() {
    exec 7>&- 2>/dev/null
    ssh_stop
    rm -rf "$TMP"
}
trap cleanup EXIT

median() { sort -n | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }
now_ms() { date +%s.%N | awk '{printf "%.3f\n", $1 * 1000}'; }
login_ms() {
    local i t0 t1
    for i in $(seq 1 "$RUNS"); do
        t0=$(now_ms)
        key_ssh "$TMP/id" -b 127.0.0.2 admin@127.0.0.1 "list Vm" > /dev/null 2>&1 || echo "login failed" >&2
        t1=$(now_ms)
        awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
    done
}
# The listener's process tree: count of children, and total PSS in kB.
tree_stats() {
    local pid kids p
    pid=$(cat "$SSH_DIR/sshd.pid")
    kids=$(pgrep -P "$pid")
    for p in $pid $kids; do
        awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null
    done | awk -v n="$(grep -c . <<<"$kids")" '{s += $1} END {print n, s + 0}'
}

ssh_start "$TMP/s" || { echo "cannot start the listener" >&2; exit 1; }
new_key ed25519 "$TMP/id"
cp "$TMP/id.pub" "$TMP/s/authorized_keys" && chmod 600 "$TMP/s/authorized_keys"
quiet=$(login_ms | median)
read -r quiet_kids quiet_rss < <(tree_stats)

exec 7> >(exec python3 "$top_srcdir/tests/e2e/ssh-flood.py" 127.0.0.1 "$SSH_PORT" "$FLOOD" 300 127.0.0.1 \
    > "$TMP/flood.out")
for i in $(seq 1 600); do [ -s "$TMP/flood.out" ] && break; sleep 0.1; done
flooded=$(login_ms | median)
most_kids=0 most_rss=0
for i in $(seq 1 10); do
    read -r k r < <(tree_stats)
    [ "$k" -gt "$most_kids" ] && most_kids=$k
    [ "$r" -gt "$most_rss" ] && most_rss=$r
    sleep 0.2
done
exec 7>&-

echo "idle connections attempted:   $FLOOD ($(cat "$TMP/flood.out") opened by the kernel)"
echo "login + list Vm, quiet:       $quiet ms (median of $RUNS)"
echo "login + list Vm, under flood: $flooded ms (median of $RUNS)"
awk -v a="$quiet" -v b="$flooded" 'BEGIN {printf "ratio flood/quiet:            %.2f (target < 2)\n", b / a}'
echo "listener processes, quiet:    $quiet_kids children, $quiet_rss kB PSS in all"
echo "listener processes, flood:    $most_kids children at most, $most_rss kB PSS in all at most"
