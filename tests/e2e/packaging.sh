#!/usr/bin/env bash
# The Debian packages (issue 10 item 8): a fresh copy of the tree (tracked
# and new files, no build products) builds with `dpkg-buildpackage -us -uc
# -b`; the .debs hold the programs, man pages, units, completions and the
# conffile; lintian finds no error; and the daemons start from the unpacked
# packages as an unprivileged user (nobody when the test runs as root) the
# way their units start them: the unit's ExecStart with the state folder
# moved to a temporary one. ovmd answers `list Vm` over SSH and through the
# packaged ovmsh, and discovers the packaged agent.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"

skip_all() { echo "1..0 # SKIP $*"; exit 0; }  # the TAP driver reports 77 as an error
grep -q -- '-fsanitize' "$top_builddir/config.status" 2>/dev/null &&
    skip_all "sanitizer build: the packages are a plain build, tested by the plain build's check"
# The copy is what a clone holds: only a checkout's top level can say which
# files that is (make distcheck's release tree sits inside the checkout).
toplevel=$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)
[ -n "$toplevel" ] && [ "$toplevel" = "$(cd "$top_srcdir" && pwd -P)" ] ||
    skip_all "not a git checkout (a release tree): the package build copies the repository's files"
for tool in dpkg-buildpackage dpkg-deb dpkg-checkbuilddeps dh fakeroot setpriv sshpass ssh curl; do
    command -v "$tool" >/dev/null 2>&1 || skip_all "$tool not installed (tools/deps.sh)"
done
(cd "$top_srcdir" && dpkg-checkbuilddeps) >/dev/null 2>&1 ||
    skip_all "unmet build dependencies: $(cd "$top_srcdir" && dpkg-checkbuilddeps 2>&1 | tr '\n' ' ')"

work=$(mktemp -d /tmp/ovm-pkg.XXXXXX)
chmod 755 "$work"   # the daemons run as another user below it
src=$work/ovmsh
root=$work/root
apid= opid=
stop() {  # stop PID: SIGTERM, up to 10 s, then SIGKILL; returns the exit status
    local i
    kill -TERM "$1" 2>/dev/null || return 0
    for i in $(seq 1 100); do
        kill -0 "$1" 2>/dev/null || { wait "$1"; return; }
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1"
    return 137
}
cleanup() {
    [ -n "$opid" ] && stop "$opid"
    [ -n "$apid" ] && stop "$apid"
    rm -rf "$work"
}
trap cleanup EXIT

# As the units do: an unprivileged user, no new privileges. Not root, the
# test's own user is unprivileged already.
# setpriv execs the daemon, so that $! is the daemon's pid.
if [ "$(id -u)" -eq 0 ]; then
    as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs --)
    run_user=nobody
else
    as_user=(setpriv --no-new-privs --)
    run_user=$(id -un)
fi

mkdir -p "$src"
(cd "$top_srcdir" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -C "$src" -xf -
check "the copy has debian/ and no build" bash -c "test -x '$src/debian/rules' && ! test -e '$src/build'"
# The build may take minutes on a loaded machine; none of make check's
# variables reach it.
(cd "$src" && exec timeout 900 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
    DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1
rc=$?
check "dpkg-buildpackage -us -uc -b builds (status $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || { tail -40 "$work/build.log" | sed 's/^/# /'; tap_done; exit; }
ovmd_deb=$(ls "$work"/ovmd_*.deb) && agent_deb=$(ls "$work"/ovm-agentd_*.deb)
check "two packages: ovmd and ovm-agentd" test -f "$ovmd_deb" -a -f "$agent_deb"

# has DEB PATH...: every path is in the package.
has() {
    local deb=$1 list p; shift
    list=$(dpkg-deb -c "$deb" | awk '{ print $6 }') || return 1
    for p in "$@"; do
        grep -qx "\./$p" <<<"$list" || { echo "# missing in ${deb##*/}: $p"; return 1; }
    done
}
check "ovmd holds the engine, the client, their man pages, completions, unit and users" \
    has "$ovmd_deb" usr/sbin/ovmd usr/bin/ovmsh usr/share/man/man8/ovmd.8.gz usr/share/man/man5/ovmd.yaml.5.gz \
    usr/share/man/man7/ovm-cli.7.gz usr/share/man/man1/ovmsh.1.gz usr/share/bash-completion/completions/ovmsh \
    usr/share/bash-completion/completions/ovmd lib/systemd/system/ovmd.service usr/lib/sysusers.d/ovmd.conf \
    etc/ovmd/ovmd.yaml
check "ovm-agentd holds the agent, its man page, completion, unit and user" \
    has "$agent_deb" usr/bin/ovm-agentd usr/share/man/man8/ovm-agentd.8.gz \
    usr/share/bash-completion/completions/ovm-agentd lib/systemd/system/ovm-agentd.service \
    usr/lib/sysusers.d/ovm-agentd.conf etc/default/ovm-agentd
check "/etc/ovmd/ovmd.yaml is a conffile" grep -qx /etc/ovmd/ovmd.yaml <(dpkg-deb -I "$ovmd_deb" conffiles)
check "/etc/default/ovm-agentd is a conffile" grep -qx /etc/default/ovm-agentd <(dpkg-deb -I "$agent_deb" conffiles)
# postinst_adds DEB USER: the package's postinst runs adduser --system USER.
postinst_adds() {
    dpkg-deb -I "$1" postinst | sed -e ':a' -e '/\\$/{N;s/\\\n//;ta}' | grep -q "adduser --system.* $2\$"
}
check "ovmd's postinst creates the user ovmd" postinst_adds "$ovmd_deb" ovmd
check "ovm-agentd's postinst creates the user ovm-agent" postinst_adds "$agent_deb" ovm-agent

if command -v lintian >/dev/null 2>&1; then
    (cd "$work" && timeout 300 lintian --fail-on error --tag-display-limit 0 ./*.changes) > "$work/lintian.out" 2>&1
    rc=$?
    check "lintian finds no error (status $rc)" test "$rc" -eq 0
    grep -E '^[EWI]: ' "$work/lintian.out" | sed 's/^/# lintian: /'
else
    ok "# SKIP lintian not installed"
fi

for deb in "$ovmd_deb" "$agent_deb"; do dpkg-deb -x "$deb" "$root"; done
units=$root/lib/systemd/system
# unit_key UNIT KEY: the values of KEY, one a line.
unit_key() { sed -n "s/^$2=//p" "$units/$1"; }
for u in ovmd.service:ovmd ovm-agentd.service:ovm-agent; do
    unit=${u%%:*} user=${u#*:}
    check "$unit runs as $user" test "$(unit_key "$unit" User)" = "$user"
    for k in ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes CapabilityBoundingSet= \
             StateDirectory="${unit%.service}" SystemCallFilter=@system-service; do
        check "$unit has $k" grep -qx "$k" "$units/$unit"
    done
done
# systemd-analyze verify needs the programs at the paths ExecStart names:
# verify copies whose paths point into the unpacked root.
if command -v systemd-analyze >/dev/null 2>&1; then
    mkdir -p "$work/verify"
    for unit in ovmd.service ovm-agentd.service; do
        sed "s|^ExecStart=/|ExecStart=$root/|" "$units/$unit" > "$work/verify/$unit"
    done
    (cd "$work/verify" && timeout 60 systemd-analyze verify --man=no ./ovmd.service ./ovm-agentd.service) \
        > "$work/verify.out" 2>&1
    rc=$?
    check "systemd-analyze verify accepts the units, silently" test "$rc" -eq 0 -a ! -s "$work/verify.out"
    sed 's/^/# /' "$work/verify.out"
else
    ok "# SKIP systemd-analyze not installed"
fi

# exec_start UNIT FROM TO...: the unit's ExecStart with every FROM replaced
# by its TO, its program taken from the unpacked root, one word a line.
exec_start() {
    local unit=$1 cmd; shift
    cmd=$(unit_key "$unit" ExecStart)
    while [ $# -ge 2 ]; do cmd=${cmd//"$1"/"$2"}; shift 2; done
    printf '%s\n' "$root$cmd" | tr ' ' '\n' | grep -v '^$'
}

# The agent: its state folder as StateDirectory= and the postinst make it.
aport=$(free_port) && sport=$(free_port)
astate=$work/agent-state
install -d -m 700 "$astate" && printf '%s\n' "$AGENT_PASSWORD" > "$astate/password" && chmod 600 "$astate/password"
[ "$(id -u)" -eq 0 ] && chown -R nobody:nogroup "$astate"
mapfile -t acmd < <(exec_start ovm-agentd.service /var/lib/ovm-agentd "$astate" \
    '$OVM_AGENTD_OPTS' "--listen 127.0.0.2 --port $aport")
"${as_user[@]}" "${acmd[@]}" > "$work/agent.out" 2>&1 &
apid=$!
for _ in $(seq 1 100); do
    xr_call 127.0.0.2 "$aport" get_api_version 2>/dev/null | grep -q '<int>3</int>\|<i4>3</i4>' && break
    kill -0 "$apid" 2>/dev/null || break
    sleep 0.2
done
out=$(xr_call 127.0.0.2 "$aport" get_api_version 2>&1)
check "the packaged agent answers get_api_version" grep -q '<int>3</int>\|<i4>3</i4>' <<<"$out"
check "the agent runs as $run_user" test "$(ps -o user= -p "$apid" 2>/dev/null)" = "$run_user"

# The engine: the packaged ovmd.yaml with its folders moved, SSH on loopback,
# a password for admin and the agent's port.
ostate=$work/ovmd-state run=$work/run
install -d -m 700 "$ostate" && install -d -m 750 "$run"
[ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$ostate" "$run"
pw=pkg-Test-pw1
hash=$(printf '%s\n' "$pw" | "$root/usr/sbin/ovmd" --hash-password)
sed -e "s|/var/lib/ovmd|$ostate|g" -e "s|/run/ovmd|$run|g" -e "s|^  port: 10000|  port: $sport\n  listen: 127.0.0.1|" \
    "$root/etc/ovmd/ovmd.yaml" > "$work/ovmd.yaml"
printf 'auth:\n  users:\n    admin: "%s"\nagent:\n  port: %s\nmonitor:\n  poll_interval: 0\n' "$hash" "$aport" \
    >> "$work/ovmd.yaml"
chmod 644 "$work/ovmd.yaml"
conf=$("$root/usr/sbin/ovmd" -f "$root/etc/ovmd/ovmd.yaml" --print-config 2>&1)
check "the packaged ovmd.yaml is valid" test $? -eq 0
check "the packaged ovmd.yaml puts the socket where ovmsh looks" grep -qx 'socket /run/ovmd/engine.sock' <<<"$conf"
mapfile -t ocmd < <(exec_start ovmd.service /etc/ovmd/ovmd.yaml "$work/ovmd.yaml")
"${as_user[@]}" "${ocmd[@]}" > "$work/ovmd.out" 2>&1 &
opid=$!
for _ in $(seq 1 150); do
    [ -S "$run/engine.sock" ] && grep -q "listening on 127.0.0.1 port $sport" "$work/ovmd.out" && break
    kill -0 "$opid" 2>/dev/null || break
    sleep 0.2
done
check "ovmd runs as $run_user" test "$(ps -o user= -p "$opid" 2>/dev/null)" = "$run_user"
sshc() {
    timeout 60 sshpass -p "$pw" ssh -F /dev/null -p "$sport" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o PubkeyAuthentication=no admin@127.0.0.1 "$1" 2>&1 |
        tr -d '\r'
}
out=$(sshc "list Vm")
check "list Vm over SSH: Status: Success" grep -q '^Status: Success' <<<"$out"
out=$("${as_user[@]}" timeout 60 "$root/usr/bin/ovmsh" -S "$run/engine.sock" -c "list Vm" 2>&1)
check "list Vm with the packaged ovmsh: Status: Success" grep -q '^Status: Success' <<<"$out"
out=$(sshc "discoverServer ipAddress=127.0.0.2 password=$AGENT_PASSWORD; list Server")
check "ovmd discovers the packaged agent" grep -q '^Status: Success' <<<"$out"
check "the server is listed" grep -q 'name:ovs-127-0-0-2' <<<"$out"
[ "$tap_failed" -eq 0 ] || { printf '%s\n' "$out" | sed 's/^/# /'; tail -20 "$work/ovmd.out" | sed 's/^/# ovmd: /'; }
check "the store belongs to $run_user" test "$(stat -c %U "$ostate/ovmd.db")" = "$run_user"
stop "$opid"; rc=$?; opid=
check "SIGTERM stops ovmd with status 0" test "$rc" -eq 0
stop "$apid"; rc=$?; apid=
check "SIGTERM stops the agent with status 0" test "$rc" -eq 0
logs=$(grep -hE '\[[0-9]+\] (warning|error): ' "$work/ovmd.out" "$work/agent.out")
check "neither daemon logged a warning or an error" test -z "$logs"
[ -n "$logs" ] && printf '# %s\n' "$logs" | head -20
tap_done
