/* The smaller domain operations on libvirt: reboot, pause, save/restore,
 * live vCPUs, and the running-VM records. */
#include "agent/lv.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent/sim.h"
#include "lib/log.h"
#include "lib/util.h"

#define DOM_STATS (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON | \
                   VIR_DOMAIN_STATS_VCPU)

/* Runs op on the running domain vm; fault "<what> of VM <vm> failed: ...". */
static xr_value *with_domain(struct call_ctx *c, const char *vm, const char *what, int (*op)(virDomainPtr, int),
                             int arg)
{
    virConnectPtr conn = lv_conn(c);
    virDomainPtr d = conn ? lv_domain(c, conn, vm, 1) : NULL;
    if (d && op(d, arg) < 0)
        lv_fault(c, "%s of VM %s failed", what, vm);
    if (d)
        virDomainFree(d);
    if (conn)
        virConnectClose(conn);
    return c->fault ? NULL : xr_nil();
}

static int do_reboot(virDomainPtr d, int arg)
{
    (void)arg;
    return virDomainReboot(d, VIR_DOMAIN_REBOOT_DEFAULT);
}

static int do_pause(virDomainPtr d, int paused)
{
    return paused ? virDomainSuspend(d) : virDomainResume(d);
}

static int do_vcpus(virDomainPtr d, int n)
{
    return virDomainSetVcpusFlags(d, (unsigned)n, VIR_DOMAIN_AFFECT_LIVE);
}

xr_value *lv_reboot(struct call_ctx *c, const char *vm)
{
    return with_domain(c, vm, "restart", do_reboot, 0);
}

xr_value *lv_pause(struct call_ctx *c, const char *vm, int paused)
{
    return with_domain(c, vm, paused ? "pause" : "unpause", do_pause, paused);
}

xr_value *lv_set_vcpus(struct call_ctx *c, const char *vm, int64_t vcpus)
{
    if (vcpus > 4096)
        return call_fault(c, "exceptions.ValueError:invalid vCPU count %lld", (long long)vcpus);
    return with_domain(c, vm, "vCPU change", do_vcpus, (int)vcpus);
}

static char *save_path(struct sim *s, const char *repo, const char *vm)
{
    char *dir = sim_vm_dir(s, repo, vm);
    char *p = xasprintf("%s/vm.save", dir);
    free(dir);
    return p;
}

/* Suspends to <vm dir>/vm.save; a checkpoint restores it at once. */
xr_value *lv_save(struct call_ctx *c, const char *repo, const char *vm, int checkpoint)
{
    if (sim_check_ids(c, repo, vm) != 0)
        return NULL;
    virConnectPtr conn = lv_conn(c);
    virDomainPtr d = conn ? lv_domain(c, conn, vm, 1) : NULL;
    char *path = save_path(c->sim, repo, vm);
    if (d && virDomainSave(d, path) < 0)
        lv_fault(c, "suspend of VM %s failed", vm);
    else if (d && checkpoint && virDomainRestore(conn, path) < 0)
        lv_fault(c, "resume of VM %s after its checkpoint failed", vm);
    free(path);
    if (d)
        virDomainFree(d);
    if (conn)
        virConnectClose(conn);
    return c->fault ? NULL : xr_nil();
}

xr_value *lv_restore(struct call_ctx *c, const char *repo, const char *vm, int paused)
{
    if (sim_check_ids(c, repo, vm) != 0)
        return NULL;
    virConnectPtr conn = lv_conn(c);
    virDomainPtr d = conn ? lv_domain(c, conn, vm, 0) : NULL;
    if (d)
        call_fault(c, "exceptions.RuntimeError:Domain '%s' already exists with ID '%d'", vm, (int)virDomainGetID(d));
    char *path = save_path(c->sim, repo, vm);
    unsigned flags = paused ? VIR_DOMAIN_SAVE_PAUSED : VIR_DOMAIN_SAVE_RUNNING;
    if (conn && !c->fault && virDomainRestoreFlags(conn, path, NULL, flags) < 0)
        lv_fault(c, "resume of VM %s failed", vm);
    else if (conn && !c->fault && unlink(path) != 0)
        log_warn("cannot remove %s", path);
    free(path);
    if (d)
        virDomainFree(d);
    if (conn)
        virConnectClose(conn);
    return c->fault ? NULL : xr_nil();
}

/* "listen:port" of the domain's VNC display, or "" (heap). */
static char *vnc_location(virDomainPtr d)
{
    char *xml = virDomainGetXMLDesc(d, 0), *loc = NULL;
    const char *g = xml ? strstr(xml, "<graphics type='vnc' port='") : NULL;
    int port = -1;
    if (g && sscanf(g, "<graphics type='vnc' port='%d'", &port) == 1 && port > 0) {
        const char *l = strstr(g, "listen='");
        size_t n = l ? strcspn(l + 8, "'") : 0;
        loc = xasprintf("%.*s:%d", (int)n, l ? l + 8 : "", port);
    }
    free(xml);
    return loc ? loc : xstrdup("");
}

static xr_value *record_of(virDomainStatsRecordPtr r)
{
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    virDomainGetUUIDString(r->dom, uuid);
    char *vnc = vnc_location(r->dom);
    virDomainInfo info;
    int have_info = virDomainGetInfo(r->dom, &info) == 0;
    xr_value *rec = lv_record(virDomainGetName(r->dom), uuid, (int)virDomainGetID(r->dom), r->params, r->nparams,
                              have_info ? &info : NULL, vnc);
    free(vnc);
    return rec;
}

xr_value *lv_list_vm(struct call_ctx *c, const char *vm)
{
    virConnectPtr conn = lv_conn(c);
    virDomainPtr d = conn ? lv_domain(c, conn, vm, 0) : NULL;
    virDomainStatsRecordPtr *recs = NULL;
    xr_value *res = NULL;
    if (d) {
        virDomainPtr doms[] = {d, NULL};
        if (virDomainListGetStats(doms, DOM_STATS, &recs, 0) < 1 || !recs)
            lv_fault(c, "statistics of VM %s", vm);
        else
            res = record_of(recs[0]);
        virDomainStatsRecordListFree(recs);
        virDomainFree(d);
    }
    if (conn)
        virConnectClose(conn);
    return c->fault ? NULL : res ? res : xr_nil();
}

xr_value *lv_list_vms(struct call_ctx *c)
{
    virConnectPtr conn = lv_conn(c);
    if (!conn)
        return NULL;
    virDomainStatsRecordPtr *recs = NULL;
    int n = virConnectGetAllDomainStats(conn, DOM_STATS, &recs, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
    xr_value *a = n < 0 ? lv_fault(c, "list of running VMs") : xr_array();
    if (a) { /* the host itself, as Xen lists dom0 (the Manager skips it) */
        xr_value *dom0 = lv_record("Domain-0", "00000000-0000-0000-0000-000000000000", 0, NULL, 0,
                                   &(virDomainInfo){.state = VIR_DOMAIN_RUNNING, .nrVirtCpu = 1}, "");
        lv_cpu_annotate_host(conn, dom0);
        xr_array_add(a, dom0);
    }
    for (int i = 0; a && i < n; i++) {
        xr_value *rec = record_of(recs[i]);
        lv_cpu_annotate(rec);
        xr_array_add(a, rec);
    }
    virDomainStatsRecordListFree(recs);
    virConnectClose(conn);
    return a;
}

/* When libvirt cannot tell, say running: callers refuse what needs a
 * stopped VM (delete_vm) rather than act on a guess. */
int lv_vm_running(struct sim *s, const char *vm)
{
    virConnectPtr conn = lv_conn_get(LV(s));
    if (!conn)
        return 1;
    virDomainPtr d = virDomainLookupByName(conn, vm);
    int running = d ? virDomainIsActive(d) != 0 : virGetLastErrorCode() != VIR_ERR_NO_DOMAIN;
    if (d)
        virDomainFree(d);
    virConnectClose(conn);
    return running;
}

/* The repository a running domain was started from, from its metadata. */
static int uses_repo(virDomainPtr d, const char *mount_point)
{
    char *meta = virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, LV_META_NS, VIR_DOMAIN_AFFECT_LIVE);
    const char *r = meta ? strstr(meta, "repo=\"") : NULL;
    if (!r && meta)
        r = strstr(meta, "repo='");
    int same = 0;
    if (r) {
        char *mp = xasprintf("/OVS/Repositories/%.*s", (int)strcspn(r + 6, "\"'"), r + 6);
        same = strcmp(mp, mount_point) == 0;
        free(mp);
    }
    free(meta);
    return same;
}

int lv_repo_busy(struct sim *s, const char *mount_point)
{
    virConnectPtr conn = lv_conn_get(LV(s));
    virDomainPtr *doms = NULL;
    int n = conn ? virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE) : -1;
    int busy = n < 0; /* cannot tell: refuse to unmount under a guest */
    for (int i = 0; i < n; i++) {
        busy = busy || uses_repo(doms[i], mount_point);
        virDomainFree(doms[i]);
    }
    free(doms);
    if (conn)
        virConnectClose(conn);
    return busy;
}
