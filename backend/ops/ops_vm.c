/* Vm commands and disk mappings (doc/object-model.md §5.4, §5.5, §6.3-§6.8, §6.13, §6.15):
 * the table of operations and the helpers of the Vm area. One file per concern:
 * ops_vm_create.c (create, edit, delete), ops_vm_lifecycle.c (start ... resume,
 * sendVmMessage), ops_vm_migrate.c, ops_vm_clone.c, ops_vm_mapping.c (VmDiskMapping). */
#include "backend/ops/ops_vm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/ops/generic.h"
#include "backend/flows/model.h"
#include "backend/flows/server_load.h"
#include "backend/ops/ops.h"
#include "backend/jobs/events.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

void vm_plan_free(void *arg)
{
    vm_plan *p = arg;
    if (!p)
        return;
    server_load_add(p->load, p->t.id, -1);
    xr_free(p->cfg);
    gplan_free(p->g);
    free(p->message);
    free_list(p->copy_src, p->ncopies);
    free_list(p->copy_dst, p->ncopies);
    free_list(p->copy_repo, p->ncopies);
    free_list(p->remap_map, p->nremap);
    free_list(p->remap_old, p->nremap);
    free_list(p->remap_new, p->nremap);
    free_list(p->drop, p->ndrop);
    free(p->copy_sparse);
    for (size_t i = 0; i < p->nextra; i++)
        gplan_free(p->extra[i]);
    free(p->extra);
    free(p);
}

/* The server for configuration calls: the VM's host while it has a domain,
 * else a usable server with the repository presented, pool members and
 * utility servers first; among those, the one with the fewest jobs planned
 * on it (server_load.h), the first in the repository's list on a tie. */
obj *vm_worker(engine *e, const obj *vm, const char *repo_id)
{
    obj *host = store_get(e->st, obj_gets(vm, "server"));
    if (host && server_usable(host) && (vm_is_active(vm) || status_get(vm) == ST_SUSPENDED))
        return host;
    obj *repo = store_get(e->st, repo_id);
    if (!repo)
        return NULL;
    char **ids;
    size_t n = split_list(obj_get(repo, "presentedServers"), &ids);
    obj *pick = NULL;
    int best = -1, best_load = 0;
    for (size_t i = 0; i < n; i++) {
        obj *s = store_get(e->st, ids[i]);
        if (!s || !server_usable(s))
            continue;
        int score = (obj_is(s, "serverPool", obj_gets(vm, "serverPool")) ? 2 : 0) +
                    (strstr(obj_gets(s, "roles"), "UTILITY") ? 1 : 0);
        if (score < best)
            continue;
        int load = server_load_get(e->load, s->id);
        if (score > best || load < best_load) {
            best = score;
            best_load = load;
            pick = s;
        }
    }
    free_list(ids, n);
    return pick;
}

obj *vm_instance(cmdctx *c)
{
    return resolve_instance(c, c->cmd->type, &c->cmd->instance);
}

int refuse_state(cmdctx *c, const obj *vm, const char *action)
{
    result_fail(c->res, "Cannot %s Vm %s: its status is %s", action, vm->name, status_of(vm));
    return -1;
}

vm_plan *plan_on(cmdctx *c, const obj *vm, const char *repo_id)
{
    obj *s = vm_worker(c->e, vm, repo_id);
    if (!s) {
        obj *repo = store_get(c->e->st, repo_id);
        result_fail(c->res, "Repository %s is not presented to any owned Running server", repo ? repo->name : repo_id);
        return NULL;
    }
    vm_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    p->load = c->e->load;
    server_load_add(p->load, p->t.id, 1);
    snprintf(p->vm_id, sizeof p->vm_id, "%s", vm->id);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo_id);
    return p;
}

job *vm_job(cmdctx *c, const job_spec *spec, const obj *vm, vm_plan *p)
{
    return spec_job(c, spec, vm->name, p, vm->id, NULL);
}

/* Sets status (and server when given) of the plan's VM (write lock taken inside). */
void set_vm_state(job *j, const char *vm_id, obj_status status, const char *server)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *vm = store_get(e->st, vm_id);
    if (vm) {
        status_set(e->st, vm, status);
        if (server && *server)
            obj_set(e->st, vm, "server", server);
        else if (server)
            obj_unset(e->st, vm, "server");
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
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
    {GR_F_moveVmToRepository_Vm, NULL, prepare_move, 0},
    {GR_F_getVmCfgFileContent_Vm, vm_cfg_file_content, NULL, 1},
    {GR_F_create_VmDiskMapping, NULL, prepare_create_map, 0},
    {GR_F_edit_VmDiskMapping, NULL, prepare_edit_map, 0},
    {GR_F_delete_VmDiskMapping, NULL, prepare_delete_map, 0},
    OPS_END,
};
