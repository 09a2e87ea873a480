/* Domain lifecycle on libvirt. Domains are transient (virDomainCreateXML):
 * vm.cfg in the repository is the definition, as with Xen's `xm create`, so
 * a host never keeps a definition the repository does not have. */
#include "agent/lv.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent/sim.h"
#include "lib/log.h"
#include "lib/util.h"

#define STOP_POLL_S 0.2

static char *vm_file(struct sim *s, const char *repo, const char *vm, const char *name)
{
    char *dir = sim_vm_dir(s, repo, vm);
    char *p = xasprintf("%s/%s", dir, name);
    free(dir);
    return p;
}

static char *host_path_cb(void *arg, const char *agent_path)
{
    return sim_host_path(arg, agent_path);
}

/* Session daemons run QEMU unprivileged: hand it the VM directory, the
 * console file and the VM's disk files (--libvirt-image-owner). */
static int give_to_owner(struct call_ctx *c, const char *path)
{
    struct lv *lv = LV(c->sim);
    if (!lv->have_owner || chown(path, lv->owner_uid, lv->owner_gid) == 0)
        return 0;
    call_fault(c, "exceptions.OSError:[Errno %d] %s: cannot hand '%s' to the guest's user", errno, strerror(errno),
               path);
    return -1;
}

int lv_prepare_files(struct call_ctx *c, const char *repo, const char *vm, const xr_value *cfg,
                         const char *console)
{
    int fd = open(console, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 || close(fd) != 0) {
        call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", errno, strerror(errno), console);
        return -1;
    }
    char *dir = sim_vm_dir(c->sim, repo, vm);
    int rc = give_to_owner(c, dir) || give_to_owner(c, console) ? -1 : 0;
    free(dir);
    const xr_value *disks = xr_struct_get(cfg, "disk");
    for (size_t i = 0; rc == 0 && disks && disks->type == XR_ARRAY && i < disks->n; i++) {
        const char *spec = xr_get_str(disks->items[i]);
        if (!spec || strncmp(spec, "file:", 5) != 0 || strstr(spec, ",r") == spec + strlen(spec) - 2)
            continue;
        char *apath = xstrndup(spec + 5, strcspn(spec + 5, ","));
        char *path = sim_host_path(c->sim, apath);
        if (path && access(path, F_OK) == 0)
            rc = give_to_owner(c, path);
        free(path);
        free(apath);
    }
    return rc;
}

static char *domain_xml(struct call_ctx *c, const char *repo, const char *vm, const xr_value *cfg,
                        const char *console)
{
    struct lv *lv = LV(c->sim);
    struct lvx_opts o = {.domain_type = lv->domain_type, .vm_id = vm, .repo_id = repo, .console_path = console,
                         .bridges = strstr(lv->uri, "/system") != NULL, .host_path = host_path_cb, .arg = c->sim};
    char err[512];
    char *xml = lvx_domain_xml(cfg, &o, err, sizeof err);
    if (!xml)
        call_fault(c, "exceptions.ValueError:vm.cfg of %s: %s", vm, err);
    return xml;
}

char *lv_console_path(struct sim *s, const char *repo, const char *vm)
{
    return vm_file(s, repo, vm, LV_CONSOLE_FILE);
}

xr_value *lv_start(struct call_ctx *c, const char *repo, const char *vm)
{
    virConnectPtr conn = lv_conn(c);
    if (!conn)
        return NULL;
    virDomainPtr d = lv_domain(c, conn, vm, 0);
    if (d) {
        call_fault(c, "exceptions.RuntimeError:Domain '%s' already exists with ID '%d'", vm, (int)virDomainGetID(d));
        virDomainFree(d);
    }
    xr_value *cfg = c->fault ? NULL : sim_read_vmcfg(c, repo, vm);
    char *console = vm_file(c->sim, repo, vm, LV_CONSOLE_FILE);
    char *xml = cfg ? domain_xml(c, repo, vm, cfg, console) : NULL;
    if (xml && lv_prepare_files(c, repo, vm, cfg, console) == 0) {
        log_debug("domain XML of %s: %s", vm, xml);
        d = virDomainCreateXML(conn, xml, 0);
        if (!d)
            lv_fault(c, "start of VM %s failed", vm);
        else
            log_info("started %s (id %d); console output in %s", vm, (int)virDomainGetID(d), console);
        if (d)
            virDomainFree(d);
    }
    free(xml);
    free(console);
    xr_free(cfg);
    virConnectClose(conn);
    return c->fault ? NULL : xr_nil();
}

/* A domain that outlives a restart of its daemon: when a call on it fails
 * because the connection died mid-job, it is looked up again on a fresh
 * connection (the guest's QEMU keeps running while libvirtd restarts). */
struct lv_dom {
    virConnectPtr conn;
    virDomainPtr d;
    const char *vm;
};

static void dom_drop(struct lv_dom *h)
{
    if (h->d)
        virDomainFree(h->d);
    if (h->conn)
        virConnectClose(h->conn);
    h->d = NULL;
    h->conn = NULL;
}

/* 1 active, 0 gone, -1 unknown: the daemon cannot say (it is down). Never
 * takes "cannot say" for "gone": that would report a running guest stopped. */
static int dom_active(struct call_ctx *c, struct lv_dom *h)
{
    int a = h->d ? virDomainIsActive(h->d) : -1;
    if (a >= 0)
        return a;
    dom_drop(h);
    if (!(h->conn = lv_conn_get(LV(c->sim))))
        return -1;
    if ((h->d = virDomainLookupByName(h->conn, h->vm)) != NULL)
        return (a = virDomainIsActive(h->d)) < 0 ? -1 : a;
    return virGetLastErrorCode() == VIR_ERR_NO_DOMAIN ? 0 : -1;
}

/* Waits up to the shutdown timeout for the domain to go away. The agent lock
 * is let go meanwhile (the guest's shutdown can take a minute, and list_vm
 * must keep answering); the handler touches no agent state afterwards.
 * Returns what dom_active last said. */
static int wait_gone(struct call_ctx *c, struct lv_dom *h)
{
    struct lv *lv = LV(c->sim);
    int st = 1;
    pthread_mutex_unlock(&c->sim->lock);
    for (double t = 0; st != 0 && t < lv->shutdown_timeout; t += STOP_POLL_S) {
        if (sim_sleep(c->sim, STOP_POLL_S))
            break;
        st = dom_active(c, h);
    }
    pthread_mutex_lock(&c->sim->lock);
    return st == 0 ? 0 : dom_active(c, h);
}

xr_value *lv_stop(struct call_ctx *c, const char *vm, int force)
{
    struct lv_dom h = {.conn = lv_conn(c), .vm = vm};
    if (!h.conn || !(h.d = lv_domain(c, h.conn, vm, 1))) {
        dom_drop(&h);
        return NULL;
    }
    int st = 1;
    if (!force && virDomainShutdown(h.d) < 0)
        log_info("graceful shutdown of %s refused (%s): destroying it", vm, virGetLastErrorMessage());
    else if (!force && (st = wait_gone(c, &h)) == 0)
        log_info("%s shut down", vm);
    else if (!force && st == 1)
        log_info("%s ignored the shutdown request for %d s: destroying it", vm, LV(c->sim)->shutdown_timeout);
    if (st != 0 && (st = dom_active(c, &h)) == 1 && virDomainDestroy(h.d) < 0 && (st = dom_active(c, &h)) == 1)
        lv_fault(c, "stop of VM %s failed", vm);
    else if (st < 0)
        lv_fault(c, "lost the connection to libvirt at %s while stopping VM %s; it may still be running",
                 LV(c->sim)->uri, vm);
    dom_drop(&h);
    return c->fault ? NULL : xr_nil();
}
