/* A small ustar (POSIX tar) reader and writer for OVA packages (OVF 1.1
 * §5.3 / DSP0243: an OVA is a tar of flat file names, the descriptor
 * first). Only what an OVA holds is handled: regular files (pax and GNU
 * long-name headers are skipped with their content), no links, no devices.
 * A small reader instead of libarchive: the format needed is one flat
 * directory of regular files, and every name must be checked for path
 * tricks anyway (README, dependencies). */
#include "agent/ustar.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/util.h"

#define BLOCK 512

/* Reads exactly n bytes: 1, 0 at a clean end of file, -1 when short or on error. */
static int read_full(int fd, unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return got == 0 ? 0 : -1;
        got += (size_t)r;
    }
    return 1;
}

static int write_full(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* An octal field, or GNU base-256 when its top bit is set. -1 if malformed. */
static int64_t tar_number(const unsigned char *f, size_t len)
{
    int64_t v = 0;
    if (f[0] & 0x80) {
        for (size_t i = 1; i < len; i++) {
            if (v > (INT64_MAX >> 8))
                return -1;
            v = (v << 8) | f[i];
        }
        return v;
    }
    size_t i = 0;
    while (i < len && f[i] == ' ')
        i++;
    for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v > (INT64_MAX >> 3))
            return -1;
        v = v * 8 + (f[i] - '0');
    }
    return (i < len && f[i] != '\0' && f[i] != ' ') ? -1 : v;
}

static int checksum_ok(const unsigned char *h)
{
    int64_t want = tar_number(h + 148, 8);
    int64_t sum = 0;
    for (size_t i = 0; i < BLOCK; i++)
        sum += (i >= 148 && i < 156) ? ' ' : h[i];
    return want == sum;
}

static int all_zero(const unsigned char *h)
{
    for (size_t i = 0; i < BLOCK; i++)
        if (h[i])
            return 0;
    return 1;
}

int ustar_name_ok(const char *name)
{
    return name[0] && name[0] != '.' && !strchr(name, '/') && !strchr(name, '\\') && strlen(name) < 100;
}

/* Copies size bytes of entry data (plus padding) from fd to out (or skips
 * them when out < 0). NULL, or why (heap). */
static char *copy_data(int fd, int out, int64_t size, const char *name)
{
    unsigned char buf[64 * BLOCK];
    int64_t left = (size + BLOCK - 1) / BLOCK * BLOCK, data = size;
    while (left > 0) {
        size_t n = left < (int64_t)sizeof buf ? (size_t)left : sizeof buf;
        if (read_full(fd, buf, n) != 1)
            return xasprintf("the package is truncated in %s", name);
        size_t keep = data < (int64_t)n ? (size_t)data : n;
        if (out >= 0 && keep && write_full(out, buf, keep) != 0)
            return xasprintf("cannot write %s: %s", name, strerror(errno));
        data -= (int64_t)keep;
        left -= (int64_t)n;
    }
    return NULL;
}

/* Writes one regular entry into dir/name. NULL, or why (heap). */
static char *extract_one(int fd, const char *dir, const char *name, int64_t size)
{
    char *path = xasprintf("%s/%s", dir, name);
    int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    char *why = out < 0 ? xasprintf("cannot extract %s: %s", name,
                                    errno == EEXIST ? "the package holds it twice" : strerror(errno))
                        : copy_data(fd, out, size, name);
    if (out >= 0 && close(out) != 0 && !why)
        why = xasprintf("cannot write %s: %s", name, strerror(errno));
    free(path);
    return why;
}

char *ustar_extract(const char *tar, const char *dir, size_t *nfiles)
{
    int fd = open(tar, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return xasprintf("cannot open the package: %s", strerror(errno));
    unsigned char h[BLOCK];
    char *why = NULL;
    *nfiles = 0;
    for (;;) {
        int r = read_full(fd, h, BLOCK);
        if (r == 0 || (r == 1 && all_zero(h)))
            break; /* end of archive */
        if (r < 0) {
            why = xstrdup("the package is truncated");
            break;
        }
        if (!*nfiles && h[0] == 0x1f && h[1] == 0x8b) {
            why = xstrdup("the package is gzip-compressed (a .tgz template); only OVA (tar) packages are supported");
            break;
        }
        if (!checksum_ok(h)) {
            why = xstrdup(*nfiles ? "the package is corrupt (bad tar header checksum)"
                                  : "the package is not a tar (OVA) archive");
            break;
        }
        int64_t size = tar_number(h + 124, 12);
        char name[101];
        memcpy(name, h, 100);
        name[100] = '\0';
        char type = (char)h[156];
        if (size < 0)
            why = xasprintf("the package is corrupt (bad size of %s)", name);
        else if (type == '0' || type == '\0') {
            if (!ustar_name_ok(name) || h[345]) /* a prefix means a folder */
                why = xasprintf("the package holds an unsafe file name: %s", name);
            else if (!(why = extract_one(fd, dir, name, size)))
                (*nfiles)++;
        } else if (type == '5' || type == 'x' || type == 'g' || type == 'L')
            why = copy_data(fd, -1, size, name); /* folders and extended headers carry nothing we use */
        else
            why = xasprintf("the package holds %s, which is not a regular file", name);
        if (why)
            break;
    }
    close(fd);
    return why;
}

/* ---- writer ---- */

static void octal(char *f, size_t len, int64_t v)
{
    snprintf(f, len, "%0*llo", (int)len - 1, (unsigned long long)v);
}

int ustar_add(int out, const char *name, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !ustar_name_ok(name)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char h[BLOCK] = {0};
    memcpy(h, name, strlen(name));
    octal(h + 100, 8, 0644);
    octal(h + 108, 8, 0);
    octal(h + 116, 8, 0);
    octal(h + 124, 12, st.st_size);
    octal(h + 136, 12, st.st_mtime);
    memset(h + 148, ' ', 8);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    unsigned sum = 0;
    for (size_t i = 0; i < BLOCK; i++)
        sum += (unsigned char)h[i];
    snprintf(h + 148, 8, "%06o", sum);
    int rc = write_full(out, h, BLOCK);
    char buf[64 * BLOCK];
    int64_t total = 0;
    for (ssize_t r; rc == 0 && (r = read(fd, buf, sizeof buf)) != 0;) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || write_full(out, buf, (size_t)r) != 0)
            rc = -1;
        else
            total += r;
    }
    close(fd);
    static const char zeros[BLOCK];
    if (rc == 0 && total != st.st_size)
        rc = -1, errno = EIO; /* the file changed while it was packed */
    if (rc == 0 && total % BLOCK)
        rc = write_full(out, zeros, (size_t)(BLOCK - total % BLOCK));
    return rc;
}

int ustar_finish(int out)
{
    static const char zeros[2 * BLOCK];
    return write_full(out, zeros, sizeof zeros);
}
