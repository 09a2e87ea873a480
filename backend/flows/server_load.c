/* server_load.h: a small chained hash of server id -> planned jobs, under its
 * own mutex (a leaf lock: taken with or without the store lock, never the
 * other way round). An entry whose count falls to zero is removed, so the
 * table holds only servers with work planned. */
#include "backend/flows/server_load.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"

#define NBUCKETS 256

typedef struct entry {
    struct entry *next;
    int count;
    char id[];
} entry;

struct server_load {
    pthread_mutex_t mu;
    entry *bucket[NBUCKETS];
};

static entry **slot(server_load *l, const char *id)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 16777619u;
    entry **pe = &l->bucket[h % NBUCKETS];
    while (*pe && strcmp((*pe)->id, id) != 0)
        pe = &(*pe)->next;
    return pe;
}

server_load *server_load_new(void)
{
    server_load *l = xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

void server_load_free(server_load *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < NBUCKETS; i++)
        for (entry *x = l->bucket[i], *next; x; x = next) {
            next = x->next;
            free(x);
        }
    pthread_mutex_destroy(&l->mu);
    free(l);
}

int server_load_get(server_load *l, const char *server_id)
{
    if (!l || !server_id)
        return 0;
    pthread_mutex_lock(&l->mu);
    entry *x = *slot(l, server_id);
    int n = x ? x->count : 0;
    pthread_mutex_unlock(&l->mu);
    return n;
}

void server_load_add(server_load *l, const char *server_id, int delta)
{
    if (!l || !server_id || !*server_id)
        return;
    pthread_mutex_lock(&l->mu);
    entry **pe = slot(l, server_id);
    if (!*pe && delta > 0) {
        size_t len = strlen(server_id) + 1;
        *pe = xcalloc(1, sizeof **pe + len);
        memcpy((*pe)->id, server_id, len);
    }
    entry *x = *pe;
    if (x) {
        x->count += delta;
        if (x->count <= 0) {
            *pe = x->next;
            free(x);
        }
    }
    pthread_mutex_unlock(&l->mu);
}
