/* Access groups and the PhysicalDisk commands of SAN arrays. The generic
 * plug-in is passive (doc/object-model.md §3, §6.17): its arrays have the one
 * default access group that refresh creates, which holds the initiators of
 * the servers that may log in; it cannot create access groups, mask LUNs, or
 * create, resize or delete LUNs, and says so. The groups create AccessGroup
 * makes on a masking plug-in's array are real on the array (ops_san_mask.c). */
#include "backend/ops/ops_san.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"

void san_refuse(cmdctx *c, const obj *o)
{
    const obj *a = o && !strcmp(o->type, "StorageArray") ? o : o ? store_get(c->e->st, obj_gets(o, "storageArray")) : NULL;
    result_fail(c->res, "Storage plug-in %s does not support this operation",
                a && obj_get(a, "plugin") ? obj_gets(a, "plugin") : SCSI_PLUGIN_NAME);
}

typedef struct member_plan {
    char group[64], member[64];
    const char *key;
    int add;
} member_plan;

static int run_member(job *j)
{
    member_plan *p = j->plan;
    engine *e = j->eng;
    store_wrlock(e->st);
    obj *g = store_get(e->st, p->group), *m = store_get(e->st, p->member);
    if (g && m) {
        store_set_actor(e->st, j->id);
        store_begin(e->st);
        if (p->add)
            obj_list_add(e->st, g, p->key, p->member);
        else
            obj_list_remove(e->st, g, p->key, p->member);
        store_commit(e->st);
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
    if (!g || !m) {
        job_fail(j, "Job failed: %s no longer exists", !g ? p->group : p->member);
        return -1;
    }
    return 0;
}

/* The type of an initiator must be the array's (000:1076). 0 or -1 (c failed). */
static int types_match(cmdctx *c, const obj *si, const obj *g)
{
    obj *a = store_get(c->e->st, obj_gets(g, "storageArray"));
    const char *want = a && obj_is(a, "storageType", "FIBRECHANNEL") ? "FC" : "ISCSI";
    if (obj_is(si, "type", want))
        return 0;
    result_fail(c->res, "StorageInitiator %s is of type %s; AccessGroup %s admits %s initiators", si->name,
                obj_gets(si, "type"), g->name, want);
    return -1;
}

static job *member_job(cmdctx *c, int add)
{
    obj *si = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *g = si ? resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance) : NULL;
    if (!g)
        return NULL;
    int has = obj_list_has(g, "storageInitiators", si->id);
    if (add && (has || types_match(c, si, g) != 0)) {
        if (has)
            result_fail(c->res, "StorageInitiator %s is already in AccessGroup %s", si->name, g->name);
        return NULL;
    }
    if (!add && !has) {
        result_fail(c->res, "StorageInitiator %s is not in AccessGroup %s", si->name, g->name);
        return NULL;
    }
    if (san_group_masks(g)) /* the array admits the initiator, or stops */
        return san_mask_job(c, g, si, add);
    member_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->group, sizeof p->group, "%s", g->id);
    snprintf(p->member, sizeof p->member, "%s", si->id);
    p->key = "storageInitiators";
    p->add = add;
    const job_spec spec = {.operation = add ? "Add Storage Initiator" : "Remove Storage Initiator",
                           .type = "AccessGroup", .fn = run_member, .plan_free = free};
    return spec_job(c, &spec, g->name, p, g->id, NULL);
}

job *prepare_add_initiator(cmdctx *c)
{
    return member_job(c, 1);
}

job *prepare_remove_initiator(cmdctx *c)
{
    return member_job(c, 0);
}

/* add/remove PhysicalDisk to/from AccessGroup: LUN masking, which only the
 * groups create AccessGroup made on a masking plug-in's array do
 * (ops_san_mask.c); the others refuse. The objects named must exist all the
 * same, so that a typo reads as one. */
static job *pdisk_member(cmdctx *c, int add)
{
    obj *pd = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *g = pd ? resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance) : NULL;
    if (g && san_group_masks(g))
        return san_mask_disk(c, pd, g, add);
    if (g)
        san_refuse(c, pd);
    return NULL;
}

job *prepare_add_pdisk(cmdctx *c)
{
    return pdisk_member(c, 1);
}

job *prepare_remove_pdisk(cmdctx *c)
{
    return pdisk_member(c, 0);
}

/* edit PhysicalDisk: name, description, shareable and userFriendlyName are
 * the Manager's; a new size is the plug-in's, refused by the generic one. */
job *prepare_edit_pdisk(cmdctx *c)
{
    obj *pd = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!pd)
        return NULL;
    if (gr_get(c->cmd, "size"))
        return prepare_resize_pdisk(c, pd);
    return gplan_prepare_edit(c, pd, 0);
}
