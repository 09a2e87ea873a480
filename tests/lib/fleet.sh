# A small simulated fleet for end-to-end tests: N agents on 127.0.0.2.., an
# ovmd engine, and (fleet_setup) discovery, pool1, nfs1, repo1 presented to the
# pool. Source after tests/lib/agent.sh and tests/lib/ovmd.sh. Sets $work,
# $port, $nfs. Every wait is bounded. FLEET_NET (default 127.0.0) is the
# /24 the agents listen on, for tests given a loopback net of their own.

FLEET_NET=${FLEET_NET:-127.0.0}

fleet_up() {
    local n=$1 i
    work=$(mktemp -d /tmp/ovm-fleet.XXXXXX)
    port=$(free_port)
    nfs=$work/nfs
    mkdir -p "$nfs/127.0.0.1/repo1"
    for i in $(seq 2 $((n + 1))); do
        agent_start "$work/a$i" $FLEET_NET.$i "$port" --nfs-root "$nfs" --hostname ovs0$i --memory-mb 16384 || return 1
    done
    fleet_n=$n
    ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")"
}

fleet_down() {
    local i
    ovmd_stop "$work/m" >/dev/null 2>&1
    for i in $(seq 2 $((fleet_n + 1))); do agent_stop "$work/a$i" >/dev/null 2>&1; done
    rm -rf "$work"
}

# ovm CMDS: runs one exec string through ovmsh; output (CR stripped) in $out,
# exit status in $rc.
ovm() {
    out=$(timeout "${OVM_TIMEOUT:-120}" "$OVMSH_BIN" -S "$work/m/engine.sock" -c "$1" 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}")
    rc=$?
}

# fleet_setup: discovery of every agent, pool1 with all of them, nfs1, repo1.
fleet_setup() {
    local i cmds="create ServerPool name=pool1 clusterEnable=No"
    for i in $(seq 2 $((fleet_n + 1))); do
        cmds="discoverServer ipAddress=$FLEET_NET.$i password=$AGENT_PASSWORD; $cmds; add Server name=ovs0$i to ServerPool name=pool1"
    done
    ovm "$cmds" || return 1
    [ "$rc" -eq 0 ] || return 1
    ovm "create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs02; refresh FileServer name=nfs1; create Repository name=repo1 on FileSystem name=nfs:/repo1; add ServerPool name=pool1 to Repository name=repo1"
    [ "$rc" -eq 0 ]
}

# field LABEL: the value of "  LABEL = value" in $out.
field() { sed -n "s/^  $1 = //p" <<<"$out" | head -1; }
# jobid: the JobId of the last command in $out.
jobid() { sed -n 's/^JobId: //p' <<<"$out" | tail -1; }
# agent_vms IP: names of the domains an agent runs.
agent_vms() { xr_call "$1" "$port" list_vms | xpath '//member[name="name"]/value/string/text()'; }
