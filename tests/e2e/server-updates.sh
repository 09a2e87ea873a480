#!/usr/bin/env bash
# Server updates from real YUM repositories (issue 12 item 3; doc/command-language.md,
# Server updates): two agents on 127.0.69.2-3 in a clustered pool, YUM
# repositories built at test time (repomd.xml with the sha256 of a gzipped
# primary.xml, written by python3 as createrepo_c does) and served by
# python3 -m http.server on 127.0.69.20. Checked: ServerUpdateRepository on the
# global ServerUpdateGroup; checkUpToDate Server up to date and not; the
# faults of an unreachable repository, a garbage repomd.xml, a primary whose
# checksum does not match and a signed repository without its signature
# (each a failed job with a readable message, the server still Running);
# upgrade Server with a running VM (evacuated, still running on the other
# server, the server back Running out of maintenance mode with the new OVM
# version); an upgrade that fails leaves its server in maintenance mode with
# an event while the VM runs on.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
FLEET_NET=127.0.69
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
. "$top_srcdir/tests/lib/loopback.sh"
. "$top_srcdir/tests/lib/yum.sh"
. "$top_srcdir/tests/lib/ipmi.sh"
. "$top_srcdir/tests/e2e/ha-lib.sh"
py=$(command -v python3) || { echo "1..0 # SKIP python3 is not installed"; exit 0; }
command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP sqlite3 is not installed"; exit 0; }

HA_YAML=$'monitor:\n  poll_interval: 1\n  offline_after: 6\n  ha_delay: 2\npower:\n  ipmi_timeout: 2\n  wait_timeout: 20'
HTTP=127.0.69.20
work=
cleanup() {
    yum_stop
    [ -n "$work" ] && ipmi_bmc_stop "$work/bmc3"
    [ -n "$work" ] && [ -d "$work/gnupg" ] && GNUPGHOME=$work/gnupg gpgconf --kill gpg-agent 2>/dev/null
    [ -n "$work" ] && fleet_down
}
trap cleanup EXIT

check "two agents and ovmd with the monitor on" ha_up 2
check "clustered pool cpool with ovs02, ovs03, repo1" ha_setup
yum=$work/yum
yum_mkrepo "$yum/same" no ovs-agent 0 3.4.6 2105 xen 0 4.4.4 222.0.48.el6
yum_mkrepo "$yum/new" no ovs-agent 0 3.4.7 2150 xen 0 4.4.4 222.0.48.el6 ovs-agent 0 3.4.6 3000 xen 0 4.4.4 9.el6
yum_mkrepo "$yum/badsum" yes ovs-agent 0 3.4.7 2150
mkdir -p "$yum/garbage/repodata" && echo 'this is <not xml' > "$yum/garbage/repodata/repomd.xml"
# signed: "new" signed with a fresh GPG key (served as RPM-GPG-KEY); forged:
# "same" with the signature of "new"'s repomd.xml
gpg_ok=
if command -v gpg >/dev/null 2>&1 && command -v gpgv >/dev/null 2>&1; then
    mkdir -m 700 "$work/gnupg"
    cp -r "$yum/new" "$yum/signed" && cp -r "$yum/same" "$yum/forged"
    G() { GNUPGHOME=$work/gnupg gpg --batch --quiet --no-tty "$@"; }
    G --passphrase '' --quick-gen-key "ovmsh updates test <updates@example.invalid>" ed25519 sign never 2>/dev/null &&
        G --armor --export > "$yum/RPM-GPG-KEY" &&
        G --armor --detach-sign -o "$yum/signed/repodata/repomd.xml.asc" "$yum/signed/repodata/repomd.xml" &&
        cp "$yum/signed/repodata/repomd.xml.asc" "$yum/forged/repodata/repomd.xml.asc" && gpg_ok=1
fi
check "YUM repositories served on $HTTP" yum_serve "$yum" $HTTP "$work/http.log"
hport=$yum_port
deadport=$(pick_port $HTTP)
# ovs03 restarts through a ServerController (ipmi_sim powers its agent off
# and on: a real agent restart); ovs02, without one, restarts itself.
bmc=
if [ -z "$(ipmi_missing)" ] && command -v ss >/dev/null 2>&1; then
    bport=$(pick_port 127.0.69.13)
    check "BMC of ovs03 (ipmi_sim) answers on 127.0.69.13:$bport" ipmi_bmc_start "$work/bmc3" 127.0.69.13 "$bport" \
        admin bmcpw "$work/a3" "$FLEET_NET.3" "$port" --nfs-root "$nfs" --hostname ovs03 --memory-mb 16384
    ovm "create ServerController ipAddress=127.0.69.13 userName=admin password=bmcpw name=bmc03 port=$bport on Server name=ovs03"
    check "create ServerController bmc03 on ovs03" test "$rc" -eq 0
    bmc=1
fi
pid3=$(cat "$work/a3.pid")
URL=http://$HTTP:$hport

ovm "create ServerUpdateRepository name=ol6 repositoryName=ovm_update url=$URL/same enabled=Yes pkgSignatureType=NONE on ServerUpdateGroup name=GlobalX86ServerUpdateConfiguration"
check "create ServerUpdateRepository on the global ServerUpdateGroup" test "$rc" -eq 0
ovm "show ServerUpdateRepository name=ol6"
check "show ServerUpdateRepository: URL and group" \
    bash -c 'grep -q "^  URL = $2/same\$" <<<"$1" && grep -q "^  Server Update Group = .*GlobalX86" <<<"$1"' _ "$out" "$URL"
ovm "create ServerUpdateRepository name=bad repositoryName=has-dash url=$URL/same enabled=Yes pkgSignatureType=NONE on ServerUpdateGroup name=GlobalX86ServerUpdateConfiguration"
check "a repositoryName with a dash is refused" bash -c '[ "$1" -ne 0 ] && grep -q "Error Msg: repositoryName may only" <<<"$2"' _ "$rc" "$out"
ovm "create ServerUpdateRepository name=bad repositoryName=x url=$URL/same enabled=Yes pkgSignatureType=GPG on ServerUpdateGroup name=GlobalX86ServerUpdateConfiguration"
check "GPG without pkgSignatureKey is refused" bash -c '[ "$1" -ne 0 ] && grep -q "Error Msg: pkgSignatureType=GPG needs pkgSignatureKey" <<<"$2"' _ "$rc" "$out"
ovm "create ServerUpdateRepository name=bad repositoryName=x url=file:///tmp enabled=Yes pkgSignatureType=NONE on ServerUpdateGroup name=GlobalX86ServerUpdateConfiguration"
check "a file:// url is refused" bash -c '[ "$1" -ne 0 ] && grep -q "Error Msg: url must be" <<<"$2"' _ "$rc" "$out"

show_out() { printf "%s" "$out"; }
up_to_date() { ovm "show Server name=$1"; [ "$(field 'Up To Date')" = "$2" ]; }
ovm "checkUpToDate Server name=ovs02"
check "checkUpToDate against a repository of the installed versions succeeds" test "$rc" -eq 0
check "ovs02 is Up To Date = Yes" up_to_date ovs02 Yes
ovm "edit ServerUpdateRepository name=ol6 url=$URL/new; checkUpToDate Server name=ovs02"
check "checkUpToDate against newer packages succeeds" test "$rc" -eq 0
check "ovs02 is Up To Date = No" up_to_date ovs02 No
check_seen "the newest ovs-agent is the update available" show_out \
    bash -c 'grep -q "^  Update Available 1 = ovs-agent-0:3.4.7-2150$" <<<"$1" && ! grep -q "Update Available 2" <<<"$1"' _ "$out"

# ---- faults: the job fails with the reason, the server runs on ----
fault() {
    ovm "edit ServerUpdateRepository name=ol6 url=$1; checkUpToDate Server name=ovs02"
    check "$2: the job fails" bash -c '[ "$1" -ne 0 ] && grep -q "Server update repository ol6: .*$2" <<<"$3"' _ "$rc" "$3" "$out"
    check "$2: ovs02 still Running" server_is ovs02 Running
}
fault "http://$HTTP:$deadport/x" "unreachable" "Could not connect\|Failed to connect\|could not connect"
fault "$URL/nothere" "missing repomd" "404"
fault "$URL/garbage" "garbage repomd" "is not a YUM repomd document"
fault "$URL/badsum" "checksum mismatch" "does not match its sha256 checksum"
id2=$(ovm "show Server name=ovs02"; field Id)
check "each repository fault raised a JOB_FAILED event on ovs02 with the reason" \
    test "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM events WHERE target='$id2' AND type='JOB_FAILED' AND summary LIKE '%Server update repository ol6:%'")" -eq 4
ovm "edit ServerUpdateRepository name=ol6 url=$URL/new pkgSignatureType=GPG pkgSignatureKey=$URL/RPM-GPG-KEY; checkUpToDate Server name=ovs02"
check "a GPG repository without repomd.xml.asc fails" bash -c '[ "$1" -ne 0 ] && grep -q "signature is missing" <<<"$2"' _ "$rc" "$out"
if [ -n "$gpg_ok" ]; then
    ovm "edit ServerUpdateRepository name=ol6 url=$URL/forged; checkUpToDate Server name=ovs02"
    check "a GPG repository whose repomd.xml.asc is not the signature of its repomd.xml fails" \
        bash -c '[ "$1" -ne 0 ] && grep -q "the signature of repodata/repomd.xml does not verify with pkgSignatureKey: BAD signature" <<<"$2"' _ "$rc" "$out"
    ovm "edit ServerUpdateRepository name=ol6 url=$URL/signed pkgSignatureKey=$URL/same/repodata/repomd.xml; checkUpToDate Server name=ovs02"
    check "a pkgSignatureKey that is no OpenPGP key fails" \
        bash -c '[ "$1" -ne 0 ] && grep -q "pkgSignatureKey is not an OpenPGP public key" <<<"$2"' _ "$rc" "$out"
    ovm "edit ServerUpdateRepository name=ol6 pkgSignatureKey=$URL/RPM-GPG-KEY; checkUpToDate Server name=ovs02"
    check_seen "a GPG repository with a good signature (gpgv) is read" show_out test "$rc" -eq 0
    check "and it offers ovs-agent 3.4.7-2150" up_to_date ovs02 No
else
    for i in 1 2 3 4; do
        tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP gpg or gpgv (Debian gnupg, gpgv) is missing"
    done
fi
ovm "edit ServerUpdateRepository name=ol6 url=$URL/new pkgSignatureType=NONE"

# ---- upgrade with a running VM ----
check "HA VM v1" ha_vm v1 Yes 50
ovm "start Vm name=v1"
check "v1 runs" wait_for 30 vm_is v1 Running
src=$(vm_host v1)
other=ovs02; [ "$src" = ovs02 ] && other=ovs03
export -f vm_host vm_field vm_is ovm field; export work OVMSH_BIN
ovm "upgrade Server name=$src"
check_seen "upgrade Server $src succeeds" show_out test "$rc" -eq 0
check "v1 was evacuated to $other and runs" bash -c '[ "$(vm_host v1)" = "$1" ] && vm_is v1 Running' _ "$other"
check "v1 still runs on $other's agent" runs_on "$FLEET_NET.${other#ovs0}" v1
ovm "show Server name=$src"
check "$src is Running" test "$(field Status)" = Running
check "$src is out of maintenance mode" test "$(field 'Maintenance Mode')" = No
check "$src reports OVM Version 3.4.7-2150" test "$(field 'OVM Version')" = 3.4.7-2150
check "$src is Up To Date" test "$(field 'Up To Date')" = Yes
ovm "checkUpToDate Server name=$src"
check "a new checkUpToDate finds nothing newer" up_to_date "$src" Yes
sid=$(ovm "show Server name=$src"; field Id)
check "an upgrade event for $src" test "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM events WHERE target='$sid' AND type='SERVER_UPGRADE'")" -ge 1

# ---- an upgrade that fails: the second server of the rollout ----
ovm "edit ServerUpdateRepository name=ol6 url=$URL/badsum; upgrade Server name=$other"
check "upgrade Server $other against a lying repository fails" \
    bash -c '[ "$1" -ne 0 ] && grep -q "does not match" <<<"$2"' _ "$rc" "$out"
ovm "show Server name=$other"
check "$other is left in maintenance mode" test "$(field 'Maintenance Mode')" = Yes
check "$other is Running" test "$(field Status)" = Running
oid=$(ovm "show Server name=$other"; field Id)
check "an error event for $other" test "$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT count(*) FROM events WHERE target='$oid' AND type='SERVER_UPGRADE' AND severity='ERROR'")" -eq 1
check "v1 was evacuated again and runs on $src" bash -c '[ "$(vm_host v1)" = "$1" ] && vm_is v1 Running' _ "$src"
ovm "edit ServerUpdateRepository name=ol6 url=$URL/new; upgrade Server name=$src"
check "the rollout stops: upgrade Server $src is refused while $other is in maintenance mode" \
    bash -c '[ "$1" -ne 0 ] && grep -q "Error Msg: Cannot upgrade Server $3: Server $4 of the same pool is in maintenance mode" <<<"$2"' \
    _ "$rc" "$out" "$src" "$other"
check "v1 runs on untouched" bash -c '[ "$(vm_host v1)" = "$1" ] && vm_is v1 Running' _ "$src"
ovm "edit Server name=$other maintenanceMode=No"
check "$other cannot leave maintenance mode before its error event is acknowledged" test "$rc" -ne 0
eid=$(sqlite3 -readonly "$work/m/ovmd.db" "SELECT id FROM events WHERE target='$oid' AND type='SERVER_UPGRADE' AND severity='ERROR'")
ovm "ackEvent eventId=$eid; edit Server name=$other maintenanceMode=No"
check_seen "$other leaves maintenance mode after ackEvent" show_out test "$rc" -eq 0
ovm "upgrade Server name=$other"
check_seen "upgrade Server $other from the good repository now succeeds" show_out test "$rc" -eq 0
ovm "show Server name=$other"
check "$other reports OVM Version 3.4.7-2150" test "$(field 'OVM Version')" = 3.4.7-2150
check "$other is out of maintenance mode" test "$(field 'Maintenance Mode')" = No

if [ -n "$bmc" ]; then
    check "ovs03's agent was restarted through its ServerController" test "$(cat "$work/a3.pid")" != "$pid3"
    ovm "refresh Server name=ovs03; show Server name=ovs03"
    check "after its restart ovs03's agent still reports OVM Version 3.4.7-2150" test "$(field 'OVM Version')" = 3.4.7-2150
else
    for i in 1 2; do
        tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP ipmi_sim (openipmi) or ss is missing: no ServerController restart"
    done
fi

# ---- a pool's own ServerUpdateGroup replaces the global one ----
ovm "create ServerUpdateGroup name=cpool-upd on ServerPool name=cpool"
check "create ServerUpdateGroup on ServerPool cpool" test "$rc" -eq 0
ovm "create ServerUpdateGroup name=cpool-upd2 on ServerPool name=cpool"
check "a second group for cpool is refused" bash -c '[ "$1" -ne 0 ] && grep -q "Error Msg: ServerPool cpool already has ServerUpdateGroup cpool-upd" <<<"$2"' _ "$rc" "$out"
ovm "checkUpToDate Server name=ovs02"
check "the pool's empty group applies: no repository for ovs02" \
    bash -c '[ "$1" -ne 0 ] && grep -q "Error Msg: No enabled ServerUpdateRepository applies to Server ovs02 (ServerUpdateGroup cpool-upd)" <<<"$2"' _ "$rc" "$out"
ovm "create ServerUpdateRepository name=poolrepo repositoryName=pool_repo url=$URL/same enabled=Yes pkgSignatureType=NONE on ServerUpdateGroup name=cpool-upd; checkUpToDate Server name=ovs02"
check "the pool's repository (older packages) leaves ovs02 Up To Date" bash -c '[ "$1" -eq 0 ]' _ "$rc"
check "ovs02 Up To Date = Yes" up_to_date ovs02 Yes
ovm "delete ServerUpdateGroup name=cpool-upd"
check "a group with repositories cannot be deleted" bash -c '[ "$1" -ne 0 ] && grep -q "Error Msg: Cannot delete ServerUpdateGroup cpool-upd: it has 1" <<<"$2"' _ "$rc" "$out"
ovm "delete ServerUpdateGroup name=GlobalX86ServerUpdateConfiguration"
check "the global group cannot be deleted" bash -c '[ "$1" -ne 0 ] && grep -q "global default" <<<"$2"' _ "$rc" "$out"
ovm "delete ServerUpdateRepository name=poolrepo; delete ServerUpdateGroup name=cpool-upd; list ServerUpdateGroup"
check_seen "the pool's group and repository are deleted; the global one stays" show_out \
    bash -c '[ "$1" -eq 0 ] && ! grep -q "name:cpool-upd" <<<"$2" && grep -q "name:GlobalX86ServerUpdateConfiguration" <<<"$2"' _ "$rc" "$out"

tap_done
