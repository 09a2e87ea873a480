/* The jobs table (store_tables.h): job history written through by the
 * scheduler and read back at start-up. */
#include "backend/store/store_tables.h"
#include "backend/store/store_impl.h"
#include <sqlite3.h>
#include <stdio.h>
#include "lib/log.h"

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_int_or_null(sqlite3_stmt *st, int i, int64_t v)
{
    if (v)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

void store_job_save(store *s, const store_job_row *r)
{
    sqlite3 *db = store_db(s);
    /* An upsert, not INSERT OR REPLACE: a replace deletes the row first, and
     * the ON DELETE CASCADE of jobs.parent would take the children with it. */
    const char *sql = "INSERT INTO jobs(id, parent, name, description, kind, run_state, progress, user,"
                      " start_ms, end_ms, target, result, error, command, goal, peer_uid)"
                      " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                      " ON CONFLICT(id) DO UPDATE SET parent = excluded.parent, name = excluded.name,"
                      " description = excluded.description, kind = excluded.kind, run_state = excluded.run_state,"
                      " progress = excluded.progress, user = excluded.user, start_ms = excluded.start_ms,"
                      " end_ms = excluded.end_ms, target = excluded.target, result = excluded.result,"
                      " error = excluded.error, command = excluded.command, goal = excluded.goal,"
                      " peer_uid = excluded.peer_uid";
    if (!s->st_job_save && sqlite3_prepare_v2(db, sql, -1, &s->st_job_save, NULL) != SQLITE_OK) {
        log_err("jobs: %s", sqlite3_errmsg(db));
        return;
    }
    sqlite3_stmt *st = s->st_job_save;
    sqlite3_bind_int64(st, 1, r->id);
    bind_int_or_null(st, 2, r->parent);
    sqlite3_bind_text(st, 3, r->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, r->description ? r->description : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, r->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->run_state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, r->progress ? r->progress : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, r->user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 9, r->start_ms);
    bind_int_or_null(st, 10, r->end_ms);
    bind_text_or_null(st, 11, r->target);
    bind_text_or_null(st, 12, r->result);
    sqlite3_bind_text(st, 13, r->error ? r->error : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 14, r->command ? r->command : "", -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 15, r->goal);
    if (r->peer_uid >= 0)
        sqlite3_bind_int64(st, 16, r->peer_uid);
    else
        sqlite3_bind_null(st, 16);
    if (sqlite3_step(st) != SQLITE_DONE)
        log_err("jobs: cannot record job %lld: %s", (long long)r->id, sqlite3_errmsg(db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

void store_job_delete(store *s, int64_t id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store_db(s), "DELETE FROM jobs WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

static const char *text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

void store_job_load(store *s, void (*fn)(void *ctx, const store_job_row *r), void *ctx)
{
    sqlite3_stmt *st;
    const char *sql = "SELECT id, parent, name, description, kind, run_state, progress, user, start_ms, end_ms,"
                      " target, result, error, command, goal, peer_uid FROM jobs ORDER BY id";
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        store_job_row r = {
            .id = sqlite3_column_int64(st, 0), .parent = sqlite3_column_int64(st, 1),
            .name = text(st, 2), .description = text(st, 3), .kind = text(st, 4),
            .run_state = text(st, 5), .progress = text(st, 6), .user = text(st, 7),
            .start_ms = sqlite3_column_int64(st, 8), .end_ms = sqlite3_column_int64(st, 9),
            .target = text(st, 10), .result = text(st, 11), .error = text(st, 12), .command = text(st, 13),
            .goal = text(st, 14),
            .peer_uid = sqlite3_column_type(st, 15) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 15),
        };
        fn(ctx, &r);
    }
    sqlite3_finalize(st);
}
