/* Server power (doc/object-model.md §5.1 S4-S7, §6.2 S-9, S-10): the
 * ServerController of a server (its BMC: IPMI address, user, password) and
 * start, stop, kill and restart Server through it (backend/agentc/ipmi.c).
 * The controller's password is a secret attribute: the grammar masks it in
 * job descriptions and logs, and no show row prints it.
 * While a server is powered off on request it carries disconnected=Yes, so
 * that the monitor raises no SERVER_DISCONNECT or SERVER_OFFLINE for it (S5);
 * the first poll that reaches its agent clears it (S10). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backend/agentc/ipmi.h"
#include "backend/flows/model.h"
#include "backend/flows/status.h"
#include "backend/jobs/events.h"
#include "backend/monitor/ha.h"
#include "backend/monitor/monitor.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"
#include "backend/ops/ops_server.h"
#include "lib/util.h"

typedef enum { PW_START, PW_STOP, PW_KILL, PW_RESTART } power_verb;

typedef struct power_plan {
    agent_target t;
    char server_id[64];
    char host[300], user[64], password[64];
} power_plan;

static void power_plan_free(void *arg)
{
    power_plan *p = arg;
    if (p) {
        explicit_bzero(p->password, sizeof p->password);
        free(p);
    }
}

/* The ServerController of server s, or NULL. Read lock held. */
static obj *controller_of(engine *e, const obj *s)
{
    obj **v;
    size_t n = store_find_by(e->st, "ServerController", "server", s->id, &v);
    obj *found = n ? v[0] : NULL;
    free(v);
    return found;
}

/* ---- create, edit, delete ServerController ---- */

static job *prepare_create_sctl(cmdctx *c)
{
    obj *s = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!s)
        return NULL;
    const char *name = gr_get(c->cmd, "name");
    obj *have = controller_of(c->e, s);
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

/* ---- the power jobs ---- */

static ipmi_endpoint endpoint_of(const job *j, const power_plan *p)
{
    return (ipmi_endpoint){.host = p->host, .user = p->user, .password = p->password,
                           .timeout_ms = (j->eng->cfg.ipmi_timeout > 0 ? j->eng->cfg.ipmi_timeout : 10) * 1000L};
}

static long wait_budget_ms(const job *j)
{
    return (j->eng->cfg.power_timeout > 0 ? j->eng->cfg.power_timeout : 600) * 1000L;
}

/* Sets the server's status, disconnected while it is powered off on request,
 * and powerJob=Yes while it is Starting or Stopping for a power job (a
 * Manager restart settles such a server: monitor_settle_power). */
static void set_state(job *j, const power_plan *p, obj_status st, int off)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    obj *s = store_get_typed(e->st, "Server", p->server_id);
    if (s) {
        status_set(e->st, s, st);
        if (off)
            obj_set(e->st, s, "disconnected", "Yes");
        else
            obj_unset(e->st, s, "disconnected");
        if (st == ST_STARTING || st == ST_STOPPING)
            obj_set(e->st, s, "powerJob", "Yes");
        else
            obj_unset(e->st, s, "powerJob");
    }
    store_unlock(e->st);
}

static void power_event(job *j, const power_plan *p, const char *summary)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    obj *s = store_get_typed(e->st, "Server", p->server_id);
    if (s)
        event_raise(e, "SERVER_STATE", "INFORMATIONAL", s, summary, j->id);
    store_unlock(e->st);
}

/* Waits (bounded by power.wait_timeout) until the chassis reports want. */
static int wait_chassis(job *j, const power_plan *p, ipmi_power want)
{
    ipmi_endpoint ep = endpoint_of(j, p);
    char *err = NULL;
    ipmi_power now = want == IPMI_POWER_ON ? IPMI_POWER_OFF : IPMI_POWER_ON;
    int64_t end = ovm_now_ms() + wait_budget_ms(j);
    for (;;) {
        free(err);
        err = NULL;
        if (ipmi_power_status(&ep, &now, &err) == 0 && now == want)
            return 0;
        if (ovm_now_ms() >= end || job_aborted(j) || j->eng->stopping)
            break;
        usleep(500 * 1000);
    }
    if (err)
        job_fail(j, "Server %s: %s", p->t.name, err);
    else
        job_fail(j, "Server %s did not power %s within %ld s: its ServerController still reports power %s",
                 p->t.name, want == IPMI_POWER_ON ? "on" : "off", wait_budget_ms(j) / 1000,
                 now == IPMI_POWER_ON ? "on" : "off");
    free(err);
    return -1;
}

/* Waits (bounded by power.wait_timeout) until the server's agent answers
 * again; fails j if it does not. */
int server_wait_agent(job *j, agent_target *t, const char *what)
{
    int64_t end = ovm_now_ms() + wait_budget_ms(j);
    for (;;) {
        char *err = NULL;
        xr_value *ver = NULL;
        int rc = agent_get_api_version(AGENT_TRY(j->eng, t, &err), &ver);
        xr_free(ver);
        free(err);
        if (rc == AGC_OK)
            return 0;
        if (ovm_now_ms() >= end || job_aborted(j) || j->eng->stopping)
            break;
        usleep(500 * 1000);
    }
    job_fail(j, "Server %s was %s but its Oracle VM Agent did not answer within %ld s", t->name, what,
             wait_budget_ms(j) / 1000);
    return -1;
}

/* One IPMI chassis action; a failure fails the job with FreeIPMI's reason. */
static int ipmi_act(job *j, const power_plan *p, int (*act)(const ipmi_endpoint *, char **))
{
    ipmi_endpoint ep = endpoint_of(j, p);
    char *err = NULL;
    if (act(&ep, &err) == 0)
        return 0;
    job_fail(j, "Server %s: %s", p->t.name, err ? err : "IPMI failed");
    free(err);
    return -1;
}

/* S7: Starting, power on, Running when the agent answers. */
static int power_up(job *j, power_plan *p)
{
    set_state(j, p, ST_STARTING, 1);
    if (ipmi_act(j, p, ipmi_power_on) != 0 || wait_chassis(j, p, IPMI_POWER_ON) != 0 || server_wait_agent(j, &p->t, "powered on") != 0) {
        set_state(j, p, ST_STOPPED, 1);
        return -1;
    }
    engine *e = j->eng;
    store_wrlock(e->st);
    obj *s = store_get_typed(e->st, "Server", p->server_id);
    if (s) {
        status_set(e->st, s, ST_RUNNING);
        obj_unset(e->st, s, "disconnected");
        obj_unset(e->st, s, "powerJob");
        obj_setf(e->st, s, "lastContact", "%lld", (long long)ovm_now_ms());
        event_raise(e, "SERVER_STATE", "INFORMATIONAL", s, "Server powered on through its ServerController", j->id);
        if (obj_get(s, "serverPool"))
            ha_kick(e, obj_gets(s, "serverPool")); /* H-5: waiting HA VMs may fit now */
    }
    store_unlock(e->st);
    return 0;
}

/* S4, S5: Stopping, IPMI soft off (stop) or power off (kill), Stopped when
 * the chassis is off; its VMs as after a failure, without the events. */
static int power_down(job *j, power_plan *p, int kill)
{
    set_state(j, p, ST_STOPPING, 1);
    if (ipmi_act(j, p, kill ? ipmi_power_off : ipmi_power_soft) != 0 || wait_chassis(j, p, IPMI_POWER_OFF) != 0) {
        /* the server was not powered off: it runs on as before */
        set_state(j, p, ST_RUNNING, 0);
        return -1;
    }
    engine *e = j->eng;
    store_wrlock(e->st);
    obj *s = store_get_typed(e->st, "Server", p->server_id);
    if (s) {
        obj_set(e->st, s, "disconnected", "Yes");
        obj_unset(e->st, s, "powerJob");
        monitor_server_down(e, s, ovm_now_ms(), kill ? DOWN_KILLED : DOWN_STOPPED);
    }
    store_unlock(e->st);
    power_event(j, p, kill ? "Server powered off at once (kill Server)" : "Server shut down (stop Server)");
    return 0;
}

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

static int run_restart_plan(job *j, power_plan *p)
{
    return power_down(j, p, 0) == 0 ? power_up(j, p) : -1;
}

static int run_restart(job *j)
{
    return run_restart_plan(j, j->plan);
}

/* The plan of a power job on s through its controller ctl. Read lock held. */
static power_plan *plan_of(engine *e, const obj *s, const obj *ctl)
{
    power_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(e, s, &p->t);
    snprintf(p->server_id, sizeof p->server_id, "%s", s->id);
    snprintf(p->host, sizeof p->host, "%s:%s", obj_gets(ctl, "ipAddress"), obj_gets(ctl, "port"));
    snprintf(p->user, sizeof p->user, "%s", obj_gets(ctl, "userName"));
    snprintf(p->password, sizeof p->password, "%s", obj_gets(ctl, "password"));
    return p;
}

int server_power_restart(job *j, const char *server_id)
{
    engine *e = j->eng;
    store_rdlock(e->st);
    obj *s = store_get_typed(e->st, "Server", server_id);
    obj *ctl = s ? controller_of(e, s) : NULL;
    power_plan *p = ctl ? plan_of(e, s, ctl) : NULL;
    store_unlock(e->st);
    if (!p)
        return 1;
    int rc = run_restart_plan(j, p);
    power_plan_free(p);
    return rc;
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
    obj *ctl = controller_of(c->e, s);
    if (!ctl) {
        if (v == PW_START)
            result_fail(c->res, "Server %s has no power-on method (no Wake-on-LAN, no ServerController)", s->name);
        else
            result_fail(c->res, "Server %s has no ServerController; create one with create ServerController "
                                "ipAddress=<BMC> userName=<user> password=<password> name=<name> on Server %s",
                        s->name, s->name);
        return NULL;
    }
    power_plan *p = plan_of(c->e, s, ctl);
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
