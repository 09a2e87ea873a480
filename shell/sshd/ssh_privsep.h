/* Privilege separation of the SSH connection processes (doc/architecture.md
 * §1, ovmd(8)). Key exchange, authentication and the session all parse
 * what a remote client sends, so each connection process gives up, before
 * the first byte of key exchange: root (when the listener has it: a chroot
 * into an empty folder and the user ssh.privsep_user), the right to gain
 * privileges again (PR_SET_NO_NEW_PRIVS), and every system call outside an
 * allow-list (a seccomp filter). What it needs later is in memory already or
 * comes from the listener over its broker socket (ssh_broker.h). */
#ifndef OVM_SHELL_SSH_PRIVSEP_H
#define OVM_SHELL_SSH_PRIVSEP_H
#include <sys/types.h>
#include "shell/sshd/sshd.h"

typedef struct ssh_privsep {
    int as_root;          /* the listener runs as root: chroot and drop */
    uid_t uid;            /* ssh.privsep_user */
    gid_t gid;
    const char *dir;      /* ssh.privsep_dir, empty and root's */
} ssh_privsep;

/* In the listener, at start: looks the user up and makes the empty folder
 * (mode 0755) when running as root. 0, or -1 (logged). */
int ssh_privsep_prepare(const sshd_config *c, ssh_privsep *ps);
/* In a connection process: enters the sandbox for good. 0, or -1 (logged):
 * the process must then end without serving its client. */
int ssh_privsep_enter(const ssh_privsep *ps);
#endif
