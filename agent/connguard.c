/* The watchdog behind --header-timeout (agent/connguard.h). It only shuts
 * sockets down; libmicrohttpd then sees the end of the stream in the
 * connection's own thread and closes it there. Entries leave the list in the
 * close notification, which comes before the socket is closed, so a socket
 * number is never shut down after it was reused. */
#include "agent/connguard.h"
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "lib/log.h"
#include "lib/lograte.h"
#include "lib/util.h"

#define SCAN_MS 250

struct connguard_entry {
    int fd;
    int64_t deadline_ms;   /* 0: a request is running */
    connguard_entry *prev, *next;
};

struct connguard {
    int64_t timeout_ms;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    connguard_entry *head;
    pthread_t thread;
    log_rate *log;
};

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Shuts down every connection past its deadline; the count (lock held). */
static unsigned expire(connguard *g, int64_t now)
{
    unsigned n = 0;
    for (connguard_entry *e = g->head; e; e = e->next) {
        if (e->deadline_ms && now >= e->deadline_ms) {
            shutdown(e->fd, SHUT_RDWR);
            e->deadline_ms = 0;
            n++;
        }
    }
    return n;
}

static void *watchdog(void *arg)
{
    connguard *g = arg;
    pthread_mutex_lock(&g->mu);
    while (!g->stop) {
        int64_t until = mono_ms() + SCAN_MS;
        struct timespec ts = {(time_t)(until / 1000), (long)(until % 1000) * 1000000};
        pthread_cond_timedwait(&g->cv, &g->mu, &ts);
        unsigned n = expire(g, mono_ms());
        if (n)
            log_rate_msg(g->log, LOG_WARN_, "closed %u connection%s without a complete request within %lld s",
                         n, n == 1 ? "" : "s", (long long)(g->timeout_ms / 1000));
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

connguard *connguard_new(unsigned timeout_s)
{
    if (timeout_s == 0)
        return NULL;
    connguard *g = xcalloc(1, sizeof *g);
    g->timeout_ms = (int64_t)timeout_s * 1000;
    pthread_mutex_init(&g->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->cv, &ca);
    pthread_condattr_destroy(&ca);
    g->log = log_rate_new(1, 5, "header timeout");
    int rc = pthread_create(&g->thread, NULL, watchdog, g);
    if (rc != 0) {
        log_err("cannot start the header timeout watchdog: %s", strerror(rc));
        log_rate_free(g->log);
        free(g);
        return NULL;
    }
    return g;
}

void connguard_free(connguard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    g->stop = 1;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
    while (g->head) {
        connguard_entry *e = g->head;
        g->head = e->next;
        free(e);
    }
    log_rate_free(g->log);
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->cv);
    free(g);
}

connguard_entry *connguard_open(connguard *g, int fd)
{
    if (!g || fd < 0)
        return NULL;
    connguard_entry *e = xcalloc(1, sizeof *e);
    e->fd = fd;
    pthread_mutex_lock(&g->mu);
    e->deadline_ms = mono_ms() + g->timeout_ms;
    e->next = g->head;
    if (g->head)
        g->head->prev = e;
    g->head = e;
    pthread_mutex_unlock(&g->mu);
    return e;
}

static void set_deadline(connguard *g, connguard_entry *e, int64_t deadline_ms)
{
    if (!g || !e)
        return;
    pthread_mutex_lock(&g->mu);
    e->deadline_ms = deadline_ms;
    pthread_mutex_unlock(&g->mu);
}

void connguard_head_done(connguard *g, connguard_entry *e)
{
    set_deadline(g, e, 0);
}

void connguard_answered(connguard *g, connguard_entry *e)
{
    if (g)
        set_deadline(g, e, mono_ms() + g->timeout_ms);
}

void connguard_close(connguard *g, connguard_entry *e)
{
    if (!g || !e)
        return;
    pthread_mutex_lock(&g->mu);
    if (e->prev)
        e->prev->next = e->next;
    else
        g->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    pthread_mutex_unlock(&g->mu);
    free(e);
}
