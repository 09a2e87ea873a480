#!/bin/bash
# ovm-agentd fault injection: <state-dir>/faults lines `METHOD fault TEXT`,
# `METHOD delay SECONDS`, `METHOD hold SECONDS`, `METHOD hang`, `METHOD garbage`, `METHOD drop`.
. "${top_srcdir:-.}/tests/lib/agent.sh"
TMP=$(mktemp -d /tmp/agent-faults.XXXXXX)
trap 'agent_stop "$TMP/a"; rm -rf "$TMP"' EXIT
IP=127.0.0.2
PORT=$(free_port) || { echo "1..0 # SKIP no free port"; exit 0; }
if ! agent_start "$TMP/a" $IP "$PORT"; then
    echo "not ok 1 - agent starts"; cat "$TMP/a.log" >&2; echo "1..1"; exit 1
fi
ok "agent starts"
F=$TMP/a/faults

echo 'echo fault exceptions.RuntimeError:injected boom' > "$F"
r=$(xr_call $IP $PORT echo "$(xs hi)")
check "fault line returns that faultString" test "$(fault_string <<< "$r")" = "exceptions.RuntimeError:injected boom"
check "other methods unaffected" test "$(xr_call $IP $PORT get_timezone | xpath 'count(//array/data/value)')" = 2

printf '# comment\ndiscover_* fault exceptions.OSError:globbed\n' > "$F"
check "patterns match method names" test "$(xr_call $IP $PORT discover_hardware | fault_string)" = "exceptions.OSError:globbed"

echo 'echo delay 1.5' > "$F"
t0=$(date +%s%N)
r=$(xr_call $IP $PORT echo "$(xs slow)")
t1=$(date +%s%N)
check "delay still answers" test "$(result_string <<< "$r")" = slow
check "delay lasts at least the given time" test $(( (t1 - t0) / 1000000 )) -ge 1500

# hold: like delay, but removing the rule releases the call at once.
echo 'echo hold 60' > "$F"
t0=$SECONDS
xr_call $IP $PORT echo "$(xs held)" > "$TMP/held.out" &
hp=$!
sleep 2
check "hold keeps the call while its rule stands" kill -0 $hp
: > "$F"
wait $hp
check "the released call answers" test "$(result_string < "$TMP/held.out")" = held
check "released long before its 60 s (took $((SECONDS - t0)) s)" test $((SECONDS - t0)) -lt 30

echo 'list_vms hang' > "$F"
curl -sk --max-time 2 -u oracle:$AGENT_PASSWORD --data-binary "$(xr_body list_vms)" https://$IP:$PORT/api/3/ >/dev/null 2>&1
rc=$?
check "hang never answers (curl rc $rc = timeout)" test $rc -eq 28
check "agent answers other calls while one hangs" test "$(xr_call $IP $PORT echo "$(xs alive)" | result_string)" = alive

echo 'discover_server garbage' > "$F"
r=$(xr_call $IP $PORT discover_server)
check "garbage is not a well-formed response" bash -c '! xmllint --noout - 2>/dev/null <<< "$0"' "$r"
check "garbage is not empty" test -n "$r"

echo 'get_timezone drop' > "$F"
curl -sk --max-time 10 -u oracle:$AGENT_PASSWORD --data-binary "$(xr_body get_timezone)" https://$IP:$PORT/api/3/ >/dev/null 2>&1
rc=$?
check "drop closes the connection without a reply (curl rc $rc)" test $rc -eq 52 -o $rc -eq 56 -o $rc -eq 35

echo 'get_api_version bogus-action' > "$F"
check "unknown actions are ignored" test "$(xr_call $IP $PORT get_api_version | xpath 'string(//array/data/value[1]/int)')" = 3

rm -f "$F"
check "removing the file restores normal answers" test "$(xr_call $IP $PORT get_timezone | xpath 'count(//array/data/value)')" = 2

# A call that hangs must not keep the agent from stopping.
echo 'list_vms hang' > "$F"
curl -sk --max-time 30 -u oracle:$AGENT_PASSWORD --data-binary "$(xr_body list_vms)" https://$IP:$PORT/api/3/ >/dev/null 2>&1 &
cpid=$!
sleep 0.5
t0=$(date +%s)
check "SIGTERM stops the agent while a call hangs" agent_stop "$TMP/a"
check "stopping took under 10 s" test $(( $(date +%s) - t0 )) -lt 10
wait $cpid 2>/dev/null
tap_done
