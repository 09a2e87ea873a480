/* Live migration between libvirt hosts, peer to peer. The source agent asks
 * the destination agent (migration_target, agent to agent over HTTPS as for
 * the simulator) for what only it knows: the URI at which its libvirt daemon
 * is reachable from the source's daemon; the destination also checks that the
 * repository is presented there and readies the VM's files. Then the source's
 * daemon moves the guest (virDomainMigrateToURI3) with its live definition,
 * as Xen does: vm.cfg may have been edited since the start, and a definition
 * rebuilt from it would not match the running guest. Repositories are at the
 * same path on every host (/OVS/Repositories under the same --state-dir).
 * libvirt keeps the guest running on exactly one host whatever fails. */
#include "agent/lv.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/sim.h"
#include "lib/log.h"
#include "lib/util.h"

/* The URI other hosts' daemons use for this one: --libvirt-migrate-uri; for
 * a system daemon qemu+tcp://<our address>/system; else our own URI (a
 * session daemon on the same machine, reached through its socket). */
static char *target_uri(struct sim *s)
{
    struct lv *lv = LV(s);
    if (lv->migrate_uri)
        return xstrdup(lv->migrate_uri);
    int wildcard = !strcmp(s->listen, "0.0.0.0") || !strcmp(s->listen, "::");
    if (!strcmp(lv->uri, "qemu:///system"))
        return xasprintf("qemu+tcp://%s/system", wildcard ? s->hostname : s->listen);
    return xstrdup(lv->uri);
}

xr_value *lv_migration_target(struct call_ctx *c, const char *repo, const char *vm)
{
    virConnectPtr conn = lv_conn(c);
    virDomainPtr d = conn ? lv_domain(c, conn, vm, 0) : NULL;
    if (d)
        call_fault(c, "exceptions.RuntimeError:Domain '%s' already exists on this server", vm);
    if (d)
        virDomainFree(d);
    if (conn)
        virConnectClose(conn);
    if (c->fault)
        return NULL;
    xr_value *cfg = sim_read_vmcfg(c, repo, vm); /* the repository must be presented here */
    char *console = cfg ? lv_console_path(c->sim, repo, vm) : NULL;
    xr_value *r = NULL;
    if (cfg && lv_prepare_files(c, repo, vm, cfg, console) == 0) {
        char *uri = target_uri(c->sim);
        r = xr_struct();
        xr_struct_set(r, "driver", xr_string(c->sim->drv->name));
        xr_struct_set(r, "uri", xr_string(uri));
        free(uri);
    }
    free(console);
    xr_free(cfg);
    return r;
}

static unsigned migrate_flags(struct lv *lv, int live, int ssl)
{
    unsigned f = VIR_MIGRATE_PEER2PEER;
    if (live)
        f |= VIR_MIGRATE_LIVE;
    if (ssl) /* through the daemons' own (TLS) connection */
        f |= VIR_MIGRATE_TUNNELLED;
    if (lv->migrate_unsafe)
        f |= VIR_MIGRATE_UNSAFE;
    return f;
}

static int move(struct call_ctx *c, virDomainPtr d, const char *vm, const char *dest, const char *uri, int live,
                int ssl)
{
    log_info("migrating %s to %s (%s)", vm, dest, uri);
    int rc = virDomainMigrateToURI3(d, uri, NULL, 0, migrate_flags(LV(c->sim), live, ssl));
    if (rc < 0)
        lv_fault(c, "migration of %s to %s failed", vm, dest);
    return rc;
}

xr_value *lv_migrate(struct call_ctx *c, const char *repo, const char *vm, const char *dest, int live, int ssl)
{
    virConnectPtr conn = lv_conn(c);
    virDomainPtr d = conn ? lv_domain(c, conn, vm, 1) : NULL;
    xr_value *params[2] = {xr_string(repo), xr_string(vm)};
    xr_value *target = d ? sim_peer_call(c, dest, vm, "migration_target", params, 2) : NULL;
    const char *driver = xr_get_str(xr_struct_get(target, "driver"));
    const char *uri = xr_get_str(xr_struct_get(target, "uri"));
    if (target && (!driver || strcmp(driver, c->sim->drv->name) != 0 || !uri))
        call_fault(c, "exceptions.RuntimeError:migration of %s to %s failed: the destination runs the %s driver",
                   vm, dest, driver ? driver : "unknown");
    else if (target && move(c, d, vm, dest, uri, live, ssl) == 0)
        log_info("migrated %s to %s", vm, dest);
    xr_free(target);
    xr_free(params[0]);
    xr_free(params[1]);
    if (d)
        virDomainFree(d);
    if (conn)
        virConnectClose(conn);
    return c->fault ? NULL : xr_nil();
}
