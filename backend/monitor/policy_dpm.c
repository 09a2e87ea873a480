/* DPM (doc/object-model.md §6.17 DPM, §7.7): in a pool with policyMode=DPM and
 * policyCpuEnable=Yes, each policy period takes at most one step, in this
 * order (T = policyCpuThreshold, L = T / 2, CPU = CPU_UTILIZATION averaged
 * over the period; only the pool's policy servers act or are acted on):
 *   1. power on: a policy server is above T and no other Running server of
 *      the pool is below T: a server DPM powered off is powered on again;
 *   2. relieve: a policy server is above T: its busiest VM moves as under
 *      DRS (policy_move_busy, events DPM_*);
 *   3. power off: no server above T, the pool keeps another Running server
 *      and the others average below L: a policy server without live VMs is
 *      shut down through its ServerController;
 *   4. consolidate: no server above T: one VM moves off the emptiest policy
 *      server below L onto a server running at least as many VMs whose CPU
 *      plus the source's stays below L (so the move cannot push it towards
 *      T: the gap between L and T is the hysteresis against powering on
 *      what was just emptied).
 * Never acted on: a server without a ServerController, in maintenance mode,
 * held by a job, whose last DPM power action failed within five periods
 * (the BMC is not asked again every period), the last Running server of the
 * pool; never moved: a VM a job holds. Nothing is powered off while any VM
 * of the pool is held by a job (a start or migration may be heading for the
 * server). Power steps are system jobs of the power flow (flow_power.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/flows/status.h"
#include "backend/jobs/events.h"
#include "backend/monitor/monitor.h"
#include "backend/monitor/policy_int.h"
#include "lib/util.h"

#define DPM_RETRY_PERIODS 5

typedef struct dpm_srv {
    obj *s;
    double cpu;  /* over the period; -1 without samples */
    size_t live; /* live VMs on it */
    int held;    /* one of them is held by a job or not Running */
} dpm_srv;

typedef struct dpm_pool {
    const obj *pool;
    dpm_srv *v;
    size_t n, running;
    double hi, lo;
    int busy;        /* index of the busiest policy server above hi, -1 */
    int powering;    /* a server is Starting or Stopping */
    int held;        /* a live VM of the pool is held by a job */
    int64_t now, from;
} dpm_pool;

static int is_policy(const dpm_pool *p, const dpm_srv *d)
{
    return obj_list_has(p->pool, "policyServers", d->s->id);
}

static void count_vms(engine *e, dpm_srv *d, int *any_held)
{
    obj **vms;
    size_t n = store_find_by(e->st, "Vm", "server", d->s->id, &vms);
    for (size_t i = 0; i < n; i++) {
        if (!status_is_live(status_get(vms[i])))
            continue;
        d->live++;
        if (vms[i]->lock_job || status_get(vms[i]) != ST_RUNNING)
            d->held = *any_held = 1;
    }
    free(vms);
}

/* Reads the pool's servers, their CPU over the period and their VMs. */
static void gather(engine *e, dpm_pool *p)
{
    obj **servers;
    p->n = store_find_by(e->st, "Server", "serverPool", p->pool->id, &servers);
    p->v = xcalloc(p->n ? p->n : 1, sizeof *p->v);
    p->busy = -1;
    for (size_t i = 0; i < p->n; i++) {
        dpm_srv *d = &p->v[i];
        d->s = servers[i];
        obj_status st = status_get(d->s);
        p->powering |= st == ST_STARTING || st == ST_STOPPING;
        d->cpu = st == ST_RUNNING ? policy_cpu_since(e, d->s->id, p->from) : -1;
        if (st != ST_RUNNING)
            continue;
        p->running++;
        if (obj_get(d->s, "dpmPoweredOff"))
            obj_unset(e->st, d->s, "dpmPoweredOff"); /* running again: no longer DPM's to power on */
        count_vms(e, d, &p->held);
        if (is_policy(p, d) && d->cpu > p->hi && (p->busy < 0 || d->cpu > p->v[p->busy].cpu))
            p->busy = (int)i;
    }
    free(servers);
}

/* The ServerController DPM may power s through, or NULL. */
static obj *powerable(engine *e, const dpm_pool *p, const obj *s)
{
    if (obj_is(s, "maintenanceMode", "Yes") || s->lock_job)
        return NULL;
    long long failed = obj_get_int(s, "dpmFailedAt", 0);
    if (failed && p->now - failed < DPM_RETRY_PERIODS * policy_period_ms(e, p->pool))
        return NULL;
    return server_controller_of(e, s);
}

/* ---- the power jobs ---- */

typedef struct dpm_power {
    power_plan *pp;
    char *why;
    int on;
} dpm_power;

static void dpm_power_free(void *arg)
{
    dpm_power *d = arg;
    if (!d)
        return;
    power_plan_free(d->pp);
    free(d->why);
    free(d);
}

static void server_event(job *j, const char *id, const char *type, const char *severity, const char *msg)
{
    obj *s = store_get_typed(j->eng->st, "Server", id);
    if (s)
        event_raise(j->eng, type, severity, s, msg, j->id);
}

static int run_power(job *j)
{
    dpm_power *d = j->plan;
    engine *e = j->eng;
    store_wrlock(e->st);
    server_event(j, d->pp->server_id, d->on ? "DPM_POWER_ON" : "DPM_POWER_OFF", "INFORMATIONAL", d->why);
    store_unlock(e->st);
    int rc = d->on ? power_up(j, d->pp) : power_down(j, d->pp, 0);
    store_wrlock(e->st);
    obj *s = store_get_typed(e->st, "Server", d->pp->server_id);
    if (s && rc == 0 && !d->on)
        obj_set(e->st, s, "dpmPoweredOff", "Yes");
    if (s && rc != 0) {
        obj_setf(e->st, s, "dpmFailedAt", "%lld", (long long)ovm_now_ms());
        char *msg = xasprintf("DPM could not power %s Server %s: %s", d->on ? "on" : "off", s->name,
                              j->error && *j->error ? j->error : "the power action failed");
        server_event(j, s->id, "DPM_POWER_FAILED", "WARNING", msg);
        free(msg);
    }
    store_unlock(e->st);
    return rc;
}

/* A DPM power job on s through ctl, saying why (taken). */
static void power_job(engine *e, obj *s, const obj *ctl, int on, char *why, policy_actions *a)
{
    char *name = job_title(on ? "DPM Power On" : "DPM Power Off", "Server", s->name);
    job *j = job_new(e, name, "system", "", s->id);
    free(name);
    job_lock(j, s->id);
    s->lock_job = j->id; /* before the lock is released: no user job may take it meanwhile */
    j->goal = xstrdup(on ? JOB_GOAL_RUNNING : JOB_GOAL_STOPPED);
    dpm_power *d = xcalloc(1, sizeof *d);
    d->pp = power_plan_new(e, s, ctl, &monitor_power_hooks);
    d->pp->down_summary = "Server shut down by DPM (stop Server)";
    d->why = why;
    d->on = on;
    j->plan = d;
    policy_add(a, j, run_power, dpm_power_free);
}

/* ---- the four steps ---- */

static int other_below(const dpm_pool *p, int self, double limit)
{
    for (size_t i = 0; i < p->n; i++)
        if ((int)i != self && status_get(p->v[i].s) == ST_RUNNING && p->v[i].cpu >= 0 && p->v[i].cpu < limit)
            return 1;
    return 0;
}

static int power_on(engine *e, dpm_pool *p, policy_actions *a)
{
    if (p->busy < 0 || other_below(p, p->busy, p->hi))
        return 0;
    for (size_t i = 0; i < p->n; i++) {
        dpm_srv *d = &p->v[i];
        obj *ctl;
        if (!is_policy(p, d) || status_get(d->s) != ST_STOPPED || !obj_is(d->s, "dpmPoweredOff", "Yes") ||
            !(ctl = powerable(e, p, d->s)))
            continue;
        const dpm_srv *b = &p->v[p->busy];
        power_job(e, d->s, ctl, 1,
                  xasprintf("DPM: Server %s CPU %.1f %% above the pool's threshold %.0f %% over the policy period "
                            "and no other running server below it; powering on Server %s",
                            b->s->name, b->cpu, p->hi, d->s->name), a);
        return 1;
    }
    return 0;
}

/* Mean CPU of the Running servers other than self with samples; 0 without any. */
static double others_mean(const dpm_pool *p, int self)
{
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        if ((int)i != self && status_get(p->v[i].s) == ST_RUNNING && p->v[i].cpu >= 0)
            sum += p->v[i].cpu, n++;
    return n ? sum / (double)n : 0;
}

static int power_off(engine *e, dpm_pool *p, policy_actions *a)
{
    int pick = -1;
    obj *pick_ctl = NULL;
    for (size_t i = 0; i < p->n; i++) {
        dpm_srv *d = &p->v[i];
        obj *ctl;
        if (!is_policy(p, d) || status_get(d->s) != ST_RUNNING || d->cpu < 0 || d->live ||
            others_mean(p, (int)i) >= p->lo || !(ctl = powerable(e, p, d->s)))
            continue;
        if (pick < 0 || d->cpu < p->v[pick].cpu)
            pick = (int)i, pick_ctl = ctl;
    }
    if (pick < 0)
        return 0;
    dpm_srv *d = &p->v[pick];
    power_job(e, d->s, pick_ctl, 0,
              xasprintf("DPM: Server %s runs no Vm and the other running servers average %.1f %% CPU, below half "
                        "the pool's threshold (%.0f %%); powering it off",
                        d->s->name, others_mean(p, pick), p->hi), a);
    return 1;
}

/* The emptiest policy server below L whose every live VM can move and that
 * could then be powered off, or -1. */
static int consolidation_source(engine *e, const dpm_pool *p)
{
    int pick = -1;
    for (size_t i = 0; i < p->n; i++) {
        const dpm_srv *d = &p->v[i];
        if (!is_policy(p, d) || status_get(d->s) != ST_RUNNING || d->cpu < 0 || d->cpu >= p->lo || !d->live ||
            d->held || !powerable(e, p, d->s))
            continue;
        if (pick < 0 || d->live < p->v[pick].live || (d->live == p->v[pick].live && d->cpu < p->v[pick].cpu))
            pick = (int)i;
    }
    return pick;
}

/* Where consolidation packs vm from server src: the Running server of the
 * pool running at least as many live VMs as src (never an empty one: that is
 * the next to power off), whose CPU plus src's stays below L, that passes
 * the live-migration checks (M-1..M-11); the fullest, then the least
 * loaded. -1 when none. */
static int packing_target(engine *e, const dpm_pool *p, int src, const obj *vm)
{
    const dpm_srv *d = &p->v[src];
    int pick = -1;
    for (size_t i = 0; i < p->n; i++) {
        const dpm_srv *t = &p->v[i];
        if ((int)i == src || status_get(t->s) != ST_RUNNING || t->cpu < 0 || t->live < d->live ||
            d->cpu + t->cpu >= p->lo)
            continue;
        if (pick >= 0 && (t->live < p->v[pick].live || (t->live == p->v[pick].live && t->cpu >= p->v[pick].cpu)))
            continue;
        char *refusal = migrate_refusal(e, vm, d->s, t->s);
        if (!refusal)
            pick = (int)i;
        free(refusal);
    }
    return pick;
}

static int consolidate(engine *e, dpm_pool *p, policy_actions *a)
{
    int src = consolidation_source(e, p);
    if (src < 0)
        return 0;
    dpm_srv *d = &p->v[src];
    obj *vm = policy_busiest_free_vm(e, d->s, p->from, NULL);
    int dst = vm ? packing_target(e, p, src, vm) : -1;
    if (dst < 0)
        return 0; /* no server to pack onto that stays well below the threshold: no move */
    const dpm_srv *t = &p->v[dst];
    char *why = xasprintf("DPM: Server %s CPU %.1f %% below half the pool's threshold (%.0f %%); moving Vm %s to "
                          "Server %s (CPU %.1f %%) to empty it and power it off",
                          d->s->name, d->cpu, p->hi, vm->name, t->s->name, t->cpu);
    policy_move(e, "DPM", vm, d->s, t->s, why, a);
    return 1;
}

void dpm_evaluate_pool(engine *e, const obj *pool, int64_t now, policy_actions *a)
{
    dpm_pool p = {.pool = pool, .now = now, .from = now - policy_period_ms(e, pool)};
    p.hi = (double)obj_get_int(pool, "policyCpuThreshold", 100);
    p.lo = p.hi / 2;
    gather(e, &p);
    /* while a server powers on or off the pool's load is about to change: wait */
    if (p.powering || power_on(e, &p, a))
        ;
    else if (p.busy >= 0) {
        char *over = policy_cpu_over(pool, p.v[p.busy].cpu);
        policy_move_busy(e, pool, "DPM", p.v[p.busy].s, over, p.from, a);
        free(over);
    } else if (!p.held && p.running >= 2 && !power_off(e, &p, a))
        consolidate(e, &p, a);
    free(p.v);
}
