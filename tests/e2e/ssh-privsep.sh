#!/bin/bash
# Privilege separation (issue 10 item 3, doc/architecture.md §1): the SSH
# connection processes of the real ovmd, before login and during a session,
# run without root (when ovmd has it) chrooted into the empty ssh.privsep_dir,
# with NoNewPrivs and a seccomp filter; and the engine records the uid the
# kernel reports for the socket's peer (SO_PEERCRED) with each job, next to
# the user name the session claimed.
. "${top_srcdir:-.}/tests/e2e/ssh-lib.sh"
[ -x "$OVMD_BIN" ] || skip_all "ovmd not built"
OVMSH_BIN=${OVMSH_BIN:-$B/ovmsh}
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 not installed"
TMP=$(mktemp -d /tmp/ssh-privsep.XXXXXX)
chmod 755 "$TMP"
exec 3>&-
trap 'exec 3>&- 4>&-; ssh_stop; rm -rf "$TMP"' EXIT
ovmd_start "$TMP/o" || { echo "not ok 1 - ovmd starts"; cat "$TMP/o/sshd.log" >&2; echo "1..1"; exit 1; }
ok "ovmd starts with SSH on 127.0.0.1:$SSH_PORT"
OVMD_PID=$(cat "$SSH_DIR/sshd.pid")
EMPTY=$TMP/o/state/ssh-empty
ROOT=0; [ "$(id -u)" -eq 0 ] && ROOT=1

# children PID: the pids whose parent is PID.
# One awk for all of /proc: an awk per process made a scan take seconds on a
# loaded machine, long enough for the held session below to time out. cat
# reads the files, because mawk stops at the first file it cannot open (a
# process that ended during the scan) and the list would be cut short.
children() {
    cat /proc/[0-9]*/stat 2>/dev/null |
        awk -v p="$1" '{ pid = $1; sub(/^.*\) /, ""); if ($2 == p) print pid }'
}
# conn_pids: the connection processes, children of the SSH listener (the
# ovmd child that has children).
conn_pids() {
    local l
    for l in $(children "$OVMD_PID"); do children "$l"; done
}
field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }
# wait_conn: waits up to 10 s for a connection process; prints its pid.
wait_conn() {
    local i p
    for i in $(seq 1 50); do
        p=$(conn_pids | head -n1)
        [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.2
    done
    return 1
}
# sandboxed WHAT PID: the checks of one process.
sandboxed() {
    local what=$1 pid=$2
    check "$what: NoNewPrivs 1" test "$(field "$pid" NoNewPrivs)" = 1
    check "$what: seccomp filter (Seccomp 2)" test "$(field "$pid" Seccomp)" = 2
    if [ $ROOT = 1 ]; then
        check "$what: runs as nobody, not root" test "$(field "$pid" Uid)" = "$(id -u nobody)"
        check "$what: its root is the empty folder" test "$(readlink "/proc/$pid/root")" = "$EMPTY"
    fi
}

# Before login: a TCP connection that has sent nothing yet.
# The server's identification string comes with the key exchange, which
# starts only once the sandbox is closed.
# The connections that probed the port at start-up may still be ending (an
# ASan build checks for leaks as it exits): wait (bounded) until they are gone,
# so that the process found below is this connection's.
for i in $(seq 1 50); do [ -z "$(conn_pids)" ] && break; sleep 0.2; done
exec 3<>"/dev/tcp/127.0.0.1/$SSH_PORT"
banner=
read -r -t 10 banner <&3
check "the server starts the key exchange" test "${banner#SSH-2.0}" != "$banner"
pid=$(wait_conn)
check "a pre-auth connection process appears" test -n "$pid"
[ -n "$pid" ] && sandboxed "pre-auth" "$pid"
exec 3>&-
for i in $(seq 1 50); do [ -z "$(conn_pids)" ] && break; sleep 0.2; done

# During a batch session, held open by a fifo.
mkfifo "$TMP/in"
# A write to the fifo after the client ended must fail a check, not kill
# the script with SIGPIPE; the client's own bound is longer than pw_ssh's
# 20 s because the checks below run while it waits.
trap '' PIPE
timeout 90 sshpass -p "$SSH_PASSWORD" ssh $(ssh_opts) -o PubkeyAuthentication=no \
    -o PreferredAuthentications=password -T admin@127.0.0.1 < "$TMP/in" > "$TMP/out" 2>&1 &
SSH_CLIENT_PID=$!
exec 4> "$TMP/in"
echo "list Vm" >&4
for i in $(seq 1 50); do grep -q "Status: Success" "$TMP/out" && break; sleep 0.2; done
check "the session runs a command" grep -q "Status: Success" "$TMP/out"
# The session's connection process is the one with a child (the session
# process): a pre-auth process that is slow to go is not taken for it.
pid= spid=
for i in $(seq 1 50); do
    for p in $(conn_pids); do
        spid=$(children "$p" | head -n1)
        [ -n "$spid" ] && { pid=$p; break 2; }
    done
    sleep 0.2
done
[ -n "$pid" ] && sandboxed "session connection" "$pid"
check "the session process exists" test -n "$spid"
[ -n "$spid" ] && sandboxed "session process" "$spid"
echo "create Tag name=via-ssh" >&4
echo "exit" >&4
exec 4>&-
wait "$SSH_CLIENT_PID" # bounded by pw_ssh's timeout
check "the session's command ran" grep -q "Command: create Tag name=via-ssh" "$TMP/out"

# The engine socket: the uid comes from the kernel, the name from the client.
SOCK=$TMP/o/state/engine.sock
DB=$(ls "$TMP"/o/state/*.db 2>/dev/null | head -n1)
"$OVMSH_BIN" -S "$SOCK" -u claimed-name -c "create Tag name=as-root" > "$TMP/r" 2>&1
check "ovmsh as root creates a tag" grep -q "Status: Success" "$TMP/r"
uid_of() { sqlite3 "$DB" "SELECT peer_uid FROM jobs WHERE command LIKE '%name=$1%'"; }
user_of() { sqlite3 "$DB" "SELECT user FROM jobs WHERE command LIKE '%name=$1%'"; }
check "the job records the peer uid 0 next to the claimed name" \
    test "$(uid_of as-root)/$(user_of as-root)" = "0/claimed-name"
check "the job run over SSH records the listener's uid" test "$(uid_of via-ssh)/$(user_of via-ssh)" = "$(id -u)/admin"
check "the engine log names the peer uid" log_has "session: user claimed-name from uid 0 "
# Another uid, when this user can switch (root) and nobody can reach the socket.
if [ $ROOT = 1 ] && command -v setpriv >/dev/null 2>&1; then
    chmod 755 "$TMP/o" "$TMP/o/state"
    chmod 666 "$SOCK"
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$OVMSH_BIN" -S "$SOCK" -u admin \
        -c "create Tag name=as-nobody" > "$TMP/n" 2>&1
    if grep -q "Status: Success" "$TMP/n"; then
        check "a job of uid nobody records its uid, whatever name it claims" \
            test "$(uid_of as-nobody)/$(user_of as-nobody)" = "$(id -u nobody)/admin"
    else
        echo "# nobody cannot run $OVMSH_BIN here: $(head -c 200 "$TMP/n")"
    fi
fi
tap_done
