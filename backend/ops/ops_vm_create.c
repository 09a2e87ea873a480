/* create, edit and delete Vm. */
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

/* ---- create Vm ---- */

static int check_vm_rules(cmdctx *c, const obj *v, const obj *pool)
{
    const char *dt = obj_gets(v, "domainType");
    long long mem = obj_get_int(v, "memory", 512), lim = obj_get_int(v, "memoryLimit", mem);
    long long cpu = obj_get_int(v, "cpuCount", 1), clim = obj_get_int(v, "cpuCountLimit", cpu);
    if (!strcmp(dt, "UNKNOWN")) {
        result_fail(c->res, "domainType UNKNOWN cannot be set; use XEN_HVM, XEN_HVM_PV_DRIVERS, XEN_PVM or LDOMS_PVM");
        return -1;
    }
    if (!strcmp(dt, "LDOMS_PVM")) {
        if (pool)
            result_fail(c->res, "domainType LDOMS_PVM does not match the XEN servers of ServerPool %s", pool->name);
        else
            result_fail(c->res, "domainType LDOMS_PVM does not match the XEN servers of this Manager");
        return -1;
    }
    const char *os = obj_gets(v, "osType");
    if (!strcmp(dt, "XEN_PVM") &&
        (!ovm_strncasecmp(os, "Oracle Linux 7", 14) || !ovm_strncasecmp(os, "Red Hat Enterprise Linux 7", 26))) {
        result_fail(c->res, "Oracle Linux 7 and Red Hat Enterprise Linux 7 cannot run as XEN_PVM; use XEN_HVM_PV_DRIVERS");
        return -1;
    }
    if (mem > lim) {
        result_fail(c->res, "memory (%lld MB) must not exceed memoryLimit (%lld MB)", mem, lim);
        return -1;
    }
    if (cpu > clim) {
        result_fail(c->res, "cpuCount (%lld) must not exceed cpuCountLimit (%lld)", cpu, clim);
        return -1;
    }
    if (!strcmp(dt, "XEN_PVM") && strstr(obj_gets(v, "bootOrder"), "CDROM")) {
        result_fail(c->res, "XEN_PVM guests cannot boot from CDROM; set networkInstallPath and boot from DISK or PXE");
        return -1;
    }
    if (status_get(v) == ST_TEMPLATE && obj_is(v, "highAvailability", "Yes")) {
        result_fail(c->res, "Templates cannot be highly available");
        return -1;
    }
    return 0;
}

/* V-5: the repository is presented to at least one server of the pool. */
int check_repo_in_pool(cmdctx *c, const obj *repo, const obj *pool)
{
    obj **servers;
    size_t n = store_find_by(c->e->st, "Server", "serverPool", pool->id, &servers);
    int ok = 0;
    for (size_t i = 0; i < n && !ok; i++)
        ok = obj_list_has(repo, "presentedServers", servers[i]->id);
    free(servers);
    if (!ok)
        result_fail(c->res, "Repository %s is not presented to any server of ServerPool %s", repo->name, pool->name);
    return ok ? 0 : -1;
}

/* The defaults of create Vm's attributes, from the grammar: values ("512"),
 * then rules naming another attribute ("= memory"). The keymap is the
 * pool's unless given. */
void vm_defaults(gplan *g, obj *v, const obj *pool)
{
    if (!obj_get(v, "keymapName") && pool && obj_get(pool, "keymapName"))
        obj_detached_set(v, "keymapName", obj_get(pool, "keymapName"));
    const gr_cmd *form = gr_cmd_by_id(GR_F_create_Vm);
    for (int pass = 0; pass < 2; pass++)
        for (const gr_attr *const *a = form->attrs; *a; a++) {
            const char *d = (*a)->deflt;
            if (!d || obj_get(v, (*a)->name) || (d[0] == '=') != pass)
                continue;
            obj_detached_set(v, (*a)->name, pass ? obj_gets(v, d + strspn(d, "= ")) : d);
        }
    for (size_t i = 0; i < v->nattrs; i++)
        gplan_set(g, v->attrs[i].key, v->attrs[i].value);
}

static int run_create_vm(job *j)
{
    vm_plan *p = j->plan;
    engine *e = j->eng;
    if (agent_create_vm(AGENT_JOB(j, &p->t), p->repo_id, p->vm_id, p->cfg, NULL) != 0)
        return -1;
    xr_value *ha = xr_struct_get(p->cfg, "OVM_high_availability");
    if (ha && ha->i && agent_configure_vm_ha(AGENT_JOB(j, &p->t), p->repo_id, p->vm_id, 1, NULL) != 0) {
        agent_delete_vm(AGENT_TRY(e, &p->t, NULL), p->repo_id, p->vm_id, NULL);
        return -1;
    }
    return gplan_store_create(j, p->g);
}

job *prepare_create_vm(cmdctx *c)
{
    const char *name = gr_get(c->cmd, "name");
    obj *pool = NULL;
    if (c->cmd->ptype && !(pool = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance)))
        return NULL;
    obj *repo = resolve_ref(c, "Repository", gr_get(c->cmd, "repository"));
    if (!repo)
        return NULL;
    obj *server = NULL;
    if (gr_get(c->cmd, "server")) {
        if (!(server = resolve_ref(c, "Server", gr_get(c->cmd, "server"))))
            return NULL;
        if (!pool || !obj_is(server, "serverPool", pool->id) ||
            (obj_get(server, "roles") && !strstr(obj_gets(server, "roles"), "VM"))) {
            result_fail(c->res, "Server %s is not a VM server of ServerPool %s", server->name, pool ? pool->name : "");
            return NULL;
        }
        if (obj_is(server, "maintenanceMode", "Yes") || obj_is(server, "inboundMigrationLocked", "Yes")) {
            result_fail(c->res, "Server %s cannot receive Vm %s: %s", server->name, name,
                        obj_is(server, "maintenanceMode", "Yes") ? "maintenance mode" : "inbound migration locked");
            return NULL;
        }
    }
    if (pool && check_repo_in_pool(c, repo, pool))
        return NULL;
    char id[64];
    ovm_new_id("0006", "", id, sizeof id);
    obj *v = obj_detached("Vm", id, name);
    for (size_t i = 0; i < c->cmd->nattrs; i++)
        if (strcmp(c->cmd->attrs[i].key, "name") != 0)
            obj_detached_set(v, c->cmd->attrs[i].key, c->cmd->attrs[i].value);
    obj_detached_set(v, "repository", repo->id);
    obj_detached_set(v, "status", status_name(ST_STOPPED));
    if (pool)
        obj_detached_set(v, "serverPool", pool->id);
    if (server)
        obj_detached_set(v, "server", server->id);
    gplan *g = gplan_new("Vm", id, name);
    vm_defaults(g, v, pool);
    vm_plan *p = NULL;
    if (check_vm_rules(c, v, pool) == 0)
        p = plan_on(c, v, repo->id);
    if (!p) {
        gplan_free(g);
        obj_detached_free(v);
        return NULL;
    }
    p->cfg = vm_config(c->e, v);
    p->g = g;
    obj_detached_free(v);
    /* The new VM is the only object whose state changes: the repository is
     * read, not written, so concurrent creates in one repository run in
     * parallel (doc/object-model.md §7.5 write sets). */
    static const job_spec spec = {.operation = "Create", .type = "Vm", .fn = run_create_vm, .plan_free = vm_plan_free,
                                  .goal = JOB_GOAL_CREATED_VM};
    job *j = spec_job(c, &spec, name, p, NULL, NULL);
    /* Recorded before the agent call so that a crash before the store commit
     * lets start-up recovery find the VM the agent may have created. */
    j->result_obj = xstrdup(id);
    return j;
}

/* ---- edit Vm: store first, then the agent; undone if the agent refuses ---- */

int push_config(job *j, vm_plan *p)
{
    engine *e = j->eng;
    store_rdlock(e->st);
    obj *vm = store_get(e->st, p->vm_id);
    xr_value *cfg = vm ? vm_config(e, vm) : NULL;
    store_unlock(e->st);
    if (!cfg)
        return 0;
    int rc = agent_configure_vm(AGENT_JOB(j, &p->t), p->repo_id, p->vm_id, cfg, NULL);
    xr_free(cfg);
    return rc;
}

/* The store first (vm.cfg is made from it), then the agent; if the agent
 * refuses, the job's store changes are rolled back (rollback_store). */
static int run_edit_vm(job *j)
{
    vm_plan *p = j->plan;
    if (gplan_store_edit(j, p->g) != 0)
        return -1;
    return push_config(j, p);
}

static int edit_allowed(cmdctx *c, const obj *vm)
{
    obj_status st = status_get(vm);
    int stopped = st == ST_STOPPED || st == ST_TEMPLATE, running = st == ST_RUNNING;
    for (size_t i = 0; i < c->cmd->nattrs; i++) {
        const char *k = c->cmd->attrs[i].key;
        if (!strcmp(k, "name") || !strcmp(k, "description") || !strcmp(k, "highAvailability") ||
            !strcmp(k, "startPolicy"))
            continue;
        if (!strcmp(k, "domainType") ? !stopped : !(stopped || running))
            return refuse_state(c, vm, "edit");
    }
    return 0;
}

job *prepare_edit_vm(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    for (size_t i = 0; i < c->cmd->nattrs; i++) {
        const char *k = c->cmd->attrs[i].key;
        if (!strcmp(k, "repository") || !strcmp(k, "server")) {
            result_fail(c->res, "%s of Vm can only be set when the object is created", k);
            return NULL;
        }
    }
    if (edit_allowed(c, vm))
        return NULL;
    gplan *g = gplan_edit_plan(c, vm, 0);
    if (!g)
        return NULL;
    /* the rules apply to the VM as it will be */
    obj *v = obj_detached("Vm", vm->id, g->name ? g->name : vm->name);
    for (size_t i = 0; i < vm->nattrs; i++)
        obj_detached_set(v, vm->attrs[i].key, vm->attrs[i].value);
    for (size_t i = 0; i < g->n; i++)
        obj_detached_set(v, g->keys[i], g->vals[i]);
    if (gr_get(c->cmd, "memory") && !gr_get(c->cmd, "memoryLimit") &&
        obj_get_int(v, "memory", 0) > obj_get_int(vm, "memoryLimit", 0)) {
        gplan_set(g, "memoryLimit", obj_gets(v, "memory"));
        g->old[g->n - 1] = xstrdup(obj_gets(vm, "memoryLimit"));
        obj_detached_set(v, "memoryLimit", obj_gets(v, "memory"));
    }
    if (gr_get(c->cmd, "cpuCount") && !gr_get(c->cmd, "cpuCountLimit") &&
        obj_get_int(v, "cpuCount", 0) > obj_get_int(vm, "cpuCountLimit", 0)) {
        gplan_set(g, "cpuCountLimit", obj_gets(v, "cpuCount"));
        g->old[g->n - 1] = xstrdup(obj_gets(vm, "cpuCountLimit"));
        obj_detached_set(v, "cpuCountLimit", obj_gets(v, "cpuCount"));
    }
    obj *pool = store_get(c->e->st, obj_gets(vm, "serverPool"));
    int bad = check_vm_rules(c, v, pool);
    obj_detached_free(v);
    vm_plan *p = bad ? NULL : plan_on(c, vm, obj_gets(vm, "repository"));
    if (!p) {
        gplan_free(g);
        return NULL;
    }
    if (status_get(vm) == ST_RUNNING) {
        for (size_t i = 0; i < g->n; i++)
            if (strcmp(g->keys[i], "description") && strcmp(g->keys[i], "highAvailability") &&
                strcmp(g->keys[i], "startPolicy") && strcmp(g->keys[i], "cpuCount"))
                gplan_set(g, "restartRequired", "Yes");
    }
    p->g = g;
    static const job_spec spec = {.operation = "Edit", .type = "Vm", .fn = run_edit_vm, .plan_free = vm_plan_free,
                                  .rollback_store = 1};
    return vm_job(c, &spec, vm, p);
}

/* ---- delete Vm ---- */

void drop_vm_from_lists(engine *e, const char *type, const char *key, const char *vm_id)
{
    obj **all;
    size_t n = store_list(e->st, type, &all);
    for (size_t i = 0; i < n; i++)
        if (obj_list_has(all[i], key, vm_id))
            obj_list_remove(e->st, all[i], key, vm_id);
    free(all);
}

static int run_delete_vm(job *j)
{
    vm_plan *p = j->plan;
    engine *e = j->eng;
    if (agent_delete_vm(AGENT_JOB(j, &p->t), p->repo_id, p->vm_id, NULL) != 0)
        return -1;
    store_wrlock(e->st);
    store_begin(e->st);
    obj *vm = store_get(e->st, p->vm_id);
    if (vm) {
        relations_on_delete(e, vm);
        store_delete(e->st, vm);
    }
    store_commit(e->st);
    store_unlock(e->st);
    return 0;
}

job *prepare_delete_vm(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    if (status_get(vm) != ST_STOPPED && status_get(vm) != ST_TEMPLATE) {
        refuse_state(c, vm, "delete");
        return NULL;
    }
    vm_plan *p = plan_on(c, vm, obj_gets(vm, "repository"));
    static const job_spec spec = {.operation = "Delete", .type = "Vm", .fn = run_delete_vm, .plan_free = vm_plan_free};
    return p ? vm_job(c, &spec, vm, p) : NULL;
}
