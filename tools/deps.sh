# The Debian packages ovmsh needs to build, test and run its demo, and the
# function that installs the missing ones (used by test.sh and demo.sh, the
# two commands of README.md). Source it; it defines `deps` and `install_deps`.
deps=(build-essential autoconf automake pkg-config libssh-dev libreadline-dev
      libsqlite3-dev libcurl4-openssl-dev libyaml-dev libxml2-dev libcmocka-dev
      libmicrohttpd-dev libgnutls28-dev libssl-dev libcrypt-dev clang expect openssh-client
      openssh-server sshpass tmux sqlite3 curl libvirt-clients iproute2
      libxml2-utils)
# The agent's libvirt driver (libvirt-dev) and the real QEMU guests its tests run.
deps+=(libvirt-dev libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils)
# The SSH flood and throttle tests drive connections from python3 and count
# processes with pgrep (procps).
deps+=(python3 procps)
# Test only: the FTP server of tests/e2e/imports.sh (importVirtualCdrom over ftp://),
# and openssl, which makes the certificates of its HTTPS servers.
deps+=(python3-pyftpdlib openssl)
# The .deb packages (debian/, tests/e2e/packaging.sh): dpkg-buildpackage,
# debhelper and fakeroot build them, lintian checks them; systemd gives the
# units' folder (systemd.pc, a build dependency) and `systemd-analyze verify`.
deps+=(dpkg-dev debhelper fakeroot lintian systemd)
# SAN storage arrays: the agent discovers and reads iSCSI LUNs through libiscsi
# (libiscsi-dev); tests/e2e/san-iscsi.sh runs a real target (tgt's tgtd and
# tgtadm) and checks it with libiscsi's iscsi-ls and iscsi-inq (libiscsi-bin).
deps+=(libiscsi-dev tgt libiscsi-bin)
# Server power: the engine speaks IPMI 2.0 to servers' BMCs through FreeIPMI's
# libfreeipmi (libfreeipmi-dev); tests/e2e/server-power.sh runs one OpenIPMI
# ipmi_sim (openipmi) per simulated host as its BMC.
deps+=(libfreeipmi-dev openipmi)
# Server updates: the agent inflates a YUM repository's primary.xml.gz with zlib
# (zlib1g-dev).
deps+=(zlib1g-dev)
# The agent verifies a GPG-signed update repository with gpgv; tests/e2e/server-updates.sh
# makes the key and signature with gpg (gnupg).
deps+=(gpgv gnupg)
# The seccomp filter of the SSH connection processes (shell/sshd/ssh_privsep.c).
deps+=(libseccomp-dev)

install_deps() {
    local missing=() p
    for p in "${deps[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "need root or sudo to install packages" >&2; return 1; }
        sudo=(sudo -n)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q &&
        "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}
