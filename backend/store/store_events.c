/* The events table (store_tables.h): raised by jobs and the monitor, listed
 * and acknowledged by getEvents and ackEvent. */
#include "backend/store/store_tables.h"
#include <sqlite3.h>
#include <stdio.h>
#include "lib/log.h"
#include "lib/util.h"

int store_event_insert(store *s, int64_t id, const char *type, const char *severity, const char *summary,
                       const char *target_id, const char *target_type, int64_t job, int64_t time_ms)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    const char *sql = "INSERT INTO events(id, type, severity, summary, target, target_type, job, time_ms)"
                      " VALUES(?,?,?,?,?,?,?,?)";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        log_err("events: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, severity, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, summary, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, target_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, target_type, -1, SQLITE_TRANSIENT);
    if (job)
        sqlite3_bind_int64(st, 7, job);
    else
        sqlite3_bind_null(st, 7);
    sqlite3_bind_int64(st, 8, time_ms);
    if (sqlite3_step(st) != SQLITE_DONE)
        log_err("events: cannot record %s: %s", type, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return 0;
}

void store_event_auto_ack(store *s, const char *type, const char *target_id, int64_t now_ms)
{
    sqlite3_stmt *st;
    const char *sql = "UPDATE events SET acknowledged = 1, ack_user = 'system', ack_ms = ?"
                      " WHERE type = ? AND target = ? AND acknowledged = 0";
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, target_id, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

int store_event_blocking(store *s, const char *target_id, int64_t *id, char *sev, size_t sevlen)
{
    sqlite3_stmt *st;
    const char *sql = "SELECT id, severity FROM events WHERE target = ? AND acknowledged = 0"
                      " AND severity IN ('ERROR', 'CRITICAL') ORDER BY id LIMIT 1";
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, target_id, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        *id = sqlite3_column_int64(st, 0);
        snprintf(sev, sevlen, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    return found;
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

int store_event_scan(store *s, const char *target, int open_only, int (*fn)(void *ctx, const store_event_row *r),
                     void *ctx, char **err)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    const char *sql = "SELECT id, time_ms, type, severity, summary, target, target_type, acknowledged FROM events"
                      " WHERE (?1 IS NULL OR target = ?1) AND (?2 = 0 OR acknowledged = 0) ORDER BY id";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        *err = xstrdup(sqlite3_errmsg(db));
        return -1;
    }
    if (target)
        sqlite3_bind_text(st, 1, target, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_int(st, 2, open_only != 0);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_event_row r = {
            .id = sqlite3_column_int64(st, 0), .time_ms = sqlite3_column_int64(st, 1), .type = col(st, 2),
            .severity = col(st, 3), .summary = col(st, 4), .target = col(st, 5), .target_type = col(st, 6),
            .acknowledged = sqlite3_column_int(st, 7),
        };
        if (fn(ctx, &r) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        *err = xstrdup(sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_event_target_known(store *s, const char *target)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store_db(s), "SELECT 1 FROM events WHERE target = ? LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, target, -1, SQLITE_TRANSIENT);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* 1 the event exists, 0 it does not, -1 on a database error. */
static int event_exists(sqlite3 *db, int64_t id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM events WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int store_event_ack(store *s, int64_t id, const char *user, int64_t now_ms, char **err)
{
    sqlite3 *db = store_db(s);
    int found = event_exists(db, id);
    if (found == 1) {
        sqlite3_stmt *st;
        const char *sql = "UPDATE events SET acknowledged = 1, ack_user = ?, ack_ms = ?"
                          " WHERE id = ? AND acknowledged = 0";
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
            found = -1;
        } else {
            sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, now_ms);
            sqlite3_bind_int64(st, 3, id);
            if (sqlite3_step(st) != SQLITE_DONE)
                found = -1;
            if (found < 0) /* read before finalize, which resets the message */
                *err = xstrdup(sqlite3_errmsg(db));
            sqlite3_finalize(st);
            return found;
        }
    }
    if (found < 0)
        *err = xstrdup(sqlite3_errmsg(db));
    return found;
}
