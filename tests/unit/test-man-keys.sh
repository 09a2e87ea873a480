#!/usr/bin/env bash
# Every ovmd.yaml key the engine and the SSH front end accept is documented
# in ovmd.yaml(5) (issue 3 acceptance: "ovmd(8) and ovmd.yaml(5) document every
# SSH and authentication setting"), and every command-line option of ovmd
# (its --help) is documented in ovmd(8). The keys are read from the parsers
# themselves, so a new key without documentation fails here.
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
keys=$( (grep -o 'strcmp(key, "[a-z_.]*")' "$top_srcdir/backend/config.c" "$top_srcdir/shell/sshd_config.c";
         grep -o '{"[a-z_]*\.[a-z_]*", offsetof' "$top_srcdir/shell/sshd_config.c") |
       sed 's/.*"\([a-z_.]*\)".*/\1/' | sort -u)
[ "$(wc -w <<<"$keys")" -ge 20 ] && ok "found the accepted keys in the parsers ($(wc -w <<<"$keys"))" ||
    not_ok "found the accepted keys in the parsers"
for k in $keys auth.users; do
    if grep -qF "$k" <<<"$text5"; then ok "ovmd.yaml(5) documents $k"; else not_ok "ovmd.yaml(5) documents $k"; fi
done
text8=$(sed 's/\\//g' "$ovmd8")
for opt in $("$top_builddir/ovmd" --help | grep -o -- '--[a-z-]*' | sort -u); do
    if grep -qF -- "$opt" <<<"$text8"; then ok "ovmd(8) documents $opt"; else not_ok "ovmd(8) documents $opt"; fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
