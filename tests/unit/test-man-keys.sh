#!/usr/bin/env bash
# Every ovmd.yaml key the engine and the SSH front end accept is documented
# in ovmd.yaml(5) (issue 3 acceptance: "ovmd(8) and ovmd.yaml(5) document every
# SSH and authentication setting"), with the default the key table gives it,
# and every command-line option of ovmd (its --help) is documented in
# ovmd(8). The keys are read from the key tables themselves, so a new key
# without documentation, or a changed default, fails here.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

make -s -C "$top_builddir" man/ovmd.8 man/ovmd.yaml.5 >/dev/null 2>&1
yaml5=$top_builddir/man/ovmd.yaml.5
ovmd8=$top_builddir/man/ovmd.8
[ -s "$yaml5" ] && ok "ovmd.yaml(5) is generated" || not_ok "ovmd.yaml(5) is generated"
[ -s "$ovmd8" ] && ok "ovmd(8) is generated" || not_ok "ovmd(8) is generated"
# roff escapes '-' and '.' sometimes; compare on text with backslashes removed
text5=$(sed 's/\\//g' "$yaml5")
# The keys and defaults come from the engine's own key tables (lib/conftab.h)
# through --print-config: with an empty file and the state directory named
# STATE_DIR, every value printed is the default as ovmd.yaml(5) writes it.
defaults=$("$top_builddir/ovmd" -f /dev/null --state-dir STATE_DIR --print-config | sed 's/^auth\.users\..*/auth.users/' | sort -u)
[ "$(wc -l <<<"$defaults")" -ge 25 ] && ok "--print-config lists the keys ($(wc -l <<<"$defaults"))" ||
    not_ok "--print-config lists the keys"
while read -r k v; do
    if ! grep -qF "$k" <<<"$text5"; then not_ok "ovmd.yaml(5) documents $k"; continue; fi
    ok "ovmd.yaml(5) documents $k"
    [ "$k" = state_dir ] && v=$("$top_builddir/ovmd" -f /dev/null --print-config | sed -n 's/^state_dir //p')
    [ -n "$v" ] && [ "$k" != auth.users ] || continue  # no literal default (derived, or unset)
    if grep -E "^\.BR? $k \"" <<<"$text5" | grep -qF "default $v)"; then
        ok "ovmd.yaml(5) gives $k the default $v"
    else
        not_ok "ovmd.yaml(5) gives $k the default $v (found: $(grep -E "^\.BR? $k " <<<"$text5" | head -1))"
    fi
done <<<"$defaults"
text8=$(sed 's/\\//g' "$ovmd8")
for opt in $("$top_builddir/ovmd" --help | grep -o -- '--[a-z-]*' | sort -u); do
    if grep -qF -- "$opt" <<<"$text8"; then ok "ovmd(8) documents $opt"; else not_ok "ovmd(8) documents $opt"; fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
