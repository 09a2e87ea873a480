/* The store's database (store.h): schema migrations, loading every object,
 * the locks and transactions. The indexes are in store_index.c, the objects in store_obj.c. */
#include "backend/store/store_impl.h"
#include "backend/store/store.h"
#include "lib/crashpoint.h"
#include "backend/store/store_names.h"
#include <sqlite3.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/fsmode.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* Versioned schema migrations; index i brings the schema from version i to i+1. */
static const char *const migrations[] = {
    "CREATE TABLE objects(id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL);"
    "CREATE INDEX objects_type ON objects(type);"
    "CREATE TABLE attrs(obj TEXT NOT NULL REFERENCES objects(id) ON DELETE CASCADE,"
    " key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(obj, key)) WITHOUT ROWID;"
    "CREATE TABLE jobs(id INTEGER PRIMARY KEY, parent INTEGER REFERENCES jobs(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL,"
    " run_state TEXT NOT NULL, progress TEXT NOT NULL DEFAULT '', user TEXT NOT NULL,"
    " start_ms INTEGER NOT NULL, end_ms INTEGER, target TEXT, result TEXT, error TEXT NOT NULL DEFAULT '',"
    " command TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX jobs_parent ON jobs(parent);"
    "CREATE TABLE events(id INTEGER PRIMARY KEY, type TEXT NOT NULL, severity TEXT NOT NULL,"
    " summary TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', target TEXT, target_type TEXT,"
    " job INTEGER REFERENCES jobs(id) ON DELETE SET NULL, time_ms INTEGER NOT NULL,"
    " acknowledged INTEGER NOT NULL DEFAULT 0, ack_user TEXT, ack_ms INTEGER);"
    "CREATE INDEX events_target ON events(target);",
    /* 2: a job's goal (backend/jobs/job_goals.c) is data in its row. Rows of
     * earlier versions get theirs from their names, once, here. */
    "ALTER TABLE jobs ADD COLUMN goal TEXT;"
    "UPDATE jobs SET goal = 'status Running' WHERE name LIKE 'Start VM:%' OR name LIKE 'HA Restart VM:%'"
    " OR name LIKE 'Restart VM:%' OR name LIKE 'Resume VM:%';"
    "UPDATE jobs SET goal = 'status Stopped' WHERE name LIKE 'Stop VM:%' OR name LIKE 'Kill VM:%';"
    "UPDATE jobs SET goal = 'status Suspended' WHERE name LIKE 'Suspend VM:%';"
    "UPDATE jobs SET goal = 'created Vm' WHERE name LIKE 'Create VM:%';",
    /* 3: the uid of the engine socket's peer that ran the job (SO_PEERCRED,
     * doc/architecture.md §1), next to the user name it claimed. */
    "ALTER TABLE jobs ADD COLUMN peer_uid INTEGER;",
    /* 4: the Manager's log of messages sent to VMs with log=Yes
     * (store_messages.c). No foreign key: a failed delete Vm job that undoes
     * itself recreates the Vm, and a cascade would have lost its log; rows of
     * VMs gone for good are dropped when the store opens. */
    "CREATE TABLE vm_messages(id INTEGER PRIMARY KEY, vm TEXT NOT NULL, key TEXT NOT NULL,"
    " value TEXT NOT NULL, time_ms INTEGER NOT NULL);"
    "CREATE INDEX vm_messages_vm ON vm_messages(vm);",
    /* 5: the statistics history (store_stats.c): one row per sample of one
     * statType of one object; pruned by age (the statistics hold time). */
    "CREATE TABLE stats(obj TEXT NOT NULL, stat TEXT NOT NULL, time_ms INTEGER NOT NULL,"
    " value REAL NOT NULL);"
    "CREATE INDEX stats_obj ON stats(obj, stat, time_ms);"
    "CREATE INDEX stats_time ON stats(time_ms);",
    /* 6: the Manager's recurring work as PeriodicTask objects (doc/object-model.md
     * §7.7). The statistics archive's interval moves from the Manager's
     * archiveInterval (setArchiveConfig) onto its task: one place holds it. */
    "INSERT OR IGNORE INTO objects(id, type, name) VALUES('" STORE_ARCHIVE_TASK_ID "', 'PeriodicTask',"
    " 'Statistics Archive Task');"
    "INSERT OR IGNORE INTO attrs(obj, key, value) VALUES('" STORE_ARCHIVE_TASK_ID "', 'taskInterval',"
    " COALESCE((SELECT a.value FROM attrs a JOIN objects o ON o.id = a.obj"
    " WHERE o.type = 'Manager' AND a.key = 'archiveInterval' LIMIT 1), '60'));"
    "INSERT OR IGNORE INTO attrs(obj, key, value) VALUES('" STORE_ARCHIVE_TASK_ID "', 'enabled', 'Yes');"
    "INSERT OR IGNORE INTO attrs(obj, key, value) VALUES('" STORE_ARCHIVE_TASK_ID "', 'description',"
    " 'Removes statistics older than the hold time (setStatsConfig holdTime)');"
    "DELETE FROM attrs WHERE key = 'archiveInterval' AND obj IN (SELECT id FROM objects WHERE type = 'Manager');",
};

static int exec_sql(sqlite3 *db, const char *sql, char **err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        if (err)
            *err = xasprintf("store: %s", msg ? msg : "unknown error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Runs one cached statement (*st, prepared from sql on first use). */
static int exec_cached(store *s, sqlite3_stmt **st, const char *sql, char **err)
{
    if (!*st && sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
        *err = xasprintf("store: %s", sqlite3_errmsg(s->db));
        return -1;
    }
    int rc = sqlite3_step(*st);
    if (rc != SQLITE_DONE)
        *err = xasprintf("store: %s", sqlite3_errmsg(s->db));
    sqlite3_reset(*st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int schema_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int v = 0;
    if (sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

int store_schema_max(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

static int migrate(sqlite3 *db, char **err)
{
    if (exec_sql(db, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)", err))
        return -1;
    int v = schema_version(db);
    int target = (int)(sizeof migrations / sizeof migrations[0]);
    if (v > target) {
        *err = xasprintf("store: schema version %d is newer than this ovmd (%d)", v, target);
        return -1;
    }
    for (; v < target; v++) {
        if (exec_sql(db, "BEGIN", err) || exec_sql(db, migrations[v], err))
            return exec_sql(db, "ROLLBACK", NULL), -1;
        char *up = xasprintf("DELETE FROM schema_version; INSERT INTO schema_version VALUES(%d)", v + 1);
        int rc = exec_sql(db, up, err);
        free(up);
        if (rc || exec_sql(db, "COMMIT", err))
            return -1;
        log_info("store: schema migrated to version %d", v + 1);
    }
    return 0;
}

static int load_all(store *s, char **err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT id, type, name FROM objects", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    s->loading = 1;
    while (sqlite3_step(st) == SQLITE_ROW)
        store_index_add(s, store_obj_new((const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 0),
                             (const char *)sqlite3_column_text(st, 2)));
    s->loading = 0;
    sqlite3_finalize(st);
    for (size_t i = 0; i < s->ntypes; i++)
        qsort(s->types[i].v, s->types[i].n, sizeof *s->types[i].v, store_list_cmp);
    if (sqlite3_prepare_v2(s->db, "SELECT obj, key, value FROM attrs", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    while (sqlite3_step(st) == SQLITE_ROW) {
        obj *o = store_get(s, (const char *)sqlite3_column_text(st, 0));
        const char *key = (const char *)sqlite3_column_text(st, 1);
        if (o) {
            store_obj_attr_put(o, key, (const char *)sqlite3_column_text(st, 2));
            store_idx_add(s, o, key, obj_get(o, key));
        }
    }
    sqlite3_finalize(st);
    return 0;
fail:
    *err = xasprintf("store: %s", sqlite3_errmsg(s->db));
    return -1;
}

static int prepare_all(store *s)
{
    return sqlite3_prepare_v2(s->db, "INSERT INTO objects(id, type, name) VALUES(?, ?, ?)", -1, &s->st_ins_obj, NULL) ||
           sqlite3_prepare_v2(s->db, "UPDATE objects SET name = ? WHERE id = ?", -1, &s->st_upd_name, NULL) ||
           sqlite3_prepare_v2(s->db, "DELETE FROM objects WHERE id = ?", -1, &s->st_del_obj, NULL) ||
           sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO attrs(obj, key, value) VALUES(?, ?, ?)", -1, &s->st_set,
                              NULL) ||
           sqlite3_prepare_v2(s->db, "DELETE FROM attrs WHERE obj = ? AND key = ?", -1, &s->st_unset, NULL);
}

/* The store holds password hashes and agent credentials: the database is
 * created 0600 before sqlite opens it (sqlite gives its WAL and shm files the
 * database's mode), and files found more open are tightened. */
static int private_db_files(const char *path, char **err)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        char *p = xasprintf("%s%s", path, suffix[i]);
        int rc = fs_private_file(p, 0600, i == 0);
        if (rc != 0)
            *err = xasprintf("store: cannot open %s: %s", p, strerror(errno));
        free(p);
        if (rc != 0)
            return -1;
    }
    return 0;
}

store *store_open(const char *path, char **err)
{
    store *s = xcalloc(1, sizeof *s);
    pthread_rwlock_init(&s->rw, NULL);
    s->names = names_new();
    if (private_db_files(path, err) != 0)
        goto fail;
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        *err = xasprintf("store: cannot open %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* WAL + synchronous=NORMAL: a committed job survives an engine crash; only
     * an OS crash or power loss can lose the last transactions, never corrupt. */
    if (exec_sql(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", err) ||
        migrate(s->db, err) || load_all(s, err) ||
        exec_sql(s->db, "DELETE FROM vm_messages WHERE vm NOT IN (SELECT id FROM objects)", err))
        goto fail;
    if (prepare_all(s)) {
        *err = xasprintf("store: %s", sqlite3_errmsg(s->db));
        goto fail;
    }
    return s;
fail:
    store_close(s);
    return NULL;
}

void store_close(store *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->st_ins_obj);
    sqlite3_finalize(s->st_upd_name);
    sqlite3_finalize(s->st_del_obj);
    sqlite3_finalize(s->st_set);
    sqlite3_finalize(s->st_unset);
    sqlite3_finalize(s->st_job_save);
    sqlite3_finalize(s->st_begin);
    sqlite3_finalize(s->st_commit);
    if (s->db)
        sqlite3_close(s->db);
    for (size_t i = 0; i < HASH_BUCKETS; i++) {
        for (hnode *n = s->buckets[i], *next; n; n = next) {
            next = n->next;
            store_obj_free(n->o);
            free(n);
        }
    }
    for (size_t i = 0; i < HASH_BUCKETS; i++) {
        for (inode *n = s->ibuckets[i], *next; n; n = next) {
            next = n->next;
            free(n);
        }
    }
    for (size_t i = 0; i < s->ntypes; i++) {
        free((char *)s->types[i].type);
        free(s->types[i].v);
    }
    free(s->types);
    names_free(s->names);
    pthread_rwlock_destroy(&s->rw);
    free(s);
}

struct sqlite3 *store_db(store *s)
{
    return s->db;
}

void store_rdlock(store *s)
{
    pthread_rwlock_rdlock(&s->rw);
}

void store_wrlock(store *s)
{
    pthread_rwlock_wrlock(&s->rw);
}

void store_unlock(store *s)
{
    pthread_rwlock_unlock(&s->rw);
}

void store_step_reset(store *s, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        log_err("store: write failed: %s", sqlite3_errmsg(s->db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

void store_begin(store *s)
{
    if (s->txdepth++ == 0) {
        char *err = NULL;
        if (exec_cached(s, &s->st_begin, "BEGIN", &err)) {
            log_err("%s", err);
            free(err);
        }
        crash_point("store.begin");
    }
}

int store_commit(store *s)
{
    if (s->txdepth == 0 || --s->txdepth > 0)
        return 0;
    char *err = NULL;
    crash_point("store.commit"); /* the transaction is written but not committed */
    if (exec_cached(s, &s->st_commit, "COMMIT", &err)) {
        log_err("%s", err);
        free(err);
        return -1;
    }
    return 0;
}

void store_set_actor(store *s, int64_t job)
{
    s->actor = job;
}
