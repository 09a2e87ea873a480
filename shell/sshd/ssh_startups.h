/* Pre-authentication limits of the SSH listener (ssh.max_startups,
 * ssh.per_source_max_startups), like OpenSSH's MaxStartups and
 * PerSourceMaxStartups. The listener keeps one entry per connection process
 * that has not logged in yet: the read end of a pipe whose write end the
 * connection process holds. It writes one byte when a login succeeds, and
 * the pipe reaches EOF when it exits; either way the entry is gone. So the
 * counts are decided before fork, from the listener's own table, and a
 * connection process can only ever speak for itself. */
#ifndef OVM_SHELL_SSH_STARTUPS_H
#define OVM_SHELL_SSH_STARTUPS_H
#include <poll.h>
#include <stddef.h>

/* "start:rate:full": from start unauthenticated connections on, a new one
 * is refused with probability rate% rising linearly to 100% at full. */
typedef struct ssh_startup_limits {
    int start, rate, full;
    int per_source;        /* per client address; 0 = no per-source cap */
} ssh_startup_limits;

typedef enum { SU_ACCEPT, SU_FULL, SU_EARLY_DROP, SU_PER_SOURCE } su_verdict;

typedef struct ssh_startups ssh_startups;

/* An empty table for the given limits (copied); NULL on a bad limit. */
ssh_startups *ssh_startups_new(const ssh_startup_limits *lim);
/* Closes every fd still held and frees t. */
void ssh_startups_free(ssh_startups *t);
/* Whether a new connection from addr may start; rnd is a uniform random
 * number (only its value modulo 100 is used) for the early drop. */
su_verdict ssh_startups_admit(const ssh_startups *t, const char *addr, unsigned rnd);
/* Tracks a connection process of addr by its pipe's read end fd (the table
 * owns fd from now on). 0, or -1 when full (fd is then closed). */
int ssh_startups_add(ssh_startups *t, const char *addr, int fd);
/* Unauthenticated connections, in all and from addr. */
size_t ssh_startups_count(const ssh_startups *t);
size_t ssh_startups_count_from(const ssh_startups *t, const char *addr);
/* Fills up to max pollfds (POLLIN) with the tracked fds; returns how many. */
size_t ssh_startups_pollfds(const ssh_startups *t, struct pollfd *out, size_t max);
/* fd polled readable: its connection logged in or ended; either way it
 * leaves the table. Returns 1 for a login, 0 otherwise. */
int ssh_startups_event(ssh_startups *t, int fd);
/* In a freshly forked connection process: closes the listener's read ends
 * (without freeing, the memory goes with the process image). */
void ssh_startups_close_inherited(const ssh_startups *t);
/* Parses "full" or "start:rate:full" into lim; 0 or -1. */
int ssh_startups_parse(const char *s, ssh_startup_limits *lim);
#endif
