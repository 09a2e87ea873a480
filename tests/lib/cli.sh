# CLI helpers for e2e tests that drive one ovmd at $work/m through ovmsh
# (source after tests/lib/agent.sh, whose ok/not_ok they use).
# ovm CMDS: runs one exec string; output (CR stripped) in $out, status in $rc.
ovm() {
    out=$(timeout "${OVM_TIMEOUT:-120}" "$OVMSH_BIN" -S "$work/m/engine.sock" -c "$1" 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}")
    rc=$?
}
# step DESCRIPTION CMDS: ok when the commands succeed.
step() {
    ovm "$2"
    if ! grep -q 'Status: Failure' <<<"$out" && [ "$rc" -eq 0 ]; then ok "$1"; else not_ok "$1"; printf '# %s\n' "$out" | head -20; fi
}
# failed DESCRIPTION PATTERN CMDS: ok on Status: Failure with an Error Msg matching PATTERN.
failed() {
    ovm "$3"
    if grep -q '^Status: Failure' <<<"$out" && grep -q "^Error Msg: .*$2" <<<"$out"; then ok "$1"
    else not_ok "$1"; printf '# %s\n' "$out" | head -12; fi
}
# field LABEL: the value of "  LABEL = value" in $out.
field() { sed -n "s/^  $1 = //p" <<<"$out" | head -1; }
