/* Undo journals (store.h): while a job runs, the mutations its thread makes
 * are recorded with what they replaced, so that a job that fails undoes its
 * own store changes by itself instead of every operation writing its own
 * clean-up. A journal belongs to one thread (thread-local binding), so
 * recording takes no lock; the monitor, sessions and start-up code bind
 * none and are not journalled. Undo runs under the write lock, newest change
 * first, in one transaction, and is itself not recorded. */
#include "backend/store/store_impl.h"
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "lib/util.h"

typedef enum { U_SET, U_CREATE, U_DELETE, U_RENAME } undo_kind;

typedef struct undo {
    undo_kind kind;
    char *id;
    char *key, *old;   /* U_SET: the attribute and its old value (NULL: unset) */
    char *type, *name; /* U_DELETE: to recreate; U_RENAME: the old name */
    kv *attrs;         /* U_DELETE: the attributes */
    size_t nattrs;
} undo;

struct store_journal {
    undo *v;
    size_t n, cap;
};

static _Thread_local store_journal *bound;
static _Thread_local int replaying;
static _Thread_local int facts; /* inside store_fact_wrlock: nothing is recorded */

void store_fact_wrlock(store *s)
{
    store_wrlock(s);
    facts++;
}

void store_fact_unlock(store *s)
{
    facts--;
    store_unlock(s);
}

store_journal *store_journal_bind(store_journal *jr)
{
    store_journal *old = bound;
    bound = jr;
    return old;
}

store_journal *store_journal_new(void)
{
    return xcalloc(1, sizeof(store_journal));
}

static void undo_free(undo *u)
{
    free(u->id);
    free(u->key);
    free(u->old);
    free(u->type);
    free(u->name);
    for (size_t i = 0; i < u->nattrs; i++) {
        free(u->attrs[i].key);
        free(u->attrs[i].value);
    }
    free(u->attrs);
}

static void clear(store_journal *jr)
{
    for (size_t i = 0; i < jr->n; i++)
        undo_free(&jr->v[i]);
    jr->n = 0;
}

void store_journal_free(store_journal *jr)
{
    if (!jr)
        return;
    clear(jr);
    free(jr->v);
    free(jr);
}

size_t store_journal_size(const store_journal *jr)
{
    return jr ? jr->n : 0;
}

/* A new record in the bound journal, or NULL when nothing is recorded. */
static undo *record(undo_kind kind, const obj *o)
{
    if (!bound || replaying || facts)
        return NULL;
    if (bound->n == bound->cap) {
        bound->cap = bound->cap ? 2 * bound->cap : 16;
        bound->v = xrealloc(bound->v, bound->cap * sizeof *bound->v);
    }
    undo *u = &bound->v[bound->n++];
    memset(u, 0, sizeof *u);
    u->kind = kind;
    u->id = xstrdup(o->id);
    return u;
}

void store_journal_note_set(const obj *o, const char *key, const char *old)
{
    undo *u = record(U_SET, o);
    if (u) {
        u->key = xstrdup(key);
        u->old = old ? xstrdup(old) : NULL;
    }
}

void store_journal_note_create(const obj *o)
{
    record(U_CREATE, o);
}

void store_journal_note_rename(const obj *o, const char *old_name)
{
    undo *u = record(U_RENAME, o);
    if (u)
        u->name = xstrdup(old_name);
}

void store_journal_note_delete(const obj *o)
{
    undo *u = record(U_DELETE, o);
    if (!u)
        return;
    u->type = xstrdup(o->type);
    u->name = xstrdup(o->name);
    u->attrs = xcalloc(o->nattrs ? o->nattrs : 1, sizeof *u->attrs);
    for (size_t i = 0; i < o->nattrs; i++) {
        u->attrs[i].key = xstrdup(o->attrs[i].key);
        u->attrs[i].value = xstrdup(o->attrs[i].value);
    }
    u->nattrs = o->nattrs;
}

static void undo_one(store *s, const undo *u)
{
    obj *o = store_get(s, u->id);
    switch (u->kind) {
    case U_SET:
        if (o && u->old)
            obj_set(s, o, u->key, u->old);
        else if (o)
            obj_unset(s, o, u->key);
        break;
    case U_CREATE:
        if (o)
            store_delete(s, o);
        break;
    case U_RENAME:
        if (o)
            obj_rename(s, o, u->name);
        break;
    case U_DELETE:
        if (o)
            break;
        o = store_create(s, u->type, u->id, u->name);
        for (size_t i = 0; i < u->nattrs; i++)
            obj_set(s, o, u->attrs[i].key, u->attrs[i].value);
        break;
    }
}

size_t store_journal_undo(store *s, store_journal *jr)
{
    size_t n = jr ? jr->n : 0;
    if (!n)
        return 0;
    replaying = 1;
    store_begin(s);
    for (size_t i = n; i-- > 0;)
        undo_one(s, &jr->v[i]);
    store_commit(s);
    replaying = 0;
    clear(jr);
    return n;
}

void store_journal_forget(store_journal *jr)
{
    if (jr)
        clear(jr);
}
