/* The store's in-memory indexes: objects by id, by type in list order, by
 * reference attribute; and the lookups that read them. */
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

static const char *const indexed_keys[] = {"vm",          "server",       "serverPool", "repository", "network",
                                           "virtualDisk", "virtualCdrom", "fileServer", "fileSystem", NULL};
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

/* The type is part of the hash: otherwise "Servers of pool P" would walk
 * every Vm of P too (each Vm has serverPool), O(VMs) per create Vm. */
static unsigned hash_kv(const char *type, const char *key, const char *value)
{
    unsigned h = 2166136261u ^ (unsigned)(uintptr_t)key;
    for (; *type; type++)
        h = (h ^ (unsigned char)*type) * 16777619u;
    h = (h ^ '/') * 16777619u;
    for (; *value; value++)
        h = (h ^ (unsigned char)*value) * 16777619u;
    return h % HASH_BUCKETS;
}

void store_idx_add(store *s, obj *o, const char *key, const char *value)
{
    const char *k = indexed(key);
    if (!k || !*value)
        return;
    inode *n = xmalloc(sizeof *n);
    unsigned h = hash_kv(o->type, k, value);
    n->key = k;
    n->value = value;
    n->o = o;
    n->next = s->ibuckets[h];
    s->ibuckets[h] = n;
}

void store_idx_remove(store *s, obj *o, const char *key, const char *value)
{
    const char *k = indexed(key);
    if (!k || !*value)
        return;
    for (inode **pp = &s->ibuckets[hash_kv(o->type, k, value)]; *pp; pp = &(*pp)->next) {
        if ((*pp)->o == o && (*pp)->key == k) {
            inode *dead = *pp;
            *pp = dead->next;
            free(dead);
            return;
        }
    }
}

/* List order: by name case-insensitively, ties by id (unique), so a total order. */
int store_list_cmp(const void *a, const void *b)
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
        if (store_list_cmp(&t->v[mid], &o) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void store_order_insert(tlist *t, obj *o, int append)
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
void store_order_remove(tlist *t, const obj *o)
{
    size_t pos = order_pos(t, o);
    if (pos < t->n && t->v[pos] == o) {
        memmove(&t->v[pos], &t->v[pos + 1], (t->n - pos - 1) * sizeof *t->v);
        t->n--;
    }
}

tlist *store_tlist_get(store *s, const char *type, int create)
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

void store_index_add(store *s, obj *o)
{
    hnode *n = xmalloc(sizeof *n);
    unsigned h = hash_id(o->id);
    n->o = o;
    n->next = s->buckets[h];
    s->buckets[h] = n;
    tlist *t = store_tlist_get(s, o->type, 1);
    o->type = t->type;
    store_order_insert(t, o, s->loading);
    names_add(s->names, o);
}

void store_index_remove(store *s, obj *o)
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
    tlist *t = store_tlist_get(s, o->type, 0);
    if (t)
        store_order_remove(t, o);
    names_remove(s->names, o);
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
    tlist *t = store_tlist_get(s, type, 0);
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
        for (inode *i = s->ibuckets[hash_kv(type, k, value)]; i; i = i->next) {
            if (i->key != k || strcmp(i->value, value) != 0 || strcmp(i->o->type, type) != 0)
                continue;
            if (n == cap) {
                cap *= 2;
                *out = xrealloc(*out, cap * sizeof **out);
            }
            (*out)[n++] = i->o;
        }
        if (n > 1)
            qsort(*out, n, sizeof **out, store_list_cmp);
        return n;
    }
    tlist *t = store_tlist_get(s, type, 0);
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
    tlist *t = store_tlist_get(s, type, 0);
    return t ? t->n : 0;
}
