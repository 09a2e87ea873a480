#include "lib/proto.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "lib/util.h"

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
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

int proto_send(int fd, char type, const void *buf, size_t len)
{
    if (len > PROTO_MAX_FRAME) {
        errno = EMSGSIZE;
        return -1;
    }
    unsigned char hdr[5] = {(unsigned char)type, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
                            (unsigned char)(len >> 8), (unsigned char)len};
    if (write_all(fd, hdr, sizeof hdr) != 0)
        return -1;
    return len ? write_all(fd, buf, len) : 0;
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
