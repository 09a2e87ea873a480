#include "backend/daemon/listener.h"
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "backend/ops/ops.h"
#include "completions/complete.h"
#include "lib/log.h"
#include "lib/proto.h"
#include "lib/strbuf.h"
#include "lib/util.h"

struct listener {
    engine *e;
    int fd;
    int wake[2];
    char *path;
    pthread_t thread;
};

typedef struct conn {
    engine *e;
    int fd;
    struct ucred peer;   /* who connected, from the kernel (SO_PEERCRED) */
} conn;

static void send_candidates(engine *e, int fd, const char *text)
{
    char **v;
    store_rdlock(e->st);
    size_t n = complete_candidates(text, engine_names, e, &v);
    store_unlock(e->st);
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        sb_adds(&sb, v[i]);
        sb_addc(&sb, '\n');
        free(v[i]);
    }
    free(v);
    proto_send(fd, P_LIST, sb.buf ? sb.buf : "", sb.len);
    sb_free(&sb);
}

static void send_help(session *ses, int fd, const char *text)
{
    char *cmdline = xasprintf("%s ?", text);
    char *out;
    size_t len;
    dispatch_command(ses, cmdline, strlen(cmdline), 0, &out, &len);
    strbuf sb = STRBUF_INIT;
    sb_addc(&sb, PS_SUCCESS);
    sb_add(&sb, out, len);
    proto_send(fd, P_RESULT, sb.buf, sb.len);
    sb_free(&sb);
    free(out);
    free(cmdline);
}

/* Runs one P_CMD and sends its result; returns its status byte (0 when the
 * frame was empty). */
static int run_cmd(session *ses, int fd, const char *payload, size_t len)
{
    if (len == 0)
        return 0;
    char *out;
    size_t outlen;
    int st = dispatch_command(ses, payload + 1, len - 1, payload[0] == 'E', &out, &outlen);
    proto_send_result(fd, (char)st, out, outlen);
    free(out);
    return st;
}

/* A pipelining client (ovmsh's batch mode, lib/proto.h P_HELLO) has sent
 * commands ahead: after an exit, or a failure when it stops on errors,
 * none of them may run, so the session ends there. */
static int ends_pipeline(int pipeline, int stop_on_error, int st)
{
    return pipeline && (st == PS_EXIT || (st == PS_FAILURE && stop_on_error));
}

static void *session_main(void *arg)
{
    conn *c = arg;
    session ses;
    session_init(&ses, c->e, "admin");
    ses.fd = c->fd;
    ses.peer_uid = (long)c->peer.uid;
    ses.peer_pid = (long)c->peer.pid;
    int pipeline = 0, stop_on_error = 0, end = 0;
    while (!end) {
        char type, *buf;
        size_t len;
        if (proto_recv(c->fd, &type, &buf, &len) != 1)
            break;
        if (type == P_HELLO && !strncmp(buf, "user=", 5)) {
            ses.interactive = strstr(buf, "\ninteractive=1") != NULL;
            pipeline = strstr(buf, "\npipeline=1\n") != NULL;
            stop_on_error = strstr(buf, "\nstop_on_error=1\n") != NULL;
            buf[strcspn(buf, "\n")] = '\0';
            snprintf(ses.user, sizeof ses.user, "%s", buf + 5);
            /* The name is only claimed; the uid is what the kernel says. */
            log_info("session: user %s from uid %ld (pid %ld)", ses.user, ses.peer_uid, ses.peer_pid);
        } else if (type == P_CMD) {
            end = ends_pipeline(pipeline, stop_on_error, run_cmd(&ses, c->fd, buf, len));
        } else if (type == P_COMPLETE) {
            send_candidates(c->e, c->fd, buf);
        } else if (type == P_HELP) {
            send_help(&ses, c->fd, buf);
        }
        free(buf);
    }
    close(c->fd);
    free(c);
    return NULL;
}

static void *accept_main(void *arg)
{
    listener *l = arg;
    for (;;) {
        struct pollfd p[2] = {{l->fd, POLLIN, 0}, {l->wake[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents)
            break;
        int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        conn *c = xmalloc(sizeof *c);
        c->e = l->e;
        c->fd = fd;
        socklen_t sl = sizeof c->peer;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->peer, &sl) != 0) {
            log_err("engine socket: cannot tell who connected (SO_PEERCRED): %s: refused", strerror(errno));
            close(fd);
            free(c);
            continue;
        }
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 512 * 1024);
        if (pthread_create(&t, &attr, session_main, c) != 0) {
            log_err("cannot start a session thread: %s", strerror(errno));
            close(fd);
            free(c);
        }
        pthread_attr_destroy(&attr);
    }
    return NULL;
}

listener *listener_start(engine *e, const char *path, char **err)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path) {
        *err = xasprintf("socket path too long: %s", path);
        return NULL;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = xasprintf("socket: %s", strerror(errno));
        return NULL;
    }
    unlink(path);
    mode_t old = umask(0117);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc != 0 || listen(fd, 512) != 0) {
        *err = xasprintf("cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    listener *l = xcalloc(1, sizeof *l);
    l->e = e;
    l->fd = fd;
    l->path = xstrdup(path);
    if (pipe2(l->wake, O_CLOEXEC) != 0 || pthread_create(&l->thread, NULL, accept_main, l) != 0) {
        *err = xasprintf("cannot start the listener: %s", strerror(errno));
        close(fd);
        free(l->path);
        free(l);
        return NULL;
    }
    return l;
}

void listener_stop(listener *l)
{
    if (!l)
        return;
    if (write(l->wake[1], "x", 1) < 0)
        log_warn("listener wake-up failed: %s", strerror(errno));
    pthread_join(l->thread, NULL);
    close(l->fd);
    close(l->wake[0]);
    close(l->wake[1]);
    unlink(l->path);
    free(l->path);
    free(l);
}
