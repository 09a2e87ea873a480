#!/usr/bin/env bash
# Demo: installs the build dependencies (via test.sh's list), builds in build/,
# starts ovmd and three simulated Oracle VM Servers (ovm-agentd) on
# 127.0.0.2-4, and prints how to connect with ovmsh. Ctrl-C stops everything.
# (Placeholder: the lead engineer will switch this to `ovmd --demo`.)
set -u
exec </dev/null
here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 1

deps=(build-essential autoconf automake pkg-config libssh-dev libreadline-dev
      libsqlite3-dev libcurl4-openssl-dev libyaml-dev libxml2-dev libcmocka-dev
      libmicrohttpd-dev libssl-dev libcrypt-dev curl)
missing=()
for p in "${deps[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=(); [ "$(id -u)" -ne 0 ] && sudo=(sudo -n)
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -q &&
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "${missing[@]}" || exit 1
fi
[ -x configure ] || autoreconf -fi || exit 1
mkdir -p build && (cd build && { [ -f Makefile ] || ../configure -q; } && make -j"$(nproc)") || exit 1

state=${OVM_DEMO_DIR:-$here/build/demo}
port=${OVM_DEMO_AGENT_PORT:-8899}
mkdir -p "$state/nfs/nfs1/export/repo1"
export top_builddir=$here/build
. "$here/tests/lib/agent.sh"
. "$here/tests/lib/ovmd.sh"
agents=(127.0.0.2 127.0.0.3 127.0.0.4)
cleanup() {
    local ip
    for ip in "${agents[@]}"; do agent_stop "$state/agent-$ip"; done
    ovmd_stop "$state/engine"
}
trap cleanup EXIT
trap 'exit 0' INT TERM
for ip in "${agents[@]}"; do
    agent_start "$state/agent-$ip" "$ip" "$port" --nfs-root "$state/nfs" ||
        { echo "agent $ip did not start (see $state/agent-$ip.log)" >&2; exit 1; }
done
ovmd_start "$state/engine" "$(printf 'agent:\n  port: %s\n' "$port")" ||
    { echo "ovmd did not start (see $state/engine/ovmd.log)" >&2; exit 1; }
cat <<MSG
ovmd is running; simulated servers on ${agents[*]} (agent password: $AGENT_PASSWORD),
NFS export nfs1:/export/repo1. Connect with:

  build/ovmsh -S $state/engine/engine.sock

then e.g.  discoverServer ipAddress=127.0.0.2 password=$AGENT_PASSWORD
Press Ctrl-C here to stop the demo.
MSG
while kill -0 "$(cat "$state/engine/ovmd.pid")" 2>/dev/null; do sleep 1; done
