/* LUN masking by access group (doc/object-model.md §3, SAN access groups):
 * the access groups that create AccessGroup makes on an array whose plug-in
 * can mask (the ovmsh tgt Plugin) are real on the array. Adding or removing a
 * StorageInitiator or a PhysicalDisk asks the plug-in, through an admin
 * server, to change what the array admits (agent/san_tgt_acl.c), and the
 * store follows only once it has: the group's lists, and the disk's new
 * target. The default group of an array, and every group of the passive
 * generic plug-in, mask nothing (ops_san_group.c). */
#include "backend/ops/ops_san.h"
#include "backend/ops/ocfs2.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/agentc/agentapi.h"
#include "lib/util.h"

int san_group_masks(const obj *group)
{
    return obj_is(group, "lunMasking", "Yes");
}

job *prepare_create_agroup(cmdctx *c)
{
    obj *a = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!a)
        return NULL;
    if (!san_provisions(a)) { /* the generic plug-in: one default group per array */
        san_refuse(c, a);
        return NULL;
    }
    gplan *g = gplan_create_unique(c);
    if (!g)
        return NULL;
    gplan_set(g, "storageArray", a->id);
    gplan_set(g, "lunMasking", "Yes");
    return gplan_create_job(c, g);
}

typedef struct mask_plan {
    agent_target t;
    const char *impl;
    xr_value *ss, *initiators, *elements;
    char group[64], member[64];
    const char *key; /* the group's list the member joins or leaves */
    int add, drop;   /* drop: delete AccessGroup, once its initiators are unbound */
} mask_plan;

static void mask_plan_free(void *arg)
{
    mask_plan *p = arg;
    if (p) {
        xr_free(p->ss);
        xr_free(p->initiators);
        xr_free(p->elements);
        free(p);
    }
}

/* The store after the array changed: the member in or out of the group's
 * list, and each moved disk's new target and LUN record. */
static void mask_apply(job *j, const mask_plan *p, const xr_value *moved)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *g = store_get(e->st, p->group);
    if (g && p->drop) {
        relations_on_delete(e, g);
        store_delete(e->st, g);
        g = NULL;
    }
    if (g && p->add)
        obj_list_add(e->st, g, p->key, p->member);
    else if (g)
        obj_list_remove(e->st, g, p->key, p->member);
    obj *pd = store_get(e->st, p->member);
    for (size_t i = 0; pd && moved && moved->type == XR_ARRAY && i < moved->n; i++)
        san_lun_attrs(e, pd, moved->items[i]);
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
}

static int run_mask(job *j)
{
    mask_plan *p = j->plan;
    xr_value *moved = NULL;
    agent_storage_plugin_addToAccessGroup_fn *fn =
        p->add ? agent_storage_plugin_addToAccessGroup : agent_storage_plugin_removeFromAccessGroup;
    if (fn(AGENT_JOB(j, &p->t), p->impl, p->ss, p->group, p->initiators, p->elements, &moved) != 0)
        return -1;
    mask_apply(j, p, moved);
    xr_free(moved);
    return 0;
}

/* The plan of a change of masking group g through an admin server of its
 * array, with no member yet; NULL after failing c. */
static mask_plan *mask_plan_new(cmdctx *c, const obj *g, int add)
{
    obj *a = store_get(c->e->st, obj_gets(g, "storageArray"));
    obj *s = a ? san_admin_server(c, a) : NULL;
    if (!s)
        return NULL;
    mask_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    p->impl = san_impl(a);
    p->ss = san_ss_arg(a);
    p->initiators = xr_array();
    p->elements = xr_array();
    snprintf(p->group, sizeof p->group, "%s", g->id);
    p->key = "storageInitiators";
    p->add = add;
    return p;
}

/* The job that adds (add) member, a StorageInitiator or a PhysicalDisk, to
 * the masking group g or removes it, through an admin server of the array;
 * NULL after failing c. The caller has checked the member may join or leave. */
job *san_mask_job(cmdctx *c, obj *g, obj *member, int add)
{
    mask_plan *p = mask_plan_new(c, g, add);
    if (!p)
        return NULL;
    int disk = !strcmp(member->type, "PhysicalDisk");
    if (disk)
        xr_array_add(p->elements, ocfs2_lun_se(member));
    else
        xr_array_add(p->initiators, xr_string(member->name));
    snprintf(p->member, sizeof p->member, "%s", member->id);
    p->key = disk ? "physicalDisks" : "storageInitiators";
    const job_spec spec = {.operation = disk ? (add ? "Add Physical Disk" : "Remove Physical Disk")
                                             : (add ? "Add Storage Initiator" : "Remove Storage Initiator"),
                           .type = "AccessGroup", .fn = run_mask, .plan_free = mask_plan_free};
    return spec_job(c, &spec, g->name, p, g->id, member->id, NULL);
}

/* delete AccessGroup: only a masking group, and only once it presents no
 * disk (removing them parks their LUNs, which deleting could not say); its
 * initiators are unbound on the array first, which drops its target. */
job *prepare_delete_agroup(cmdctx *c)
{
    obj *g = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!g)
        return NULL;
    if (!san_group_masks(g)) {
        san_refuse(c, g);
        return NULL;
    }
    char **ids;
    size_t n = split_list(obj_get(g, "physicalDisks"), &ids);
    obj *pd = n ? store_get(c->e->st, ids[0]) : NULL;
    free_list(ids, n);
    if (pd) {
        result_fail(c->res, "Cannot delete AccessGroup %s: it presents PhysicalDisk %s; remove it first", g->name,
                    pd->name);
        return NULL;
    }
    n = split_list(obj_get(g, "storageInitiators"), &ids);
    mask_plan *p = n ? mask_plan_new(c, g, 0) : NULL;
    for (size_t i = 0; p && i < n; i++) {
        obj *si = store_get(c->e->st, ids[i]);
        if (si)
            xr_array_add(p->initiators, xr_string(si->name));
    }
    free_list(ids, n);
    if (!n)
        return gplan_delete_job(c, g);
    if (!p)
        return NULL;
    p->drop = 1;
    static const job_spec spec = {.operation = "Delete", .type = "AccessGroup", .fn = run_mask,
                                  .plan_free = mask_plan_free};
    return spec_job(c, &spec, g->name, p, g->id, NULL);
}

/* The masking group of pd's array other than g that holds pd, or NULL: the
 * tgt plug-in presents a LUN through one target, so through one group. */
static obj *other_group(engine *e, const obj *pd, const obj *g)
{
    obj **v, *hit = NULL;
    size_t n = store_find_by(e->st, "AccessGroup", "storageArray", obj_gets(pd, "storageArray"), &v);
    for (size_t i = 0; i < n && !hit; i++)
        if (v[i] != g && obj_list_has(v[i], "physicalDisks", pd->id))
            hit = v[i];
    free(v);
    return hit;
}

/* add/remove PhysicalDisk to/from a masking AccessGroup: the checks. */
job *san_mask_disk(cmdctx *c, obj *pd, obj *g, int add)
{
    int has = obj_list_has(g, "physicalDisks", pd->id);
    obj *other = add ? other_group(c->e, pd, g) : NULL;
    if (!obj_is(pd, "storageArray", obj_gets(g, "storageArray")))
        result_fail(c->res, "PhysicalDisk %s is not a LUN of the StorageArray of AccessGroup %s", pd->name, g->name);
    else if (add && has)
        result_fail(c->res, "PhysicalDisk %s is already in AccessGroup %s", pd->name, g->name);
    else if (other)
        result_fail(c->res, "PhysicalDisk %s is already in AccessGroup %s; a LUN of this plug-in is presented "
                            "through one access group, so remove it from there first", pd->name, other->name);
    else if (!add && !has)
        result_fail(c->res, "PhysicalDisk %s is not in AccessGroup %s", pd->name, g->name);
    else
        return san_mask_job(c, g, pd, add);
    return NULL;
}
