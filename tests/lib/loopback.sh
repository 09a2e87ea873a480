# Ports and file servers on loopback addresses of a test's own (imports.sh, appliances.sh).
# port_free IP PORT: nothing listens there.
port_free() { ! (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
# pick_port IP...: a random port in 30000-49999 free on every IP given.
pick_port() {
    local p i ip free
    for i in $(seq 1 50); do
        p=$(( (RANDOM % 20000) + 30000 )); free=1
        for ip in "$@"; do port_free "$ip" "$p" || free=0; done
        if [ "$free" = 1 ]; then echo "$p"; return 0; fi
    done
    return 1
}
# wait_port IP PORT: up to 10 s for a listener.
wait_port() {
    local i
    for i in $(seq 1 100); do port_free "$1" "$2" || return 0; sleep 0.1; done
    return 1
}

# tls_server NAME IP PORT ROOT: an HTTPS server for the files of ROOT on
# IP:PORT, with a fresh self-signed certificate for IP ($work/NAME.pem, its
# key $work/NAME.key). Needs $py (python3) and openssl; its pid goes to pids.
tls_server() {
    local name=$1 ip=$2 port=$3 root=$4
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$name" -addext "subjectAltName=IP:$ip" \
        -keyout "$work/$name.key" -out "$work/$name.pem" >/dev/null 2>&1 || return 1
    "$py" - "$ip" "$port" "$root" "$work/$name.pem" "$work/$name.key" >"$work/$name.log" 2>&1 <<'PY' &
import functools, http.server, ssl, sys
ip, port, root, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
srv = http.server.ThreadingHTTPServer((ip, port), functools.partial(http.server.SimpleHTTPRequestHandler, directory=root))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
    pids+=($!)
}
