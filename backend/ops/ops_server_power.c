/* Server power (doc/object-model.md §5.1 S4-S7, §6.2 S-9, S-10): the
 * ServerController of a server (its BMC: IPMI address, user, password) and
 * start, stop, kill and restart Server through it: the checks here, the
 * power flow itself in backend/flows/flow_power.c (shared with DPM).
 * The controller's password is a secret attribute: the grammar masks it in
 * job descriptions and logs, and no show row prints it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/flows/model.h"
#include "backend/flows/status.h"
#include "backend/monitor/monitor.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"
#include "backend/ops/ops_server.h"
#include "lib/util.h"

typedef enum { PW_START, PW_STOP, PW_KILL, PW_RESTART } power_verb;

/* ---- create, edit, delete ServerController ---- */

static job *prepare_create_sctl(cmdctx *c)
{
    obj *s = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!s)
        return NULL;
    const char *name = gr_get(c->cmd, "name");
    obj *have = server_controller_of(c->e, s);
    if (have) {
        result_fail(c->res, "Server %s already has ServerController %s; edit or delete it", s->name, have->name);
        return NULL;
    }
    if (name_taken(c->e, "ServerController", name, NULL)) {
        result_fail(c->res, "A ServerController named %s already exists", name);
        return NULL;
    }
    char id[64];
    new_object_id(c->cmd->type, id, sizeof id);
    gplan *p = gplan_new("ServerController", id, name);
    gplan_take_attrs(p, c->cmd);
    gplan_set(p, "server", s->id);
    if (!gr_get(c->cmd, "port"))
        gplan_set(p, "port", "623");
    static const job_spec spec = {.operation = "Create", .type = "ServerController", .fn = gplan_run_create,
                                  .plan_free = gplan_free};
    return spec_job(c, &spec, name, p, s->id, NULL);
}

/* ---- the power jobs: the power flow (flow_power.c) with the monitor's hooks ---- */

static int run_start(job *j)
{
    return power_up(j, j->plan);
}

static int run_stop(job *j)
{
    return power_down(j, j->plan, 0);
}

static int run_kill(job *j)
{
    return power_down(j, j->plan, 1);
}

static int run_restart(job *j)
{
    return power_restart(j, j->plan);
}

/* ---- checks ---- */

/* §5.1 allowed-from table. */
static int state_allows(power_verb v, obj_status st)
{
    switch (v) {
    case PW_START:
        return st == ST_STOPPED;
    case PW_KILL:
        return st == ST_STARTING || st == ST_RUNNING || st == ST_STOPPING;
    default:
        return st == ST_RUNNING;
    }
}

/* S-9: no live VM on s unless it is in maintenance mode. */
static int check_vms(cmdctx *c, const obj *s)
{
    if (obj_is(s, "maintenanceMode", "Yes"))
        return 0;
    obj **vms;
    size_t n = store_find_by(c->e->st, "Vm", "server", s->id, &vms), live = 0;
    char list[1024] = "";
    for (size_t i = 0; i < n; i++) {
        if (!status_is_live(status_get(vms[i])))
            continue;
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", live ? ", " : "", vms[i]->name);
        live++;
    }
    free(vms);
    if (!live)
        return 0;
    result_fail(c->res, "Server %s runs %zu Vm(s): %s; migrate or stop them, or set maintenanceMode=Yes first", s->name,
                live, list);
    return -1;
}

static const char *const verb_names[] = {"start", "stop", "kill", "restart"};

static job *prepare_power(cmdctx *c, power_verb v)
{
    static const job_fn fns[] = {run_start, run_stop, run_kill, run_restart};
    static const char *const ops[] = {"Start", "Stop", "Kill", "Restart"};
    static const char *const goals[] = {JOB_GOAL_RUNNING, JOB_GOAL_STOPPED, JOB_GOAL_STOPPED, JOB_GOAL_RUNNING};
    obj *s = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!s)
        return NULL;
    obj_status st = status_get(s);
    if (!state_allows(v, st)) {
        result_fail(c->res, "Cannot %s Server %s: its status is %s", verb_names[v], s->name, status_name(st));
        return NULL;
    }
    if ((v == PW_STOP || v == PW_RESTART) && check_vms(c, s) != 0)
        return NULL;
    obj *ctl = server_controller_of(c->e, s);
    if (!ctl) {
        if (v == PW_START)
            result_fail(c->res, "Server %s has no power-on method (no Wake-on-LAN, no ServerController)", s->name);
        else
            result_fail(c->res, "Server %s has no ServerController; create one with create ServerController "
                                "ipAddress=<BMC> userName=<user> password=<password> name=<name> on Server %s",
                        s->name, s->name);
        return NULL;
    }
    power_plan *p = power_plan_new(c->e, s, ctl, &monitor_power_hooks);
    job_spec spec = {.operation = ops[v], .type = "Server", .fn = fns[v], .plan_free = power_plan_free,
                     .goal = goals[v]};
    return spec_job(c, &spec, s->name, p, s->id, NULL);
}

static job *prepare_start(cmdctx *c)
{
    return prepare_power(c, PW_START);
}

static job *prepare_stop(cmdctx *c)
{
    return prepare_power(c, PW_STOP);
}

static job *prepare_kill(cmdctx *c)
{
    return prepare_power(c, PW_KILL);
}

static job *prepare_restart(cmdctx *c)
{
    return prepare_power(c, PW_RESTART);
}

const op ops_server_power[] = {
    {GR_F_create_ServerController, NULL, prepare_create_sctl, 0},
    {GR_F_edit_ServerController, NULL, prepare_edit_unique, 0},
    {GR_F_delete_ServerController, NULL, prepare_delete_plain, 0},
    {GR_F_start_Server, NULL, prepare_start, 0},
    {GR_F_stop_Server, NULL, prepare_stop, 0},
    {GR_F_kill_Server, NULL, prepare_kill, 0},
    {GR_F_restart_Server, NULL, prepare_restart, 0},
    OPS_END,
};
