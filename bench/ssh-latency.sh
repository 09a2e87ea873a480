#!/bin/bash
# SSH front end benchmark (issue 3, "Benchmark"). In one run, on loopback:
#  1. median wall time of `ssh -p PORT admin@127.0.0.1 "list Vm"` against
#     ovmsh's listener, and of the same OpenSSH client running `true`
#     against an OpenSSH sshd on a free port with the same key types; their
#     ratio (target <= 1.2);
#  2. median round trip of `show Vm` inside one open interactive session
#     (target < 2 ms);
#  3. concurrent interactive sessions held without error (target 500) and
#     the memory (PSS) per session of the listener's processes.
# Usage: bench/ssh-latency.sh [RUNS] [SESSIONS]   (defaults 20 and 500)
# Run from a build tree (or set top_builddir / top_srcdir). The engine is
# the stand-in shell/ssh-fake-engine unless SSH_TEST_ENGINE names another.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/e2e/ssh-lib.sh"
RUNS=${1:-20}
SESSIONS=${2:-500}
TMP=$(mktemp -d /tmp/ssh-bench.XXXXXX)
OSSH_PID=
cleanup() {
    [ -n "$OSSH_PID" ] && kill "$OSSH_PID" 2>/dev/null
    jobs -p | xargs -r kill 2>/dev/null
    ssh_stop
    rm -rf "$TMP"
}
trap cleanup EXIT

median() { sort -n | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }
now_ms() { date +%s.%N | awk '{printf "%.3f\n", $1 * 1000}'; }
# time_runs CMD...: prints the wall time of each of RUNS runs in ms.
time_runs() {
    local i t0 t1
    for i in $(seq 1 "$RUNS"); do
        t0=$(now_ms)
        "$@" > /dev/null 2>&1 || echo "run failed: $*" >&2
        t1=$(now_ms)
        awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
    done
}

# The real ovmd when it is built (BENCH_ENGINE=fake forces the stand-in).
if [ -x "$OVMD_BIN" ] && [ "${BENCH_ENGINE:-ovmd}" = ovmd ]; then
    ovmd_start "$TMP/s" || { echo "cannot start ovmd" >&2; exit 1; }
    HOSTKEYS=$TMP/s/state/ssh ENGINE=ovmd
else
    ssh_start "$TMP/s" || { echo "cannot start the ovmsh listener" >&2; exit 1; }
    HOSTKEYS=$TMP/s/ssh ENGINE=ssh-fake-engine
fi
new_key ed25519 "$TMP/id"
cp "$TMP/id.pub" "$TMP/s/authorized_keys" && chmod 600 "$TMP/s/authorized_keys"
ovm_ms=$(time_runs key_ssh "$TMP/id" admin@127.0.0.1 "list Vm" | median)

# OpenSSH sshd with the same host key types, key login as the current user.
ossh_ms=nan
if [ -x /usr/sbin/sshd ]; then
    [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ] && mkdir -p /run/sshd # sshd's privsep dir
    OPORT=$(free_port)
    cp "$HOSTKEYS/ssh_host_ed25519_key" "$TMP/hk_ed25519"; cp "$HOSTKEYS/ssh_host_rsa_key" "$TMP/hk_rsa"
    cat > "$TMP/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $OPORT
HostKey $TMP/hk_ed25519
HostKey $TMP/hk_rsa
AuthorizedKeysFile $TMP/s/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PidFile none
EOF
    /usr/sbin/sshd -D -e -f "$TMP/sshd_config" 2> "$TMP/sshd.err" &
    OSSH_PID=$!
    for i in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$OPORT) 2>/dev/null && break; sleep 0.1; done
    ossh_ms=$(SSH_PORT=$OPORT time_runs key_ssh "$TMP/id" "$(id -un)@127.0.0.1" true | median)
fi

# Round trip of `show Vm` inside one interactive session.
cat > "$TMP/rt.exp" <<'EOF'
set timeout 10
log_user 0
spawn ssh -F /dev/null -tt -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -i $env(KEY) -p $env(SSH_PORT) admin@127.0.0.1
expect -ex "OVM> "
for {set i 0} {$i < $env(N)} {incr i} {
    set t0 [clock microseconds]
    send "show Vm name=bench\r"
    expect -ex "OVM> " {} timeout { puts "timeout"; exit 1 }
    puts [format "%.3f" [expr {([clock microseconds] - $t0) / 1000.0}]]
}
send "exit\r"
expect eof
EOF
rt_ms=$(KEY=$TMP/id N=$((RUNS * 10)) SSH_PORT=$SSH_PORT timeout 120 expect -f "$TMP/rt.exp" | tr -d '\r' | median)

# Concurrent interactive sessions, each holding its prompt.
# Each client reads a FIFO opened read-write: it never sees input or EOF.
mkfifo "$TMP/idle"
for i in $(seq 1 "$SESSIONS"); do
    timeout 120 ssh $(ssh_opts) -tt -o PasswordAuthentication=no -o BatchMode=yes -i "$TMP/id" \
        admin@127.0.0.1 0<>"$TMP/idle" > "$TMP/c$i" 2>&1 &
done
held=0
for t in $(seq 1 120); do
    held=$(grep -l 'OVM> ' "$TMP"/c* 2>/dev/null | wc -l)
    [ "$held" -ge "$SESSIONS" ] && break
    sleep 0.5
done
# PSS of every process below the listener (connection + session processes).
descendants() {
    ps -e -o pid=,ppid= | awk -v root="$1" '{kids[$2] = kids[$2] " " $1}
        END {q[1] = root; n = 1; for (i = 1; i <= n; i++) { c = split(kids[q[i]], k, " ");
             for (j = 1; j <= c; j++) { q[++n] = k[j]; print k[j] } } }'
}
pss_kb=0
for pid in $(descendants "$(cat "$TMP/s/sshd.pid")"); do
    v=$(awk '/^Pss:/ {print $2}' /proc/$pid/smaps_rollup 2>/dev/null)
    pss_kb=$((pss_kb + ${v:-0}))
done
for f in $(grep -L 'OVM> ' "$TMP"/c* 2>/dev/null | head -n 3); do
    echo "session without a prompt: $(tr -d '\r' < "$f" | head -n 2)" >&2
done
per_session=$(awk -v p="$pss_kb" -v n="$held" 'BEGIN {if (n) printf "%.0f", p / n; else print "nan"}')

echo "engine: $ENGINE"
printf 'ssh exec "list Vm" (ovmsh)        median %8s ms over %d runs\n' "$ovm_ms" "$RUNS"
printf 'ssh exec "true" (OpenSSH sshd)    median %8s ms over %d runs\n' "$ossh_ms" "$RUNS"
printf 'ratio ovmsh / OpenSSH             %8s (target <= 1.2)\n' \
    "$(awk -v a="$ovm_ms" -v b="$ossh_ms" 'BEGIN {if (b + 0 > 0) printf "%.2f", a / b; else print "nan"}')"
printf 'interactive "show Vm" round trip  median %8s ms (target < 2)\n' "$rt_ms"
printf 'concurrent sessions held          %8s of %d (target 500), %s KiB PSS per session\n' \
    "$held" "$SESSIONS" "$per_session"
