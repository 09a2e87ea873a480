/* Server pool policies (policy.h): the period, CPU averages and VM moves
 * DRS and DPM share (policy_int.h), and DRS itself. DPM is policy_dpm.c.
 * DRS: a server of a pool with policyMode=DRS and
 * policyCpuEnable=Yes that is in its policyServers and whose CPU_UTILIZATION
 * samples averaged above policyCpuThreshold over the last policyPeriod (or
 * whose network usage is above a ServerPoolNetworkPolicy: policy_net.c) gives
 * up its busiest Running VM that no job holds, to the server
 * migrate_choose picks (anti-affinity, CPU compatibility, inbound-migration
 * locks, memory: the checks of migrate Vm). Each move is a system job with an
 * event saying why; a failed move fails its job readably with an event and
 * leaves the VM where the migration flow left it. */
#include "backend/monitor/policy.h"
#include "backend/monitor/policy_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/flows/model.h"
#include "backend/flows/status.h"
#include "backend/jobs/events.h"
#include "backend/monitor/stats.h"
#include "backend/store/store_tables.h"
#include "lib/log.h"
#include "lib/util.h"

#define POLICY_POOLS 256

/* When each pool was last evaluated (engine lifetime; a restart waits one
 * period before the first move). Touched under the store write lock. */
static struct {
    char pool[64];
    int64_t ms;
} last_eval[POLICY_POOLS];

int64_t policy_period_ms(engine *e, const obj *pool)
{
    return e->cfg.policy_period > 0 ? (int64_t)e->cfg.policy_period * 1000
                                    : obj_get_int(pool, "policyPeriod", 2) * 60000;
}

/* 1 when pool's period has passed since its last evaluation (or since the
 * engine first saw it), and marks it evaluated now. */
static int period_due(engine *e, const obj *pool, int64_t now)
{
    size_t pick = POLICY_POOLS;
    for (size_t i = 0; i < POLICY_POOLS; i++) {
        if (!strcmp(last_eval[i].pool, pool->id)) {
            if (now - last_eval[i].ms < policy_period_ms(e, pool))
                return 0;
            last_eval[i].ms = now;
            return 1;
        }
        if (pick == POLICY_POOLS && !last_eval[i].pool[0])
            pick = i;
    }
    if (pick < POLICY_POOLS) { /* first sight: the period starts now */
        snprintf(last_eval[pick].pool, sizeof last_eval[pick].pool, "%s", pool->id);
        last_eval[pick].ms = now;
    }
    return 0;
}

double policy_cpu_since(engine *e, const char *id, int64_t from)
{
    return stats_average(e, id, "CPU_UTILIZATION", from);
}

obj *policy_busiest_free_vm(engine *e, const obj *s, int64_t from)
{
    obj **vms, *best = NULL;
    double best_cpu = -2;
    size_t n = store_find_by(e->st, "Vm", "server", s->id, &vms);
    for (size_t i = 0; i < n; i++) {
        if (status_get(vms[i]) != ST_RUNNING || vms[i]->lock_job)
            continue; /* a VM a user job holds is never moved */
        double cpu = policy_cpu_since(e, vms[i]->id, from);
        if (cpu > best_cpu)
            best = vms[i], best_cpu = cpu;
    }
    free(vms);
    return best;
}

void policy_add(policy_actions *a, job *j, job_fn fn, void (*plan_free)(void *))
{
    a->v = xrealloc(a->v, (a->n + 1) * sizeof *a->v);
    a->v[a->n++] = (policy_action){.j = j, .fn = fn, .plan_free = plan_free};
}

/* A move, the policy that makes it ("DRS", "DPM": the prefix of its event
 * types) and the reason (raised as its event once the job runs: an event
 * names a job that exists). */
typedef struct move_plan {
    migrate_plan *mp;
    char *why;
    const char *tag;
} move_plan;

static void move_plan_free(void *arg)
{
    move_plan *p = arg;
    if (!p)
        return;
    migrate_plan_free(p->mp);
    free(p->why);
    free(p);
}

static void vm_event(job *j, const char *vm_id, const char *tag, const char *type, const char *severity,
                     const char *msg)
{
    char etype[64];
    snprintf(etype, sizeof etype, "%s_%s", tag, type);
    store_wrlock(j->eng->st);
    obj *vm = store_get(j->eng->st, vm_id);
    if (vm)
        event_raise(j->eng, etype, severity, vm, msg, j->id);
    store_unlock(j->eng->st);
}

static int run_move(job *j)
{
    move_plan *d = j->plan;
    migrate_plan *p = d->mp;
    vm_event(j, p->vm.id, d->tag, "MIGRATION", "INFORMATIONAL", d->why);
    int rc = migrate_run(j, p);
    if (rc != 0) {
        char *msg = xasprintf("%s could not move the Vm to Server %s: %s", d->tag, p->dst.name,
                              j->error && *j->error ? j->error : "the migration failed");
        vm_event(j, p->vm.id, d->tag, "MIGRATION_FAILED", "WARNING", msg);
        free(msg);
    }
    return rc;
}

void policy_move(engine *e, const char *tag, obj *vm, obj *src, obj *dst, char *why, policy_actions *a)
{
    char title[32];
    snprintf(title, sizeof title, "%s Migrate", tag);
    char *name = job_title(title, "Vm", vm->name);
    job *j = job_new(e, name, "system", "", vm->id);
    free(name);
    job_lock(j, vm->id);
    vm->lock_job = j->id; /* before the lock is released: reconciliation must not touch it */
    move_plan *d = xcalloc(1, sizeof *d);
    d->mp = migrate_plan_new(e, vm, src, dst);
    d->why = why;
    d->tag = tag;
    j->plan = d;
    policy_add(a, j, run_move, move_plan_free);
}

char *policy_cpu_over(const obj *pool, double cpu)
{
    return xasprintf("CPU %.1f %% above the pool's threshold %lld %%", cpu, obj_get_int(pool, "policyCpuThreshold", 100));
}

int policy_move_busy(engine *e, const char *tag, obj *s, const char *over, int64_t from, policy_actions *a)
{
    obj *vm = policy_busiest_free_vm(e, s, from);
    if (!vm)
        return 0;
    char *why = NULL, *msg;
    obj *dst = migrate_choose(e, vm, s, &why);
    if (!dst) {
        char etype[64];
        snprintf(etype, sizeof etype, "%s_NO_SERVER", tag);
        msg = xasprintf("%s: Server %s %s, but no server can take Vm %s: %s", tag, s->name, over, vm->name,
                        why ? why : "");
        event_raise(e, etype, "INFORMATIONAL", s, msg, 0);
        free(msg);
        free(why);
        return 0;
    }
    why = xasprintf("%s: Server %s %s over the policy period; moving Vm %s to Server %s", tag, s->name, over,
                    vm->name, dst->name);
    policy_move(e, tag, vm, s, dst, why, a);
    return 1;
}

/* The moves of one DRS pool. */
static void drs_evaluate_pool(engine *e, const obj *pool, int64_t now, policy_actions *a)
{
    int64_t from = now - policy_period_ms(e, pool);
    double threshold = (double)obj_get_int(pool, "policyCpuThreshold", 100);
    obj **servers;
    size_t ns = store_find_by(e->st, "Server", "serverPool", pool->id, &servers);
    for (size_t i = 0; i < ns; i++) {
        if (!obj_list_has(pool, "policyServers", servers[i]->id) || status_get(servers[i]) != ST_RUNNING)
            continue;
        double cpu = obj_is(pool, "policyCpuEnable", "Yes") ? policy_cpu_since(e, servers[i]->id, from) : -1;
        char *over = cpu > threshold ? policy_cpu_over(pool, cpu) : policy_net_over(e, pool, servers[i], from);
        if (over)
            policy_move_busy(e, "DRS", servers[i], over, from, a);
        free(over);
    }
    free(servers);
}

void policy_tick(engine *e)
{
    int64_t now = ovm_now_ms();
    policy_actions a = {NULL, 0};
    store_wrlock(e->st);
    store_begin(e->st);
    obj **pools;
    size_t np = store_list(e->st, "ServerPool", &pools);
    for (size_t i = 0; i < np; i++) {
        int cpu = obj_is(pools[i], "policyCpuEnable", "Yes");
        /* DRS also acts on ServerPoolNetworkPolicies (policy_net.c); DPM on CPU only */
        int drs = obj_is(pools[i], "policyMode", "DRS") && (cpu || policy_net_any(e, pools[i]));
        int dpm = obj_is(pools[i], "policyMode", "DPM") && cpu;
        if ((drs || dpm) && period_due(e, pools[i], now))
            (drs ? drs_evaluate_pool : dpm_evaluate_pool)(e, pools[i], now, &a);
    }
    free(pools);
    store_commit(e->st);
    store_unlock(e->st);
    for (size_t i = 0; i < a.n; i++) {
        job *j = a.v[i].j;
        void *plan = j->plan;
        j->plan = NULL;
        log_info("policy: %s", j->name);
        jobs_submit(e->js, j, a.v[i].fn, plan, a.v[i].plan_free);
        job_release(e->js, j);
    }
    free(a.v);
}
