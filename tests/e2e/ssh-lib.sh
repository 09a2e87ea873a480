# Shell helpers for the SSH front end tests: start the listener
# (shell/sshd-standalone) on 127.0.0.1 and a free port in a temp state dir,
# against an engine socket, and drive it with the real OpenSSH client.
# Every wait is bounded. Source after setting top_builddir.
#
# Engine: SSH_TEST_ENGINE is a command that takes the socket path as its last
# argument and serves the engine protocol there (e.g. the real ovmd in an
# engine-only mode); by default the stand-in shell/ssh-fake-engine is used.

B=${top_builddir:-.}
SSHD_BIN=${SSHD_BIN:-$B/shell/sshd-standalone}
FAKE_ENGINE=${FAKE_ENGINE:-$B/shell/ssh-fake-engine}
SSH_PASSWORD=${SSH_PASSWORD:-s3cret-Pw}

tap_n=0
tap_failed=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
# check DESCRIPTION COMMAND...: ok if the command succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
tap_done() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

for tool in ssh ssh-keygen sshpass timeout; do
    command -v $tool >/dev/null 2>&1 || skip_all "$tool not installed"
done

free_port() {
    local p i
    for i in $(seq 1 50); do
        p=$(( (RANDOM % 20000) + 30000 ))
        if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
            echo "$p"; return 0
        fi
    done
    return 1
}

# Options every client call shares: no known_hosts, no agent, no config
# file, no keys unless a test names one.
ssh_opts() {
    echo -F /dev/null -p "$SSH_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -o ConnectTimeout=10 -o IdentityAgent=none -o IdentitiesOnly=yes \
        -o BatchMode=no
}

# pw_ssh ARGS...: password login as admin (sshpass), 20 s bound.
pw_ssh() {
    timeout 20 sshpass -p "$SSH_PASSWORD" ssh $(ssh_opts) -o PubkeyAuthentication=no \
        -o PreferredAuthentications=password "$@"
}
# key_ssh KEYFILE ARGS...: public-key login only.
key_ssh() {
    local key=$1; shift
    timeout 20 ssh $(ssh_opts) -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no \
        -o BatchMode=yes -i "$key" "$@"
}

# ssh_start DIR [-o key=value]...: engine + listener, waits up to 20 s for
# the port. Sets SSH_PORT, SSH_DIR; log in DIR/sshd.log.
ssh_start() {
    SSH_DIR=$1; shift
    mkdir -p "$SSH_DIR"
    SSH_PORT=$(free_port) || return 1
    local hash
    hash=$(printf '%s\n' "$SSH_PASSWORD" | "$SSHD_BIN" --hash-password) || return 1
    if [ -n "${SSH_TEST_ENGINE:-}" ]; then
        $SSH_TEST_ENGINE "$SSH_DIR/engine.sock" > "$SSH_DIR/engine.log" 2>&1 &
    else
        "$FAKE_ENGINE" "$SSH_DIR/engine.sock" > "$SSH_DIR/engine.log" 2>&1 &
    fi
    echo $! > "$SSH_DIR/engine.pid"
    "$SSHD_BIN" --state-dir "$SSH_DIR" --log-file "$SSH_DIR/sshd.log" -o ssh.listen=127.0.0.1 \
        -o ssh.port="$SSH_PORT" -o "auth.users.admin=$hash" "$@" &
    echo $! > "$SSH_DIR/sshd.pid"
    local i
    for i in $(seq 1 100); do
        if [ -S "$SSH_DIR/engine.sock" ] && (exec 3<>/dev/tcp/127.0.0.1/$SSH_PORT) 2>/dev/null; then
            return 0
        fi
        kill -0 "$(cat "$SSH_DIR/sshd.pid")" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

# Stops one pid file's process: TERM, up to 10 s, then KILL.
stop_pid() {
    local pid i
    pid=$(cat "$1" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null
    rm -f "$1"
}

ssh_stop() {
    [ -n "${SSH_DIR:-}" ] || return 0
    stop_pid "$SSH_DIR/sshd.pid"
    stop_pid "$SSH_DIR/engine.pid"
}

# new_key TYPE FILE: an unencrypted client key.
new_key() {
    local bits=()
    [ "$1" = rsa ] && bits=(-b 2048)
    ssh-keygen -q -t "$1" "${bits[@]}" -N '' -C "test-$1" -f "$2" </dev/null
}

# log_has REGEX: the listener's log mentions it (waits up to 5 s: the log is
# written by the connection process, which may still be finishing).
log_has() {
    local i
    for i in $(seq 1 25); do
        grep -qE "$1" "$SSH_DIR/sshd.log" 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

# ovmd_start DIR [yaml lines...]: the real ovmd with SSH on 127.0.0.1 and a
# free port, configured by DIR/ovmd.yaml; waits up to 30 s. Uses the same
# SSH_DIR/SSH_PORT/pid files as ssh_start, so ssh_stop stops it.
OVMD_BIN=${OVMD_BIN:-$B/ovmd}
ovmd_start() {
    SSH_DIR=$1; shift
    mkdir -p "$SSH_DIR"
    SSH_PORT=$(free_port) || return 1
    local hash line
    hash=$(printf '%s\n' "$SSH_PASSWORD" | "$OVMD_BIN" --hash-password) || return 1
    {
        echo "state_dir: $SSH_DIR/state"
        echo "monitor:"
        echo "  poll_interval: 0"
        echo "ssh:"
        echo "  listen: 127.0.0.1"
        echo "  port: $SSH_PORT"
        echo "auth:"
        echo "  authorized_keys: $SSH_DIR/authorized_keys"
        echo "  users:"
        echo "    admin: \"$hash\""
        for line in "$@"; do echo "$line"; done
    } > "$SSH_DIR/ovmd.yaml"
    "$OVMD_BIN" -f "$SSH_DIR/ovmd.yaml" --log-file "$SSH_DIR/sshd.log" &
    echo $! > "$SSH_DIR/sshd.pid"
    local i
    for i in $(seq 1 150); do
        if [ -S "$SSH_DIR/state/engine.sock" ] && (exec 3<>/dev/tcp/127.0.0.1/$SSH_PORT) 2>/dev/null; then
            return 0
        fi
        kill -0 "$(cat "$SSH_DIR/sshd.pid")" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}
