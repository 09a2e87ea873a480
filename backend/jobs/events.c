#include "backend/jobs/events.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "lib/util.h"

int64_t event_raise(engine *e, const char *type, const char *severity, const obj *target, const char *summary,
                    int64_t job)
{
    sqlite3 *db = store_db(e->st);
    sqlite3_stmt *st;
    int64_t id = ovm_unique_ms_id();
    const char *sql = "INSERT INTO events(id, type, severity, summary, target, target_type, job, time_ms)"
                      " VALUES(?,?,?,?,?,?,?,?)";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        log_err("events: %s", sqlite3_errmsg(db));
        return 0;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, severity, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, summary, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, target ? target->id : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, target ? target->type : "", -1, SQLITE_TRANSIENT);
    if (job)
        sqlite3_bind_int64(st, 7, job);
    else
        sqlite3_bind_null(st, 7);
    sqlite3_bind_int64(st, 8, ovm_now_ms());
    if (sqlite3_step(st) != SQLITE_DONE)
        log_err("events: cannot record %s: %s", type, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    log_info("event %lld %s %s on %s %s: %s", (long long)id, severity, type, target ? target->type : "-",
             target ? target->name : "-", summary);
    return id;
}

int64_t event_raise_unlocked(engine *e, const char *type, const char *severity, const obj *target,
                             const char *summary, int64_t job)
{
    store_wrlock(e->st);
    int64_t id = event_raise(e, type, severity, target, summary, job);
    store_unlock(e->st);
    return id;
}

void event_auto_ack(engine *e, const char *type, const char *target_id)
{
    char *sql = sqlite3_mprintf("UPDATE events SET acknowledged = 1, ack_user = 'system', ack_ms = %lld"
                                " WHERE type = %Q AND target = %Q AND acknowledged = 0",
                                (long long)ovm_now_ms(), type, target_id);
    sqlite3_exec(store_db(e->st), sql, NULL, NULL, NULL);
    sqlite3_free(sql);
}

static const char *title_case(const char *sev)
{
    if (!strcmp(sev, "CRITICAL"))
        return "Critical";
    if (!strcmp(sev, "ERROR"))
        return "Error";
    if (!strcmp(sev, "WARNING"))
        return "Warning";
    return "Informational";
}

char *event_blocking(engine *e, const obj *o)
{
    sqlite3_stmt *st;
    const char *sql = "SELECT id, severity FROM events WHERE target = ? AND acknowledged = 0"
                      " AND severity IN ('ERROR', 'CRITICAL') ORDER BY id LIMIT 1";
    if (sqlite3_prepare_v2(store_db(e->st), sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, o->id, -1, SQLITE_STATIC);
    char *msg = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        msg = xasprintf("%s %s has an unacknowledged %s event %lld; resolve its cause, run ackEvent, then retry",
                        o->type, o->name, title_case((const char *)sqlite3_column_text(st, 1)),
                        (long long)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    return msg;
}
