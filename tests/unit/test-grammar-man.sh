#!/bin/sh
# The committed man/ovm-cli-tables.7.inc must equal what gen-man-tables prints
# from the grammar tables today (TAP).
gen="${top_builddir:-.}/grammar/gen-man-tables"
inc="${top_srcdir:-.}/man/ovm-cli-tables.7.inc"
echo "1..3"
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
if "$gen" > "$out"; then echo "ok 1 - gen-man-tables runs"; else echo "not ok 1 - gen-man-tables runs"; fi
if grep -q '^\.TS' "$out" && [ "$(grep -c '^\.TS' "$out")" = "$(grep -c '^\.TE' "$out")" ]; then
    echo "ok 2 - balanced tables"
else
    echo "not ok 2 - balanced tables"
fi
if cmp -s "$out" "$inc"; then
    echo "ok 3 - $inc is up to date"
else
    echo "not ok 3 - $inc differs; regenerate with grammar/gen-man-tables > man/ovm-cli-tables.7.inc"
    diff "$inc" "$out" | head -20 | sed 's/^/# /'
fi
