/* The stats table (store_tables.h): the samples the monitor records
 * (backend/monitor/stats.c), read by getStatList and its kin and pruned by
 * age. Callers hold the store lock (read to scan, write to change). */
#include "backend/store/store_tables.h"
#include <sqlite3.h>
#include <stdlib.h>
#include "lib/util.h"

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql, char **err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        *err = xasprintf("store: %s", sqlite3_errmsg(db));
        return NULL;
    }
    return st;
}

int store_stat_add(store *s, const char *obj, const char *stat, int64_t time_ms, double value, char **err)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = prepare(db, "INSERT INTO stats(obj, stat, time_ms, value) VALUES(?, ?, ?, ?)", err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, obj, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, stat, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, time_ms);
    sqlite3_bind_double(st, 4, value);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    if (rc)
        *err = xasprintf("store: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

int store_stat_scan(store *s, const char *obj, const char *stat, int64_t from, int64_t to,
                    int (*fn)(void *ctx, int64_t time_ms, double value), void *ctx, char **err)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = prepare(db, "SELECT time_ms, value FROM stats WHERE obj = ? AND stat = ?"
                                   " AND time_ms >= ? AND time_ms <= ? ORDER BY time_ms, rowid", err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, obj, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, stat, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, from);
    sqlite3_bind_int64(st, 4, to);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1)) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    if (rc != SQLITE_DONE)
        *err = xasprintf("store: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_stat_prune(store *s, int64_t before_ms, char **err)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = prepare(db, "DELETE FROM stats WHERE time_ms < ?", err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, before_ms);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    if (rc)
        *err = xasprintf("store: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc ? -1 : sqlite3_changes(db);
}
