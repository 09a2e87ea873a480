# Shell helpers for tests that run a private ovmd engine.
# Source after setting top_builddir (make check exports it). Every wait is bounded.

OVMD_BIN=${OVMD_BIN:-${top_builddir:-.}/ovmd}
OVMSH_BIN=${OVMSH_BIN:-${top_builddir:-.}/ovmsh}
OVMD_START_TIMEOUT=${OVMD_START_TIMEOUT:-20}

# ovmd_start DIR [YAML-LINES]: starts ovmd with its state in DIR, socket
# DIR/engine.sock, config DIR/ovmd.yaml (YAML-LINES, default: monitor off),
# stderr in DIR/ovmd.stderr; pid in DIR/ovmd.pid. Waits until the socket
# answers. Returns non-zero if the engine does not come up in time.
ovmd_start() {
    local dir=$1 yaml=${2:-$'monitor:\n  poll_interval: 0'} i
    mkdir -p -m 700 "$dir" || return 1
    printf '%s\n' "$yaml" > "$dir/ovmd.yaml"
    # Tests that do not ask for SSH keep port 10000 free.
    grep -q '^ssh:' "$dir/ovmd.yaml" || printf 'ssh:\n  enabled: false\n' >> "$dir/ovmd.yaml"
    # Agent-side checks (xr_call) speak as the first engine started.
    export AGENT_CLIENT_PKI=${AGENT_CLIENT_PKI:-$dir/pki}
    "$OVMD_BIN" -f "$dir/ovmd.yaml" --state-dir "$dir" --socket "$dir/engine.sock" \
        --log-file "$dir/ovmd.log" 2> "$dir/ovmd.stderr" &
    echo $! > "$dir/ovmd.pid"
    for i in $(seq 1 $((OVMD_START_TIMEOUT * 10))); do
        if [ -S "$dir/engine.sock" ] &&
           timeout 5 "$OVMSH_BIN" -S "$dir/engine.sock" -c showversion >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$(cat "$dir/ovmd.pid")" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# ovmd_stop DIR: SIGTERM, waits up to 10 s, then SIGKILL. Returns the engine's
# exit status (non-zero also when it had to be killed), so a sanitizer report
# at exit fails the caller.
ovmd_stop() {
    local pid i rc
    pid=$(cat "$1/ovmd.pid" 2>/dev/null) || return 0
    rm -f "$1/ovmd.pid"
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 1 100); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            rc=$?
            return "$rc"
        fi
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 137
}

# ovmsh_batch DIR SECONDS < input: runs ovmsh in batch mode against DIR's engine,
# stdout only; returns ovmsh's exit status (124 on timeout).
ovmsh_batch() {
    timeout "$2" "$OVMSH_BIN" -S "$1/engine.sock"
}

# store_dump DIR: the objects and attrs tables of DIR/ovmd.db, sorted.
store_dump() {
    sqlite3 -readonly "$1/ovmd.db" '.dump objects attrs' | sort
}
