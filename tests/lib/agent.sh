# Shell helpers for tests that talk to a real ovm-agentd over HTTPS.
# Source after setting top_builddir (make check exports it). Every wait is bounded.

AGENT_BIN=${AGENT_BIN:-${top_builddir:-.}/ovm-agentd}
AGENT_PASSWORD=${AGENT_PASSWORD:-s3cret}
AGENT_CURL_MAX=${AGENT_CURL_MAX:-30}

# TAP bookkeeping.
tap_n=0
tap_failed=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
# check DESCRIPTION COMMAND...: ok if the command succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# check_seen DESCRIPTION SHOW COMMAND...: check, and a failure's description
# ends with what the command SHOW printed then (CI prints only descriptions).
check_seen() {
    local d=$1 show=$2
    shift 2
    if "$@"; then ok "$d"; else not_ok "$d (seen: $($show 2>&1 | tr '\n' ' '))"; fi
}
tap_done() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }

# A TCP port with nothing listening on 127.0.0.2/.3 (best effort).
free_port() {
    local p i
    for i in $(seq 1 50); do
        p=$(( (RANDOM % 20000) + 30000 ))
        if ! (exec 3<>/dev/tcp/127.0.0.2/$p) 2>/dev/null && ! (exec 3<>/dev/tcp/127.0.0.3/$p) 2>/dev/null; then
            echo "$p"; return 0
        fi
    done
    return 1
}

# agent_password_file DIR: writes $AGENT_PASSWORD to DIR.password (mode 0600,
# anew at every start, as --password behaved) and prints its path.
agent_password_file() {
    (umask 077 && printf '%s\n' "$AGENT_PASSWORD" > "$1.password") && echo "$1.password"
}

# agent_start DIR IP PORT [extra options]: starts an agent in the foreground
# (background job), pid in DIR.pid, and waits up to 20 s until it answers.
agent_start() {
    local dir=$1 ip=$2 port=$3; shift 3
    mkdir -p "$dir"
    "$AGENT_BIN" --foreground --listen "$ip" --port "$port" --state-dir "$dir" \
        --password-file "$(agent_password_file "$dir")" --log-file "$dir.log" "$@" &
    echo $! > "$dir.pid"
    local i
    for i in $(seq 1 100); do
        if xr_call "$ip" "$port" get_api_version 2>/dev/null | grep -q '<int>3</int>\|<i4>3</i4>'; then
            return 0
        fi
        kill -0 "$(cat "$dir.pid")" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

# agent_stop DIR: SIGTERM, waits up to 10 s, then SIGKILL. Returns 0 on a clean exit.
agent_stop() {
    local pid i
    pid=$(cat "$1.pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 1 50); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            rm -f "$1.pid"
            return 0
        fi
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null
    rm -f "$1.pid"
    return 1
}

# XML-RPC value builders.
xs() { printf '<value><string>%s</string></value>' "$(printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g')"; }
xi() { printf '<value><int>%s</int></value>' "$1"; }
xb() { printf '<value><boolean>%s</boolean></value>' "$1"; }
xa() { printf '<value><array><data>%s</data></array></value>' "$*"; }
# xm NAME VALUE: struct member; xst MEMBERS...: struct.
xm() { printf '<member><name>%s</name>%s</member>' "$1" "$2"; }
xst() { printf '<value><struct>%s</struct></value>' "$*"; }

# xr_body METHOD [VALUE...]: a methodCall document.
xr_body() {
    local m=$1 p; shift
    printf '<?xml version="1.0"?><methodCall><methodName>%s</methodName><params>' "$m"
    for p in "$@"; do printf '<param>%s</param>' "$p"; done
    printf '</params></methodCall>'
}

# xr_post IP PORT BODY [curl options]: POSTs raw body, prints the reply.
# An agent owned with certificates answers only its Manager's client
# certificate (doc/agent-protocol.md §4): when AGENT_CLIENT_PKI names a Manager's pki
# directory (ovmd_start sets it), that certificate is presented, and an
# agent that refuses it in the TLS handshake (another Manager's) is asked
# again with the password alone.
xr_post() {
    local ip=$1 port=$2 body=$3 pki=${AGENT_CLIENT_PKI:-} rc; shift 3
    if [ -n "$pki" ] && [ -r "$pki/manager-cert.pem" ]; then
        curl -sk --max-time "$AGENT_CURL_MAX" -u "oracle:$AGENT_PASSWORD" -H 'Content-Type: text/xml' \
            --cert "$pki/manager-cert.pem" --key "$pki/manager-key.pem" \
            --data-binary "$body" "$@" "https://$ip:$port/api/3/"
        rc=$?
        case $rc in 35 | 52 | 55 | 56) ;; *) return "$rc" ;; esac  # TLS refusal: retry
    fi
    curl -sk --max-time "$AGENT_CURL_MAX" -u "oracle:$AGENT_PASSWORD" -H 'Content-Type: text/xml' \
        --data-binary "$body" "$@" "https://$ip:$port/api/3/"
}

# xr_call IP PORT METHOD [VALUE...]: prints the methodResponse.
xr_call() {
    local ip=$1 port=$2 m=$3; shift 3
    xr_post "$ip" "$port" "$(xr_body "$m" "$@")"
}

is_fault() { grep -q '<fault>'; }
is_nil_result() { local r; r=$(cat); [[ $r == *'<nil/>'* && $r != *'<fault>'* ]]; }
# fault_string < response: the faultString.
fault_string() { xmllint --xpath 'string(//member[name="faultString"]/value/string)' - 2>/dev/null; }
# result_string < response: the string result (discovery documents come out unescaped).
result_string() { xmllint --xpath 'string(/methodResponse/params/param/value/string)' - 2>/dev/null; }
# xpath EXPR < xml: text of the expression.
xpath() { xmllint --xpath "$1" - 2>/dev/null; }
