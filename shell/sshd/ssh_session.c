/* One SSH connection in its own process. Authentication and the channel
 * are driven by libssh's callback API; the session loop itself runs in a
 * further child (shell/sshd/ssh_shell.c) whose streams are pumped here, so a
 * stalled client only ever stalls its own processes. */
#include "shell/sshd/ssh_session.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libssh/callbacks.h>
#include <libssh/server.h>
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/text.h"
#include "lib/util.h"
#include "shell/client/client.h"
#include "shell/sshd/ssh_keys.h"
#include "shell/sshd/ssh_shell.h"

/* Client input not yet taken by the session process; beyond this the
 * client is flooding faster than any command can run and is dropped. */
#define MAX_PENDING (16u * 1024u * 1024u)

typedef struct conn {
    const sshd_shared *sh;
    ssh_session ss;
    ssh_event ev;
    char addr[INET6_ADDRSTRLEN + 8];
    char *user;                 /* set once authenticated */
    int failures;               /* failed attempts on this connection */
    int auth_fd;                /* startups pipe to the listener, -1 once told */
    int drop;                   /* too many failures: disconnect */
    ssh_key_opts kopts;         /* of the key that logged in */
    struct ssh_server_callbacks_struct scb;
    struct ssh_channel_callbacks_struct ccb;
    ssh_channel chan;
    int pty;                    /* pty-req accepted */
    char term[64];
    struct winsize ws;
    shell_spec spec;
    char *command;              /* exec string (spec.command points here) */
    pid_t child;
    shell_fds fds;
    int out_open, err_open;     /* registered with ev */
    int out_eof, err_eof;       /* seen EOF, to unregister after the poll */
    strbuf pending;             /* client bytes for fds.in_fd */
    size_t line_len;            /* bytes of the current input line so far */
    int overlong_logged;        /* an over-long line was logged */
    int in_eof;                 /* the client sent EOF */
    int64_t quiet_since;        /* last output, or the EOF if later (ms) */
    int peer_closed;            /* the client closed the channel */
    int finished;               /* exit-status sent */
} conn;

/* A user name as the client sent it, escaped and bounded for a log line. */
static void printable(const char *s, char *out, size_t len)
{
    ovm_text_log_escape(s ? s : "", s ? strnlen(s, len) : 0, out, len);
}

void ssh_peer_address(int fd, char *out, size_t len)
{
    struct sockaddr_storage sa;
    socklen_t sl = sizeof sa;
    snprintf(out, len, "unknown");
    if (getpeername(fd, (struct sockaddr *)&sa, &sl) != 0)
        return;
    if (sa.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr, out, (socklen_t)len);
    else if (sa.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr, out, (socklen_t)len);
}

/* ---- authentication ---- */

static int denied(conn *c, const char *method, const char *user, const char *why)
{
    char u[65];
    printable(user, u, sizeof u);
    c->failures++;
    log_rate_msg(c->sh->preauth_log, LOG_WARN_, "ssh: failed %s login for %s from %s: %s", method, u, c->addr, why);
    if (c->failures >= c->sh->cfg->max_tries) {
        log_rate_msg(c->sh->preauth_log, LOG_WARN_, "ssh: too many authentication failures from %s: disconnecting",
                     c->addr);
        c->drop = 1;
    }
    return SSH_AUTH_DENIED;
}

/* A failed password: counts toward throttling this name from this address
 * (ssh_lockout.h). */
static int denied_password(conn *c, const char *user, const char *why)
{
    long delay = ssh_lockout_fail(c->sh->lockout, user, c->addr);
    if (delay > 0) {
        char u[65];
        printable(user, u, sizeof u);
        log_rate_msg(c->sh->preauth_log, LOG_WARN_,
                     "ssh: passwords for %s from %s throttled: the next one is checked in %ld s", u, c->addr, delay);
    }
    return denied(c, "password", user, why);
}

/* The connection no longer counts against ssh.max_startups. */
static void tell_listener(conn *c)
{
    if (c->auth_fd < 0)
        return;
    ssize_t w;
    while ((w = write(c->auth_fd, "A", 1)) < 0 && errno == EINTR)
        ;
    close(c->auth_fd);
    c->auth_fd = -1;
}

static int accepted(conn *c, const char *method, const char *user, const char *detail)
{
    ssh_lockout_success(c->sh->lockout, user, c->addr);
    tell_listener(c);
    c->user = xstrdup(user);
    alarm(0); /* the login grace time no longer applies */
    log_info("ssh: accepted %s for %s from %s%s%s", method, user, c->addr, detail ? " " : "", detail ? detail : "");
    return SSH_AUTH_SUCCESS;
}

/* A password of a name that has none (unknown, or key login only) takes
 * about as long as a real check, so timing does not tell which names
 * exist; but such checks spend CPU only within the shared budget
 * auth.unknown_user_hashes, beyond it the time passes asleep. */
static void fake_check(conn *c, const char *pw)
{
    if (ssh_lockout_hash_token(c->sh->lockout))
        ovmd_check_password(pw, c->sh->dummy_hash);
    else
        usleep((useconds_t)c->sh->dummy_us);
}

static int on_auth_password(ssh_session ss, const char *user, const char *pw, void *ud)
{
    conn *c = ud;
    long wait = ssh_lockout_wait(c->sh->lockout, user, c->addr);
    if (wait > 0) {
        char why[64];
        snprintf(why, sizeof why, "throttled for %ld s more", wait);
        return denied(c, "password", user, why);
    }
    const sshd_user *u = sshd_config_user(c->sh->cfg, user);
    if (!u || !*u->hash) {
        fake_check(c, pw);
        return denied_password(c, user, u ? "no password set" : "unknown user");
    }
    if (!ovmd_check_password(pw, u->hash))
        return denied_password(c, user, "wrong password");
    c->kopts.allow_pty = 1;
    return accepted(c, "password", user, NULL);
}

static char *key_fingerprint(ssh_key key)
{
    unsigned char *hash = NULL;
    size_t hlen = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0)
        return xstrdup("?");
    char *fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
    ssh_clean_pubkey_hash(&hash);
    char *out = xasprintf("%s %s", ssh_key_type_to_char(ssh_key_type(key)), fp ? fp : "?");
    ssh_string_free_char(fp);
    return out;
}

static int on_auth_pubkey(ssh_session ss, const char *user, struct ssh_key_struct *key, char state, void *ud)
{
    conn *c = ud;
    /* Password throttling never applies here: a valid key always works. */
    if (!sshd_config_user(c->sh->cfg, user))
        return denied(c, "publickey", user, "unknown user");
    if (state == SSH_PUBLICKEY_STATE_WRONG)
        return denied(c, "publickey", user, "bad signature");
    ssh_key_opts opts = {1};
    if (ssh_keys_snapshot_authorized(c->sh->keys, user, key, c->addr, &opts) != 1)
        return denied(c, "publickey", user, "key not authorized");
    if (state == SSH_PUBLICKEY_STATE_NONE)
        return SSH_AUTH_SUCCESS; /* only a query: the signature comes next */
    c->kopts = opts;
    char *fp = key_fingerprint(key);
    int rc = accepted(c, "publickey", user, fp);
    free(fp);
    return rc;
}

/* ---- the channel ---- */

static void close_input(conn *c)
{
    if (c->fds.in_fd >= 0 && c->fds.in_fd != c->fds.out_fd)
        close(c->fds.in_fd);
    c->fds.in_fd = -1;
    sb_reset(&c->pending);
}

/* Writes what the session process will take now; the rest waits. */
static void flush_input(conn *c)
{
    while (c->fds.in_fd >= 0 && c->pending.len) {
        ssize_t w = write(c->fds.in_fd, c->pending.buf, c->pending.len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN)
            return;
        if (w <= 0) {
            close_input(c);
            return;
        }
        memmove(c->pending.buf, c->pending.buf + w, c->pending.len - (size_t)w);
        c->pending.len -= (size_t)w;
    }
    /* Batch input ends with the client's EOF; a pty has no such thing. */
    if (c->in_eof && c->pending.len == 0 && c->fds.in_fd >= 0 && c->fds.in_fd != c->fds.out_fd)
        close_input(c);
}

static int line_end(const conn *c, char ch)
{
    return ch == '\n' || (c->pty && ch == '\r');
}

/* Queues client input for the session process, keeping at most
 * CLIENT_LINE_KEEP bytes of any one line: the session process still sees an
 * over-long line as such and refuses it, and the rest of it is dropped here
 * as it arrives, so a giant line costs no memory anywhere. */
static void queue_input(conn *c, const char *data, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && !line_end(c, data[j]))
            j++;
        size_t room = c->line_len < CLIENT_LINE_KEEP ? CLIENT_LINE_KEEP - c->line_len : 0;
        size_t keep = j - i < room ? j - i : room;
        sb_add(&c->pending, data + i, keep);
        if (keep < j - i && !c->overlong_logged) {
            log_warn("ssh: %s sent a line longer than %d bytes: the rest of it is dropped", c->addr, GR_MAX_LINE);
            c->overlong_logged = 1;
        }
        c->line_len += keep;
        if (j < len) {
            sb_addc(&c->pending, data[j++]);
            c->line_len = 0;
        }
        i = j;
    }
}

static int on_data(ssh_session ss, ssh_channel ch, void *data, uint32_t len, int is_stderr, void *ud)
{
    conn *c = ud;
    if (c->fds.in_fd < 0 || c->in_eof)
        return (int)len; /* nobody reads it any more */
    if (c->pending.len + len > MAX_PENDING) {
        log_warn("ssh: %s sends input faster than it is used: disconnecting", c->addr);
        c->drop = 1;
        return (int)len;
    }
    queue_input(c, data, len);
    flush_input(c);
    return (int)len;
}

static void on_eof(ssh_session ss, ssh_channel ch, void *ud)
{
    conn *c = ud;
    /* A pty has no end of input: type Ctrl-U Ctrl-D instead, which ends
     * the session once the lines already typed have run. */
    if (c->pty && c->fds.in_fd >= 0 && !c->in_eof)
        sb_add(&c->pending, "\025\004", 2);
    c->in_eof = 1;
    c->quiet_since = ovm_now_ms();
    flush_input(c);
}

static void on_close(ssh_session ss, ssh_channel ch, void *ud)
{
    conn *c = ud;
    c->peer_closed = 1;
    if (c->child > 0 && !c->finished)
        kill(c->child, SIGHUP);
}

static int on_pty(ssh_session ss, ssh_channel ch, const char *term, int w, int h, int pw, int ph, void *ud)
{
    conn *c = ud;
    if (!c->kopts.allow_pty || c->child > 0) {
        log_info("ssh: pty refused for %s from %s (key option)", c->user, c->addr);
        return SSH_ERROR;
    }
    c->pty = 1;
    printable(term, c->term, sizeof c->term);
    c->ws = (struct winsize){(unsigned short)h, (unsigned short)w, (unsigned short)pw, (unsigned short)ph};
    return SSH_OK;
}

static int on_window_change(ssh_session ss, ssh_channel ch, int w, int h, int pw, int ph, void *ud)
{
    conn *c = ud;
    c->ws = (struct winsize){(unsigned short)h, (unsigned short)w, (unsigned short)pw, (unsigned short)ph};
    /* The kernel sends SIGWINCH to readline's process group. */
    if (c->pty && c->fds.out_fd >= 0)
        ioctl(c->fds.out_fd, TIOCSWINSZ, &c->ws);
    return SSH_OK;
}

static int on_output(socket_t fd, int revents, void *ud)
{
    conn *c = ud;
    int is_err = fd == c->fds.err_fd;
    char buf[32768];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (n <= 0) { /* EOF, or EIO on a pty master once the slave is gone */
        *(is_err ? &c->err_eof : &c->out_eof) = 1;
        return 0;
    }
    c->quiet_since = ovm_now_ms();
    if (c->peer_closed)
        return 0;
    int rc = is_err ? ssh_channel_write_stderr(c->chan, buf, (uint32_t)n)
                    : ssh_channel_write(c->chan, buf, (uint32_t)n);
    if (rc == SSH_ERROR)
        c->peer_closed = 1;
    return 0;
}

static int start_shell(conn *c, shell_mode mode)
{
    if (c->child > 0)
        return SSH_ERROR; /* one session per channel */
    c->spec = (shell_spec){mode, c->command, c->user, c->sh->broker_fd, c->term, c->ws};
    pid_t pid = ssh_shell_spawn(&c->spec, &c->fds);
    if (pid < 0) {
        log_err("ssh: cannot start a session for %s: %s", c->user, strerror(errno));
        return SSH_ERROR;
    }
    c->child = pid;
    c->out_open = ssh_event_add_fd(c->ev, c->fds.out_fd, POLLIN, on_output, c) == SSH_OK;
    if (c->fds.err_fd >= 0)
        c->err_open = ssh_event_add_fd(c->ev, c->fds.err_fd, POLLIN, on_output, c) == SSH_OK;
    log_info("ssh: %s session for %s from %s (pid %d)",
             mode == SHELL_EXEC ? "exec" : mode == SHELL_BATCH ? "batch" : "interactive", c->user, c->addr,
             (int)pid);
    return SSH_OK;
}

static int on_shell(ssh_session ss, ssh_channel ch, void *ud)
{
    conn *c = ud;
    return start_shell(c, c->pty ? SHELL_INTERACTIVE : SHELL_BATCH);
}

static int on_exec(ssh_session ss, ssh_channel ch, const char *command, void *ud)
{
    conn *c = ud;
    if (c->child > 0)
        return SSH_ERROR;
    free(c->command);
    c->command = xstrdup(command);
    return start_shell(c, SHELL_EXEC);
}

static int on_env(ssh_session ss, ssh_channel ch, const char *name, const char *value, void *ud)
{
    return SSH_OK; /* accepted and ignored (doc/command-language.md §1.1) */
}

static int on_subsystem(ssh_session ss, ssh_channel ch, const char *subsystem, void *ud)
{
    conn *c = ud;
    char s[65];
    printable(subsystem, s, sizeof s);
    log_info("ssh: refused subsystem %s for %s from %s", s, c->user, c->addr);
    return SSH_ERROR;
}

static ssh_channel on_channel_open(ssh_session ss, void *ud)
{
    conn *c = ud;
    if (c->chan) {
        log_info("ssh: refused a second session channel from %s", c->addr);
        return NULL;
    }
    c->chan = ssh_channel_new(ss);
    if (!c->chan)
        return NULL;
    memset(&c->ccb, 0, sizeof c->ccb);
    c->ccb.userdata = c;
    c->ccb.channel_data_function = on_data;
    c->ccb.channel_eof_function = on_eof;
    c->ccb.channel_close_function = on_close;
    c->ccb.channel_pty_request_function = on_pty;
    c->ccb.channel_shell_request_function = on_shell;
    c->ccb.channel_exec_request_function = on_exec;
    c->ccb.channel_pty_window_change_function = on_window_change;
    c->ccb.channel_env_request_function = on_env;
    c->ccb.channel_subsystem_request_function = on_subsystem;
    /* No x11/agent callbacks: libssh then answers those requests with a
     * failure, and it refuses every channel type other than "session". */
    ssh_callbacks_init(&c->ccb);
    ssh_set_channel_callbacks(c->chan, &c->ccb);
    return c->chan;
}

/* ---- the loop ---- */

static void unregister_closed(conn *c)
{
    if (c->out_open && c->out_eof) {
        ssh_event_remove_fd(c->ev, c->fds.out_fd);
        c->out_open = 0;
        if (c->fds.in_fd == c->fds.out_fd)
            c->fds.in_fd = -1;
        close(c->fds.out_fd);
        c->fds.out_fd = -1;
    }
    if (c->err_open && c->err_eof) {
        ssh_event_remove_fd(c->ev, c->fds.err_fd);
        c->err_open = 0;
        close(c->fds.err_fd);
        c->fds.err_fd = -1;
    }
}

/* Collects the session process, waiting at most grace_ms for it to exit
 * by itself; then it is killed. Never waits without bound: a session that
 * ignores its hang-up must not keep the connection process (and whatever
 * holds its descriptors) forever. */
#define CHILD_GRACE_MS 5000
static void reap_child(pid_t pid, int *st, int grace_ms)
{
    for (int waited = 0; waited < grace_ms; waited += 20) {
        pid_t r = waitpid(pid, st, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR))
            return;
        usleep(20000);
    }
    log_warn("ssh: session process %d did not end within %d ms; killing it", (int)pid, grace_ms);
    kill(pid, SIGKILL);
    while (waitpid(pid, st, 0) < 0 && errno == EINTR)
        ;
}

/* All output is out: collects the session process and ends the channel
 * with its exit-status (§11.2). */
static void finish_child(conn *c)
{
    int st = 0;
    reap_child(c->child, &st, CHILD_GRACE_MS);
    close_input(c);
    c->finished = 1;
    int code = ssh_shell_exit_status(&c->spec, st);
    log_info("ssh: session of %s from %s ended, exit-status %d", c->user, c->addr, code);
    if (c->peer_closed)
        return;
    ssh_channel_request_send_exit_status(c->chan, code);
    ssh_channel_send_eof(c->chan);
    ssh_channel_close(c->chan);
}

static int connection_gone(conn *c)
{
    return (ssh_get_status(c->ss) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0;
}

/* After the client's EOF an interactive session can be left in any
 * editing state by what was typed (a pending key sequence, a search): once
 * it has been silent for EOF_QUIET_MS it is hung up like a closed terminal. */
#define EOF_QUIET_MS 5000
static void hang_up_idle_pty(conn *c)
{
    if (!c->pty || !c->in_eof || c->child <= 0 || c->finished || c->pending.len || !c->quiet_since)
        return;
    if (ovm_now_ms() - c->quiet_since < EOF_QUIET_MS)
        return;
    log_info("ssh: hanging up the idle interactive session of %s from %s after input EOF", c->user, c->addr);
    kill(c->child, SIGHUP);
    c->quiet_since = 0;
}

static void serve_loop(conn *c)
{
    int64_t linger_until = 0;
    while (!c->drop && !connection_gone(c)) {
        if (ssh_event_dopoll(c->ev, c->pending.len ? 10 : 200) == SSH_ERROR)
            break;
        flush_input(c);
        hang_up_idle_pty(c);
        unregister_closed(c);
        if (c->child > 0 && !c->finished && !c->out_open && !c->err_open)
            finish_child(c);
        if (c->peer_closed && !c->child)
            break;
        if (c->finished && !linger_until)
            linger_until = ovm_now_ms() + 2000;
        /* After our close, give the client a moment to close its side so
         * that it does not report a dropped connection. */
        if (c->finished && (c->peer_closed || ovm_now_ms() > linger_until))
            break;
    }
}

static void end_child(conn *c)
{
    if (c->child <= 0 || c->finished)
        return;
    kill(c->child, SIGHUP);
    int st;
    reap_child(c->child, &st, CHILD_GRACE_MS);
    log_info("ssh: connection from %s closed during a session", c->addr);
}

static void conn_free(conn *c)
{
    end_child(c);
    if (c->fds.out_fd >= 0)
        close(c->fds.out_fd);
    if (c->fds.err_fd >= 0)
        close(c->fds.err_fd);
    if (c->fds.in_fd >= 0 && c->fds.in_fd != c->fds.out_fd)
        close(c->fds.in_fd);
    sb_free(&c->pending);
    if (c->auth_fd >= 0)
        close(c->auth_fd);
    free(c->command);
    free(c->user);
}

static void setup_server_callbacks(conn *c)
{
    memset(&c->scb, 0, sizeof c->scb);
    c->scb.userdata = c;
    c->scb.auth_password_function = on_auth_password;
    c->scb.auth_pubkey_function = on_auth_pubkey;
    c->scb.channel_open_request_session_function = on_channel_open;
    ssh_callbacks_init(&c->scb);
    ssh_set_server_callbacks(c->ss, &c->scb);
}

int ssh_session_serve(const sshd_shared *sh, ssh_session ss)
{
    conn c;
    memset(&c, 0, sizeof c);
    c.sh = sh;
    c.ss = ss;
    c.fds = (shell_fds){-1, -1, -1};
    c.auth_fd = sh->auth_fd;
    c.kopts.allow_pty = 1;
    ssh_peer_address(ssh_get_fd(ss), c.addr, sizeof c.addr);
    /* Small interactive writes (echo, prompt) must not wait for an ACK. */
    int one = 1;
    setsockopt(ssh_get_fd(ss), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setup_server_callbacks(&c);
    ssh_set_auth_methods(ss, SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_PUBLICKEY);
    int rc = 1;
    if (ssh_handle_key_exchange(ss) != SSH_OK) {
        char banner[128];
        printable(ssh_get_clientbanner(ss), banner, sizeof banner);
        log_rate_msg(sh->preauth_log, LOG_INFO_, "ssh: key exchange with %s (client \"%s\") failed: %s", c.addr,
                     banner, ssh_get_error(ss));
    } else if ((c.ev = ssh_event_new()) != NULL && ssh_event_add_session(c.ev, ss) == SSH_OK) {
        serve_loop(&c);
        rc = 0;
    }
    conn_free(&c);
    if (c.ev) {
        ssh_event_remove_session(c.ev, ss);
        ssh_event_free(c.ev);
    }
    ssh_disconnect(ss);
    ssh_free(ss);
    return rc;
}
