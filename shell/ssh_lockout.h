/* Per-account failed-login counters shared by every connection process of
 * one listener (anonymous shared memory, created before the first fork). */
#ifndef OVM_SHELL_SSH_LOCKOUT_H
#define OVM_SHELL_SSH_LOCKOUT_H
#include <stddef.h>

typedef struct ssh_lockout ssh_lockout;

/* A table for n accounts, all unlocked; NULL on failure. */
ssh_lockout *ssh_lockout_new(size_t n);
void ssh_lockout_free(ssh_lockout *l);
/* Seconds left on the lock of account i; 0 when it is not locked. */
long ssh_lockout_remaining(ssh_lockout *l, size_t i);
/* Counts one failed login of account i; after max consecutive failures
 * (0 = never) locks it for minutes. Returns 1 when this call locked it. */
int ssh_lockout_fail(ssh_lockout *l, size_t i, int max, int minutes);
/* A successful login of account i resets its count. */
void ssh_lockout_success(ssh_lockout *l, size_t i);
#endif
