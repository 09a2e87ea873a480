#!/usr/bin/env bash
# SIGKILL of ovmd at ten chosen points of a scripted workflow (issue 4 item 3,
# ovmd(8) CRASH SAFETY): each step restarts the engine with
# OVMD_CRASH_AT=<point>, runs one command that reaches the point, checks the
# engine died there, restarts it without the variable and checks that no job
# is In Progress, every Failed job says why, the store matches the agents
# (running VMs vs list_vms, repositories vs discover_repository_db, disks vs
# files) and the workflow goes on. Agent-side files that a crash left without
# a store object are adopted by `refresh Repository` (documented choice).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
cleanup() { agent_stop "$work/a4" >/dev/null 2>&1; fleet_down; }
trap cleanup EXIT

check "fleet of two agents and ovmd starts" fleet_up 2
check "fleet setup (discover, pool, repository)" fleet_setup
check "a spare agent for discovery" agent_start "$work/a4" 127.0.0.4 "$port" --nfs-root "$nfs" --hostname ovs04 \
    --memory-mb 16384
m=$work/m
yaml=$(cat "$m/ovmd.yaml")
db() { sqlite3 -readonly "$m/ovmd.db" "$1"; }
repo_dir=$nfs/127.0.0.1/repo1

# crash_at POINT CMD: runs CMD on an engine armed to die at POINT; ok when the
# engine killed itself there (bounded wait) and came back without the variable.
crash_at() {
    local point=$1 cmd=$2 pid i
    ovmd_stop "$m" >/dev/null 2>&1
    OVMD_CRASH_AT=$point ovmd_start "$m" "$yaml" || return 1
    pid=$(cat "$m/ovmd.pid")
    OVM_TIMEOUT=60 ovm "$cmd"
    for i in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        echo "# engine did not reach $point" >&2
        return 1
    fi
    wait "$pid" 2>/dev/null
    rm -f "$m/ovmd.pid"
    grep -q "crash point '$point' reached" "$m/ovmd.log" || return 1
    ovmd_start "$m" "$yaml"
}

no_job_in_progress() { test "$(db "SELECT count(*) FROM jobs WHERE run_state NOT IN ('Completed','Failed','Aborted')")" -eq 0; }
failed_jobs_say_why() { test "$(db "SELECT count(*) FROM jobs WHERE run_state='Failed' AND error=''")" -eq 0; }
# Running VMs: the store's and the agents' sets are equal.
running_match() {
    local store agents i
    store=$(db "SELECT o.id FROM objects o JOIN attrs a ON a.obj=o.id WHERE o.type='Vm' AND a.key='status' AND a.value='Running'" | sort)
    agents=$(for i in 2 3; do agent_vms 127.0.0.$i; echo; done | grep . | sort)
    # Each agent lists its Domain-0: otherwise a call failed and the
    # comparison would prove nothing.
    [ "$(grep -c '^Domain-0$' <<<"$agents")" -eq 2 ] || { echo "# list_vms failed: $agents" >&2; return 1; }
    agents=$(grep -v '^Domain-0$' <<<"$agents")
    [ "$store" = "$agents" ] || { echo "# store running: $store / agents: $agents" >&2; return 1; }
}
# Every repository an agent knows is a Repository object.
repos_match() {
    local i id
    for i in 2 3; do
        for id in $(xr_call 127.0.0.$i "$port" discover_repository_db | result_string |
                    xpath '//Repository/@Uuid' | sed 's/ *Uuid="\([^"]*\)"/\1\n/g'); do
            [ "$(db "SELECT count(*) FROM objects WHERE id='$id' AND type='Repository'")" -eq 1 ] ||
                { echo "# repository $id unknown to the store" >&2; return 1; }
        done
    done
}
repo_id() { db "SELECT id FROM objects WHERE type='Repository' AND name='repo1'"; }
# Every VirtualDisk of repo1 has its file, and (after refresh) every file its VirtualDisk.
disks_match() {
    local id f rid
    rid=$(repo_id)
    for id in $(db "SELECT o.id FROM objects o JOIN attrs a ON a.obj=o.id WHERE o.type='VirtualDisk' AND a.key='repository' AND a.value='$rid'"); do
        [ -e "$repo_dir/VirtualDisks/$id" ] || { echo "# VirtualDisk $id has no file" >&2; return 1; }
    done
    for f in $(ls "$repo_dir/VirtualDisks" 2>/dev/null); do
        [ "$(db "SELECT count(*) FROM objects WHERE id='$f' AND type='VirtualDisk'")" -eq 1 ] ||
            { echo "# file $f has no VirtualDisk" >&2; return 1; }
    done
}
# Every VM directory in the repository is a Vm object.
vm_dirs_match() {
    local d
    for d in $(ls "$repo_dir/VirtualMachines" 2>/dev/null); do
        [ "$(db "SELECT count(*) FROM objects WHERE id='$d' AND type='Vm'")" -eq 1 ] ||
            { echo "# VM directory $d has no Vm object" >&2; return 1; }
    done
}
step=0
consistent() {
    local what=$1
    step=$((step + 1))
    check "$what: no job In Progress after the restart" no_job_in_progress
    check "$what: every Failed job says why" failed_jobs_say_why
    check "$what: running VMs match the agents' list_vms" running_match
    check "$what: repositories match discover_repository_db" repos_match
    ovm "refresh Repository name=repo1"
    check "$what: refresh Repository works after the restart" test "$rc" -eq 0
    check "$what: disks match the files (orphans adopted)" disks_match
    check "$what: VM directories match the Vm objects" vm_dirs_match
    ovm "create Tag name=after-crash-$step"
    check "$what: the workflow goes on" test "$rc" -eq 0
}
vm_status() { ovm "show Vm name=$1"; field Status; }
# vm_is NAME STATUS: with the job rows and the agents' view on failure.
vm_is() {
    local s
    s=$(vm_status "$1")
    [ "$s" = "$2" ] && return 0
    echo "# Vm $1 is '$s', expected $2; last jobs:" >&2
    db "SELECT name, run_state, error FROM jobs ORDER BY id DESC LIMIT 3" | sed 's/^/#   /' >&2
    echo "# agents: $(agent_vms 127.0.0.2; agent_vms 127.0.0.3)" >&2
    return 1
}
disk="size=1 sparse=Yes shareable=No on Repository name=repo1"
vm="repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=512 on ServerPool name=pool1"

check "crash at job.queued (create VirtualDisk)" crash_at job.queued "create VirtualDisk name=d1 $disk"
consistent "job.queued"
check "crash at before:storage_plugin_create" crash_at before:storage_plugin_create "create VirtualDisk name=d2 $disk"
consistent "before:storage_plugin_create"
check "crash at after:storage_plugin_create (file made, no object)" \
    crash_at after:storage_plugin_create "create VirtualDisk name=d3 $disk"
consistent "after:storage_plugin_create"
check "crash at job.started (create Vm)" crash_at job.started "create Vm name=v1 $vm"
consistent "job.started"
check "crash at after:create_vm (vm.cfg written, no object)" crash_at after:create_vm "create Vm name=v2 $vm"
# The VM directory the agent wrote before the crash is removed at start-up
# (backend/flows/recover.c): the interrupted create is Failed, so no VM exists.
consistent "after:create_vm"
check "the interrupted create's VM is not in the store" bash -c "! grep -q 'name:v2' <<<\"\$(timeout 30 '$OVMSH_BIN' -S '$m/engine.sock' -c 'list Vm')\""
ovm "create Vm name=web $vm"
check "a VM for the next steps" test "$rc" -eq 0
check "crash at after:start_vm" crash_at after:start_vm "start Vm name=web"
consistent "after:start_vm"
check "the interrupted start counts as done: the agent runs the VM" vm_is web Running
src=$(db "SELECT a.value FROM attrs a JOIN objects o ON o.id=a.obj WHERE o.name='web' AND o.type='Vm' AND a.key='server'")
dst=$(db "SELECT name FROM objects WHERE type='Server' AND id<>'$src' AND name IN ('ovs02','ovs03') LIMIT 1")
check "crash at vm.migrated (VM moved, store not told)" crash_at vm.migrated "migrate Vm name=web destServer=$dst"
consistent "vm.migrated"
check "crash at job.ran (stop Vm)" crash_at job.ran "stop Vm name=web"
consistent "job.ran"
check "the VM is Stopped as on the agents" vm_is web Stopped
check "crash at job.child.done (between children of an unpresent)" \
    crash_at job.child.done "remove ServerPool name=pool1 from Repository name=repo1"
consistent "job.child.done"
ovm "add ServerPool name=pool1 to Repository name=repo1"
check "the repository can be presented again" test "$rc" -eq 0
check "crash at discover.owned (agent owned, store not told)" \
    crash_at discover.owned "discoverServer ipAddress=127.0.0.4 password=$AGENT_PASSWORD"
consistent "discover.owned"
ovm "discoverServer ipAddress=127.0.0.4 password=$AGENT_PASSWORD"
check "discovery of the crashed-on agent succeeds on retry" test "$rc" -eq 0
check "ovmd stops cleanly" ovmd_stop "$m"
tap_done
