/* The listener's broker for its sandboxed connection processes (ssh_broker.h). */
#include "shell/sshd/ssh_broker.h"
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"

struct ssh_broker {
    char *engine_socket;
    int *fds;   /* the listener's ends, one per live connection process */
    size_t n, cap;
};

ssh_broker *ssh_broker_new(const char *engine_socket)
{
    ssh_broker *b = xcalloc(1, sizeof *b);
    b->engine_socket = xstrdup(engine_socket);
    return b;
}

void ssh_broker_free(ssh_broker *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        close(b->fds[i]);
    free(b->fds);
    free(b->engine_socket);
    free(b);
}

int ssh_broker_pair(ssh_broker *b, int *child_end)
{
    int p[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) != 0)
        return -1;
    if (fcntl(p[0], F_SETFL, O_NONBLOCK) != 0) {
        int e = errno;
        close(p[0]), close(p[1]);
        errno = e;
        return -1;
    }
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->fds = xrealloc(b->fds, b->cap * sizeof *b->fds);
    }
    b->fds[b->n++] = p[0];
    *child_end = p[1];
    return 0;
}

size_t ssh_broker_count(const ssh_broker *b)
{
    return b->n;
}

size_t ssh_broker_pollfds(const ssh_broker *b, struct pollfd *out, size_t max)
{
    size_t k = 0;
    for (; k < b->n && k < max; k++)
        out[k] = (struct pollfd){b->fds[k], POLLIN, 0};
    return k;
}

static void forget(ssh_broker *b, int fd)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->fds[i] == fd) {
            close(fd);
            b->fds[i] = b->fds[--b->n];
            return;
        }
}

void ssh_broker_close_inherited(const ssh_broker *b)
{
    for (size_t i = 0; b && i < b->n; i++)
        close(b->fds[i]);
}

/* Sends err with nfds fds; the fds stay the caller's. */
static int send_reply(int fd, int32_t err, const int *fds, size_t nfds)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(2 * sizeof(int))];
    } ctl;
    struct iovec iov = {&err, sizeof err};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds) {
        memset(&ctl, 0, sizeof ctl);
        m.msg_control = ctl.buf;
        m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
        memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
    }
    ssize_t w;
    while ((w = sendmsg(fd, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    return w == (ssize_t)sizeof err ? 0 : -1;
}

/* A connection to the engine that cannot block the listener: a full
 * backlog answers EAGAIN, and the session retries as after a restart. */
static int connect_engine(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || fcntl(fd, F_SETFL, 0) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Opens what req asks for: how many fds, or -1 with errno. */
static int open_for(const ssh_broker *b, char req, int fds[2])
{
    if (req == BROKER_ENGINE)
        return (fds[0] = connect_engine(b->engine_socket)) < 0 ? -1 : 1;
    if (req == BROKER_PTY)
        return openpty(&fds[0], &fds[1], NULL, NULL, NULL) != 0 ? -1 : 2;
    errno = EINVAL;
    return -1;
}

void ssh_broker_event(ssh_broker *b, int fd, short revents)
{
    char req;
    ssize_t r = (revents & POLLIN) ? recv(fd, &req, 1, MSG_DONTWAIT) : 0;
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (r != 1) { /* EOF: the connection process and its session are gone */
        forget(b, fd);
        return;
    }
    int fds[2] = {-1, -1};
    int n = open_for(b, req, fds);
    int32_t err = n < 0 ? errno : 0;
    if (n < 0)
        log_warn("ssh: broker: cannot open %s for a connection process: %s",
                 req == BROKER_PTY ? "a pty" : req == BROKER_ENGINE ? "an engine connection" : "?", strerror(err));
    if (send_reply(fd, err, fds, n > 0 ? (size_t)n : 0) != 0)
        forget(b, fd);
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* ---- the connection process's side ---- */

/* Sends req and waits for the reply; want fds are stored in fds. 0, or -1
 * with errno (the listener's, or EPROTO for a reply without the fds). */
static int request(int fd, char req, int *fds, size_t want)
{
    ssize_t w;
    while ((w = send(fd, &req, 1, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    if (w != 1)
        return -1;
    int32_t err = 0;
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(2 * sizeof(int))];
    } ctl;
    struct iovec iov = {&err, sizeof err};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    ssize_t r;
    while ((r = recvmsg(fd, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
        ;
    if (r != (ssize_t)sizeof err) {
        errno = r < 0 ? errno : ECONNRESET;
        return -1;
    }
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    size_t got = c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS
                     ? (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;
    int in[2] = {-1, -1};
    if (got)
        memcpy(in, CMSG_DATA(c), (got > 2 ? 2 : got) * sizeof(int));
    if (err == 0 && got == want) {
        memcpy(fds, in, want * sizeof(int));
        return 0;
    }
    for (size_t i = 0; i < 2 && i < got; i++)
        close(in[i]);
    errno = err ? err : EPROTO;
    return -1;
}

int ssh_broker_engine(int fd)
{
    int e = -1;
    return request(fd, BROKER_ENGINE, &e, 1) == 0 ? e : -1;
}

int ssh_broker_pty(int fd, int *master, int *slave)
{
    int p[2];
    if (request(fd, BROKER_PTY, p, 2) != 0)
        return -1;
    *master = p[0];
    *slave = p[1];
    return 0;
}
