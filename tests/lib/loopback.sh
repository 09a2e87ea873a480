# Ports on loopback addresses of a test's own (imports.sh, appliances.sh).
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
