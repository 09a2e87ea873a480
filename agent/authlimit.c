/* Per-address login failures (agent/authlimit.h). A fixed table: a flood of
 * addresses evicts the stalest entries instead of growing memory. */
#include "agent/authlimit.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"

#define SLOTS 1024
/* An address with no failure for this long starts afresh. */
#define FORGET_MS (15 * 60 * 1000)

struct slot {
    char addr[48];
    unsigned failures;
    int64_t last_ms;       /* last failure */
    int64_t until_ms;      /* passwords refused until then */
};

struct authlimit {
    pthread_mutex_t mu;
    struct slot slots[SLOTS];
};

authlimit *authlimit_new(void)
{
    authlimit *a = xcalloc(1, sizeof *a);
    pthread_mutex_init(&a->mu, NULL);
    return a;
}

void authlimit_free(authlimit *a)
{
    if (!a)
        return;
    pthread_mutex_destroy(&a->mu);
    free(a);
}

/* The slot of addr, or NULL; with create, a free or else the stalest slot. */
static struct slot *find(authlimit *a, const char *addr, int64_t now_ms, int create)
{
    struct slot *empty = NULL, *oldest = NULL;
    for (size_t i = 0; i < SLOTS; i++) {
        struct slot *s = &a->slots[i];
        if (!s->addr[0]) {
            empty = empty ? empty : s;
            continue;
        }
        if (strcmp(s->addr, addr) == 0) {
            if (now_ms - s->last_ms > FORGET_MS && now_ms >= s->until_ms)
                s->failures = 0;
            return s;
        }
        if (!oldest || s->last_ms < oldest->last_ms)
            oldest = s;
    }
    if (!create)
        return NULL;
    struct slot *victim = empty ? empty : oldest;
    memset(victim, 0, sizeof *victim);
    snprintf(victim->addr, sizeof victim->addr, "%s", addr);
    return victim;
}

static long seconds_left(int64_t until_ms, int64_t now_ms)
{
    return until_ms > now_ms ? (long)((until_ms - now_ms + 999) / 1000) : 0;
}

long authlimit_wait(authlimit *a, const char *addr, int64_t now_ms)
{
    pthread_mutex_lock(&a->mu);
    struct slot *s = find(a, addr, now_ms, 0);
    long left = s ? seconds_left(s->until_ms, now_ms) : 0;
    pthread_mutex_unlock(&a->mu);
    return left;
}

long authlimit_failed(authlimit *a, const char *addr, int64_t now_ms, unsigned *failures)
{
    pthread_mutex_lock(&a->mu);
    struct slot *s = find(a, addr, now_ms, 1);
    s->failures++;
    s->last_ms = now_ms;
    long wait = 0;
    if (s->failures > AUTHLIMIT_FREE) {
        unsigned k = s->failures - AUTHLIMIT_FREE - 1;
        wait = k >= 10 ? AUTHLIMIT_MAX_S : (long)AUTHLIMIT_FIRST_S << k;
        if (wait > AUTHLIMIT_MAX_S)
            wait = AUTHLIMIT_MAX_S;
        s->until_ms = now_ms + (int64_t)wait * 1000;
    }
    *failures = s->failures;
    pthread_mutex_unlock(&a->mu);
    return wait;
}

void authlimit_succeeded(authlimit *a, const char *addr)
{
    pthread_mutex_lock(&a->mu);
    struct slot *s = find(a, addr, 0, 0);
    if (s)
        memset(s, 0, sizeof *s);
    pthread_mutex_unlock(&a->mu);
}
