#!/usr/bin/env bash
# Monitor load benchmark (issue 4): ovmd's CPU seconds per minute spent
# heartbeating an idle fleet of N owned servers, for each N of COUNTS.
# Agents are added in steps (100, then up to 1000, ...) to one engine, on
# 127.0.<b>.<c> with one port. After each step the engine is left one poll to
# settle, then its utime+stime (/proc/PID/stat) is read over WINDOW seconds.
# A baseline with 0 servers is measured first: what the engine costs idle.
# The established connections of the engine are listed with `ss -tn` twice,
# two poll intervals apart: the same local ports mean connections are reused.
# Where a machine cannot run 1,000 agents (each generates an RSA key at start
# and each discovery takes seconds), the last fleet is also measured with the
# engine restarted at poll_interval RATE_POLL: N hosts polled every RATE_POLL
# seconds make the same number of polls per second as N*POLL/RATE_POLL hosts
# polled every POLL seconds (RATE_POLL=0 skips this step).
# Usage: bench/monitor-load.sh [BUILD_DIR]   (env: COUNTS, POLL, WINDOW, RATE_POLL)
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=$(cd "${1:-.}" && pwd)   # read by tests/lib/*.sh
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
COUNTS=${COUNTS:-"100 1000"} POLL=${POLL:-10} WINDOW=${WINDOW:-60} RATE_POLL=${RATE_POLL:-1}
export OVM_TIMEOUT=600
trap 'bench_down' EXIT
trap 'exit 1' INT TERM   # so that EXIT cleans up

ip_of() { echo "127.0.$(( $1 / 250 + 10 )).$(( $1 % 250 + 2 ))"; }
# tcp_up IP: the agent accepts connections on $port.
tcp_up() { (exec 3<>"/dev/tcp/$1/$port") 2>/dev/null; }
# agents_up FIRST LAST: starts the agents together, then waits (bounded) until
# each accepts connections; agent_start would wait for each in turn.
agents_up() {
    local i end
    for i in $(seq "$1" "$2"); do
        mkdir -p "$work/a$i"
        "$AGENT_BIN" --foreground --listen "$(ip_of "$i")" --port "$port" --state-dir "$work/a$i" \
            --password-file "$(agent_password_file "$work/a$i")" --log-file "$work/a$i.log" --hostname "h$i" \
            >/dev/null 2>&1 &
        echo $! > "$work/a$i.pid"
    done
    end=$((SECONDS + 120))
    for i in $(seq "$1" "$2"); do
        until tcp_up "$(ip_of "$i")"; do
            [ "$SECONDS" -lt "$end" ] || { echo "# agent $i did not start"; return 1; }
            sleep 0.2
        done
    done
}
bench_down() {
    local f
    ovmd_stop "$work/m" >/dev/null 2>&1
    for f in "$work"/a*.pid; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
# discover FIRST LAST: takes ownership of the agents, 50 per ovmsh batch.
discover() {
    local i cmds='' ok=0
    for i in $(seq "$1" "$2"); do
        cmds="$cmds; discoverServer ipAddress=$(ip_of "$i") password=$AGENT_PASSWORD"
        if [ $(((i - $1 + 1) % 50)) -eq 0 ] || [ "$i" -eq "$2" ]; then
            ovm "${cmds#; }"; cmds=
            ok=$((ok + $(grep -c 'Status: Success' <<<"$out")))
            grep -m1 'Error Msg' <<<"$out" | sed 's/^/# /'
        fi
    done
    echo "# discovered $ok of $(($2 - $1 + 1)) (at $SECONDS s)"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# cpu_per_minute SECONDS: ovmd CPU seconds per minute of wall time.
cpu_per_minute() {
    local t0 t1 w0 w1
    t0=$(cpu_ticks "$pid"); w0=$(date +%s.%N); sleep "$1"; t1=$(cpu_ticks "$pid"); w1=$(date +%s.%N)
    awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v a="$w0" -v b="$w1" \
        'BEGIN { printf "%.2f", d / hz * 60 / (b - a) }'
}
# conn_ports: local ports of the engine's established connections to agents.
conn_ports() { ss -tnH state established "( dport = :$port )" | awk '{print $3}' | sort; }
# measure N [LABEL]: prints the engine's load with N servers.
measure() {
    local n=$1 load c1 c2 same
    sleep $((POLL + 2))   # the first poll of new servers is over
    c1=$(conn_ports)
    load=$(cpu_per_minute "$WINDOW")
    c2=$(conn_ports)
    same=$(comm -12 <(echo "$c1") <(echo "$c2") | grep -c .)
    printf 'monitor load at %d hosts (poll every %d s, %d s window): %s CPU s/min = %s%% of one core%s; load average %s\n' \
        "$n" "$POLL" "$WINDOW" "$load" "$(awk -v l="$load" 'BEGIN { printf "%.2f", l / 60 * 100 }')" "${2:-}" \
        "$(cut -d' ' -f1 /proc/loadavg)"
    echo "# connections to agents: $(grep -c . <<<"$c1") before, $(grep -c . <<<"$c2") after the window, $same kept"
}

work=$(mktemp -d /tmp/ovm-monload.XXXXXX)
port=$(free_port)
ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: %s\n  threads: 64' "$port" "$POLL")" || exit 1
pid=$(cat "$work/m/ovmd.pid")
measure 0
have=0
for n in $COUNTS; do
    echo "# starting agents $have..$((n - 1)) (at $SECONDS s)"
    agents_up "$have" $((n - 1)) || exit 1
    discover "$have" $((n - 1))
    have=$n
    measure "$n"
done
if [ "$RATE_POLL" -gt 0 ] && [ "$RATE_POLL" -lt "$POLL" ]; then
    ovmd_stop "$work/m" >/dev/null 2>&1
    ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: %s\n  threads: 64' "$port" "$RATE_POLL")" || exit 1
    pid=$(cat "$work/m/ovmd.pid")
    label=" (the poll rate of $((have * POLL / RATE_POLL)) hosts every $POLL s)"
    POLL=$RATE_POLL
    measure "$have" "$label"
    echo "# servers marked disconnected or stopped: $(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM attrs a JOIN objects o ON o.id=a.obj WHERE o.type='Server' AND ((a.key='disconnected' AND a.value='Yes') OR (a.key='status' AND a.value!='Running'))" 2>/dev/null)"
fi
