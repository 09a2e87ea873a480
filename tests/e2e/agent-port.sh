#!/usr/bin/env bash
# The agent port (issue 10 item 6; ovm-agentd(8) LIMITS): failed logins are
# logged (user escaped) and throttled per client address without touching
# other addresses; a slow-loris of 1,100 trickling connections from one
# address does not keep a caller from another address out; a connection
# without a complete request head is closed after --header-timeout;
# --password warns and points to --password-file. (That a password-only
# caller cannot strip an owned agent's trust is in trust.sh.)
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
command -v python3 >/dev/null 2>&1 || { echo "1..0 # SKIP python3 not installed"; exit 0; }
work=$(mktemp -d /tmp/agent-port.XXXXXX)
LORIS_PID=
cleanup() {
    [ -n "$LORIS_PID" ] && kill "$LORIS_PID" 2>/dev/null
    agent_stop "$work/a"
    agent_stop "$work/b"
    rm -rf "$work"
}
trap cleanup EXIT
PORT=$(free_port)
url=https://127.0.0.2:$PORT/api/3/
# code SRC USER:PASSWORD: HTTP status of get_api_version from address SRC.
code() {
    curl -sk -o /dev/null -w '%{http_code}' --max-time 20 --interface "$1" -u "$2" -H 'Content-Type: text/xml' \
        --data-binary "$(xr_body get_api_version)" "$url"
}
log_has() { local i; for i in $(seq 1 25); do grep -qE "$1" "$work/a.log" && return 0; sleep 0.2; done; return 1; }

# --- --password on the command line
"$AGENT_BIN" --state-dir "$work/x" --password secret --driver no-such-driver >/dev/null 2>"$work/warn"
check "--password warns and points to --password-file" grep -q 'warning: --password .*use --password-file' "$work/warn"
printf 'secret\n' > "$work/pw"
"$AGENT_BIN" --state-dir "$work/x" --password-file "$work/pw" --driver no-such-driver >/dev/null 2>"$work/warn"
check "--password-file does not" bash -c "! grep -q warning '$work/warn'"

check "agent starts" agent_start "$work/a" 127.0.0.2 "$PORT"

# --- failed logins, per client address
for i in 1 2 3 4 5; do
    c=$(code 127.0.0.3 oracle:wrong-$i)
    [ "$c" = 401 ] || break
done
check "5 wrong passwords from 127.0.0.3 get 401" test "$c" = 401
check "failed logins are logged with address and user" \
    log_has "failed login for user 'oracle' from 127\\.0\\.0\\.3 \\(5 failures\\)"
check "the 6th wrong password gets 401 too" test "$(code 127.0.0.3 oracle:wrong-6)" = 401
check "the throttle is logged" log_has "passwords from 127\\.0\\.0\\.3 refused for 5 s after 6 failures"
check "then even the right password from 127.0.0.3 is refused unchecked (429)" \
    test "$(code 127.0.0.3 "oracle:$AGENT_PASSWORD")" = 429
check "the right password from 127.0.0.4 works at once" test "$(code 127.0.0.4 "oracle:$AGENT_PASSWORD")" = 200
sleep 6
check "after the delay the right password from 127.0.0.3 works" \
    test "$(code 127.0.0.3 "oracle:$AGENT_PASSWORD")" = 200
check "a user name with escapes is logged escaped" \
    bash -c "[ \"\$(curl -sk -o /dev/null -w '%{http_code}' --max-time 20 --interface 127.0.0.5 \
        -u \"\$(printf 'ev\\033[31mil'):x\" --data-binary x '$url')\" = 401 ]"
check "... as \\x1b" log_has "failed login for user 'ev\\\\x1b\\[31mil' from 127\\.0\\.0\\.5"
check "no raw ESC byte in the agent's log" bash -c "! grep -q \$'\\033' '$work/a.log'"

# --- a slow-loris from one address (default limits)
python3 "$top_srcdir/tests/e2e/agent-slowloris.py" 127.0.0.2 "$PORT" 1100 26 127.0.0.6 > "$work/loris" &
LORIS_PID=$!
for i in $(seq 1 300); do grep -q opened "$work/loris" && break; sleep 0.2; done
check "1,100 trickling connections attempted from 127.0.0.6 ($(head -1 "$work/loris"))" grep -q opened "$work/loris"
t0=$SECONDS
c=$(code 127.0.0.7 "oracle:$AGENT_PASSWORD")
check "meanwhile a caller from 127.0.0.7 is answered ($c, $((SECONDS - t0)) s)" test "$c" = 200
check "the agent logs nothing alarming" bash -c "! grep -q 'error' '$work/a.log'"
# The trickle refreshes the idle timeout; the 20 s header timeout ends it.
for i in $(seq 1 200); do grep -q '^open [0-9]' "$work/loris" && break; sleep 0.2; done
check "after 26 s none of them is still open ($(grep '^open [0-9]' "$work/loris"))" grep -qx 'open 0' "$work/loris"
kill "$LORIS_PID" 2>/dev/null
wait "$LORIS_PID" 2>/dev/null
LORIS_PID=

# --- the header timeout
check "agent with --header-timeout 2 starts" agent_start "$work/b" 127.0.0.2 "$((PORT + 1))" --header-timeout 2 \
    --per-source-connections 4
closed_after() { # seconds until an idle connection from 127.0.0.8 is closed (at most 15)
    python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.2", int(sys.argv[1])), timeout=15, source_address=("127.0.0.8", 0))
t = time.monotonic()
try:
    s.recv(1)
except OSError:
    pass
print(int(time.monotonic() - t))' "$((PORT + 1))"
}
s=$(closed_after)
check "an idle connection is closed after the header timeout (${s} s)" test "${s:-99}" -ge 1 -a "${s:-99}" -le 6
check "the closing is logged" grep -q "without a complete request within 2 s" "$work/b.log"
check "a normal call still works there" test "$(curl -sk -o /dev/null -w '%{http_code}' --max-time 20 \
    -u "oracle:$AGENT_PASSWORD" --data-binary "$(xr_body get_api_version)" "https://127.0.0.2:$((PORT + 1))/api/3/")" = 200
check "agents stop cleanly" bash -c "$(declare -f agent_stop); agent_stop '$work/a' && agent_stop '$work/b'"
tap_done
