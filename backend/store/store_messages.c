/* The vm_messages table (store_tables.h): what sendVmMessage log=Yes keeps,
 * read by getVmSentMessages and emptied by clearVmAllSentMessages. Callers
 * hold the store lock (read to scan, write to change), as for events. */
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

/* Steps st to its end, finalizes it; 0, or -1 with *err. */
static int finish(sqlite3 *db, sqlite3_stmt *st, char **err)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    if (rc)
        *err = xasprintf("store: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

int store_message_add(store *s, const char *vm, const char *key, const char *value, int64_t time_ms, char **err)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = prepare(db, "INSERT INTO vm_messages(vm, key, value, time_ms) VALUES(?, ?, ?, ?)", err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, vm, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, time_ms);
    return finish(db, st, err);
}

int store_message_scan(store *s, const char *vm, void (*fn)(void *ctx, const char *key, const char *value,
                                                           int64_t time_ms),
                       void *ctx, char **err)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = prepare(db, "SELECT key, value, time_ms FROM vm_messages WHERE vm = ? ORDER BY id", err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, vm, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ctx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
           sqlite3_column_int64(st, 2));
    if (rc != SQLITE_DONE)
        *err = xasprintf("store: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_message_clear(store *s, const char *vm, char **err)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = prepare(db, "DELETE FROM vm_messages WHERE vm = ?", err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, vm, -1, SQLITE_STATIC);
    if (finish(db, st, err) != 0)
        return -1;
    return sqlite3_changes(db);
}
