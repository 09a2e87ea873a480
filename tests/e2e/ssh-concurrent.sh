#!/bin/bash
# 50 concurrent SSH sessions (half batch, half exec), each running 20
# commands: no failure and every transcript complete and in order.
. "${top_srcdir:-.}/tests/e2e/ssh-lib.sh"
TMP=$(mktemp -d /tmp/ssh-conc.XXXXXX)
trap 'ssh_stop; rm -rf "$TMP"' EXIT
ssh_start "$TMP/s" || { echo "not ok 1 - listener starts"; cat "$TMP/s/sshd.log" >&2; echo "1..1"; exit 1; }
ok "listener starts"
N=${SSH_CONCURRENT:-50}
CMDS=20
for i in $(seq 1 $N); do
    if [ $((i % 2)) -eq 0 ]; then
        for j in $(seq 1 $CMDS); do echo "show Vm name=s${i}c${j}"; done | pw_ssh -T admin@127.0.0.1 > "$TMP/o$i" 2>&1 &
    else
        line=$(for j in $(seq 1 $CMDS); do printf 'show Vm name=s%dc%d;' $i $j; done)
        pw_ssh admin@127.0.0.1 "$line" > "$TMP/o$i" 2>&1 &
    fi
    echo $! > "$TMP/p$i"
done
bad_rc=0 bad_out=0
for i in $(seq 1 $N); do
    wait "$(cat "$TMP/p$i")" || bad_rc=$((bad_rc + 1))
    want=$(for j in $(seq 1 $CMDS); do echo "OVM> show Vm name=s${i}c${j}"; done)
    got=$(tr -d '\r' < "$TMP/o$i" | grep '^OVM> ')
    if [ "$got" != "$want" ] || [ "$(grep -c '^Status: Success' "$TMP/o$i")" -ne $CMDS ]; then
        bad_out=$((bad_out + 1))
        echo "# session $i:" && head -n 5 "$TMP/o$i" | sed 's/^/# /'
    fi
done
check "$N concurrent sessions all exit 0 ($bad_rc failed)" test $bad_rc -eq 0
check "$N x $CMDS results complete and in order ($bad_out wrong)" test $bad_out -eq 0
check "the listener is still up" kill -0 "$(cat "$TMP/s/sshd.pid")"
check "no connection process crashed" bash -c "! grep -q 'died of signal' '$TMP/s/sshd.log'"
tap_done
