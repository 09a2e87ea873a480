#!/bin/bash
# ovm-agentd: transport (TLS, auth, paths), XML-RPC errors, discovery documents,
# ownership and pool membership, against a real agent on 127.0.0.2.
. "${top_srcdir:-.}/tests/lib/agent.sh"
TMP=$(mktemp -d /tmp/agent-basic.XXXXXX)
trap 'agent_stop "$TMP/a"; rm -rf "$TMP"' EXIT
IP=127.0.0.2
PORT=$(free_port) || { echo "1..0 # SKIP no free port"; exit 0; }
MGR=0004fb00000100001111111111111111
OTHER=0004fb00000100002222222222222222
POOL=0004fb00000200003333333333333333

if ! agent_start "$TMP/a" $IP "$PORT" --hostname ovs-basic --memory-mb 16384 --cpus 4; then
    echo "not ok 1 - agent starts"; cat "$TMP/a.log" >&2; echo "1..1"; exit 1
fi
ok "agent starts and answers get_api_version"

code() { curl -sk -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
check "wrong password gets 401" test "$(code -u oracle:wrong -d x https://$IP:$PORT/api/3/)" = 401
check "no credentials get 401" test "$(code -d x https://$IP:$PORT/api/3/)" = 401
check "other user gets 401" test "$(code -u root:$AGENT_PASSWORD -d x https://$IP:$PORT/api/3/)" = 401
check "other path gets 404" test "$(code -u oracle:$AGENT_PASSWORD -d x https://$IP:$PORT/api/2/)" = 404
check "GET is refused" test "$(code -u oracle:$AGENT_PASSWORD https://$IP:$PORT/api/3/)" = 405
big=$TMP/big.xml
head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' 'a' > "$big"
check "body over 16 MiB gets 413" test "$(code -u oracle:$AGENT_PASSWORD --data-binary @"$big" https://$IP:$PORT/api/3/)" = 413
rm -f "$big"
curl -sk --max-time 10 --tls-max 1.1 -u oracle:$AGENT_PASSWORD -d x https://$IP:$PORT/api/3/ >/dev/null 2>&1
rc=$?
check "TLS 1.1 is refused (curl rc $rc)" test $rc -ne 0
proto=$(curl -sk --max-time 10 -u oracle:$AGENT_PASSWORD -o /dev/null -w '%{http_code}' --tlsv1.2 --tls-max 1.2 \
        --data-binary "$(xr_body echo "$(xs hi)")" https://$IP:$PORT/api/3/)
check "TLS 1.2 is accepted" test "$proto" = 200
check "certificate is RSA 2048" bash -c "openssl x509 -in '$TMP/a/agent-cert.pem' -noout -text | grep -q 'Public-Key: (2048 bit)'"
check "key file has mode 0600" test "$(stat -c %a "$TMP/a/agent-key.pem")" = 600

r=$(xr_call $IP $PORT get_api_version)
check "get_api_version returns [3]" test "$(echo "$r" | xpath 'string(//array/data/value[1]/int)')" = 3
r=$(xr_call $IP $PORT echo "$(xs 'héllo <&>')")
check "echo returns its argument" test "$(echo "$r" | result_string)" = 'héllo <&>'
r=$(xr_post $IP $PORT '<?xml version="1.0"?><methodCall><methodName>echo</methodName><params><param>')
check "malformed XML gets a fault" bash -c "echo '$r' | grep -q '<fault>'"
r=$(xr_post $IP $PORT $'\x01\x02garbage\xff')
check "binary garbage gets a fault" bash -c "grep -q ExpatError <<< \"\$0\"" "$r"
r=$(xr_call $IP $PORT no_such_method)
check "unknown method fault" test "$(echo "$r" | fault_string)" = "exceptions.AttributeError:'module' object has no attribute 'no_such_method'"
r=$(xr_call $IP $PORT start_vm "$(xs a)")
check "wrong argument count fault" test "$(echo "$r" | fault_string)" = "exceptions.TypeError:start_vm() takes exactly 2 arguments (1 given)"
r=$(xr_call $IP $PORT start_vm "$(xi 1)" "$(xs b)")
check "wrong argument type fault" test "$(echo "$r" | fault_string)" = "exceptions.TypeError:start_vm() argument 1 must be string, not int"
check "agent still answers after bad input" test "$(xr_call $IP $PORT echo "$(xs x)" | result_string)" = x

srv=$(xr_call $IP $PORT discover_server | result_string)
sx() { echo "$srv" | xpath "string(/Discover_Server_Result/Server/$1)"; }
check "discover_server Hostname" test "$(sx Hostname)" = ovs-basic
check "discover_server Registered_IP" test "$(sx Registered_IP)" = $IP
check "discover_server Unique_Id is 16 hex bytes" bash -c "[[ '$(sx Unique_Id)' =~ ^([0-9a-f]{2}:){15}[0-9a-f]{2}$ ]]"
check "discover_server Membership_State Unowned" test "$(sx Membership_State)" = Unowned
check "discover_server Manager_Unique_Id none" test "$(sx Manager_Unique_Id)" = none
check "discover_server Pool_Unique_Id none" test "$(sx Pool_Unique_Id)" = none
check "discover_server OVM_Version" test "$(sx OVM_Version)" = 3.4.6-2105
check "discover_server Boot_Time is a number" bash -c "[[ '$(sx Boot_Time)' =~ ^[0-9]+$ ]]"
check "Capabilities HVM_MAX_VNICS 8" test "$(sx Capabilities/HVM_MAX_VNICS)" = 8
check "Capabilities VM_MEMORY_ALIGNMENT" test "$(sx Capabilities/VM_MEMORY_ALIGNMENT)" = 1048576
check "hypervisor version 4.4.4OVM" test "$(sx VMM/Version/Major).$(sx VMM/Version/Minor)$(sx VMM/Version/Extra)" = 4.4.4OVM

hw=$(xr_call $IP $PORT discover_hardware | result_string)
hx() { echo "$hw" | xpath "string(/Discover_Hardware_Result/NodeInformation/$1)"; }
check "TotalPages from --memory-mb" test "$(hx VMM/PhysicalInfo/TotalPages)" = $((16384 * 256))
check "FreePages excludes dom0" test "$(hx VMM/PhysicalInfo/FreePages)" = $(((16384 - 2048) * 256))
check "threads x cores x sockets = --cpus" test $(( $(hx VMM/PhysicalInfo/ThreadsPerCore) * $(hx VMM/PhysicalInfo/CoresPerSocket) * $(hx VMM/PhysicalInfo/SocketsPerNode) )) = 4
check "CPUKHz present" bash -c "[[ '$(hx VMM/PhysicalInfo/CPUKHz)' =~ ^[0-9]+$ ]]"
check "one CPU element per cpu" test "$(echo "$hw" | xpath 'count(//CPUInfo/Proc_Info/CPU)')" = 4
check "CPU vendor" test "$(hx 'CPUInfo/Proc_Info/CPU[@ID="0"]/Vendor')" = GenuineIntel
check "DMTF Manufacturer" test -n "$(hx DMTF/System/Manufacturer)"

net=$(xr_call $IP $PORT discover_network | result_string)
check "management bridge named after the subnet" test "$(echo "$net" | xpath 'string(//Bridges/Device[@Name="7f000000"]/Family/Address)')" = $IP
check "eth0 and bond0 reported" test "$(echo "$net" | xpath 'count(//Network/Device[@Name="eth0" or @Name="bond0"])')" = 2
r=$(xr_call $IP $PORT ovs_br_config "$(xs start)" "$(xs 0a0a0a00)" "$(xs bond0)")
check "ovs_br_config start returns a start status" test "$(echo "$r" | result_string | cut -c1-5)" = start
net=$(xr_call $IP $PORT discover_network | result_string)
check "new bridge in discover_network" test "$(echo "$net" | xpath 'string(//Bridges/Device[@Name="0a0a0a00"]/Interfaces/PhyInterface)')" = bond0
check "NFS plug-in present" test "$(xr_call $IP $PORT discover_storage_plugins | result_string | xpath 'count(//storage_plugin_info[@plugin_impl_name="oracle.generic.NFSPlugin.GenericNFSPlugin"]/abilities)')" = 1

own=$(xst "$(xm manager_uuid "$(xs $MGR)")" "$(xm manager_event_url "$(xs https://127.0.0.1:7002/ovm/agent/event)")" \
          "$(xm manager_certificate "$(xs 'PEM')")")
check "take_ownership returns nil" bash -c "grep -q '<nil/>' <<< \"\$0\"" "$(xr_call $IP $PORT take_ownership "$own")"
srv=$(xr_call $IP $PORT discover_server | result_string)
check "Membership_State Owned" test "$(sx Membership_State)" = Owned
check "Manager_Unique_Id recorded" test "$(sx Manager_Unique_Id)" = $MGR
r=$(xr_call $IP $PORT take_ownership "$(xst "$(xm manager_uuid "$(xs $OTHER)")")")
check "take_ownership by another manager faults" bash -c "grep -q 'already owned by manager $MGR' <<< \"\$0\"" "$r"
r=$(xr_call $IP $PORT get_ntp)
check "ownership resets NTP to the local clock" test "$(echo "$r" | xpath 'string(//array/data/value[3]/array/data/value[1]/string)')" = 127.127.1.0
xr_call $IP $PORT set_ntp "$(xa "$(xs ntp1.example.com)")" "$(xb 1)" >/dev/null
r=$(xr_call $IP $PORT get_ntp)
check "set_ntp then get_ntp" test "$(echo "$r" | xpath 'string(//array/data/value[3]/array/data/value[1]/string)')" = ntp1.example.com

r=$(xr_call $IP $PORT create_server_pool "$(xs pool1)" "$(xs $POOL)" "$(xs '')" "$(xi 0)" "$(xs ovs-basic)" "$(xs $IP)" "$(xs xen,utility)")
check "create_server_pool" bash -c "grep -q '<nil/>' <<< \"\$0\"" "$r"
xr_call $IP $PORT set_pool_member_ip_list "$(xa "$(xs $IP)" "$(xs 127.0.0.3)")" >/dev/null
pool=$(xr_call $IP $PORT discover_server_pool | result_string)
check "discover_server_pool Unique_Id" test "$(echo "$pool" | xpath 'string(//Server_Pool/Unique_Id)')" = $POOL
check "discover_server_pool members" test "$(echo "$pool" | xpath 'count(//Server_Pool//Registered_IP)')" = 2
srv=$(xr_call $IP $PORT discover_server | result_string)
check "Membership_State Pooled" test "$(sx Membership_State)" = Pooled
check "Pool_Unique_Id reported" test "$(sx Pool_Unique_Id)" = $POOL
xr_call $IP $PORT update_server_roles "$(xs utility)" >/dev/null
srv=$(xr_call $IP $PORT discover_server | result_string)
check "update_server_roles" test "$(sx Server_Roles)" = utility
r=$(xr_call $IP $PORT update_server_roles "$(xs bogus)")
check "invalid roles fault" bash -c "grep -q '<fault>' <<< \"\$0\"" "$r"
r=$(xr_call $IP $PORT release_ownership "$(xs $MGR)")
check "release_ownership refused while pooled" bash -c "grep -q 'member of server pool' <<< \"\$0\"" "$r"
xr_call $IP $PORT leave_server_pool "$(xs $POOL)" >/dev/null
r=$(xr_call $IP $PORT release_ownership "$(xs $MGR)")
check "release_ownership after leaving the pool" bash -c "grep -q '<nil/>' <<< \"\$0\"" "$r"
srv=$(xr_call $IP $PORT discover_server | result_string)
check "Unowned again" test "$(sx Membership_State)" = Unowned

r=$(xr_call $IP $PORT get_last_boot_time)
check "get_last_boot_time struct" test "$(echo "$r" | xpath 'string(//member[name="last_boot_time"]/value/int)')" = "$(sx Boot_Time)"
r=$(xr_call $IP $PORT get_timezone)
check "get_timezone array" test "$(echo "$r" | xpath 'count(//array/data/value)')" = 2

check "SIGTERM stops the agent cleanly" agent_stop "$TMP/a"
tap_done
