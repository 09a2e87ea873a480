#!/usr/bin/env bash
# HA failover when a host is cut off by the network, not by its process
# (issue 4, item 5). One agent runs in a private network namespace joined to
# the root namespace by a veth pair on a loopback-range /30; taking the root
# end down cuts it off while the agent keeps running. Needs root and
# CAP_NET_ADMIN; otherwise the test is skipped. Every wait is bounded; all
# traffic stays inside 127.0.0.0/8.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
. "$top_srcdir/tests/e2e/ha-lib.sh"

NS=ovmt-$$
VROOT=ovr$$ # root end (interface names are at most 15 bytes)
VNS=ovn$$   # namespace end
NET=127.255.$(($$ % 250 + 1)) # a /30 per run: concurrent runs do not collide
NSIP=$NET.2
NSNAME=ovsnet
net_made=
old_localnet=
work=
fleet_n=0

skip() { echo "1..0 # SKIP $*"; exit 0; }

# Root namespace routing: the kernel's /30 route beats "local 127.0.0.0/8";
# while the link is down the unreachable route (higher metric) takes over, so
# the engine's calls fail instead of reaching some local listener.
net_up() {
    ip netns add "$NS" 2>/dev/null || return 1
    net_made=1
    ip link add "$VROOT" type veth peer name "$VNS" netns "$NS" 2>/dev/null || return 1
    old_localnet=$(sysctl -n net.ipv4.conf.all.route_localnet) || return 1
    sysctl -qw net.ipv4.conf.all.route_localnet=1 "net.ipv4.conf.$VROOT.route_localnet=1" &&
        ip netns exec "$NS" sysctl -qw net.ipv4.conf.all.route_localnet=1 "net.ipv4.conf.$VNS.route_localnet=1" &&
        ip addr add "$NET.1/30" dev "$VROOT" &&
        ip -n "$NS" addr add "$NSIP/30" dev "$VNS" &&
        ip route add unreachable "$NET.0/30" metric 4096 &&
        ip -n "$NS" link set lo up && ip -n "$NS" link set "$VNS" up && ip link set "$VROOT" up
}

net_down() {
    [ -n "$net_made" ] || return 0
    ip route del unreachable "$NET.0/30" metric 4096 2>/dev/null
    ip link del "$VROOT" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    [ -n "$old_localnet" ] && sysctl -qw "net.ipv4.conf.all.route_localnet=$old_localnet"
    net_made=
}

cleanup() {
    [ -n "$work" ] && agent_stop "$work/ans" >/dev/null 2>&1
    [ -n "$work" ] && fleet_down
    net_down
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ns_agent_start DIR: the agent of ovsnet inside the namespace (agent_start's
# readiness loop, run from the root namespace: the engine's path).
ns_agent_start() {
    local dir=$1 i
    mkdir -p "$dir"
    ip netns exec "$NS" "$AGENT_BIN" --foreground --listen "$NSIP" --port "$port" --state-dir "$dir" \
        --password-file "$(agent_password_file "$dir")" --log-file "$dir.log" --nfs-root "$nfs" --hostname "$NSNAME" \
        --memory-mb 16384 &
    echo $! > "$dir.pid"
    for i in $(seq 1 100); do
        api_v3 "$NSIP" && return 0
        kill -0 "$(cat "$dir.pid")" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}
api_v3() { xr_call "$1" "$port" get_api_version 2>/dev/null | grep -q '<int>3</int>\|<i4>3</i4>'; }

# netns_up: agents ovs02 and ovs03 on 127.0.0.x, ovsnet in the namespace,
# ovmd with the short monitor and HA settings of ha-lib.sh.
netns_up() {
    work=$(mktemp -d /tmp/ovm-netns.XXXXXX) || return 1
    port=$(free_port) || return 1
    nfs=$work/nfs
    mkdir -p "$nfs/127.0.0.1/repo1" "$nfs/127.0.0.1/poolfs"
    local i
    for i in 2 3; do
        agent_start "$work/a$i" 127.0.0.$i "$port" --nfs-root "$nfs" --hostname ovs0$i --memory-mb 16384 || return 1
        fleet_n=$((i - 1))
    done
    ns_agent_start "$work/ans" || return 1
    ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\n%s' "$port" "$HA_YAML")"
}

netns_setup() {
    ovm "discoverServer ipAddress=127.0.0.2 password=$AGENT_PASSWORD; discoverServer ipAddress=127.0.0.3 password=$AGENT_PASSWORD; discoverServer ipAddress=$NSIP password=$AGENT_PASSWORD; create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs02; refresh FileServer name=nfs1; create ServerPool name=cpool clusterEnable=Yes fileSystem=nfs:/poolfs clusterTimeout=30"
    [ "$rc" -eq 0 ] || return 1
    local s
    for s in ovs02 ovs03 "$NSNAME"; do
        ovm "add Server name=$s to ServerPool name=cpool" && [ "$rc" -eq 0 ] || return 1
    done
    ovm "create Repository name=repo1 on FileSystem name=nfs:/repo1; add ServerPool name=cpool to Repository name=repo1"
    [ "$rc" -eq 0 ]
}

# ip_of SERVER: the agent address of a server of this test.
ip_of() { case $1 in "$NSNAME") echo "$NSIP" ;; ovs0*) echo "127.0.0.${1#ovs0}" ;; esac; }
# ns_runs VM: the namespaced agent, asked from inside its namespace, runs VM.
ns_runs() { ip netns exec "$NS" bash -c "$(declare -f xr_post xr_call xr_body xpath); \
    AGENT_CLIENT_PKI='$AGENT_CLIENT_PKI' AGENT_PASSWORD='$AGENT_PASSWORD' AGENT_CURL_MAX=10 \
    xr_call $NSIP $port list_vms | xpath '//member[name=\"name\"]/value/string/text()'" | grep -qx "$(vm_id "$1")"; }
unreachable() { ! curl -sk --max-time 5 -o /dev/null "https://$NSIP:$port/api/3/"; }
ns_alive() { kill -0 "$(cat "$work/ans.pid")" 2>/dev/null; }
moved() { vm_is "$1" Running && [ "$(vm_host "$1")" != "$NSNAME" ]; }
srv_id() { ovm "show Server name=$1"; field Id; }
stale_warned() { grep -q "Vm $1 also listed on Server $NSNAME; it runs on Server $2" "$work/m/ovmd.log"; }

[ "$(id -u)" -eq 0 ] || skip "needs root for ip netns"
command -v ip >/dev/null || skip "no ip(8)"
net_up || skip "cannot create a network namespace with a veth pair here"

check "two agents on 127.0.0.x, ovsnet in netns $NS, ovmd with the monitor on" netns_up
check "curl reaches the agent at $NSIP over HTTPS through the veth pair" api_v3 "$NSIP"
check "the agent's address is not local in the root namespace" \
    bash -c "ip route get $NSIP | grep -q 'dev $VROOT'"
check "clustered pool cpool with ovs02, ovs03, $NSNAME; repo1" netns_setup
ovm "show Server name=$NSNAME"
check "$NSNAME is Running at $NSIP" test "$(field Status)/$(field 'IP Address')" = "Running/$NSIP"

ha_vm hv Yes 50 && ha_vm plain No 50
check "HA VM hv and non-HA VM plain created" test "$rc" -eq 0
ovm "edit Server name=ovs02 inboundMigrationLocked=Yes; edit Server name=ovs03 inboundMigrationLocked=Yes; start Vm name=hv; start Vm name=plain; edit Server name=ovs02 inboundMigrationLocked=No; edit Server name=ovs03 inboundMigrationLocked=No"
both_on_ns() { vm_is hv Running && vm_is plain Running && [ "$(vm_host hv)$(vm_host plain)" = "$NSNAME$NSNAME" ]; }
check "both VMs run on $NSNAME" both_on_ns
ns_runs_both() { ns_runs hv && ns_runs plain; }
check "the namespaced agent runs hv and plain" ns_runs_both

# ---- the network is cut; the agent keeps running ----
t0=$SECONDS
ip link set "$VROOT" down
check "the link is down: $NSIP no longer answers from the root namespace" unreachable
check "$NSNAME goes Stopped (bounded 30 s)" wait_for 30 server_is "$NSNAME" Stopped
check "HA VM hv runs on another server (bounded 40 s)" wait_for 40 moved hv
echo "# failover took $((SECONDS - t0)) s"
hv_host=$(vm_host hv)
check "hv: the agent of $hv_host lists it (list_vms)" runs_on "$(ip_of "$hv_host")" hv
check "non-HA VM plain is Stopped (H-8)" vm_is plain Stopped
sleep 2
check "non-HA VM plain is not restarted" vm_is plain Stopped
check "$NSNAME has one SERVER_OFFLINE event" test "$(ev_count "$(srv_id "$NSNAME")" SERVER_OFFLINE 0)" -eq 1
check "$NSNAME has a SERVER_DISCONNECT event" test "$(ev_count "$(srv_id "$NSNAME")" SERVER_DISCONNECT 0)" -eq 1
check "plain has an unacknowledged VM_OFFLINE event" test "$(ev_count "$(vm_id plain)" VM_OFFLINE 0)" -eq 1
check "hv has an HA_RESTARTED event" test "$(ev_count "$(vm_id hv)" HA_RESTARTED 0)" -eq 1
check "the cut-off agent process is still running" ns_alive
check "inside the namespace the agent still runs hv and plain" ns_runs_both

# ---- the link comes back: the host's stale domains meet the store ----
ip link set "$VROOT" up
check "curl reaches $NSIP again (bounded 10 s)" wait_for 10 api_v3 "$NSIP"
check "$NSNAME comes back Running (bounded 30 s)" wait_for 30 server_is "$NSNAME" Running
check "SERVER_DISCONNECT of $NSNAME is acknowledged on return" \
    test "$(ev_count "$(srv_id "$NSNAME")" SERVER_DISCONNECT 1)" -eq 1
check "the engine warns that hv is also listed on $NSNAME (bounded 10 s)" wait_for 10 stale_warned hv "$hv_host"
check "the store keeps the HA copy: hv Running on $hv_host" test "$(vm_field hv Status)/$(vm_host hv)" = "Running/$hv_host"
check "hv's HA copy still runs on $hv_host" runs_on "$(ip_of "$hv_host")" hv
check "the stale domain of hv is left on $NSNAME" runs_on "$NSIP" hv
plain_back() { vm_is plain Running && [ "$(vm_host plain)" = "$NSNAME" ]; }
check "plain, still running on $NSNAME, is reconciled to Running there (bounded 10 s)" wait_for 10 plain_back
check "with a VM_STATE 'Vm found running' event" \
    test "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM events WHERE target='$(vm_id plain)' AND type='VM_STATE' AND summary='Vm found running'")" -eq 1

check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
