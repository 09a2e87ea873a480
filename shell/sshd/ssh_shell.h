/* The process that runs one SSH channel's session loop (the ovmsh loops of
 * shell/client*.c) with its standard streams on pipes or a pty. */
#ifndef OVM_SHELL_SSH_SHELL_H
#define OVM_SHELL_SSH_SHELL_H
#include <sys/ioctl.h>
#include <sys/types.h>

typedef enum { SHELL_EXEC, SHELL_BATCH, SHELL_INTERACTIVE } shell_mode;

typedef struct shell_spec {
    shell_mode mode;
    const char *command;     /* SHELL_EXEC: the exec string */
    const char *user;        /* reported to the engine in P_HELLO */
    int broker_fd;           /* asks the listener for engine connections and ptys (ssh_broker.h) */
    const char *term;        /* SHELL_INTERACTIVE: TERM from pty-req */
    struct winsize ws;       /* SHELL_INTERACTIVE: initial size */
} shell_spec;

/* The parent's ends: in_fd takes the client's bytes, out_fd/err_fd give the
 * session's output (the same pty master for in/out in interactive mode,
 * err_fd -1 there). All non-blocking and close-on-exec. */
typedef struct shell_fds {
    int in_fd, out_fd, err_fd;
} shell_fds;

/* Forks the session process. Returns its pid and fills *fds, or -1. */
pid_t ssh_shell_spawn(const shell_spec *sp, shell_fds *fds);
/* Maps the session process's wait status to the SSH exit-status (§11.2). */
int ssh_shell_exit_status(const shell_spec *sp, int wstatus);
#endif
