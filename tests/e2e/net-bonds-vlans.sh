#!/usr/bin/env bash
# Bonds, VLAN interfaces, MTUs and IP configuration (doc/object-model.md §3,
# N-4, N-12, N-13, N-15..N-18; issue 12 item 1): create/edit/delete BondPort on
# a Server, add/remove Port to/from BondPort, create/delete VlanInterface on a
# Port or BondPort, add/remove BondPort|VlanInterface to/from Network,
# embeddedCreate/Edit/Delete of the IP address configuration, edit Port mtu.
# Every change is checked on the simulated host itself (discover_network read
# with xr_call), and so are the host's own refusals; a bond member that
# disappears (the sim_nic_remove test hook) fails the next bond job readably
# with a NETWORK_CONFIG_FAILED event while the server keeps running. Network
# roles: a live migration goes to the destination's address on its
# LIVE_MIGRATE network (a relay standing for that interface counts it). TAP;
# agents on 127.0.67.x; bounded waits.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/e2e/rules-vm-lib.sh"
command -v xmllint >/dev/null || { echo "1..0 # SKIP xmllint missing"; exit 0; }
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 missing (the migration relay)"; exit 0; }

RV_NET=127.0.67
rv_setup netbond 2
A=$RV_NET.2
P1='"eth1 on ovs02"' P2='"eth2 on ovs02"' P3='"eth3 on ovs02"'
# host: the agent's discover_network document.
host() { xr_call $A "$port" discover_network | result_string; }
# dev NAME ELEMENT: one element of a device in that document.
dev() { host | xmllint --xpath "string(//Active/Network/Device[@Name='$1']/$2)" - 2>/dev/null; }
# failed DESCRIPTION CMD TEXT: CMD's job fails and Error Msg contains TEXT.
failed() {
    ovm "$2"
    if grep -qx 'Status: Failure' <<<"$out" && grep -q '^JobId:' <<<"$out" && grep -qF "$3" <<<"$out"; then
        ok "$1"
    else
        not_ok "$1"; grep '^Error Msg:\|^Status:' <<<"$out" | sed 's/^/#   got:  /'
    fi
}
ovm "show Server name=ovs02"; sid=$(idof)
events() { ovm "getEvents objType=Server objId=$sid acknowledged=Yes"; grep -c 'NETWORK_CONFIG_FAILED\|name:Error' <<<"$out"; }

ovm "list Port"
check "discovery records the server's four ports" test "$(grep -c 'name:eth[0-3] on ovs02' <<<"$out")" -eq 4

# ---- BondPort ----
step "create BondPort with two ports" \
    "create BondPort ethernetPorts=\"eth1 on ovs02,eth2 on ovs02\" mode=ACTIVE_PASSIVE mtu=1500 name=b1 description=uplink on Server name=ovs02"
ovm "show BondPort name=b1"
check "show: the next free device bond1" test "$(field 'Interface Name')" = bond1
check "show: the mode as Oracle labels it" test "$(field Mode)" = "Active Passive"
check "show: both ports" eval 'grep -q "Ethernet Port 1 = .*\[eth1 on ovs02\]" <<<"$out" && grep -q "Ethernet Port 2 = .*\[eth2 on ovs02\]" <<<"$out"'
check "the host has bond1 with eth1 and eth2" test "$(dev bond1 Slaves)" = "eth1 eth2"
check "the host runs it in mode 1 (active-backup)" test "$(dev bond1 Bonding_Mode)" = 1
check "the host's eth2 names bond1 as master" test "$(dev eth2 Master)" = bond1
ovm "show Port name=$P1"
check "show Port names its bond" eval 'grep -q "Bond Port = .*\[b1\]" <<<"$out"'

refused "N-4 a port in two bonds" "create BondPort ethernetPorts=\"eth2 on ovs02,eth3 on ovs02\" mode=LOAD_BALANCED name=b2 on Server name=ovs02" \
    "Port eth2 is already part of BondPort b1"
r=$(xr_call $A "$port" ovs_bond_create "$(xs bond7)" "$(xs balance-alb)" "$(xa "$(xs eth2)")" "$(xi 1500)")
check "the host itself refuses to enslave eth2 twice" eval 'fault_string <<<"$r" | grep -q "eth2 is already enslaved to bond1"'
r=$(xr_call $A "$port" ovs_bond_create "$(xs bond7)" "$(xs balance-alb)" "$(xa "$(xs eth0)")" "$(xi 1500)")
check "and eth0, the installer's bond0 member" eval 'fault_string <<<"$r" | grep -q "eth0 is already enslaved to bond0"'
refused "a bond needs a known mode" "create BondPort ethernetPorts=$P3 mode=ROUND_ROBIN name=b2 on Server name=ovs02" \
    "Invalid value 'ROUND_ROBIN' for mode; expected one of: ACTIVE_PASSIVE, LINK_AGGREGATION, LOAD_BALANCED"
ovm "create BondPort ethernetPorts=$P3 mode=ACTIVE_PASSIVE mtu=70000 name=b2 on Server name=ovs02"
check "an MTU above Oracle's 64000 is refused by the grammar" eval 'grep -qx "Status: Failure" <<<"$out" && ! grep -q JobId <<<"$out"'

failed "N-13 an MTU the NICs cannot take fails the job with the host's reason" "edit BondPort name=b1 mtu=9500" \
    "Error Msg: Job failed on Server ovs02: exceptions.ValueError:eth1 cannot take MTU 9500 (68..9000)"
check "an ERROR NETWORK_CONFIG_FAILED event on the server, acknowledged after rediscovery" test "$(events)" -ge 1
ovm "show BondPort name=b1"
check "the bond keeps its MTU" test "$(field MTU)" = 1500
step "edit BondPort mode and jumbo MTU" "edit BondPort name=b1 mode=LINK_AGGREGATION mtu=9000"
check "the host runs bond1 in mode 4 (802.3ad)" test "$(dev bond1 Bonding_Mode)" = 4
check "with MTU 9000" test "$(dev bond1 MTU)" = 9000
ovm "show BondPort name=b1"
check "show: the new mode and MTU" eval '[ "$(field Mode)" = "Link Aggregation" ] && [ "$(field MTU)" = 9000 ]'
r=$(xr_call $A "$port" ovs_bond_edit "$(xs bond1)" "$(xs balance-alb)" "$(xi 0)")
check "the host changes bond1's mode behind the Manager's back" is_nil_result <<<"$r"
step "refresh Server" "refresh Server name=ovs02"
ovm "show BondPort name=b1"
check "refresh reads the host's mode back" test "$(field Mode)" = "Load Balanced"
step "edit BondPort mode back, with the Linux name LACP" "edit BondPort name=b1 mode=LACP"
ovm "show BondPort name=b1"
check "LACP is LINK_AGGREGATION" test "$(field Mode)" = "Link Aggregation"
check "the agent stops" agent_stop "$work/a2"
check "and starts again on its state" agent_start "$work/a2" "$A" "$port" --nfs-root "$nfs" --hostname ovs02
check "bond1 survives the restart with its members, mode and MTU" \
    eval '[ "$(dev bond1 Slaves)" = "eth1 eth2" ] && [ "$(dev bond1 Bonding_Mode)" = 4 ] && [ "$(dev bond1 MTU)" = 9000 ]'

step "add Port to BondPort" "add Port name=$P3 to BondPort name=b1"
check "the host has eth3 in bond1" test "$(dev bond1 Slaves)" = "eth1 eth2 eth3"
step "remove Port from BondPort" "remove Port name=$P3 from BondPort name=b1"
check "eth3 left bond1 on the host" test "$(dev bond1 Slaves)" = "eth1 eth2"
refused "a port outside the bond cannot be removed from it" "remove Port name=$P3 from BondPort name=b1" \
    "Port eth3 is not part of BondPort b1"
refused "a bonded port takes no network" "create Network name=n0; add Port name=$P1 to Network name=n0" \
    "Port eth1 is part of BondPort b1; it can only be removed from the bond"
refused "a bonded port's MTU is the bond's" "edit Port name=$P1 mtu=9000" \
    "Port eth1 is part of BondPort b1; set the MTU of the bond"

# ---- VlanInterface ----
step "create VlanInterface on the BondPort" "create VlanInterface vlanId=20 name=v20 on BondPort name=b1"
ovm "show VlanInterface name=v20"
check "show: device bond1.20 and vlanId 20" eval '[ "$(field "Interface Name")" = bond1.20 ] && [ "$(field "Vlan Id")" = 20 ]'
check "the host has bond1.20 on bond1" eval '[ "$(dev bond1.20 Parent)" = bond1 ] && [ "$(dev bond1.20 VLAN_Id)" = 20 ]'
refused "N-16 a vlanId twice on one bond" "create VlanInterface vlanId=20 name=v20b on BondPort name=b1" \
    "BondPort b1 already has VlanInterface v20 with vlanId 20"
ovm "create VlanInterface vlanId=4095 name=vbad on Port name=$P3"
check "vlanId 4095 is refused" eval 'grep -qx "Status: Failure" <<<"$out" && grep -q "vlanId" <<<"$out"'
ovm "create VlanInterface vlanId=0 name=vbad on Port name=$P3"
check "vlanId 0 is refused" eval 'grep -qx "Status: Failure" <<<"$out" && grep -q "vlanId" <<<"$out"'
r=$(xr_call $A "$port" ovs_vlan_config "$(xs add)" "$(xs eth3)" "$(xi 5000)")
check "the host itself refuses VLAN 5000" eval 'fault_string <<<"$r" | grep -q "VLAN id 5000 out of range 1..4094"'
step "create VlanInterface with an MTU on a Port" "create VlanInterface vlanId=30 mtu=9000 name=v30 on Port name=$P3"
check "the host has eth3.30 with MTU 9000" eval '[ "$(dev eth3.30 VLAN_Id)" = 30 ] && [ "$(dev eth3.30 MTU)" = 9000 ]'
step "the same vlanId on another port" "create VlanInterface vlanId=20 name=v20c on Port name=$P3"

step "network with the bond and a VLAN interface" \
    "create Network name=vmnet roles=VIRTUAL_MACHINE; add BondPort name=b1 to Network name=vmnet; add VlanInterface name=v30 to Network name=n0"
ovm "show Network name=vmnet"; vmnet=$(idof)
check "show Network lists the bond" eval 'grep -q "Bond Port 1 = .*\[b1\]" <<<"$out"'
check "the host bridges vmnet over bond1" eval 'host | grep -q "<Device Name=\"$vmnet\"><Interfaces><PhyInterface>bond1</PhyInterface>"'
refused "a bond carrying a network is not deleted" "delete BondPort name=b1" \
    "BondPort b1 carries Network vmnet; remove it from the network first"
refused "nor one carrying VLAN interfaces" "remove BondPort name=b1 from Network name=vmnet; delete BondPort name=b1" \
    "Cannot delete BondPort b1: it is in use by VlanInterface v20"
step "remove VlanInterface from Network" "remove VlanInterface name=v30 from Network name=n0"
step "delete VlanInterface" "delete VlanInterface name=v20; delete VlanInterface name=v20c"
check "bond1.20 is gone from the host" test -z "$(dev bond1.20 VLAN_Id)"

# ---- IP configuration ----
step "embeddedCreate a static address on a VLAN interface" \
    "embeddedCreate VlanInterface name=v30 ipAddressConfig ipAddressConfigType=STATIC ipAddress=10.67.30.2 ipNetmask=255.255.255.0"
ovm "show VlanInterface name=v30"
check "show: Oracle's Ip Address Config rows" eval 'grep -qx "  Ip Address Config 1 - Config Type = Static" <<<"$out" && grep -qx "  Ip Address Config 1 - Address = 10.67.30.2" <<<"$out"'
check "the host has the address on eth3.30" eval '[ "$(dev eth3.30 Family/Address)" = 10.67.30.2 ] && [ "$(dev eth3.30 Family/Netmask)" = 255.255.255.0 ]'
refused "embeddedCreate twice" \
    "embeddedCreate VlanInterface name=v30 ipAddressConfig ipAddressConfigType=DYNAMIC" \
    "VlanInterface v30 already has an IP address configuration; use embeddedEdit"
refused "a bad address" "embeddedCreate BondPort name=b1 ipAddressConfig ipAddressConfigType=STATIC ipAddress=10.67.300.2 ipNetmask=255.255.255.0" \
    "Invalid IP address: 10.67.300.2"
refused "a bad netmask" "embeddedCreate BondPort name=b1 ipAddressConfig ipAddressConfigType=STATIC ipAddress=10.67.31.2 ipNetmask=255.0.255.0" \
    "Invalid netmask: 255.0.255.0"
refused "STATIC without a netmask" "embeddedCreate BondPort name=b1 ipAddressConfig ipAddressConfigType=STATIC ipAddress=10.67.31.2" \
    "ipAddressConfigType=STATIC needs ipAddress and ipNetmask"
refused "N-12 an address in use on another interface of the server" \
    "embeddedCreate BondPort name=b1 ipAddressConfig ipAddressConfigType=STATIC ipAddress=10.67.30.2 ipNetmask=255.255.255.0" \
    "IP address 10.67.30.2 is already used by VlanInterface v30 of Server ovs02"
refused "N-12 a second interface in one subnet" \
    "embeddedCreate BondPort name=b1 ipAddressConfig ipAddressConfigType=STATIC ipAddress=10.67.30.9 ipNetmask=255.255.255.0" \
    "Server ovs02 already has an interface in subnet 10.67.30.0"
refused "N-12 the management subnet" \
    "embeddedCreate BondPort name=b1 ipAddressConfig ipAddressConfigType=STATIC ipAddress=127.0.67.50 ipNetmask=255.255.255.0" \
    "Server ovs02 already has an interface in subnet 127.0.67.0"
r=$(xr_call $A "$port" ovs_ip_config "$(xs bond1)" "$(xs static)" "$(xs 10.67.30.2)" "$(xs 255.255.255.0)")
check "the host itself refuses an address it already has" eval 'fault_string <<<"$r" | grep -q "address 10.67.30.2 is already configured on eth3.30"'
step "embeddedCreate DHCP on the bond" "embeddedCreate BondPort name=b1 ipAddressConfig ipAddressConfigType=DYNAMIC"
check "the host runs DHCP on bond1" test "$(dev bond1 Family/Config_Type)" = dhcp
step "embeddedEdit it to a static address" \
    "embeddedEdit BondPort name=b1 ipAddressConfig id=1 ipAddressConfigType=STATIC ipAddress=10.67.31.2 ipNetmask=255.255.255.0"
check "the host has 10.67.31.2 on bond1" test "$(dev bond1 Family/Address)" = 10.67.31.2
ovm "embeddedEdit BondPort name=b1 ipAddressConfig id=2 ipAddressConfigType=DYNAMIC"
check "configuration id 2 does not exist" eval 'grep -qx "Status: Failure" <<<"$out" && ! grep -q JobId <<<"$out"'
step "embeddedDelete" "embeddedDelete BondPort name=b1 ipAddressConfig id=1; embeddedDelete VlanInterface name=v30 ipAddressConfig id=1"
check "bond1 has no address on the host" test -z "$(dev bond1 Family/Config_Type)"
ovm "show BondPort name=b1"
check "show has no Ip Address Config rows" eval '! grep -q "Ip Address Config" <<<"$out"'
refused "embeddedDelete without a configuration" "embeddedDelete Port name=$P3 ipAddressConfig id=1" \
    "Port eth3 on ovs02 has no IP address configuration"

# ---- edit Port mtu ----
step "edit Port mtu" "edit Port name=$P3 mtu=9000"
check "the host has eth3 at MTU 9000" test "$(dev eth3 MTU)" = 9000
failed "an MTU the NIC cannot take" "edit Port name=$P3 mtu=16000" "eth3 cannot take MTU 16000 (68..9000)"
ovm "show Port name=$P3"
check "the port keeps MTU 9000" test "$(field MTU)" = 9000

# ---- a bond member disappears ----
step "a pool with the server" "create ServerPool name=pool1 clusterEnable=No; add Server name=ovs02 to ServerPool name=pool1"
r=$(xr_call $A "$port" sim_nic_remove "$(xs eth2)")
check "eth2 disappears from the host (test hook)" is_nil_result <<<"$r"
check "the host dropped it from bond1" test "$(dev bond1 Slaves)" = eth1
before=$(events)
failed "the next bond job fails readably" "remove Port name=$P2 from BondPort name=b1" \
    "Error Msg: Job failed on Server ovs02: exceptions.RuntimeError:eth2 is not a slave of bond1"
check "with a new NETWORK_CONFIG_FAILED event" test "$(events)" -gt "$before"
ovm "show Port name=$P2"
check "the rediscovery recorded eth2 as DOWN" test "$(field 'Link Status')" = DOWN
check "and out of the bond" test -z "$(field 'Bond Port')"
ovm "show Server name=ovs02"
check "the server keeps running" test "$(field Status)" = Running
step "the bond still works" "edit BondPort name=b1 mtu=1500"
refused "the last port cannot leave the bond" "remove Port name=$P1 from BondPort name=b1" \
    "Port eth1 is the last Port of BondPort b1; delete the BondPort instead"

step "delete BondPort" "delete BondPort name=b1"
check "bond1 is gone from the host" test -z "$(dev bond1 Slaves)"
check "eth1 has no master any more" test -z "$(dev eth1 Master)"
ovm "show Port name=$P1"
check "the port is free again" test -z "$(field 'Bond Port')"
# devices made on the host outside the Manager are discovered (as Oracle VM does)
r=$(xr_call $A "$port" ovs_bond_create "$(xs bond5)" "$(xs 802.3ad)" "$(xa "$(xs eth1)")" "$(xi 1500)")
check "a bond made on the host itself" is_nil_result <<<"$r"
r=$(xr_call $A "$port" ovs_vlan_config "$(xs add)" "$(xs bond5)" "$(xi 7)")
check "and a VLAN interface on it" is_nil_result <<<"$r"
step "refresh Server reads the devices back" "refresh Server name=ovs02"
ovm "show BondPort name=\"bond5 on ovs02\""
check "the host's bond5 is a BondPort with eth1, in mode 4" \
    eval 'grep -q "Ethernet Port 1 = .*\[eth1 on ovs02\]" <<<"$out" && [ "$(field Mode)" = "Link Aggregation" ]'
ovm "show VlanInterface name=\"bond5.7 on ovs02\""
check "its bond5.7 a VlanInterface on it" eval '[ "$(field "Vlan Id")" = 7 ] && grep -q "Port = .*\[bond5 on ovs02\]" <<<"$out"'
step "the Manager deletes them" "delete VlanInterface name=\"bond5.7 on ovs02\"; delete BondPort name=\"bond5 on ovs02\""
check "they are gone from the host" eval '[ -z "$(dev bond5 Slaves)" ] && [ -z "$(dev bond5.7 VLAN_Id)" ]'

# ---- network roles: live migration goes to the LIVE_MIGRATE address ----
# A relay on 127.0.67.13 stands for ovs03's migration interface: it forwards
# to ovs03's agent and counts the connections it carried.
relay_log=$work/relay.log
python3 - "$RV_NET.13" "$port" "$RV_NET.3" "$relay_log" <<'PY' &
import socket, sys, threading
host, port, dest, log = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((host, port)); srv.listen(8); srv.settimeout(300)
def pipe(a, b):
    try:
        while (d := a.recv(65536)):
            b.sendall(d)
    except OSError:
        pass
    finally:
        b.close()
while True:
    try:
        c, _ = srv.accept()
    except OSError:
        break
    open(log, "a").write("connection\n")
    u = socket.create_connection((dest, port), timeout=30)
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
PY
relay_pid=$!
trap 'kill "$relay_pid" 2>/dev/null; rv_cleanup' EXIT
step "ovs03 joins the pool; a running Vm on ovs02" \
    "add Server name=ovs03 to ServerPool name=pool1; create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs02; refresh FileServer name=nfs1; create Repository name=repo1 on FileSystem name=nfs:/repo1; add ServerPool name=pool1 to Repository name=repo1; create Vm name=m1 repository=repo1 domainType=XEN_HVM on ServerPool name=pool1; start Vm name=m1"
ovm "show Vm name=m1"
check "m1 runs on ovs02" eval 'grep -q "Server = .*\[ovs02\]" <<<"$out"'
step "a LIVE_MIGRATE network with ovs03's eth1 at 127.0.67.13" \
    "edit Network name=127.0.67.0 roles=MANAGEMENT,CLUSTER_HEARTBEAT,VIRTUAL_MACHINE; create Network name=migr roles=LIVE_MIGRATE; add Port name=\"eth1 on ovs03\" to Network name=migr; embeddedCreate Port name=\"eth1 on ovs03\" ipAddressConfig ipAddressConfigType=STATIC ipAddress=$RV_NET.13 ipNetmask=255.255.255.252"
for i in $(seq 1 50); do (exec 3<>/dev/tcp/$RV_NET.13/$port) 2>/dev/null && break; sleep 0.1; done
: > "$relay_log"
step "migrate Vm to ovs03" "migrate Vm name=m1 destServer=ovs03"
check "the migration went to ovs03's LIVE_MIGRATE address" test -s "$relay_log"
ovm "show Vm name=m1"
check "m1 runs on ovs03" eval 'grep -q "Server = .*\[ovs03\]" <<<"$out"'
: > "$relay_log"
step "migrate back to ovs02 (no LIVE_MIGRATE address: its agent address)" "migrate Vm name=m1 destServer=ovs02"
check "the relay carried nothing" test ! -s "$relay_log"
kill "$relay_pid" 2>/dev/null
# STORAGE is a logical association (as Oracle VM): enforced only as N-11, for every kind of member
step "a VLAN interface of ovs02 in a STORAGE network" \
    "create Network name=stor roles=STORAGE; create VlanInterface vlanId=40 name=v40 on Port name=$P3; add VlanInterface name=v40 to Network name=stor"
refused "N-11 it cannot leave the storage network while ovs02 runs Vms" "remove VlanInterface name=v40 from Network name=stor" \
    "Server ovs02 runs Vms; its port cannot leave storage Network stor"
step "stop the Vm" "stop Vm name=m1"
step "then it can" "remove VlanInterface name=v40 from Network name=stor"
rv_stop
tap_done
