/* The generic NFS storage plug-in (doc/agent-protocol.md §5.8) over the sim's files,
 * and copy_file. Paths are agent paths under /OVS. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include "agent/sim.h"
#include "lib/util.h"

#define NFS_PLUGIN "oracle.generic.NFSPlugin.GenericNFSPlugin"
#define SIM_BLOCK 4096

SIM_HANDLER(h_discover_storage_plugins)
{
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Discover_Storage_Plugins_Result>"
                 "<storage_plugin_info_list><storage_plugin_info plugin_impl_name=\"" NFS_PLUGIN "\">");
    sim_xml_el(&sb, "fs_type", "FileSys");
    sim_xml_el(&sb, "plugin_name", "Oracle Generic Network File System");
    sim_xml_el(&sb, "plugin_version", "1.0.0");
    sim_xml_el(&sb, "filesys_type", "LocalFS NFS");
    sb_adds(&sb, "<abilities>");
    sim_xml_el(&sb, "resize", "True");
    sim_xml_el(&sb, "clone", "False");
    sim_xml_el(&sb, "snapshot", "False");
    sim_xml_el(&sb, "splitclone", "False");
    sim_xml_el(&sb, "access_control", "False");
    sb_adds(&sb, "</abilities></storage_plugin_info></storage_plugin_info_list></Discover_Storage_Plugins_Result>\n");
    return sim_xml_result(&sb);
}

/* Host path for an agent path argument; NULL after an ENOENT-style fault. */
static char *host_path(struct call_ctx *c, const char *agent_path)
{
    char *p = sim_host_path(c->sim, agent_path);
    if (!p)
        call_fault(c, "exceptions.OSError:[Errno 2] No such file or directory: '%s'", agent_path);
    return p;
}

static xr_value *os_fault(struct call_ctx *c, int err, const char *agent_path)
{
    return call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", err, strerror(err), agent_path);
}

static xr_value *file_props(const char *agent_path, const struct stat *st, const xr_value *sd)
{
    xr_value *fp = xr_struct();
    xr_struct_set(fp, "fr_type", xr_string(S_ISDIR(st->st_mode) ? "Directory" : "File"));
    xr_struct_set(fp, "file_path", xr_string(agent_path));
    xr_struct_set(fp, "file_sz", xr_int((int64_t)st->st_size));
    xr_struct_set(fp, "ondisk_sz", xr_int((int64_t)st->st_blocks * 512));
    xr_struct_set(fp, "fs_uuid", xr_string(sim_str(sd, "uuid", "")));
    return fp;
}

int disk_create_sparse(const char *path, int64_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    /* Sparse, as the real plug-in does for thin provisioning. */
    if (ftruncate(fd, (off_t)size) != 0) {
        int e = errno;
        close(fd);
        unlink(path);
        errno = e;
        return -1;
    }
    return close(fd);
}

SIM_HANDLER(h_storage_plugin_create)
{
    const char *apath = xr_get_str(argv[3]), *type = xr_get_str(argv[4]);
    int64_t size;
    xr_get_int64(argv[5], &size);
    if (strcmp(type, "File") != 0 && strcmp(type, "Directory") != 0)
        return call_fault(c, "exceptions.ValueError:unknown file type: '%s'", type);
    if (size < 0 || size % SIM_BLOCK != 0)
        return call_fault(c, "exceptions.ValueError:size %lld is not a multiple of %d", (long long)size, SIM_BLOCK);
    char *path = host_path(c, apath);
    if (!path)
        return NULL;
    int rc = !strcmp(type, "File") ? c->sim->drv->disk_create(c->sim, path, size) : mkdir(path, 0755);
    xr_value *res = NULL;
    struct stat st;
    if (rc != 0 || stat(path, &st) != 0)
        os_fault(c, errno, apath);
    else
        res = file_props(apath, &st, argv[2]);
    free(path);
    return res;
}

SIM_HANDLER(h_storage_plugin_destroy)
{
    const char *apath = sim_str(argv[3], "file_path", NULL);
    if (!apath)
        return call_fault(c, "exceptions.KeyError:'file_path'");
    char *path = host_path(c, apath);
    if (!path)
        return NULL;
    struct stat st;
    int rc = lstat(path, &st) != 0 ? -1 : S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path);
    if (rc != 0)
        os_fault(c, errno, apath);
    free(path);
    return c->fault ? NULL : xr_nil();
}

/* The size a guest sees: a qcow2 image's header field (big-endian, offset
 * 24), a raw file's length. -1 with errno. */
static int64_t disk_virtual_size(const char *path, const struct stat *st)
{
    unsigned char h[32];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    if (n != (ssize_t)sizeof h || memcmp(h, "QFI\xfb", 4) != 0)
        return (int64_t)st->st_size;
    uint64_t v = 0;
    for (int i = 24; i < 32; i++)
        v = v << 8 | h[i];
    return (int64_t)v;
}

int disk_grow_raw(const char *path, int64_t size)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (ftruncate(fd, (off_t)size) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return close(fd);
}

/* Grow only: a shrink would cut off data a guest wrote, so it is refused
 * here as well as in the engine. The size is the image's virtual size. */
SIM_HANDLER(h_storage_plugin_resize)
{
    const char *apath = sim_str(argv[3], "file_path", NULL);
    int64_t size;
    xr_get_int64(argv[4], &size);
    if (!apath)
        return call_fault(c, "exceptions.KeyError:'file_path'");
    if (size <= 0 || size % SIM_BLOCK != 0)
        return call_fault(c, "exceptions.ValueError:size %lld is not a positive multiple of %d", (long long)size,
                          SIM_BLOCK);
    char *path = host_path(c, apath);
    if (!path)
        return NULL;
    struct stat st;
    int64_t now = stat(path, &st) == 0 ? disk_virtual_size(path, &st) : -1;
    xr_value *res = NULL;
    if (now < 0)
        os_fault(c, errno, apath);
    else if (size < now)
        call_fault(c, "exceptions.ValueError:cannot shrink '%s' from %lld to %lld bytes", apath, (long long)now,
                   (long long)size);
    else if (size > now && c->sim->drv->disk_resize(c->sim, path, size) != 0)
        os_fault(c, errno, apath);
    else if (stat(path, &st) != 0)
        os_fault(c, errno, apath);
    else
        res = file_props(apath, &st, argv[2]);
    free(path);
    return res;
}

SIM_HANDLER(h_storage_plugin_getFileInfo)
{
    const char *apath = sim_str(argv[3], "file_path", NULL);
    if (!apath)
        return call_fault(c, "exceptions.KeyError:'file_path'");
    char *path = host_path(c, apath);
    if (!path)
        return NULL;
    struct stat st;
    xr_value *res = stat(path, &st) == 0 ? file_props(apath, &st, argv[2]) : os_fault(c, errno, apath);
    free(path);
    return res;
}

/* Apparent bytes of the regular files below dir. */
static int64_t used_bytes(const char *dir, int depth)
{
    DIR *d = depth < 16 ? opendir(dir) : NULL;
    if (!d)
        return 0;
    int64_t sum = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0)
            sum += S_ISDIR(st.st_mode) ? used_bytes(p, depth + 1) : S_ISREG(st.st_mode) ? (int64_t)st.st_size : 0;
        free(p);
    }
    closedir(d);
    return sum;
}

int64_t sim_used_bytes(const char *dir)
{
    return used_bytes(dir, 0);
}

/* The export behind sd.access_path, the way mount_repository_fs maps it. */
static char *export_of(struct sim *s, const char *access_path)
{
    const char *colon = access_path ? strchr(access_path, ':') : NULL;
    if (!colon || colon == access_path || colon[1] != '/' || strstr(access_path, ".."))
        return NULL;
    return xasprintf("%s/%.*s%s", s->nfs_root, (int)(colon - access_path), access_path, colon + 1);
}

SIM_HANDLER(h_storage_plugin_getFileSystemInfo)
{
    const char *access = sim_str(argv[2], "access_path", NULL);
    char *dir = export_of(c->sim, access);
    if (!dir)
        return call_fault(c, "exceptions.RuntimeError:invalid access_path: '%s'", access ? access : "");
    int64_t size = c->sim->nfs_size_gb << 30;
    int64_t used = used_bytes(dir, 0);
    free(dir);
    xr_value *sd = xr_copy(argv[2]);
    xr_struct_set(sd, "size", xr_int(size));
    xr_struct_set(sd, "free_sz", xr_int(used < size ? size - used : 0));
    xr_struct_set(sd, "state", xr_int(2));
    xr_struct_set(sd, "status", xr_string("online"));
    return sd;
}

/* The exports of a simulated NFS server: every directory directly under
 * <nfs-root>/<access_host>/ is one export "/<name>" (doc/agent-protocol.md §5.8). */
SIM_HANDLER(h_storage_plugin_listFileSystems)
{
    const char *host = sim_str(argv[1], "access_host", NULL);
    if (!host || !*host || strchr(host, '/') || !strcmp(host, "..") || !strcmp(host, "."))
        return call_fault(c, "exceptions.RuntimeError:invalid access_host: '%s'", host ? host : "");
    char *root = xasprintf("%s/%s", c->sim->nfs_root, host);
    xr_value *list = xr_array();
    DIR *d = opendir(root);
    for (struct dirent *de; d && (de = readdir(d)) != NULL;) {
        if (de->d_name[0] == '.')
            continue;
        char *path = xasprintf("%s/%s", root, de->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            int64_t size = c->sim->nfs_size_gb << 30;
            int64_t used = used_bytes(path, 0);
            char *access = xasprintf("%s:/%s", host, de->d_name);
            xr_value *sd = xr_struct();
            xr_struct_set(sd, "access_path", xr_string(access));
            xr_struct_set(sd, "name", xr_string(de->d_name));
            xr_struct_set(sd, "size", xr_int(size));
            xr_struct_set(sd, "free_sz", xr_int(used < size ? size - used : 0));
            xr_struct_set(sd, "status", xr_string("online"));
            xr_array_add(list, sd);
            free(access);
        }
        free(path);
    }
    if (d)
        closedir(d);
    free(root);
    return list;
}

/* Copies the data extents only (SEEK_DATA/SEEK_HOLE), so a sparse image of
 * any size copies in the time its written blocks take; holes stay holes when
 * sparse, and are written as zeros otherwise. 0 or -1 (errno). */
static int copy_zeros(int out, off_t from, off_t to)
{
    static const char zero[SIM_BLOCK * 16];
    while (from < to) {
        size_t want = (size_t)(to - from) < sizeof zero ? (size_t)(to - from) : sizeof zero;
        if (pwrite(out, zero, want, from) != (ssize_t)want)
            return -1;
        from += (off_t)want;
    }
    return 0;
}

/* The kernel copies in place (copy_file_range: no trip through user
 * memory, and a reflink where the file system has them), as cp does; a file
 * system that cannot gets the read/write loop. 1 done, 0 unsupported, -1. */
static int copy_range_kernel(int in, int out, off_t from, off_t to)
{
    off_t ip = from, op = from;
    while (ip < to) {
        ssize_t n = copy_file_range(in, &ip, out, &op, (size_t)(to - ip), 0);
        if (n > 0)
            continue;
        if (n == 0)
            return -1; /* the file shrank under us */
        if (errno == EINTR)
            continue;
        return ip == from && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP) ? 0 : -1;
    }
    return 1;
}

#define COPY_BUF (1024 * 1024)

static int pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
    while (len > 0) {
        ssize_t w = pwrite(fd, buf, len, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        buf += w, len -= (size_t)w, off += w;
    }
    return 0;
}

static int all_zero(const char *p, size_t n)
{
    return n == 0 || (p[0] == 0 && !memcmp(p, p + 1, n - 1));
}

int pwrite_sparse(int fd, const char *buf, size_t len, off_t off)
{
    while (len > 0) {
        size_t piece = SIM_BLOCK - (size_t)(off % SIM_BLOCK);
        if (piece > len)
            piece = len;
        /* only whole aligned blocks become holes: a partial one may hold data already */
        if (!(piece == SIM_BLOCK && all_zero(buf, piece)) && pwrite_all(fd, buf, piece, off) != 0)
            return -1;
        buf += piece, len -= piece, off += (off_t)piece;
    }
    return 0;
}

/* A sparse copy skips the zero blocks of the data extents too, as cp
 * --sparse=always does (an image written in full keeps its holes only
 * so); a full copy goes through the kernel. */
static int copy_range(int in, int out, off_t from, off_t to, int sparse)
{
    int k = sparse ? 0 : copy_range_kernel(in, out, from, to);
    if (k != 0)
        return k > 0 ? 0 : -1;
    char *buf = xmalloc(COPY_BUF);
    int rc = 0;
    while (from < to && rc == 0) {
        size_t want = (size_t)(to - from) < COPY_BUF ? (size_t)(to - from) : COPY_BUF;
        ssize_t n = pread(in, buf, want, from);
        if (n <= 0) {
            rc = n < 0 ? -1 : 0;
            break;
        }
        rc = sparse ? pwrite_sparse(out, buf, (size_t)n, from) : pwrite_all(out, buf, (size_t)n, from);
        from += n;
    }
    free(buf);
    return rc;
}

static int copy_data(int in, int out, int sparse)
{
    struct stat st;
    if (fstat(in, &st) != 0)
        return -1;
    off_t pos = 0, end = st.st_size;
    while (pos < end) {
        off_t data = lseek(in, pos, SEEK_DATA);
        if (data < 0)
            data = end; /* only a hole is left (ENXIO) */
        if (data > pos && !sparse && copy_zeros(out, pos, data) != 0)
            return -1;
        if (data >= end)
            break;
        off_t hole = lseek(in, data, SEEK_HOLE);
        if (hole < 0)
            hole = end;
        if (copy_range(in, out, data, hole, sparse) != 0)
            return -1;
        pos = hole;
    }
    return ftruncate(out, end);
}

int disk_copy_extents(const char *src, const char *dst, int sparse)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        int e = errno;
        close(in);
        errno = e;
        return -2;
    }
    int rc = copy_data(in, out, sparse);
    int e = errno;
    close(in);
    if (close(out) != 0 && rc == 0)
        rc = -1, e = errno;
    if (rc != 0)
        unlink(dst);
    errno = e;
    return rc ? -2 : 0;
}

SIM_HANDLER(h_copy_file)
{
    const char *asrc = xr_get_str(argv[0]), *adst = xr_get_str(argv[1]);
    int sparse = 1;
    if (argc > 2)
        xr_get_bool(argv[2], &sparse);
    char *src = host_path(c, asrc);
    char *dst = src ? host_path(c, adst) : NULL;
    if (src && dst) {
        int rc = c->sim->drv->disk_copy(c->sim, src, dst, sparse);
        if (rc != 0)
            os_fault(c, errno, rc == -1 ? asrc : adst);
    }
    free(src);
    free(dst);
    return c->fault ? NULL : xr_nil();
}

/* THIN_CLONE (doc/object-model.md, Thin clones): dst shares src's extents
 * (ioctl FICLONE, a reflink), as Oracle VM does on OCFS2. A file system that
 * cannot share extents fails the call with EOPNOTSUPP and no file is left:
 * a copy would not be a thin clone, and of a running VM's disk it would not
 * even be consistent. */
SIM_HANDLER(h_reflink_file)
{
    (void)argc;
    const char *asrc = xr_get_str(argv[0]), *adst = xr_get_str(argv[1]);
    char *src = host_path(c, asrc);
    char *dst = src ? host_path(c, adst) : NULL;
    int in = dst ? open(src, O_RDONLY | O_CLOEXEC) : -1;
    int out = in >= 0 ? open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) : -1;
    if (dst && (in < 0 || out < 0))
        os_fault(c, errno, in < 0 ? asrc : adst);
    else if (out >= 0 && ioctl(out, FICLONE, in) != 0) {
        int e = errno == ENOTTY || errno == EINVAL || errno == EXDEV ? EOPNOTSUPP : errno;
        call_fault(c, "exceptions.OSError:[Errno %d] %s: the file system under '%s' cannot share extents "
                      "(reflink)", e, strerror(e), adst);
        unlink(dst);
    }
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    free(src);
    free(dst);
    return c->fault ? NULL : xr_nil();
}
