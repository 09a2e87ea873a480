/* Objects (store.h): attributes, mutations written through to sqlite,
 * detached objects, comma lists and the test dump. */
#include "backend/store/store_impl.h"
#include "backend/store/store.h"
#include "lib/crashpoint.h"
#include "backend/store/store_names.h"
#include <sqlite3.h>
#include <pthread.h>
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

/* Attribute names are interned: a few hundred distinct names (the grammar's)
 * shared by every object, instead of a copy per attribute of each object,
 * which was some 800 bytes per Vm (80 MB of the engine at 100,000 VMs).
 * The table only grows; detached objects are built concurrently under the
 * read lock, hence its own mutex. */
#define KEY_BUCKETS 1024
struct key_node {
    struct key_node *next;
    char key[];
};
static struct key_node *key_table[KEY_BUCKETS];
static pthread_mutex_t key_mu = PTHREAD_MUTEX_INITIALIZER;

static char *intern_key(const char *key)
{
    unsigned h = 2166136261u;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h %= KEY_BUCKETS;
    pthread_mutex_lock(&key_mu);
    struct key_node *n = key_table[h];
    while (n && strcmp(n->key, key) != 0)
        n = n->next;
    if (!n) {
        size_t len = strlen(key) + 1;
        n = xmalloc(sizeof *n + len);
        memcpy(n->key, key, len);
        n->next = key_table[h];
        key_table[h] = n;
    }
    pthread_mutex_unlock(&key_mu);
    return n->key;
}

void store_obj_attr_put(obj *o, const char *key, const char *value)
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
    o->attrs[o->nattrs].key = intern_key(key);
    o->attrs[o->nattrs].value = xstrdup(value);
    o->nattrs++;
}

obj *store_obj_new(const char *type, const char *id, const char *name)
{
    obj *o = xcalloc(1, sizeof *o);
    o->type = type;
    o->id = xstrdup(id);
    o->name = xstrdup(name ? name : id);
    return o;
}

void store_obj_free(obj *o)
{
    for (size_t i = 0; i < o->nattrs; i++)
        free(o->attrs[i].value); /* keys are interned */
    free(o->attrs);
    free(o->id);
    free(o->name);
    free(o);
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

void obj_touch(obj *o, int64_t job)
{
    o->version++;
    if (job)
        o->changed_by = job;
}

obj *store_create(store *s, const char *type, const char *id, const char *name)
{
    obj *o = store_obj_new(type, id, name);
    store_journal_note_create(o);
    store_index_add(s, o);
    obj_touch(o, s->actor);
    sqlite3_bind_text(s->st_ins_obj, 1, o->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->st_ins_obj, 2, o->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->st_ins_obj, 3, o->name, -1, SQLITE_STATIC);
    store_step_reset(s, s->st_ins_obj);
    return o;
}

void obj_set(store *s, obj *o, const char *key, const char *value)
{
    const char *old = obj_get(o, key);
    if (old && strcmp(old, value) == 0)
        return;
    store_journal_note_set(o, key, old);
    if (old)
        store_idx_remove(s, o, key, old);
    store_obj_attr_put(o, key, value);
    store_idx_add(s, o, key, obj_get(o, key));
    obj_touch(o, s->actor);
    sqlite3_bind_text(s->st_set, 1, o->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->st_set, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->st_set, 3, value, -1, SQLITE_STATIC);
    store_step_reset(s, s->st_set);
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
            store_journal_note_set(o, key, o->attrs[i].value);
            store_idx_remove(s, o, key, o->attrs[i].value);
            free(o->attrs[i].value); /* the key is interned */
            o->attrs[i] = o->attrs[--o->nattrs];
            obj_touch(o, s->actor);
            sqlite3_bind_text(s->st_unset, 1, o->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(s->st_unset, 2, key, -1, SQLITE_STATIC);
            store_step_reset(s, s->st_unset);
            return;
        }
    }
}

void obj_rename(store *s, obj *o, const char *name)
{
    if (strcmp(o->name, name) == 0)
        return;
    store_journal_note_rename(o, o->name);
    tlist *t = store_tlist_get(s, o->type, 0);
    if (t)
        store_order_remove(t, o);
    names_remove(s->names, o);
    free(o->name);
    o->name = xstrdup(name);
    if (t)
        store_order_insert(t, o, 0);
    names_add(s->names, o);
    obj_touch(o, s->actor);
    sqlite3_bind_text(s->st_upd_name, 1, o->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->st_upd_name, 2, o->id, -1, SQLITE_STATIC);
    store_step_reset(s, s->st_upd_name);
}

void store_delete(store *s, obj *o)
{
    store_journal_note_delete(o);
    for (size_t i = 0; i < o->nattrs; i++)
        store_idx_remove(s, o, o->attrs[i].key, o->attrs[i].value);
    sqlite3_bind_text(s->st_del_obj, 1, o->id, -1, SQLITE_STATIC);
    store_step_reset(s, s->st_del_obj);
    store_index_remove(s, o);
    store_obj_free(o);
}

obj *obj_detached(const char *type, const char *id, const char *name)
{
    return store_obj_new(type, id, name);
}

void obj_detached_set(obj *o, const char *key, const char *value)
{
    store_obj_attr_put(o, key, value);
}

void obj_detached_free(obj *o)
{
    if (o)
        store_obj_free(o);
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

char *obj_list_with(const obj *o, const char *key, const char *id)
{
    const char *v = obj_gets(o, key);
    if (obj_list_has(o, key, id))
        return xstrdup(v);
    return *v ? xasprintf("%s,%s", v, id) : xstrdup(id);
}

void obj_list_add(store *s, obj *o, const char *key, const char *id)
{
    if (obj_list_has(o, key, id))
        return;
    char *nv = obj_list_with(o, key, id);
    obj_set(s, o, key, nv);
    free(nv);
}

char *obj_list_without(const obj *o, const char *key, const char *id)
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
    char *v = xstrdup(sb.len ? sb.buf : "");
    sb_free(&sb);
    return v;
}

void obj_list_remove(store *s, obj *o, const char *key, const char *id)
{
    char *v = obj_list_without(o, key, id);
    if (*v)
        obj_set(s, o, key, v);
    else
        obj_unset(s, o, key);
    free(v);
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
