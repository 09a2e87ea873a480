/* A chained hash table on (type, name) that doubles its bucket array when it
 * holds more entries than buckets, so chains stay short at any store size.
 * Duplicate names (types that allow them) are separate entries on one chain. */
#include "backend/store/store_names.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"

typedef struct nnode {
    obj *o;
    uint32_t hash;
    struct nnode *next;
} nnode;

struct name_index {
    nnode **buckets;
    size_t nbuckets; /* a power of two */
    size_t count;
};

#define NAMES_MIN_BUCKETS 1024u

static uint32_t name_hash(const char *type, const char *name)
{
    uint32_t h = 2166136261u;
    for (const char *p = type; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h = (h ^ 0xffu) * 16777619u; /* separates type from name: "ab"+"c" != "a"+"bc" */
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

name_index *names_new(void)
{
    name_index *ni = xcalloc(1, sizeof *ni);
    ni->nbuckets = NAMES_MIN_BUCKETS;
    ni->buckets = xcalloc(ni->nbuckets, sizeof *ni->buckets);
    return ni;
}

void names_free(name_index *ni)
{
    if (!ni)
        return;
    for (size_t i = 0; i < ni->nbuckets; i++) {
        for (nnode *n = ni->buckets[i], *next; n; n = next) {
            next = n->next;
            free(n);
        }
    }
    free(ni->buckets);
    free(ni);
}

static void grow(name_index *ni)
{
    size_t nb = ni->nbuckets * 2;
    nnode **b = xcalloc(nb, sizeof *b);
    for (size_t i = 0; i < ni->nbuckets; i++) {
        for (nnode *n = ni->buckets[i], *next; n; n = next) {
            next = n->next;
            n->next = b[n->hash & (nb - 1)];
            b[n->hash & (nb - 1)] = n;
        }
    }
    free(ni->buckets);
    ni->buckets = b;
    ni->nbuckets = nb;
}

void names_add(name_index *ni, obj *o)
{
    if (ni->count >= ni->nbuckets)
        grow(ni);
    nnode *n = xmalloc(sizeof *n);
    n->o = o;
    n->hash = name_hash(o->type, o->name);
    nnode **b = &ni->buckets[n->hash & (ni->nbuckets - 1)];
    n->next = *b;
    *b = n;
    ni->count++;
}

void names_remove(name_index *ni, const obj *o)
{
    uint32_t h = name_hash(o->type, o->name);
    for (nnode **pp = &ni->buckets[h & (ni->nbuckets - 1)]; *pp; pp = &(*pp)->next) {
        if ((*pp)->o == o) {
            nnode *dead = *pp;
            *pp = dead->next;
            free(dead);
            ni->count--;
            return;
        }
    }
}

size_t names_find(const name_index *ni, const char *type, const char *name, obj **one)
{
    uint32_t h = name_hash(type, name);
    size_t count = 0;
    *one = NULL;
    for (const nnode *n = ni->buckets[h & (ni->nbuckets - 1)]; n; n = n->next) {
        if (n->hash == h && strcmp(n->o->name, name) == 0 && strcmp(n->o->type, type) == 0) {
            *one = n->o;
            count++;
        }
    }
    return count;
}
