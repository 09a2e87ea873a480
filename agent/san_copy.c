/* copy_blocks (doc/agent-protocol.md §5.9): a block copy between a disk image
 * and an iSCSI LUN, or between two LUNs, through libiscsi: the engine's
 * cloneVdToPd, clonePdToRepo and clonePdToPd. Each end is an agent path
 * under /OVS (a string) or a LUN ({ss, se}: the array and the storage
 * element, as storage_plugin_readBlocks takes them). The copy moves the
 * source's whole length, holes as zeros, so the target's first bytes equal
 * the source's; a file target is created (O_EXCL) and removed again when
 * the copy fails, a LUN target must be at least as big as the source. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include "agent/driver.h"
#include "agent/san.h"
#include "agent/sim.h"
#include "lib/util.h"

/* One chunk of the copy: a multiple of every block size a LUN may have. */
#define CHUNK (1 << 20)

typedef struct endpoint {
    const char *label;           /* the agent path or the LUN name, for faults */
    int fd;                      /* a file end, else -1 */
    char *host;                  /* the file's host path */
    int created;                 /* the copy created the file (removed on failure) */
    struct iscsi_context *ctx;   /* a LUN end */
    int lun, bs;
    int64_t size;
} endpoint;

/* The LUN's block size and size from READ CAPACITY(16); -1 after a fault
 * (a LUN deleted from its target fails here). */
static int lun_capacity(struct call_ctx *c, endpoint *ep)
{
    san_clear_unit_attention(ep->ctx, ep->lun);
    struct scsi_task *t = san_task_ok(c, ep->ctx, iscsi_readcapacity16_sync(ep->ctx, ep->lun), "READ CAPACITY",
                                      ep->lun);
    struct scsi_readcapacity16 *cap = t ? scsi_datain_unmarshall(t) : NULL;
    if (cap) {
        ep->bs = (int)cap->block_length;
        ep->size = (int64_t)(cap->returned_lba + 1) * cap->block_length;
    } else if (t) {
        call_fault(c, "exceptions.RuntimeError:iSCSI READ CAPACITY of %s: no data", ep->label);
    }
    if (t)
        scsi_free_scsi_task(t);
    return cap && ep->bs > 0 && CHUNK % ep->bs == 0 ? 0 : -1;
}

/* The LUN at target:lun is still the disk se names: a LUN number the array
 * gave to another disk must never be written over. */
static int same_disk(struct call_ctx *c, endpoint *ep, const char *want)
{
    if (!*want)
        return 0;
    char *have = san_page83(ep->ctx, ep->lun);
    int same = have && !strcmp(have, want);
    if (!same)
        call_fault(c, "exceptions.RuntimeError:LUN %s is not the disk it was (page 0x83 id %s, expected %s); "
                      "refresh the StorageArray", ep->label, have ? have : "none", want);
    free(have);
    return same ? 0 : -1;
}

static int open_lun(struct call_ctx *c, const xr_value *v, endpoint *ep)
{
    const xr_value *ss = xr_struct_get(v, "ss"), *se = xr_struct_get(v, "se");
    const char *target = se ? sim_str(se, "target", "") : "";
    if (!ss || !*target)
        return call_fault(c, "exceptions.RuntimeError:copy_blocks: a LUN end needs ss and se with a target"), -1;
    ep->label = sim_str(se, "name", target);
    ep->lun = (int)sim_int(se, "lun", 0);
    char *iqn = san_initiator_name(c->sim->hostname);
    ep->ctx = san_login(c, ss, target, iqn);
    free(iqn);
    if (!ep->ctx || lun_capacity(c, ep) != 0)
        return -1;
    return same_disk(c, ep, sim_str(se, "page83_id", ""));
}

/* A file end: the source opened for reading, the target created. */
static int open_file(struct call_ctx *c, const xr_value *v, endpoint *ep, int target)
{
    ep->label = xr_get_str(v);
    ep->host = sim_host_path(c->sim, ep->label);
    if (!ep->host)
        return call_fault(c, "exceptions.OSError:[Errno 2] No such file or directory: '%s'", ep->label), -1;
    ep->fd = open(ep->host, target ? O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC : O_RDONLY | O_CLOEXEC, 0644);
    struct stat st;
    if (ep->fd < 0 || fstat(ep->fd, &st) != 0)
        return call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", errno, strerror(errno), ep->label), -1;
    ep->created = target;
    ep->size = st.st_size;
    return 0;
}

static int ep_open(struct call_ctx *c, const xr_value *v, endpoint *ep, int target)
{
    memset(ep, 0, sizeof *ep);
    ep->fd = -1;
    if (xr_get_str(v))
        return open_file(c, v, ep, target);
    return open_lun(c, v, ep);
}

/* Closes ep; a file the failed copy created goes again. */
static void ep_close(endpoint *ep, int failed)
{
    if (ep->fd >= 0)
        close(ep->fd);
    if (failed && ep->created && ep->host)
        unlink(ep->host);
    free(ep->host);
    san_logout(ep->ctx);
}

/* len bytes at off into buf; a LUN reads whole blocks (len is one). */
static int ep_read(struct call_ctx *c, endpoint *ep, unsigned char *buf, size_t len, int64_t off)
{
    if (ep->fd >= 0) {
        ssize_t n = pread(ep->fd, buf, len, off);
        if (n != (ssize_t)len)
            return call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", n < 0 ? errno : EIO,
                              strerror(n < 0 ? errno : EIO), ep->label), -1;
        return 0;
    }
    struct scsi_task *t = san_task_ok(c, ep->ctx, iscsi_read16_sync(ep->ctx, ep->lun, (uint64_t)off / (uint64_t)ep->bs,
                                      (uint32_t)len, ep->bs, 0, 0, 0, 0, 0), "READ(16)", ep->lun);
    if (!t)
        return -1;
    int ok = t->datain.size == (int)len;
    if (ok)
        memcpy(buf, t->datain.data, len);
    scsi_free_scsi_task(t);
    return ok ? 0 : (call_fault(c, "exceptions.RuntimeError:iSCSI READ(16) of %s: short read", ep->label), -1);
}

static int ep_write(struct call_ctx *c, endpoint *ep, unsigned char *buf, size_t len, int64_t off, int sparse)
{
    if (ep->fd >= 0) {
        (void)sparse; /* zeros become holes here; finish_file allocates them for a full copy */
        if (pwrite_sparse(ep->fd, (const char *)buf, len, off) == 0)
            return 0;
        return call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", errno, strerror(errno), ep->label), -1;
    }
    /* The last piece of an image whose size is not whole blocks: zeros after it. */
    size_t whole = (len + (size_t)ep->bs - 1) / (size_t)ep->bs * (size_t)ep->bs;
    memset(buf + len, 0, whole - len);
    struct scsi_task *t = san_task_ok(c, ep->ctx, iscsi_write16_sync(ep->ctx, ep->lun, (uint64_t)off / (uint64_t)ep->bs,
                                      buf, (uint32_t)whole, ep->bs, 0, 0, 0, 0, 0), "WRITE(16)", ep->lun);
    if (t)
        scsi_free_scsi_task(t);
    return t ? 0 : -1;
}

/* A non-sparse file target gets its zeros allocated (posix_fallocate),
 * as NON_SPARSE_COPY promises; then it takes the source's length. */
static int finish_file(struct call_ctx *c, endpoint *ep, int64_t size, int sparse)
{
    int rc = ftruncate(ep->fd, size);
    if (rc == 0 && !sparse)
        rc = posix_fallocate(ep->fd, 0, size) == 0 ? 0 : -1;
    if (rc != 0)
        call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", errno ? errno : ENOSPC, strerror(errno ? errno : ENOSPC),
                   ep->label);
    return rc;
}

static int copy_all(struct call_ctx *c, endpoint *in, endpoint *out, int sparse)
{
    if (out->fd < 0 && out->size < in->size)
        return call_fault(c, "exceptions.RuntimeError:LUN %s has %lld bytes, the source %s needs %lld", out->label,
                          (long long)out->size, in->label, (long long)in->size), -1;
    unsigned char *buf = xmalloc(CHUNK);
    int rc = 0;
    for (int64_t off = 0; off < in->size && rc == 0; off += CHUNK) {
        size_t len = in->size - off < CHUNK ? (size_t)(in->size - off) : CHUNK;
        size_t rlen = in->fd >= 0 ? len : (len + (size_t)in->bs - 1) / (size_t)in->bs * (size_t)in->bs;
        rc = ep_read(c, in, buf, rlen, off);
        if (rc == 0)
            rc = ep_write(c, out, buf, len, off, sparse);
    }
    free(buf);
    if (rc == 0 && out->fd >= 0)
        rc = finish_file(c, out, in->size, sparse);
    return rc;
}

SIM_HANDLER(h_copy_blocks)
{
    int sparse = 1;
    if (argc > 2)
        xr_get_bool(argv[2], &sparse);
    if (xr_get_str(argv[0]) && xr_get_str(argv[1]))
        return call_fault(c, "exceptions.RuntimeError:copy_blocks needs a LUN at one end; use copy_file");
    endpoint in, out;
    int rc = ep_open(c, argv[0], &in, 0);
    memset(&out, 0, sizeof out);
    out.fd = -1;
    if (rc == 0)
        rc = ep_open(c, argv[1], &out, 1);
    if (rc == 0)
        rc = copy_all(c, &in, &out, sparse);
    ep_close(&in, 0);
    ep_close(&out, rc != 0);
    return rc == 0 ? xr_nil() : NULL;
}
