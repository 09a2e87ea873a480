/* The object store: every managed object in memory for fast reads, written
 * through to sqlite (WAL) so that nothing survives only in memory. Only the
 * engine opens it. Objects are generic (type, id, name, attributes); the
 * grammar says which attributes a type has, the ops files give them meaning.
 *
 * Locking: one reader/writer lock for the whole store. Sessions take it for
 * reading to list/show/validate; jobs take it for writing to apply changes.
 * Agent calls are never made while holding it. */
#ifndef OVM_STORE_H
#define OVM_STORE_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kv {
    char *key;          /* interned by the store (store_obj.c): never freed */
    char *value;
} kv;

typedef struct obj {
    const char *type;   /* canonical type name (static) */
    char *id;
    char *name;
    kv *attrs;
    size_t nattrs, cap;
    int64_t version;    /* bumped on every change (stale-object detection) */
    int64_t changed_by; /* job that made the last change, 0 if none */
    int64_t lock_job;   /* job holding the object's lock, 0 if none */
    int64_t released_ms;/* when a job last released the lock: the monitor
                         * ignores host reports asked for before that */
} obj;

typedef struct store store;

/* Opens (creating and migrating if needed) the database at path and loads
 * every object. NULL with *err (heap) on failure. */
store *store_open(const char *path, char **err);
void store_close(store *s);
/* The raw sqlite handle, for the job and event tables (engine thread use). */
struct sqlite3 *store_db(store *s);

void store_rdlock(store *s);
void store_wrlock(store *s);
void store_unlock(store *s);

/* Lookups (caller holds the lock). */
obj *store_get(store *s, const char *id);
obj *store_get_typed(store *s, const char *type, const char *id);
/* All objects of a type in list order (doc/command-language.md §7.3): by name
 * case-insensitively, ties by id. The array is the caller's (never NULL, even
 * when empty); the objects are not. */
size_t store_list(store *s, const char *type, obj ***out);
/* Number of objects of type named exactly name (hashed: the cost does not
 * grow with the store); *one is one of them, NULL when there is none. */
size_t store_find_name(store *s, const char *type, const char *name, obj **one);
/* Objects of type whose attribute key equals value, in list order; the array
 * is the caller's and never NULL. */
size_t store_find_by(store *s, const char *type, const char *key, const char *value, obj ***out);
/* Count of objects of a type. */
size_t store_count(store *s, const char *type);

const char *obj_get(const obj *o, const char *key);      /* NULL if unset */
const char *obj_gets(const obj *o, const char *key);     /* "" if unset */
long long obj_get_int(const obj *o, const char *key, long long dflt);
int obj_is(const obj *o, const char *key, const char *value); /* equal, "" for unset */

/* Mutations (caller holds the write lock). Each is written to sqlite at once
 * inside the current transaction (store_begin/store_commit), or autocommitted. */
void store_begin(store *s);
int store_commit(store *s);
obj *store_create(store *s, const char *type, const char *id, const char *name);
void obj_set(store *s, obj *o, const char *key, const char *value);
void obj_setf(store *s, obj *o, const char *key, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void obj_unset(store *s, obj *o, const char *key);
void obj_rename(store *s, obj *o, const char *name);
void store_delete(store *s, obj *o);
/* Marks o as changed by job (version bump); done by obj_set too. */
void obj_touch(obj *o, int64_t job);
/* The job id all following mutations are attributed to (0 = none). */
void store_set_actor(store *s, int64_t job);

/* Undo journals (store_journal.c). While a journal is bound to a thread,
 * every mutation that thread makes is recorded with what it replaced;
 * store_journal_undo reverts them, newest first, in one transaction (write
 * lock held), and empties the journal. The scheduler binds one per running
 * job, so a failed job rolls its own store changes back. */
typedef struct store_journal store_journal;
store_journal *store_journal_new(void);
void store_journal_free(store_journal *jr);
/* Binds jr to the calling thread (NULL: none); returns the previous one. */
store_journal *store_journal_bind(store_journal *jr);
size_t store_journal_size(const store_journal *jr);
/* Reverts jr's changes; returns how many. */
size_t store_journal_undo(store *s, store_journal *jr);
/* Drops jr's records (the changes stay). */
void store_journal_forget(store_journal *jr);
/* The write lock for a fact found while a job runs (a server's agent
 * refused our credentials, say): a change of the world, not of the job, so
 * it stays out of the thread's journal and a rollback of the job keeps it. */
void store_fact_wrlock(store *s);
void store_fact_unlock(store *s);

/* Comma-separated id lists kept in one attribute (many-to-many relations). */
int obj_list_has(const obj *o, const char *key, const char *id);
void obj_list_add(store *s, obj *o, const char *key, const char *id);
void obj_list_remove(store *s, obj *o, const char *key, const char *id);
/* The comma-separated list o.key with id appended (unless already there),
 * or without id (heap; "" when nothing is left); o is not changed. */
char *obj_list_with(const obj *o, const char *key, const char *id);
char *obj_list_without(const obj *o, const char *key, const char *id);
/* Splits a comma list into a heap array of heap strings; returns count. */
size_t split_list(const char *v, char ***out);
void free_list(char **v, size_t n);

/* An object outside the store (for building agent configurations of objects
 * that do not exist yet). Free with obj_detached_free. */
obj *obj_detached(const char *type, const char *id, const char *name);
void obj_detached_set(obj *o, const char *key, const char *value);
void obj_detached_free(obj *o);

/* A consistent text dump of every object (sorted), for tests. */
char *store_dump(store *s);
/* The schema version this ovmd creates and reads (newer stores are refused). */
int store_schema_max(void);
/* The id of the PeriodicTask that prunes old statistics (schema version 6). */
#define STORE_ARCHIVE_TASK_ID "0004fb00001f00000000000000000001"
#endif
