#include "lib/fsmode.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"

int fs_tighten_fd(int fd, const char *path, mode_t max)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    mode_t cur = st.st_mode & 07777;
    if (!(cur & ~max))
        return 0;
    if (fchmod(fd, cur & max) != 0)
        return -1;
    log_warn("%s was mode %04o, open to more than its owner needs; tightened to %04o", path, (unsigned)cur,
             (unsigned)(cur & max));
    return 0;
}

int fs_private_file(const char *path, mode_t max, int create)
{
    /* O_NONBLOCK: a FIFO planted at path must not block the open. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | (create ? O_CREAT : 0), max);
    if (fd < 0)
        return errno == ENOENT && !create ? 0 : -1;
    struct stat st;
    int rc = fstat(fd, &st);
    if (rc == 0 && !S_ISREG(st.st_mode)) {
        errno = EINVAL;
        rc = -1;
    }
    if (rc == 0)
        rc = fs_tighten_fd(fd, path, max);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int fs_private_dir(const char *path, char **err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        *err = xasprintf("cannot use %s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        *err = xasprintf("cannot use %s: not a directory", path);
        return -1;
    }
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        *err = xasprintf("refusing %s: owned by uid %u, not by this user (uid %u) or root", path,
                         (unsigned)st.st_uid, (unsigned)geteuid());
        return -1;
    }
    mode_t cur = st.st_mode & 07777, loose = S_IWGRP | S_IRWXO;
    if (!(cur & loose))
        return 0;
    if (chmod(path, cur & ~loose) != 0) {
        *err = xasprintf("cannot tighten %s (mode %04o): %s", path, (unsigned)cur, strerror(errno));
        return -1;
    }
    log_warn("%s was mode %04o, open to other users; tightened to %04o", path, (unsigned)cur,
             (unsigned)(cur & ~loose));
    return 0;
}
