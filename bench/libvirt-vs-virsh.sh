#!/bin/bash
# Issue 8's benchmark: start, stop, kill and live-migrate one real TCG guest
# (the boot-sector guest of tests/guest/boot.S) through ovmsh -> ovmd ->
# ovm-agentd --driver libvirt, next to virsh doing the same to the same
# guest (the domain document the agent generated) on the same two session
# libvirtd hosts, in the same run.
#
#   bench/libvirt-vs-virsh.sh [-r ROUNDS] [-b BUILDDIR]
#
# Defaults: 5 rounds, BUILDDIR = $top_builddir or the current directory (it
# needs ovmd, ovmsh and an ovm-agentd built with the libvirt driver). Needs
# root (session daemons run as uid 65534), libvirtd, virsh, qemu-system-x86_64,
# qemu-img, as, ld. Everything stays on loopback and unix sockets; the
# temporary directories are removed at the end. Not part of make check.
set -u

rounds=5
builddir=${top_builddir:-.}
while getopts "r:b:" opt; do
    case $opt in
    r) rounds=$OPTARG ;; b) builddir=$OPTARG ;;
    *) sed -n '7p' "$0" >&2; exit 2 ;;
    esac
done
[ "$rounds" -ge 1 ] 2>/dev/null || { echo "libvirt-vs-virsh: -r must be a positive number" >&2; exit 2; }

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "$builddir" && pwd)
export top_srcdir=$srcdir top_builddir=$builddir
for b in ovmd ovmsh ovm-agentd; do
    [ -x "$builddir/$b" ] || { echo "libvirt-vs-virsh: $builddir/$b missing (run make)" >&2; exit 2; }
done
. "$srcdir/tests/lib/agent.sh"
. "$srcdir/tests/lib/ovmd.sh"
. "$srcdir/tests/lib/fleet.sh"
. "$srcdir/tests/lib/libvirt.sh"
# The harness's skip helpers speak TAP; here a missing part is an error.
lv_skip() { lv_cleanup; echo "libvirt-vs-virsh: $*" >&2; exit 2; }
lv_skip_unless_available
lv_agent_skip_unless_driver

work=
cleanup() {
    if [ -n "$work" ]; then
        ovmd_stop "$work/m" >/dev/null 2>&1
        agent_stop "$work/a2" >/dev/null 2>&1
        agent_stop "$work/a3" >/dev/null 2>&1
    fi
    lv_cleanup
    [ -n "$work" ] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }
now_ms() { date +%s%3N; }
median() { sort -g "$1" | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print "nan"}'; }
# timed KEY CMD...: runs CMD, appends its wall time (ms) to $work/KEY.
timed() {
    local key=$1 t0 rc
    shift
    t0=$(now_ms)
    "$@"
    rc=$?
    echo $(($(now_ms) - t0)) >> "$work/$key"
    return "$rc"
}
# ovm_ok CMDS: ovmsh succeeds with no failure in its output.
ovm_ok() {
    ovm "$1"
    [ "$rc" -eq 0 ] && ! grep -q 'Status: Failure\|Error Msg' <<<"$out" || die "ovmsh: $1: $(grep 'Error Msg' <<<"$out")"
}
virsh_ok() { lv_virsh "$@" >/dev/null || die "virsh $*"; }
# wait_gone URI: until the guest has left that host (destroy returns first).
wait_gone() { lv_wait_state "$1" "$vm" absent 30 || die "$vm still on $1"; }

work=$(mktemp -d "$LV_TMP/lvb.XXXXXX")
chmod 755 "$work"
port=$(free_port)
nfs=$work/nfs
mkdir -p "$nfs/127.0.0.1/repo1"
say "two session libvirtd hosts, two agents, ovmd"
A=$(lv_host_up ovs02) || die "libvirtd ovs02"
B=$(lv_host_up ovs03) || die "libvirtd ovs03"
# A zero graceful-stop wait: the boot sector ignores ACPI, so stop Vm is an
# ACPI request followed by destroy, as virsh shutdown + virsh destroy.
export LV_SHUTDOWN_TIMEOUT=0
lv_agent_start "$work/a2" 127.0.0.2 "$port" "$A" --nfs-root "$nfs" --hostname ovs02 || die "agent ovs02"
lv_agent_start "$work/a3" 127.0.0.3 "$port" "$B" --nfs-root "$nfs" --hostname ovs03 || die "agent ovs03"
ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")" || die "ovmd"
fleet_n=2
fleet_setup || die "discovery, pool, repository"
ovm_ok "create VirtualDisk name=bd size=1 sparse=Yes shareable=No on Repository name=repo1; create Vm name=bvm repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=64 cpuCount=1 on ServerPool name=pool1; create VmDiskMapping slot=0 virtualDisk=bd emulatedBlockDevice=No on Vm name=bvm"
ovm "show VirtualDisk name=bd"
lv_boot_image "$work/boot.img" && lv_install_boot "$work/boot.img" "$nfs/127.0.0.1/repo1/VirtualDisks/$(field Id)" ||
    die "installing the boot-sector guest"
ovm "show Vm name=bvm"
vm=$(field Id)

# The same domain for virsh: the document the agent gives libvirt.
ovm_ok "edit Server name=ovs03 inboundMigrationLocked=Yes; start Vm name=bvm; edit Server name=ovs03 inboundMigrationLocked=No"
lv_virsh "$A" dumpxml --migratable "$vm" > "$work/bvm.xml" || die "dumpxml"
ovm_ok "kill Vm name=bvm"
wait_gone "$A"

say "$rounds rounds: ovmsh start/migrate/stop/kill, virsh create/migrate/shutdown+destroy/destroy"
for r in $(seq 1 "$rounds"); do
    ovm_ok "edit Server name=ovs03 inboundMigrationLocked=Yes"
    timed o.start ovm_ok "start Vm name=bvm"
    ovm_ok "edit Server name=ovs03 inboundMigrationLocked=No"
    lv_running_on "$A" "$vm" || die "bvm is not running on ovs02"
    timed o.migrate ovm_ok "migrate Vm name=bvm destServer=ovs03"
    lv_running_on "$B" "$vm" || die "bvm did not move to ovs03"
    timed o.stop ovm_ok "stop Vm name=bvm"
    wait_gone "$B"
    ovm_ok "start Vm name=bvm"
    timed o.kill ovm_ok "kill Vm name=bvm"
    wait_gone "$A"; wait_gone "$B"

    timed v.start virsh_ok "$A" create "$work/bvm.xml"
    timed v.migrate virsh_ok "$A" migrate --live --p2p --unsafe "$vm" "$B" --migrateuri tcp://127.0.0.1
    lv_running_on "$B" "$vm" || die "virsh migrate did not move $vm"
    timed v.stop eval 'virsh_ok "$B" shutdown "$vm" && virsh_ok "$B" destroy "$vm"'
    wait_gone "$B"
    virsh_ok "$A" create "$work/bvm.xml"
    timed v.kill virsh_ok "$A" destroy "$vm"
    wait_gone "$A"
done

printf '\nreal TCG guest (64 MiB, boot sector), %s rounds, medians in ms\n' "$rounds"
printf '%-34s %8s %8s %7s %s\n' operation ovmsh virsh ratio target
row() {
    local o v
    o=$(median "$work/o.$1") v=$(median "$work/v.$1")
    printf '%-34s %8s %8s %7s %s\n' "$2" "$o" "$v" "$(awk -v o="$o" -v v="$v" 'BEGIN {printf "%.2f", v ? o / v : 0}')" "<= 1.20"
}
row start "start Vm / virsh create"
row migrate "migrate Vm / virsh migrate --p2p"
row stop "stop Vm / virsh shutdown+destroy"
row kill "kill Vm / virsh destroy"
