#!/usr/bin/env bash
# `./demo.sh --libvirt` (tools/demo-libvirt.sh --once): two libvirt hosts,
# two real guests started and one live-migrated through ovmsh, then
# everything it started is gone. TAP; skipped where the libvirt tier is.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/libvirt.sh"
lv_skip_unless_available
lv_agent_skip_unless_driver
work=$(mktemp -d "$LV_TMP/lvd.XXXXXX")
chmod 755 "$work" # QEMU (uid LV_UID) opens the disks in the demo's state
trap 'rm -rf "$work" "$LV_REGISTRY"' EXIT
out=$(timeout 300 "$top_srcdir/tools/demo-libvirt.sh" --once --state-dir "$work/s" --build-dir "$top_builddir" 2>&1 </dev/null)
rc=$?
check "the demo runs to its banner (exit 0)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || printf '# %s\n' "$out" | tail -20
check "both VMs start" grep -q "tiny1's console" <<<"$out"
check "tiny1's console shows the guest ticking" grep -q '^    tick [0-9]' <<<"$out"
check "tiny1 live-migrates and keeps ticking" grep -q 'tiny1 keeps ticking on ovs0[23]: tick [0-9]' <<<"$out"
check "the banner names the engine socket" grep -q "ovmsh -S $work/s/m/engine.sock" <<<"$out"
dirs=$(sed -n "s/.*virsh -c 'qemu+unix:[^=]*=\(.*\)\/run\/libvirt\/libvirt-sock' list$/\1/p" <<<"$out")
check "the banner names both libvirt hosts" test "$(wc -w <<<"$dirs")" -eq 2
check "no QEMU of the demo is left" eval '! ps -eo args | grep -v grep | grep -q "qemu.*$work/s"'
check "the demo's libvirt hosts are gone" eval 'test -z "$(ls -d $dirs 2>/dev/null)"'
tap_done
