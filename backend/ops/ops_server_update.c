/* Server updates (doc/command-language.md, Server updates; doc/object-model.md
 * §3): ServerUpdateGroup (the global GlobalX86ServerUpdateConfiguration, or
 * one per pool that overrides it), its ServerUpdateRepository objects (YUM
 * repositories), checkUpToDate Server and upgrade Server. The agent reads
 * the repositories itself (check_for_updates, update_server); the Manager
 * sends it the enabled repositories of the server's group.
 * upgrade Server: maintenance mode on with the evacuation of edit Server
 * (ha_evacuate), update_server, a restart (through the ServerController
 * when there is one: server_power_restart; else the agent restarts the
 * host itself and the job waits for it to answer), maintenance mode off.
 * A failure leaves the server in maintenance mode with an event; the rest
 * of the pool is untouched. Server attributes: upToDate (Yes|No),
 * updatesAvailable (name-version list). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/status.h"
#include "backend/jobs/events.h"
#include "backend/monitor/ha.h"
#include "backend/monitor/monitor.h"
#include "backend/ops/ops_server.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define GLOBAL_GROUP "GlobalX86ServerUpdateConfiguration"

typedef struct upd_plan {
    agent_target t;
    char server_id[64], pool_id[64];
    xr_value *repos;  /* [{name, url, signed}] */
    evac_plan *evac;
    int has_controller;
} upd_plan;

static void upd_plan_free(void *arg)
{
    upd_plan *p = arg;
    if (p) {
        xr_free(p->repos);
        ha_evac_free(p->evac);
        free(p);
    }
}

/* ---- ServerUpdateGroup ---- */

static obj *group_of_pool(engine *e, const char *pool_id)
{
    obj **v;
    size_t n = store_find_by(e->st, "ServerUpdateGroup", "serverPool", pool_id, &v);
    obj *g = n ? v[0] : NULL;
    free(v);
    return g;
}

static size_t repos_of(engine *e, const obj *g, obj ***v)
{
    return store_find_by(e->st, "ServerUpdateRepository", "serverUpdateGroup", g->id, v);
}

static job *prepare_create_group(cmdctx *c)
{
    obj *pool = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!pool)
        return NULL;
    obj *have = group_of_pool(c->e, pool->id);
    if (have) {
        result_fail(c->res, "ServerPool %s already has ServerUpdateGroup %s", pool->name, have->name);
        return NULL;
    }
    gplan *p = gplan_create_unique(c);
    if (!p)
        return NULL;
    gplan_set(p, "serverPool", pool->id);
    return gplan_create_job(c, p);
}

static job *prepare_edit_group(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    return o ? gplan_prepare_edit(c, o, 1) : NULL;
}

static job *prepare_delete_group(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!o)
        return NULL;
    obj **v;
    size_t n = repos_of(c->e, o, &v);
    free(v);
    if (!obj_get(o, "serverPool")) {
        result_fail(c->res, "Cannot delete ServerUpdateGroup %s: it is the global default", o->name);
        return NULL;
    }
    if (n) {
        result_fail(c->res, "Cannot delete ServerUpdateGroup %s: it has %zu ServerUpdateRepository object(s); "
                            "delete them first", o->name, n);
        return NULL;
    }
    return gplan_delete_job(c, o);
}

/* ---- ServerUpdateRepository ---- */

/* The attributes given are sound: a URL the agent can fetch, Oracle's
 * repositoryName characters, a key with GPG. 0, or -1 after result_fail. */
static int check_repo_attrs(cmdctx *c, const obj *old)
{
    const char *url = gr_get(c->cmd, "url"), *rn = gr_get(c->cmd, "repositoryName");
    const char *type = gr_get(c->cmd, "pkgSignatureType"), *key = gr_get(c->cmd, "pkgSignatureKey");
    if (url && strncmp(url, "http://", 7) && strncmp(url, "https://", 8) && strncmp(url, "ftp://", 6)) {
        result_fail(c->res, "url must be an http://, https:// or ftp:// URL: %s", url);
        return -1;
    }
    if (key && *key && strncmp(key, "http://", 7) && strncmp(key, "https://", 8) && strncmp(key, "ftp://", 6)) {
        result_fail(c->res, "pkgSignatureKey must be an http://, https:// or ftp:// URL: %s", key);
        return -1;
    }
    for (const char *q = rn; q && *q; q++)
        if (!(*q == '_' || (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))) {
            result_fail(c->res, "repositoryName may only contain letters, digits and underscores: %s", rn);
            return -1;
        }
    if (!type && old)
        type = obj_gets(old, "pkgSignatureType");
    if (!key && old)
        key = obj_gets(old, "pkgSignatureKey");
    if (type && !strcmp(type, "GPG") && (!key || !*key)) {
        result_fail(c->res, "pkgSignatureType=GPG needs pkgSignatureKey=<URL of the GPG key>");
        return -1;
    }
    if (type && !strcmp(type, "CA")) {
        result_fail(c->res, "pkgSignatureType=CA is not supported by this Manager; use GPG or NONE");
        return -1;
    }
    return 0;
}

static job *prepare_create_repo(cmdctx *c)
{
    obj *g = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!g || check_repo_attrs(c, NULL) != 0)
        return NULL;
    gplan *p = gplan_create_unique(c);
    if (!p)
        return NULL;
    gplan_set(p, "serverUpdateGroup", g->id);
    return gplan_create_job(c, p);
}

static job *prepare_edit_repo(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!o || check_repo_attrs(c, o) != 0)
        return NULL;
    return gplan_prepare_edit(c, o, 1);
}

static job *prepare_delete_repo(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    return o ? gplan_delete_job(c, o) : NULL;
}

/* ---- checkUpToDate and upgrade Server ---- */

/* The enabled repositories of s's group (its pool's, else the global one),
 * as the agent takes them; NULL after result_fail when there are none. */
static xr_value *server_repos(cmdctx *c, const obj *s)
{
    obj *g = obj_get(s, "serverPool") ? group_of_pool(c->e, obj_gets(s, "serverPool")) : NULL;
    if (!g)
        g = store_get_typed(c->e->st, "ServerUpdateGroup", GLOBAL_GROUP);
    obj **v = NULL;
    size_t n = g ? repos_of(c->e, g, &v) : 0;
    xr_value *list = xr_array();
    for (size_t i = 0; i < n; i++) {
        if (!obj_is(v[i], "enabled", "Yes"))
            continue;
        xr_value *r = xr_struct();
        xr_struct_set(r, "name", xr_string(v[i]->name));
        xr_struct_set(r, "url", xr_string(obj_gets(v[i], "url")));
        if (obj_is(v[i], "pkgSignatureType", "GPG"))
            xr_struct_set(r, "key", xr_string(obj_gets(v[i], "pkgSignatureKey")));
        xr_array_add(list, r);
    }
    free(v);
    if (list->n)
        return list;
    xr_free(list);
    result_fail(c->res, "No enabled ServerUpdateRepository applies to Server %s (ServerUpdateGroup %s)", s->name,
                g ? g->name : GLOBAL_GROUP);
    return NULL;
}

/* Stores what the agent said about updates (a list of {name, available}). */
static void record_updates(job *j, const upd_plan *p, const xr_value *list, const char *ovm_version)
{
    engine *e = j->eng;
    strbuf sb = {0};
    for (size_t i = 0; list && i < list->n; i++) {
        const char *name = xr_get_str(xr_struct_get(list->items[i], "name"));
        const char *evr = xr_get_str(xr_struct_get(list->items[i], "available"));
        sb_addf(&sb, "%s%s-%s", i ? "," : "", name ? name : "?", evr ? evr : "?");
    }
    store_wrlock(e->st);
    obj *s = store_get_typed(e->st, "Server", p->server_id);
    if (s) {
        int up = !list || list->n == 0;
        obj_set(e->st, s, "upToDate", up ? "Yes" : "No");
        if (up)
            obj_unset(e->st, s, "updatesAvailable");
        else
            obj_set(e->st, s, "updatesAvailable", sb.buf ? sb.buf : "");
        if (ovm_version)
            obj_set(e->st, s, "ovmVersion", ovm_version);
    }
    store_unlock(e->st);
    sb_free(&sb);
}

static int run_check(job *j)
{
    upd_plan *p = j->plan;
    xr_value *res = NULL;
    if (agent_check_for_updates(AGENT_JOB(j, &p->t), p->repos, &res) != 0)
        return -1;
    record_updates(j, p, xr_struct_get(res, "updates"), NULL);
    xr_free(res);
    return 0;
}

/* Maintenance mode on s (Yes) or off (No); off lets HA retry in its pool. */
static void set_maintenance(job *j, const upd_plan *p, const char *mode)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    obj *s = store_get_typed(e->st, "Server", p->server_id);
    if (s) {
        obj_set(e->st, s, "maintenanceMode", mode);
        if (!strcmp(mode, "No") && p->pool_id[0])
            ha_kick(e, p->pool_id); /* H-5 */
    }
    store_unlock(e->st);
}

static void upgrade_event(job *j, const upd_plan *p, const char *severity, const char *summary)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    obj *s = store_get_typed(e->st, "Server", p->server_id);
    if (s)
        event_raise(e, "SERVER_UPGRADE", severity, s, summary, j->id);
    store_unlock(e->st);
}

/* Installs the updates and restarts the server. 0 or -1 (j failed). */
static int install_and_restart(job *j, upd_plan *p)
{
    xr_value *res = NULL;
    /* without a controller the agent restarts the host itself */
    if (agent_update_server(AGENT_JOB(j, &p->t), p->repos, !p->has_controller, &res) != 0)
        return -1;
    const char *ver = xr_get_str(xr_struct_get(res, "ovm_version"));
    record_updates(j, p, NULL, ver);
    xr_free(res);
    int rc = p->has_controller ? server_power_restart(j, p->server_id, &monitor_power_hooks) : server_wait_agent(j, &p->t, "restarted");
    return rc == 0 ? 0 : -1;
}

static int run_upgrade(job *j)
{
    upd_plan *p = j->plan;
    set_maintenance(j, p, "Yes");
    if ((p->evac && ha_evacuate(j, p->evac) != 0) || install_and_restart(j, p) != 0) {
        /* the server stays in maintenance mode: nothing runs on it, the pool runs on */
        upgrade_event(j, p, "ERROR", "Server upgrade failed; the server stays in maintenance mode");
        return -1;
    }
    set_maintenance(j, p, "No");
    upgrade_event(j, p, "INFORMATIONAL", "Server upgraded");
    return 0;
}

/* One server of a pool at a time: no other server of s's pool may be in
 * maintenance mode (being upgraded, or left there by a failed upgrade, which
 * so stops a rollout until it is dealt with). 0, or -1 after result_fail. */
static int check_pool_alone(cmdctx *c, const obj *s)
{
    if (!obj_get(s, "serverPool"))
        return 0;
    obj **v;
    size_t n = store_find_by(c->e->st, "Server", "serverPool", obj_gets(s, "serverPool"), &v);
    const obj *busy = NULL;
    for (size_t i = 0; i < n && !busy; i++)
        if (v[i] != s && obj_is(v[i], "maintenanceMode", "Yes"))
            busy = v[i];
    if (busy)
        result_fail(c->res, "Cannot upgrade Server %s: Server %s of the same pool is in maintenance mode; "
                            "upgrade one server of a pool at a time", s->name, busy->name);
    free(v);
    return busy ? -1 : 0;
}

/* The upgrade restarts the server: VMs running there must be able to leave
 * it, which only a clustered pool's evacuation does (MM-2). 0, or -1 after
 * result_fail. */
static int check_vms_can_leave(cmdctx *c, const obj *s)
{
    obj *pool = store_get(c->e->st, obj_gets(s, "serverPool"));
    if (pool && obj_is(pool, "clusterEnable", "Yes"))
        return 0;
    obj **vms;
    size_t n = store_find_by(c->e->st, "Vm", "server", s->id, &vms), live = 0;
    for (size_t i = 0; i < n; i++)
        live += status_is_live(status_get(vms[i])) != 0;
    free(vms);
    if (!live)
        return 0;
    result_fail(c->res, "Cannot upgrade Server %s: it runs %zu Vm(s) and its pool is not clustered, so they cannot "
                        "be evacuated; migrate or stop them first", s->name, live);
    return -1;
}

static job *prepare_update_job(cmdctx *c, int upgrade)
{
    obj *s = server_instance(c);
    if (!s)
        return NULL;
    obj_status st = status_get(s);
    if (st != ST_RUNNING || !obj_is(s, "ownership", "Owned")) {
        result_fail(c->res, "Cannot %s Server %s: it must be owned and Running (it is %s)",
                    upgrade ? "upgrade" : "check", s->name, status_name(st));
        return NULL;
    }
    if (upgrade && (check_pool_alone(c, s) != 0 || check_vms_can_leave(c, s) != 0))
        return NULL;
    xr_value *repos = server_repos(c, s);
    if (!repos)
        return NULL;
    upd_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->server_id, sizeof p->server_id, "%s", s->id);
    snprintf(p->pool_id, sizeof p->pool_id, "%s", obj_gets(s, "serverPool"));
    p->repos = repos;
    obj **v;
    p->has_controller = store_find_by(c->e->st, "ServerController", "server", s->id, &v) > 0;
    free(v);
    job_spec spec = {.operation = upgrade ? "Upgrade" : "Check Up To Date", .type = "Server",
                     .fn = upgrade ? run_upgrade : run_check, .plan_free = upd_plan_free};
    job *j = spec_job(c, &spec, s->name, p, s->id, NULL);
    if (j && upgrade && !obj_is(s, "maintenanceMode", "Yes"))
        p->evac = ha_evac_plan(c->e, j, s);
    return j;
}

static job *prepare_check(cmdctx *c)
{
    return prepare_update_job(c, 0);
}

static job *prepare_upgrade(cmdctx *c)
{
    return prepare_update_job(c, 1);
}

/* The global ServerUpdateGroup every Manager has (Oracle's id). Write lock held. */
void ensure_update_group(engine *e)
{
    if (!store_get(e->st, GLOBAL_GROUP))
        store_create(e->st, "ServerUpdateGroup", GLOBAL_GROUP, GLOBAL_GROUP);
}

const op ops_server_update[] = {
    {GR_F_create_ServerUpdateGroup, NULL, prepare_create_group, 0},
    {GR_F_edit_ServerUpdateGroup, NULL, prepare_edit_group, 0},
    {GR_F_delete_ServerUpdateGroup, NULL, prepare_delete_group, 0},
    {GR_F_create_ServerUpdateRepository, NULL, prepare_create_repo, 0},
    {GR_F_edit_ServerUpdateRepository, NULL, prepare_edit_repo, 0},
    {GR_F_delete_ServerUpdateRepository, NULL, prepare_delete_repo, 0},
    {GR_F_checkUpToDate_Server, NULL, prepare_check, 0},
    {GR_F_upgrade_Server, NULL, prepare_upgrade, 0},
    OPS_END,
};
