/* Tags (doc/object-model.md §2.8, X-1), the VNIC MAC range and
 * statistics (doc/command-language.md §4.5, §5.4): the manager commands that are not
 * about one area's objects. */
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

/* ---- getStatList ---- */

/* Oracle VM 3.4: memory statistics for Server only, file system statistics
 * for FileSystem only, CPU_COUNT not for Server (so: Vm only). */
static int stat_applies(const char *type, const char *stat)
{
    if (!strcmp(stat, "FREE_MEMORY") || !strcmp(stat, "MEMORY_UTILIZATION"))
        return !strcmp(type, "Server");
    if (!strncmp(stat, "FILE_SYSTEM_", 12))
        return !strcmp(type, "FileSystem");
    if (!strcmp(stat, "CPU_COUNT"))
        return !strcmp(type, "Vm");
    return !strcmp(type, "Server") || !strcmp(type, "Vm");
}

static double percent(double part, double whole)
{
    return whole > 0 ? part * 100.0 / whole : 0.0;
}

/* The current value of stat for o, computed from the store (heap). */
static char *stat_now(engine *e, const obj *o, const char *stat)
{
    char buf[64];
    double size = strtod(obj_gets(o, "size"), NULL), avail = strtod(obj_gets(o, "free"), NULL);
    if (!strcmp(stat, "CPU_COUNT"))
        return xasprintf("%lld", obj_get_int(o, "cpuCount", 1));
    if (!strcmp(stat, "FREE_MEMORY"))
        return xasprintf("%lld", server_usable_memory(e, o));
    if (!strcmp(stat, "MEMORY_UTILIZATION")) {
        double total = (double)obj_get_int(o, "memory", 0);
        snprintf(buf, sizeof buf, "%.1f", percent(total - (double)server_usable_memory(e, o), total));
    } else if (!strcmp(stat, "FILE_SYSTEM_SPACE_AVAILABLE")) {
        fmt_gib(avail, buf, sizeof buf);
    } else if (!strcmp(stat, "FILE_SYSTEM_SPACE_TOTAL")) {
        fmt_gib(size, buf, sizeof buf);
    } else if (!strcmp(stat, "FILE_SYSTEM_SPACE_UTILIZATION")) {
        snprintf(buf, sizeof buf, "%.1f", percent(size - avail, size));
    } else if (!strcmp(stat, "FILE_SYSTEM_TOTAL_FILES_SIZE")) {
        fmt_gib(size - avail, buf, sizeof buf);
    } else { /* CPU_UTILIZATION: no samples are kept yet */
        fmt_gib(0.0, buf, sizeof buf);
    }
    return xstrdup(buf);
}

/* Validates the time window; 0 ok with *from, *to set, -1 after result_fail. */
static int stat_window(cmdctx *c, int64_t *from, int64_t *to)
{
    const char *s = gr_get(c->cmd, "startTime"), *e = gr_get(c->cmd, "endTime");
    if (ovm_parse_local_time(s, from) != 0) {
        result_fail(c->res, "Invalid value '%s' for startTime; expected " OVM_LOCAL_TIME_FORMS, s);
        return -1;
    }
    *to = INT64_MAX;
    if (e && ovm_parse_local_time(e, to) != 0) {
        result_fail(c->res, "Invalid value '%s' for endTime; expected " OVM_LOCAL_TIME_FORMS, e);
        return -1;
    }
    if (*to < *from) {
        result_fail(c->res, "Invalid value '%s' for endTime; expected a time not before startTime", e);
        return -1;
    }
    return 0;
}

static void op_get_stat_list(cmdctx *c)
{
    const char *type = gr_get(c->cmd, "objType"), *id = gr_get(c->cmd, "objId");
    const char *stat = gr_get(c->cmd, "statType");
    if (!stat_applies(type, stat)) {
        result_fail(c->res, "Statistic %s is not available for %s", stat, type);
        return;
    }
    int64_t from, to;
    if (stat_window(c, &from, &to) != 0)
        return;
    obj *o = store_get_typed(c->e->st, type, id);
    if (!o) {
        result_fail(c->res, "Cannot find %s with id: %s", type, id);
        return;
    }
    c->res->kind = RD_TEXT;
    c->res->has_data = 1;
    /* one sample "now", reported only when now lies in the window */
    int64_t now = ovm_now_ms();
    if (now / 1000 * 1000 < from || now > to)
        return;
    char when[64];
    ovm_time_header(now, when, sizeof when);
    char *value = stat_now(c->e, o, stat);
    char *line = xasprintf("%s = %s", when, value);
    result_text_add(c->res, line);
    free(line);
    free(value);
}

const op ops_misc[] = {
    {GR_F_create_Tag, NULL, prepare_create_tag, 0},
    {GR_F_edit_Tag, NULL, prepare_edit_tag, 0},
    {GR_F_delete_Tag, NULL, prepare_delete_tag, 0},
    {GR_F_add_Tag, NULL, prepare_add_tag, 0},
    {GR_F_remove_Tag, NULL, prepare_remove_tag, 0},
    {GR_F_getVnicMacAddrRange, op_get_mac_range, NULL, 0},
    {GR_F_setVnicMacAddrRange, NULL, prepare_set_mac_range, 0},
    {GR_F_getStatList, op_get_stat_list, NULL, 0},
    OPS_END,
};
