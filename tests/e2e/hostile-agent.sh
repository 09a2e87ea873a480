#!/usr/bin/env bash
# A hostile agent (tests/e2e/hostile-agent.py, python3 http.server + ssl on
# 127.0.0.5) answers discovery with a 100 MiB reply, 100000-deep nesting, an
# XML entity bomb, and a discovery document holding an entity bomb: each
# discovery fails cleanly, the engine keeps serving and its peak RSS stays
# bounded. Fault texts and host names with C1 controls, bidi overrides and
# noncharacters are stored and shown with U+FFFD instead. Then an owned agent is replaced by one presenting a certificate
# for another host: the engine refuses it before sending any request.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
command -v python3 >/dev/null 2>&1 || { echo "1..0 # SKIP python3 not installed"; exit 0; }
hpid=
stop_hostile() { [ -n "$hpid" ] && kill "$hpid" 2>/dev/null && wait "$hpid" 2>/dev/null; hpid=; }
trap 'stop_hostile; fleet_down' EXIT

check "fleet of one agent and ovmd starts" fleet_up 1
h=$work/hostile
mkdir -p "$h"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=evil.example -days 1 \
    -keyout "$h/key.pem" -out "$h/cert.pem" >/dev/null 2>&1
check "a certificate for another host (CN=evil.example)" test -s "$h/cert.pem"
# start_hostile IP: the hostile agent on IP:$port; waits (10 s) for "ready".
start_hostile() {
    local i
    : > "$h/ready"
    python3 "$top_srcdir/tests/e2e/hostile-agent.py" "$1" "$port" "$h/cert.pem" "$h/key.pem" "$h/mode" "$h/log" \
        > "$h/ready" 2> "$h/stderr" &
    hpid=$!
    for i in $(seq 1 100); do grep -q ready "$h/ready" && return 0; sleep 0.1; done
    return 1
}
echo huge > "$h/mode"
check "the hostile agent listens on 127.0.0.5" start_hostile 127.0.0.5
epid=$(cat "$work/m/ovmd.pid")
rss() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$epid/status"; }
base=$(rss VmRSS)
alive() { kill -0 "$epid" 2>/dev/null && timeout 10 "$OVMSH_BIN" -S "$work/m/engine.sock" -c showversion >/dev/null 2>&1; }
declare -A why=([huge]='reply larger than' [deep]='depth' [bomb]='DTDs and entity declarations are not allowed'
                [docbomb]='malformed discovery document')
for mode in huge deep bomb docbomb; do
    echo "$mode" > "$h/mode"
    OVM_TIMEOUT=180 ovm "discoverServer ipAddress=127.0.0.5 password=$AGENT_PASSWORD"
    check "$mode: discovery of the hostile agent fails" test "$rc" -ne 0
    check "$mode: the failure is reported as a job failure" grep -q 'Status: Failure' <<<"$out"
    check "$mode: the job says why (${why[$mode]})" grep -q "${why[$mode]}" <<<"$out"
    check "$mode: the hostile agent was really asked" grep -q "^call .* $mode" "$h/log"
    check "$mode: the engine is alive and serving" alive
done
peak=$(rss VmHWM)
echo "# engine RSS: $base kB at start, peak $peak kB"
# The reply limit is 64 MiB (XR_MAX_DOC): nothing larger is ever buffered.
# A sanitizer build pays redzones and quarantine on top, hence its wider bound.
limit=160
ldd "$OVMD_BIN" 2>/dev/null | grep -q 'libasan' && limit=480
check "the engine's peak RSS stayed bounded (< start + $limit MiB)" test "$peak" -lt $((base + limit * 1024))
ovm "list Server"
check "no half-discovered server is left" bash -c "! grep -q '127.0.0.5' <<<'$out'"

# Text that attacks a terminal (issue 10 item 4): what XML 1.0 lets an agent
# send (C1 CSI U+009B, RIGHT-TO-LEFT OVERRIDE U+202E, noncharacter U+FDD0)
# reaches neither the store nor the user: each becomes U+FFFD.
clean() { ! grep -q $'\xc2\x9b\|\xe2\x80\xae\|\xef\xb7\x90' <<<"$1"; }
fffd=$'\xef\xbf\xbd'
echo textfault > "$h/mode"
ovm "discoverServer ipAddress=127.0.0.5 password=$AGENT_PASSWORD takeOwnership=No"
check "textfault: discovery fails with the agent's fault" grep -q 'exceptions.RuntimeError:' <<<"$out"
check "textfault: the fault text is shown without C1, bidi or noncharacters" clean "$out"
check "textfault: they became U+FFFD" grep -qF "RuntimeError:${fffd}2J${fffd}evil${fffd}" <<<"$out"
echo texthost > "$h/mode"
ovm "discoverServer ipAddress=127.0.0.5 password=$AGENT_PASSWORD takeOwnership=No"
check "texthost: the hostile agent is discovered (unowned)" test "$rc" -eq 0
ovm "list Server"
check "texthost: its name is stored with U+FFFD instead" grep -qF "ovs${fffd}2J${fffd}evil${fffd}" <<<"$out"
check "texthost: no C1, bidi or noncharacter in the listing" clean "$out"
check "texthost: nor in the store" clean "$(sqlite3 "$work/m/ovmd.db" .dump)"
ovm "delete Server name=ovs${fffd}2J${fffd}evil${fffd}"
check "texthost: the server can be named and deleted" test "$rc" -eq 0
stop_hostile

# An owned agent replaced by a host with another certificate.
ovm "discoverServer ipAddress=127.0.0.2 password=$AGENT_PASSWORD"
check "the real agent is discovered and owned" test "$rc" -eq 0
agent_stop "$work/a2"
: > "$h/log"
echo huge > "$h/mode"
check "the impostor takes the agent's address" start_hostile 127.0.0.2
ovm "refresh Server name=ovs02"
check "the engine refuses the impostor's certificate" test "$rc" -ne 0
check "no request (no credentials) reached the impostor" test ! -s "$h/log"
check "the engine is alive" alive
stop_hostile
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
