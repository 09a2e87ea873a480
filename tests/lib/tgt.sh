# A private tgtd (tgt's iSCSI target) for one test (san-iscsi.sh, ocfs2-repos.sh):
# its own portal on the test's loopback address and its own control socket,
# file-backed LUNs made with tgtadm. Source after tests/lib/agent.sh; set
# work= first. tgt_require exits with a TAP skip when tgtd cannot run here.
PATH=$PATH:/usr/sbin:/sbin
tgt_require() {
    local tool
    for tool in tgtd tgtadm iscsi-ls; do
        if ! command -v "$tool" >/dev/null; then
            echo "1..0 # SKIP $tool is not installed (tools/deps.sh lists tgt and libiscsi-bin)"
            exit 0
        fi
    done
    if [ "$(id -u)" -ne 0 ]; then
        echo "1..0 # SKIP tgtd needs root (its control socket lives in /var/run/tgtd)"
        exit 0
    fi
}
# tgtd's control "port" names its socket /var/run/tgtd/socket.N: one no other tgtd uses.
tgt_pick_control() {
    local n i
    for i in $(seq 1 50); do
        n=$(( (RANDOM % 2000) + $1 ))
        [ -e "/var/run/tgtd/socket.$n" ] || { echo "$n"; return 0; }
    done
    return 1
}
tgt_pid=
# tgt_start IP PORTAL: tgtd on control port $ctl, in the background.
tgt_start() {
    tgtd -f -C "$ctl" --iscsi "portal=$1:$2" >"$work/tgtd.log" 2>&1 &
    tgt_pid=$!
}
# tgtd ignores SIGTERM while it has targets: the array vanishes at once.
stop_tgtd() {
    [ -n "$tgt_pid" ] || return 0
    kill -KILL "$tgt_pid" 2>/dev/null
    wait "$tgt_pid" 2>/dev/null
    tgt_pid=
}
tgt_cleanup() {
    stop_tgtd
    rm -f "/var/run/tgtd/socket.$ctl" "/var/run/tgtd/socket.$ctl.lock"
}
tgtadm_() { timeout 10 tgtadm -C "$ctl" --lld iscsi "$@"; }
# wait_tgtd: up to 10 s until tgtadm answers on the control socket.
wait_tgtd() {
    local i
    for i in $(seq 1 100); do tgtadm_ --op show --mode sys >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}
