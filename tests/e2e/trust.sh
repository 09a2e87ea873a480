#!/usr/bin/env bash
# Certificate trust end to end (doc/agent-protocol.md §4, issue 4 item 4), with real
# TLS between a real ovmd and a real ovm-agentd: the Manager CA, ownership
# giving mutual TLS, the password neither needed nor stored afterwards,
# refusal of wrong certificates both ways, a second Manager kept out,
# release back to password mode, and TLS 1.1 refused both ways.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
# A password that cannot match anything else in the store or the logs.
AGENT_PASSWORD=Trust-Pw-7f3e9c
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
cleanup() {
    [ -n "${tls11_pid:-}" ] && kill "$tls11_pid" 2>/dev/null
    ovmd_stop "$work/m2" >/dev/null 2>&1
    fleet_down
}
trap cleanup EXIT

check "fleet of one agent and ovmd starts" fleet_up 1
pki=$work/m/pki
mgr=$(cat "$work/m/manager-uuid")
url=https://127.0.0.2:$port/api/3/
restart_agent() {
    agent_stop "$work/a2" && agent_start "$work/a2" 127.0.0.2 "$port" --nfs-root "$nfs" --hostname ovs02 --memory-mb 16384
}
# http_code [curl options] METHOD: HTTP status of a raw call with the given
# credentials only (no helper certificate); 000 when TLS fails.
http_code() {
    local m=${!#}
    curl -sk -o /dev/null -w '%{http_code}' --max-time 20 -H 'Content-Type: text/xml' \
        --data-binary "$(xr_body "$m")" "${@:1:$#-1}" "$url"
}
as_manager=(--cert "$pki/manager-cert.pem" --key "$pki/manager-key.pem")
with_password=(-u "oracle:$AGENT_PASSWORD")
cert_text() { openssl x509 -noout -text -in "$1" 2>/dev/null; }
subject_cn() { openssl x509 -noout -subject -nameopt multiline -in "$1" | sed -n 's/^ *commonName *= *//p'; }
mode() { stat -c %a "$1"; }
not_after_year() { date -d "$(openssl x509 -noout -enddate -in "$1" | cut -d= -f2)" +%Y; }
this_year=$(date +%Y)

# --- the Manager CA (§4 items 1 and 8)
check "CA certificate created" test -s "$pki/ca-cert.pem"
check "CA and client keys are mode 0600" test "$(mode "$pki/ca-key.pem")/$(mode "$pki/manager-key.pem")" = 600/600
check "CA: RSA 3072, SHA-256, CA:TRUE" bash -c "t=\$(openssl x509 -noout -text -in '$pki/ca-cert.pem');
    grep -q 'Public-Key: (3072 bit)' <<<\"\$t\" && grep -q 'sha256WithRSAEncryption' <<<\"\$t\" && grep -q 'CA:TRUE' <<<\"\$t\""
check "CA: CN is the Manager UUID" test "$(subject_cn "$pki/ca-cert.pem")" = "$mgr"
check "CA: valid about 10 years" test "$(not_after_year "$pki/ca-cert.pem")" -ge $((this_year + 9))
check "client certificate: RSA 2048" bash -c "
    grep -q 'Public-Key: (2048 bit)' <<<\"\$(openssl x509 -noout -text -in '$pki/manager-cert.pem')\""
check "client certificate CN" test "$(subject_cn "$pki/manager-cert.pem")" = "$mgr"
check "client certificate valid 5 years" test "$(not_after_year "$pki/manager-cert.pem")" -ge $((this_year + 4))
check "client certificate signed by the CA" bash -c "openssl verify -CAfile '$pki/ca-cert.pem' '$pki/manager-cert.pem' >/dev/null"

# --- unowned: password works, the agent serves its own certificate
check "unowned agent: password alone is enough" test "$(http_code "${with_password[@]}" list_vms)" = 200

# --- ownership gives mutual TLS (§4 items 3-4)
ovm "discoverServer ipAddress=127.0.0.2 password=$AGENT_PASSWORD"
check "discoverServer takes ownership" test "$rc" -eq 0
ovm "show Server name=ovs02"
sid=$(field Id)
check "server Running and Owned" test "$(field Status)/$(field Ownership)" = "Running/Owned"
check "agent keeps the Manager CA" cmp -s "$work/a2/manager-ca.pem" "$pki/ca-cert.pem"
check "agent's signed key is mode 0600" test "$(mode "$work/a2/server-signed.pem")" = 600
openssl x509 -in "$work/a2/server-signed.pem" -out "$work/signed.crt" 2>/dev/null
check "server certificate: CN = server id" test "$(subject_cn "$work/signed.crt")" = "$sid"
check "server certificate: RSA 2048, signed by the Manager CA" bash -c "
    grep -q 'Public-Key: (2048 bit)' <<<\"\$(openssl x509 -noout -text -in '$work/signed.crt')\" &&
    openssl verify -CAfile '$pki/ca-cert.pem' '$work/signed.crt' >/dev/null"
served=$(echo | timeout 20 openssl s_client -connect "127.0.0.2:$port" -CAfile "$pki/ca-cert.pem" \
    -cert "$pki/manager-cert.pem" -key "$pki/manager-key.pem" -verify_return_error 2>/dev/null | openssl x509 2>/dev/null)
check "the agent now serves the signed certificate" test "$served" = "$(cat "$work/signed.crt")"
check "curl -k with only the password is refused (403)" test "$(http_code "${with_password[@]}" list_vms)" = 403
check "curl -k with nothing is refused (401)" test "$(http_code list_vms)" = 401
check "curl with the Manager's client certificate and no password works" \
    test "$(http_code "${as_manager[@]}" list_vms)" = 200
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/rogue.key" -out "$work/rogue.crt" -subj "/CN=$mgr" \
    -days 1 2>/dev/null
check "a client certificate from another CA fails the TLS handshake" \
    test "$(http_code --cert "$work/rogue.crt" --key "$work/rogue.key" "${with_password[@]}" list_vms)" = 000
check "the agent logs the refused handshake" grep -q "TLS handshake refused" "$work/a2.log"

# --- the password is not kept (§4 item 4; issue 4 "no secret")
check "password not in the store" test "$(sqlite3 "$work/m/ovmd.db" .dump | grep -c "$AGENT_PASSWORD")" -eq 0
check "store records the certificate instead" bash -c "sqlite3 '$work/m/ovmd.db' .dump | grep -q agentCertificate"
ovm "refresh Server name=ovs02"
check "the engine works over mutual TLS (refresh)" test "$rc" -eq 0
ovm "edit Server name=ovs02 ntpServers=10.9.9.9"
check "configuration reaches the agent over mutual TLS" grep -q 10.9.9.9 <<<"$(xr_call 127.0.0.2 "$port" get_ntp)"

# --- TLS 1.1 refused both ways (doc/agent-protocol.md §2)
legacy=(--ciphers 'DEFAULT@SECLEVEL=0')
check "control: the agent accepts TLS 1.2" \
    test "$(http_code --tlsv1.2 --tls-max 1.2 "${as_manager[@]}" list_vms)" = 200
check "the agent refuses TLS 1.1" test "$(http_code --tlsv1.1 --tls-max 1.1 "${legacy[@]}" "${as_manager[@]}" list_vms)" = 000
# A TLS 1.1-only server where the Manager expects an agent (127.0.0.5, agent port).
tls11_port=$port
openssl s_server -quiet -accept "127.0.0.5:$tls11_port" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' \
    -cert "$work/rogue.crt" -key "$work/rogue.key" -www >/dev/null 2>&1 &
tls11_pid=$!
sleep 0.5
check "control: the TLS 1.1 test server speaks TLS 1.1" bash -c "echo | timeout 10 openssl s_client \
    -connect 127.0.0.5:$tls11_port -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' 2>/dev/null | grep -q 'Protocol *: TLSv1.1'"
ovm "discoverServer ipAddress=127.0.0.5 password=$AGENT_PASSWORD"
check "the Manager refuses a TLS 1.1 agent" grep -q "^Error Msg: Job failed: Cannot reach the Oracle VM Agent at 127.0.0.5:$tls11_port: TLS error" <<<"$out"
kill "$tls11_pid" 2>/dev/null
tls11_pid=

# --- a second Manager cannot take an owned agent (§4 items 3-4)
check "second ovmd starts" ovmd_start "$work/m2" "$(printf 'agent:\n  port: %s\nmonitor:\n  poll_interval: 0' "$port")"
m2() { out=$(timeout 120 "$OVMSH_BIN" -S "$work/m2/engine.sock" -c "$1" 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}"); rc=$?; }
m2 "discoverServer ipAddress=127.0.0.2 password=$AGENT_PASSWORD"
check "second Manager: ownership refused" grep -qF "Error Msg: Job failed: Server ovs02 is owned by another Manager ($mgr)" <<<"$out"
check "second Manager's certificate fails the handshake" \
    test "$(http_code --cert "$work/m2/pki/manager-cert.pem" --key "$work/m2/pki/manager-key.pem" list_vms)" = 000
owner() { xr_call 127.0.0.2 "$port" discover_server | result_string | xpath 'string(//Manager_Unique_Id)'; }
check "agent still owned by the first Manager" test "$(owner)" = "$mgr"
take2=$(xr_body take_ownership "$(xst "$(xm manager_uuid "$(xs "$(cat "$work/m2/manager-uuid")")")")")
check "take_ownership by another Manager is a fault" bash -c "curl -sk --max-time 20 -u 'oracle:$AGENT_PASSWORD' \
    -H 'Content-Type: text/xml' --data-binary '$take2' '$url' | grep -q 'already owned by manager $mgr'"
# The owner's UUID is public (discover_server shows it): with it and the
# password alone, a caller must not hand the agent another CA (issue 10 item 6).
strip=$(xr_body take_ownership "$(xst "$(xm manager_uuid "$(xs "$(owner)")")" \
    "$(xm manager_certificate "$(xs "$(cat "$work/rogue.crt")")")" \
    "$(xm signed_server_certificate "$(xs "$(cat "$work/rogue.key" "$work/rogue.crt")")")")")
stripped=$(curl -sk --max-time 20 -u "oracle:$AGENT_PASSWORD" -H 'Content-Type: text/xml' --data-binary "$strip" "$url")
check "take_ownership with the owner's UUID and only the password is a fault" \
    grep -q "faultString.*take_ownership needs the client certificate of that Manager" <<<"$stripped"
sleep 1 # a successful take_ownership restarts the service within 0.3 s
check "the agent still trusts only our CA" cmp -s "$work/a2/manager-ca.pem" "$pki/ca-cert.pem"
check "the agent still serves our certificate" bash -c "openssl verify -CAfile '$pki/ca-cert.pem' \
    <(openssl x509 -in '$work/a2/server-signed.pem') >/dev/null"
ovm "refresh Server name=ovs02"
check "the engine still works over mutual TLS" test "$rc" -eq 0

# events: event_count TEXT, unacknowledged events of the server mentioning TEXT
event_count() { ovm "getEvents objType=Server objId=$sid"; grep -c "$1" <<<"$out"; }

# --- the Manager presents a certificate the agent does not trust (§4 item 5)
cp "$work/a2/manager-ca.pem" "$work/ours-ca.pem"
cp "$work/m2/pki/ca-cert.pem" "$work/a2/manager-ca.pem"
check "agent restarts trusting another CA" restart_agent
before=$(event_count "authentication failed")
ovm "refresh Server name=ovs02"
check "agent refuses our certificate: readable job error" \
    grep -qF "Error Msg: Job failed on Server ovs02: agent authentication failed" <<<"$out"
ovm "show Server name=ovs02"
check "server becomes Unknown" test "$(field Status)" = "Unknown"
check "an event tells why" test "$(event_count "authentication failed")" -gt "$before"
check "the engine log names the refusal" grep -q "refused the Manager's certificate" "$work/m/ovmd.log"
ovm "takeOwnership Server name=ovs02 password=$AGENT_PASSWORD"
check "the password alone cannot hand the agent our CA back" test "$rc" -ne 0
check "the agent still trusts the other CA" cmp -s "$work/a2/manager-ca.pem" "$work/m2/pki/ca-cert.pem"
# The agent's administrator resets its trust (ovm-agentd(8) OWNERSHIP).
agent_stop "$work/a2"
rm -f "$work/a2/manager-ca.pem" "$work/a2/server-signed.pem"
check "agent restarts without trust" agent_start "$work/a2" 127.0.0.2 "$port" --nfs-root "$nfs" --hostname ovs02 \
    --memory-mb 16384
ovm "takeOwnership Server name=ovs02 password=$AGENT_PASSWORD"
check "then takeOwnership with the password recovers" test "$rc" -eq 0
ovm "show Server name=ovs02"
check "server Running again" test "$(field Status)" = "Running"
check "the agent trusts our CA again" cmp -s "$work/a2/manager-ca.pem" "$pki/ca-cert.pem"

# --- the agent presents a certificate we did not issue (§4 item 5)
openssl req -new -newkey rsa:2048 -nodes -keyout "$work/fake.key" -subj "/CN=$sid" 2>/dev/null |
    openssl x509 -req -CA "$work/m2/pki/ca-cert.pem" -CAkey "$work/m2/pki/ca-key.pem" -set_serial 7 -days 1 \
        -out "$work/fake.crt" 2>/dev/null
cat "$work/fake.key" "$work/fake.crt" > "$work/a2/server-signed.pem"
check "agent restarts with a certificate of another CA" restart_agent
ovm "edit Server name=ovs02 ntpServers=10.8.8.8"
check "Manager refuses the agent's certificate: readable job error" \
    grep -qF "Error Msg: Job failed on Server ovs02: agent authentication failed" <<<"$out"
ovm "show Server name=ovs02"
check "server becomes Unknown again" test "$(field Status)" = "Unknown"
check "the engine log says the certificate is not ours" grep -q "certificate is not one this Manager issued" "$work/m/ovmd.log"
check "nothing reached the agent" bash -c "! grep -q 10.8.8.8 <<<'$(xr_call 127.0.0.2 "$port" get_ntp)'"
ovm "takeOwnership Server name=ovs02 password=$AGENT_PASSWORD"
check "takeOwnership (with our client certificate) issues a new key pair" test "$rc" -eq 0
check "the agent's certificate is a new one of ours" bash -c "openssl x509 -in '$work/a2/server-signed.pem' -out '$work/new.crt' 2>/dev/null &&
    openssl verify -CAfile '$pki/ca-cert.pem' '$work/new.crt' >/dev/null && ! cmp -s '$work/new.crt' '$work/signed.crt'"
ovm "edit Server name=ovs02 ntpServers=10.8.8.8"
check "jobs work again" test "$rc" -eq 0

# --- release returns the agent to password mode (§4 item 6)
ovm "releaseOwnership Server name=ovs02"
check "releaseOwnership succeeds" test "$rc" -eq 0
check "agent dropped the signed certificate and the Manager CA" \
    test ! -e "$work/a2/server-signed.pem" -a ! -e "$work/a2/manager-ca.pem"
check "password mode again: curl -k with the password works" test "$(http_code "${with_password[@]}" list_vms)" = 200
check "the Manager forgot the trust material" bash -c "! sqlite3 '$work/m/ovmd.db' .dump | grep -q agentCertificate"
ovm "show Server name=ovs02"
check "released server is Unowned and Unknown" test "$(field Ownership)/$(field Status)" = "Unowned/Unknown"
m2 "discoverServer ipAddress=127.0.0.2 password=$AGENT_PASSWORD"
check "after the release the second Manager can take it" test "$rc" -eq 0
check "and it is owned by the second Manager" test "$(owner)" = "$(cat "$work/m2/manager-uuid")"

# --- no secret anywhere (issue 4)
check "password in neither store" test "$({ sqlite3 "$work/m/ovmd.db" .dump; sqlite3 "$work/m2/ovmd.db" .dump; } | grep -c "$AGENT_PASSWORD")" -eq 0
# The first Manager only ever owned the agent: not even its raw files held the password.
check "password never written by the owning Manager" test "$(cat "$work/m/ovmd.db"* | grep -ac "$AGENT_PASSWORD")" -eq 0
check "password in no engine log" bash -c "! grep -q '$AGENT_PASSWORD' '$work/m/ovmd.log' '$work/m2/ovmd.log' '$work/m/ovmd.stderr' '$work/m2/ovmd.stderr'"
check "private keys in no log" bash -c "! grep -q 'PRIVATE KEY' '$work/m/ovmd.log' '$work/m2/ovmd.log' '$work/a2.log'"
check "second ovmd stops cleanly" ovmd_stop "$work/m2"
check "ovmd stops cleanly" ovmd_stop "$work/m"
tap_done
