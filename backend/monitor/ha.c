/* HA restarts (doc/object-model.md §6.10) and maintenance evacuation (§6.11). */
#include "backend/monitor/ha.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/jobs/events.h"
#include "backend/flows/model.h"
#include "backend/flows/flow.h"
#include "lib/crashpoint.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* Seconds an HA restart waits for the domain to run before giving up. */
#define HA_START_WAIT_S 120

int ha_protected(engine *e, const obj *vm)
{
    if (!obj_is(vm, "highAvailability", "Yes") || status_get(vm) == ST_TEMPLATE)
        return 0;
    obj *pool = store_get(e->st, obj_gets(vm, "serverPool"));
    return pool && obj_is(pool, "clusterEnable", "Yes");
}

void ha_schedule(engine *e, obj *vm, const char *from_server, int64_t due_ms, int guest)
{
    obj_setf(e->st, vm, "haDue", "%lld", (long long)due_ms);
    obj_set(e->st, vm, "haFrom", from_server);
    if (guest)
        obj_set(e->st, vm, "haGuest", "Yes");
    else
        obj_unset(e->st, vm, "haGuest");
}

static void ha_clear(engine *e, obj *vm)
{
    obj_unset(e->st, vm, "haDue");
    obj_unset(e->st, vm, "haFrom");
    obj_unset(e->st, vm, "haGuest");
}

void ha_kick(engine *e, const char *pool_id)
{
    obj **vms;
    size_t n = store_find_by(e->st, "Vm", "serverPool", pool_id, &vms);
    for (size_t i = 0; i < n; i++)
        if (obj_is(vms[i], "haDue", "wait"))
            obj_setf(e->st, vms[i], "haDue", "%lld", (long long)ovm_now_ms());
    free(vms);
}

/* ---- restart jobs ---- */

static int run_ha_restart(job *j)
{
    start_plan *p = j->plan;
    engine *e = j->eng;
    int rc = flow_start_domain(j, p, HA_START_WAIT_S);
    crash_point("ha.restarted"); /* the VM runs on its new server; the store says Stopped */
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *vm = store_get(e->st, p->vm.id);
    if (vm && rc == 0) {
        status_set(e->st, vm, ST_RUNNING);
        obj_set(e->st, vm, "server", p->t.id);
        ha_clear(e, vm);
        event_auto_ack(e, "VM_OFFLINE", vm->id);
        char *msg = xasprintf("Vm restarted by HA on Server %s", p->t.name);
        event_raise(e, "HA_RESTARTED", "INFORMATIONAL", vm, msg, j->id);
        free(msg);
    } else if (vm) {
        status_set(e->st, vm, ST_STOPPED);
        obj_set(e->st, vm, "haDue", "wait"); /* retried when a pool server comes back (H-5) */
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    return rc;
}

typedef struct due_vm {
    obj *vm;
    long long prio;
} due_vm;

static int by_priority(const void *a, const void *b)
{
    const due_vm *x = a, *y = b;
    if (x->prio != y->prio)
        return x->prio > y->prio ? -1 : 1;
    return strcmp(x->vm->name, y->vm->name);
}

/* VMs whose restart is due, H-4 order. Write lock held. */
static size_t collect_due(engine *e, int64_t now, due_vm **out)
{
    obj **all;
    size_t n = store_list(e->st, "Vm", &all), k = 0;
    due_vm *v = xcalloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        const char *due = obj_get(all[i], "haDue");
        if (!due || !strcmp(due, "wait") || all[i]->lock_job)
            continue;
        if (!ha_protected(e, all[i]) || status_get(all[i]) != ST_STOPPED) {
            ha_clear(e, all[i]); /* killed, HA turned off, or started by a user meanwhile */
            continue;
        }
        if (strtoll(due, NULL, 10) > now)
            continue;
        v[k].vm = all[i];
        v[k++].prio = obj_get_int(all[i], "cpuPriority", 50);
    }
    free(all);
    qsort(v, k, sizeof *v, by_priority);
    *out = v;
    return k;
}

/* Places one VM and makes its job (locked, not yet queued); NULL when no
 * server is eligible (H-5). Write lock held. */
static job *plan_restart(engine *e, obj *vm)
{
    int violating = 0;
    obj *s = placement_restart_target(e, vm, obj_gets(vm, "haFrom"), obj_is(vm, "haGuest", "Yes"), &violating);
    if (!s) {
        obj_set(e->st, vm, "haDue", "wait");
        event_raise(e, "HA_NO_SERVER", "WARNING", vm, "No server of the pool can restart this HA Vm", 0);
        return NULL;
    }
    if (violating)
        event_raise(e, "HA_ANTI_AFFINITY_VIOLATED", "WARNING", vm,
                    "HA restarted this Vm on a server that runs another member of its anti-affinity group", 0);
    start_plan *p = start_plan_new(e, vm, s);
    char *name = job_title("HA Restart", "Vm", vm->name);
    job *j = job_new(e, name, "system", "", vm->id);
    j->goal = xstrdup(JOB_GOAL_RUNNING);
    free(name);
    job_lock(j, vm->id);
    vm->lock_job = j->id; /* before the lock is released: reconciliation must not touch it */
    /* Starting on the target now, so the memory and anti-affinity of the
     * next placements in this round see it (§2.3 usable memory). */
    status_set(e->st, vm, ST_STARTING);
    obj_set(e->st, vm, "server", s->id);
    j->plan = p;
    return j;
}

void ha_tick(engine *e)
{
    store_wrlock(e->st);
    store_begin(e->st);
    due_vm *due;
    size_t n = collect_due(e, ovm_now_ms(), &due), k = 0;
    job **jobs = xcalloc(n ? n : 1, sizeof *jobs);
    for (size_t i = 0; i < n; i++)
        if ((jobs[k] = plan_restart(e, due[i].vm)) != NULL)
            k++;
    store_commit(e->st);
    store_unlock(e->st);
    free(due);
    for (size_t i = 0; i < k; i++) {
        void *plan = jobs[i]->plan;
        jobs[i]->plan = NULL;
        log_info("HA: %s", jobs[i]->name);
        jobs_submit(e->js, jobs[i], run_ha_restart, plan, start_plan_free);
        job_release(e->js, jobs[i]);
    }
    free(jobs);
}

/* ---- maintenance evacuation (MM-2, MM-3) ---- */

typedef struct evac_item {
    char vm_id[64], vm_name[257];
    char why[512];      /* failure reason for the MM-3 text */
} evac_item;

struct evac_plan {
    char src_id[64], server_name[257];
    evac_item *items;
    size_t n;
    evac_item *cur;     /* the child being run */
};

evac_plan *ha_evac_plan(engine *e, job *j, const obj *s)
{
    obj *pool = store_get(e->st, obj_gets(s, "serverPool"));
    if (!pool || !obj_is(pool, "clusterEnable", "Yes"))
        return NULL;
    obj **vms;
    size_t n = store_find_by(e->st, "Vm", "server", s->id, &vms);
    evac_plan *p = xcalloc(1, sizeof *p);
    p->items = xcalloc(n ? n : 1, sizeof *p->items);
    for (size_t i = 0; i < n; i++) {
        if (status_get(vms[i]) != ST_RUNNING)
            continue; /* SUSPENDED and STOPPED VMs stay (MM-2) */
        evac_item *it = &p->items[p->n++];
        snprintf(it->vm_id, sizeof it->vm_id, "%s", vms[i]->id);
        snprintf(it->vm_name, sizeof it->vm_name, "%s", vms[i]->name);
        job_lock(j, vms[i]->id);
    }
    free(vms);
    if (!p->n) {
        ha_evac_free(p);
        return NULL;
    }
    snprintf(p->src_id, sizeof p->src_id, "%s", s->id);
    snprintf(p->server_name, sizeof p->server_name, "%s", s->name);
    j->kind = "FAN_OUT";
    return p;
}

void ha_evac_free(evac_plan *p)
{
    if (p) {
        free(p->items);
        free(p);
    }
}

/* The live migration of one VM to the best server that passes every check of
 * migrate Vm (flow_migrate.c), chosen when its child runs: the VMs moved
 * before it changed what the others can take. NULL with it->why set when no
 * server passes. */
static migrate_plan *evac_target(job *j, const evac_plan *p, evac_item *it)
{
    engine *e = j->eng;
    store_rdlock(e->st);
    obj *vm = store_get(e->st, it->vm_id), *src = store_get(e->st, p->src_id), *dst = NULL;
    char *why = NULL;
    migrate_plan *mp = NULL;
    if (vm && src && (dst = migrate_choose(e, vm, src, &why)) != NULL)
        mp = migrate_plan_new(e, vm, src, dst);
    store_unlock(e->st);
    if (!mp)
        snprintf(it->why, sizeof it->why, "%s", why ? why : "the Vm or its server no longer exists");
    free(why);
    return mp;
}

static int run_evac_child(job *j)
{
    evac_plan *p = j->plan;
    evac_item *it = p->cur;
    migrate_plan *mp = evac_target(j, p, it);
    if (!mp) {
        job_fail(j, "Job failed: no server can receive Vm %s: %s", it->vm_name, it->why);
        return -1;
    }
    int rc = migrate_run(j, mp);
    migrate_plan_free(mp);
    if (rc != 0)
        snprintf(it->why, sizeof it->why, "%s", j->error ? j->error : "migration failed");
    return rc;
}

int ha_evacuate(job *j, evac_plan *p)
{
    strbuf failed = STRBUF_INIT;
    size_t nfailed = 0;
    for (size_t i = 0; i < p->n; i++) {
        p->cur = &p->items[i];
        char *name = job_title("Migrate", "Vm", p->items[i].vm_name);
        if (job_run_child(j, name, p->items[i].vm_id, run_evac_child, p) != 0) {
            const char *why = p->items[i].why;
            if (!strncmp(why, "Job failed: ", 12))
                why += 12;
            sb_addf(&failed, "%s%s: %s", nfailed++ ? ", " : "", p->items[i].vm_name, why);
        }
        free(name);
    }
    if (nfailed) {
        free(j->error); /* the MM-3 text replaces the first child's error */
        j->error = xasprintf("Job failed: maintenance mode is set on Server %s but %zu Vm(s) could not be migrated: %s",
                             p->server_name, nfailed, failed.buf);
        engine *e = j->eng;
        store_wrlock(e->st);
        obj *s = store_get(e->st, p->src_id);
        if (s)
            event_raise(e, "MAINTENANCE_EVACUATION_INCOMPLETE", "WARNING", s, j->error, j->id);
        store_unlock(e->st);
    }
    sb_free(&failed);
    return nfailed ? -1 : 0;
}
