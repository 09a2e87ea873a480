#!/usr/bin/env bash
# The demo command of README.md: installs the missing Debian packages, builds
# in build/, and runs `ovmd --demo` — the engine, the SSH server on port 10000
# and four simulated Oracle VM Servers on 127.0.0.2-5 with a pool, a repository
# and a few VMs. Options are passed to ovmd (e.g. --listen 127.0.0.1:10022).
# The admin password is $OVMD_DEMO_PASSWORD when set, else generated and
# printed. Everything is kept in build/demo (or --state-dir DIR). Ctrl-C stops.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 1
. "$here/tools/deps.sh"
install_deps || exit 1
# m4/ holds no macros of ours, but aclocal warns when it is missing.
[ -x configure ] || { mkdir -p m4 && autoreconf -fi; } || exit 1
mkdir -p build && (cd build && { [ -f Makefile ] || ../configure -q; } && make -j"$(nproc)") || exit 1
# Real QEMU guests on two session libvirt hosts instead of simulated ones.
[ "${1:-}" = --libvirt ] && shift && exec "$here/tools/demo-libvirt.sh" "$@"
state=build/demo
for arg in "$@"; do [ "$arg" = --state-dir ] && state=; done
exec build/ovmd --demo ${state:+--state-dir "$state"} "$@"
