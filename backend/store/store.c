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

#define HASH_BUCKETS 65536u

typedef struct hnode {
    obj *o;
    struct hnode *next;
} hnode;

/* The objects of one type, kept in list order (cli-contract §7.3) as they
 * change: a create, rename or delete moves one slot by binary search, so
 * nothing is re-sorted after a change and `list` only copies the array. */
typedef struct tlist {
    const char *type;
    obj **v;
    size_t n, cap;
} tlist;

/* Secondary index on the reference attributes that ops and show query by
 * value (store_find_by), so that "VMs of this server" does not scan every VM. */
typedef struct inode {
    const char *key;    /* one of indexed_keys */
    const char *value;  /* the object's attribute value (owned by the object) */
    obj *o;
    struct inode *next;
} inode;

static const char *const indexed_keys[] = {"vm",          "server",       "serverPool", "repository", "network",
                                           "virtualDisk", "virtualCdrom", "fileServer", "fileSystem", NULL};

struct store {
    sqlite3 *db;
    inode *ibuckets[HASH_BUCKETS];
    pthread_rwlock_t rw;
    hnode *buckets[HASH_BUCKETS];
    name_index *names;
    int loading;        /* load_all appends unsorted and sorts once at the end */
    tlist *types;
    size_t ntypes;
    int txdepth;
    int64_t actor;
    sqlite3_stmt *st_ins_obj, *st_upd_name, *st_del_obj, *st_set, *st_unset;
};

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
};

static unsigned hash_id(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % HASH_BUCKETS;
}

static const char *indexed(const char *key)
{
    for (const char *const *k = indexed_keys; *k; k++)
        if (!strcmp(*k, key))
            return *k;
    return NULL;
}

static unsigned hash_kv(const char *key, const char *value)
{
    unsigned h = 2166136261u ^ (unsigned)(uintptr_t)key;
    for (; *value; value++)
        h = (h ^ (unsigned char)*value) * 16777619u;
    return h % HASH_BUCKETS;
}

static void idx_add(store *s, obj *o, const char *key, const char *value)
{
    const char *k = indexed(key);
    if (!k || !*value)
        return;
    inode *n = xmalloc(sizeof *n);
    unsigned h = hash_kv(k, value);
    n->key = k;
    n->value = value;
    n->o = o;
    n->next = s->ibuckets[h];
    s->ibuckets[h] = n;
}

static void idx_remove(store *s, obj *o, const char *key, const char *value)
{
    const char *k = indexed(key);
    if (!k || !*value)
        return;
    for (inode **pp = &s->ibuckets[hash_kv(k, value)]; *pp; pp = &(*pp)->next) {
        if ((*pp)->o == o && (*pp)->key == k) {
            inode *dead = *pp;
            *pp = dead->next;
            free(dead);
            return;
        }
    }
}

/* List order: by name case-insensitively, ties by id (unique), so a total order. */
static int list_cmp(const void *a, const void *b)
{
    const obj *x = *(obj *const *)a, *y = *(obj *const *)b;
    int c = ovm_strcasecmp(x->name, y->name);
    return c ? c : strcmp(x->id, y->id);
}

/* The index of the first element of t not ordered before o. */
static size_t order_pos(const tlist *t, const obj *o)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (list_cmp(&t->v[mid], &o) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void order_insert(tlist *t, obj *o, int append)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = xrealloc(t->v, t->cap * sizeof *t->v);
    }
    size_t pos = append ? t->n : order_pos(t, o);
    memmove(&t->v[pos + 1], &t->v[pos], (t->n - pos) * sizeof *t->v);
    t->v[pos] = o;
    t->n++;
}

/* o must be at its place for its current name. */
static void order_remove(tlist *t, const obj *o)
{
    size_t pos = order_pos(t, o);
    if (pos < t->n && t->v[pos] == o) {
        memmove(&t->v[pos], &t->v[pos + 1], (t->n - pos - 1) * sizeof *t->v);
        t->n--;
    }
}

static tlist *tlist_get(store *s, const char *type, int create)
{
    for (size_t i = 0; i < s->ntypes; i++)
        if (strcmp(s->types[i].type, type) == 0)
            return &s->types[i];
    if (!create)
        return NULL;
    s->types = xrealloc(s->types, (s->ntypes + 1) * sizeof *s->types);
    tlist *t = &s->types[s->ntypes++];
    memset(t, 0, sizeof *t);
    t->type = xstrdup(type);
    return t;
}

static void index_add(store *s, obj *o)
{
    hnode *n = xmalloc(sizeof *n);
    unsigned h = hash_id(o->id);
    n->o = o;
    n->next = s->buckets[h];
    s->buckets[h] = n;
    tlist *t = tlist_get(s, o->type, 1);
    o->type = t->type;
    order_insert(t, o, s->loading);
    names_add(s->names, o);
}

static void index_remove(store *s, obj *o)
{
    unsigned h = hash_id(o->id);
    for (hnode **pp = &s->buckets[h]; *pp; pp = &(*pp)->next) {
        if ((*pp)->o == o) {
            hnode *dead = *pp;
            *pp = dead->next;
            free(dead);
            break;
        }
    }
    tlist *t = tlist_get(s, o->type, 0);
    if (t)
        order_remove(t, o);
    names_remove(s->names, o);
}

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

static void obj_attr_put(obj *o, const char *key, const char *value)
{
    for (size_t i = 0; i < o->nattrs; i++) {
        if (strcmp(o->attrs[i].key, key) == 0) {
            free(o->attrs[i].value);
            o->attrs[i].value = xstrdup(value);
            return;
        }
    }
    if (o->nattrs == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 16;
        o->attrs = xrealloc(o->attrs, o->cap * sizeof *o->attrs);
    }
    o->attrs[o->nattrs].key = xstrdup(key);
    o->attrs[o->nattrs].value = xstrdup(value);
    o->nattrs++;
}

static obj *obj_new(const char *type, const char *id, const char *name)
{
    obj *o = xcalloc(1, sizeof *o);
    o->type = type;
    o->id = xstrdup(id);
    o->name = xstrdup(name ? name : id);
    return o;
}

static void obj_free(obj *o)
{
    for (size_t i = 0; i < o->nattrs; i++) {
        free(o->attrs[i].key);
        free(o->attrs[i].value);
    }
    free(o->attrs);
    free(o->id);
    free(o->name);
    free(o);
}

static int load_all(store *s, char **err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT id, type, name FROM objects", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    s->loading = 1;
    while (sqlite3_step(st) == SQLITE_ROW)
        index_add(s, obj_new((const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 0),
                             (const char *)sqlite3_column_text(st, 2)));
    s->loading = 0;
    sqlite3_finalize(st);
    for (size_t i = 0; i < s->ntypes; i++)
        qsort(s->types[i].v, s->types[i].n, sizeof *s->types[i].v, list_cmp);
    if (sqlite3_prepare_v2(s->db, "SELECT obj, key, value FROM attrs", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    while (sqlite3_step(st) == SQLITE_ROW) {
        obj *o = store_get(s, (const char *)sqlite3_column_text(st, 0));
        const char *key = (const char *)sqlite3_column_text(st, 1);
        if (o) {
            obj_attr_put(o, key, (const char *)sqlite3_column_text(st, 2));
            idx_add(s, o, key, obj_get(o, key));
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
        migrate(s->db, err) || load_all(s, err))
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
    if (s->db)
        sqlite3_close(s->db);
    for (size_t i = 0; i < HASH_BUCKETS; i++) {
        for (hnode *n = s->buckets[i], *next; n; n = next) {
            next = n->next;
            obj_free(n->o);
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

obj *store_get(store *s, const char *id)
{
    if (!id || !*id)
        return NULL;
    for (hnode *n = s->buckets[hash_id(id)]; n; n = n->next)
        if (strcmp(n->o->id, id) == 0)
            return n->o;
    return NULL;
}

obj *store_get_typed(store *s, const char *type, const char *id)
{
    obj *o = store_get(s, id);
    return o && strcmp(o->type, type) == 0 ? o : NULL;
}

size_t store_list(store *s, const char *type, obj ***out)
{
    /* Never NULL, even when empty: callers may qsort or index it. */
    *out = xmalloc(sizeof **out);
    tlist *t = tlist_get(s, type, 0);
    if (!t || !t->n)
        return 0;
    free(*out);
    *out = xmalloc(t->n * sizeof **out);
    memcpy(*out, t->v, t->n * sizeof **out);
    return t->n;
}

size_t store_find_name(store *s, const char *type, const char *name, obj **one)
{
    return names_find(s->names, type, name, one);
}

size_t store_find_by(store *s, const char *type, const char *key, const char *value, obj ***out)
{
    /* Never NULL, even when nothing matches: callers may qsort it. */
    *out = xmalloc(sizeof **out);
    size_t cap = 1;
    const char *k = indexed(key);
    if (k && value && *value) {
        size_t n = 0;
        for (inode *i = s->ibuckets[hash_kv(k, value)]; i; i = i->next) {
            if (i->key != k || strcmp(i->value, value) != 0 || strcmp(i->o->type, type) != 0)
                continue;
            if (n == cap) {
                cap *= 2;
                *out = xrealloc(*out, cap * sizeof **out);
            }
            (*out)[n++] = i->o;
        }
        if (n > 1)
            qsort(*out, n, sizeof **out, list_cmp);
        return n;
    }
    tlist *t = tlist_get(s, type, 0);
    if (!t)
        return 0;
    size_t n = 0;
    *out = xrealloc(*out, (t->n ? t->n : 1) * sizeof **out);
    for (size_t i = 0; i < t->n; i++) /* t->v is in list order already */
        if (obj_is(t->v[i], key, value))
            (*out)[n++] = t->v[i];
    return n;
}

size_t store_count(store *s, const char *type)
{
    tlist *t = tlist_get(s, type, 0);
    return t ? t->n : 0;
}

const char *obj_get(const obj *o, const char *key)
{
    for (size_t i = 0; i < o->nattrs; i++)
        if (strcmp(o->attrs[i].key, key) == 0)
            return o->attrs[i].value;
    return NULL;
}

const char *obj_gets(const obj *o, const char *key)
{
    const char *v = obj_get(o, key);
    return v ? v : "";
}

long long obj_get_int(const obj *o, const char *key, long long dflt)
{
    const char *v = obj_get(o, key);
    if (!v || !*v)
        return dflt;
    char *end;
    long long n = strtoll(v, &end, 10);
    return *end ? dflt : n;
}

int obj_is(const obj *o, const char *key, const char *value)
{
    return strcmp(obj_gets(o, key), value ? value : "") == 0;
}

static void step_reset(store *s, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        log_err("store: write failed: %s", sqlite3_errmsg(s->db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

void store_begin(store *s)
{
    if (s->txdepth++ == 0) {
        exec_sql(s->db, "BEGIN", NULL);
        crash_point("store.begin");
    }
}

int store_commit(store *s)
{
    if (s->txdepth == 0 || --s->txdepth > 0)
        return 0;
    char *err = NULL;
    crash_point("store.commit"); /* the transaction is written but not committed */
    if (exec_sql(s->db, "COMMIT", &err)) {
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

void obj_touch(obj *o, int64_t job)
{
    o->version++;
    if (job)
        o->changed_by = job;
}

obj *store_create(store *s, const char *type, const char *id, const char *name)
{
    obj *o = obj_new(type, id, name);
    index_add(s, o);
    obj_touch(o, s->actor);
    sqlite3_bind_text(s->st_ins_obj, 1, o->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->st_ins_obj, 2, o->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->st_ins_obj, 3, o->name, -1, SQLITE_STATIC);
    step_reset(s, s->st_ins_obj);
    return o;
}

void obj_set(store *s, obj *o, const char *key, const char *value)
{
    const char *old = obj_get(o, key);
    if (old && strcmp(old, value) == 0)
        return;
    if (old)
        idx_remove(s, o, key, old);
    obj_attr_put(o, key, value);
    idx_add(s, o, key, obj_get(o, key));
    obj_touch(o, s->actor);
    sqlite3_bind_text(s->st_set, 1, o->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->st_set, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->st_set, 3, value, -1, SQLITE_STATIC);
    step_reset(s, s->st_set);
}

void obj_setf(store *s, obj *o, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = xvasprintf(fmt, ap);
    va_end(ap);
    obj_set(s, o, key, v);
    free(v);
}

void obj_unset(store *s, obj *o, const char *key)
{
    for (size_t i = 0; i < o->nattrs; i++) {
        if (strcmp(o->attrs[i].key, key) == 0) {
            idx_remove(s, o, key, o->attrs[i].value);
            free(o->attrs[i].key);
            free(o->attrs[i].value);
            o->attrs[i] = o->attrs[--o->nattrs];
            obj_touch(o, s->actor);
            sqlite3_bind_text(s->st_unset, 1, o->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(s->st_unset, 2, key, -1, SQLITE_STATIC);
            step_reset(s, s->st_unset);
            return;
        }
    }
}

void obj_rename(store *s, obj *o, const char *name)
{
    if (strcmp(o->name, name) == 0)
        return;
    tlist *t = tlist_get(s, o->type, 0);
    if (t)
        order_remove(t, o);
    names_remove(s->names, o);
    free(o->name);
    o->name = xstrdup(name);
    if (t)
        order_insert(t, o, 0);
    names_add(s->names, o);
    obj_touch(o, s->actor);
    sqlite3_bind_text(s->st_upd_name, 1, o->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->st_upd_name, 2, o->id, -1, SQLITE_STATIC);
    step_reset(s, s->st_upd_name);
}

void store_delete(store *s, obj *o)
{
    for (size_t i = 0; i < o->nattrs; i++)
        idx_remove(s, o, o->attrs[i].key, o->attrs[i].value);
    sqlite3_bind_text(s->st_del_obj, 1, o->id, -1, SQLITE_STATIC);
    step_reset(s, s->st_del_obj);
    index_remove(s, o);
    obj_free(o);
}

obj *obj_detached(const char *type, const char *id, const char *name)
{
    return obj_new(type, id, name);
}

void obj_detached_set(obj *o, const char *key, const char *value)
{
    obj_attr_put(o, key, value);
}

void obj_detached_free(obj *o)
{
    if (o)
        obj_free(o);
}

size_t split_list(const char *v, char ***out)
{
    *out = NULL;
    if (!v || !*v)
        return 0;
    size_t n = 1;
    for (const char *p = v; *p; p++)
        n += *p == ',';
    char **a = xmalloc(n * sizeof *a);
    size_t k = 0;
    for (const char *p = v;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len)
            a[k++] = xstrndup(p, len);
        if (!c)
            break;
        p = c + 1;
    }
    *out = a;
    return k;
}

void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int obj_list_has(const obj *o, const char *key, const char *id)
{
    const char *v = obj_gets(o, key);
    size_t len = strlen(id);
    for (const char *p = v; (p = strstr(p, id)) != NULL; p += len)
        if ((p == v || p[-1] == ',') && (p[len] == ',' || p[len] == '\0'))
            return 1;
    return 0;
}

void obj_list_add(store *s, obj *o, const char *key, const char *id)
{
    if (obj_list_has(o, key, id))
        return;
    const char *v = obj_gets(o, key);
    char *nv = *v ? xasprintf("%s,%s", v, id) : xstrdup(id);
    obj_set(s, o, key, nv);
    free(nv);
}

void obj_list_remove(store *s, obj *o, const char *key, const char *id)
{
    char **items;
    size_t n = split_list(obj_get(o, key), &items);
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i], id) == 0)
            continue;
        if (sb.len)
            sb_addc(&sb, ',');
        sb_adds(&sb, items[i]);
    }
    free_list(items, n);
    if (sb.len)
        obj_set(s, o, key, sb.buf);
    else
        obj_unset(s, o, key);
    sb_free(&sb);
}

static int attr_cmp(const void *a, const void *b)
{
    return strcmp(((const kv *)a)->key, ((const kv *)b)->key);
}

static int str_ptr_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *store_dump(store *s)
{
    strbuf sb = STRBUF_INIT;
    size_t nt = s->ntypes;
    const char **names = xmalloc((nt ? nt : 1) * sizeof *names);
    for (size_t i = 0; i < nt; i++)
        names[i] = s->types[i].type;
    qsort(names, nt, sizeof *names, str_ptr_cmp);
    for (size_t i = 0; i < nt; i++) {
        obj **v;
        size_t n = store_list(s, names[i], &v);
        for (size_t k = 0; k < n; k++) {
            sb_addf(&sb, "%s %s name=%s\n", v[k]->type, v[k]->id, v[k]->name);
            kv *a = xmalloc((v[k]->nattrs ? v[k]->nattrs : 1) * sizeof *a);
            memcpy(a, v[k]->attrs, v[k]->nattrs * sizeof *a);
            qsort(a, v[k]->nattrs, sizeof *a, attr_cmp);
            for (size_t j = 0; j < v[k]->nattrs; j++)
                sb_addf(&sb, "  %s=%s\n", a[j].key, a[j].value);
            free(a);
        }
        free(v);
    }
    free(names);
    return sb_detach(&sb, NULL);
}
