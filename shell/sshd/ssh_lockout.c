/* The password throttle table (ssh_lockout.h): a fixed array of slots in a
 * shared file mapping, guarded by a robust process-shared mutex so that a
 * connection process dying inside never leaves it held. */
#include "shell/sshd/ssh_lockout.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/util.h"

#define MAGIC 0x6f767468u /* "ovth" */
#define NSLOTS 4096        /* pairs remembered; the oldest is reused when full */

typedef struct slot {
    char user[65];
    char addr[INET6_ADDRSTRLEN];
    int failures;
    int64_t last_ms;       /* last failure; 0 = free slot */
    int64_t until_ms;      /* no password checked before this */
} slot;

typedef struct table {
    uint32_t magic, nslots;
    ssh_lockout_policy pol;
    pthread_mutex_t mu;
    int64_t bucket_ms;     /* token bucket for unknown-user hashes */
    double tokens;
    slot s[NSLOTS];
} table;

struct ssh_lockout {
    table *t;
};

static int init_mutex(pthread_mutex_t *mu)
{
    pthread_mutexattr_t a;
    int rc = pthread_mutexattr_init(&a);
    if (rc == 0)
        rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    if (rc == 0)
        rc = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (rc == 0)
        rc = pthread_mutex_init(mu, &a);
    pthread_mutexattr_destroy(&a);
    return rc;
}

static ssh_lockout *map_file(int fd)
{
    void *p = mmap(NULL, sizeof(table), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return NULL;
    ssh_lockout *l = xcalloc(1, sizeof *l);
    l->t = p;
    return l;
}

ssh_lockout *ssh_lockout_create(const char *path, const ssh_lockout_policy *pol)
{
    unlink(path); /* a fresh inode: an old attacher never sees a half-built table */
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    if (ftruncate(fd, sizeof(table)) != 0) {
        close(fd);
        return NULL;
    }
    ssh_lockout *l = map_file(fd);
    if (!l)
        return NULL;
    l->t->nslots = NSLOTS;
    l->t->pol = *pol;
    l->t->tokens = pol->unknown_hashes;
    l->t->bucket_ms = ovm_now_ms();
    if (init_mutex(&l->t->mu) != 0) {
        ssh_lockout_free(l);
        return NULL;
    }
    __atomic_store_n(&l->t->magic, MAGIC, __ATOMIC_RELEASE);
    return l;
}

ssh_lockout *ssh_lockout_attach(const char *path)
{
    int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != (off_t)sizeof(table)) {
        close(fd);
        errno = EINVAL;
        return NULL;
    }
    ssh_lockout *l = map_file(fd);
    if (l && (__atomic_load_n(&l->t->magic, __ATOMIC_ACQUIRE) != MAGIC || l->t->nslots != NSLOTS)) {
        ssh_lockout_free(l);
        errno = EINVAL;
        return NULL;
    }
    return l;
}

void ssh_lockout_free(ssh_lockout *l)
{
    if (!l)
        return;
    munmap(l->t, sizeof(table));
    free(l);
}

static void lock(table *t)
{
    if (pthread_mutex_lock(&t->mu) == EOWNERDEAD)
        pthread_mutex_consistent(&t->mu); /* slots are updated field by field: any state is usable */
}

static void unlock(table *t)
{
    pthread_mutex_unlock(&t->mu);
}

/* The address as the table keys it: IPv6 by its /64, which one client
 * usually owns whole; everything else as given. */
static void addr_key(const char *addr, char *out, size_t len)
{
    struct in6_addr a;
    if (strchr(addr, ':') && !strchr(addr, '.') && inet_pton(AF_INET6, addr, &a) == 1) {
        memset(a.s6_addr + 8, 0, 8);
        if (inet_ntop(AF_INET6, &a, out, (socklen_t)len))
            return;
    }
    snprintf(out, len, "%s", addr);
}

/* An entry no longer matters once its delay and another max delay have
 * passed without a failure. */
static int stale(const table *t, const slot *s, int64_t now)
{
    int64_t after = s->until_ms > s->last_ms ? s->until_ms : s->last_ms;
    return s->last_ms == 0 || now - after > (int64_t)t->pol.max_delay_s * 1000;
}

static slot *find(table *t, const char *user, const char *key, int64_t now)
{
    for (size_t i = 0; i < NSLOTS; i++) {
        slot *s = &t->s[i];
        if (s->last_ms && !strcmp(s->addr, key) && !strncmp(s->user, user, sizeof s->user - 1))
            return stale(t, s, now) ? (memset(s, 0, sizeof *s), NULL) : s;
    }
    return NULL;
}

/* A slot for a new pair: a free or stale one, else the least recent. */
static slot *claim(table *t, const char *user, const char *key, int64_t now)
{
    slot *best = &t->s[0];
    for (size_t i = 0; i < NSLOTS && !stale(t, best, now); i++)
        if (stale(t, &t->s[i], now) || t->s[i].last_ms < best->last_ms)
            best = &t->s[i];
    memset(best, 0, sizeof *best);
    snprintf(best->user, sizeof best->user, "%s", user);
    snprintf(best->addr, sizeof best->addr, "%s", key);
    return best;
}

long ssh_lockout_wait(ssh_lockout *l, const char *user, const char *addr)
{
    if (!l || l->t->pol.free_failures <= 0)
        return 0;
    char key[INET6_ADDRSTRLEN];
    addr_key(addr, key, sizeof key);
    int64_t now = ovm_now_ms();
    lock(l->t);
    slot *s = find(l->t, user, key, now);
    long left = s && s->until_ms > now ? (long)((s->until_ms - now + 999) / 1000) : 0;
    unlock(l->t);
    return left;
}

/* 1 s after the first failure past the free ones, doubling each time. */
static int64_t delay_ms(const ssh_lockout_policy *p, int failures)
{
    int over = failures - p->free_failures;
    if (over <= 0)
        return 0;
    int64_t cap = (int64_t)p->max_delay_s * 1000, d = 1000;
    for (int i = 1; i < over && d < cap; i++)
        d *= 2;
    return d < cap ? d : cap;
}

long ssh_lockout_fail(ssh_lockout *l, const char *user, const char *addr)
{
    if (!l || l->t->pol.free_failures <= 0)
        return 0;
    char key[INET6_ADDRSTRLEN];
    addr_key(addr, key, sizeof key);
    int64_t now = ovm_now_ms();
    lock(l->t);
    slot *s = find(l->t, user, key, now);
    if (!s)
        s = claim(l->t, user, key, now);
    if (s->failures < 1000000)
        s->failures++;
    s->last_ms = now;
    int64_t d = delay_ms(&l->t->pol, s->failures);
    if (d)
        s->until_ms = now + d;
    unlock(l->t);
    return (long)((d + 999) / 1000);
}

void ssh_lockout_success(ssh_lockout *l, const char *user, const char *addr)
{
    if (l)
        ssh_lockout_clear(l, user, addr);
}

size_t ssh_lockout_clear(ssh_lockout *l, const char *user, const char *addr)
{
    char key[INET6_ADDRSTRLEN];
    if (addr)
        addr_key(addr, key, sizeof key);
    size_t n = 0;
    int64_t now = ovm_now_ms();
    lock(l->t);
    for (size_t i = 0; i < NSLOTS; i++) {
        slot *s = &l->t->s[i];
        if (!s->last_ms || (user && strncmp(s->user, user, sizeof s->user - 1)) || (addr && strcmp(s->addr, key)))
            continue;
        n += s->until_ms > now;
        memset(s, 0, sizeof *s);
    }
    unlock(l->t);
    return n;
}

int ssh_lockout_hash_token(ssh_lockout *l)
{
    table *t = l->t;
    int64_t now = ovm_now_ms();
    lock(t);
    t->tokens += (double)(now - t->bucket_ms) * t->pol.unknown_hashes / 1000.0;
    if (t->tokens > t->pol.unknown_hashes)
        t->tokens = t->pol.unknown_hashes;
    t->bucket_ms = now;
    int ok = t->tokens >= 1.0;
    if (ok)
        t->tokens -= 1.0;
    unlock(t);
    return ok;
}
