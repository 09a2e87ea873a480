/* Statistics (doc/command-language.md §5.4): getStatList, getAverageStat,
 * getLatestStatForList and getStatListByQuery read the samples the monitor
 * keeps in the store (backend/monitor/stats.c); getStatsConfig,
 * setStatsConfig, getArchiveConfig and setArchiveConfig show and change how
 * often it samples and how long samples are kept (Manager attributes). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/monitor/stats.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"
#include "backend/render/show.h"
#include "backend/store/store_tables.h"
#include "lib/util.h"

/* Percentages with one decimal, counts and MB whole, GiB as show prints them. */
static void stat_format(const char *stat, double v, char *buf, size_t len)
{
    if (strstr(stat, "UTILIZATION"))
        snprintf(buf, len, "%.1f", v);
    else if (!strcmp(stat, "CPU_COUNT") || strstr(stat, "MEMORY"))
        snprintf(buf, len, "%lld", (long long)(v + (v < 0 ? -0.5 : 0.5)));
    else
        fmt_gib(v, buf, len);
}

typedef struct sample {
    const char *id;   /* the object's (borrowed from the store) */
    int64_t t;
    double v;
} sample;

typedef struct samples {
    sample *s;
    size_t n, cap;
    const char *id;
} samples;

static int collect(void *ctx, int64_t t, double v)
{
    samples *a = ctx;
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 64;
        a->s = xrealloc(a->s, a->cap * sizeof *a->s);
    }
    a->s[a->n++] = (sample){a->id, t, v};
    return 0;
}

/* Appends the samples of stat of o within [from, to]; -1 after result_fail. */
static int scan(cmdctx *c, const obj *o, const char *stat, int64_t from, int64_t to, samples *a)
{
    char *err = NULL;
    a->id = o->id;
    if (store_stat_scan(c->e->st, o->id, stats_canonical(stat), from, to, collect, a, &err) != 0) {
        result_fail(c->res, "Cannot read statistics: %s", err);
        free(err);
        return -1;
    }
    return 0;
}

/* The statType applies to objType, else -1 after result_fail. */
static int stat_ok(cmdctx *c)
{
    const char *type = gr_get(c->cmd, "objType"), *stat = gr_get(c->cmd, "statType");
    if (stats_applies(type, stat))
        return 0;
    result_fail(c->res, "Statistic %s is not available for %s", stat, type);
    return -1;
}

/* The time window; startTime may be optional (from 0). A whole second:
 * endTime 12:00:00 takes the samples shown as 12:00:00. 0, or -1 after result_fail. */
static int stat_window(cmdctx *c, int64_t *from, int64_t *to)
{
    const char *s = gr_get(c->cmd, "startTime"), *e = gr_get(c->cmd, "endTime");
    *from = 0;
    if (s && ovm_parse_local_time(s, from) != 0) {
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
    if (e)
        *to += 999;
    return 0;
}

/* The object of type with this id or name (Oracle: "the name or ID"). */
static obj *find(cmdctx *c, const char *type, const char *id)
{
    int count = 0;
    obj *o = lookup_ref(c->e, type, id, &count);
    if (count > 1) {
        result_fail(c->res, "More than one %s has name: %s; use its id", type, id);
        return NULL;
    }
    if (!o || strcmp(o->type, type) != 0) {
        result_fail(c->res, "Cannot find %s with id: %s", type, id);
        return NULL;
    }
    return o;
}

/* "<time> = <value>", prefixed by the object's id when with_id. */
static void add_line(cmdctx *c, const char *stat, const sample *s, int with_id)
{
    char when[64], value[64];
    ovm_time_header(s->t, when, sizeof when);
    stat_format(stat, s->v, value, sizeof value);
    char *line = with_id ? xasprintf("%s %s = %s", s->id, when, value) : xasprintf("%s = %s", when, value);
    result_text_add(c->res, line);
    free(line);
}

/* Checks, finds objId and reads its samples in the window (NULL after result_fail). */
static obj *one_object_samples(cmdctx *c, samples *a)
{
    int64_t from, to;
    if (stat_ok(c) != 0 || stat_window(c, &from, &to) != 0)
        return NULL;
    obj *o = find(c, gr_get(c->cmd, "objType"), gr_get(c->cmd, "objId"));
    if (!o || scan(c, o, gr_get(c->cmd, "statType"), from, to, a) != 0)
        return NULL;
    return o;
}

static void op_get_stat_list(cmdctx *c)
{
    samples a = {0};
    if (one_object_samples(c, &a)) {
        c->res->kind = RD_TEXT;
        c->res->has_data = 1;
        for (size_t i = 0; i < a.n; i++)
            add_line(c, gr_get(c->cmd, "statType"), &a.s[i], 0);
    }
    free(a.s);
}

static void op_get_average_stat(cmdctx *c)
{
    samples a = {0};
    if (one_object_samples(c, &a)) {
        c->res->kind = RD_SHOW;
        c->res->has_data = 1;
        double sum = 0;
        for (size_t i = 0; i < a.n; i++)
            sum += a.s[i].v;
        char value[64], count[32];
        double avg = a.n ? sum / (double)a.n : 0;
        if (strstr(gr_get(c->cmd, "statType"), "UTILIZATION"))
            stat_format("UTILIZATION", avg, value, sizeof value);
        else /* an average of counts has decimals: two of them */
            fmt_gib((double)(long long)(avg * 100 + (avg < 0 ? -0.5 : 0.5)) / 100.0, value, sizeof value);
        snprintf(count, sizeof count, "%zu", a.n);
        result_show_add(c->res, "Average", a.n ? value : "");
        result_show_add(c->res, "Samples", count);
    }
    free(a.s);
}

/* Finds every object of the comma-separated list (all or none: an unknown
 * one fails the command); the count, or -1 after result_fail. */
static int find_list(cmdctx *c, const char *type, const char *list, obj ***out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    char *copy = xstrdup(list), *save = NULL;
    for (char *id = strtok_r(copy, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
        while (*id == ' ')
            id++;
        obj *o = find(c, type, id);
        if (!o) {
            free(copy);
            free(*out);
            *out = NULL;
            return -1;
        }
        if (n == cap)
            *out = xrealloc(*out, (cap = cap ? 2 * cap : 8) * sizeof **out);
        (*out)[n++] = o;
    }
    free(copy);
    if (!n)
        result_fail(c->res, "Invalid value '%s'; expected comma-separated ids of %s objects", list, type);
    return n ? (int)n : -1;
}

static void op_get_latest_stat(cmdctx *c)
{
    obj **os;
    int n = stat_ok(c) == 0 ? find_list(c, gr_get(c->cmd, "objType"), gr_get(c->cmd, "ids"), &os) : -1;
    if (n < 0)
        return;
    c->res->kind = RD_TEXT;
    c->res->has_data = 1;
    const char *stat = gr_get(c->cmd, "statType");
    for (int i = 0; i < n; i++) {
        samples a = {0};
        if (scan(c, os[i], stat, 0, INT64_MAX, &a) == 0 && a.n)
            add_line(c, stat, &a.s[a.n - 1], 1);
        free(a.s);
    }
    free(os);
}

static int matches(const char *eq, double v, double ref)
{
    if (!strcmp(eq, "LT"))
        return v < ref;
    if (!strcmp(eq, "LTE"))
        return v <= ref;
    if (!strcmp(eq, "GT"))
        return v > ref;
    if (!strcmp(eq, "GTE"))
        return v >= ref;
    if (!strcmp(eq, "EQ"))
        return v == ref;
    return v != ref;
}

static int by_time(const void *a, const void *b)
{
    const sample *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

/* The matching samples of every object, oldest first, the newest maxResults. */
static void op_get_stat_query(cmdctx *c)
{
    int64_t from, to;
    obj **os;
    int n = stat_ok(c) == 0 && stat_window(c, &from, &to) == 0
                ? find_list(c, gr_get(c->cmd, "objType"), gr_get(c->cmd, "objIds"), &os) : -1;
    if (n < 0)
        return;
    const char *stat = gr_get(c->cmd, "statType"), *eq = gr_get(c->cmd, "equalityType");
    double ref = strtod(gr_get(c->cmd, "statValue"), NULL);
    samples all = {0};
    for (int i = 0; i < n && scan(c, os[i], stat, from, to, &all) == 0; i++)
        ;
    free(os);
    if (c->res->errmsg) {
        free(all.s);
        return;
    }
    size_t kept = 0;
    for (size_t i = 0; i < all.n; i++)
        if (matches(eq, all.s[i].v, ref))
            all.s[kept++] = all.s[i];
    if (kept > 1) /* all.s is NULL when nothing matched: qsort must not see it */
        qsort(all.s, kept, sizeof *all.s, by_time);
    const char *max = gr_get(c->cmd, "maxResults");
    size_t first = max && (size_t)atol(max) < kept ? kept - (size_t)atol(max) : 0;
    c->res->kind = RD_TEXT;
    c->res->has_data = 1;
    for (size_t i = first; i < kept; i++)
        add_line(c, stat, &all.s[i], 1);
    free(all.s);
}

static obj *manager(cmdctx *c)
{
    obj *m = store_get(c->e->st, c->e->manager_id);
    if (!m)
        result_fail(c->res, "Cannot find Manager with id: %s", c->e->manager_id);
    return m;
}

static void show_int(cmdctx *c, const char *label, int v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%d", v);
    result_show_add(c->res, label, buf);
}

static void op_get_stats_config(cmdctx *c)
{
    obj *m = manager(c);
    if (!m)
        return;
    stats_cfg s;
    stats_cfg_of(m, &s);
    c->res->kind = RD_SHOW;
    c->res->has_data = 1;
    result_show_add(c->res, "Statistics Enabled", s.enabled ? "Yes" : "No");
    show_int(c, "Sampling Interval", s.sampling);
    show_int(c, "Hold Time", s.hold);
    show_int(c, "FS Sampling Interval", s.fs_sampling);
}

/* The archive interval is the Statistics Archive Task's taskInterval. */
static void op_get_archive_config(cmdctx *c)
{
    c->res->kind = RD_SHOW;
    c->res->has_data = 1;
    show_int(c, "Interval", stats_archive_minutes(store_get(c->e->st, STORE_ARCHIVE_TASK_ID)));
}

/* A job that sets the given command attributes as Manager attributes. */
static job *settings_job(cmdctx *c, const char *const *map)
{
    obj *m = manager(c);
    if (!m)
        return NULL;
    gplan *p = gplan_new("Manager", m->id, NULL);
    for (size_t i = 0; map[i]; i += 2) {
        const char *v = gr_get(c->cmd, map[i]);
        if (!v)
            continue;
        gplan_set(p, map[i + 1], v);
        p->old[p->n - 1] = xstrdup(obj_gets(m, map[i + 1]));
    }
    if (!p->n) {
        gplan_free(p);
        result_fail(c->res, "setStatsConfig needs at least one of statisticsEnabled, samplingInterval, holdTime, "
                    "fsSamplingInterval");
        return NULL;
    }
    p->version = m->version;
    static const job_spec spec = {.operation = "Set Statistics Configuration", .type = "Manager",
                                  .fn = gplan_run_edit, .plan_free = gplan_free};
    job *j = spec_job(c, &spec, m->name, p, m->id, NULL);
    free(j->name);
    j->name = xstrdup(spec.operation);
    return j;
}

static job *prepare_set_stats_config(cmdctx *c)
{
    static const char *const map[] = {"statisticsEnabled", "statsEnabled", "samplingInterval", "statsSamplingInterval",
                                      "holdTime", "statsHoldTime", "fsSamplingInterval", "statsFsSamplingInterval",
                                      NULL};
    return settings_job(c, map);
}

/* Sets the Statistics Archive Task's taskInterval (edit PeriodicTask does the same). */
static job *prepare_set_archive_config(cmdctx *c)
{
    obj *t = store_get(c->e->st, STORE_ARCHIVE_TASK_ID);
    if (!t) {
        result_fail(c->res, "Cannot find PeriodicTask with id: %s", STORE_ARCHIVE_TASK_ID);
        return NULL;
    }
    gplan *p = gplan_new("PeriodicTask", t->id, NULL);
    gplan_set(p, "taskInterval", gr_get(c->cmd, "interval"));
    p->old[0] = xstrdup(obj_gets(t, "taskInterval"));
    p->version = t->version;
    static const job_spec spec = {.operation = "Set Archive Configuration", .type = "PeriodicTask",
                                  .fn = gplan_run_edit, .plan_free = gplan_free};
    job *j = spec_job(c, &spec, t->name, p, t->id, NULL);
    free(j->name);
    j->name = xstrdup("Set Archive Configuration");
    return j;
}

const op ops_stats[] = {
    {GR_F_getStatList, op_get_stat_list, NULL, 0},
    {GR_F_getAverageStat, op_get_average_stat, NULL, 0},
    {GR_F_getLatestStatForList, op_get_latest_stat, NULL, 0},
    {GR_F_getStatListByQuery, op_get_stat_query, NULL, 0},
    {GR_F_getStatsConfig, op_get_stats_config, NULL, 0},
    {GR_F_setStatsConfig, NULL, prepare_set_stats_config, 0},
    {GR_F_getArchiveConfig, op_get_archive_config, NULL, 0},
    {GR_F_setArchiveConfig, NULL, prepare_set_archive_config, 0},
    {GR_F_edit_PeriodicTask, NULL, prepare_edit_unique, 0},
    OPS_END,
};
