/* The session process behind one SSH channel. It reuses ovmsh's loops
 * unchanged: they write to stdout/stderr and read stdin, so the child gets
 * pipes (exec, batch) or a pty slave (interactive) as its standard streams
 * and the connection process pumps them to and from the channel.
 *
 * Interactive mode: readline runs on the pty slave with output
 * post-processing (OPOST) off, so the engine's CRLF/CR/LF bytes reach the
 * client untouched (doc/command-language.md §1.2). Readline itself ends lines with a
 * bare "\n" and relies on the tty for the CR; its stream (rl_outstream)
 * therefore goes through a filter that turns a lone "\n" into "\r\n". */
#include "shell/sshd/ssh_shell.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <readline/readline.h>
#include "shell/client/client.h"
#include "shell/sshd/ssh_broker.h"

/* The session process's broker fd (ssh_broker.h), after become_stdio. */
#define CHILD_BROKER_FD 3

/* The filter's state: its fd and the last byte written (a CR may end one
 * buffer and its LF start the next). */
typedef struct crlf_cookie {
    int fd;
    char last;
} crlf_cookie;

/* fopencookie writer for readline's own output: lone LF -> CRLF. */
static ssize_t crlf_write(void *cookie, const char *buf, size_t len)
{
    crlf_cookie *ck = cookie;
    int fd = ck->fd;
    char out[1024];
    size_t used = 0, o = 0;
    while (used < len && o + 2 <= sizeof out) {
        char ch = buf[used++];
        if (ch == '\n' && ck->last != '\r')
            out[o++] = '\r';
        out[o++] = ch;
        ck->last = ch;
    }
    for (size_t off = 0; off < o;) {
        ssize_t w = write(fd, out + off, o - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return (ssize_t)used;
}

/* A stream on stdout through the filter; ck must outlive it. */
static FILE *crlf_stream(crlf_cookie *ck)
{
    ck->fd = STDOUT_FILENO;
    ck->last = 0;
    cookie_io_functions_t io = {NULL, crlf_write, NULL, NULL};
    FILE *f = fopencookie(ck, "w", io);
    if (f)
        setvbuf(f, NULL, _IOLBF, 0);
    return f;
}

static int setup_pty_child(int slave)
{
    if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
        return -1;
    struct termios t;
    if (tcgetattr(slave, &t) != 0)
        return -1;
    t.c_oflag &= (tcflag_t)~OPOST;
    /* ^Z and ^\ would stop or kill a session nobody can resume, and ^C as
     * SIGINT races with the keys typed after it: all three stay ordinary
     * keys, and readline binds ^C (discard_line_key). */
    t.c_cc[VSUSP] = _POSIX_VDISABLE;
    t.c_cc[VQUIT] = _POSIX_VDISABLE;
    t.c_cc[VINTR] = _POSIX_VDISABLE;
    /* No XON/XOFF: a stray ^S would freeze the output for good. */
    t.c_iflag &= (tcflag_t)~(IXON | IXOFF);
    if (tcsetattr(slave, TCSANOW, &t) != 0)
        return -1;
    return 0;
}

/* Ctrl-C discards the line being typed (doc/command-language.md §1.2). As a key it
 * is read in order with the keys around it, so it always discards exactly
 * what was typed before it. During a command it waits in the pty like any
 * other key and then gives a fresh prompt. */
static int discard_line_key(int count, int key)
{
    rl_replace_line("", 0);
    rl_crlf();
    rl_on_new_line();
    rl_redisplay();
    return 0;
}

static int run_interactive(client *c, const shell_spec *sp)
{
    /* No shared history file and no inputrc: history lives and dies with the
     * session, and nothing outside ovmd changes the prompt's bytes. */
    unsetenv("HOME");
    setenv("INPUTRC", "/dev/null", 1);
    setenv("TERM", sp->term && *sp->term ? sp->term : "dumb", 1);
    rl_variable_bind("enable-bracketed-paste", "off");
    rl_bind_key(3, discard_line_key);
    crlf_cookie ck;
    FILE *out = crlf_stream(&ck);
    if (out)
        rl_outstream = out;
    int rc = client_run_interactive(c);
    if (out)
        fclose(out);
    return rc;
}

/* Connects to the engine, retrying for up to RECONNECT_MS while it
 * restarts. 0 or -1 (errno set). */
#define RECONNECT_MS 15000
static int connect_engine(client *c, const shell_spec *sp)
{
    for (int waited = 0;; waited += 200) {
        /* The sandbox cannot connect: the listener does it (ssh_privsep.h). */
        int fd = ssh_broker_engine(sp->broker_fd);
        if (fd >= 0 && client_open_fd(c, fd, sp->user) == 0)
            return 0;
        if (waited >= RECONNECT_MS)
            return -1;
        usleep(200 * 1000);
    }
}

/* Runs the session loop; when the engine goes away, the command in flight
 * has already been reported lost, so reconnect and carry on with the next
 * line (interactive, batch). An exec string is not resumed: its remaining
 * commands may depend on the lost one. */
static int run_loop(client *c, const shell_spec *sp)
{
    int rc, lost = 0;
    for (;;) {
        if (sp->mode == SHELL_EXEC)
            return client_run_exec(c, sp->command) == OVMSH_OK ? OVMSH_OK : OVMSH_FAILED;
        rc = sp->mode == SHELL_BATCH ? client_run_batch(c, stdin) : run_interactive(c, sp);
        if (rc != OVMSH_NO_ENGINE || feof(stdin))
            break;
        lost = 1;
        client_close(c);
        fputs("ovmsh: reconnecting to the engine\r\n", stderr);
        if (connect_engine(c, sp) != 0) {
            fputs("ovmsh: the engine did not come back\r\n", stderr);
            return OVMSH_NO_ENGINE;
        }
    }
    return lost && sp->mode == SHELL_BATCH ? OVMSH_FAILED : rc;
}

/* Runs in the child: connects to the engine and runs the loop. */
static void child_main(const shell_spec *parent_spec)
{
    shell_spec mine = *parent_spec, *sp = &mine;
    sp->broker_fd = CHILD_BROKER_FD;
    signal(SIGPIPE, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    /* The connection process ends a session with SIGHUP: a daemon started
     * under nohup (or anything else that ignores it) must not pass that on. */
    signal(SIGHUP, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGTSTP, SIG_IGN);
    signal(SIGTTIN, SIG_IGN);
    signal(SIGTTOU, SIG_IGN);
    alarm(0);
    client c = {.fd = -1};
    c.interactive = sp->mode == SHELL_INTERACTIVE;
    if (connect_engine(&c, sp) != 0) {
        fprintf(stderr, "ovmsh: cannot reach the engine: %s\r\n", strerror(errno));
        _exit(OVMSH_NO_ENGINE);
    }
    int rc = run_loop(&c, sp);
    client_close(&c);
    fflush(stdout);
    fflush(stderr);
    _exit(rc);
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Moves the given fds to 0, 1, 2 and the broker to CHILD_BROKER_FD, and
 * closes everything else, so the child keeps neither the client's TCP
 * socket nor the listener. */
static void become_stdio(int in, int out, int err, int broker)
{
    int b = fcntl(broker, F_DUPFD_CLOEXEC, CHILD_BROKER_FD + 1);
    if (b < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 || dup3(b, CHILD_BROKER_FD, O_CLOEXEC) < 0)
        _exit(127);
    close_range(CHILD_BROKER_FD + 1, ~0u, 0);
}

static pid_t spawn_pty(const shell_spec *sp, shell_fds *fds)
{
    int master = -1, slave = -1;
    struct winsize ws = sp->ws;
    if (ssh_broker_pty(sp->broker_fd, &master, &slave) != 0)
        return -1;
    if (ioctl(master, TIOCSWINSZ, &ws) != 0) {
        close(master), close(slave);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(master);
        if (setup_pty_child(slave) != 0)
            _exit(127);
        become_stdio(slave, slave, slave, sp->broker_fd);
        child_main(sp);
    }
    close(slave);
    if (pid < 0 || set_nonblock(master) != 0 || fcntl(master, F_SETFD, FD_CLOEXEC) != 0) {
        close(master);
        return -1;
    }
    fds->in_fd = fds->out_fd = master;
    fds->err_fd = -1;
    return pid;
}

static void close_pair(int p[2])
{
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
}

static pid_t spawn_pipes(const shell_spec *sp, shell_fds *fds)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    pid_t pid = -1;
    if (pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0)
        pid = fork();
    if (pid == 0) {
        become_stdio(in[0], out[1], err[1], sp->broker_fd);
        child_main(sp);
    }
    if (pid < 0) {
        close_pair(in), close_pair(out), close_pair(err);
        return -1;
    }
    close(in[0]), close(out[1]), close(err[1]);
    set_nonblock(in[1]), set_nonblock(out[0]), set_nonblock(err[0]);
    fds->in_fd = in[1];
    fds->out_fd = out[0];
    fds->err_fd = err[0];
    return pid;
}

pid_t ssh_shell_spawn(const shell_spec *sp, shell_fds *fds)
{
    fflush(NULL); /* nothing buffered may be written twice by the child */
    return sp->mode == SHELL_INTERACTIVE ? spawn_pty(sp, fds) : spawn_pipes(sp, fds);
}

int ssh_shell_exit_status(const shell_spec *sp, int wstatus)
{
    if (!WIFEXITED(wstatus))
        return 1;
    int rc = WEXITSTATUS(wstatus);
    if (sp->mode == SHELL_INTERACTIVE)
        return rc == OVMSH_OK ? 0 : 1;
    return rc == 0 ? 0 : 1;
}
