#!/bin/sh
# The layers of the tree (tests/unit/layers.rules): which folder may include
# which, SQL only in the store, the scheduler never reads a job's name, and
# the size limits of engine and shell files, agent methods called by their
# typed functions only. TAP; every problem is printed.
# LAYERS_RULES and LAYERS_ROOT override the rules file and the tree (used to
# show that a broken rule fails).
root=${LAYERS_ROOT:-${top_srcdir:-$(dirname "$0")/../..}}
rules=${LAYERS_RULES:-$root/tests/unit/layers.rules}
cd "$root" || { echo "1..0 # SKIP no source tree at $root"; exit 0; }
[ -r "$rules" ] || { echo "Bail out! cannot read $rules"; exit 1; }

rule() { sed -e 's/#.*//' "$rules" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ +/, ""); print }'; }
scan_dirs=$(rule scan)
sources() { find $scan_dirs -name '*.[ch]' | sort; }

echo "1..7"
n=0
failed=0
report() { # report NAME PROBLEMS
    n=$((n + 1))
    if [ -z "$2" ]; then
        echo "ok $n - $1"
    else
        failed=1
        echo "not ok $n - $1"
        printf '%s\n' "$2" | sed 's/^/# /'
    fi
}

# 1. Includes: each "..." include of a file in DIR must be in DIR, in an
# allowed folder, or be an allowed header.
problems=$(sources | while read -r f; do
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | sed "s|^|$f:|"
done | rule_text=$(rule layer) awk '
    BEGIN {
        n = split(ENVIRON["rule_text"], lines, "\n")
        for (i = 1; i <= n; i++) {
            m = split(lines[i], w, " ")
            if (m == 0) continue
            known[w[1]] = 1
            for (j = 2; j <= m; j++) allow[w[1], w[j]] = 1
        }
    }
    {
        split($0, p, ":"); file = p[1]; line = p[2]
        dir = file; sub(/\/[^\/]*$/, "", dir)
        inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*$/, "", inc)
        idir = inc; if (idir ~ /\//) sub(/\/[^\/]*$/, "", idir); else idir = dir
        if (!(dir in known)) { print file ": folder " dir " has no layer line in the rules"; next }
        if (idir == dir || (dir, idir) in allow || (dir, inc) in allow) next
        print file ":" line ": includes " inc ", which layer " dir " may not include"
    }' | sort -u)
report "includes follow the layers" "$problems"

# 2. SQL: sqlite3 calls and SQL statements only in the sql folder.
sqldir=$(rule sql)
problems=$(sources | grep -v "^$sqldir/" | xargs grep -nE \
    'sqlite3_|<sqlite3\.h>|"[[:space:]]*(SELECT|INSERT|UPDATE|DELETE FROM|CREATE (TABLE|INDEX)|DROP|ALTER TABLE|PRAGMA)[[:space:]]' \
    /dev/null | sed 's/$/  (SQL outside '"$(echo "$sqldir" | sed 's|/|\\/|g')"')/')
report "SQL only in $sqldir" "$problems"

# 3. The scheduler reads a job's name only to log it (an object's o->name is not a job's).
problems=$(for f in $(rule noname); do
    # Setting a name (j->name = ...) is not reading it.
    grep -nE '[A-Za-z_]+->name\b' "$f" | grep -vE 'log_[a-z]+\(' | grep -vE '\bo->name\b' |
        grep -vE '\->name = ' | sed "s|^|$f:|"
done)
report "the scheduler and start-up recovery never read a job's name" "$problems"

# 4 and 5. Size limits.
set -- $(rule limit)
maxlines=$1 maxfunc=$2
shift 2
problems=$(find "$@" -name '*.c' | sort | xargs wc -l | awk -v m="$maxlines" \
    '$2 != "total" && $1 > m { print $2 ": " $1 " lines (limit " m ")" }')
report ".c files in $* at most $maxlines lines" "$problems"
problems=$(find "$@" -name '*.c' | sort | xargs awk -v m="$maxfunc" '
    FNR == 1 { start = 0 }
    /^\{/ { start = FNR }
    /^\}/ && start { if (FNR - start + 1 > m) print FILENAME ":" start ": function body of " FNR - start + 1 " lines (limit " m ")"; start = 0 }')
report "functions in $* at most $maxfunc lines" "$problems"

# 6. Agent methods: outside the agent client, no method name as a string and
# no agentc_call (the typed calls generated from the list are the only way).
set -- $(rule agentapi)
list=$1 apidir=$2
shift 2
names=$(sed -n 's/^[[:space:]]*M(\([A-Za-z_][A-Za-z0-9_]*\),.*/\1/p' "$list")
if [ -z "$names" ]; then
    problems="$list: no method found (M(name, ...) lines)"
else
    pattern=$(printf '"%s"|' $names)
    problems=$(find "$@" -name '*.[ch]' | grep -v "^$apidir/" | sort | xargs grep -nE "${pattern}agentc_call\\(" \
        /dev/null | sed "s|\$|  (agent methods are called through $apidir only)|")
fi
report "agent methods called by typed functions outside $apidir" "$problems"

# 7. Scripts run directly (automake runs each test as ./NAME.sh): a script
# with a #! line under tests/, bench/ or tools/ must be executable; a merge
# that lost the mode made three e2e tests exit 126 in CI.
problems=$(find tests bench tools -name '*.sh' -type f | sort | while read -r f; do
    head -c 2 "$f" | grep -q '^#!' && [ ! -x "$f" ] && echo "$f: has a #! line but is not executable"
done)
report "scripts with a #! line are executable" "$problems"
exit $failed
