/* OpenSSH authorized_keys semantics for the SSH front end (doc/command-language.md §11.5). */
#ifndef OVM_SHELL_SSH_KEYS_H
#define OVM_SHELL_SSH_KEYS_H
#include <libssh/libssh.h>

/* What the matching line allows beyond the login itself. */
typedef struct ssh_key_opts {
    int allow_pty;    /* 0 after "restrict" or "no-pty" (unless "pty" follows) */
} ssh_key_opts;

/* Looks key up in the authorized_keys file at path ("%u" expands to user),
 * for a client at address addr. Returns 1 and fills *opts when a usable line
 * matches, 0 when none does, -1 when the file is missing, unreadable or
 * refused (group/world-writable). Broken lines are logged and skipped. */
int ssh_keys_authorized(const char *path, const char *user, ssh_key key, const char *addr,
                        ssh_key_opts *opts);

/* The authorized_keys files of the configured users as read when a
 * connection process starts: after that it has no file system
 * (shell/sshd/ssh_privsep.h). A file larger than SSH_KEYS_MAX_FILE is refused. */
#define SSH_KEYS_MAX_FILE (1024 * 1024)
typedef struct ssh_keys_file {
    char *user, *path;  /* path: the file of user ("%u" expanded) */
    char *text;         /* its bytes, NUL-terminated; NULL when unusable (logged) */
    size_t len;
} ssh_keys_file;
typedef struct ssh_keys_snapshot {
    ssh_keys_file *files;
    size_t n;
} ssh_keys_snapshot;
/* Reads the file at path ("%u" = user) of each of the n users into s. */
void ssh_keys_snapshot_take(ssh_keys_snapshot *s, const char *path, const char *const *users, size_t n);
void ssh_keys_snapshot_free(ssh_keys_snapshot *s);
/* As ssh_keys_authorized, on the snapshot; -1 also for a user not in it. */
int ssh_keys_snapshot_authorized(const ssh_keys_snapshot *s, const char *user, ssh_key key, const char *addr,
                                 ssh_key_opts *opts);

/* 1 if addr matches the OpenSSH pattern list (',' separated, '*' and '?'
 * wildcards, '!' negation, a.b.c.d/n CIDR); a negated match wins. */
int ssh_keys_from_match(const char *list, const char *addr);
#endif
