/* Vm commands and disk mappings (doc/object-model.md §5.4, §5.5, §6.3-§6.8, §6.13, §6.15). */
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

typedef struct vm_plan {
    agent_target t;         /* server the job works on */
    char vm_id[64], repo_id[64];
    xr_value *cfg;          /* vm.cfg to write */
    gplan *g;               /* store changes */
    char key[300];          /* sendVmMessage */
    char *message;
    /* clone */
    char src_repo[64];
    char **copy_src, **copy_dst;
    int *copy_sparse;
    size_t ncopies;
    gplan **extra;          /* objects the clone creates besides the Vm */
    size_t nextra;
} vm_plan;

static void vm_plan_free(void *arg)
{
    vm_plan *p = arg;
    if (!p)
        return;
    xr_free(p->cfg);
    gplan_free(p->g);
    free(p->message);
    free_list(p->copy_src, p->ncopies);
    free_list(p->copy_dst, p->ncopies);
    free(p->copy_sparse);
    for (size_t i = 0; i < p->nextra; i++)
        gplan_free(p->extra[i]);
    free(p->extra);
    free(p);
}

/* The server for configuration calls: the VM's host while it has a domain,
 * else a usable server with the repository presented, pool members and
 * utility servers first. */
static obj *vm_worker(engine *e, const obj *vm, const char *repo_id)
{
    obj *host = store_get(e->st, obj_gets(vm, "server"));
    if (host && server_usable(host) && (vm_is_active(vm) || obj_is(vm, "status", "Suspended")))
        return host;
    obj *repo = store_get(e->st, repo_id);
    if (!repo)
        return NULL;
    char **ids;
    size_t n = split_list(obj_get(repo, "presentedServers"), &ids);
    obj *pick = NULL;
    int best = -1;
    for (size_t i = 0; i < n; i++) {
        obj *s = store_get(e->st, ids[i]);
        if (!s || !server_usable(s))
            continue;
        int score = (obj_is(s, "serverPool", obj_gets(vm, "serverPool")) ? 2 : 0) +
                    (strstr(obj_gets(s, "roles"), "UTILITY") ? 1 : 0);
        if (score > best) {
            best = score;
            pick = s;
        }
    }
    free_list(ids, n);
    return pick;
}

static obj *vm_instance(cmdctx *c)
{
    return resolve_instance(c, c->cmd->type, &c->cmd->instance);
}

static int refuse_state(cmdctx *c, const obj *vm, const char *action)
{
    result_fail(c->res, "Cannot %s Vm %s: its status is %s", action, vm->name, status_of(vm));
    return -1;
}

static vm_plan *plan_on(cmdctx *c, const obj *vm, const char *repo_id)
{
    obj *s = vm_worker(c->e, vm, repo_id);
    if (!s) {
        obj *repo = store_get(c->e->st, repo_id);
        result_fail(c->res, "Repository %s is not presented to any owned Running server", repo ? repo->name : repo_id);
        return NULL;
    }
    vm_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->vm_id, sizeof p->vm_id, "%s", vm->id);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo_id);
    return p;
}

static job *vm_job(cmdctx *c, const char *operation, const obj *vm, job_fn fn, vm_plan *p)
{
    job *j = cmd_job(c, operation, "Vm", vm->name, vm->id, NULL);
    j->fn = fn;
    j->plan = p;
    j->plan_free = vm_plan_free;
    return j;
}

/* Sets status (and server when given) of the plan's VM (write lock taken inside). */
static void set_vm_state(job *j, const char *vm_id, const char *status, const char *server)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *vm = store_get(e->st, vm_id);
    if (vm) {
        obj_set(e->st, vm, "status", status);
        if (server && *server)
            obj_set(e->st, vm, "server", server);
        else if (server)
            obj_unset(e->st, vm, "server");
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
}

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
    if (obj_is(v, "status", "Template") && obj_is(v, "highAvailability", "Yes")) {
        result_fail(c->res, "Templates cannot be highly available");
        return -1;
    }
    return 0;
}

/* V-5: the repository is presented to at least one server of the pool. */
static int check_repo_in_pool(cmdctx *c, const obj *repo, const obj *pool)
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

static void vm_defaults(gplan *g, obj *v, const obj *pool)
{
    static const char *const defs[][2] = {
        {"memory", "512"},         {"cpuCount", "1"},          {"cpuPriority", "50"},
        {"cpuUtilizationCap", "100"}, {"highAvailability", "No"}, {"hugePagesEnabled", "No"},
        {"osType", "None"},        {"mouseType", "OS_DEFAULT"}, {"bootOrder", "DISK"},
        {"startPolicy", "USE_POOL_POLICY"},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (!obj_get(v, defs[i][0]))
            obj_detached_set(v, defs[i][0], defs[i][1]);
    if (!obj_get(v, "memoryLimit"))
        obj_detached_set(v, "memoryLimit", obj_gets(v, "memory"));
    if (!obj_get(v, "cpuCountLimit"))
        obj_detached_set(v, "cpuCountLimit", obj_gets(v, "cpuCount"));
    if (!obj_get(v, "keymapName"))
        obj_detached_set(v, "keymapName", pool && obj_get(pool, "keymapName") ? obj_get(pool, "keymapName") : "en-us");
    for (size_t i = 0; i < v->nattrs; i++)
        gplan_set(g, v->attrs[i].key, v->attrs[i].value);
}

static int run_create_vm(job *j)
{
    vm_plan *p = j->plan;
    engine *e = j->eng;
    long tmo = e->cfg.agent_long_timeout;
    if (agent_job_call(j, &p->t, "create_vm", tmo, NULL, 3, xr_string(p->repo_id), xr_string(p->vm_id),
                       xr_copy(p->cfg)) != 0)
        return -1;
    xr_value *ha = xr_struct_get(p->cfg, "OVM_high_availability");
    if (ha && ha->i &&
        agent_job_call(j, &p->t, "configure_vm_ha", tmo, NULL, 3, xr_string(p->repo_id), xr_string(p->vm_id),
                       xr_bool(1)) != 0) {
        char *err = NULL;
        agent_try_call(e, &p->t, "delete_vm", tmo, NULL, &err, 2, xr_string(p->repo_id), xr_string(p->vm_id));
        free(err);
        return -1;
    }
    j->plan = p->g;
    gplan_run_create(j);
    j->plan = p;
    return 0;
}

static job *prepare_create_vm(cmdctx *c)
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
    obj_detached_set(v, "status", "Stopped");
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
    job *j = cmd_job(c, "Create", "Vm", name, NULL, NULL);
    /* Recorded before the agent call so that a crash before the store commit
     * lets start-up recovery find the VM the agent may have created. */
    j->result_obj = xstrdup(id);
    j->fn = run_create_vm;
    j->plan = p;
    j->plan_free = vm_plan_free;
    return j;
}

/* ---- edit Vm: store first, then the agent; undone if the agent refuses ---- */

static int push_config(job *j, vm_plan *p)
{
    engine *e = j->eng;
    store_rdlock(e->st);
    obj *vm = store_get(e->st, p->vm_id);
    xr_value *cfg = vm ? vm_config(e, vm) : NULL;
    store_unlock(e->st);
    if (!cfg)
        return 0;
    return agent_job_call(j, &p->t, "configure_vm", e->cfg.agent_long_timeout, NULL, 3, xr_string(p->repo_id),
                          xr_string(p->vm_id), cfg);
}

static void undo_edit(job *j, gplan *g, const char *old_name)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    obj *o = store_get(e->st, g->id);
    if (o) {
        obj_rename(e->st, o, old_name);
        for (size_t i = 0; i < g->n; i++) {
            if (g->old[i] && *g->old[i])
                obj_set(e->st, o, g->keys[i], g->old[i]);
            else
                obj_unset(e->st, o, g->keys[i]);
        }
    }
    store_unlock(e->st);
}

static int run_edit_vm(job *j)
{
    vm_plan *p = j->plan;
    engine *e = j->eng;
    store_rdlock(e->st);
    obj *vm = store_get(e->st, p->vm_id);
    char *old_name = vm ? xstrdup(vm->name) : NULL;
    store_unlock(e->st);
    j->plan = p->g;
    int rc = gplan_run_edit(j);
    j->plan = p;
    if (rc == 0 && old_name && push_config(j, p) != 0) {
        undo_edit(j, p->g, old_name);
        rc = -1;
    }
    free(old_name);
    return rc;
}

static int edit_allowed(cmdctx *c, const obj *vm)
{
    const char *st = status_of(vm);
    int stopped = !strcmp(st, "Stopped") || !strcmp(st, "Template"), running = !strcmp(st, "Running");
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

static job *prepare_edit_vm(cmdctx *c)
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
    if (obj_is(vm, "status", "Running")) {
        for (size_t i = 0; i < g->n; i++)
            if (strcmp(g->keys[i], "description") && strcmp(g->keys[i], "highAvailability") &&
                strcmp(g->keys[i], "startPolicy") && strcmp(g->keys[i], "cpuCount"))
                gplan_set(g, "restartRequired", "Yes");
    }
    p->g = g;
    return vm_job(c, "Edit", vm, run_edit_vm, p);
}

/* ---- delete Vm ---- */

static void drop_vm_from_lists(engine *e, const char *type, const char *key, const char *vm_id)
{
    obj **all;
    size_t n = store_list(e->st, type, &all);
    for (size_t i = 0; i < n; i++)
        if (obj_list_has(all[i], key, vm_id))
            obj_list_remove(e->st, all[i], key, vm_id);
    free(all);
}

static void delete_children(engine *e, const char *type, const char *vm_id)
{
    obj **v;
    size_t n = store_find_by(e->st, type, "vm", vm_id, &v);
    for (size_t i = 0; i < n; i++)
        store_delete(e->st, v[i]);
    free(v);
}

static int run_delete_vm(job *j)
{
    vm_plan *p = j->plan;
    engine *e = j->eng;
    if (agent_job_call(j, &p->t, "delete_vm", e->cfg.agent_long_timeout, NULL, 2, xr_string(p->repo_id),
                       xr_string(p->vm_id)) != 0)
        return -1;
    store_wrlock(e->st);
    store_begin(e->st);
    obj *vm = store_get(e->st, p->vm_id);
    if (vm) {
        delete_children(e, "VmDiskMapping", vm->id);
        delete_children(e, "Vnic", vm->id);
        drop_vm_from_lists(e, "AntiAffinityGroup", "vms", vm->id);
        drop_vm_from_lists(e, "Tag", "members", vm->id);
        store_delete(e->st, vm);
    }
    store_commit(e->st);
    store_unlock(e->st);
    return 0;
}

static job *prepare_delete_vm(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    if (!obj_is(vm, "status", "Stopped") && !obj_is(vm, "status", "Template")) {
        refuse_state(c, vm, "delete");
        return NULL;
    }
    vm_plan *p = plan_on(c, vm, obj_gets(vm, "repository"));
    return p ? vm_job(c, "Delete", vm, run_delete_vm, p) : NULL;
}

/* ---- start, stop, kill, restart, suspend, resume ---- */

static int run_start(job *j)
{
    start_plan *p = j->plan;
    engine *e = j->eng;
    set_vm_state(j, p->vm.id, "Starting", p->t.id);
    if (flow_start_domain(j, p, (int)e->cfg.agent_long_timeout) != 0) {
        set_vm_state(j, p->vm.id, "Stopped", p->from_id);
        return -1;
    }
    store_wrlock(e->st);
    obj *vm = store_get(e->st, p->vm.id);
    if (vm) {
        store_set_actor(e->st, j->id);
        obj_set(e->st, vm, "status", "Running");
        obj_set(e->st, vm, "server", p->t.id);
        obj_unset(e->st, vm, "restartRequired");
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
    return 0;
}

static job *prepare_start(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    if (!obj_is(vm, "status", "Stopped")) {
        refuse_state(c, vm, "start");
        return NULL;
    }
    if (!obj_get(vm, "serverPool")) {
        result_fail(c->res, "Vm %s is not in a server pool; migrate it to a server pool first", vm->name);
        return NULL;
    }
    char *why = NULL;
    obj *s = placement_choose(c->e, vm, &why);
    if (!s) {
        result_fail(c->res, "%s", why);
        free(why);
        return NULL;
    }
    job *j = cmd_job(c, "Start", "Vm", vm->name, vm->id, NULL);
    j->fn = run_start;
    j->plan = start_plan_new(c->e, vm, s);
    j->plan_free = start_plan_free;
    return j;
}

static int run_stop(job *j)
{
    vm_plan *p = j->plan;
    engine *e = j->eng;
    set_vm_state(j, p->vm_id, "Stopping", NULL);
    if (agent_job_call(j, &p->t, "stop_vm", e->cfg.agent_long_timeout, NULL, 3, xr_string(p->repo_id),
                       xr_string(p->vm_id), xr_bool(0)) != 0) {
        set_vm_state(j, p->vm_id, "Running", NULL);
        return -1;
    }
    if (flow_wait_domain(j, &p->t, p->repo_id, p->vm_id, 0, e->cfg.vm_stop_timeout) != 0) {
        job_fail(j, "Job failed: Vm %s did not stop within %d seconds; use kill Vm", p->g ? p->g->name : p->vm_id,
                 e->cfg.vm_stop_timeout);
        set_vm_state(j, p->vm_id, "Running", NULL);
        return -1;
    }
    set_vm_state(j, p->vm_id, "Stopped", NULL);
    return 0;
}

static vm_plan *plan_on_host(cmdctx *c, obj *vm)
{
    obj *s = store_get(c->e->st, obj_gets(vm, "server"));
    if (!s || !server_usable(s)) {
        result_fail(c->res, "Vm %s runs on Server %s, which is %s", vm->name, s ? s->name : "(none)",
                    s ? status_of(s) : "unknown");
        return NULL;
    }
    vm_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->vm_id, sizeof p->vm_id, "%s", vm->id);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", obj_gets(vm, "repository"));
    p->g = gplan_new("Vm", vm->id, vm->name);
    return p;
}

static job *prepare_running_action(cmdctx *c, const char *action, const char *operation, job_fn fn)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    if (!obj_is(vm, "status", "Running")) {
        refuse_state(c, vm, action);
        return NULL;
    }
    vm_plan *p = plan_on_host(c, vm);
    return p ? vm_job(c, operation, vm, fn, p) : NULL;
}

static job *prepare_stop(cmdctx *c)
{
    return prepare_running_action(c, "stop", "Stop", run_stop);
}

static int run_restart(job *j)
{
    vm_plan *p = j->plan;
    set_vm_state(j, p->vm_id, "Stopping", NULL);
    int rc = agent_job_call(j, &p->t, "reboot_vm", j->eng->cfg.agent_long_timeout, NULL, 3, xr_string(p->repo_id),
                            xr_string(p->vm_id), xr_bool(0));
    set_vm_state(j, p->vm_id, "Running", NULL);
    return rc;
}

static job *prepare_restart(cmdctx *c)
{
    return prepare_running_action(c, "restart", "Restart", run_restart);
}

static int run_suspend(job *j)
{
    vm_plan *p = j->plan;
    set_vm_state(j, p->vm_id, "Stopping", NULL);
    if (agent_job_call(j, &p->t, "save_vm", j->eng->cfg.agent_long_timeout, NULL, 3, xr_string(p->repo_id),
                       xr_string(p->vm_id), xr_bool(0)) != 0) {
        set_vm_state(j, p->vm_id, "Running", NULL);
        return -1;
    }
    set_vm_state(j, p->vm_id, "Suspended", NULL);
    return 0;
}

static job *prepare_suspend(cmdctx *c)
{
    return prepare_running_action(c, "suspend", "Suspend", run_suspend);
}

static int run_resume(job *j)
{
    vm_plan *p = j->plan;
    if (agent_job_call(j, &p->t, "restore_vm", j->eng->cfg.agent_long_timeout, NULL, 3, xr_string(p->repo_id),
                       xr_string(p->vm_id), xr_bool(0)) != 0)
        return -1;
    set_vm_state(j, p->vm_id, "Running", NULL);
    return 0;
}

static job *prepare_resume(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    if (!obj_is(vm, "status", "Suspended")) {
        refuse_state(c, vm, "resume");
        return NULL;
    }
    obj *s = store_get(c->e->st, obj_gets(vm, "server"));
    if (!s || !server_usable(s)) {
        result_fail(c->res, "Vm %s is suspended on Server %s, which is %s; resume needs that server or kill the Vm",
                    vm->name, s ? s->name : "(none)", s ? status_of(s) : "Unknown");
        return NULL;
    }
    vm_plan *p = plan_on_host(c, vm);
    return p ? vm_job(c, "Resume", vm, run_resume, p) : NULL;
}

static int run_kill(job *j)
{
    vm_plan *p = j->plan;
    engine *e = j->eng;
    long tmo = e->cfg.agent_long_timeout;
    char *err = NULL;
    if (p->t.id[0]) {
        /* best effort (L-6): a domain that is already gone is not an error */
        int rc = agent_try_call(e, &p->t, "stop_vm", tmo, NULL, &err, 3, xr_string(p->repo_id), xr_string(p->vm_id),
                                xr_bool(1));
        if (rc != AGC_OK)
            log_info("kill Vm %s: stop_vm: %s", p->vm_id, err ? err : "");
        free(err);
        err = NULL;
        rc = agent_try_call(e, &p->t, "configure_vm_ha", tmo, NULL, &err, 3, xr_string(p->repo_id),
                            xr_string(p->vm_id), xr_bool(0));
        if (rc != AGC_OK)
            log_info("kill Vm %s: configure_vm_ha: %s", p->vm_id, err ? err : "");
        free(err);
    }
    store_wrlock(e->st);
    obj *vm = store_get(e->st, p->vm_id);
    if (vm) {
        store_set_actor(e->st, j->id);
        obj_set(e->st, vm, "status", "Stopped");
        obj_set(e->st, vm, "highAvailability", "No");
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
    return 0;
}

static job *prepare_kill(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    if (obj_is(vm, "status", "Template")) {
        refuse_state(c, vm, "kill");
        return NULL;
    }
    vm_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->vm_id, sizeof p->vm_id, "%s", vm->id);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", obj_gets(vm, "repository"));
    obj *s = vm_worker(c->e, vm, p->repo_id);
    if (s)
        agent_target_of(c->e, s, &p->t);
    return vm_job(c, "Kill", vm, run_kill, p);
}

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
    job *j = cmd_job(c, "Migrate", "Vm", vm->name, vm->id, NULL);
    j->fn = run_live_migrate;
    j->plan = migrate_plan_new(c->e, vm, src, dst);
    j->plan_free = migrate_plan_free;
    return j;
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
    job *j = cmd_job(c, "Migrate", "Vm", vm->name, vm->id, NULL);
    j->fn = run_cold_migrate;
    j->plan = p;
    j->plan_free = vm_plan_free;
    return j;
}

static job *prepare_migrate(cmdctx *c)
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
    if (obj_is(vm, "status", "Running") && dst && !dpool)
        return prepare_live_migrate(c, vm, dst);
    if (!obj_is(vm, "status", "Stopped")) {
        refuse_state(c, vm, "migrate");
        return NULL;
    }
    return prepare_cold_migrate(c, vm, dst, dpool);
}

/* ---- clone ---- */

static int run_clone(job *j)
{
    vm_plan *p = j->plan;
    engine *e = j->eng;
    long tmo = e->cfg.agent_long_timeout;
    for (size_t i = 0; i < p->ncopies; i++)
        if (agent_job_call(j, &p->t, "copy_file", tmo, NULL, 3, xr_string(p->copy_src[i]), xr_string(p->copy_dst[i]),
                           xr_bool(p->copy_sparse[i])) != 0)
            return -1;
    if (agent_job_call(j, &p->t, "create_vm", tmo, NULL, 3, xr_string(p->repo_id), xr_string(p->vm_id),
                       xr_copy(p->cfg)) != 0)
        return -1;
    job_fn create = gplan_run_create;
    for (size_t i = 0; i < p->nextra; i++) {
        j->plan = p->extra[i];
        create(j);
        free(j->result_obj); /* the job's result is the clone itself */
        j->result_obj = NULL;
    }
    j->plan = p->g;
    create(j);
    j->plan = p;
    return 0;
}

static gplan *copy_plan(const obj *src, const char *type, const char *id, const char *name)
{
    gplan *g = gplan_new(type, id, name);
    for (size_t i = 0; i < src->nattrs; i++)
        if (strcmp(src->attrs[i].key, "created") != 0)
            gplan_set(g, src->attrs[i].key, src->attrs[i].value);
    return g;
}

static void add_extra(vm_plan *p, gplan *g)
{
    p->extra = xrealloc(p->extra, (p->nextra + 1) * sizeof *p->extra);
    p->extra[p->nextra++] = g;
}

static void add_copy(vm_plan *p, const char *src, const char *dst, int sparse)
{
    p->copy_src = xrealloc(p->copy_src, (p->ncopies + 1) * sizeof *p->copy_src);
    p->copy_dst = xrealloc(p->copy_dst, (p->ncopies + 1) * sizeof *p->copy_dst);
    p->copy_sparse = xrealloc(p->copy_sparse, (p->ncopies + 1) * sizeof *p->copy_sparse);
    p->copy_src[p->ncopies] = xstrdup(src);
    p->copy_dst[p->ncopies] = xstrdup(dst);
    p->copy_sparse[p->ncopies] = sparse;
    p->ncopies++;
}

/* Disk mappings of the clone (CL-2, CL-5): copies of private disks, the
 * same shareable disks, empty CD-ROM drives. Also fills v's mapping list. */
static void plan_clone_disks(cmdctx *c, vm_plan *p, const obj *vm, const char *trepo, double *need)
{
    obj **maps;
    size_t n = store_find_by(c->e->st, "VmDiskMapping", "vm", vm->id, &maps);
    for (size_t i = 0; i < n; i++) {
        char mid[64];
        ovm_new_id("0013", "", mid, sizeof mid);
        gplan *m = copy_plan(maps[i], "VmDiskMapping", mid, mid);
        gplan_set(m, "vm", p->vm_id);
        obj *d = store_get(c->e->st, obj_gets(maps[i], "virtualDisk"));
        if (d && !obj_is(d, "shareable", "Yes")) {
            char did[64];
            ovm_new_id("0012", ".img", did, sizeof did);
            char *name = xasprintf("%s (clone)", d->name);
            gplan *dg = copy_plan(d, "VirtualDisk", did, name);
            free(name);
            gplan_set(dg, "repository", trepo);
            add_extra(p, dg);
            char *src = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", obj_gets(d, "repository"), d->id);
            char *dst = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", trepo, did);
            add_copy(p, src, dst, obj_is(d, "sparse", "Yes"));
            free(src);
            free(dst);
            if (!obj_is(d, "sparse", "Yes"))
                *need += strtod(obj_gets(d, "size"), NULL);
            gplan_set(m, "virtualDisk", did);
        } else if (obj_get(maps[i], "virtualCdrom")) {
            gplan_set(m, "virtualCdrom", "");
        }
        add_extra(p, m);
    }
    free(maps);
}

static int next_mac(engine *e, char *buf, size_t len, vm_plan *p);

static void plan_clone_vnics(cmdctx *c, vm_plan *p, const obj *vm)
{
    obj **v;
    size_t n = store_find_by(c->e->st, "Vnic", "vm", vm->id, &v);
    vm_devices_sort_vnics(v, n); /* the clone's VNICs are created in this order */
    for (size_t i = 0; i < n; i++) {
        char id[64], mac[32];
        ovm_new_id("0007", "", id, sizeof id);
        if (next_mac(c->e, mac, sizeof mac, p) != 0)
            continue;
        gplan *g = copy_plan(v[i], "Vnic", id, mac);
        gplan_set(g, "vm", p->vm_id);
        gplan_set(g, "macAddress", mac);
        add_extra(p, g);
    }
    free(v);
}

/* Lowest free MAC of the Manager range, skipping the ones this plan takes. */
static int next_mac(engine *e, char *buf, size_t len, vm_plan *p)
{
    obj *m = store_get(e->st, e->manager_id);
    unsigned long long lo = 0x0021f6000000ULL, hi = 0x0021f6ffffffULL;
    unsigned a[6];
    if (m && sscanf(obj_gets(m, "macStart"), "%x:%x:%x:%x:%x:%x", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]) == 6)
        lo = ((unsigned long long)a[0] << 40) | ((unsigned long long)a[1] << 32) | ((unsigned long long)a[2] << 24) |
             ((unsigned long long)a[3] << 16) | ((unsigned long long)a[4] << 8) | a[5];
    if (m && sscanf(obj_gets(m, "macEnd"), "%x:%x:%x:%x:%x:%x", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]) == 6)
        hi = ((unsigned long long)a[0] << 40) | ((unsigned long long)a[1] << 32) | ((unsigned long long)a[2] << 24) |
             ((unsigned long long)a[3] << 16) | ((unsigned long long)a[4] << 8) | a[5];
    for (unsigned long long x = lo; x <= hi; x++) {
        snprintf(buf, len, "%02llx:%02llx:%02llx:%02llx:%02llx:%02llx", (x >> 40) & 255, (x >> 32) & 255,
                 (x >> 24) & 255, (x >> 16) & 255, (x >> 8) & 255, x & 255);
        obj **used;
        size_t n = store_find_by(e->st, "Vnic", "macAddress", buf, &used);
        free(used);
        int taken = n > 0;
        for (size_t i = 0; i < p->nextra && !taken; i++)
            for (size_t k = 0; k < p->extra[i]->n && !taken; k++)
                taken = !strcmp(p->extra[i]->keys[k], "macAddress") && !strcmp(p->extra[i]->vals[k], buf);
        if (!taken)
            return 0;
    }
    return -1;
}

static obj *detached_from_plan(const gplan *g)
{
    obj *o = obj_detached(g->type, g->id, g->name);
    for (size_t i = 0; i < g->n; i++)
        obj_detached_set(o, g->keys[i], g->vals[i]);
    return o;
}

/* vm.cfg of the clone, built from detached copies of what the plan creates:
 * the Vm and its own disk mappings, disks and VNICs (none is in the store
 * yet, so vm_config alone would list no devices). */
static xr_value *clone_config(engine *e, const vm_plan *p)
{
    obj *all[p->nextra + 1];
    obj *maps[p->nextra + 1], *vnics[p->nextra + 1], *pending[p->nextra + 1];
    vm_devices dv = {maps, 0, vnics, 0, pending, 0};
    for (size_t i = 0; i < p->nextra; i++) {
        obj *o = all[i] = detached_from_plan(p->extra[i]);
        if (!strcmp(o->type, "VmDiskMapping"))
            maps[dv.nmaps++] = o;
        else if (!strcmp(o->type, "Vnic"))
            vnics[dv.nvnics++] = o;
        else
            pending[dv.npending++] = o;
    }
    obj *v = detached_from_plan(p->g);
    xr_value *cfg = vm_config_devices(e, v, &dv);
    obj_detached_free(v);
    for (size_t i = 0; i < p->nextra; i++)
        obj_detached_free(all[i]);
    return cfg;
}

static job *prepare_clone(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    if (gr_get(c->cmd, "cloneCustomizer")) {
        result_fail(c->res, "Object type VmCloneCustomizer is not supported by this Manager");
        return NULL;
    }
    if (obj_is(vm, "status", "Running")) {
        result_fail(c->res, "Hot clone of running Vm %s needs thin clones on an OCFS2 repository; stop the Vm first",
                    vm->name);
        return NULL;
    }
    if (!obj_is(vm, "status", "Stopped") && !obj_is(vm, "status", "Template")) {
        refuse_state(c, vm, "clone");
        return NULL;
    }
    int tmpl = !strcmp(gr_get(c->cmd, "destType"), "VmTemplate");
    obj *trepo = store_get(c->e->st, obj_gets(vm, "repository"));
    if (gr_get(c->cmd, "targetRepository") && !(trepo = resolve_ref(c, "Repository", gr_get(c->cmd, "targetRepository"))))
        return NULL;
    obj *pool = NULL;
    if (gr_get(c->cmd, "serverPool")) {
        if (!(pool = resolve_ref(c, "ServerPool", gr_get(c->cmd, "serverPool"))))
            return NULL;
    } else if (!tmpl && !obj_is(vm, "status", "Template")) {
        pool = store_get(c->e->st, obj_gets(vm, "serverPool"));
    }
    if (tmpl)
        pool = NULL;
    if (!trepo || (pool && check_repo_in_pool(c, trepo, pool)))
        return NULL;
    vm_plan *p = plan_on(c, vm, trepo->id);
    if (!p)
        return NULL;
    obj *src_repo = store_get(c->e->st, obj_gets(vm, "repository"));
    if (src_repo && src_repo != trepo && !obj_list_has(src_repo, "presentedServers", p->t.id)) {
        result_fail(c->res, "No server has both Repository %s and Repository %s presented", src_repo->name,
                    trepo->name);
        vm_plan_free(p);
        return NULL;
    }
    const char *name = gr_get(c->cmd, "destName");
    ovm_new_id("0006", "", p->vm_id, sizeof p->vm_id);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", trepo->id);
    double need = 0;
    plan_clone_disks(c, p, vm, trepo->id, &need);
    plan_clone_vnics(c, p, vm);
    p->g = copy_plan(vm, "Vm", p->vm_id, name);
    gplan_set(p->g, "repository", trepo->id);
    gplan_set(p->g, "status", tmpl ? "Template" : "Stopped");
    gplan_set(p->g, "serverPool", pool ? pool->id : "");
    gplan_set(p->g, "server", "");
    gplan_set(p->g, "restartRequired", "");
    if (tmpl)
        gplan_set(p->g, "highAvailability", "No");
    if (need > 0) {
        obj **disks;
        size_t nd = store_find_by(c->e->st, "VirtualDisk", "repository", trepo->id, &disks);
        double free_gib = strtod(obj_gets(trepo, "size"), NULL);
        for (size_t i = 0; i < nd; i++)
            if (!obj_is(disks[i], "sparse", "Yes"))
                free_gib -= strtod(obj_gets(disks[i], "size"), NULL);
        free(disks);
        if (need > free_gib) {
            result_fail(c->res, "Repository %s has %.1f GiB free; this operation needs %.1f GiB", trepo->name,
                        free_gib, need);
            vm_plan_free(p);
            return NULL;
        }
    }
    p->cfg = clone_config(c->e, p);
    job *j = cmd_job(c, "Clone", "Vm", vm->name, vm->id, trepo->id, NULL);
    j->fn = run_clone;
    j->plan = p;
    j->plan_free = vm_plan_free;
    return j;
}

/* ---- sendVmMessage, later commands ---- */

static int run_message(job *j)
{
    vm_plan *p = j->plan;
    xr_value *params = xr_struct();
    xr_struct_set(params, p->key, xr_string(p->message));
    return agent_job_call(j, &p->t, "send_to_guest", j->eng->cfg.agent_call_timeout, NULL, 3, xr_string(p->repo_id),
                          xr_string(p->vm_id), params);
}

static job *prepare_message(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    /* the grammar's check_vm_message holds the MSG-2, MSG-3 limits */
    const char *key = gr_get(c->cmd, "key"), *msg = gr_get(c->cmd, "message");
    if (!obj_is(vm, "status", "Running")) {
        refuse_state(c, vm, "send a message to");
        return NULL;
    }
    vm_plan *p = plan_on_host(c, vm);
    if (!p)
        return NULL;
    snprintf(p->key, sizeof p->key, "%s", key);
    p->message = xstrdup(msg);
    return vm_job(c, "Send Message to", vm, run_message, p);
}

/* ---- VmDiskMapping ---- */

typedef struct map_plan {
    vm_plan *vp;
    gplan *g;            /* mapping to create or edit */
    char delete_id[64];  /* mapping to delete */
    int creating;
} map_plan;

static void map_plan_free(void *arg)
{
    map_plan *p = arg;
    if (p) {
        vm_plan_free(p->vp);
        gplan_free(p->g);
        free(p);
    }
}

static int run_map(job *j)
{
    map_plan *p = j->plan;
    engine *e = j->eng;
    gplan *saved = NULL;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    if (p->creating) {
        obj *m = store_create(e->st, "VmDiskMapping", p->g->id, p->g->name);
        obj_setf(e->st, m, "created", "%lld", (long long)ovm_unique_ms_id());
        gplan_apply(e, p->g, m);
        j->result_obj = xstrdup(m->id);
    } else if (p->delete_id[0]) {
        obj *m = store_get(e->st, p->delete_id);
        if (m) {
            saved = copy_plan(m, "VmDiskMapping", m->id, m->name);
            store_delete(e->st, m);
        }
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    int rc = p->g && !p->creating ? (j->plan = p->g, gplan_run_edit(j)) : 0;
    j->plan = p;
    if (rc == 0 && push_config(j, p->vp) != 0) {
        rc = -1;
        store_wrlock(e->st);
        if (p->creating) {
            obj *m = store_get(e->st, p->g->id);
            if (m)
                store_delete(e->st, m);
        } else if (saved) {
            obj *m = store_create(e->st, "VmDiskMapping", saved->id, saved->name);
            gplan_apply(e, saved, m);
        }
        store_unlock(e->st);
    }
    gplan_free(saved);
    return rc;
}

static int map_state_ok(cmdctx *c, const obj *vm, const char *action)
{
    const char *st = status_of(vm);
    if (!strcmp(st, "Stopped") || !strcmp(st, "Running") || !strcmp(st, "Template"))
        return 0;
    refuse_state(c, vm, action);
    return -1;
}

static int check_disk_ref(cmdctx *c, const obj *vm, const obj *disk)
{
    obj **maps;
    size_t n = store_find_by(c->e->st, "VmDiskMapping", "virtualDisk", disk->id, &maps);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        obj *other = store_get(c->e->st, obj_gets(maps[i], "vm"));
        if (other == vm) {
            result_fail(c->res, "VirtualDisk %s is already mapped by Vm %s", disk->name, vm->name);
            rc = -1;
        } else if (!obj_is(disk, "shareable", "Yes")) {
            result_fail(c->res, "VirtualDisk %s is not shareable and is mapped by Vm %s", disk->name,
                        other ? other->name : "?");
            rc = -1;
        } else if (other && strcmp(obj_gets(other, "serverPool"), obj_gets(vm, "serverPool")) != 0) {
            obj *p1 = store_get(c->e->st, obj_gets(other, "serverPool"));
            obj *p2 = store_get(c->e->st, obj_gets(vm, "serverPool"));
            result_fail(c->res, "Shareable VirtualDisk %s is used in ServerPool %s; Vm %s is in %s", disk->name,
                        p1 ? p1->name : "(none)", vm->name, p2 ? p2->name : "(none)");
            rc = -1;
        }
    }
    free(maps);
    obj *repo = store_get(c->e->st, obj_gets(disk, "repository"));
    obj *pool = store_get(c->e->st, obj_gets(vm, "serverPool"));
    if (!rc && repo && pool && check_repo_in_pool(c, repo, pool))
        rc = -1;
    return rc;
}

static int check_emulation(cmdctx *c, const obj *vm, const char *emu)
{
    obj **maps;
    size_t n = store_find_by(c->e->st, "VmDiskMapping", "vm", vm->id, &maps);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *theirs = obj_get(maps[i], "emulatedBlockDevice") ? obj_get(maps[i], "emulatedBlockDevice") : "No";
        if (strcmp(theirs, emu) != 0) {
            result_fail(c->res, "Vm %s cannot mix emulated and paravirtual disks", vm->name);
            rc = -1;
        }
    }
    free(maps);
    const char *dt = obj_gets(vm, "domainType");
    if (!rc && ((!strcmp(dt, "XEN_HVM") && strcmp(emu, "Yes")) ||
                ((!strcmp(dt, "XEN_PVM") || !strcmp(dt, "LDOMS_PVM")) && strcmp(emu, "No")))) {
        result_fail(c->res, "Vm %s cannot mix emulated and paravirtual disks", vm->name);
        rc = -1;
    }
    return rc;
}

static int check_slot(cmdctx *c, const obj *vm, long slot)
{
    const char *dt = obj_gets(vm, "domainType");
    long max = !strcmp(dt, "XEN_HVM") ? 3 : 103;
    if (slot > max) {
        result_fail(c->res, "Slot %ld is out of range for domainType %s (0..%ld)", slot, dt, max);
        return -1;
    }
    obj **maps;
    size_t n = store_find_by(c->e->st, "VmDiskMapping", "vm", vm->id, &maps);
    int used = 0;
    for (size_t i = 0; i < n; i++)
        used |= obj_get_int(maps[i], "slot", -1) == slot;
    free(maps);
    if (used) {
        result_fail(c->res, "Slot %ld of Vm %s is already used", slot, vm->name);
        return -1;
    }
    return 0;
}

static job *map_job(cmdctx *c, const char *operation, const obj *vm, const char *target, map_plan *mp)
{
    job *j = cmd_job(c, operation, "Vm", vm->name, vm->id, target, NULL);
    j->fn = run_map;
    j->plan = mp;
    j->plan_free = map_plan_free;
    return j;
}

static job *prepare_create_map(cmdctx *c)
{
    if (!c->cmd->ptype) {
        result_fail(c->res, "Missing parent: expected 'on Vm <instance>'");
        return NULL;
    }
    obj *vm = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!vm || map_state_ok(c, vm, "add a disk to"))
        return NULL;
    long slot = atol(gr_get(c->cmd, "slot"));
    if (check_slot(c, vm, slot))
        return NULL;
    const char *emu = gr_get(c->cmd, "emulatedBlockDevice");
    if (!emu)
        emu = obj_is(vm, "domainType", "XEN_HVM") ? "Yes" : "No";
    if (check_emulation(c, vm, emu))
        return NULL;
    char id[64];
    ovm_new_id("0013", "", id, sizeof id);
    const char *name = gr_get(c->cmd, "name");
    gplan *g = gplan_new("VmDiskMapping", id, name ? name : id);
    gplan_set(g, "vm", vm->id);
    gplan_set(g, "slot", gr_get(c->cmd, "slot"));
    gplan_set(g, "emulatedBlockDevice", emu);
    if (gr_get(c->cmd, "description"))
        gplan_set(g, "description", gr_get(c->cmd, "description"));
    const char *vd = gr_get(c->cmd, "virtualDisk"), *pd = gr_get(c->cmd, "physicalDisk"),
               *cd = gr_get(c->cmd, "virtualCdrom");
    obj *target = NULL;
    if (vd) {
        if (!(target = resolve_ref(c, "VirtualDisk", vd)) || check_disk_ref(c, vm, target))
            goto fail;
        gplan_set(g, "virtualDisk", target->id);
    } else if (pd) {
        if (!(target = resolve_ref(c, "PhysicalDisk", pd)))
            goto fail;
        gplan_set(g, "physicalDisk", target->id);
    } else if (cd && strcmp(cd, "EMPTY_CDROM") != 0) {
        if (!(target = resolve_ref(c, "VirtualCdrom", cd)))
            goto fail;
        gplan_set(g, "virtualCdrom", target->id);
    }
    map_plan *mp = xcalloc(1, sizeof *mp);
    mp->vp = plan_on(c, vm, obj_gets(vm, "repository"));
    if (!mp->vp) {
        free(mp);
        goto fail;
    }
    mp->g = g;
    mp->creating = 1;
    return map_job(c, "Create Disk Mapping on", vm, target ? target->id : NULL, mp);
fail:
    gplan_free(g);
    return NULL;
}

static job *prepare_delete_map(cmdctx *c)
{
    obj *m = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *vm = m ? store_get(c->e->st, obj_gets(m, "vm")) : NULL;
    if (!m)
        return NULL;
    if (vm && map_state_ok(c, vm, "remove a disk from"))
        return NULL;
    map_plan *mp = xcalloc(1, sizeof *mp);
    snprintf(mp->delete_id, sizeof mp->delete_id, "%s", m->id);
    if (vm && !(mp->vp = plan_on(c, vm, obj_gets(vm, "repository")))) {
        free(mp);
        return NULL;
    }
    if (!vm) {
        free(mp);
        return gplan_delete_job(c, m);
    }
    return map_job(c, "Delete Disk Mapping on", vm, m->id, mp);
}

static job *prepare_edit_map(cmdctx *c)
{
    obj *m = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *vm = m ? store_get(c->e->st, obj_gets(m, "vm")) : NULL;
    if (!m || !vm)
        return m ? (result_fail(c->res, "VmDiskMapping %s has no Vm", m->name), NULL) : NULL;
    if (map_state_ok(c, vm, "edit"))
        return NULL;
    gplan *g = gplan_edit_plan(c, m, 0);
    if (!g)
        return NULL;
    for (size_t i = 0; i < g->n; i++) {
        const char *type = !strcmp(g->keys[i], "virtualDisk")    ? "VirtualDisk"
                           : !strcmp(g->keys[i], "physicalDisk") ? "PhysicalDisk"
                           : !strcmp(g->keys[i], "virtualCdrom") ? "VirtualCdrom"
                                                                 : NULL;
        if (!type || !strcmp(g->vals[i], "EMPTY_CDROM")) {
            if (type) {
                free(g->vals[i]);
                g->vals[i] = xstrdup("");
            }
            continue;
        }
        obj *target = resolve_ref(c, type, g->vals[i]);
        if (!target || (!strcmp(type, "VirtualDisk") && check_disk_ref(c, vm, target))) {
            gplan_free(g);
            return NULL;
        }
        free(g->vals[i]);
        g->vals[i] = xstrdup(target->id);
    }
    map_plan *mp = xcalloc(1, sizeof *mp);
    if (!(mp->vp = plan_on(c, vm, obj_gets(vm, "repository")))) {
        free(mp);
        gplan_free(g);
        return NULL;
    }
    mp->g = g;
    return map_job(c, "Edit Disk Mapping on", vm, m->id, mp);
}

const op ops_vm[] = {
    {GR_F_create_Vm, NULL, prepare_create_vm, 0},
    {GR_F_edit_Vm, NULL, prepare_edit_vm, 0},
    {GR_F_delete_Vm, NULL, prepare_delete_vm, 0},
    {GR_F_start_Vm, NULL, prepare_start, 0},
    {GR_F_stop_Vm, NULL, prepare_stop, 0},
    {GR_F_kill_Vm, NULL, prepare_kill, 0},
    {GR_F_restart_Vm, NULL, prepare_restart, 0},
    {GR_F_suspend_Vm, NULL, prepare_suspend, 0},
    {GR_F_resume_Vm, NULL, prepare_resume, 0},
    {GR_F_migrate_Vm, NULL, prepare_migrate, 0},
    {GR_F_clone_Vm, NULL, prepare_clone, 0},
    {GR_F_sendVmMessage_Vm, NULL, prepare_message, 0},
    {GR_F_create_VmDiskMapping, NULL, prepare_create_map, 0},
    {GR_F_edit_VmDiskMapping, NULL, prepare_edit_map, 0},
    {GR_F_delete_VmDiskMapping, NULL, prepare_delete_map, 0},
    OPS_END,
};
