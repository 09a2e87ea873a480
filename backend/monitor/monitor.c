#include "backend/monitor/monitor.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "backend/jobs/events.h"
#include "backend/monitor/ha.h"
#include "backend/monitor/periodic.h"
#include "backend/monitor/policy.h"
#include "backend/monitor/stats.h"
#include "backend/flows/model.h"
#include "lib/log.h"
#include "lib/util.h"

struct monitor {
    engine *e;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    int running;
};

typedef struct poll_task {
    engine *e;
    agent_target t;
    xr_value *vms;   /* list_vms answer, NULL when the agent did not answer */
    int auth_failed;
    int64_t asked_ms; /* when list_vms was sent */
} poll_task;

/* One polling round: a bounded set of threads takes tasks in turn, so 1000
 * servers cost monitor.threads threads, not 1000. */
typedef struct poll_round {
    poll_task *tasks;
    size_t n;
    size_t next;     /* next task to take (atomic) */
} poll_round;

static void poll_one(poll_task *p)
{
    char *err = NULL;
    long tmo = p->e->cfg.poll_interval > 0 && p->e->cfg.poll_interval < 30 ? p->e->cfg.poll_interval : 30;
    p->asked_ms = ovm_now_ms();
    int rc = agent_list_vms(agent_within(AGENT_TRY(p->e, &p->t, &err), tmo), &p->vms);
    if (rc != AGC_OK) {
        p->auth_failed = rc == AGC_AUTH;
        log_debug("poll %s: %s", p->t.name, err ? err : "failed");
    }
    free(err);
}

static void *poll_worker(void *arg)
{
    poll_round *r = arg;
    for (;;) {
        size_t i = __atomic_fetch_add(&r->next, 1, __ATOMIC_SEQ_CST);
        if (i >= r->n)
            return NULL;
        poll_one(&r->tasks[i]);
    }
}

/* Runs every task of the round on at most max_threads threads. */
static void poll_round_run(poll_round *r, int max_threads)
{
    size_t nt = r->n < (size_t)max_threads ? r->n : (size_t)max_threads;
    pthread_t *th = xcalloc(nt ? nt : 1, sizeof *th);
    size_t started = 0;
    for (size_t i = 0; i < nt; i++)
        if (pthread_create(&th[started], NULL, poll_worker, r) == 0)
            started++;
    if (!started)
        poll_worker(r); /* no thread could start: poll inline */
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
}

static int vm_listed(const xr_value *vms, const char *id)
{
    for (size_t i = 0; vms && i < vms->n; i++) {
        const char *name = xr_get_str(xr_struct_get(vms->items[i], "name"));
        if (name && !strcmp(name, id))
            return 1;
    }
    return 0;
}

/* A domain the host runs: the VM is Running there, unless the store knows it
 * Running on another live server (a failed host that came back with a stale
 * domain after an HA restart: the store keeps the restarted copy). */
static void found_running(engine *e, obj *vm, obj *server)
{
    obj_status st = status_get(vm);
    if (strcmp(obj_gets(vm, "server"), server->id) != 0) {
        obj *cur = store_get(e->st, obj_gets(vm, "server"));
        if (cur && st == ST_RUNNING && status_get(cur) == ST_RUNNING) {
            log_warn("Vm %s also listed on Server %s; it runs on Server %s", vm->name, server->name, cur->name);
            return;
        }
        obj_set(e->st, vm, "server", server->id);
        status_set(e->st, vm, ST_RUNNING);
        event_raise(e, "VM_STATE", "INFORMATIONAL", vm, "Vm found running on this server", 0);
    } else if (st != ST_RUNNING) {
        status_set(e->st, vm, ST_RUNNING);
        event_raise(e, "VM_STATE", "INFORMATIONAL", vm, "Vm found running", 0);
    }
    if (obj_get(vm, "haDue"))
        obj_unset(e->st, vm, "haDue"); /* it runs: no HA restart */
}

/* The host no longer runs the domain and no job is acting on it: a guest
 * shutdown, or a stop outside the Manager (H-6 restarts HA VMs). */
static void stopped_outside(engine *e, obj *vm, obj *server)
{
    status_set(e->st, vm, ST_STOPPED);
    event_raise(e, "VM_STATE", "INFORMATIONAL", vm, "Vm stopped outside the Manager", 0);
    if (ha_protected(e, vm))
        ha_schedule(e, vm, server->id, ovm_now_ms(), 1);
}

/* 1 if no job holds o or released it after the host was asked: a report
 * older than the job's end is stale (a stop that finished while list_vms
 * was on its way must not be undone by it). */
static int settled_since(const obj *o, int64_t asked_ms)
{
    return !o->lock_job && o->released_ms < asked_ms;
}

/* A VM not touched by a job takes the state its host reports (doc/object-model.md §5.4). */
static void reconcile_vms(engine *e, obj *server, const xr_value *vms, int64_t asked_ms)
{
    for (size_t i = 0; vms && i < vms->n; i++) {
        const char *name = xr_get_str(xr_struct_get(vms->items[i], "name"));
        obj *vm = name ? store_get_typed(e->st, "Vm", name) : NULL;
        if (vm && settled_since(vm, asked_ms) && status_get(vm) != ST_TEMPLATE)
            found_running(e, vm, server);
    }
    obj **mine;
    size_t n = store_find_by(e->st, "Vm", "server", server->id, &mine);
    for (size_t i = 0; i < n; i++) {
        obj *vm = mine[i];
        if (settled_since(vm, asked_ms) && status_is_live(status_get(vm)) && !vm_listed(vms, vm->id))
            stopped_outside(e, vm, server);
    }
    free(mine);
}

/* HA delay of a server's pool (H-2): clusterTimeout, or the test override. */
static int64_t ha_delay_ms(engine *e, const obj *s)
{
    if (e->cfg.ha_delay >= 0)
        return (int64_t)e->cfg.ha_delay * 1000;
    obj *pool = store_get(e->st, obj_gets(s, "serverPool"));
    return (pool ? obj_get_int(pool, "clusterTimeout", 120) : 120) * 1000;
}

/* S9 (DOWN_LOST): the server is Stopped; its VMs are Stopped with VM_OFFLINE,
 * HA VMs are scheduled for a restart clusterTimeout after the last heartbeat
 * (H-2, H-8). S5: after kill Server (DOWN_KILLED) the same without the
 * SERVER_OFFLINE and VM_OFFLINE events and with HA at once (the server is
 * known to be off); after stop Server (DOWN_STOPPED) no events and no HA (H-2:
 * a user stop). */
void monitor_server_down(engine *e, obj *s, int64_t last, server_down how)
{
    status_set(e->st, s, ST_STOPPED);
    if (how == DOWN_LOST)
        event_raise(e, "SERVER_OFFLINE", "ERROR", s, "Server is offline", 0);
    obj **vms;
    size_t n = store_find_by(e->st, "Vm", "server", s->id, &vms);
    int64_t due = how == DOWN_KILLED ? last : last + ha_delay_ms(e, s);
    for (size_t i = 0; i < n; i++) {
        if (!status_is_live(status_get(vms[i])))
            continue;
        status_set(e->st, vms[i], ST_STOPPED);
        if (how == DOWN_LOST)
            event_raise(e, "VM_OFFLINE", "ERROR", vms[i], "Server of the Vm is offline", 0);
        if (how != DOWN_STOPPED && ha_protected(e, vms[i]))
            ha_schedule(e, vms[i], s->id, due, 0);
    }
    free(vms);
}

static void server_lost(engine *e, obj *s, int64_t now)
{
    int64_t last = obj_get_int(s, "lastContact", now);
    int64_t quiet = (now - last) / 1000;
    int iv = e->cfg.poll_interval > 0 ? e->cfg.poll_interval : 10;
    if (quiet >= 3 * iv && !obj_is(s, "disconnected", "Yes")) {
        obj_set(e->st, s, "disconnected", "Yes");
        event_raise(e, "SERVER_DISCONNECT", "WARNING", s, "Server does not answer", 0);
    }
    if (quiet >= e->cfg.offline_after && status_get(s) == ST_RUNNING)
        monitor_server_down(e, s, last, DOWN_LOST);
}

static void apply_poll(engine *e, poll_task *p)
{
    obj *s = store_get_typed(e->st, "Server", p->t.id);
    if (!s)
        return;
    int64_t now = ovm_now_ms();
    if (p->vms) {
        obj_setf(e->st, s, "lastContact", "%lld", (long long)now);
        if (obj_is(s, "disconnected", "Yes")) {
            obj_unset(e->st, s, "disconnected");
            event_auto_ack(e, "SERVER_DISCONNECT", s->id);
        }
        if (status_get(s) == ST_STOPPED && obj_is(s, "ownership", "Owned")) {
            status_set(e->st, s, ST_RUNNING);
            if (obj_get(s, "serverPool"))
                ha_kick(e, obj_gets(s, "serverPool")); /* H-5 */
        }
        if (settled_since(s, p->asked_ms))
            reconcile_vms(e, s, p->vms, p->asked_ms);
    } else if (p->auth_failed) {
        if (status_get(s) != ST_UNKNOWN) {
            status_set(e->st, s, ST_UNKNOWN);
            event_raise(e, "SERVER_STATE", "WARNING", s, "Agent authentication failed; take ownership again", 0);
        }
    } else {
        server_lost(e, s, now);
    }
}

void monitor_poll_all(engine *e)
{
    store_rdlock(e->st);
    obj **servers;
    size_t n = store_list(e->st, "Server", &servers);
    poll_round r = {xcalloc(n ? n : 1, sizeof(poll_task)), 0, 0};
    for (size_t i = 0; i < n; i++) {
        if (!obj_is(servers[i], "ownership", "Owned"))
            continue;
        r.tasks[r.n].e = e;
        agent_target_of(e, servers[i], &r.tasks[r.n].t);
        r.n++;
    }
    free(servers);
    store_unlock(e->st);
    poll_round_run(&r, e->cfg.monitor_threads > 0 ? e->cfg.monitor_threads : 1);
    store_wrlock(e->st);
    store_begin(e->st);
    int64_t now = ovm_now_ms();
    int sample = stats_due(e, now);
    for (size_t i = 0; i < r.n; i++) {
        apply_poll(e, &r.tasks[i]);
        obj *s = r.tasks[i].vms ? store_get_typed(e->st, "Server", r.tasks[i].t.id) : NULL;
        if (sample && s)
            stats_sample_server(e, s, r.tasks[i].vms, now);
    }
    stats_round_end(e, now);
    store_commit(e->st);
    store_unlock(e->st);
    for (size_t i = 0; i < r.n; i++)
        xr_free(r.tasks[i].vms);
    free(r.tasks);
    ha_tick(e);
    policy_tick(e);
    periodic_tick(e);
}

static void *monitor_main(void *arg)
{
    monitor *m = arg;
    pthread_mutex_lock(&m->mu);
    while (!m->stop) {
        pthread_mutex_unlock(&m->mu);
        monitor_poll_all(m->e);
        pthread_mutex_lock(&m->mu);
        struct timespec ts = ovm_deadline_ms(m->e->cfg.poll_interval * 1000);
        while (!m->stop && pthread_cond_timedwait(&m->cv, &m->mu, &ts) == 0)
            ;
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

/* A power job a Manager restart interrupted left its server Starting or
 * Stopping (powerJob=Yes, backend/ops/ops_server_power.c): the first poll
 * decides, Running if the agent answered since, else Stopped as powered off
 * on request (S5, S7). The job is then settled by its goal. */
static void settle_power(engine *e, int64_t since_ms)
{
    store_wrlock(e->st);
    store_begin(e->st);
    obj **servers;
    size_t n = store_list(e->st, "Server", &servers);
    for (size_t i = 0; i < n; i++) {
        obj *s = servers[i];
        if (!obj_is(s, "powerJob", "Yes"))
            continue;
        obj_unset(e->st, s, "powerJob");
        int answered = obj_get_int(s, "lastContact", 0) >= since_ms;
        status_set(e->st, s, answered ? ST_RUNNING : ST_STOPPED);
        if (answered)
            obj_unset(e->st, s, "disconnected");
        else
            obj_set(e->st, s, "disconnected", "Yes");
    }
    free(servers);
    store_commit(e->st);
    store_unlock(e->st);
}

monitor *monitor_start(engine *e)
{
    monitor *m = xcalloc(1, sizeof *m);
    m->e = e;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    /* Settle what a previous run left transitional before sessions connect. */
    int64_t first = ovm_now_ms();
    monitor_poll_all(e);
    settle_power(e, first);
    if (e->cfg.poll_interval > 0 && pthread_create(&m->thread, NULL, monitor_main, m) == 0)
        m->running = 1;
    return m;
}

void monitor_stop(monitor *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    m->stop = 1;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    if (m->running)
        pthread_join(m->thread, NULL);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    free(m);
}

static void power_hook_down(engine *e, obj *s, int kill)
{
    monitor_server_down(e, s, ovm_now_ms(), kill ? DOWN_KILLED : DOWN_STOPPED);
}

static void power_hook_up(engine *e, obj *s)
{
    if (obj_get(s, "serverPool"))
        ha_kick(e, obj_gets(s, "serverPool")); /* H-5: waiting HA VMs may fit now */
}

const power_hooks monitor_power_hooks = {.down = power_hook_down, .up = power_hook_up};
