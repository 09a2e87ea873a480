/* DRS (policy.h): a server of a pool with policyMode=DRS and
 * policyCpuEnable=Yes that is in its policyServers and whose CPU_UTILIZATION
 * samples averaged above policyCpuThreshold over the last policyPeriod (or
 * whose network usage is above a ServerPoolNetworkPolicy: policy_net.c) gives
 * up its busiest Running VM that no job holds, to the server
 * migrate_choose picks (anti-affinity, CPU compatibility, inbound-migration
 * locks, memory: the checks of migrate Vm). Each move is a system job with an
 * event saying why; a failed move fails its job readably with an event and
 * leaves the VM where the migration flow left it. */
#include "backend/monitor/policy.h"
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

static int64_t period_ms(engine *e, const obj *pool)
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
            if (now - last_eval[i].ms < period_ms(e, pool))
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

/* Average CPU_UTILIZATION of id since from; -1 when there is no sample. */
static double cpu_since(engine *e, const char *id, int64_t from)
{
    return stats_average(e, id, "CPU_UTILIZATION", from);
}

/* The Running VM on s with the highest recent CPU that no job holds. */
static obj *busiest_free_vm(engine *e, const obj *s, int64_t from)
{
    obj **vms, *best = NULL;
    double best_cpu = -2;
    size_t n = store_find_by(e->st, "Vm", "server", s->id, &vms);
    for (size_t i = 0; i < n; i++) {
        if (status_get(vms[i]) != ST_RUNNING || vms[i]->lock_job)
            continue; /* a VM a user job holds is never moved */
        double cpu = cpu_since(e, vms[i]->id, from);
        if (cpu > best_cpu)
            best = vms[i], best_cpu = cpu;
    }
    free(vms);
    return best;
}

/* A move and the reason it is made (raised as its event once the job runs:
 * an event names a job that exists). */
typedef struct drs_plan {
    migrate_plan *mp;
    char *why;
} drs_plan;

static void drs_plan_free(void *arg)
{
    drs_plan *p = arg;
    if (!p)
        return;
    migrate_plan_free(p->mp);
    free(p->why);
    free(p);
}

static void vm_event(job *j, const char *vm_id, const char *type, const char *severity, const char *msg)
{
    store_wrlock(j->eng->st);
    obj *vm = store_get(j->eng->st, vm_id);
    if (vm)
        event_raise(j->eng, type, severity, vm, msg, j->id);
    store_unlock(j->eng->st);
}

static int run_drs_move(job *j)
{
    drs_plan *d = j->plan;
    migrate_plan *p = d->mp;
    vm_event(j, p->vm.id, "DRS_MIGRATION", "INFORMATIONAL", d->why);
    int rc = migrate_run(j, p);
    if (rc != 0) {
        char *msg = xasprintf("DRS could not move the Vm to Server %s: %s", p->dst.name,
                              j->error && *j->error ? j->error : "the migration failed");
        vm_event(j, p->vm.id, "DRS_MIGRATION_FAILED", "WARNING", msg);
        free(msg);
    }
    return rc;
}

/* The move job for server s, overloaded for the reason over ("CPU 70.0 %
 * above ..."), or NULL (with an event when no server can take its VM).
 * Write lock held. */
static job *plan_move(engine *e, obj *s, const char *over, int64_t from)
{
    obj *vm = busiest_free_vm(e, s, from);
    if (!vm)
        return NULL;
    char *why = NULL, *msg;
    obj *dst = migrate_choose(e, vm, s, &why);
    if (!dst) {
        msg = xasprintf("DRS: Server %s %s, but no server can take Vm %s: %s", s->name, over, vm->name,
                        why ? why : "");
        event_raise(e, "DRS_NO_SERVER", "INFORMATIONAL", s, msg, 0);
        free(msg);
        free(why);
        return NULL;
    }
    char *name = job_title("DRS Migrate", "Vm", vm->name);
    job *j = job_new(e, name, "system", "", vm->id);
    free(name);
    job_lock(j, vm->id);
    vm->lock_job = j->id; /* before the lock is released: reconciliation must not touch it */
    drs_plan *d = xcalloc(1, sizeof *d);
    d->mp = migrate_plan_new(e, vm, s, dst);
    d->why = xasprintf("DRS: Server %s %s over the policy period; moving Vm %s to Server %s", s->name, over,
                       vm->name, dst->name);
    j->plan = d;
    return j;
}

/* The moves of one DRS pool, appended to *jobs. */
static void evaluate_pool(engine *e, const obj *pool, int64_t now, job ***jobs, size_t *n)
{
    int64_t from = now - period_ms(e, pool);
    double threshold = (double)obj_get_int(pool, "policyCpuThreshold", 100);
    obj **servers;
    size_t ns = store_find_by(e->st, "Server", "serverPool", pool->id, &servers);
    for (size_t i = 0; i < ns; i++) {
        if (!obj_list_has(pool, "policyServers", servers[i]->id) || status_get(servers[i]) != ST_RUNNING)
            continue;
        double cpu = obj_is(pool, "policyCpuEnable", "Yes") ? cpu_since(e, servers[i]->id, from) : -1;
        char *over = cpu > threshold ? xasprintf("CPU %.1f %% above the pool's threshold %.0f %%", cpu, threshold)
                                     : policy_net_over(e, pool, servers[i], from);
        job *j = over ? plan_move(e, servers[i], over, from) : NULL;
        free(over);
        if (j) {
            *jobs = xrealloc(*jobs, (*n + 1) * sizeof **jobs);
            (*jobs)[(*n)++] = j;
        }
    }
    free(servers);
}

void policy_tick(engine *e)
{
    int64_t now = ovm_now_ms();
    job **jobs = NULL;
    size_t n = 0;
    store_wrlock(e->st);
    store_begin(e->st);
    obj **pools;
    size_t np = store_list(e->st, "ServerPool", &pools);
    for (size_t i = 0; i < np; i++)
        if (obj_is(pools[i], "policyMode", "DRS") &&
            (obj_is(pools[i], "policyCpuEnable", "Yes") || policy_net_any(e, pools[i])) &&
            period_due(e, pools[i], now))
            evaluate_pool(e, pools[i], now, &jobs, &n);
    free(pools);
    store_commit(e->st);
    store_unlock(e->st);
    for (size_t i = 0; i < n; i++) {
        void *plan = jobs[i]->plan;
        jobs[i]->plan = NULL;
        log_info("DRS: %s", jobs[i]->name);
        jobs_submit(e->js, jobs[i], run_drs_move, plan, drs_plan_free);
        job_release(e->js, jobs[i]);
    }
    free(jobs);
}
