#!/bin/bash
# ovm-agentd given relative paths on its command line (state directory, NFS
# root, password file, pid and log files), started from another directory
# than the one it later works in: it resolves them against its start-up
# directory, so a repository mount (a symbolic link into the NFS root) points
# at the export and create_repository works (issue 7: the demo failed so).
. "${top_srcdir:-.}/tests/lib/agent.sh"
TMP=$(mktemp -d /tmp/agent-rel.XXXXXX)
A=127.0.0.2
PORT=$(free_port) || { echo "1..0 # SKIP no free port"; exit 0; }
BIN=$(cd "$(dirname "$AGENT_BIN")" && pwd)/$(basename "$AGENT_BIN")
trap 'kill -TERM "$(cat "$TMP/run/agent.pid" 2>/dev/null)" 2>/dev/null; sleep 0.5; rm -rf "$TMP"' EXIT
MGR=0004fb00000100001111111111111111
REPO=0004fb0000030000aaaaaaaaaaaaaaaa
LOC=127.0.0.1:/demo
MP=/OVS/Repositories/$REPO

mkdir -p "$TMP/run/nfs/127.0.0.1/demo"
printf '%s\n' "$AGENT_PASSWORD" > "$TMP/run/pw"
# Relative paths, as demo.sh's default state directory gives them; the
# daemon detaches (and may change directory) after reading them.
(cd "$TMP/run" && timeout 30 "$BIN" --listen $A --port "$PORT" --state-dir state/ovs01 \
    --password-file pw --nfs-root nfs --pid-file agent.pid --log-file agent.log)
check "ovm-agentd starts with relative paths" test $? -eq 0
check "its pid file is where the relative path says" test -s "$TMP/run/agent.pid"
check "its log file is where the relative path says" test -s "$TMP/run/agent.log"
check "its state directory is where the relative path says" test -d "$TMP/run/state/ovs01"

xr_call $A "$PORT" take_ownership "$(xst "$(xm manager_uuid "$(xs $MGR)")")" >/dev/null
r=$(xr_call $A "$PORT" mount_repository_fs "$(xs $LOC)" "$(xs $MP)")
check "mount_repository_fs" bash -c "grep -q '<nil/>' <<<'$r' && ! grep -q '<fault>' <<<'$r'"
link=$TMP/run/state/ovs01/OVS/Repositories/$REPO
check "the mount resolves to the export" test "$(readlink -f "$link")" = "$(readlink -f "$TMP/run/nfs/127.0.0.1/demo")"
r=$(xr_call $A "$PORT" create_repository "$(xs $LOC)" "$(xs $MP)" "$(xs $REPO)" "$(xs repo1)")
check "create_repository succeeds" bash -c "! grep -q '<fault>' <<<'$r'" 
[[ $r == *'<fault>'* ]] && echo "# fault: $(fault_string <<<"$r")"
check ".ovsrepo is written in the export" grep -qx "OVS_REPO_UUID=$REPO" "$TMP/run/nfs/127.0.0.1/demo/.ovsrepo"
check "the log holds no warning" bash -c "! grep -qi 'warn' '$TMP/run/agent.log'"
tap_done
