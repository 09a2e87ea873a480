# Test BMCs: one OpenIPMI ipmi_sim (Debian openipmi) per simulated host, IPMI
# 2.0 over LAN on a loopback address, whose chassis control powers the host's
# ovm-agentd off and on (tests/lib/ipmi-chassis.sh). Source after
# tests/lib/agent.sh. Every wait is bounded.

IPMI_SIM_BIN=${IPMI_SIM_BIN:-ipmi_sim}

# ipmi_missing: why BMCs cannot be simulated here, or nothing.
ipmi_missing() {
    command -v "$IPMI_SIM_BIN" >/dev/null 2>&1 || echo "ipmi_sim (Debian package openipmi) is not installed"
}

# ipmi_udp_bound IP PORT: something listens on UDP IP:PORT.
ipmi_udp_bound() { ss -Huln "src $1 and sport = :$2" 2>/dev/null | grep -q .; }

# ipmi_bmc_start BMCDIR IP PORT USER PASSWORD AGENTDIR AGENTIP AGENTPORT [agent options]:
# writes AGENTDIR.poweron (the agent's command line, as agent_start runs it,
# after removing the domains a powered-off host no longer runs)
# and starts ipmi_sim for it on UDP IP:PORT with one ADMIN user; pid in
# BMCDIR/pid. Waits up to 10 s for the UDP port.
ipmi_bmc_start() {
    local bmc=$1 ip=$2 bport=$3 user=$4 pw=$5 adir=$6 aip=$7 aport=$8 i
    shift 8
    mkdir -p "$bmc/state" || return 1
    {
        printf 'echo $$ > %q\n' "$adir.pid"
        # a host that boots runs no domain: what ran before power off is gone
        printf 'rm -rf %q\n' "$adir/domains"
        printf 'exec %q --foreground --listen %q --port %q --state-dir %q --password-file %q --log-file %q' \
            "$(cd "$(dirname "$AGENT_BIN")" && pwd)/$(basename "$AGENT_BIN")" "$aip" "$aport" "$adir" \
            "$adir.password" "$adir.log"
        printf ' %q' "$@"
        printf '\n'
    } > "$adir.poweron"
    cat > "$bmc/lan.conf" <<CONF
name "bmc"
set_working_mc 0x20
  startlan 1
    addr $ip $bport
    priv_limit admin
    allowed_auths_callback md5
    allowed_auths_user md5
    allowed_auths_operator md5
    allowed_auths_admin md5
    guid a123456789abcdefa123456789abcdef
  endlan
  chassis_control "/bin/sh $top_srcdir/tests/lib/ipmi-chassis.sh $adir"
  user 2 true "$user" "$pw" admin 10 md5
CONF
    printf 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nmc_enable 0x20\n' \
        > "$bmc/bmc.emu"
    "$IPMI_SIM_BIN" -c "$bmc/lan.conf" -f "$bmc/bmc.emu" -s "$bmc/state" -n -p > "$bmc/log" 2>&1 &
    echo $! > "$bmc/pid"
    for i in $(seq 1 100); do
        ipmi_udp_bound "$ip" "$bport" && return 0
        kill -0 "$(cat "$bmc/pid")" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# ipmi_bmc_stop BMCDIR: stops its ipmi_sim (a BMC that no longer answers).
ipmi_bmc_stop() {
    local pid i
    pid=$(cat "$1/pid" 2>/dev/null) || return 0
    rm -f "$1/pid"
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    return 0
}

# ipmi_agent_alive AGENTDIR: the simulated host is powered on.
ipmi_agent_alive() {
    local pid
    pid=$(cat "$1.pid" 2>/dev/null) && [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] &&
        ! grep -q '^[0-9]* (.*) Z' "/proc/$pid/stat"
}

# ipmi_require: a TAP SKIP with the reason, and exit, when BMCs cannot be
# simulated here.
ipmi_require() {
    local why
    why=$(ipmi_missing)
    if [ -n "$why" ]; then echo "1..0 # SKIP $why"; exit 0; fi
    command -v ss >/dev/null 2>&1 || { echo "1..0 # SKIP ss (iproute2) is not installed"; exit 0; }
}

# ipmi_fleet_cleanup: stops every BMC under $work and the fleet (an EXIT trap;
# tests/lib/fleet.sh).
ipmi_fleet_cleanup() {
    local d
    [ -n "${work:-}" ] || return 0
    for d in "$work"/bmc*; do [ -d "$d" ] && ipmi_bmc_stop "$d"; done
    fleet_down
}
