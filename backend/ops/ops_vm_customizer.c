/* VmCloneCustomizer and its storage and network mappings (doc/object-model.md
 * §3, §6.8): create, edit and delete. They live in the Manager only (no agent
 * call); clone Vm and moveVmToRepository read them (ops_vm_clone.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/relations.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"
#include "backend/ops/ops_network.h"
#include "backend/ops/ops_vm.h"
#include "lib/util.h"

const char thin_clone_text[] = "THIN_CLONE needs source and target in the same OCFS2 repository";

/* One mapping per disk mapping (or VNIC) and customizer: a second would make
 * the clone's result depend on which one is read first. */
static obj *mapping_of(engine *e, const char *type, const char *key, const char *ref, const char *cust_id)
{
    obj **v;
    size_t n = store_find_by(e->st, type, key, ref, &v);
    obj *hit = NULL;
    for (size_t i = 0; i < n && !hit; i++)
        if (obj_is(v[i], "customizer", cust_id))
            hit = v[i];
    free(v);
    return hit;
}

/* A customizer's name is unique among the customizers of its Vm. */
static int name_used(engine *e, const char *type, const char *key, const char *parent, const char *name,
                     const obj *self)
{
    obj **v;
    size_t n = store_find_by(e->st, type, key, parent, &v);
    int used = 0;
    for (size_t i = 0; i < n && !used; i++)
        used = v[i] != self && !strcmp(v[i]->name, name);
    free(v);
    return used;
}

static job *create_job(cmdctx *c, gplan *p, const char *parent_id)
{
    job_spec spec = {.operation = "Create", .type = p->type, .fn = gplan_run_create, .plan_free = gplan_free};
    return spec_job(c, &spec, p->name, p, NULL, parent_id, NULL);
}

static job *prepare_create_cust(cmdctx *c)
{
    obj *vm = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!vm)
        return NULL;
    const char *name = gr_get(c->cmd, "name");
    if (name_used(c->e, "VmCloneCustomizer", "vm", vm->id, name, NULL)) {
        result_fail(c->res, "Vm %s already has a VmCloneCustomizer named %s", vm->name, name);
        return NULL;
    }
    char id[64];
    new_object_id(c->cmd->type, id, sizeof id);
    gplan *p = gplan_new("VmCloneCustomizer", id, name);
    gplan_take_attrs(p, c->cmd);
    gplan_set(p, "vm", vm->id);
    return create_job(c, p, vm->id);
}

int thin_clone_check(cmdctx *c, const char *src_repo_id, const obj *target)
{
    if (target && obj_is(target, "fsType", "OCFS2") && src_repo_id && !strcmp(src_repo_id, target->id))
        return 0;
    result_fail(c->res, "%s", thin_clone_text);
    return -1;
}

/* CL-4 for a mapping of disk mapping map to repo: a thin clone stays in the
 * disk's own repository, which must be on OCFS2 (thin_clone_check). */
static int check_clone_type(cmdctx *c, const char *type, const obj *map, const obj *repo)
{
    if (strcmp(type, "THIN_CLONE") != 0)
        return 0;
    obj *d = map ? store_get(c->e->st, obj_gets(map, "virtualDisk")) : NULL;
    return thin_clone_check(c, d ? obj_gets(d, "repository") : NULL, repo);
}

/* The mapping's disk mapping: of the customizer's Vm and mapping a VirtualDisk. */
static obj *cust_disk_mapping(cmdctx *c, const obj *cust, const char *value)
{
    obj *m = resolve_ref(c, "VmDiskMapping", value);
    if (!m)
        return NULL;
    obj *vm = store_get(c->e->st, obj_gets(cust, "vm"));
    if (!obj_is(m, "vm", obj_gets(cust, "vm"))) {
        result_fail(c->res, "VmDiskMapping %s does not belong to Vm %s of VmCloneCustomizer %s", m->name,
                    vm ? vm->name : "", cust->name);
        return NULL;
    }
    if (!obj_get(m, "virtualDisk")) {
        result_fail(c->res, "VmDiskMapping %s maps no VirtualDisk; only virtual disks are cloned", m->name);
        return NULL;
    }
    if (mapping_of(c->e, "VmCloneStorageMapping", "vmDiskMapping", m->id, cust->id)) {
        result_fail(c->res, "VmDiskMapping %s already has a VmCloneStorageMapping in VmCloneCustomizer %s",
                    m->name, cust->name);
        return NULL;
    }
    return m;
}

static job *prepare_create_smap(cmdctx *c)
{
    obj *cust = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    obj *m = cust ? cust_disk_mapping(c, cust, gr_get(c->cmd, "vmDiskMapping")) : NULL;
    obj *repo = m ? resolve_ref(c, "Repository", gr_get(c->cmd, "repository")) : NULL;
    if (!repo || check_clone_type(c, gr_get(c->cmd, "cloneType"), m, repo))
        return NULL;
    char id[64];
    new_object_id(c->cmd->type, id, sizeof id);
    gplan *p = gplan_new("VmCloneStorageMapping", id, gr_get(c->cmd, "name"));
    gplan_take_attrs(p, c->cmd);
    gplan_set(p, "vmDiskMapping", m->id);
    gplan_set(p, "repository", repo->id);
    gplan_set(p, "customizer", cust->id);
    return create_job(c, p, cust->id);
}

/* The network mapping's VNIC: of the customizer's Vm, once per customizer. */
static obj *cust_vnic(cmdctx *c, const obj *cust, const char *value)
{
    obj *v = resolve_ref(c, "Vnic", value);
    if (!v)
        return NULL;
    if (!obj_is(v, "vm", obj_gets(cust, "vm"))) {
        obj *vm = store_get(c->e->st, obj_gets(cust, "vm"));
        result_fail(c->res, "Vnic %s does not belong to Vm %s of VmCloneCustomizer %s", v->name,
                    vm ? vm->name : "", cust->name);
        return NULL;
    }
    if (mapping_of(c->e, "VmCloneNetworkMapping", "vnic", v->id, cust->id)) {
        result_fail(c->res, "Vnic %s already has a VmCloneNetworkMapping in VmCloneCustomizer %s", v->name,
                    cust->name);
        return NULL;
    }
    return v;
}

/* N-1: the clone's VNIC joins this network, so it must carry VM traffic. */
static obj *vm_network(cmdctx *c, const char *value)
{
    obj *net = resolve_ref(c, "Network", value);
    if (net && !has_role(net, "VIRTUAL_MACHINE")) {
        result_fail(c->res, "Network %s has no VIRTUAL_MACHINE role", net->name);
        return NULL;
    }
    return net;
}

static job *prepare_create_nmap(cmdctx *c)
{
    obj *cust = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    obj *v = cust ? cust_vnic(c, cust, gr_get(c->cmd, "vnic")) : NULL;
    obj *net = v ? vm_network(c, gr_get(c->cmd, "network")) : NULL;
    if (!net)
        return NULL;
    char id[64];
    new_object_id(c->cmd->type, id, sizeof id);
    gplan *p = gplan_new("VmCloneNetworkMapping", id, gr_get(c->cmd, "name"));
    gplan_take_attrs(p, c->cmd);
    gplan_set(p, "vnic", v->id);
    gplan_set(p, "network", net->id);
    gplan_set(p, "customizer", cust->id);
    return create_job(c, p, cust->id);
}

static job *prepare_edit_cust(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!o)
        return NULL;
    const char *name = gr_get(c->cmd, "name");
    if (name && name_used(c->e, "VmCloneCustomizer", "vm", obj_gets(o, "vm"), name, o)) {
        obj *vm = store_get(c->e->st, obj_gets(o, "vm"));
        result_fail(c->res, "Vm %s already has a VmCloneCustomizer named %s", vm ? vm->name : "", name);
        return NULL;
    }
    return gplan_prepare_edit(c, o, 0);
}

/* Edits of mappings: references are stored as ids, so the plan's values are
 * replaced by the resolved objects' ids. */
static job *prepare_edit_mapping(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!o)
        return NULL;
    const char *type = gr_get(c->cmd, "cloneType"), *repo = gr_get(c->cmd, "repository");
    const char *net = gr_get(c->cmd, "network");
    obj *r = repo ? resolve_ref(c, "Repository", repo) : NULL;
    obj *n = net ? vm_network(c, net) : NULL;
    obj *map = store_get(c->e->st, obj_gets(o, "vmDiskMapping"));
    obj *to = r ? r : store_get(c->e->st, obj_gets(o, "repository"));
    if ((repo && !r) || (net && !n) || ((type || r) && check_clone_type(c, type ? type : obj_gets(o, "cloneType"), map, to)))
        return NULL;
    gplan *p = gplan_edit_plan(c, o, 0);
    if (!p)
        return NULL;
    if (r)
        gplan_set(p, "repository", r->id);
    if (n)
        gplan_set(p, "network", n->id);
    job_spec spec = {.operation = "Edit", .type = o->type, .fn = gplan_run_edit, .plan_free = gplan_free};
    return spec_job(c, &spec, o->name, p, o->id, NULL);
}

/* Deleting a customizer deletes its mappings (relations.c cascades). */
static int run_delete_cascade(job *j)
{
    gplan *p = j->plan;
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *o = store_get(e->st, p->id);
    if (o) {
        relations_on_delete(e, o);
        store_delete(e->st, o);
    }
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    return 0;
}

static job *prepare_delete_custobj(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!o)
        return NULL;
    job_spec spec = {.operation = "Delete", .type = o->type, .fn = run_delete_cascade, .plan_free = gplan_free};
    return spec_job(c, &spec, o->name, gplan_new(o->type, o->id, NULL), o->id, NULL);
}

const op ops_vm_customizer[] = {
    {GR_F_create_VmCloneCustomizer, NULL, prepare_create_cust, 0},
    {GR_F_create_VmCloneStorageMapping, NULL, prepare_create_smap, 0},
    {GR_F_create_VmCloneNetworkMapping, NULL, prepare_create_nmap, 0},
    {GR_F_edit_VmCloneCustomizer, NULL, prepare_edit_cust, 0},
    {GR_F_edit_VmCloneStorageMapping, NULL, prepare_edit_mapping, 0},
    {GR_F_edit_VmCloneNetworkMapping, NULL, prepare_edit_mapping, 0},
    {GR_F_delete_VmCloneCustomizer, NULL, prepare_delete_custobj, 0},
    {GR_F_delete_VmCloneStorageMapping, NULL, prepare_delete_custobj, 0},
    {GR_F_delete_VmCloneNetworkMapping, NULL, prepare_delete_custobj, 0},
    OPS_END,
};
