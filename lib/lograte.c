/* Lines an unauthenticated peer can cause must not flood the log (lib/lograte.h).
 * The budget is a generic cell rate algorithm on one atomic "theoretical
 * arrival time", so processes sharing the page need no lock that a dying
 * process could leave held. */
#include "lib/lograte.h"
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include "lib/log.h"
#include "lib/util.h"

struct log_rate {
    _Atomic int64_t tat_us;      /* when the budget is full again, CLOCK_MONOTONIC */
    _Atomic unsigned suppressed; /* lines dropped since the last one logged */
    int64_t interval_us;         /* 1 s / per_sec */
    int64_t tolerance_us;        /* burst lines ahead of the average */
    char what[64];
};

static int64_t mono_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

log_rate *log_rate_new(unsigned per_sec, unsigned burst, const char *what)
{
    if (per_sec == 0) {
        errno = EINVAL;
        return NULL;
    }
    log_rate *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED)
        return NULL;
    atomic_init(&r->tat_us, 0);
    atomic_init(&r->suppressed, 0);
    r->interval_us = 1000000 / per_sec;
    r->tolerance_us = r->interval_us * (burst > 0 ? burst - 1 : 0);
    snprintf(r->what, sizeof r->what, "%s", what);
    return r;
}

void log_rate_free(log_rate *r)
{
    if (r)
        munmap(r, sizeof *r);
}

/* 1 if a line may be logged now (and takes it from the budget). */
static int take(log_rate *r)
{
    int64_t now = mono_us();
    int64_t tat = atomic_load(&r->tat_us);
    for (;;) {
        int64_t start = tat > now ? tat : now;
        if (start - now > r->tolerance_us)
            return 0;
        if (atomic_compare_exchange_weak(&r->tat_us, &tat, start + r->interval_us))
            return 1;
    }
}

void log_rate_msg(log_rate *r, int level, const char *fmt, ...)
{
    if (r && !take(r)) {
        atomic_fetch_add(&r->suppressed, 1);
        return;
    }
    unsigned dropped = r ? atomic_exchange(&r->suppressed, 0) : 0;
    if (dropped)
        log_msg(level, "%s: %u messages suppressed", r->what, dropped);
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    log_msg(level, "%s", msg);
    free(msg);
}
