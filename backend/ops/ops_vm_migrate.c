/* migrate Vm: the checks and the job; the live migration itself is the shared flow
 * in backend/flows/flow_migrate.c. */
#include "backend/ops/ops_vm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/ops/generic.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "backend/jobs/events.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* ---- migrate ---- */

static int run_live_migrate(job *j)
{
    return migrate_run(j, j->plan);
}

static job *prepare_live_migrate(cmdctx *c, obj *vm, obj *dst)
{
    obj *src = store_get(c->e->st, obj_gets(vm, "server"));
    if (!src || !server_usable(src)) {
        result_fail(c->res, "Vm %s runs on Server %s, which is %s", vm->name, src ? src->name : "(none)",
                    src ? status_of(src) : "Unknown");
        return NULL;
    }
    char *why = migrate_refusal(c->e, vm, src, dst);
    if (why) {
        result_fail(c->res, "%s", why);
        free(why);
        return NULL;
    }
    static const job_spec spec = {.operation = "Migrate", .type = "Vm", .fn = run_live_migrate,
                                  .plan_free = migrate_plan_free};
    return spec_job(c, &spec, vm->name, migrate_plan_new(c->e, vm, src, dst), vm->id, NULL);
}

static int run_cold_migrate(job *j)
{
    vm_plan *p = j->plan;
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *vm = store_get(e->st, p->vm_id);
    if (vm) {
        int leaves = strcmp(obj_gets(vm, "serverPool"), p->g->vals[0]) != 0;
        if (leaves)
            drop_vm_from_lists(e, "AntiAffinityGroup", "vms", vm->id);
        gplan_apply(e, p->g, vm);
    }
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    return 0;
}

static job *prepare_cold_migrate(cmdctx *c, obj *vm, obj *dst, obj *dpool)
{
    if (dst && !dpool)
        dpool = store_get(c->e->st, obj_gets(dst, "serverPool"));
    if (dst && !dpool) {
        result_fail(c->res, "Server %s is not in a server pool", dst->name);
        return NULL;
    }
    if (strcmp(obj_gets(vm, "serverPool"), dpool ? dpool->id : "") != 0) {
        char *local = vm_local_network(c->e, vm); /* C-5 */
        if (local) {
            result_fail(c->res, "Vm %s uses server-local Network %s; remove that Vnic first", vm->name, local);
            free(local);
            return NULL;
        }
    }
    if (dpool && strcmp(obj_gets(vm, "serverPool"), dpool->id) != 0) {
        obj *repo = store_get(c->e->st, obj_gets(vm, "repository"));
        if (repo && check_repo_in_pool(c, repo, dpool))
            return NULL;
    }
    if (dst && (obj_is(dst, "maintenanceMode", "Yes") || obj_is(dst, "inboundMigrationLocked", "Yes"))) {
        result_fail(c->res, "Server %s cannot receive Vm %s: %s", dst->name, vm->name,
                    obj_is(dst, "maintenanceMode", "Yes") ? "maintenance mode" : "inbound migration locked");
        return NULL;
    }
    vm_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->vm_id, sizeof p->vm_id, "%s", vm->id);
    p->g = gplan_new("Vm", vm->id, NULL);
    gplan_set(p->g, "serverPool", dpool ? dpool->id : "");
    gplan_set(p->g, "server", dst ? dst->id : "");
    static const job_spec spec = {.operation = "Migrate", .type = "Vm", .fn = run_cold_migrate,
                                  .plan_free = vm_plan_free};
    return spec_job(c, &spec, vm->name, p, vm->id, NULL);
}

job *prepare_migrate(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    obj *dst = NULL, *dpool = NULL;
    if (gr_get(c->cmd, "destServer") && !(dst = resolve_ref(c, "Server", gr_get(c->cmd, "destServer"))))
        return NULL;
    if (gr_get(c->cmd, "destServerPool") &&
        !(dpool = resolve_ref(c, "ServerPool", gr_get(c->cmd, "destServerPool"))))
        return NULL;
    if (status_get(vm) == ST_RUNNING && dst && !dpool)
        return prepare_live_migrate(c, vm, dst);
    if (status_get(vm) != ST_STOPPED) {
        refuse_state(c, vm, "migrate");
        return NULL;
    }
    return prepare_cold_migrate(c, vm, dst, dpool);
}

/* Oracle VM 3.3's add Vm to Server|ServerPool and remove Vm from them are
 * migrate Vm with the parent as destServer or destServerPool, and migrate Vm
 * without a destination (a stopped Vm becomes Unassigned): one migration
 * flow. remove checks first that the Vm is where the command says. */
job *prepare_vm_pair_migrate(cmdctx *c, int add)
{
    int to_server = !strcmp(c->cmd->ptype->name, "Server");
    const char *key = to_server ? "destServer" : "destServerPool";
    const gr_cmd *migrate = gr_cmd_by_id(GR_F_migrate_Vm);
    if (!add) {
        obj *vm = vm_instance(c);
        obj *from = vm ? resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance) : NULL;
        if (!from)
            return NULL;
        if (!obj_is(vm, to_server ? "server" : "serverPool", from->id)) {
            result_fail(c->res, "Vm %s is not in %s %s", vm->name, from->type, from->name);
            return NULL;
        }
    }
    gr_kv kv = {.def = gr_cmd_attr(migrate, key), .key = (char *)key, .value = c->cmd->pinstance.value};
    gr_command m = *c->cmd;
    m.def = migrate;
    m.verb = "migrate";
    m.attrs = add ? &kv : NULL;
    m.nattrs = add ? 1 : 0;
    m.ptype = NULL;
    cmdctx mc = *c;
    mc.cmd = &m;
    return prepare_migrate(&mc);
}
