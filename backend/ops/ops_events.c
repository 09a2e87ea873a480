/* Events (doc/object-model.md §5.7): getEvents, getEventsForObject,
 * getTriageEvent, getEventListByQuery and ackEvent. Every reader is one
 * filter (ev_query) over one scan of the events table, so the four commands
 * cannot disagree about what an option means. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "backend/ops/ops.h"
#include "backend/store/store_tables.h"
#include "lib/util.h"

/* Severity order, lowest first (the grammar's e_severity): ranks compare. */
static int severity_rank(const char *sev)
{
    static const char *const order[] = {"UNKNOWN", "INFORMATIONAL", "WARNING", "ERROR", "CRITICAL"};
    for (int i = 0; sev && i < 5; i++)
        if (!strcasecmp(sev, order[i]))
            return i;
    return 0;
}

static const char *severity_label(const char *sev)
{
    static const char *const labels[] = {"Unknown", "Informational", "Warning", "Error", "Critical"};
    return labels[severity_rank(sev)];
}

typedef struct ev_query {
    char **targets; /* NULL: every object */
    size_t ntargets;
    int open_only;         /* acknowledged=No (Oracle's default) */
    int user_ackable;      /* -1 any, 0 or 1 */
    int sev_rank, sev_cmp; /* sev_rank -1: any; sev_cmp an index into e_sev_eq */
    char **types;          /* eventTypes, matched as substrings */
    size_t ntypes;
    int types_negated; /* NOT_LIKE */
    int64_t from_ms, to_ms;
    long long amount; /* 0: all */
    int triage;       /* keep only the highest severity */
} ev_query;

static void ev_query_free(ev_query *q)
{
    for (size_t i = 0; i < q->ntargets; i++)
        free(q->targets[i]);
    free(q->targets);
    for (size_t i = 0; i < q->ntypes; i++)
        free(q->types[i]);
    free(q->types);
}

static int sev_matches(const ev_query *q, int rank)
{
    if (q->sev_rank < 0)
        return 1;
    switch (q->sev_cmp) {
    case 0: return rank < q->sev_rank;
    case 1: return rank <= q->sev_rank;
    case 2: return rank > q->sev_rank;
    case 3: return rank >= q->sev_rank;
    case 5: return rank != q->sev_rank;
    default: return rank == q->sev_rank;
    }
}

static int type_matches(const ev_query *q, const char *type)
{
    if (!q->ntypes)
        return 1;
    int hit = 0;
    for (size_t i = 0; i < q->ntypes && !hit; i++)
        hit = type && strcasestr(type, q->types[i]) != NULL;
    return q->types_negated ? !hit : hit;
}

static int ev_matches(const ev_query *q, const store_event_row *r)
{
    int rank = severity_rank(r->severity);
    if (q->ntargets > 1) {
        size_t i = 0;
        while (i < q->ntargets && strcmp(q->targets[i], r->target ? r->target : ""))
            i++;
        if (i == q->ntargets)
            return 0;
    }
    if (q->user_ackable >= 0 && (rank >= 2) != q->user_ackable)
        return 0;
    return sev_matches(q, rank) && type_matches(q, r->type) && r->time_ms >= q->from_ms && r->time_ms <= q->to_ms;
}

/* The matches, oldest first; only the newest q->amount are kept. */
typedef struct ev_hits {
    const ev_query *q;
    int64_t *ids;
    char **lines;
    int *ranks;
    size_t n, cap;
} ev_hits;

static void hits_push(ev_hits *h, const store_event_row *r)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 64;
        h->ids = xrealloc(h->ids, h->cap * sizeof *h->ids);
        h->lines = xrealloc(h->lines, h->cap * sizeof *h->lines);
        h->ranks = xrealloc(h->ranks, h->cap * sizeof *h->ranks);
    }
    h->ids[h->n] = r->id;
    h->ranks[h->n] = severity_rank(r->severity);
    h->lines[h->n++] = xasprintf("%s %s", severity_label(r->severity), r->summary ? r->summary : "");
}

static int collect(void *ctx, const store_event_row *r)
{
    ev_hits *h = ctx;
    if (!ev_matches(h->q, r))
        return 0;
    if (h->q->triage && h->n) { /* keep one: the highest, the newest of equals */
        if (severity_rank(r->severity) < h->ranks[0])
            return 0;
        free(h->lines[0]);
        h->n = 0;
    }
    hits_push(h, r);
    return 0;
}

static void hits_render(ev_hits *h, result *res)
{
    size_t first = h->q->amount > 0 && (size_t)h->q->amount < h->n ? h->n - (size_t)h->q->amount : 0;
    for (size_t i = 0; i < h->n; i++) {
        if (i >= first) {
            char idtext[32];
            snprintf(idtext, sizeof idtext, "%lld", (long long)h->ids[i]);
            result_list_add(res, idtext, h->lines[i]);
        }
        free(h->lines[i]);
    }
    free(h->ids);
    free(h->lines);
    free(h->ranks);
}

static void run_query(cmdctx *c, const ev_query *q)
{
    ev_hits h = {.q = q};
    char *err = NULL;
    const char *target = q->ntargets == 1 ? q->targets[0] : NULL;
    result_list_begin(c->res);
    if (store_event_scan(c->e->st, target, q->open_only, collect, &h, &err) != 0) {
        result_fail(c->res, "Cannot read events: %s", err);
        free(err);
    }
    hits_render(&h, c->res);
}

/* The id events are kept under for value (a name or an id of type). Events of
 * a deleted object stay readable by its id. 0, or -1 after result_fail. */
static int event_target(cmdctx *c, const char *type, const char *value, char **id)
{
    int count = 0;
    obj *o = lookup_ref(c->e, type, value, &count);
    if (count > 1) {
        result_fail(c->res, "More than one %s has name: %s; use id=", type, value);
        return -1;
    }
    if (o && strcmp(o->type, type) == 0) {
        *id = xstrdup(o->id);
        return 0;
    }
    if (store_event_target_known(c->e->st, value)) {
        *id = xstrdup(value);
        return 0;
    }
    result_fail(c->res, "Cannot find %s with name or id: %s", type, value);
    return -1;
}

static int add_targets(cmdctx *c, ev_query *q, const char *type, const char *list)
{
    char *copy = xstrdup(list), *save = NULL;
    int rc = 0;
    for (char *v = strtok_r(copy, ",", &save); v && rc == 0; v = strtok_r(NULL, ",", &save)) {
        char *id;
        if ((rc = event_target(c, type, v, &id)) != 0)
            break;
        q->targets = xrealloc(q->targets, (q->ntargets + 1) * sizeof *q->targets);
        q->targets[q->ntargets++] = id;
    }
    free(copy);
    return rc;
}

static int parse_window(cmdctx *c, ev_query *q)
{
    const char *s = gr_get(c->cmd, "startTime"), *e = gr_get(c->cmd, "endTime");
    q->from_ms = 0;
    q->to_ms = INT64_MAX;
    const char *bad = s && ovm_parse_local_time(s, &q->from_ms) ? "startTime" : NULL;
    if (!bad && e && ovm_parse_local_time(e, &q->to_ms))
        bad = "endTime";
    if (bad) {
        result_fail(c->res, "Invalid value '%s' for %s; expected " OVM_LOCAL_TIME_FORMS,
                    gr_get(c->cmd, bad), bad);
        return -1;
    }
    /* a minute given without seconds ends with the minute */
    if (e && !strchr(strchr(e, ':') ? strchr(e, ':') + 1 : e, ':'))
        q->to_ms += 59999;
    if (q->to_ms < q->from_ms) {
        result_fail(c->res, "Invalid value '%s' for endTime; expected a time not before startTime", e);
        return -1;
    }
    return 0;
}

static int enum_index(const char *v, const char *const *names)
{
    for (int i = 0; v && names[i]; i++)
        if (!strcasecmp(v, names[i]))
            return i;
    return -1;
}

static void add_types(ev_query *q, const char *list)
{
    char *copy = xstrdup(list), *save = NULL;
    for (char *v = strtok_r(copy, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
        q->types = xrealloc(q->types, (q->ntypes + 1) * sizeof *q->types);
        q->types[q->ntypes++] = xstrdup(v);
    }
    free(copy);
}

/* The options every reader shares; 0, or -1 after result_fail. */
static int common_options(cmdctx *c, ev_query *q, const char *ids_key)
{
    static const char *const cmp[] = {"LT", "LTE", "GT", "GTE", "EQ", "NE", NULL};
    const char *ack = gr_get(c->cmd, "acknowledged"), *type = gr_get(c->cmd, "objType");
    const char *ua = gr_get(c->cmd, "userAckable"), *amount = gr_get(c->cmd, "amount");
    q->open_only = !ack || strcasecmp(ack, "Yes") != 0;
    q->user_ackable = ua ? !strcasecmp(ua, "Yes") : -1;
    q->sev_rank = gr_get(c->cmd, "severity") ? severity_rank(gr_get(c->cmd, "severity")) : -1;
    q->sev_cmp = gr_get(c->cmd, "severityEqualityType") ? enum_index(gr_get(c->cmd, "severityEqualityType"), cmp) : 4;
    if (gr_get(c->cmd, "eventTypes"))
        add_types(q, gr_get(c->cmd, "eventTypes"));
    q->types_negated = gr_get(c->cmd, "eventEqualityType") && !strcasecmp(gr_get(c->cmd, "eventEqualityType"), "NOT_LIKE");
    if (!amount)
        amount = gr_get(c->cmd, "maxResults");
    q->amount = amount ? strtoll(amount, NULL, 10) : 0;
    if (type && add_targets(c, q, type, gr_get(c->cmd, ids_key)) != 0)
        return -1;
    return parse_window(c, q);
}

/* ids_key: the attribute naming the object(s); every_state: acknowledged
 * events too whatever the options say; triage: only the one to look at first. */
static void read_events(cmdctx *c, const char *ids_key, int every_state, int triage)
{
    ev_query q = {0};
    if (common_options(c, &q, ids_key) == 0) {
        q.open_only = q.open_only && !every_state;
        q.triage = triage;
        run_query(c, &q);
    }
    ev_query_free(&q);
}

static void op_get_events(cmdctx *c)
{
    read_events(c, "objId", 0, 0);
}

static void op_get_event_list_by_query(cmdctx *c)
{
    read_events(c, "objIds", 0, 0);
}

/* Oracle: "lists the events for an object": acknowledged ones too. */
static void op_get_events_for_object(cmdctx *c)
{
    read_events(c, "objId", 1, 0);
}

/* The one event to look at first: open, highest severity, newest. */
static void op_get_triage_event(cmdctx *c)
{
    read_events(c, "objId", 0, 1);
}

/* Acknowledging twice succeeds and keeps the first acknowledgement. */
static void op_ack_event(cmdctx *c)
{
    const char *idtext = gr_get(c->cmd, "eventId");
    long long id = strtoll(idtext, NULL, 10);
    char *err = NULL;
    store_wrlock(c->e->st);
    int found = store_event_ack(c->e->st, id, c->ses->user, ovm_now_ms(), &err);
    if (found == 0)
        result_fail(c->res, "Cannot find Event with id: %s", idtext);
    else if (found < 0)
        result_fail(c->res, "Cannot acknowledge event %s: %s", idtext, err);
    store_unlock(c->e->st);
    free(err);
}

const op ops_events[] = {
    {GR_F_getEvents, op_get_events, NULL, 0},
    {GR_F_getEventsForObject, op_get_events_for_object, NULL, 0},
    {GR_F_getTriageEvent, op_get_triage_event, NULL, 0},
    {GR_F_getEventListByQuery, op_get_event_list_by_query, NULL, 0},
    {GR_F_ackEvent, op_ack_event, NULL, 1},
    OPS_END,
};
