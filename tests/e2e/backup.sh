#!/usr/bin/env bash
# Store backups and ovmd --restore (ovmd(8), BACKUP AND RESTORE): scheduled
# copies through sqlite's online backup API, pruning to store.backup_keep,
# and a restore that validates the file, refuses while an engine runs and
# keeps the previous store as ovmd.db.before-restore. Every wait is bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
work=$(mktemp -d /tmp/ovm-backup.XXXXXX)
trap 'ovmd_stop "$work/m" >/dev/null 2>&1; rm -rf "$work"' EXIT
m=$work/m
yaml=$'monitor:\n  poll_interval: 0\nstore:\n  backup_interval: 1\n  backup_keep: 3'
ovm() { out=$(timeout 60 "$OVMSH_BIN" -S "$m/engine.sock" -c "$1" 2>&1 | tr -d '\r'); }
backups() { ls "$m/backups" 2>/dev/null | grep -c '^ovmd-.*\.db$'; }
newest() { ls "$m/backups" | grep '^ovmd-.*\.db$' | sort | tail -1; }
# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds.
wait_for() { local n=$(($1 * 5)); shift; while ! "$@"; do n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.2; done; }
tags() { sqlite3 -readonly "$1" "SELECT name FROM objects WHERE type='Tag' ORDER BY name" | tr '\n' ' '; }

check "ovmd starts with a 1 s backup interval" ovmd_start "$m" "$yaml"
ovm "create Tag name=before-backup"
at_least() { [ "$(backups)" -ge "$1" ]; }
check "a scheduled backup appears" wait_for 15 at_least 1
check "backups accumulate to the limit" wait_for 15 at_least 3
sleep 2.5
check "no more than store.backup_keep=3 are kept" test "$(backups)" -eq 3
b=$m/backups/$(newest)
check "a backup is an intact sqlite database" test "$(sqlite3 -readonly "$b" 'PRAGMA integrity_check')" = ok
check "the backup holds the objects of the live store" test "$(tags "$b")" = "before-backup "
check "no partial backup file is left behind" test -z "$(ls "$m/backups" | grep '\.part$')"
cp "$b" "$work/good.db"
ovm "create Tag name=after-backup"

out=$("$OVMD_BIN" -f "$m/ovmd.yaml" --state-dir "$m" --socket "$m/engine.sock" --restore "$work/good.db" 2>&1)
rc=$?
check "restore is refused while the engine runs" test "$rc" -ne 0
check "the refusal says an engine is running" grep -q 'engine is running' <<<"$out"
check "ovmd stops" ovmd_stop "$m"
check "the live store is untouched by the refused restore" test "$(tags "$m/ovmd.db")" = "after-backup before-backup "

restore() { out=$("$OVMD_BIN" -f "$m/ovmd.yaml" --state-dir "$m" --socket "$m/engine.sock" --restore "$1" 2>&1); rc=$?; }
echo "not a database at all" > "$work/garbage.db"
restore "$work/garbage.db"
check "a file that is not sqlite is refused" test "$rc" -ne 0
check "... saying why" grep -q 'not an intact sqlite database' <<<"$out"
sqlite3 "$work/other.db" 'CREATE TABLE t(x); INSERT INTO t VALUES(1);'
restore "$work/other.db"
check "a sqlite file that is not an ovmsh store is refused" test "$rc" -ne 0
check "... saying why" grep -q 'not an ovmsh store' <<<"$out"
cp "$work/good.db" "$work/newer.db"
sqlite3 "$work/newer.db" 'UPDATE schema_version SET version = 9999'
restore "$work/newer.db"
check "a store of a newer schema is refused" test "$rc" -ne 0
check "... saying why" grep -q 'newer than this ovmd' <<<"$out"
restore "$work/missing.db"
check "a missing file is refused" test "$rc" -ne 0
check "refused restores left the store alone" test "$(tags "$m/ovmd.db")" = "after-backup before-backup "
check "refused restores kept no before-restore copy" test ! -e "$m/ovmd.db.before-restore"

restore "$work/good.db"
check "restore of a good backup succeeds" test "$rc" -eq 0
check "the previous store is kept as ovmd.db.before-restore" \
    test "$(tags "$m/ovmd.db.before-restore")" = "after-backup before-backup "
check "the restored store is the backup" test "$(tags "$m/ovmd.db")" = "before-backup "
check "ovmd starts on the restored store" ovmd_start "$m" "$yaml"
ovm "list Tag"
check "the engine shows the backup's objects" grep -q 'name:before-backup' <<<"$out"
check "... and not the ones created after it" bash -c "! grep -q 'name:after-backup' <<<'$out'"
ovm "create Tag name=after-restore"
check "the restored engine accepts new work" grep -q 'Status: Success' <<<"$out"
check "ovmd stops cleanly" ovmd_stop "$m"
tap_done
