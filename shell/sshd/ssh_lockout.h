/* Password throttling by (account, client address), shared by every
 * connection process of one listener: a MAP_SHARED file in the host key
 * directory, so that `ovmd --unthrottle` can clear entries from outside.
 *
 * Policy (ovmd.yaml(5)): the first auth.lockout_failures failed passwords
 * of a name from an address cost nothing more; each further one makes that
 * name wait, from that address only, 1 s, 2 s, 4 s, ... up to
 * auth.lockout_minutes before its next password is even checked. Other
 * addresses, and public keys from anywhere, are never affected, so nobody
 * can lock the owner out. IPv6 addresses count by their /64. Unknown
 * names are throttled the same way, so throttling tells nothing about
 * which names exist. A success resets the pair. */
#ifndef OVM_SHELL_SSH_LOCKOUT_H
#define OVM_SHELL_SSH_LOCKOUT_H
#include <stddef.h>

typedef struct ssh_lockout ssh_lockout;

typedef struct ssh_lockout_policy {
    int free_failures;      /* auth.lockout_failures; 0 = no throttling */
    int max_delay_s;        /* auth.lockout_minutes * 60 */
    int unknown_hashes;     /* auth.unknown_user_hashes per second */
} ssh_lockout_policy;

/* Creates (truncating) the table file at path, mode 0600, empty. NULL on
 * failure (errno set). */
ssh_lockout *ssh_lockout_create(const char *path, const ssh_lockout_policy *p);
/* Attaches to the table a running listener created. NULL on failure. */
ssh_lockout *ssh_lockout_attach(const char *path);
void ssh_lockout_free(ssh_lockout *l);
/* Seconds user must still wait before a password from addr is checked. */
long ssh_lockout_wait(ssh_lockout *l, const char *user, const char *addr);
/* Counts a failed password of user from addr; returns the delay (s) it
 * imposes from now, 0 while failures are still free. */
long ssh_lockout_fail(ssh_lockout *l, const char *user, const char *addr);
/* A successful login of user from addr forgets its failures. */
void ssh_lockout_success(ssh_lockout *l, const char *user, const char *addr);
/* Forgets the entries of user (NULL: any) from addr (NULL: any); returns
 * how many were throttling (had a delay pending). */
size_t ssh_lockout_clear(ssh_lockout *l, const char *user, const char *addr);
/* 1 when a password check for an unknown user may spend CPU now (token
 * bucket of unknown_hashes per second, shared by all connections). */
int ssh_lockout_hash_token(ssh_lockout *l);
#endif
