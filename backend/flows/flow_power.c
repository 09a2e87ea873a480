/* Server power through its ServerController (doc/object-model.md §5.1
 * S4-S7): the one implementation of powering a server on or off over IPMI
 * (backend/agentc/ipmi.c), waiting for the chassis and the agent, the
 * server's states and the SERVER_STATE events. Used by start, stop, kill
 * and restart Server (ops_server_power.c), update Server's restart and the
 * DPM policy (backend/monitor/policy_dpm.c).
 * While a server is powered off on request it carries disconnected=Yes, so
 * that the monitor raises no SERVER_DISCONNECT or SERVER_OFFLINE for it (S5);
 * the first poll that reaches its agent clears it (S10). What the monitor
 * and HA do when a server goes down or comes up is theirs: flows may not
 * include them, so the caller passes those steps as power_hooks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backend/agentc/ipmi.h"
#include "backend/flows/flow.h"
#include "backend/flows/status.h"
#include "backend/jobs/events.h"
#include "lib/util.h"

void power_plan_free(void *arg)
{
    power_plan *p = arg;
    if (p) {
        explicit_bzero(p->password, sizeof p->password);
        free(p);
    }
}

obj *server_controller_of(engine *e, const obj *s)
{
    obj **v;
    size_t n = store_find_by(e->st, "ServerController", "server", s->id, &v);
    obj *found = n ? v[0] : NULL;
    free(v);
    return found;
}

power_plan *power_plan_new(engine *e, const obj *s, const obj *ctl, const power_hooks *hooks)
{
    power_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(e, s, &p->t);
    snprintf(p->server_id, sizeof p->server_id, "%s", s->id);
    snprintf(p->host, sizeof p->host, "%s:%s", obj_gets(ctl, "ipAddress"), obj_gets(ctl, "port"));
    snprintf(p->user, sizeof p->user, "%s", obj_gets(ctl, "userName"));
    snprintf(p->password, sizeof p->password, "%s", obj_gets(ctl, "password"));
    p->hooks = hooks;
    return p;
}

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

int power_up(job *j, power_plan *p)
{
    set_state(j, p, ST_STARTING, 1);
    if (ipmi_act(j, p, ipmi_power_on) != 0 || wait_chassis(j, p, IPMI_POWER_ON) != 0 ||
        server_wait_agent(j, &p->t, "powered on") != 0) {
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
        if (p->hooks && p->hooks->up)
            p->hooks->up(e, s);
    }
    store_unlock(e->st);
    return 0;
}

int power_down(job *j, power_plan *p, int kill)
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
        if (p->hooks && p->hooks->down)
            p->hooks->down(e, s, kill);
    }
    store_unlock(e->st);
    power_event(j, p, p->down_summary ? p->down_summary
                      : kill ? "Server powered off at once (kill Server)" : "Server shut down (stop Server)");
    return 0;
}

int power_restart(job *j, power_plan *p)
{
    return power_down(j, p, 0) == 0 ? power_up(j, p) : -1;
}

int server_power_restart(job *j, const char *server_id, const power_hooks *hooks)
{
    engine *e = j->eng;
    store_rdlock(e->st);
    obj *s = store_get_typed(e->st, "Server", server_id);
    obj *ctl = s ? server_controller_of(e, s) : NULL;
    power_plan *p = ctl ? power_plan_new(e, s, ctl, hooks) : NULL;
    store_unlock(e->st);
    if (!p)
        return 1;
    int rc = power_restart(j, p);
    power_plan_free(p);
    return rc;
}
