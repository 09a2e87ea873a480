/* Tags (doc/object-model.md §2.8, X-1) and the VNIC MAC range
 * (doc/command-language.md §4.5): the manager commands that are not about
 * one area's objects. Statistics are in ops_stats.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "backend/ops/generic.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "backend/render/show.h"
#include "backend/store/store_tables.h"
#include "lib/util.h"

/* ---- Tag ---- */

static job *prepare_create_tag(cmdctx *c)
{
    gplan *p = gplan_create_unique(c);
    return p ? gplan_create_job(c, p) : NULL;
}

static job *prepare_edit_tag(cmdctx *c)
{
    obj *tag = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    return tag ? gplan_prepare_edit(c, tag, 1) : NULL;
}

/* members are kept on the tag, so deleting it untags every member. */
static job *prepare_delete_tag(cmdctx *c)
{
    obj *tag = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!tag)
        return NULL;
    return gplan_delete_job(c, tag);
}

static job *prepare_tag_member(cmdctx *c, int add)
{
    obj *tag = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *member = tag ? resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance) : NULL;
    if (!member)
        return NULL;
    if (!add && !obj_list_has(tag, "members", member->id)) {
        result_fail(c->res, "%s %s is not a member of Tag %s", member->type, member->name, tag->name);
        return NULL;
    }
    const job_spec spec = {.operation = add ? "Add Tag to" : "Remove Tag from", .type = member->type};
    job *j = member_list_job(c, &spec, tag, "members", member, add);
    free(j->name);
    const char *label = c->cmd->ptype->show_name ? c->cmd->ptype->show_name : member->type;
    j->name = xasprintf("%s Tag: %s %s %s: %s", add ? "Add" : "Remove", tag->name, add ? "to" : "from", label,
                        member->name);
    return j;
}

static job *prepare_add_tag(cmdctx *c)
{
    return prepare_tag_member(c, 1);
}

static job *prepare_remove_tag(cmdctx *c)
{
    return prepare_tag_member(c, 0);
}

/* ---- VNIC MAC range ---- */

static int mac_value(const char *s, uint64_t *out)
{
    unsigned b[6];
    char tail;
    if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | b[i];
    *out = v;
    return 0;
}

static void op_get_mac_range(cmdctx *c)
{
    obj *m = store_get(c->e->st, c->e->manager_id);
    if (!m) {
        result_fail(c->res, "Cannot find Manager with id: %s", c->e->manager_id);
        return;
    }
    c->res->kind = RD_SHOW;
    c->res->has_data = 1;
    result_show_add(c->res, "Start", obj_gets(m, "macStart"));
    result_show_add(c->res, "End", obj_gets(m, "macEnd"));
}

static job *prepare_set_mac_range(cmdctx *c)
{
    const char *start = gr_get(c->cmd, "start"), *end = gr_get(c->cmd, "end");
    uint64_t lo, hi;
    if (mac_value(start, &lo) != 0 || mac_value(end, &hi) != 0 || lo > hi) {
        result_fail(c->res, "Invalid MAC range %s-%s; start must not be greater than end", start, end);
        return NULL;
    }
    obj *m = store_get(c->e->st, c->e->manager_id);
    if (!m) {
        result_fail(c->res, "Cannot find Manager with id: %s", c->e->manager_id);
        return NULL;
    }
    gplan *p = gplan_new("Manager", m->id, NULL);
    gplan_set(p, "macStart", start);
    p->old[0] = xstrdup(obj_gets(m, "macStart"));
    gplan_set(p, "macEnd", end);
    p->old[1] = xstrdup(obj_gets(m, "macEnd"));
    p->version = m->version;
    static const job_spec spec = {.operation = "Set MAC Range", .type = "Manager", .fn = gplan_run_edit,
                                  .plan_free = gplan_free};
    job *j = spec_job(c, &spec, m->name, p, m->id, NULL);
    free(j->name);
    j->name = xstrdup("Set MAC Range");
    return j;
}

const op ops_misc[] = {
    {GR_F_create_Tag, NULL, prepare_create_tag, 0},
    {GR_F_edit_Tag, NULL, prepare_edit_tag, 0},
    {GR_F_delete_Tag, NULL, prepare_delete_tag, 0},
    {GR_F_add_Tag, NULL, prepare_add_tag, 0},
    {GR_F_remove_Tag, NULL, prepare_remove_tag, 0},
    {GR_F_getVnicMacAddrRange, op_get_mac_range, NULL, 0},
    {GR_F_setVnicMacAddrRange, NULL, prepare_set_mac_range, 0},
    OPS_END,
};
