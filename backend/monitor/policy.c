/* DRS (policy.h): a server of a pool with policyMode=DRS and
 * policyCpuEnable=Yes that is in its policyServers and whose CPU_UTILIZATION
 * samples averaged above policyCpuThreshold over the last policyPeriod gives
 * up its busiest Running VMs that no job holds, one after the other until its
 * load less theirs is at or under the threshold, each to the server of the
 * pool that migrate Vm accepts (anti-affinity, CPU compatibility,
 * inbound-migration locks, memory) and that stays at or under the threshold
 * with the VM's load added (the least loaded such server). A VM's share of a
 * server is its CPU_UTILIZATION x its vCPUs / the server's processors. While
 * moves of a pool run its evaluation waits, and the next one averages only
 * samples taken after the last move ended: stale samples would move more VMs
 * than needed. Each move is a system job with an event saying why; a failed
 * move fails its job readably with an event and leaves the VM where the
 * migration flow left it. */
#include "backend/monitor/policy.h"
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/flows/model.h"
#include "backend/flows/status.h"
#include "backend/jobs/events.h"
#include "backend/store/store_tables.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define POLICY_POOLS 256

/* When each pool was last evaluated (engine lifetime; a restart waits one
 * period before the first move), its moves still running and when the last
 * one ended. pool and ms are touched under the store write lock; the move
 * jobs update the other two when they end. */
static struct {
    char pool[64];
    int64_t ms;
    atomic_int moving;
    _Atomic int64_t settled_ms;
} last_eval[POLICY_POOLS];

static int64_t period_ms(engine *e, const obj *pool)
{
    return e->cfg.policy_period > 0 ? (int64_t)e->cfg.policy_period * 1000
                                    : obj_get_int(pool, "policyPeriod", 2) * 60000;
}

/* The slot + 1 of pool when its period has passed since its last evaluation
 * (or since the engine first saw it) and none of its moves runs, and marks it
 * evaluated now; else 0. */
static size_t period_due(engine *e, const obj *pool, int64_t now)
{
    size_t pick = POLICY_POOLS;
    for (size_t i = 0; i < POLICY_POOLS; i++) {
        if (!strcmp(last_eval[i].pool, pool->id)) {
            if (now - last_eval[i].ms < period_ms(e, pool) || atomic_load(&last_eval[i].moving) > 0)
                return 0;
            last_eval[i].ms = now;
            return i + 1;
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

typedef struct avg {
    double sum;
    size_t n;
} avg;

static int add_sample(void *ctx, int64_t t, double v)
{
    (void)t;
    avg *a = ctx;
    a->sum += v;
    a->n++;
    return 0;
}

/* Average CPU_UTILIZATION of id since from; -1 when there is no sample. */
static double cpu_since(engine *e, const char *id, int64_t from)
{
    avg a = {0, 0};
    char *err = NULL;
    if (store_stat_scan(e->st, id, "CPU_UTILIZATION", from, INT64_MAX, add_sample, &a, &err) != 0) {
        log_warn("DRS: %s", err);
        free(err);
        return -1;
    }
    return a.n ? a.sum / (double)a.n : -1;
}

/* The Running VM on s with the highest recent CPU that no job holds (its
 * CPU in *cpu). A VM planned to move in this evaluation is held already. */
static obj *busiest_free_vm(engine *e, const obj *s, int64_t from, double *cpu)
{
    obj **vms, *best = NULL;
    double best_cpu = -2;
    size_t n = store_find_by(e->st, "Vm", "server", s->id, &vms);
    for (size_t i = 0; i < n; i++) {
        if (status_get(vms[i]) != ST_RUNNING || vms[i]->lock_job)
            continue; /* a VM a user job holds is never moved */
        double c = cpu_since(e, vms[i]->id, from);
        if (c > best_cpu)
            best = vms[i], best_cpu = c;
    }
    free(vms);
    *cpu = best_cpu > 0 ? best_cpu : 0;
    return best;
}

/* One server of the pool in one evaluation: its CPU over the window, then
 * less or plus the shares of the moves planned so far (percent). */
typedef struct srv_load {
    obj *s;
    double cpu;
} srv_load;

/* Percent of server s that vm, busy vm_cpu % of its vCPUs, makes. */
static double share_on(const obj *vm, double vm_cpu, const obj *s)
{
    double threads = (double)obj_get_int(s, "processors", 1);
    return vm_cpu * (double)obj_get_int(vm, "cpuCount", 1) / (threads > 0 ? threads : 1);
}

/* A move and the reason it is made (raised as its event once the job runs:
 * an event names a job that exists), and the pool's slot in last_eval. */
typedef struct drs_plan {
    migrate_plan *mp;
    char *why;
    size_t slot;
} drs_plan;

static void drs_plan_free(void *arg)
{
    drs_plan *p = arg;
    if (!p)
        return;
    atomic_store(&last_eval[p->slot].settled_ms, ovm_now_ms());
    atomic_fetch_sub(&last_eval[p->slot].moving, 1);
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

/* The least loaded server of l (not src) that migrate Vm accepts for vm and
 * that stays at or under threshold with vm's share added; NULL with the
 * reason in *why. A busier destination would soon give the VM back. */
static srv_load *choose_dst(engine *e, obj *vm, double vm_cpu, const srv_load *src, srv_load *l, size_t n,
                            double threshold, char **why)
{
    srv_load *best = NULL;
    strbuf all = STRBUF_INIT;
    size_t accepted = 0;
    for (size_t i = 0; i < n; i++) {
        if (&l[i] == src)
            continue;
        char *r = migrate_refusal(e, vm, src->s, l[i].s);
        double after = l[i].cpu + share_on(vm, vm_cpu, l[i].s);
        if (r)
            sb_addf(&all, "%s%s", all.len ? "; " : "", r);
        else
            accepted++;
        if (!r && l[i].cpu >= 0 && after <= threshold &&
            (!best || after < best->cpu + share_on(vm, vm_cpu, best->s)))
            best = &l[i];
        free(r);
    }
    if (!best)
        *why = accepted ? xasprintf("every other Server that can take it would be above the threshold with its load")
                        : xstrdup(all.len ? all.buf : "no other server in the pool");
    sb_free(&all);
    return best;
}
/* The move job of vm (busy vm_cpu %) off l[si], above threshold, or NULL
 * (with an event when no server can take it); the planned move's shares
 * are moved between the two loads. Write lock held. */
static job *plan_move(engine *e, const obj *pool, size_t slot, srv_load *l, size_t n, size_t si, obj *vm,
                      double vm_cpu)
{
    char *why = NULL, *msg;
    long long threshold = obj_get_int(pool, "policyCpuThreshold", 100);
    obj *s = l[si].s;
    srv_load *dst = choose_dst(e, vm, vm_cpu, &l[si], l, n, (double)threshold, &why);
    if (!dst) {
        msg = xasprintf("DRS: Server %s CPU %.1f %% above the threshold %lld %%, but no server can take Vm %s: %s",
                        s->name, l[si].cpu, threshold, vm->name, why ? why : "");
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
    d->mp = migrate_plan_new(e, vm, s, dst->s);
    d->why = xasprintf("DRS: Server %s CPU %.1f %% above the pool's threshold %lld %% over the policy period; "
                       "moving Vm %s to Server %s", s->name, l[si].cpu, threshold, vm->name, dst->s->name);
    d->slot = slot;
    atomic_fetch_add(&last_eval[slot].moving, 1);
    j->plan = d;
    l[si].cpu -= share_on(vm, vm_cpu, s);
    dst->cpu += share_on(vm, vm_cpu, dst->s);
    return j;
}

static void add_job(job ***jobs, size_t *n, job *j)
{
    *jobs = xrealloc(*jobs, (*n + 1) * sizeof **jobs);
    (*jobs)[(*n)++] = j;
}

/* The moves of one DRS pool, appended to *jobs: each participating server
 * above the threshold gives up VMs until its load less theirs is under it.
 * Samples before the pool's last move ended are not counted. */
static void evaluate_pool(engine *e, const obj *pool, size_t slot, int64_t now, job ***jobs, size_t *n)
{
    slot--; /* period_due's slot + 1 */
    int64_t from = now - period_ms(e, pool), settled = atomic_load(&last_eval[slot].settled_ms);
    if (settled > from)
        from = settled;
    double threshold = (double)obj_get_int(pool, "policyCpuThreshold", 100);
    obj **servers;
    size_t ns = store_find_by(e->st, "Server", "serverPool", pool->id, &servers);
    srv_load *l = xcalloc(ns ? ns : 1, sizeof *l);
    for (size_t i = 0; i < ns; i++)
        l[i] = (srv_load){servers[i], cpu_since(e, servers[i]->id, from)};
    for (size_t i = 0; i < ns; i++) {
        if (!obj_list_has(pool, "policyServers", servers[i]->id) || status_get(servers[i]) != ST_RUNNING)
            continue;
        while (l[i].cpu > threshold) {
            double vm_cpu;
            obj *vm = busiest_free_vm(e, servers[i], from, &vm_cpu);
            job *j = vm ? plan_move(e, pool, slot, l, ns, i, vm, vm_cpu) : NULL;
            if (!j)
                break;
            add_job(jobs, n, j);
            if (vm_cpu <= 0) /* a VM with no recorded load frees nothing: one move, as before */
                break;
        }
    }
    free(l);
    free(servers);
}

void policy_tick(engine *e)
{
    int64_t now = ovm_now_ms();
    job **jobs = NULL;
    size_t n = 0, slot;
    store_wrlock(e->st);
    store_begin(e->st);
    obj **pools;
    size_t np = store_list(e->st, "ServerPool", &pools);
    for (size_t i = 0; i < np; i++)
        if (obj_is(pools[i], "policyMode", "DRS") && obj_is(pools[i], "policyCpuEnable", "Yes") &&
            (slot = period_due(e, pools[i], now)) != 0)
            evaluate_pool(e, pools[i], slot, now, &jobs, &n);
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
