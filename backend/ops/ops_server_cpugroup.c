/* Custom CpuCompatibilityGroups (doc/object-model.md §2.8, X-2): groups of
 * servers the administrator declares safe for live migration between each
 * other. The default groups are made at discovery (ops_server_discover.c)
 * and never change; a server belongs to its default group through its own
 * cpuCompatibilityGroup attribute and to custom groups through their
 * servers list, which flows/model.c's cpu_groups_shared reads for M-5. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/ops/ops_server.h"
#include "lib/util.h"

/* 0 when g is a custom group, else -1 after result_fail. */
static int refuse_default(cmdctx *c, const obj *g)
{
    if (!obj_is(g, "default", "Yes"))
        return 0;
    result_fail(c->res, "CpuCompatibilityGroup %s is a default group and cannot be changed", g->name);
    return -1;
}

static job *prepare_create_cpugroup(cmdctx *c)
{
    gplan *p = gplan_create_unique(c);
    if (!p)
        return NULL;
    gplan_set(p, "default", "No");
    return gplan_create_job(c, p);
}

static job *prepare_edit_cpugroup(cmdctx *c)
{
    obj *g = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!g || refuse_default(c, g) != 0)
        return NULL;
    return gplan_prepare_edit(c, g, 1);
}

/* Deleting a custom group only ends its membership: the servers stay. */
static job *prepare_delete_cpugroup(cmdctx *c)
{
    obj *g = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!g || refuse_default(c, g) != 0)
        return NULL;
    return gplan_delete_job(c, g);
}

job *cpugroup_prepare_member(cmdctx *c, int add)
{
    obj *s = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *g = s ? resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance) : NULL;
    if (!g || refuse_default(c, g) != 0)
        return NULL;
    int member = obj_list_has(g, "servers", s->id);
    if (add == member) {
        result_fail(c->res, add ? "Server %s is already in CpuCompatibilityGroup %s"
                                : "Server %s is not a member of CpuCompatibilityGroup %s",
                    s->name, g->name);
        return NULL;
    }
    const job_spec spec = {.operation = add ? "Add Server to" : "Remove Server from",
                           .type = "CpuCompatibilityGroup"};
    job *j = member_list_job(c, &spec, g, "servers", s, add);
    free(j->name);
    j->name = xasprintf("%s Server: %s %s Cpu Compatibility Group: %s", add ? "Add" : "Remove", s->name,
                        add ? "to" : "from", g->name);
    return j;
}

const op ops_cpugroup[] = {
    {GR_F_create_CpuCompatibilityGroup, NULL, prepare_create_cpugroup, 0},
    {GR_F_edit_CpuCompatibilityGroup, NULL, prepare_edit_cpugroup, 0},
    {GR_F_delete_CpuCompatibilityGroup, NULL, prepare_delete_cpugroup, 0},
    OPS_END,
};
