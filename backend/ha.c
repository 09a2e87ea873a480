/* HA restarts (object-model §6.10) and maintenance evacuation (§6.11). */
#include "backend/ha.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "backend/events.h"
#include "backend/model.h"
#include "backend/placement.h"
#include "backend/crashpoint.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* Seconds an HA restart waits for the domain to run before giving up. */
#define HA_START_WAIT_S 120

int ha_protected(engine *e, const obj *vm)
{
    if (!obj_is(vm, "highAvailability", "Yes") || obj_is(vm, "status", "Template"))
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

/* ---- placement (H-3) ---- */

static int on_network(engine *e, const obj *s, const char *net)
{
    const obj *nw = store_get(e->st, net);
    if (nw && *obj_gets(nw, "server"))
        return obj_is(nw, "server", s->id);
    obj **ports;
    size_t n = store_find_by(e->st, "Port", "server", s->id, &ports);
    int ok = 0;
    for (size_t i = 0; i < n && !ok; i++)
        ok = obj_is(ports[i], "network", net);
    free(ports);
    return ok;
}

/* §6.4 eligibility without inbound lock, huge pages and anti-affinity. */
static int ha_eligible(engine *e, const obj *vm, const obj *s)
{
    if (!obj_is(s, "serverPool", obj_gets(vm, "serverPool")) || !obj_is(s, "status", "Running") ||
        !obj_is(s, "ownership", "Owned") || obj_is(s, "maintenanceMode", "Yes") ||
        (obj_get(s, "roles") && !strstr(obj_gets(s, "roles"), "VM")))
        return 0;
    char **ids;
    size_t n = vm_repositories(e, vm, &ids);
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        obj *r = store_get(e->st, ids[i]);
        ok = !r || obj_list_has(r, "presentedServers", s->id);
    }
    free_list(ids, n);
    if (!ok)
        return 0;
    n = vm_networks(e, vm, &ids);
    for (size_t i = 0; i < n && ok; i++)
        ok = on_network(e, s, ids[i]);
    free_list(ids, n);
    if (!ok || server_usable_memory(e, s) < obj_get_int(vm, "memory", 512))
        return 0;
    char *ev = event_blocking(e, s);
    int blocked = ev != NULL;
    free(ev);
    return !blocked;
}

/* 1 if another member of one of vm's anti-affinity groups is active on s. */
static int violates_aag(engine *e, const obj *vm, const obj *s)
{
    obj **groups;
    size_t ng = store_list(e->st, "AntiAffinityGroup", &groups);
    int hit = 0;
    for (size_t g = 0; g < ng && !hit; g++) {
        if (!obj_list_has(groups[g], "vms", vm->id))
            continue;
        char **ids;
        size_t n = split_list(obj_get(groups[g], "vms"), &ids);
        for (size_t i = 0; i < n && !hit; i++) {
            obj *o = store_get(e->st, ids[i]);
            hit = o && o != vm && vm_is_active(o) && obj_is(o, "server", s->id);
        }
        free_list(ids, n);
    }
    free(groups);
    return hit;
}

/* Most usable memory, then name (BEST_SERVER of L-4). */
static int better_target(engine *e, const obj *a, const obj *b)
{
    if (!b)
        return 1;
    long long ma = server_usable_memory(e, a), mb = server_usable_memory(e, b);
    return ma != mb ? ma > mb : strcmp(a->name, b->name) < 0;
}

/* The restart target of vm, or NULL; *violating set when only servers that
 * break anti-affinity are eligible. Read lock held. */
static obj *ha_choose(engine *e, const obj *vm, int *violating)
{
    *violating = 0;
    const char *from = obj_gets(vm, "haFrom");
    obj *same = obj_is(vm, "haGuest", "Yes") ? store_get(e->st, from) : NULL;
    if (same && ha_eligible(e, vm, same) && !violates_aag(e, vm, same))
        return same; /* H-6 */
    obj **servers;
    size_t n = store_find_by(e->st, "Server", "serverPool", obj_gets(vm, "serverPool"), &servers);
    obj *best = NULL, *best_bad = NULL;
    for (size_t i = 0; i < n; i++) {
        obj *s = servers[i];
        if ((!same && !strcmp(s->id, from)) || !ha_eligible(e, vm, s))
            continue;
        if (!violates_aag(e, vm, s)) {
            if (better_target(e, s, best))
                best = s;
        } else if (better_target(e, s, best_bad)) {
            best_bad = s;
        }
    }
    free(servers);
    if (!best && best_bad)
        *violating = 1;
    return best ? best : best_bad;
}

/* ---- restart jobs ---- */

typedef struct ha_plan {
    agent_target t;
    char vm_id[64], repo_id[64], vm_name[257];
    char **nets;
    size_t nnets;
} ha_plan;

static void ha_plan_free(void *arg)
{
    ha_plan *p = arg;
    if (p) {
        free_list(p->nets, p->nnets);
        free(p);
    }
}

/* Polls list_vm on t until the domain runs; bounded by HA_START_WAIT_S. */
static int wait_running(job *j, const agent_target *t, const char *repo, const char *vm)
{
    int64_t end = ovm_now_ms() + HA_START_WAIT_S * 1000LL;
    for (;;) {
        xr_value *res = NULL;
        char *err = NULL;
        int rc = agent_try_call(j->eng, t, "list_vm", j->eng->cfg.agent_call_timeout, &res, &err, 2,
                                xr_string(repo), xr_string(vm));
        int running = rc == AGC_OK && res && res->type == XR_STRUCT;
        xr_free(res);
        free(err);
        if (running)
            return 0;
        if (ovm_now_ms() >= end || job_aborted(j))
            return -1;
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static int start_on_target(job *j, ha_plan *p)
{
    long tmo = j->eng->cfg.agent_call_timeout;
    for (size_t i = 0; i < p->nnets; i++)
        if (agent_job_call(j, &p->t, "ovs_br_config", tmo, NULL, 3, xr_string("start"), xr_string(p->nets[i]),
                           xr_string("bond0")) != 0)
            return -1;
    if (agent_job_call(j, &p->t, "start_vm", j->eng->cfg.agent_long_timeout, NULL, 2, xr_string(p->repo_id),
                       xr_string(p->vm_id)) != 0)
        return -1;
    if (wait_running(j, &p->t, p->repo_id, p->vm_id) != 0) {
        job_fail(j, "Job failed: Vm %s did not reach Running on Server %s", p->vm_name, p->t.name);
        return -1;
    }
    return 0;
}

static int run_ha_restart(job *j)
{
    ha_plan *p = j->plan;
    engine *e = j->eng;
    int rc = start_on_target(j, p);
    crash_point("ha.restarted"); /* the VM runs on its new server; the store says Stopped */
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *vm = store_get(e->st, p->vm_id);
    if (vm && rc == 0) {
        obj_set(e->st, vm, "status", "Running");
        obj_set(e->st, vm, "server", p->t.id);
        ha_clear(e, vm);
        event_auto_ack(e, "VM_OFFLINE", vm->id);
        char *msg = xasprintf("Vm restarted by HA on Server %s", p->t.name);
        event_raise(e, "HA_RESTARTED", "INFORMATIONAL", vm, msg, j->id);
        free(msg);
    } else if (vm) {
        obj_set(e->st, vm, "status", "Stopped");
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
        if (!ha_protected(e, all[i]) || !obj_is(all[i], "status", "Stopped")) {
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
    obj *s = ha_choose(e, vm, &violating);
    if (!s) {
        obj_set(e->st, vm, "haDue", "wait");
        event_raise(e, "HA_NO_SERVER", "WARNING", vm, "No server of the pool can restart this HA Vm", 0);
        return NULL;
    }
    if (violating)
        event_raise(e, "HA_ANTI_AFFINITY_VIOLATED", "WARNING", vm,
                    "HA restarted this Vm on a server that runs another member of its anti-affinity group", 0);
    ha_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(e, s, &p->t);
    snprintf(p->vm_id, sizeof p->vm_id, "%s", vm->id);
    snprintf(p->vm_name, sizeof p->vm_name, "%s", vm->name);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", obj_gets(vm, "repository"));
    p->nnets = vm_networks(e, vm, &p->nets);
    char *name = job_title("HA Restart", "Vm", vm->name);
    job *j = job_new(e, name, "system", "", vm->id);
    free(name);
    job_lock(j, vm->id);
    vm->lock_job = j->id; /* before the lock is released: reconciliation must not touch it */
    /* Starting on the target now, so the memory and anti-affinity of the
     * next placements in this round see it (§2.3 usable memory). */
    obj_set(e->st, vm, "status", "Starting");
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
        jobs_submit(e->js, jobs[i], run_ha_restart, plan, ha_plan_free);
        job_release(e->js, jobs[i]);
    }
    free(jobs);
}

/* ---- maintenance evacuation (MM-2, MM-3) ---- */

typedef struct evac_item {
    char vm_id[64], vm_name[257], repo_id[64];
    char why[512];      /* failure reason for the MM-3 text */
} evac_item;

struct evac_plan {
    agent_target src;
    char server_name[257];
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
        if (!obj_is(vms[i], "status", "Running"))
            continue; /* SUSPENDED and STOPPED VMs stay (MM-2) */
        evac_item *it = &p->items[p->n++];
        snprintf(it->vm_id, sizeof it->vm_id, "%s", vms[i]->id);
        snprintf(it->vm_name, sizeof it->vm_name, "%s", vms[i]->name);
        snprintf(it->repo_id, sizeof it->repo_id, "%s", obj_gets(vms[i], "repository"));
        job_lock(j, vms[i]->id);
    }
    free(vms);
    if (!p->n) {
        ha_evac_free(p);
        return NULL;
    }
    agent_target_of(e, s, &p->src);
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

/* Target for one VM among the other members (§6.4 via the M-3/M-4/M-11
 * rules); NULL with it->why set. */
static int evac_target(job *j, evac_plan *p, evac_item *it, agent_target *t, char ***nets, size_t *nnets)
{
    engine *e = j->eng;
    store_rdlock(e->st);
    obj *vm = store_get(e->st, it->vm_id), *src = store_get(e->st, p->src.id), *best = NULL;
    obj **servers = NULL;
    size_t n = vm && src ? store_find_by(e->st, "Server", "serverPool", obj_gets(src, "serverPool"), &servers) : 0;
    strbuf why = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (servers[i] == src)
            continue;
        char *r = placement_refusal(e, vm, servers[i], 0);
        if (r)
            sb_addf(&why, "%s%s: %s", why.len ? "; " : "", servers[i]->name, r);
        else if (better_target(e, servers[i], best))
            best = servers[i];
        free(r);
    }
    free(servers);
    if (best) {
        agent_target_of(e, best, t);
        *nnets = vm_networks(e, vm, nets);
    } else {
        snprintf(it->why, sizeof it->why, "%s", why.len ? why.buf : "no other server in the pool");
    }
    sb_free(&why);
    store_unlock(e->st);
    return best ? 0 : -1;
}

static int run_evac_child(job *j)
{
    evac_plan *p = j->plan;
    evac_item *it = p->cur;
    agent_target t;
    char **nets = NULL;
    size_t nnets = 0;
    if (evac_target(j, p, it, &t, &nets, &nnets) != 0) {
        job_fail(j, "Job failed: no server can receive Vm %s: %s", it->vm_name, it->why);
        return -1;
    }
    engine *e = j->eng;
    int rc = 0;
    for (size_t i = 0; i < nnets && rc == 0; i++)
        rc = agent_job_call(j, &t, "ovs_br_config", e->cfg.agent_call_timeout, NULL, 3, xr_string("start"),
                            xr_string(nets[i]), xr_string("bond0"));
    free_list(nets, nnets);
    if (rc == 0)
        rc = agent_job_call(j, &p->src, "migrate_vm", e->cfg.agent_long_timeout, NULL, 5, xr_string(it->repo_id),
                            xr_string(it->vm_id), xr_string(t.ep.host), xr_bool(1), xr_bool(0));
    if (rc == 0 && wait_running(j, &t, it->repo_id, it->vm_id) != 0) {
        job_fail(j, "Job failed: Vm %s is not running on Server %s after the migration", it->vm_name, t.name);
        rc = -1;
    }
    if (rc != 0) {
        snprintf(it->why, sizeof it->why, "%s", j->error ? j->error : "migration failed");
        return -1;
    }
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *vm = store_get(e->st, it->vm_id);
    if (vm)
        obj_set(e->st, vm, "server", t.id);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    return 0;
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
        obj *s = store_get(e->st, p->src.id);
        if (s)
            event_raise(e, "MAINTENANCE_EVACUATION_INCOMPLETE", "WARNING", s, j->error, j->id);
        store_unlock(e->st);
    }
    sb_free(&failed);
    return nfailed ? -1 : 0;
}
