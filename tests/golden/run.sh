#!/usr/bin/env bash
# Golden transcript tests: feeds tests/golden/NAME.in to `ovmsh` in batch mode
# against a fresh ovmd (and optional simulated agents), normalises the volatile
# parts (normalise.pl) and compares with NAME.out. Prints TAP, one line per
# transcript.
#
# Usage: run.sh [--update] [--keep] [NAME|PATH.in]...   (no NAME: every *.in)
#   --update  rewrite NAME.out from the actual output (review the diff!)
#   --keep    keep the temporary state directories
#
# Header comments in NAME.in (ovmsh ignores "#" lines):
#   # agents: 127.0.0.2 127.0.0.3   start one ovm-agentd per address
#   # exports: nfs1:/export/a ...   create these exports under the shared --nfs-root
#   # agent-password: PW            agents' password (default s3cret)
#   # monitor: N                    monitor.poll_interval (default 0 = off)
#   # config: KEY: VALUE            extra top-level ovmd.yaml line
#   # expect-exit: N                ovmsh exit status (default 0)
#   # store-unchanged               objects/attrs tables identical before/after
#   # timeout: N                    seconds for the whole transcript (default 120)
# Input lines "# raw: ..." and "# generate: ..." are expanded by expand.pl.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
if [ -z "${top_builddir:-}" ]; then
    # Run by hand: use the first build directory that has the binaries.
    for d in "$PWD" "$top_srcdir/build" "$top_srcdir"; do
        [ -x "$d/ovmd" ] && { top_builddir=$d; break; }
    done
fi
top_builddir=${top_builddir:-.}
export top_builddir
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/agent.sh"

update=0
keep=0
names=()
for arg in "$@"; do
    case $arg in
        --update) update=1 ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        -*) echo "run.sh: unknown option '$arg'" >&2; exit 2 ;;
        *) names+=("$arg") ;;
    esac
done
if [ ${#names[@]} -eq 0 ]; then
    for f in "$here"/*.in; do
        [ -e "$f" ] && names+=("$f")
    done
fi

for b in "$OVMD_BIN" "$OVMSH_BIN"; do
    [ -x "$b" ] || { echo "Bail out! $b is not built (set top_builddir)"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/ovm-golden.XXXXXX") || exit 1
agent_dirs=()
engine_dir=
cleanup() {
    local a
    for a in "${agent_dirs[@]+"${agent_dirs[@]}"}"; do agent_stop "$a"; done
    [ -n "$engine_dir" ] && ovmd_stop "$engine_dir"
    [ "$keep" -eq 1 ] && echo "# kept $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# header FILE KEY: the value of the first "# KEY: value" line.
header() { sed -n "s/^# $2:[[:space:]]*//p" "$1" | head -n 1; }
has_flag() { grep -qx "# $2" "$1"; }

# diag TEXT...: TAP diagnostics.
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# free_agent_port IP...: a port with nothing listening on any of the addresses.
free_agent_port() {
    local p ip i busy
    for i in $(seq 1 50); do
        p=$(( (RANDOM % 20000) + 30000 ))
        busy=0
        for ip in "$@"; do
            (exec 3<>"/dev/tcp/$ip/$p") 2>/dev/null && { busy=1; break; }
        done
        [ "$busy" -eq 0 ] && { echo "$p"; return 0; }
    done
    return 1
}

# start_agents IN DIR: starts the agents the header asks for; writes the
# ovmd.yaml lines they need to DIR/agent.yaml.
start_agents() {
    local in=$1 dir=$2 ips exports ip e port
    : > "$dir/agent.yaml"
    ips=$(header "$in" agents)
    [ -z "$ips" ] && return 0
    exports=$(header "$in" exports)
    for e in $exports; do
        case $e in
            *:/*) mkdir -p "$dir/nfs/${e%%:*}${e#*:}" || return 1 ;;
            *) diag "bad export '$e' (want host:/path)"; return 1 ;;
        esac
    done
    mkdir -p "$dir/nfs"
    # shellcheck disable=SC2086
    port=$(free_agent_port $ips) || return 1
    AGENT_PASSWORD=$(header "$in" agent-password)
    AGENT_PASSWORD=${AGENT_PASSWORD:-s3cret}
    for ip in $ips; do
        agent_dirs+=("$dir/agent-$ip")
        agent_start "$dir/agent-$ip" "$ip" "$port" --nfs-root "$dir/nfs" >&2 || {
            diag "agent $ip did not start"; return 1; }
    done
    printf 'agent:\n  port: %s\n' "$port" > "$dir/agent.yaml"
}

# engine_yaml IN AGENT-YAML: the ovmd.yaml for this transcript.
engine_yaml() {
    local poll
    poll=$(header "$1" monitor)
    printf 'monitor:\n  poll_interval: %s\n' "${poll:-0}"
    [ -n "$2" ] && printf '%s\n' "$2"
    sed -n 's/^# config:[[:space:]]*//p' "$1"
}

stop_all() {
    local a rc=0
    for a in "${agent_dirs[@]+"${agent_dirs[@]}"}"; do agent_stop "$a" || rc=1; done
    agent_dirs=()
    if [ -n "$engine_dir" ]; then
        ovmd_stop "$engine_dir" || rc=$?
        engine_dir=
    fi
    return "$rc"
}

# run_one IN OUT-DIR: runs one transcript; leaves actual.out in OUT-DIR and
# prints the reasons for a failure. Returns 0 when everything matched.
run_one() {
    local in=$1 dir=$2 ayaml want_exit rc tmo before after fail=0
    : > "$dir/actual.out"
    want_exit=$(header "$in" expect-exit)
    want_exit=${want_exit:-0}
    tmo=$(header "$in" timeout)
    tmo=${tmo:-120}
    start_agents "$in" "$dir" || return 1
    ayaml=$(cat "$dir/agent.yaml")
    engine_dir=$dir/engine
    if ! ovmd_start "$engine_dir" "$(engine_yaml "$in" "$ayaml")"; then
        diag "ovmd did not start:" "$(tail -n 20 "$engine_dir/ovmd.stderr" "$engine_dir/ovmd.log" 2>/dev/null)"
        return 1
    fi
    has_flag "$in" store-unchanged && before=$(store_dump "$engine_dir")
    perl "$here/expand.pl" < "$in" > "$dir/input" || return 1
    ovmsh_batch "$engine_dir" "$tmo" < "$dir/input" > "$dir/raw.out" 2> "$dir/ovmsh.stderr"
    rc=$?
    perl "$here/normalise.pl" < "$dir/raw.out" > "$dir/actual.out" || return 1
    if [ "$rc" != "$want_exit" ]; then
        diag "ovmsh exit status $rc, expected $want_exit"
        fail=1
    fi
    if has_flag "$in" store-unchanged; then
        after=$(store_dump "$engine_dir")
        if [ "$before" != "$after" ]; then
            diag "store changed:"
            diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -n 40 | sed 's/^/# /'
            fail=1
        fi
    fi
    if ! stop_all; then
        diag "ovmd or an agent did not exit cleanly:" "$(tail -n 30 "$dir/engine/ovmd.stderr" 2>/dev/null)"
        fail=1
    fi
    return "$fail"
}

n=0
failed=0
for name in "${names[@]}"; do
    case $name in
        */*|*.in) in=$name ;;
        *) in=$here/$name.in ;;
    esac
    in=${in%.in}.in
    base=$(basename "$in" .in)
    out=${in%.in}.out
    n=$((n + 1))
    if [ ! -r "$in" ]; then
        echo "not ok $n - $base: no such transcript $in"
        failed=$((failed + 1))
        continue
    fi
    dir=$work/$base
    mkdir -p "$dir"
    run_one "$in" "$dir"
    status=$?
    if [ "$update" -eq 1 ]; then
        cp "$dir/actual.out" "$out"
        echo "# updated $out"
    fi
    if [ ! -r "$out" ]; then
        echo "# no $out (run with --update to create it)"
        status=1
    elif ! diff -a -u "$out" "$dir/actual.out" > "$dir/diff"; then
        head -n 80 "$dir/diff" | sed 's/^/# /'
        status=1
    fi
    if [ "$status" -eq 0 ]; then
        echo "ok $n - $base"
    else
        echo "not ok $n - $base"
        failed=$((failed + 1))
    fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
