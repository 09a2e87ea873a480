/* The SSH front end of ovmd (doc/command-language.md §1, §11.5): a libssh listener that
 * forks one process per connection; each authenticated channel runs an
 * interactive, batch or exec session against the engine's Unix socket. */
#ifndef OVM_SHELL_SSHD_H
#define OVM_SHELL_SSHD_H
#include <stddef.h>
#include <stdio.h>
#include "lib/conftab.h"
#include "shell/sshd/ssh_startups.h"

/* One configured account: name and crypt(3) hash ("" = key login only). */
typedef struct sshd_user {
    char *name;
    char *hash;
} sshd_user;

typedef struct sshd_config {
    int enabled;            /* ssh.enabled, default 1 */
    char *listen;           /* ssh.listen address, NULL = all addresses */
    int port;               /* ssh.port, default 10000 */
    char *host_key_dir;     /* ssh.host_key_dir, NULL = <state_dir>/ssh */
    char *authorized_keys;  /* auth.authorized_keys ("%u" = user), NULL = <state_dir>/authorized_keys */
    int max_tries;          /* auth.max_tries per connection, default 6 */
    int login_grace;        /* auth.login_grace_time seconds, default 120, 0 = none */
    ssh_startup_limits startups; /* ssh.max_startups, ssh.per_source_max_startups */
    int lockout_failures;   /* auth.lockout_failures: free failures per name and address, default 5 */
    int lockout_minutes;    /* auth.lockout_minutes: the longest throttling delay, default 30 */
    int unknown_hashes;     /* auth.unknown_user_hashes per second, default 4 */
    sshd_user *users;       /* auth.users.<name>; default: admin, key login only */
    size_t nusers;
    int users_set;          /* 1 once ovmd.yaml named a user: drops the default */
    char *engine_socket;    /* the engine's socket, NULL = <state_dir>/engine.sock */
    char *privsep_user;     /* ssh.privsep_user, default nobody */
    char *privsep_dir;      /* ssh.privsep_dir, NULL = <state_dir>/ssh-empty */
} sshd_config;

/* Fills c with the documented defaults (ovmd.yaml(5)); paths stay NULL. */
void sshd_config_defaults(sshd_config *c);
/* Applies one dotted ovmd.yaml key. 1 if it is an SSH/auth key and was
 * applied, 0 if not ours, -1 on a bad value with *err (heap). */
int sshd_config_apply(sshd_config *c, const char *key, const char *value, char **err);
/* The effective SSH/auth settings as "key value" lines, hashes hidden. */
void sshd_config_print(const sshd_config *c, FILE *fp);
/* The table of ssh.* and auth.* keys (lib/conftab.h). */
const conf_key *sshd_config_keys(size_t *n);
/* Fills the paths still NULL from state_dir (and socket, when not NULL). */
void sshd_config_finish(sshd_config *c, const char *state_dir, const char *socket);
/* Frees everything c owns; c may be reused after sshd_config_defaults. */
void sshd_config_free(sshd_config *c);
/* The account named user, or NULL. */
const sshd_user *sshd_config_user(const sshd_config *c, const char *user);

/* Runs the listener in the calling process until *stop becomes nonzero
 * (checked at least twice a second); forks one process per connection.
 * Returns 0 on a clean stop, -1 when it cannot start (logged). */
int sshd_run(const sshd_config *c, volatile int *stop);

/* The password throttle table of the listener configured by c (heap). */
char *sshd_throttle_path(const sshd_config *c);
/* ovmd --unthrottle SPEC: forgets the password failures of the running
 * listener's table for SPEC, "all", "USER", "USER@ADDRESS" or "@ADDRESS";
 * reports on out/err. 0, or 1 when there is no table to clear. */
int sshd_unthrottle(const sshd_config *c, const char *spec, FILE *out, FILE *err);

/* Hashes pw with yescrypt ($y$), or SHA-512 ($6$) where yescrypt is missing.
 * 0 with *hash (heap), or -1. */
int ovmd_hash_password(const char *pw, char **hash);
/* 1 if pw matches the crypt(3) hash, 0 otherwise (also for an empty hash). */
int ovmd_check_password(const char *pw, const char *hash);
#endif
