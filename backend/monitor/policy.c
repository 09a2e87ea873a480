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
#include <stdatomic.h>
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

int64_t policy_period_ms(engine *e, const obj *pool)
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
            if (now - last_eval[i].ms < policy_period_ms(e, pool) || atomic_load(&last_eval[i].moving) > 0)
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

double policy_cpu_since(engine *e, const char *id, int64_t from)
{
    return stats_average(e, id, "CPU_UTILIZATION", from);
}

obj *policy_busiest_free_vm(engine *e, const obj *s, int64_t from, double *cpu)
{
    obj **vms, *best = NULL;
    double best_cpu = -2;
    size_t n = store_find_by(e->st, "Vm", "server", s->id, &vms);
    for (size_t i = 0; i < n; i++) {
        if (status_get(vms[i]) != ST_RUNNING || vms[i]->lock_job)
            continue; /* a VM a user job holds is never moved */
        double c = policy_cpu_since(e, vms[i]->id, from);
        if (c > best_cpu)
            best = vms[i], best_cpu = c;
    }
    free(vms);
    if (cpu)
        *cpu = best_cpu > 0 ? best_cpu : 0;
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
    size_t slot; /* the pool's in last_eval */
} move_plan;

static void move_plan_free(void *arg)
{
    move_plan *p = arg;
    if (!p)
        return;
    atomic_store(&last_eval[p->slot].settled_ms, ovm_now_ms());
    atomic_fetch_sub(&last_eval[p->slot].moving, 1);
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
    d->slot = a->slot;
    atomic_fetch_add(&last_eval[a->slot].moving, 1);
    j->plan = d;
    policy_add(a, j, run_move, move_plan_free);
}

char *policy_cpu_over(const obj *pool, double cpu)
{
    return xasprintf("CPU %.1f %% above the pool's threshold %lld %%", cpu, obj_get_int(pool, "policyCpuThreshold", 100));
}

/* One server of a pool in one evaluation: its CPU over the window (-1: no
 * sample, or not Running), less or plus the shares of the moves planned. */
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

static size_t pool_loads(engine *e, const obj *pool, int64_t from, srv_load **out)
{
    obj **servers;
    size_t n = store_find_by(e->st, "Server", "serverPool", pool->id, &servers);
    *out = xcalloc(n ? n : 1, sizeof **out);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = (srv_load){servers[i], status_get(servers[i]) == ST_RUNNING
                                               ? policy_cpu_since(e, servers[i]->id, from) : -1};
    free(servers);
    return n;
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
        *why = accepted ? xstrdup("every other Server that can take it would be above the threshold with its load")
                        : xstrdup(all.len ? all.buf : "no other server in the pool");
    sb_free(&all);
    return best;
}

/* Moves the busiest free VM off l[si] (overloaded: over) to choose_dst's
 * server, moving its share between the loads; *vm_cpu is its CPU. 1 when a
 * job was added; 0 (with a <tag>_NO_SERVER event when no server can take
 * it). Write lock held. */
static int move_off(engine *e, const char *tag, srv_load *l, size_t n, size_t si, const char *over,
                    double threshold, int64_t from, policy_actions *a, double *vm_cpu)
{
    obj *s = l[si].s, *vm = policy_busiest_free_vm(e, s, from, vm_cpu);
    if (!vm)
        return 0;
    char *why = NULL, *msg;
    srv_load *dst = choose_dst(e, vm, *vm_cpu, &l[si], l, n, threshold, &why);
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
                    vm->name, dst->s->name);
    policy_move(e, tag, vm, s, dst->s, why, a);
    l[si].cpu -= share_on(vm, *vm_cpu, s);
    dst->cpu += share_on(vm, *vm_cpu, dst->s);
    return 1;
}

int policy_move_busy(engine *e, const obj *pool, const char *tag, obj *s, const char *over, int64_t from,
                     policy_actions *a)
{
    srv_load *l;
    size_t n = pool_loads(e, pool, from, &l), si = 0;
    while (si < n && l[si].s != s)
        si++;
    double vm_cpu, threshold = (double)obj_get_int(pool, "policyCpuThreshold", 100);
    int moved = si < n && move_off(e, tag, l, n, si, over, threshold, from, a, &vm_cpu);
    free(l);
    return moved;
}

/* The moves of one DRS pool: each policy server above the CPU threshold
 * gives up VMs until its load less theirs is at or under it; one over a
 * ServerPoolNetworkPolicy gives up one. Samples from before the pool's last
 * move ended are not counted. */
static void drs_evaluate_pool(engine *e, const obj *pool, int64_t now, policy_actions *a)
{
    int64_t from = now - policy_period_ms(e, pool), settled = atomic_load(&last_eval[a->slot].settled_ms);
    if (settled > from)
        from = settled;
    double threshold = (double)obj_get_int(pool, "policyCpuThreshold", 100), vm_cpu;
    int cpu_on = obj_is(pool, "policyCpuEnable", "Yes");
    srv_load *l;
    size_t n = pool_loads(e, pool, from, &l);
    for (size_t i = 0; i < n; i++) {
        if (!obj_list_has(pool, "policyServers", l[i].s->id) || status_get(l[i].s) != ST_RUNNING)
            continue;
        char *over = cpu_on && l[i].cpu > threshold ? policy_cpu_over(pool, l[i].cpu)
                                                     : policy_net_over(e, pool, l[i].s, from);
        int cpu_over = cpu_on && l[i].cpu > threshold;
        while (over && move_off(e, "DRS", l, n, i, over, threshold, from, a, &vm_cpu) && cpu_over &&
               vm_cpu > 0 && l[i].cpu > threshold) {
            free(over);
            over = policy_cpu_over(pool, l[i].cpu);
        }
        free(over);
    }
    free(l);
}

void policy_tick(engine *e)
{
    int64_t now = ovm_now_ms();
    policy_actions a = {NULL, 0, 0};
    store_wrlock(e->st);
    store_begin(e->st);
    obj **pools;
    size_t np = store_list(e->st, "ServerPool", &pools);
    for (size_t i = 0; i < np; i++) {
        int cpu = obj_is(pools[i], "policyCpuEnable", "Yes");
        /* DRS also acts on ServerPoolNetworkPolicies (policy_net.c); DPM on CPU only */
        int drs = obj_is(pools[i], "policyMode", "DRS") && (cpu || policy_net_any(e, pools[i]));
        int dpm = obj_is(pools[i], "policyMode", "DPM") && cpu;
        size_t slot = (drs || dpm) ? period_due(e, pools[i], now) : 0;
        if (slot) {
            a.slot = slot - 1;
            (drs ? drs_evaluate_pool : dpm_evaluate_pool)(e, pools[i], now, &a);
        }
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
