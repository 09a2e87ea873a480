#!/usr/bin/env bash
# Networks as Linux bridges on the libvirt driver (issue 8): with
# --libvirt-bridges, ovs_br_config start makes the bridge, adds the port and
# brings both up; stop takes the port out and deletes it; what the kernel
# refuses is a fault that names the bridge, and a failed call leaves the
# host's links as they were. Without the option the driver only records
# bridges (no host change). The agent runs in a private network namespace
# with veth ports, so the machine's own links are never touched. Needs root
# (CAP_NET_ADMIN) and ip(8); otherwise skipped. Every wait is bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"

skip() { echo "1..0 # SKIP $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root to make bridges in a private network namespace"
command -v ip >/dev/null || skip "no ip(8)"
"$AGENT_BIN" --help 2>&1 | grep -q -- --libvirt-bridges || skip "ovm-agentd is built without the libvirt driver"

NS=ovmbr-$$
work=$(mktemp -d /tmp/ovm-lvbr.XXXXXX)
cleanup() {
    agent_stop "$work/a" >/dev/null 2>&1
    agent_stop "$work/b" >/dev/null 2>&1
    ip netns del "$NS" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"
# Ports: one end of a veth pair each (the dummy link type may be missing).
ip -n "$NS" link set lo up && ip -n "$NS" link add ovmp0 type veth peer name ovmq0 &&
    ip -n "$NS" link add ovmp1 type veth peer name ovmq1 || skip "cannot make veth links in the namespace"
port=$(free_port)
AGENT_PASSWORD=s3cret
printf '%s\n' "$AGENT_PASSWORD" > "$work/pw"

# ns_agent DIR [OPTIONS]: a libvirt-driver agent inside the namespace. Its
# daemon is never started: bridges do not need one.
ns_agent() {
    local dir=$1 i; shift
    mkdir -p "$dir"
    ip netns exec "$NS" "$AGENT_BIN" --foreground --listen 127.0.0.1 --port "$port" --state-dir "$dir" \
        --password-file "$work/pw" --log-file "$dir.log" --driver libvirt \
        --libvirt-uri "qemu+unix:///session?socket=$work/no-daemon.sock" "$@" &
    echo $! > "$dir.pid"
    for i in $(seq 1 100); do
        ns_call get_api_version 2>/dev/null | grep -q '<int>3</int>' && return 0
        kill -0 "$(cat "$dir.pid")" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}
# ns_call METHOD [VALUE...]: an XML-RPC call from inside the namespace.
ns_call() {
    ip netns exec "$NS" bash -c "$(declare -f xr_post xr_call xr_body); AGENT_PASSWORD='$AGENT_PASSWORD' \
        AGENT_CURL_MAX=10 xr_call 127.0.0.1 $port \"\$@\"" ns_call "$@"
}
br() { ns_call ovs_br_config "$(xs "$1")" "$(xs "$2")" "$(xs "$3")"; }
links() { ip -n "$NS" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' '; }
master_of() { ip -n "$NS" -o link show "$1" | sed -n 's/.* master \([^ ]*\) .*/\1/p'; }
is_bridge_up() { ip -n "$NS" -d -o link show "$1" 2>/dev/null | grep -q 'bridge ' &&
    ip -n "$NS" -o link show "$1" | grep -q '[<,]UP[,>]'; }
reply_ok() { grep -q "<string>$1" <<<"$reply" && ! grep -q '<fault>' <<<"$reply"; }
fault_has() { grep -q '<fault>' <<<"$reply" && fault_string <<<"$reply" | grep -q -- "$1"; }

# Without the option: the record only, as the simulator does.
check "agent without --libvirt-bridges starts in the namespace" ns_agent "$work/b"
before=$(links)
reply=$(br start c0a80100 ovmp0)
check "ovs_br_config start answers 'start ...' without the option" reply_ok start
check "and leaves the host's links alone" test "$(links)" = "$before"
check "discover_network reports the recorded bridge" eval \
    'ns_call discover_network | result_string | grep -q c0a80100'
agent_stop "$work/b" >/dev/null 2>&1

check "agent with --libvirt-bridges starts in the namespace" ns_agent "$work/a" --libvirt-bridges
reply=$(br start c0a80100 ovmp0)
check "ovs_br_config start c0a80100 ovmp0 succeeds" reply_ok start
check "ip link: c0a80100 is a bridge and up" is_bridge_up c0a80100
check "ip link: ovmp0 is its port" test "$(master_of ovmp0)" = c0a80100
reply=$(br start c0a80100 ovmp0)
check "starting it again is harmless" reply_ok start
check "discover_network reports the bridge" eval 'ns_call discover_network | result_string | grep -q c0a80100'

# Refusals: the host stays as it was.
before=$(links)
reply=$(br start c0a80200 nosuchdev)
check "a missing port is refused with a fault naming the bridge" fault_has 'start c0a80200: no such network device'
reply=$(br start c0a80200 ovmp0)
check "a port of another bridge is refused" fault_has 'another bridge'
check "ovmp0 stays in c0a80100" test "$(master_of ovmp0)" = c0a80100
reply=$(br start 'bad;name' ovmp1)
check "a bridge name that is no interface name is refused" fault_has 'invalid bridge name'
reply=$(br start averyveryverylongbridge ovmp1)
check "a name longer than IFNAMSIZ is refused" fault_has 'invalid bridge name'
check "no refused call changed the links" test "$(links)" = "$before"

# State survives a restart of the agent; stop removes the bridge.
agent_stop "$work/a" >/dev/null 2>&1
check "agent restarts" ns_agent "$work/a" --libvirt-bridges
reply=$(br stop c0a80100 ovmp0)
check "ovs_br_config stop c0a80100 succeeds" reply_ok stop
check "ip link: the bridge is gone" eval '! ip -n "$NS" link show c0a80100 >/dev/null 2>&1'
check "ip link: ovmp0 is no port any more" test -z "$(master_of ovmp0)"
reply=$(br stop c0a80100 ovmp0)
check "stopping a bridge that is gone faults as on the simulator" fault_has 'does not exist'
# A bridge the administrator made by hand is taken over and can be stopped.
ip -n "$NS" link add c0a80300 type bridge
reply=$(br start c0a80300 ovmp1)
check "a hand-made bridge is used as it is" eval 'reply_ok start && test "$(master_of ovmp1)" = c0a80300'
reply=$(br stop c0a80300 ovmp1)
check "and removed by stop" eval 'reply_ok stop && ! ip -n "$NS" link show c0a80300 >/dev/null 2>&1'
check "the agent logged the bridges" grep -q 'bridge c0a80100 up' "$work/a.log"
check "agent stops cleanly" agent_stop "$work/a"
tap_done
