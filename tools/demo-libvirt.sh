#!/usr/bin/env bash
# `./demo.sh --libvirt`: ovmsh driving real QEMU guests. Starts two libvirt
# "hosts" (session-mode libvirtd as uid 65534, each in its own temporary
# directory), an ovm-agentd --driver libvirt for each on 127.0.0.2 and
# 127.0.0.3, and ovmd; then, through ovmsh, discovers them, makes a pool and
# a repository, two small VMs whose disks hold a boot-sector guest
# (tests/guest/boot.S, assembled here), starts them (console output in the
# agents' logs and the VMs' console files) and live-migrates one with
# `migrate Vm`. It then waits for Ctrl-C (or exits at once with --once) and
# removes everything it started.
#
#   tools/demo-libvirt.sh [--once] [--state-dir DIR] [--build-dir DIR]
#
# State (agents, repository, engine) goes to a new directory under /tmp,
# removed at the end, unless --state-dir names one (kept).
# Needs root, an ovm-agentd built with the libvirt driver, libvirtd,
# qemu-system-x86_64, qemu-img, as and ld. All traffic stays on loopback.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
once= state= build=$here/build
while [ $# -gt 0 ]; do
    case $1 in
    --once) once=1 ;;
    --state-dir) state=${2:?--state-dir needs a directory}; shift ;;
    --build-dir) build=${2:?--build-dir needs a directory}; shift ;;
    *) echo "usage: $0 [--once] [--state-dir DIR] [--build-dir DIR]" >&2; exit 2 ;;
    esac
    shift
done
build=$(cd "$build" 2>/dev/null && pwd) || { echo "demo --libvirt: no build directory (run ./demo.sh --libvirt)" >&2; exit 1; }
export top_srcdir=$here top_builddir=$build
. "$here/tests/lib/agent.sh"
. "$here/tests/lib/ovmd.sh"
. "$here/tests/lib/fleet.sh"
. "$here/tests/lib/libvirt.sh"
lv_skip() { lv_cleanup; echo "demo --libvirt: $*" >&2; exit 1; }
lv_skip_unless_available
lv_agent_skip_unless_driver

say() { printf '[demo] %s\n' "$*"; }
die() { printf '[demo] FAILED: %s\n' "$*" >&2; exit 1; }
# QEMU runs as uid $LV_UID and opens the disks in the state directory, so
# it must be reachable by that uid: a fresh directory under /tmp unless
# --state-dir names one (a checkout under /root, for example, is not).
if [ -n "$state" ]; then
    [ -e "$state/m/ovmd.pid" ] && die "$state is in use by another demo (remove it if not)"
    rm -rf "$state" && mkdir -p "$state" || die "cannot create $state"
    work=$(cd "$state" && pwd)
else
    work=$(mktemp -d "$LV_TMP/ovm-demo-libvirt.XXXXXX") || die "cannot create a state directory"
fi
chmod 755 "$work"
lv_as_user / test -x "$work" || die "uid $LV_UID cannot reach $work; give a --state-dir it can reach"
cleanup() {
    say "stopping: ovmd, agents, guests, libvirt hosts"
    ovmd_stop "$work/m" >/dev/null 2>&1
    agent_stop "$work/a2" >/dev/null 2>&1
    agent_stop "$work/a3" >/dev/null 2>&1
    lv_cleanup
    [ -n "$state" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# ovm_say CMDS: runs them through ovmsh, shows the shell's own output.
ovm_say() {
    ovm "$1"
    printf '%s\n' "$out" | grep -v '^\(Command\|Status\|Time\|JobId\|Data\): *' | grep . | sed 's/^/    /'
    [ "$rc" -eq 0 ] && ! grep -q 'Error Msg' <<<"$out" || die "$1"
}
nfs=$work/nfs
mkdir -p "$nfs/127.0.0.1/repo1"
port=$(free_port) || die "no free port"
say "starting two libvirt hosts (session libvirtd as uid $LV_UID)"
H2=$(lv_host_up ovs02) || die "libvirtd for ovs02"
H3=$(lv_host_up ovs03) || die "libvirtd for ovs03"
say "starting ovm-agentd --driver libvirt on 127.0.0.2:$port and 127.0.0.3:$port"
export LV_SHUTDOWN_TIMEOUT=5
lv_agent_start "$work/a2" 127.0.0.2 "$port" "$H2" --nfs-root "$nfs" --hostname ovs02 || die "agent ovs02 (see $work/a2.log)"
lv_agent_start "$work/a3" 127.0.0.3 "$port" "$H3" --nfs-root "$nfs" --hostname ovs03 || die "agent ovs03 (see $work/a3.log)"
ovmd_start "$work/m" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 5' "$port")" || die "ovmd (see $work/m/ovmd.stderr)"
lv_boot_image "$work/boot.img" || die "assembling tests/guest/boot.S"

say "discovering the hosts, pool1, repo1"
fleet_n=2
ovm_say "discoverServer ipAddress=127.0.0.2 password=$AGENT_PASSWORD; discoverServer ipAddress=127.0.0.3 password=$AGENT_PASSWORD; create ServerPool name=pool1 clusterEnable=No; add Server name=ovs02 to ServerPool name=pool1; add Server name=ovs03 to ServerPool name=pool1; create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs02; refresh FileServer name=nfs1; create Repository name=repo1 on FileSystem name=nfs:/repo1; add ServerPool name=pool1 to Repository name=repo1"
for v in tiny1 tiny2; do
    say "VM $v: a 64 MiB guest with a boot-sector OS on its disk"
    ovm_say "create VirtualDisk name=$v-boot size=1 sparse=Yes shareable=No on Repository name=repo1; create Vm name=$v repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=64 cpuCount=1 on ServerPool name=pool1; create VmDiskMapping slot=0 virtualDisk=$v-boot emulatedBlockDevice=No on Vm name=$v"
    ovm "show VirtualDisk name=$v-boot"
    lv_install_boot "$work/boot.img" "$nfs/127.0.0.1/repo1/VirtualDisks/$(field Id)" || die "installing the guest of $v"
done
say "starting both VMs"
ovm_say "start Vm name=tiny1; start Vm name=tiny2"
ovm "show Vm name=tiny1"
id1=$(field Id) from=$(sed -n 's/^  Server = .*\[\(.*\)\]$/\1/p' <<<"$out")
to=$([ "$from" = ovs02 ] && echo ovs03 || echo ovs02)
console=$(find "$nfs/127.0.0.1/repo1/VirtualMachines/$id1" -type f ! -name vm.cfg | head -1)
lv_wait_serial "$console" 'tick 2' 20 || die "tiny1 printed no ticks on its console ($console)"
say "tiny1's console ($console):"
tr -d '\r' < "$console" | tail -3 | sed 's/^/    /'
say "live-migrating tiny1 from $from to $to"
ovm_say "migrate Vm name=tiny1 destServer=$to; list Vm"
for h in "ovs02 $H2" "ovs03 $H3"; do
    say "virsh on ${h%% *}: $(lv_virsh "${h#* }" list --name | tr '\n' ' ')"
done
lv_wait_serial "$console" "tick $(($(lv_last_tick "$console") + 1))" 10 || die "tiny1 stopped ticking after the migration"
say "tiny1 keeps ticking on $to: $(tr -d '\r' < "$console" | tail -1)"

cat <<EOF

ovmsh demo with real QEMU guests is running (state in $work).
  engine:      $build/ovmsh -S $work/m/engine.sock      e.g. "list Vm", "migrate Vm name=tiny1 destServer=$from"
  libvirt:     virsh -c '$H2' list
               virsh -c '$H3' list
  agent logs:  $work/a2.log  $work/a3.log
  consoles:    $nfs/127.0.0.1/repo1/VirtualMachines/*/
Ctrl-C stops everything.
EOF
[ -n "$once" ] && exit 0
while kill -0 "$(cat "$work/m/ovmd.pid" 2>/dev/null)" 2>/dev/null; do sleep 1; done
