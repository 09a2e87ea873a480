/* Server commands: discoverServer, takeOwnership, releaseOwnership,
 * updateAgentPassword, refresh, edit and delete Server (doc/object-model.md §5.1-§5.3, §6.2).
 * This file: the table, edit and delete; ops_server_discover.c: discovery;
 * ops_server_owner.c: ownership, agent password, refresh. */
#include "backend/ops/ops_server.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backend/agentc/ca.h"
#include "backend/flows/discover.h"
#include "backend/jobs/events.h"
#include "backend/ops/generic.h"
#include "backend/monitor/ha.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "lib/crashpoint.h"
#include "lib/log.h"
#include "lib/util.h"

void srv_plan_free(void *arg)
{
    srv_plan *p = arg;
    if (p) {
        gplan_free(p->edit);
        ha_evac_free(p->evac);
        free(p);
    }
}

/* ---- edit Server ---- */

static int run_edit_server(job *j)
{
    srv_plan *p = j->plan;
    engine *e = j->eng;
    if (p->push_roles) {
        const char *roles = !strcmp(p->roles, "VM,UTILITY") || !strcmp(p->roles, "UTILITY,VM") ? "xen,utility"
                            : !strcmp(p->roles, "VM")                                      ? "xen"
                            : !strcmp(p->roles, "UTILITY")                                 ? "utility"
                                                                                           : "";
        if (agent_update_server_roles(AGENT_JOB(j, &p->t), roles, NULL) != 0)
            return -1;
    }
    if (p->push_ntp) {
        xr_value *servers = xr_array();
        char **items;
        size_t n = split_list(p->ntp[0] ? p->ntp : "127.127.1.0", &items);
        for (size_t i = 0; i < n; i++)
            xr_array_add(servers, xr_string(items[i]));
        free_list(items, n);
        int rc = agent_set_ntp(AGENT_JOB(j, &p->t), servers, 1, NULL);
        xr_free(servers);
        if (rc != 0)
            return -1;
    }
    int rc = gplan_store_edit(j, p->edit);
    if (rc == 0 && p->evac)
        rc = ha_evacuate(j, p->evac);
    if (rc == 0 && p->kick_pool[0]) {
        store_wrlock(e->st);
        ha_kick(e, p->kick_pool);
        store_unlock(e->st);
    }
    return rc;
}

static int check_roles(cmdctx *c, obj *s, const char *roles)
{
    int want_vm = strstr(roles, "VM") != NULL, has_vm = !obj_get(s, "roles") || strstr(obj_gets(s, "roles"), "VM");
    if (want_vm == has_vm)
        return 0;
    obj **vms;
    size_t n = store_find_by(c->e->st, "Vm", "server", s->id, &vms);
    free(vms);
    if (!obj_get(s, "serverPool") || n) {
        result_fail(c->res,
                    "The VM role of Server %s can only change while it is in a server pool and has no Vms", s->name);
        return -1;
    }
    return 0;
}

/* edit Server takeOwnership=Yes|No, Oracle VM 3.2's spelling: the password
 * kept from discoverServer takes ownership, No releases it. Alone, because
 * the other attributes need an owned server (project choice). */
static job *prepare_edit_ownership(cmdctx *c, obj *s, const char *take)
{
    if (c->cmd->nattrs > 1) {
        result_fail(c->res, "takeOwnership cannot be combined with other attributes; edit them separately");
        return NULL;
    }
    if (strcmp(take, "Yes") != 0)
        return prepare_release(c);
    const char *pw = obj_gets(s, "agentPassword");
    if (!*pw && !obj_is(s, "ownership", "Owned")) {
        result_fail(c->res, "No agent password of Server %s is on record; use takeOwnership Server <instance> "
                            "password=<password>", s->name);
        return NULL;
    }
    return take_with_password(c, s, pw);
}

static job *prepare_edit_server(cmdctx *c)
{
    obj *s = server_instance(c);
    if (!s)
        return NULL;
    const char *take = gr_get(c->cmd, "takeOwnership");
    if (take)
        return prepare_edit_ownership(c, s, take);
    int only_names = 1;
    for (size_t i = 0; i < c->cmd->nattrs; i++)
        if (strcmp(c->cmd->attrs[i].key, "name") && strcmp(c->cmd->attrs[i].key, "description"))
            only_names = 0;
    obj_status st = status_get(s);
    if (!only_names) {
        if (!obj_is(s, "ownership", "Owned")) {
            result_fail(c->res, "Server %s is not owned by this Manager; take ownership first", s->name);
            return NULL;
        }
        if (st != ST_RUNNING && st != ST_STOPPED) {
            result_fail(c->res, "Cannot edit Server %s: its status is %s", s->name, status_name(st));
            return NULL;
        }
    }
    const char *roles = gr_get(c->cmd, "roles");
    if (roles && check_roles(c, s, roles))
        return NULL;
    const char *ntp = gr_get(c->cmd, "ntpServers"); /* at most 8: the grammar's max_items */
    gplan *edit = gplan_edit_plan(c, s, 1);
    if (!edit)
        return NULL;
    srv_plan *p = plan_for(c, s);
    p->edit = edit;
    p->push_roles = roles && st == ST_RUNNING;
    p->push_ntp = ntp && st == ST_RUNNING;
    snprintf(p->roles, sizeof p->roles, "%s", roles ? roles : "");
    snprintf(p->ntp, sizeof p->ntp, "%s", ntp ? ntp : "");
    job *j = server_job(c, "Edit", s, run_edit_server, p);
    const char *mm = gr_get(c->cmd, "maintenanceMode");
    if (mm && !strcmp(mm, "Yes") && st == ST_RUNNING)
        p->evac = ha_evac_plan(c->e, j, s);
    else if (mm && !strcmp(mm, "No"))
        snprintf(p->kick_pool, sizeof p->kick_pool, "%s", obj_gets(s, "serverPool"));
    return j;
}

/* setMaintenanceMode Server mode=on|off (Oracle VM 3.3): edit Server
 * maintenanceMode=Yes|No, the same job and evacuation. */
static job *prepare_set_maintenance(cmdctx *c)
{
    gr_kv kv = {.def = gr_cmd_attr(gr_cmd_by_id(GR_F_edit_Server), "maintenanceMode"),
                .key = "maintenanceMode",
                .value = strcmp(gr_get(c->cmd, "mode"), "on") ? "No" : "Yes"};
    gr_command edit = *c->cmd;
    edit.def = gr_cmd_by_id(GR_F_edit_Server);
    edit.verb = "edit";
    edit.attrs = &kv;
    edit.nattrs = 1;
    cmdctx ec = *c;
    ec.cmd = &edit;
    return prepare_edit_server(&ec);
}

/* ---- delete Server ---- */

static int run_delete_server(job *j)
{
    srv_plan *p = j->plan;
    engine *e = j->eng;
    if (p->take) { /* owned and reachable: release first (S-11) */
        char *err = NULL;
        int rc = agent_release_ownership(AGENT_TRY(e, &p->t, &err), e->manager_id, NULL);
        if (rc != AGC_OK)
            log_warn("delete Server %s: release_ownership failed: %s", p->t.name, err ? err : "");
        free(err);
    }
    store_wrlock(e->st);
    store_begin(e->st);
    obj *s = store_get(e->st, p->server_id);
    if (s) {
        relations_on_delete(e, s);
        store_delete(e->st, s);
    }
    store_commit(e->st);
    store_unlock(e->st);
    return 0;
}

static job *prepare_delete_server(cmdctx *c)
{
    obj *s = server_instance(c);
    if (!s)
        return NULL;
    obj *pool = store_get(c->e->st, obj_gets(s, "serverPool"));
    if (pool) {
        result_fail(c->res, "Cannot delete Server %s: it is in use by ServerPool %s", s->name, pool->name);
        return NULL;
    }
    if (delete_refused(c, s))
        return NULL;
    obj_status st = status_get(s);
    if (st == ST_STARTING || st == ST_STOPPING) {
        result_fail(c->res, "Cannot delete Server %s: its status is %s", s->name, status_name(st));
        return NULL;
    }
    srv_plan *p = plan_for(c, s);
    p->take = obj_is(s, "ownership", "Owned") && st == ST_RUNNING;
    return server_job(c, "Delete", s, run_delete_server, p);
}

const op ops_server[] = {
    {GR_F_discoverServer, NULL, prepare_discover, 0},
    {GR_F_takeOwnership_Server, NULL, prepare_take, 0},
    {GR_F_releaseOwnership_Server, NULL, prepare_release, 0},
    {GR_F_updateAgentPassword_Server, NULL, prepare_update_password, 0},
    {GR_F_refresh_Server, NULL, prepare_refresh, 0},
    {GR_F_edit_Server, NULL, prepare_edit_server, 0},
    {GR_F_setMaintenanceMode_Server, NULL, prepare_set_maintenance, 0},
    {GR_F_delete_Server, NULL, prepare_delete_server, 0},
    OPS_END,
};
