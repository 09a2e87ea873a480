#!/usr/bin/env bash
# The project explains itself (issue 9 item 8): README.md, doc/, man/,
# bench/README.md and the code never send a reader to documents outside the
# repository, and every citation "doc/<file>.md §N" (in code) or
# "<file>.md §N" (between the documents of doc/) names a document that exists
# and a section it has. A section is a heading "## N." / "### N.M" or, for
# §N.M, item "M." of a numbered list under heading §N. Rule ids cited as
# "doc/object-model.md <ID>" must be rule ids of object-model.md.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

# The forbidden strings, spelled so that this file does not contain them.
outside=("../sha""red" "DES""IGN.md" "refer""ence/")

# Files a reader meets: documents, pages and code (comments included), taken
# from the source tree minus build trees (any folder holding config.status,
# such as build/ or distcheck's _build/) and generated autotools files.
list_files() {
    local prune=(-name .git -o -name autom4te.cache -o -name build-aux -o -name m4 -o -name _inst -o -name corpus)
    local d
    while IFS= read -r d; do prune+=(-o -path "$d"); done < <(find "$top_srcdir" -name config.status -printf '%h\n')
    find "$top_srcdir" \( "${prune[@]}" \) -prune -o -type f \
        \( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.pl' -o -name '*.mk' \
           -o -name '*.am' -o -name '*.ac' -o -name '*.in' -o -name '*.inc' -o -name '*.bash' \
           -o -name '*.md' -o -name '*.[1-8]' -o -name run \) \
        ! -name Makefile.in ! -name 'config.h.in' ! -name test-docs.sh -print | sort
}
files=$(list_files)
nfiles=$(wc -l <<<"$files")
[ "$nfiles" -ge 100 ] && ok "found $nfiles documents and source files" || not_ok "found only $nfiles files under $top_srcdir"
for f in README.md doc/README.md doc/architecture.md doc/command-language.md doc/agent-protocol.md \
         doc/object-model.md bench/README.md; do
    [ -s "$top_srcdir/$f" ] && ok "$f exists" || not_ok "$f exists"
done

for s in "${outside[@]}"; do
    if [ "$s" = "refer""ence/" ]; then hits=$(xargs -d '\n' grep -n -E '(^|[^[:alnum:]_])reference/' <<<"$files")
    else hits=$(xargs -d '\n' grep -n -F -- "$s" <<<"$files"); fi
    if [ -z "$hits" ]; then ok "nothing mentions $s"
    else not_ok "mentions of $s:"; sed "s|^$top_srcdir/|#   |" <<<"$hits"; fi
done

# sections FILE: every section number of a doc/ document, one per line.
sections() {
    awk '/^#+ [0-9]+(\.[0-9]+)*[. ]/ { s = $2; sub(/\.$/, "", s); print s; cur = s; next }
         /^#/ { cur = ""; next }
         /^[0-9]+\. / && cur != "" { i = $1; sub(/\.$/, "", i); print cur "." i }' "$1" | sort -u
}
# check_citation WHERE DOC SECTION: one citation.
check_citation() {
    local where=$1 doc=$2 sec=$3 path=$top_srcdir/doc/$2.md
    if [ ! -f "$path" ]; then not_ok "$where cites doc/$doc.md, which does not exist"; return; fi
    grep -qxF -- "$sec" <<<"${secs[$doc]}" || not_ok "$where cites $doc.md §$sec, which has no such section"
}
declare -A secs
for d in "$top_srcdir"/doc/*.md; do b=$(basename "$d" .md); secs[$b]=$(sections "$d"); done
[ "$(grep -c . <<<"${secs[command-language]:-}")" -ge 50 ] && ok "command-language.md has its sections" ||
    not_ok "command-language.md sections not found"
[ "$(grep -c . <<<"${secs[object-model]:-}")" -ge 40 ] && ok "object-model.md has its sections" ||
    not_ok "object-model.md sections not found"

# Citations in code and pages: "doc/<file>.md §N".
before=$failed; count=0
while IFS=: read -r file line doc sec; do
    [ -n "$file" ] || continue
    count=$((count + 1))
    check_citation "${file#"$top_srcdir"/}:$line" "$doc" "$sec"
done < <(xargs -d '\n' grep -n -o -E 'doc/[a-z-]+\.md ?§ ?[0-9]+(\.[0-9]+)*' <<<"$files" |
         sed -E 's/^([^:]*):([0-9]+):doc\/([a-z-]+)\.md ?§ ?/\1:\2:\3:/')
[ "$failed" -eq "$before" ] && ok "$count citations of doc/<file>.md §N name existing sections"

# Citations between the documents: "<file>.md §N" inside doc/*.md.
before=$failed; count=0
while IFS=: read -r file line doc sec; do
    [ -n "$file" ] || continue
    count=$((count + 1))
    check_citation "${file#"$top_srcdir"/}:$line" "$doc" "$sec"
done < <(grep -n -o -E '(command-language|object-model|agent-protocol|architecture)\.md ?§ ?[0-9]+(\.[0-9]+)*' \
             "$top_srcdir"/doc/*.md | sed -E 's/^([^:]*):([0-9]+):([a-z-]+)\.md ?§ ?/\1:\2:\3:/')
[ "$count" -ge 10 ] && [ "$failed" -eq "$before" ] && ok "$count cross-references inside doc/ name existing sections" ||
    { [ "$failed" -eq "$before" ] && not_ok "only $count cross-references found inside doc/"; }

# Rule ids cited as "doc/object-model.md <ID>".
ids=$(grep -o -E '^\| [A-Z]{1,3}-[0-9]+ \|' "$top_srcdir/doc/object-model.md" | tr -d '| ' | sort -u)
[ "$(grep -c . <<<"$ids")" -ge 100 ] && ok "object-model.md has its rule ids" || not_ok "object-model.md rule ids not found"
before=$failed; count=0
while IFS=: read -r file line id; do
    [ -n "$file" ] || continue
    count=$((count + 1))
    grep -qxF -- "$id" <<<"$ids" || not_ok "${file#"$top_srcdir"/}:$line cites object-model.md $id, which has no such rule"
done < <(xargs -d '\n' grep -n -o -E 'doc/object-model\.md [A-Z]{1,3}-[0-9]+' <<<"$files" |
         sed -E 's/^([^:]*):([0-9]+):doc\/object-model\.md /\1:\2:/')
[ "$failed" -eq "$before" ] && ok "$count rule ids cited from doc/object-model.md exist"

echo "1..$n"
[ "$failed" -eq 0 ]
