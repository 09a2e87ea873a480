# Shared set-up for the tests/e2e/rules-vm-*.sh tests (doc/object-model.md §5.4-§6.15,
# area vm): private agents on 127.0.0.2.., a private ovmd, and helpers that
# check one rule each. Source after tests/lib/agent.sh and tests/lib/ovmd.sh.

# rv_setup NAME N [agent options]: work dir, N agents ovs02.. on 127.0.0.2..
# with an NFS export nfs:/repo1, ovmd, discovery of all servers. RV_OPTS_<i>
# (word-split) adds options for the agent on 127.0.0.<i> only. RV_NET (default
# 127.0.0) moves the agents to another /24, e.g. 127.0.62 (RV_NET.2..).
rv_setup() {
    local name=$1 n=$2 i v; shift 2
    work=$(mktemp -d "/tmp/ovm-rules-vm-$name.XXXXXX")
    port=$(free_port)
    AGENT_PASSWORD=s3cret
    rv_n=$n
    trap rv_cleanup EXIT
    nfs=$work/nfs
    mkdir -p "$nfs/127.0.0.1/repo1" "$nfs/127.0.0.1/repo2"
    for i in $(seq 2 $((n + 1))); do
        v=RV_OPTS_$i
        # shellcheck disable=SC2086
        check "agent on ${RV_NET:-127.0.0}.$i starts" agent_start "$work/a$i" "${RV_NET:-127.0.0}.$i" "$port" --nfs-root "$nfs" \
            --hostname ovs0$i "$@" ${!v:-}
    done
    check "ovmd starts" ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")"
    local cmds=""
    for i in $(seq 2 $((n + 1))); do cmds+="discoverServer ipAddress=${RV_NET:-127.0.0}.$i password=s3cret; "; done
    step "discover $n servers" "$cmds"
}

rv_cleanup() {
    local i
    ovmd_stop "$work/m" >/dev/null 2>&1
    for i in $(seq 2 $((rv_n + 1))); do agent_stop "$work/a$i" >/dev/null 2>&1; done
    rm -rf "$work"
}

# rv_pool NAME SERVER...: an unclustered pool with these servers; repo1 on
# nfs:/repo1 presented to the pool (created once, with the first pool).
rv_pool() {
    local pool=$1 s cmds; shift
    cmds="create ServerPool name=$pool clusterEnable=No"
    for s in "$@"; do cmds+="; add Server name=$s to ServerPool name=$pool"; done
    step "pool $pool with $*" "$cmds"
}

rv_repo() {
    step "file server and repository repo1 presented to $1" \
        "create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs02; refresh FileServer name=nfs1; create Repository name=repo1 on FileSystem name=nfs:/repo1; add ServerPool name=$1 to Repository name=repo1"
}

# ovm CMDS: runs one exec string; output (CR stripped) in $out, status in $rc.
ovm() {
    out=$(timeout 120 "$OVMSH_BIN" -S "$work/m/engine.sock" -c "$1" 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}")
    rc=$?
}
# step DESCRIPTION CMDS: the commands succeed.
step() {
    ovm "$2"
    if [ "$rc" -eq 0 ] && ! grep -q 'Status: Failure' <<<"$out"; then ok "$1"; else not_ok "$1"; printf '# %s\n' "$out" | head -20; fi
}
# refused DESCRIPTION CMD TEXT: CMD fails with exactly "Error Msg: TEXT".
refused() {
    ovm "$2"
    if grep -q '^Status: Failure$' <<<"$out" && grep -qxF "Error Msg: $3" <<<"$out"; then
        ok "$1"
    else
        not_ok "$1"
        printf '#   want: Error Msg: %s\n' "$3"
        grep '^Error Msg:\|^Status:' <<<"$out" | sed 's/^/#   got:  /'
    fi
}
# field LABEL: the value of "  LABEL = value" in $out.
field() { sed -n "s/^  $1 = //p" <<<"$out" | head -1; }
idof() { sed -n 's/^  Id = //p' <<<"$out" | head -1; }
# vm_field VM LABEL: a show Vm value.
vm_field() { ovm "show Vm name=$1"; field "$2"; }
# vm_host VM: the name of the server a VM runs on (or last ran on).
vm_host() { ovm "show Vm name=$1"; sed -n 's/^  Server = .*\[\(.*\)\]$/\1/p' <<<"$out"; }
# agent_vms N: domain names the agent on 127.0.0.N runs.
agent_vms() { xr_call "${RV_NET:-127.0.0}.$1" "$port" list_vms | xpath '//member[name="name"]/value/string/text()'; }
# agent_runs N VMID: the agent on 127.0.0.N runs that domain.
agent_runs() { grep -q "$2" <<<"$(agent_vms "$1")"; }
# set_fault N LINE: fault-injection rule for the agent on 127.0.0.N ("" clears).
set_fault() { printf '%s\n' "$2" > "$work/a$1/faults"; }
# wait_status VM STATUS: polls show Vm for up to 30 s.
wait_status() {
    local i
    for i in $(seq 1 150); do
        [ "$(vm_field "$1" Status)" = "$2" ] && return 0
        sleep 0.2
    done
    return 1
}
# async CMD: submits a job-creating command in asynchronous mode.
async() { ovm "set CommandMode=Asynchronous; $1"; }
# rv_stop: ovmd exits cleanly (a sanitizer report fails it; its stderr is shown).
rv_stop() {
    if ovmd_stop "$work/m"; then ok "ovmd stops cleanly"; else
        not_ok "ovmd stops cleanly"; grep -m1 -A12 "^Direct leak\|runtime error\|ERROR: AddressSanitizer" "$work/m/ovmd.stderr" | sed 's/^/# /'; fi
}
