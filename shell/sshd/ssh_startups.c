/* The listener's table of connection processes that have not logged in
 * (ssh_startups.h). At most lim.full entries: a linear scan over a few
 * hundred slots costs less than the fork it decides about. */
#include "shell/sshd/ssh_startups.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/util.h"

typedef struct entry {
    int fd;                              /* -1: free slot */
    char addr[INET6_ADDRSTRLEN];
} entry;

struct ssh_startups {
    ssh_startup_limits lim;
    size_t used;
    entry e[];                           /* lim.full slots */
};

static int valid(const ssh_startup_limits *l)
{
    return l->full >= 1 && l->start >= 1 && l->start <= l->full && l->rate >= 0 && l->rate <= 100 &&
           l->per_source >= 0;
}

ssh_startups *ssh_startups_new(const ssh_startup_limits *lim)
{
    if (!valid(lim))
        return NULL;
    ssh_startups *t = xcalloc(1, sizeof *t + (size_t)lim->full * sizeof(entry));
    t->lim = *lim;
    for (int i = 0; i < lim->full; i++)
        t->e[i].fd = -1;
    return t;
}

void ssh_startups_free(ssh_startups *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->lim.full; i++)
        if (t->e[i].fd >= 0)
            close(t->e[i].fd);
    free(t);
}

size_t ssh_startups_count(const ssh_startups *t)
{
    return t->used;
}

size_t ssh_startups_count_from(const ssh_startups *t, const char *addr)
{
    size_t n = 0;
    for (int i = 0; i < t->lim.full; i++)
        n += t->e[i].fd >= 0 && strcmp(t->e[i].addr, addr) == 0;
    return n;
}

/* Random early drop as OpenSSH does it: rate% at start, rising linearly
 * to 100% at full. */
su_verdict ssh_startups_admit(const ssh_startups *t, const char *addr, unsigned rnd)
{
    const ssh_startup_limits *l = &t->lim;
    size_t n = t->used;
    if (n >= (size_t)l->full)
        return SU_FULL;
    if (l->per_source > 0 && ssh_startups_count_from(t, addr) >= (size_t)l->per_source)
        return SU_PER_SOURCE;
    if (n < (size_t)l->start)
        return SU_ACCEPT;
    unsigned p = (unsigned)l->rate;
    if (l->full > l->start)
        p += (unsigned)((100 - l->rate) * (int)(n - (size_t)l->start) / (l->full - l->start));
    return rnd % 100 < p ? SU_EARLY_DROP : SU_ACCEPT;
}

int ssh_startups_add(ssh_startups *t, const char *addr, int fd)
{
    for (int i = 0; i < t->lim.full; i++) {
        if (t->e[i].fd >= 0)
            continue;
        t->e[i].fd = fd;
        snprintf(t->e[i].addr, sizeof t->e[i].addr, "%s", addr);
        t->used++;
        return 0;
    }
    close(fd);
    return -1;
}

size_t ssh_startups_pollfds(const ssh_startups *t, struct pollfd *out, size_t max)
{
    size_t n = 0;
    for (int i = 0; i < t->lim.full && n < max; i++)
        if (t->e[i].fd >= 0)
            out[n++] = (struct pollfd){t->e[i].fd, POLLIN, 0};
    return n;
}

int ssh_startups_event(ssh_startups *t, int fd)
{
    for (int i = 0; i < t->lim.full; i++) {
        if (t->e[i].fd != fd)
            continue;
        char b;
        ssize_t r;
        while ((r = read(fd, &b, 1)) < 0 && errno == EINTR)
            ;
        if (r < 0 && errno == EAGAIN)
            return 0; /* spurious: still waiting */
        close(fd);
        t->e[i].fd = -1;
        t->used--;
        return r == 1;
    }
    return 0;
}

void ssh_startups_close_inherited(const ssh_startups *t)
{
    for (int i = 0; t && i < t->lim.full; i++)
        if (t->e[i].fd >= 0)
            close(t->e[i].fd);
}

static int parse_num(const char *s, const char **end, int *out)
{
    char *e;
    errno = 0;
    long v = strtol(s, &e, 10);
    if (e == s || errno || v < 0 || v > 100000 || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    *out = (int)v;
    *end = e;
    return 0;
}

int ssh_startups_parse(const char *s, ssh_startup_limits *lim)
{
    ssh_startup_limits l = *lim;
    const char *p;
    if (parse_num(s, &p, &l.start) != 0)
        return -1;
    if (*p == '\0') { /* "N": no early drop, a hard cap at N */
        l.full = l.start;
        l.rate = 100;
    } else if (*p != ':' || parse_num(p + 1, &p, &l.rate) != 0 || *p != ':' ||
               parse_num(p + 1, &p, &l.full) != 0 || *p != '\0') {
        return -1;
    }
    if (!valid(&l))
        return -1;
    *lim = l;
    return 0;
}
