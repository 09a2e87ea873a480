/* list and show for every type, Job commands, and the edits that only store
 * attributes (FileSystem, PhysicalDisk, VirtualCdrom, Manager). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"
#include "backend/ops/ops_san.h"
#include "backend/render/show.h"
#include "lib/util.h"

static int matches_filters(const gr_command *cmd, const char *id, const char *name)
{
    if (cmd->instance.key) {
        const char *v = !strcmp(cmd->instance.key, "id") ? id : name;
        if (!ovm_glob_match(cmd->instance.value, v))
            return 0;
    }
    for (size_t i = 0; i < cmd->nattrs; i++) {
        const gr_kv *a = &cmd->attrs[i];
        if (!strcmp(a->key, "id") && !ovm_glob_match(a->value, id))
            return 0;
        if (!strcmp(a->key, "name") && !ovm_glob_match(a->value, name))
            return 0;
    }
    return 1;
}

static void list_jobs(cmdctx *c)
{
    job **v;
    size_t n = jobs_snapshot_all(c->e->js, &v);
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)v[i]->id);
        if (matches_filters(c->cmd, id, v[i]->name))
            result_list_add(c->res, id, v[i]->name);
        job_snapshot_free(v[i]);
    }
    free(v);
}

static void op_list(cmdctx *c)
{
    const gr_type *t = c->cmd->type;
    c->res->kind = RD_LIST;
    c->res->has_data = 1;
    if (t->level != GT_R1)
        return;
    if (!strcmp(t->name, "Job")) {
        list_jobs(c);
        return;
    }
    if (san_plugin_now(c, 0))
        return;
    store_rdlock(c->e->st);
    obj **v;
    size_t n = store_list(c->e->st, t->name, &v);
    for (size_t i = 0; i < n; i++)
        if (matches_filters(c->cmd, v[i]->id, v[i]->name))
            result_list_add(c->res, v[i]->id, v[i]->name);
    free(v);
    store_unlock(c->e->st);
}

static job *find_job_instance(cmdctx *c)
{
    const gr_kv *inst = &c->cmd->instance; /* the grammar requires it */
    char *end;
    long long id = strtoll(inst->value, &end, 10);
    job *j = *end || !*inst->value ? NULL : jobs_snapshot(c->e->js, id);
    if (!j)
        result_fail(c->res, "Cannot find Job with %s: %s", inst->key, inst->value);
    return j;
}

static void op_show(cmdctx *c)
{
    const gr_type *t = c->cmd->type;
    if (!strcmp(t->name, "Job")) {
        job *j = find_job_instance(c);
        if (j)
            show_job(c->e, j, c->res);
        job_snapshot_free(j);
        return;
    }
    if (san_plugin_now(c, 1))
        return;
    store_rdlock(c->e->st);
    obj *o = resolve_instance(c, t, &c->cmd->instance);
    if (o)
        show_object(c->e, o, c->res);
    store_unlock(c->e->st);
}

static void op_abort_job(cmdctx *c)
{
    job *j = find_job_instance(c);
    if (!j)
        return;
    char *err = NULL;
    if (jobs_abort(c->e->js, j->id, &err) != 0) {
        result_fail(c->res, "%s", err);
        free(err);
    }
    job_snapshot_free(j);
}

static void op_delete_job(cmdctx *c)
{
    job *j = find_job_instance(c);
    if (!j)
        return;
    char *err = NULL;
    if (jobs_delete(c->e->js, j->id, &err) != 0) {
        result_fail(c->res, "%s", err);
        free(err);
    }
    job_snapshot_free(j);
}

static job *prepare_plain_edit(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    return o ? gplan_prepare_edit(c, o, 0) : NULL;
}

/* list works for every type; show only for R1 types, the grammar refuses it
 * for recognised-only ones (the registry test keeps the two in step). */
#define SHOW_OP_GT_R1(n) {GR_F_show_##n, op_show, NULL, 1},
#define SHOW_OP_GT_RECOGNISED(n)
#define LIST_SHOW_OPS(n, code, lvl, label) {GR_F_list_##n, op_list, NULL, 1}, SHOW_OP_##lvl(n)

const op ops_generic[] = {
    GR_TYPE_LIST(LIST_SHOW_OPS)
    {GR_F_abort_Job, op_abort_job, NULL, 1},
    {GR_F_delete_Job, op_delete_job, NULL, 1},
    {GR_F_edit_FileSystem, NULL, prepare_plain_edit, 0},
    {GR_F_edit_VirtualCdrom, NULL, prepare_plain_edit, 0},
    {GR_F_edit_Manager, NULL, prepare_plain_edit, 0},
    {GR_F_edit_VirtualAppliance, NULL, prepare_plain_edit, 0},
    {GR_F_edit_VirtualApplianceVm, NULL, prepare_plain_edit, 0},
    {GR_F_edit_VirtualApplianceVirtualDisk, NULL, prepare_plain_edit, 0},
    OPS_END,
};
