# Helpers for the HA tests: a fleet of N agents with the monitor on (short
# heartbeat, offline and HA delays so the waits stay short), a clustered pool
# cpool on FileSystem nfs:/poolfs and repository repo1. Source after
# tests/lib/{agent,ovmd,fleet}.sh. Every wait is bounded.

HA_YAML=$'monitor:\n  poll_interval: 1\n  offline_after: 4\n  ha_delay: 2'

# ha_up N: N agents, the engine restarted with the monitor settings above.
ha_up() {
    fleet_up "$1" || return 1
    mkdir -p "$nfs/127.0.0.1/poolfs"
    ovmd_stop "$work/m" || return 1
    ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\n%s' "$port" "$HA_YAML")"
}

# ha_setup: discovery, cpool (clustered) with every server, nfs1, repo1.
ha_setup() {
    local i cmds="create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs02; refresh FileServer name=nfs1"
    cmds="$cmds; create ServerPool name=cpool clusterEnable=Yes fileSystem=nfs:/poolfs clusterTimeout=30"
    for i in $(seq 2 $((fleet_n + 1))); do
        cmds="discoverServer ipAddress=$FLEET_NET.$i password=$AGENT_PASSWORD; $cmds"
    done
    ovm "$cmds" && [ "$rc" -eq 0 ] || return 1
    for i in $(seq 2 $((fleet_n + 1))); do
        ovm "add Server name=ovs0$i to ServerPool name=cpool" && [ "$rc" -eq 0 ] || return 1
    done
    ovm "create Repository name=repo1 on FileSystem name=nfs:/repo1; add ServerPool name=cpool to Repository name=repo1"
    [ "$rc" -eq 0 ]
}

# ha_vm NAME HA PRIO: a VM with one disk in cpool.
ha_vm() {
    ovm "create VirtualDisk name=$1-d size=1 sparse=Yes shareable=No on Repository name=repo1; create Vm name=$1 repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=1024 highAvailability=$2 cpuPriority=$3 on ServerPool name=cpool; create VmDiskMapping slot=0 virtualDisk=$1-d emulatedBlockDevice=No on Vm name=$1"
    [ "$rc" -eq 0 ]
}

# wait_for SECONDS CMD...: retries CMD every 0.5 s until it succeeds.
wait_for() {
    local end=$((SECONDS + $1)); shift
    until "$@"; do
        [ "$SECONDS" -ge "$end" ] && return 1
        sleep 0.5
    done
}

# vm_field VM LABEL: a field of show Vm.
vm_field() { ovm "show Vm name=$1"; field "$2"; }
vm_is() { [ "$(vm_field "$1" Status)" = "$2" ]; }
server_is() { ovm "show Server name=$1"; [ "$(field Status)" = "$2" ]; }
# vm_host VM: the ovs0N name of the server the VM is on ("" if none).
vm_host() { vm_field "$1" Server | sed -n 's/.*\[\(.*\)\]$/\1/p'; }
vm_id() { vm_field "$1" Id; }
# runs_on IP VM: the agent at IP runs VM's domain.
runs_on() { agent_vms "$1" | grep -qx "$(vm_id "$2")"; }
# ev_count ID TYPE ACK: number of TYPE events of object ID with acknowledged=ACK (0|1).
ev_count() { sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM events WHERE target='$1' AND type='$2' AND acknowledged=$3"; }
