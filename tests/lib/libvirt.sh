# Shell helpers for tests that run real QEMU guests (TCG) under libvirt.
#
# Each "host" is a session-mode libvirtd run as an unprivileged uid (root
# cannot use session mode) in its own short temporary directory, with its own
# host_uuid (libvirt refuses to migrate to "the same host") and
# stdio_handler = "file" (no virtlogd to outlive the test). The QEMU
# capability probe (about 5 s) is done once and its cache copied into every
# later host (0.3 s). Source after setting top_srcdir/top_builddir (make
# check exports them). Every wait is bounded. Needs root (setpriv).
#
#   lv_skip_unless_available       SKIP with a reason if something is missing
#   uri=$(lv_host_up NAME)         start a host, print its URI
#   lv_host_dir URI                the host's directory
#   lv_host_down URI|DIR           destroy its guests, stop it, remove its dir
#   lv_cleanup                     lv_host_down every host started here (traps)
#   lv_virsh URI ARGS...           virsh against a host, bounded
#   lv_boot_image OUT              assemble tests/guest/boot.S into OUT
#   lv_guest_disk BASE OUT         a qcow2 overlay of BASE, owned by LV_UID
#   lv_guest_xml NAME DISK SERIAL  a minimal TCG domain document
#   lv_wait_serial FILE REGEX SECS wait until the serial file matches
#   lv_running_on URI NAME         true if NAME is running on that host

LV_UID=${LV_UID:-65534}
LV_TMP=${LV_TMP:-/tmp}  # short: unix socket paths are limited to 108 bytes
LV_TIMEOUT=${LV_TIMEOUT:-30}
# The capability cache of one build tree, shared by every test of the run.
LV_CAPS=${LV_CAPS:-${top_builddir:-.}/tests/libvirt-caps.tar}
LV_CAPS_DIR=home/.cache/libvirt/qemu/cache  # in a host's directory
LV_REGISTRY=${LV_REGISTRY:-$(mktemp "$LV_TMP/lvreg.XXXXXX")}
export LV_REGISTRY

# lv_skip REASON: a skipped TAP test. Under this project's TAP driver a
# plan of "1..0 # SKIP" is what counts as skipped; exit 77 would be reported
# as an ERROR (tap-driver.sh treats any non-zero exit as one).
lv_skip() {
    lv_cleanup # hosts started before the skip, and the registry
    echo "1..0 # SKIP $*"
    exit 0
}

lv_qemu_driver_present() {
    local f
    for f in /usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so \
        /usr/lib*/libvirt/connection-driver/libvirt_driver_qemu.so; do
        [ -e "$f" ] && return 0
    done
    return 1
}

# lv_skip_unless_available: SKIP naming what this machine lacks.
lv_skip_unless_available() {
    local c missing=
    for c in libvirtd virsh qemu-system-x86_64 qemu-img setpriv as ld timeout; do
        command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
    done
    [ -z "$missing" ] || lv_skip "missing:$missing (tools/deps.sh installs them)"
    lv_qemu_driver_present || lv_skip "libvirt's QEMU driver is not installed (libvirt-daemon-driver-qemu)"
    [ "$(id -u)" -eq 0 ] || lv_skip "needs root to run session libvirtd as uid $LV_UID"
}

lv_virsh() {
    local uri=$1
    shift
    timeout "$LV_TIMEOUT" virsh -q -c "$uri" "$@"
}

lv_host_uri() { printf 'qemu+unix:///session?socket=%s/run/libvirt/libvirt-sock' "$1"; }
# lv_host_dir URI|DIR: the directory of a host.
lv_host_dir() {
    case $1 in
    qemu+unix://*) local d=${1#*socket=} && printf '%s' "${d%/run/libvirt/libvirt-sock}" ;;
    *) printf '%s' "$1" ;;
    esac
}

# lv_as_user DIR CMD...: CMD as the host's uid with its HOME and runtime dir.
lv_as_user() {
    local d=$1
    shift
    setpriv --reuid="$LV_UID" --regid="$LV_UID" --clear-groups env -i \
        PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$d/home" XDG_RUNTIME_DIR="$d/run" LANG=C "$@"
}

# lv_port_block: a block number (0-199, cycling) that no other host started
# through this file on this machine holds at the same time. libvirt's port
# allocator belongs to one daemon and QEMU binds the port only later, so two
# hosts of tests run in parallel (make -j check) could both pick the same
# free VNC or migration port, and one guest then failed to start ("Failed to
# find an available port: Address already in use", CI distcheck). Each host
# gets its own ranges instead.
lv_port_block() {
    local f=$LV_TMP/ovm-lv-ports
    (
        flock -w 30 9 || exit 1
        n=$(cat "$f.next" 2>/dev/null)
        case $n in '' | *[!0-9]*) n=0 ;; esac
        n=$((n % 200))
        echo $(((n + 1) % 200)) > "$f.next"
        echo "$n"
    ) 9> "$f.lock"
}

lv_write_config() {
    local d=$1 name=$2 uuid b
    uuid=$(cat /proc/sys/kernel/random/uuid) || return 1
    b=$(lv_port_block) || return 1
    mkdir -p "$d/home/.config/libvirt" "$d/$LV_CAPS_DIR" "$d/run" || return 1
    chmod 700 "$d/run"
    printf 'host_uuid = "%s"\nlog_outputs = "3:file:%s/libvirtd.log"\n' "$uuid" "$d" \
        > "$d/home/.config/libvirt/libvirtd.conf" || return 1
    printf 'stdio_handler = "file"\nremote_display_port_min = %d\nremote_display_port_max = %d\nmigration_port_min = %d\nmigration_port_max = %d\n' \
        $((5900 + 16 * b)) $((5915 + 16 * b)) $((49152 + 8 * b)) $((49159 + 8 * b)) \
        > "$d/home/.config/libvirt/qemu.conf" || return 1
    printf '%s\n' "$name" > "$d/name"
}

# lv_caps_save DIR: keeps the first host's probe for the hosts after it
# (atomically: parallel tests may both probe).
lv_caps_save() {
    local d=$1 tmp
    [ -s "$LV_CAPS" ] && return 0
    [ -d "$d/$LV_CAPS_DIR/capabilities" ] || return 0
    mkdir -p "$(dirname "$LV_CAPS")" && tmp=$(mktemp "$LV_CAPS.XXXXXX") || return 0
    if tar -C "$d/$LV_CAPS_DIR" -cf "$tmp" capabilities 2>/dev/null; then
        mv -f "$tmp" "$LV_CAPS"
    else
        rm -f "$tmp"
    fi
}

# lv_wait_ready DIR: up to LV_TIMEOUT s until the daemon answers.
lv_wait_ready() {
    local d=$1 uri i
    uri=$(lv_host_uri "$d")
    for i in $(seq 1 $((LV_TIMEOUT * 5))); do
        timeout 10 virsh -q -c "$uri" version >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "# libvirtd in $d did not answer within ${LV_TIMEOUT}s" >&2
    tail -5 "$d/libvirtd.log" 2>/dev/null | sed 's/^/# /' >&2
    return 1
}

# lv_host_up NAME: starts a session libvirtd "host" and prints its URI.
lv_host_up() {
    local name=${1:-host} d
    d=$(mktemp -d "$LV_TMP/lv.XXXXXX") || return 1
    echo "$d" >> "$LV_REGISTRY"
    lv_write_config "$d" "$name" || return 1
    [ -s "$LV_CAPS" ] && tar -C "$d/$LV_CAPS_DIR" -xf "$LV_CAPS" 2>/dev/null
    chmod 755 "$d"
    chown -R "$LV_UID:$LV_UID" "$d" || return 1
    lv_as_user "$d" libvirtd --daemon || return 1
    lv_wait_ready "$d" || return 1
    lv_caps_save "$d"
    lv_host_uri "$d"
}

# A zombie is not alive: a daemonised libvirtd is reaped by whoever is PID 1.
lv_pid_alive() {
    [ -n "$1" ] && kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

# lv_kill_pid PID: TERM, up to 10 s, then KILL and wait (up to 5 s) until it
# is gone, so that a daemon started next never meets the old one (its pid
# file lock, its socket) on a loaded machine.
lv_kill_pid() {
    local pid=$1 i
    lv_pid_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 50); do
        lv_pid_alive "$pid" || return 0
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null
    for i in $(seq 1 25); do
        lv_pid_alive "$pid" || return 0
        sleep 0.2
    done
    return 0
}

# lv_host_down URI|DIR: destroys the host's guests (QEMU outlives libvirtd
# by design), stops libvirtd, removes the directory. Safe to call twice.
lv_host_down() {
    local d uri n f
    d=$(lv_host_dir "$1")
    [ -d "$d" ] || return 0
    uri=$(lv_host_uri "$d")
    if lv_pid_alive "$(cat "$d/run/libvirt/libvirtd.pid" 2>/dev/null)"; then
        for n in $(timeout 10 virsh -q -c "$uri" list --all --name 2>/dev/null); do
            timeout 10 virsh -q -c "$uri" destroy "$n" >/dev/null 2>&1
            timeout 10 virsh -q -c "$uri" undefine "$n" >/dev/null 2>&1
        done
    fi
    for f in "$d"/run/libvirt/qemu/run/*.pid; do
        [ -e "$f" ] && lv_kill_pid "$(cat "$f" 2>/dev/null)"
    done
    lv_kill_pid "$(cat "$d/run/libvirt/libvirtd.pid" 2>/dev/null)"
    rm -rf "$d"
}

# lv_cleanup: every host this test (or its subshells) started.
lv_cleanup() {
    local d
    [ -f "$LV_REGISTRY" ] || return 0
    while read -r d; do lv_host_down "$d"; done < "$LV_REGISTRY"
    rm -f "$LV_REGISTRY"
}

# lv_daemon_pid URI|DIR: libvirtd's pid.
lv_daemon_pid() { cat "$(lv_host_dir "$1")/run/libvirt/libvirtd.pid" 2>/dev/null; }

# lv_boot_image OUT: the boot-sector guest (512 bytes) assembled from source.
lv_boot_image() {
    local out=$1 obj
    obj=$(mktemp "$LV_TMP/lvboot.XXXXXX") || return 1
    as --32 -o "$obj" "${top_srcdir:-.}/tests/guest/boot.S" &&
        ld -m elf_i386 -Ttext 0x7c00 --oformat binary -o "$out" "$obj"
    local rc=$?
    rm -f "$obj"
    [ "$rc" -eq 0 ] && [ "$(stat -c %s "$out")" -eq 512 ]
}

# lv_guest_disk BASE OUT: a qcow2 overlay of the raw image BASE that QEMU
# (running as LV_UID) can write.
lv_guest_disk() {
    qemu-img create -q -f qcow2 -F raw -b "$1" "$2" 1M && chown "$LV_UID:$LV_UID" "$2"
}

# lv_uuid_of NAME: a UUID fixed by NAME (a migrated guest keeps its UUID).
lv_uuid_of() {
    md5sum <<<"$1" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\).*/\1-\2-\3-\4-\5/'
}

# lv_guest_xml NAME DISK SERIAL: a 32 MiB TCG domain booting DISK, COM1 to
# the file SERIAL.
lv_guest_xml() {
    cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <uuid>$(lv_uuid_of "$1")</uuid>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <controller type='usb' model='none'/>
    <serial type='file'><source path='$3' append='on'/><target port='0'/></serial>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

# lv_wait_serial FILE REGEX SECS: true once FILE has a line matching REGEX.
lv_wait_serial() {
    local i
    for i in $(seq 1 $(($3 * 5))); do
        grep -aEq "$2" "$1" 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

# lv_last_tick FILE: the last "tick N" number in a serial file (0 if none).
lv_last_tick() {
    local n
    n=$(tr -d '\r' < "$1" 2>/dev/null | sed -n 's/^.*tick \([0-9][0-9]*\)$/\1/p' | tail -1)
    echo "${n:-0}"
}

# lv_domstate URI NAME: "running", "shut off", ... (empty if unknown).
lv_domstate() { lv_virsh "$1" domstate "$2" 2>/dev/null | head -1; }
lv_running_on() { [ "$(lv_domstate "$1" "$2")" = running ]; }

# lv_wait_state URI NAME STATE SECS: until the domain is in STATE ("absent"
# for no such domain).
lv_wait_state() {
    local i s
    for i in $(seq 1 $(($4 * 5))); do
        s=$(lv_domstate "$1" "$2")
        [ "${s:-absent}" = "$3" ] && return 0
        sleep 0.2
    done
    return 1
}

# lv_agent_skip_unless_driver: SKIP unless this ovm-agentd has the libvirt
# driver built in (configure found libvirt-dev).
lv_agent_skip_unless_driver() {
    local help
    help=$("${AGENT_BIN:-${top_builddir:-.}/ovm-agentd}" --help 2>&1)
    grep -q -- '--libvirt-uri' <<<"$help" || lv_skip "ovm-agentd has no libvirt driver (--libvirt-uri unknown)"
    grep -q 'libvirt' <<<"$(sed -n '/--driver/p' <<<"$help")" ||
        lv_skip "ovm-agentd lists no libvirt driver"
}

# lv_agent_start DIR IP PORT URI [options]: an ovm-agentd (tests/lib/agent.sh)
# driving the libvirt host URI: disks and console files owned by the daemon's
# uid, live migration with local disks allowed, a short graceful-stop wait
# (the boot-sector guest ignores ACPI).
lv_agent_start() {
    local dir=$1 ip=$2 port=$3 uri=$4
    shift 4
    agent_start "$dir" "$ip" "$port" --driver libvirt --libvirt-uri "$uri" --libvirt-migrate-uri "$uri" \
        --libvirt-migrate-unsafe --libvirt-image-owner "$LV_UID:$LV_UID" \
        --libvirt-shutdown-timeout "${LV_SHUTDOWN_TIMEOUT:-2}" "$@"
}

# lv_disk_of URI NAME: the source files of a domain's disks, one a line.
lv_disks_of() { lv_virsh "$1" domblklist --details "$2" 2>/dev/null | awk '$2 == "disk" { print $4 }'; }

# lv_where URIS... -- NAME: the indexes (1-based) of the hosts running NAME.
lv_where() {
    local i=0 u hosts=() name
    while [ "$1" != -- ]; do hosts+=("$1"); shift; done
    name=$2
    for u in "${hosts[@]}"; do
        i=$((i + 1))
        lv_running_on "$u" "$name" && printf '%s ' "$i"
    done
    echo
}

# lv_install_boot IMG DISK: writes the boot sector IMG at the start of the
# raw or qcow2 image DISK (an "installed OS"), keeping its size and owner.
lv_install_boot() {
    local img=$1 disk=$2 fmt tmp rc
    fmt=$(qemu-img info --output=json "$disk" 2>/dev/null | sed -n 's/^ *"format": "\([a-z0-9]*\)".*/\1/p' | head -1)
    case $fmt in
    raw) dd if="$img" of="$disk" conv=notrunc status=none ;;
    qcow2)
        tmp=$(mktemp "$LV_TMP/lvraw.XXXXXX") || return 1
        qemu-img convert -O raw "$disk" "$tmp" && dd if="$img" of="$tmp" conv=notrunc status=none &&
            qemu-img convert -n -O qcow2 "$tmp" "$disk"
        rc=$?
        rm -f "$tmp"
        return "$rc"
        ;;
    *) echo "# lv_install_boot: $disk has unknown format '$fmt'" >&2 && return 1 ;;
    esac
}
