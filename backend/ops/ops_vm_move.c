/* moveVmToRepository Vm (doc/object-model.md §6.7) and getVmCfgFileContent Vm.
 * A move is a clone that keeps the Vm (D28): the disks are copied with the
 * clone's code (ops_vm_clone.c), vm.cfg is written in the target, the store
 * switches the Vm and its mappings over, and only then the originals go. A
 * failure before the switch removes the copies (the job's undo list) and
 * leaves the Vm where it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "backend/ops/ops_storage.h"
#include "backend/ops/ops_vm.h"
#include "lib/log.h"
#include "lib/util.h"

typedef struct vmcfg_undo {
    agent_target t;
    char repo_id[64], vm_id[64];
} vmcfg_undo;

static int remove_vmcfg(job *j, void *arg)
{
    vmcfg_undo *u = arg;
    return agent_delete_vm(AGENT_JOB(j, &u->t), u->repo_id, u->vm_id, NULL);
}

/* The switch: the Vm's repository, its mappings on the copies, the copies
 * in the store, the moved originals out of it (write lock taken inside). */
static void switch_store(job *j, vm_plan *p)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    for (size_t i = 0; i < p->nextra; i++) {
        obj *o = store_create(e->st, p->extra[i]->type, p->extra[i]->id, p->extra[i]->name);
        for (size_t k = 0; k < p->extra[i]->n; k++)
            if (p->extra[i]->vals[k][0])
                obj_set(e->st, o, p->extra[i]->keys[k], p->extra[i]->vals[k]);
    }
    for (size_t i = 0; i < p->nremap; i++) {
        obj *m = store_get(e->st, p->remap_map[i]);
        if (m)
            obj_set(e->st, m, "virtualDisk", p->remap_new[i]);
    }
    for (size_t i = 0; i < p->ndrop; i++) {
        obj *d = store_get(e->st, p->drop[i]);
        if (d)
            store_delete(e->st, d);
    }
    obj *vm = store_get(e->st, p->vm_id);
    if (vm)
        obj_set(e->st, vm, "repository", p->repo_id);
    obj *r = store_get(e->st, p->repo_id);
    if (r)
        update_repo_free(e, r);
    r = store_get(e->st, p->src_repo);
    if (r)
        update_repo_free(e, r);
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
}

/* After the switch the Vm lives in the target: an original that cannot be
 * removed is left behind with a warning, never a failed job. */
static void remove_originals(job *j, vm_plan *p)
{
    char *err = NULL;
    if (agent_delete_vm(AGENT_TRY(j->eng, &p->t, &err), p->src_repo, p->vm_id, NULL) != 0)
        log_msg(LOG_WARN_, "move Vm %s: old vm.cfg in repository %s stays: %s", p->vm_id, p->src_repo,
                err ? err : "");
    free(err);
    for (size_t i = 0; i < p->nremap; i++) {
        int drop = 0;
        for (size_t k = 0; k < p->ndrop; k++)
            drop |= !strcmp(p->drop[k], p->remap_old[i]);
        if (!drop)
            continue; /* MV-5: shared disks are copied, their originals stay */
        char *path = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", p->src_repo, p->remap_old[i]);
        if (storage_destroy_file(j, &p->t, p->src_repo, path) != 0)
            log_msg(LOG_WARN_, "move Vm %s: old disk %s stays", p->vm_id, path);
        free(path);
    }
}

static int run_move(job *j)
{
    vm_plan *p = j->plan;
    if (run_disk_copies(j, p) != 0)
        return -1;
    if (agent_create_vm(AGENT_JOB(j, &p->t), p->repo_id, p->vm_id, p->cfg, NULL) != 0)
        return -1;
    vmcfg_undo *u = xcalloc(1, sizeof *u);
    u->t = p->t;
    snprintf(u->repo_id, sizeof u->repo_id, "%s", p->repo_id);
    snprintf(u->vm_id, sizeof u->vm_id, "%s", p->vm_id);
    job_undo_push(j, "the new vm.cfg", remove_vmcfg, u, free);
    switch_store(j, p);
    remove_originals(j, p);
    return 0;
}

/* vm.cfg in the target: the Vm with its mappings on the copies. */
static xr_value *move_config(engine *e, const obj *vm, const vm_plan *p)
{
    obj **maps, **vnics;
    size_t nm = store_find_by(e->st, "VmDiskMapping", "vm", vm->id, &maps);
    size_t nv = store_find_by(e->st, "Vnic", "vm", vm->id, &vnics);
    vm_devices_sort_vnics(vnics, nv);
    obj *dmaps[nm + 1], *pending[p->nextra + 1];
    for (size_t i = 0; i < nm; i++) {
        dmaps[i] = obj_detached(maps[i]->type, maps[i]->id, maps[i]->name);
        for (size_t k = 0; k < maps[i]->nattrs; k++)
            obj_detached_set(dmaps[i], maps[i]->attrs[k].key, maps[i]->attrs[k].value);
        for (size_t k = 0; k < p->nremap; k++)
            if (!strcmp(p->remap_map[k], maps[i]->id))
                obj_detached_set(dmaps[i], "virtualDisk", p->remap_new[k]);
    }
    for (size_t i = 0; i < p->nextra; i++)
        pending[i] = detached_from_plan(p->extra[i]);
    vm_devices dv = {dmaps, nm, vnics, nv, pending, p->nextra};
    obj *v = obj_detached(vm->type, vm->id, vm->name);
    for (size_t k = 0; k < vm->nattrs; k++)
        obj_detached_set(v, vm->attrs[k].key, vm->attrs[k].value);
    obj_detached_set(v, "repository", p->repo_id);
    xr_value *cfg = vm_config_devices(e, v, &dv);
    obj_detached_free(v);
    for (size_t i = 0; i < nm; i++)
        obj_detached_free(dmaps[i]);
    for (size_t i = 0; i < p->nextra; i++)
        obj_detached_free(pending[i]);
    free(maps);
    free(vnics);
    return cfg;
}

/* MV-1, MV-2 (the target differs), the customizer is the Vm's. */
static int move_allowed(cmdctx *c, const obj *vm, const obj *trepo)
{
    if (status_get(vm) != ST_STOPPED && status_get(vm) != ST_TEMPLATE) {
        refuse_state(c, vm, "move");
        return 0;
    }
    if (obj_is(vm, "repository", trepo->id)) {
        result_fail(c->res, "Vm %s is already in Repository %s", vm->name, trepo->name);
        return 0;
    }
    return 1;
}

job *prepare_move(cmdctx *c)
{
    obj *vm = vm_instance(c);
    obj *trepo = vm ? resolve_ref(c, "Repository", gr_get(c->cmd, "targetRepository")) : NULL;
    int failed = 1;
    const obj *cust = trepo ? vm_customizer(c, vm, "cloneCustomizer", &failed) : NULL;
    if (failed || !move_allowed(c, vm, trepo))
        return NULL;
    obj *pool = store_get(c->e->st, obj_gets(vm, "serverPool"));
    if (pool && check_repo_in_pool(c, trepo, pool))
        return NULL;
    vm_plan *p = plan_on(c, vm, obj_gets(vm, "repository"));
    if (!p)
        return NULL;
    snprintf(p->src_repo, sizeof p->src_repo, "%s", obj_gets(vm, "repository"));
    snprintf(p->repo_id, sizeof p->repo_id, "%s", trepo->id);
    clone_opts o = {.cust = cust, .trepo = trepo, .pool = pool, .move = 1};
    if (check_target(c, &o, p, store_get(c->e->st, p->src_repo), trepo) != 0 ||
        plan_disk_copies(c, p, vm, &o) != 0) {
        vm_plan_free(p);
        return NULL;
    }
    p->cfg = move_config(c->e, vm, p);
    static const job_spec spec = {.operation = "Move", .type = "Vm", .fn = run_move, .plan_free = vm_plan_free};
    return spec_job(c, &spec, vm->name, p, vm->id, trepo->id, p->src_repo, NULL);
}

/* getVmCfgFileContent: the vm.cfg as the repository holds it, line by line.
 * The agent is asked without the store lock held (a slow agent must not hold
 * up every writer), from a copy of what the call needs. */
void vm_cfg_file_content(cmdctx *c)
{
    store_rdlock(c->e->st);
    obj *vm = vm_instance(c);
    obj *s = vm ? vm_worker(c->e, vm, obj_gets(vm, "repository")) : NULL;
    char repo_id[64] = "", vm_id[64] = "";
    agent_target t;
    if (vm && !s) {
        obj *repo = store_get(c->e->st, obj_gets(vm, "repository"));
        result_fail(c->res, "Repository %s is not presented to any owned Running server", repo ? repo->name : "");
    } else if (s) {
        agent_target_of(c->e, s, &t);
        snprintf(repo_id, sizeof repo_id, "%s", obj_gets(vm, "repository"));
        snprintf(vm_id, sizeof vm_id, "%s", vm->id);
    }
    store_unlock(c->e->st);
    if (!s)
        return;
    char *err = NULL;
    xr_value *res = NULL;
    if (agent_get_vm_config_file(AGENT_TRY(c->e, &t, &err), repo_id, vm_id, &res) != 0) {
        result_fail(c->res, "%s", err ? err : "the agent did not answer");
    } else {
        char *text = xstrdup(xr_get_str(res) ? xr_get_str(res) : "");
        c->res->kind = RD_TEXT;
        for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            result_text_add(c->res, line);
        }
        free(text);
    }
    xr_free(res);
    free(err);
}
