/* SAN storage arrays for both drivers (doc/agent-protocol.md §5.9): the generic
 * SCSI plug-in's discovery of iSCSI targets through libiscsi (SendTargets,
 * login, REPORT LUNS, INQUIRY with VPD page 0x83, READ CAPACITY(16)), block
 * reads and writes on a LUN, and the host's iSCSI initiator name. Fibre
 * Channel has no real part on this machine: its arrays are simulated
 * (san_fc.c). Every call opens its own sessions and closes them before it
 * returns, so a vanished array costs one failed call and leaves nothing open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include "agent/san.h"
#include "agent/sim.h"
#include "lib/util.h"

/* Seconds a SCSI command or login may take before the call gives up. */
#define SAN_TIMEOUT 10
/* Largest read or write one call moves. */
#define SAN_IO_MAX (1 << 20)

char *san_initiator_name(const char *hostname)
{
    /* Oracle VM Servers carry iqn.1988-12.com.oracle:<hex>; derive the hex from
     * the host name so that one server keeps one name across restarts. */
    uint32_t h = 2166136261u;
    for (const char *p = hostname ? hostname : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return xasprintf("iqn.1988-12.com.oracle:%08x%s%s", h, hostname ? "." : "",
                     hostname ? hostname : "");
}

/* host:port of the array, from ss.access_host and ss.access_port (3260). */
static char *portal_of(const xr_value *ss)
{
    const char *host = sim_str(ss, "access_host", "");
    int64_t port = sim_int(ss, "access_port", 3260);
    if (port <= 0 || port > 65535)
        port = 3260;
    return strchr(host, ':') ? xasprintf("[%s]:%lld", host, (long long)port)
                             : xasprintf("%s:%lld", host, (long long)port);
}

/* A context logged in to target (NULL: a discovery session). NULL after a fault. */
struct iscsi_context *san_login(struct call_ctx *c, const xr_value *ss,
                                const char *target, const char *initiator)
{
    char *portal = portal_of(ss);
    struct iscsi_context *ctx = iscsi_create_context(initiator);
    if (!ctx) {
        call_fault(c, "exceptions.RuntimeError:iSCSI: no memory for a session to %s", portal);
        free(portal);
        return NULL;
    }
    iscsi_set_timeout(ctx, SAN_TIMEOUT);
    const char *user = sim_str(ss, "chap_user", ""), *pw = sim_str(ss, "chap_passwd", "");
    if (*user)
        iscsi_set_initiator_username_pwd(ctx, user, pw);
    if (target) {
        iscsi_set_targetname(ctx, target);
        iscsi_set_session_type(ctx, ISCSI_SESSION_NORMAL);
    } else {
        iscsi_set_session_type(ctx, ISCSI_SESSION_DISCOVERY);
    }
    iscsi_set_header_digest(ctx, ISCSI_HEADER_DIGEST_NONE_CRC32C);
    int connected = iscsi_connect_sync(ctx, portal) == 0;
    if (!connected || iscsi_login_sync(ctx) != 0) {
        /* libiscsi's text for a refused connection names its internals only. */
        if (!connected)
            call_fault(c, "exceptions.RuntimeError:cannot connect to iSCSI portal %s", portal);
        else /* tgtd answers an initiator its ACL does not list with "Target not found" */
            call_fault(c, "exceptions.RuntimeError:iSCSI login to %s at %s failed: %s (initiator %s%s)",
                       target ? target : "discovery", portal, iscsi_get_error(ctx), initiator,
                       strstr(iscsi_get_error(ctx), "Target not found")
                           ? ": the target does not admit this initiator (LUN masking) or is gone" : "");
        iscsi_destroy_context(ctx);
        free(portal);
        return NULL;
    }
    free(portal);
    return ctx;
}

void san_logout(struct iscsi_context *ctx)
{
    if (!ctx)
        return;
    iscsi_logout_sync(ctx);
    iscsi_destroy_context(ctx);
}

/* The target names the array's SendTargets answer lists; NULL after a fault. */
static xr_value *send_targets(struct call_ctx *c, const xr_value *ss, const char *initiator)
{
    struct iscsi_context *ctx = san_login(c, ss, NULL, initiator);
    if (!ctx)
        return NULL;
    struct iscsi_discovery_address *da = iscsi_discovery_sync(ctx);
    if (!da && *iscsi_get_error(ctx)) {
        call_fault(c, "exceptions.RuntimeError:iSCSI SendTargets at %s: %s",
                   sim_str(ss, "access_host", ""), iscsi_get_error(ctx));
        san_logout(ctx);
        return NULL;
    }
    xr_value *names = xr_array();
    for (struct iscsi_discovery_address *a = da; a; a = a->next)
        xr_array_add(names, xr_string(a->target_name));
    if (da)
        iscsi_free_discovery_data(ctx, da);
    san_logout(ctx);
    return names;
}

/* Fails the call unless task completed with GOOD status; frees a failed task. */
struct scsi_task *san_task_ok(struct call_ctx *c, struct iscsi_context *ctx,
                              struct scsi_task *t, const char *what, int lun)
{
    if (t && t->status == SCSI_STATUS_GOOD)
        return t;
    call_fault(c, "exceptions.RuntimeError:iSCSI %s on LUN %d: %s", what, lun,
               iscsi_get_error(ctx));
    if (t)
        scsi_free_scsi_task(t);
    return NULL;
}

/* A fresh session's first command on a LUN meets a UNIT ATTENTION (bus
 * reset); TEST UNIT READY takes it, so that the commands that matter do not. */
void san_clear_unit_attention(struct iscsi_context *ctx, int lun)
{
    for (int i = 0; i < 3; i++) {
        struct scsi_task *t = iscsi_testunitready_sync(ctx, lun);
        int good = t && t->status == SCSI_STATUS_GOOD;
        if (t)
            scsi_free_scsi_task(t);
        if (good || !t)
            return;
    }
}

/* Page 0x83 as Linux's scsi_id prints it: the designator type digit, then the
 * NAA (or EUI-64, or T10) designator of the logical unit in hex. */
char *san_page83(struct iscsi_context *ctx, int lun)
{
    struct scsi_task *t = iscsi_inquiry_sync(ctx, lun, 1, SCSI_INQUIRY_PAGECODE_DEVICE_IDENTIFICATION, 255);
    if (!t || t->status != SCSI_STATUS_GOOD) {
        if (t)
            scsi_free_scsi_task(t);
        return NULL;
    }
    struct scsi_inquiry_device_identification *id = scsi_datain_unmarshall(t);
    struct scsi_inquiry_device_designator *best = NULL;
    for (struct scsi_inquiry_device_designator *d = id ? id->designators : NULL; d; d = d->next) {
        if (d->association != SCSI_ASSOCIATION_LOGICAL_UNIT || d->designator_type > 3 ||
            d->designator_type < 1)
            continue;
        if (!best || d->designator_type > best->designator_type)
            best = d;
    }
    char *out = NULL;
    if (best) {
        strbuf sb = STRBUF_INIT;
        sb_addf(&sb, "%d", (int)best->designator_type);
        for (int i = 0; i < best->designator_length; i++)
            sb_addf(&sb, "%02x", (unsigned char)best->designator[i]);
        out = sb_detach(&sb, NULL);
    }
    scsi_free_scsi_task(t);
    return out;
}

/* Trailing blanks of an INQUIRY text field removed (heap). */
static char *trimmed(const char *s)
{
    char *r = xstrdup(s);
    for (size_t n = strlen(r); n && r[n - 1] == ' '; n--)
        r[n - 1] = '\0';
    return r;
}

/* One storage element (LUN) record; NULL when the LUN is no disk (the
 * controller LUN 0 of tgtd) or after a fault. */
static xr_value *element_of(struct call_ctx *c, struct iscsi_context *ctx, const char *target, int lun)
{
    san_clear_unit_attention(ctx, lun);
    struct scsi_task *t = san_task_ok(c, ctx, iscsi_inquiry_sync(ctx, lun, 0, 0, 64), "INQUIRY", lun);
    if (!t)
        return NULL;
    struct scsi_inquiry_standard *inq = scsi_datain_unmarshall(t);
    if (!inq || inq->device_type != SCSI_INQUIRY_PERIPHERAL_DEVICE_TYPE_DIRECT_ACCESS) {
        scsi_free_scsi_task(t);
        return NULL;
    }
    char *vendor = trimmed(inq->vendor_identification), *product = trimmed(inq->product_identification);
    scsi_free_scsi_task(t);
    xr_value *se = NULL;
    struct scsi_task *rc = san_task_ok(c, ctx, iscsi_readcapacity16_sync(ctx, lun), "READ CAPACITY", lun);
    struct scsi_readcapacity16 *cap = rc ? scsi_datain_unmarshall(rc) : NULL;
    char *p83 = cap ? san_page83(ctx, lun) : NULL;
    if (cap && p83) {
        se = xr_struct();
        char *name = xasprintf("%s:%d", target, lun);
        xr_struct_set(se, "name", xr_string(name));
        xr_struct_set(se, "target", xr_string(target));
        xr_struct_set(se, "lun", xr_int(lun));
        xr_struct_set(se, "page83_id", xr_string(p83));
        xr_struct_set(se, "vendor", xr_string(vendor));
        xr_struct_set(se, "product", xr_string(product));
        xr_struct_set(se, "block_size", xr_int(cap->block_length));
        xr_struct_set(se, "size", xr_int((int64_t)(cap->returned_lba + 1) * cap->block_length));
        xr_struct_set(se, "status", xr_string("online"));
        free(name);
    } else if (cap) {
        call_fault(c, "exceptions.RuntimeError:iSCSI LUN %d of %s has no page 0x83 id", lun, target);
    }
    if (rc)
        scsi_free_scsi_task(rc);
    free(p83);
    free(vendor);
    free(product);
    return se;
}

/* Appends the disk LUNs of target to list. 0, or -1 after a fault. */
static int target_elements(struct call_ctx *c, const xr_value *ss, const char *target,
                           const char *initiator, xr_value *list)
{
    struct iscsi_context *ctx = san_login(c, ss, target, initiator);
    if (!ctx)
        return -1;
    struct scsi_task *t = san_task_ok(c, ctx, iscsi_reportluns_sync(ctx, 0, 16384), "REPORT LUNS", 0);
    struct scsi_reportluns_list *luns = t ? scsi_datain_unmarshall(t) : NULL;
    int rc = luns ? 0 : -1;
    if (t && !luns)
        call_fault(c, "exceptions.RuntimeError:iSCSI REPORT LUNS of %s: malformed answer", target);
    for (uint32_t i = 0; luns && i < luns->num && rc == 0; i++) {
        xr_value *se = element_of(c, ctx, target, luns->luns[i]);
        if (se)
            xr_array_add(list, se);
        else if (c->fault)
            rc = -1;
    }
    if (t)
        scsi_free_scsi_task(t);
    san_logout(ctx);
    return rc;
}

xr_value *san_iscsi_elements(struct call_ctx *c, const xr_value *ss, const char *initiator)
{
    xr_value *targets = send_targets(c, ss, initiator);
    if (!targets)
        return NULL;
    /* storage_name picks one target of a portal that serves several, with
     * the targets named "<it>.<...>" that its access groups use (san_tgt_acl.c). */
    const char *only = sim_str(ss, "storage_name", "");
    size_t n = strlen(only);
    xr_value *list = xr_array();
    for (size_t i = 0; i < targets->n; i++) {
        const char *name = targets->items[i]->s;
        if (n && strcmp(only, name) != 0 && (strncmp(only, name, n) != 0 || name[n] != '.'))
            continue;
        if (target_elements(c, ss, name, initiator, list) != 0) {
            xr_free(list);
            list = NULL;
            break;
        }
    }
    xr_free(targets);
    return list;
}

int san_iscsi_validate(struct call_ctx *c, const xr_value *ss, const char *initiator)
{
    xr_value *targets = send_targets(c, ss, initiator);
    if (!targets)
        return -1;
    xr_free(targets);
    return 0;
}

/* Target, LUN and block size of se; the range [offset, offset+len) in whole
 * blocks (first, count). -1 after a fault. */
static int io_range(struct call_ctx *c, const xr_value *se, int64_t offset, int64_t len,
                    uint64_t *first, uint32_t *count, int *bs)
{
    *bs = (int)sim_int(se, "block_size", 512);
    if (*bs <= 0 || offset < 0 || len <= 0 || len > SAN_IO_MAX || !*sim_str(se, "target", "")) {
        call_fault(c, "exceptions.RuntimeError:invalid block range or storage element");
        return -1;
    }
    *first = (uint64_t)offset / (uint64_t)*bs;
    uint64_t last = ((uint64_t)offset + (uint64_t)len + (uint64_t)*bs - 1) / (uint64_t)*bs;
    *count = (uint32_t)(last - *first);
    return 0;
}

/* Reads the blocks covering [offset, offset+len); the buffer is the caller's. */
static unsigned char *read_blocks(struct call_ctx *c, struct iscsi_context *ctx, int lun,
                                  uint64_t first, uint32_t count, int bs)
{
    san_clear_unit_attention(ctx, lun);
    struct scsi_task *t = san_task_ok(c, ctx, iscsi_read16_sync(ctx, lun, first, count * (uint32_t)bs,
                                                            bs, 0, 0, 0, 0, 0), "READ(16)", lun);
    if (!t)
        return NULL;
    if (t->datain.size != (int)(count * (uint32_t)bs)) {
        call_fault(c, "exceptions.RuntimeError:iSCSI READ(16) on LUN %d: short read", lun);
        scsi_free_scsi_task(t);
        return NULL;
    }
    unsigned char *buf = xmalloc((size_t)count * (size_t)bs);
    memcpy(buf, t->datain.data, (size_t)count * (size_t)bs);
    scsi_free_scsi_task(t);
    return buf;
}

xr_value *san_iscsi_read(struct call_ctx *c, const xr_value *ss, const xr_value *se,
                         int64_t offset, int64_t len, const char *initiator)
{
    uint64_t first;
    uint32_t count;
    int bs, lun = (int)sim_int(se, "lun", 0);
    if (io_range(c, se, offset, len, &first, &count, &bs) != 0)
        return NULL;
    struct iscsi_context *ctx = san_login(c, ss, sim_str(se, "target", ""), initiator);
    if (!ctx)
        return NULL;
    unsigned char *buf = read_blocks(c, ctx, lun, first, count, bs);
    san_logout(ctx);
    if (!buf)
        return NULL;
    /* Hex, so that any bytes travel in an XML-RPC string. */
    strbuf sb = STRBUF_INIT;
    size_t skip = (size_t)((uint64_t)offset - first * (uint64_t)bs);
    for (int64_t i = 0; i < len; i++)
        sb_addf(&sb, "%02x", buf[skip + (size_t)i]);
    free(buf);
    char *hex = sb_detach(&sb, NULL);
    xr_value *v = xr_string(hex);
    free(hex);
    return v;
}

int san_iscsi_write(struct call_ctx *c, const xr_value *ss, const xr_value *se,
                    int64_t offset, const char *data, const char *initiator)
{
    uint64_t first;
    uint32_t count;
    int bs, lun = (int)sim_int(se, "lun", 0);
    int64_t len = (int64_t)strlen(data);
    if (io_range(c, se, offset, len, &first, &count, &bs) != 0)
        return -1;
    struct iscsi_context *ctx = san_login(c, ss, sim_str(se, "target", ""), initiator);
    if (!ctx)
        return -1;
    /* Read-modify-write: the ends of the range need not fall on block bounds. */
    unsigned char *buf = read_blocks(c, ctx, lun, first, count, bs);
    int rc = -1;
    if (buf) {
        memcpy(buf + ((uint64_t)offset - first * (uint64_t)bs), data, (size_t)len);
        struct scsi_task *t = san_task_ok(c, ctx, iscsi_write16_sync(ctx, lun, first, buf,
                                      count * (uint32_t)bs, bs, 0, 0, 0, 0, 0), "WRITE(16)", lun);
        if (t) {
            scsi_free_scsi_task(t);
            rc = 0;
        }
        free(buf);
    }
    san_logout(ctx);
    return rc;
}
