/* One SSH connection, served in its own process: key exchange,
 * authentication and the one session channel it may open. */
#ifndef OVM_SHELL_SSH_SESSION_H
#define OVM_SHELL_SSH_SESSION_H
#include <libssh/libssh.h>
#include "lib/lograte.h"
#include "shell/sshd/ssh_broker.h"
#include "shell/sshd/ssh_keys.h"
#include "shell/sshd/ssh_lockout.h"
#include "shell/sshd/ssh_privsep.h"
#include "shell/sshd/sshd.h"

/* What the listener hands to every connection process. */
typedef struct sshd_shared {
    const sshd_config *cfg;
    ssh_lockout *lockout;     /* password throttling, shared by all processes */
    const char *dummy_hash;   /* checked for unknown users, to equalise timing */
    long dummy_us;            /* how long checking it took at start */
    ssh_startups *startups;   /* the listener's; NULL in a connection process */
    int auth_fd;              /* connection process: one byte here on login */
    log_rate *preauth_log;    /* budget of the lines before login, shared by all processes */
    const ssh_privsep *privsep;  /* the sandbox of connection processes */
    ssh_broker *broker;       /* the listener's; NULL in a connection process */
    int broker_fd;            /* connection process: its end of the broker */
    const ssh_keys_snapshot *keys; /* connection process: authorized_keys as at its start */
} sshd_shared;

/* The client address of socket fd as text ("unknown" when it has none). */
void ssh_peer_address(int fd, char *out, size_t len);

/* Serves the accepted connection ss until it ends; frees ss. Returns the
 * process exit status for the connection process. */
int ssh_session_serve(const sshd_shared *sh, ssh_session ss);
#endif
