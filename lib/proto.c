#include "lib/proto.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include "lib/util.h"

/* Sends every byte of the two iovecs in as few calls as the socket takes:
 * a frame sent as two writes can wake the reader twice. */
static int writev_all(int fd, struct iovec iov[2])
{
    int first = 0;
    while (first < 2) {
        struct msghdr m = {.msg_iov = iov + first, .msg_iovlen = (size_t)(2 - first)};
        ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        size_t done = (size_t)w;
        while (first < 2 && done >= iov[first].iov_len)
            done -= iov[first++].iov_len;
        if (first < 2) {
            iov[first].iov_base = (char *)iov[first].iov_base + done;
            iov[first].iov_len -= done;
        }
    }
    return 0;
}

/* 1 when all read, 0 on EOF before the first byte, -1 on error or short read. */
static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, p + got, len - got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            return got == 0 ? 0 : -1;
        got += (size_t)r;
    }
    return 1;
}

/* A frame of type whose payload is the nlead bytes of lead, then buf. */
static int send_frame(int fd, char type, const char *lead, size_t nlead, const void *buf, size_t len)
{
    size_t total = nlead + len;
    if (len > PROTO_MAX_FRAME || total > PROTO_MAX_FRAME) {
        errno = EMSGSIZE;
        return -1;
    }
    unsigned char hdr[5 + 1] = {(unsigned char)type, (unsigned char)(total >> 24), (unsigned char)(total >> 16),
                                (unsigned char)(total >> 8), (unsigned char)total};
    memcpy(hdr + 5, lead, nlead);
    struct iovec iov[2] = {{hdr, 5 + nlead}, {(void *)buf, len}};
    return writev_all(fd, iov);
}

int proto_send(int fd, char type, const void *buf, size_t len)
{
    return send_frame(fd, type, "", 0, buf, len);
}

int proto_send_result(int fd, char status, const void *buf, size_t len)
{
    if (len + 1 <= PROTO_MAX_FRAME)
        return send_frame(fd, P_RESULT, &status, 1, buf, len);
    /* A result the session could not take must not leave it waiting for
     * good: it gets a short failure instead. */
    char msg[160];
    int n = snprintf(msg, sizeof msg,
                     "Status: Failure\r\nError Msg: the result (%zu bytes) is larger than a session can take "
                     "(%u bytes)\r\n", len, PROTO_MAX_FRAME);
    char failure = PS_FAILURE;
    return send_frame(fd, P_RESULT, &failure, 1, msg, (size_t)n);
}

int proto_recv(int fd, char *type, char **buf, size_t *len)
{
    unsigned char hdr[5];
    int rc = read_all(fd, hdr, sizeof hdr);
    if (rc <= 0)
        return rc;
    size_t n = ((size_t)hdr[1] << 24) | ((size_t)hdr[2] << 16) | ((size_t)hdr[3] << 8) | hdr[4];
    if (n > PROTO_MAX_FRAME) {
        errno = EMSGSIZE;
        return -1;
    }
    char *p = xmalloc(n + 1);
    if (n && read_all(fd, p, n) != 1) {
        free(p);
        return -1;
    }
    p[n] = '\0';
    *type = (char)hdr[0];
    *buf = p;
    *len = n;
    return 1;
}

int proto_connect(const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}
