#!/usr/bin/env bash
# Self-test of tests/lib/libvirt.sh: two session libvirtd hosts come up, a
# transient guest built from tests/guest/boot.S boots on A ("BOOT OK" on its
# serial file), live-migrates to B with plain virsh and keeps ticking there,
# and everything (guests, daemons, directories) is gone afterwards. The
# driver-independent baseline the agent's libvirt tests build on.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/libvirt.sh"

lv_skip_unless_available
work=
cleanup() {
    lv_cleanup
    [ -n "$work" ] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

work=$(mktemp -d "$LV_TMP/lvh.XXXXXX")
chmod 755 "$work"
A=$(lv_host_up A) || lv_skip "session libvirtd A did not start"
B=$(lv_host_up B) || lv_skip "session libvirtd B did not start"
ok "two session libvirtd hosts answer"
dA=$(lv_host_dir "$A")
dB=$(lv_host_dir "$B")
check "the hosts have different host UUIDs" \
    test "$(lv_virsh "$A" capabilities | xpath 'string(//host/uuid)')" != \
    "$(lv_virsh "$B" capabilities | xpath 'string(//host/uuid)')"

check "boot.S assembles into a 512-byte boot sector" lv_boot_image "$work/boot.img"
lv_guest_disk "$work/boot.img" "$work/g1.qcow2"
chown "$LV_UID:$LV_UID" "$work"
name=lvh-g1
lv_guest_xml "$name" "$work/g1.qcow2" "$work/g1.A.serial" > "$work/g1.xml"
lv_guest_xml "$name" "$work/g1.qcow2" "$work/g1.B.serial" > "$work/g1.B.xml"
check "virsh create starts a transient guest on A" lv_virsh "$A" create "$work/g1.xml"
check "the guest prints BOOT OK" lv_wait_serial "$work/g1.A.serial" 'BOOT OK' 20
check "and ticks" lv_wait_serial "$work/g1.A.serial" 'tick [0-9]' 10
check "it runs on A only" eval 'lv_running_on "$A" $name && ! lv_running_on "$B" $name'

out=$(lv_virsh "$A" migrate --live --p2p --unsafe "$name" "$B" --migrateuri tcp://127.0.0.1 \
    --xml "$work/g1.B.xml" 2>&1)
check "virsh migrate --live --p2p --unsafe A -> B succeeds${out:+ ($out)}" test $? -eq 0
check "the guest runs on B" lv_running_on "$B" $name
check "and is gone from A (transient)" lv_wait_state "$A" $name absent 10
before=$(lv_last_tick "$work/g1.A.serial")
check "it keeps ticking on B after tick $before" lv_wait_serial "$work/g1.B.serial" "tick $((before + 1))" 10
check "its serial on B does not restart at BOOT OK" eval '! grep -aq "BOOT OK" "$work/g1.B.serial"'

qpid=$(cat "$dB/run/libvirt/qemu/run/$name.pid" 2>/dev/null)
lpidA=$(lv_daemon_pid "$A")
lpidB=$(lv_daemon_pid "$B")
check "B's QEMU and both daemons are processes" eval 'kill -0 $qpid && kill -0 $lpidA && kill -0 $lpidB'
lv_host_down "$B"
lv_host_down "$A"
# Stopped: gone, or a zombie that whoever is PID 1 has not reaped yet (the
# daemons are daemonised; lv_pid_alive).
check "lv_host_down stops QEMU and both daemons" eval '! lv_pid_alive $qpid && ! lv_pid_alive $lpidA && ! lv_pid_alive $lpidB'
check "and removes their directories" eval '[ ! -e "$dA" ] && [ ! -e "$dB" ]'
check "the capability cache is kept for later hosts" test -s "$LV_CAPS"
tap_done
