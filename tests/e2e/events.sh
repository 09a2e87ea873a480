#!/usr/bin/env bash
# The event readers (doc/command-language.md "Events"): getEvents with objType/objId
# (a name or an id), severity, acknowledged (Oracle's default No: open events
# only), startTime/endTime and amount; getEventsForObject, getTriageEvent and
# getEventListByQuery. The events are written into a stopped engine's real
# sqlite store, so times and severities are known, then read through ovmsh.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/lib/fleet.sh"
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP sqlite3 missing"; exit 0; }
work=$(mktemp -d /tmp/ovm-events.XXXXXX)
trap 'ovmd_stop "$work/m" >/dev/null 2>&1; rm -rf "$work"' EXIT

check "ovmd starts" ovmd_start "$work/m"
ovm "create Network name=n1; create Network name=n2; create Tag name=dup; create Network name=dup"
check "objects created" test "$rc" -eq 0
id_of() { ovm "show Network name=$1"; field Id | cut -d' ' -f1; }
n1=$(id_of n1); n2=$(id_of n2)
check "networks have ids" test -n "$n1" -a -n "$n2"
check "engine stops" ovmd_stop "$work/m"

# ms TIME: local time to epoch milliseconds (the engine reads times as local time).
ms() { echo $(( $(date -d "$1" +%s) * 1000 )); }
ev() { # ID TYPE SEVERITY SUMMARY TARGET TIME ACK
    echo "INSERT INTO events(id, type, severity, summary, target, target_type, time_ms, acknowledged)" \
         "VALUES($1, '$2', '$3', '$4', '$5', 'Network', $(ms "$6"), $7);"
}
{
    ev 1700000000001 VM_STATE INFORMATIONAL "e1 info" "$n1" "2026-01-10 10:00" 0
    ev 1700000000002 SERVER_DISCONNECT WARNING "e2 warning" "$n1" "2026-01-10 11:00" 0
    ev 1700000000003 NETWORK_CONFIG_FAILED ERROR "e3 error" "$n1" "2026-01-10 12:00" 1
    ev 1700000000004 SERVER_OFFLINE CRITICAL "e4 critical" "$n1" "2026-01-10 13:00:30" 0
    ev 1700000000005 JOB_FAILED WARNING "e5 warning" "$n2" "2026-01-11 09:00" 0
    ev 1700000000006 JOB_FAILED ERROR "e6 gone" "0004deadbeef" "2026-01-11 10:00" 0
} | sqlite3 "$work/m/ovmd.db"
check "events written into the store" test "$(sqlite3 -readonly "$work/m/ovmd.db" 'SELECT count(*) FROM events')" -eq 6
check "ovmd restarts" ovmd_start "$work/m"

# got: the summaries listed in $out, in order, space-separated.
got() { sed -n 's/^  id:[0-9]*  name:[A-Za-z]* \(e[0-9]\).*/\1/p' <<<"$out" | tr '\n' ' ' | sed 's/ $//'; }
expect() { # DESCRIPTION EXPECTED COMMAND
    ovm "$3"
    if [ "$rc" -eq 0 ] && [ "$(got)" = "$2" ]; then ok "$1"; else not_ok "$1 (rc $rc, got '$(got)', want '$2')"; fi
}
expect "getEvents lists open events only, oldest first" "e1 e2 e4 e5 e6" "getEvents"
expect "acknowledged=Yes adds the acknowledged ones" "e1 e2 e3 e4 e5 e6" "getEvents acknowledged=Yes"
expect "acknowledged=No is the default" "e1 e2 e4 e5 e6" "getEvents acknowledged=no"
expect "objId takes a name" "e1 e2 e4" "getEvents objType=Network objId=n1"
expect "objId takes an id; objType is case-insensitive" "e5" "getEvents objType=network objId=$n2"
expect "events of a deleted object stay readable by its id" "e6" "getEvents objType=Network objId=0004deadbeef"
expect "severity matches one severity" "e2 e5" "getEvents severity=WARNING"
expect "startTime in Oracle's MM-dd-yyyy HH:mm" "e4 e5 e6" "getEvents startTime=\"01-10-2026 12:30\""
expect "endTime takes the whole minute it names" "e1 e2 e4" "getEvents endTime=\"01-10-2026 13:00\""
expect "ISO times work too" "e2 e4" "getEvents startTime=\"2026-01-10 11:00:00\" endTime=\"2026-01-10 23:59:59\""
expect "amount keeps the newest N" "e5 e6" "getEvents amount=2"
expect "getEventsForObject lists acknowledged events too" "e1 e2 e3 e4" "getEventsForObject objType=Network objId=n1"
expect "getTriageEvent: the open event of highest severity" "e4" "getTriageEvent objType=Network objId=n1"
expect "getTriageEvent of an object without open events is empty" "" "getTriageEvent objType=Network objId=dup"
expect "query: severity GTE WARNING, several objects" "e2 e4 e5" \
    "getEventListByQuery objType=Network objIds=n1,$n2 severity=WARNING severityEqualityType=GTE"
expect "query: severity LT ERROR" "e1 e2 e5" "getEventListByQuery severity=ERROR severityEqualityType=LT"
expect "query: eventTypes LIKE (substring, any case)" "e2 e4" "getEventListByQuery eventTypes=server_"
expect "query: eventTypes NOT_LIKE" "e1 e5 e6" \
    "getEventListByQuery eventTypes=SERVER,NETWORK eventEqualityType=NOT_LIKE"
expect "query: userAckable=No keeps informational events" "e1" "getEventListByQuery userAckable=No"
expect "query: acknowledged=Yes and maxResults" "e3 e4" \
    "getEventListByQuery objType=Network objIds=n1 acknowledged=Yes maxResults=2 severity=ERROR severityEqualityType=GTE"
expect "ackEvent then getEvents hides the event" "e1 e4 e5 e6" "ackEvent eventId=1700000000002; getEvents"

# Bad input: a clear Error Msg, nothing listed.
refused() { # DESCRIPTION ERROR-TEXT COMMAND
    ovm "$3"
    if [ "$rc" -ne 0 ] && grep '^Error Msg: ' <<<"$out" | grep -qF "$2"; then ok "$1"; else not_ok "$1: $out"; fi
}
refused "objType without objId" "Missing mandatory attribute: objId" "getEvents objType=Network"
refused "objId without objType" "Missing mandatory attribute: objType" "getEvents objId=n1"
refused "an unknown object" "Cannot find Network with name or id: nope" "getEvents objType=Network objId=nope"
refused "a name is looked up among objType's objects only" "Cannot find Tag with name or id: n1" \
    "getEventsForObject objType=Tag objId=n1"
refused "a bad time" "Invalid value '2026-13-45 99:00' for startTime" "getEvents startTime=\"2026-13-45 99:00\""
refused "endTime before startTime" "expected a time not before startTime" \
    "getEvents startTime=\"01-10-2026 12:00\" endTime=\"01-09-2026 12:00\""
refused "an unknown severity" "severity" "getEvents severity=LOUD"
refused "severityEqualityType without severity" "severityEqualityType needs severity" \
    "getEventListByQuery severityEqualityType=GT"
refused "getTriageEvent needs objId" "Missing mandatory attribute: objId" "getTriageEvent objType=Network"
refused "amount must be positive" "amount" "getEvents amount=0"
check "the refusals changed nothing" test "$(sqlite3 -readonly "$work/m/ovmd.db" \
    'SELECT count(*) FROM events WHERE acknowledged = 0')" -eq 4
check "engine stops cleanly" ovmd_stop "$work/m"
tap_done
