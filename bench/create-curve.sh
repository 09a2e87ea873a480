#!/bin/bash
# The issue-10 create-time curve: the cost of `create Tag`, `show Tag name=`,
# `edit Tag` and `delete Tag` on a store that already holds N Tags, for
# N = 1,000, 10,000 and 100,000 (target: flat within 2x), and of `list Tag`
# (which must stay proportional to its output).
#
#   bench/create-curve.sh [-c "1000 10000 100000"] [-m OPS] [-b BUILDDIR]
#
# The N Tags are seeded straight into the engine's sqlite store while the
# engine is stopped (creating 100,000 objects through the shell would time
# the thing being measured); the engine then loads them at start and every
# timed command goes through one engine session (bench/ovm-latency). Needs
# the sqlite3 shell; run `make bench` first. Not part of make check.
set -u

counts="1000 10000 100000" m=100
builddir=${top_builddir:-.}
while getopts "c:m:b:" opt; do
    case $opt in
    c) counts=$OPTARG ;; m) m=$OPTARG ;; b) builddir=$OPTARG ;;
    *) sed -n '7p' "$0" >&2; exit 2 ;;
    esac
done
srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "$builddir" && pwd)
export top_builddir=$builddir
LAT_BIN=$builddir/bench/ovm-latency
for b in ovmd ovmsh bench/ovm-latency; do
    [ -x "$builddir/$b" ] || { echo "create-curve: $builddir/$b missing (run make bench)" >&2; exit 2; }
done
command -v sqlite3 >/dev/null || { echo "create-curve: sqlite3 missing (apt-get install sqlite3)" >&2; exit 2; }
. "$srcdir/tests/lib/ovmd.sh"

work=$(mktemp -d /tmp/ovm-curve.XXXXXX)
cleanup() { ovmd_stop "$work/m" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }
median() { sort -g "$1" | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print "nan"}'; }

# seed N: N Tags tNNNNNNN with a description and a creation time, as the
# engine would write them (ids in the Tag id space, distinct from new ones).
seed() {
    sqlite3 "$work/m/ovmd.db" <<SQL || die "seeding $1 Tags"
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $1)
INSERT INTO objects(id, type, name) SELECT printf('0004fb00000800ff%016x', i), 'Tag', printf('t%07d', i) FROM c;
INSERT INTO attrs(obj, key, value) SELECT id, 'description', 'seeded' FROM objects WHERE type = 'Tag';
INSERT INTO attrs(obj, key, value) SELECT id, 'created', '1700000000000' FROM objects WHERE type = 'Tag';
COMMIT;
SQL
}

printf '%-8s %10s %10s %10s %10s %12s %10s\n' Tags "create ms" "show ms" "edit ms" "delete ms" "list ms" "load s"
for n in $counts; do
    rm -rf "$work/m"
    ovmd_start "$work/m" || die "ovmd did not start: $(cat "$work/m/ovmd.stderr")"
    ovmd_stop "$work/m" || die "ovmd did not stop cleanly"
    seed "$n"
    t0=$(date +%s%3N)
    ovmd_start "$work/m" || die "ovmd did not start on $n Tags: $(cat "$work/m/ovmd.stderr")"
    t1=$(date +%s%3N)
    cmds=$work/cmds.in
    # M new Tags spread over the existing name range, each then shown (a
    # seeded one), edited and deleted; a few lists at the end.
    awk -v n="$n" -v m="$m" 'BEGIN {
        for (i = 0; i < m; i++) printf "create Tag name=t%07da\n", 1 + int(i * n / m)
        for (i = 0; i < m; i++) printf "show Tag name=t%07d\n", 1 + int(i * n / m)
        for (i = 0; i < m; i++) printf "edit Tag name=t%07da description=edited\n", 1 + int(i * n / m)
        for (i = 0; i < m; i++) printf "delete Tag name=t%07da\n", 1 + int(i * n / m)
        for (i = 0; i < 5; i++) print "list Tag" }' > "$cmds"
    timeout 900 "$LAT_BIN" -S "$work/m/engine.sock" -f "$cmds" > "$work/lat.out" 2> "$work/lat.err" ||
        die "ovm-latency: $(cat "$work/lat.err")"
    fails=$(awk '$2 != 0' "$work/lat.out" | wc -l)
    [ "$fails" -eq 0 ] || die "$fails commands failed, e.g. $(awk '$2 != 0 {print; exit}' "$work/lat.out")"
    row=
    for verb in create show edit delete list; do
        awk -v v="$verb" '$4 == v { print $1 / 1000 }' "$work/lat.out" > "$work/t.$verb"
        row="$row $(median "$work/t.$verb")"
    done
    # shellcheck disable=SC2086
    printf '%-8s %10s %10s %10s %10s %12s %10s\n' "$n" $row "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1000 }')"
    ovmd_stop "$work/m" || die "ovmd did not stop cleanly at $n Tags"
done
echo "(medians of $m commands each, 5 for list, on one engine session via bench/ovm-latency; load s = engine start on the seeded store; $(nproc) CPUs)"
