#!/bin/sh
# Replays the committed seed corpora of the config, discover, authkeys and
# agent-dispatch fuzz targets (TAP from replay-main.c, merged into one plan).
# A replay that crashes (signal or non-zero exit) is a failed test.
b="${top_builddir:-.}/tests/fuzz"
c="${top_srcdir:-.}/tests/fuzz/corpus"
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
for t in config discover authkeys agent-dispatch; do
    "$b/replay-$t" "$c/$t" >> "$out" || echo "not ok - replay-$t crashed (status $?)" >> "$out"
done
grep -v '^1\.\.' "$out" | awk '{ sub(/^(not )?ok [0-9]+/, ($1 == "not" ? "not ok " : "ok ") NR); print } END { print "1.." NR }'
