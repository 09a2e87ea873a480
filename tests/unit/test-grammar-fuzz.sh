#!/bin/sh
# Replays the committed seed corpora through the grammar fuzz targets (TAP
# comes from replay-main.c; the two plans are merged into one here).
b="${top_builddir:-.}/tests/fuzz"
c="${top_srcdir:-.}/tests/fuzz/corpus"
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
"$b/replay-grammar-lexer" "$c/lexer" > "$out" || echo "not ok - replay-grammar-lexer crashed" >> "$out"
"$b/replay-grammar-parser" "$c/parser" >> "$out" || echo "not ok - replay-grammar-parser crashed" >> "$out"
grep -v '^1\.\.' "$out" | awk '{ sub(/^(not )?ok [0-9]+/, ($1 == "not" ? "not ok " : "ok ") NR); print } END { print "1.." NR }'
