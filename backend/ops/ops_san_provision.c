/* PhysicalDisks through a plug-in that provisions (the ovmsh tgt Plugin):
 * create PhysicalDisk on VolumeGroup, edit PhysicalDisk size=, delete
 * PhysicalDisk. The array's first owned Running admin server asks its agent
 * to make, grow or remove the LUN; the store follows only once the agent
 * answered, so a failure leaves the disks as they were (and the agent leaves
 * no file or LUN of a failed create behind). */
#include "backend/ops/ops_san.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/agentc/agentapi.h"
#include "lib/util.h"

typedef struct prov_plan {
    agent_target t;
    const char *impl;
    char array[64], vg[64], pd[64];
    int64_t bytes, lun;
    int thin;
    xr_value *ss;
    gplan *g;      /* the attributes the disk gets (create) or changes (edit) */
} prov_plan;

static void prov_plan_free(void *arg)
{
    prov_plan *p = arg;
    if (p) {
        xr_free(p->ss);
        gplan_free(p->g);
        free(p);
    }
}

/* The array of a disk or volume group, refusing those whose plug-in is passive. */
static obj *provisioning_array(cmdctx *c, const obj *o)
{
    obj *a = store_get(c->e->st, obj_gets(o, "storageArray"));
    if (!a) {
        result_fail(c->res, "%s %s belongs to no StorageArray", o->type, o->name);
        return NULL;
    }
    if (!san_provisions(a)) {
        result_fail(c->res, "Storage plug-in %s does not support this operation", obj_gets(a, "plugin"));
        return NULL;
    }
    return a;
}

/* A plan with the admin server, plug-in and ss of array; NULL after failing c. */
static prov_plan *plan_for(cmdctx *c, obj *a)
{
    obj *s = san_admin_server(c, a);
    if (!s)
        return NULL;
    prov_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    p->impl = san_impl(a);
    p->ss = san_ss_arg(a);
    snprintf(p->array, sizeof p->array, "%s", a->id);
    return p;
}

static int run_create_pdisk(job *j)
{
    prov_plan *p = j->plan;
    engine *e = j->eng;
    xr_value *se = NULL;
    if (agent_storage_plugin_createSE(AGENT_JOB(j, &p->t), p->impl, p->ss, p->pd, p->bytes, p->thin, &se) != 0)
        return -1;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *pd = store_create(e->st, "PhysicalDisk", p->pd, p->g->name);
    obj_set(e->st, pd, "storageArray", p->array);
    obj_set(e->st, pd, "volumeGroup", p->vg);
    gplan_apply(e, p->g, pd);
    san_lun_attrs(e, pd, se);
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    xr_free(se);
    free(j->result_obj); /* the reply lists the new disk, as a create does */
    j->result_obj = xstrdup(p->pd);
    return 0;
}

job *prepare_create_pdisk(cmdctx *c)
{
    obj *vg = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    obj *a = vg ? provisioning_array(c, vg) : NULL;
    prov_plan *p = a ? plan_for(c, a) : NULL;
    if (!p)
        return NULL;
    const char *name = gr_get(c->cmd, "name"), *thin = gr_get(c->cmd, "thinProvision");
    snprintf(p->vg, sizeof p->vg, "%s", vg->id);
    new_object_id(c->cmd->type, p->pd, sizeof p->pd);
    p->bytes = (int64_t)atoll(gr_get(c->cmd, "size")) << 30;
    p->thin = thin && !strcmp(thin, "Yes");
    p->g = gplan_new("PhysicalDisk", p->pd, name);
    gplan_take_attrs(p->g, c->cmd);
    gplan_set(p->g, "thinProvision", p->thin ? "Yes" : "No");
    static const job_spec spec = {.operation = "Create", .type = "PhysicalDisk", .fn = run_create_pdisk,
                                  .plan_free = prov_plan_free};
    return spec_job(c, &spec, name, p, vg->id, a->id, NULL);
}

static int run_resize_pdisk(job *j)
{
    prov_plan *p = j->plan;
    engine *e = j->eng;
    xr_value *se = NULL;
    if (agent_storage_plugin_resizeSE(AGENT_JOB(j, &p->t), p->impl, p->ss, p->pd, p->lun, p->bytes, &se) != 0)
        return -1;
    store_wrlock(e->st);
    obj *pd = store_get(e->st, p->pd);
    if (pd) {
        store_set_actor(e->st, j->id);
        store_begin(e->st);
        san_lun_attrs(e, pd, se);
        store_commit(e->st);
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
    xr_free(se);
    /* The other attributes of the same edit, with the usual stale check. */
    return p->g->n || p->g->name ? gplan_store_edit(j, p->g) : 0;
}

/* Takes size out of an edit plan: the resize sets it, not the edit. */
static void drop_size(gplan *g)
{
    for (size_t i = 0; i < g->n; i++) {
        if (strcmp(g->keys[i], "size") != 0)
            continue;
        free(g->keys[i]);
        free(g->vals[i]);
        free(g->old[i]);
        g->n--;
        memmove(g->keys + i, g->keys + i + 1, (g->n - i) * sizeof *g->keys);
        memmove(g->vals + i, g->vals + i + 1, (g->n - i) * sizeof *g->vals);
        memmove(g->old + i, g->old + i + 1, (g->n - i) * sizeof *g->old);
        return;
    }
}

job *prepare_resize_pdisk(cmdctx *c, obj *pd)
{
    obj *a = provisioning_array(c, pd);
    prov_plan *p = a ? plan_for(c, a) : NULL;
    if (!p)
        return NULL;
    int64_t bytes = (int64_t)atoll(gr_get(c->cmd, "size")) << 30;
    if (bytes < obj_get_int(pd, "sizeBytes", 0)) {
        result_fail(c->res, "PhysicalDisk %s is %s GiB; a LUN cannot shrink", pd->name, obj_gets(pd, "size"));
        prov_plan_free(p);
        return NULL;
    }
    p->g = gplan_edit_plan(c, pd, 0);
    if (!p->g) {
        prov_plan_free(p);
        return NULL;
    }
    drop_size(p->g); /* the agent's answer sets it */
    snprintf(p->pd, sizeof p->pd, "%s", pd->id);
    p->lun = obj_get_int(pd, "lun", 0);
    p->bytes = bytes;
    static const job_spec spec = {.operation = "Edit", .type = "PhysicalDisk", .fn = run_resize_pdisk,
                                  .plan_free = prov_plan_free};
    return spec_job(c, &spec, pd->name, p, pd->id, NULL);
}

static int run_delete_pdisk(job *j)
{
    prov_plan *p = j->plan;
    if (agent_storage_plugin_destroySE(AGENT_JOB(j, &p->t), p->impl, p->ss, p->pd, p->lun, NULL) != 0)
        return -1;
    san_store_remove(j, p->pd);
    return 0;
}

job *prepare_delete_pdisk(cmdctx *c)
{
    obj *pd = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!pd || delete_refused(c, pd))
        return NULL;
    obj *a = provisioning_array(c, pd);
    prov_plan *p = a ? plan_for(c, a) : NULL;
    if (!p)
        return NULL;
    snprintf(p->pd, sizeof p->pd, "%s", pd->id);
    p->lun = obj_get_int(pd, "lun", 0);
    static const job_spec spec = {.operation = "Delete", .type = "PhysicalDisk", .fn = run_delete_pdisk,
                                  .plan_free = prov_plan_free};
    return spec_job(c, &spec, pd->name, p, pd->id, NULL);
}
