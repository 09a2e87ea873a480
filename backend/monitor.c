#include "backend/monitor.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "backend/events.h"
#include "backend/model.h"
#include "backend/ops.h"
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
    pthread_t thread;
} poll_task;

static void *poll_one(void *arg)
{
    poll_task *p = arg;
    char *err = NULL;
    long tmo = p->e->cfg.poll_interval > 0 && p->e->cfg.poll_interval < 30 ? p->e->cfg.poll_interval : 30;
    int rc = agent_try_call(p->e, &p->t, "list_vms", tmo, &p->vms, &err, 0);
    if (rc != AGC_OK) {
        p->auth_failed = rc == AGC_AUTH;
        log_debug("poll %s: %s", p->t.name, err ? err : "failed");
    }
    free(err);
    return NULL;
}

static int vm_listed(const xr_value *vms, const char *id, const char **state)
{
    for (size_t i = 0; vms && i < vms->n; i++) {
        const char *name = xr_get_str(xr_struct_get(vms->items[i], "name"));
        if (name && !strcmp(name, id)) {
            *state = xr_get_str(xr_struct_get(vms->items[i], "state"));
            return 1;
        }
    }
    return 0;
}

/* A VM not touched by a job takes the state its host reports (object-model §5.4). */
static void reconcile_vms(engine *e, obj *server, const xr_value *vms)
{
    obj **all;
    size_t n = store_list(e->st, "Vm", &all);
    for (size_t i = 0; i < n; i++) {
        obj *vm = all[i];
        if (vm->lock_job || obj_is(vm, "status", "Template"))
            continue;
        const char *state = NULL;
        int here = vm_listed(vms, vm->id, &state);
        const char *st = status_of(vm);
        if (here && strcmp(obj_gets(vm, "server"), server->id) != 0) {
            obj_set(e->st, vm, "server", server->id);
            obj_set(e->st, vm, "status", "Running");
            event_raise(e, "VM_STATE", "INFORMATIONAL", vm, "Vm found running on this server", 0);
        } else if (here && strcmp(st, "Running") != 0) {
            obj_set(e->st, vm, "status", "Running");
            event_raise(e, "VM_STATE", "INFORMATIONAL", vm, "Vm found running", 0);
        } else if (!here && obj_is(vm, "server", server->id) &&
                   (!strcmp(st, "Running") || !strcmp(st, "Starting") || !strcmp(st, "Stopping"))) {
            obj_set(e->st, vm, "status", "Stopped");
            event_raise(e, "VM_STATE", "INFORMATIONAL", vm, "Vm stopped outside the Manager", 0);
        }
    }
    free(all);
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
    if (quiet >= 6 * iv && obj_is(s, "status", "Running")) {
        obj_set(e->st, s, "status", "Stopped");
        event_raise(e, "SERVER_OFFLINE", "ERROR", s, "Server is offline", 0);
        obj **vms;
        size_t n = store_find_by(e->st, "Vm", "server", s->id, &vms);
        for (size_t i = 0; i < n; i++) {
            const char *st = status_of(vms[i]);
            if (!strcmp(st, "Running") || !strcmp(st, "Starting") || !strcmp(st, "Stopping")) {
                obj_set(e->st, vms[i], "status", "Stopped");
                event_raise(e, "VM_OFFLINE", "ERROR", vms[i], "Server of the Vm is offline", 0);
            }
        }
        free(vms);
    }
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
        if (obj_is(s, "status", "Stopped") && obj_is(s, "ownership", "Owned"))
            obj_set(e->st, s, "status", "Running");
        if (!s->lock_job)
            reconcile_vms(e, s, p->vms);
    } else if (p->auth_failed) {
        if (!obj_is(s, "status", "Unknown")) {
            obj_set(e->st, s, "status", "Unknown");
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
    size_t n = store_list(e->st, "Server", &servers), k = 0;
    poll_task *tasks = xcalloc(n ? n : 1, sizeof *tasks);
    for (size_t i = 0; i < n; i++) {
        if (!obj_is(servers[i], "ownership", "Owned"))
            continue;
        tasks[k].e = e;
        agent_target_of(e, servers[i], &tasks[k].t);
        k++;
    }
    free(servers);
    store_unlock(e->st);
    for (size_t i = 0; i < k; i++)
        if (pthread_create(&tasks[i].thread, NULL, poll_one, &tasks[i]) != 0)
            poll_one(&tasks[i]), tasks[i].thread = 0;
    for (size_t i = 0; i < k; i++)
        if (tasks[i].thread)
            pthread_join(tasks[i].thread, NULL);
    store_wrlock(e->st);
    store_begin(e->st);
    for (size_t i = 0; i < k; i++)
        apply_poll(e, &tasks[i]);
    store_commit(e->st);
    store_unlock(e->st);
    for (size_t i = 0; i < k; i++)
        xr_free(tasks[i].vms);
    free(tasks);
}

static void *monitor_main(void *arg)
{
    monitor *m = arg;
    pthread_mutex_lock(&m->mu);
    while (!m->stop) {
        pthread_mutex_unlock(&m->mu);
        monitor_poll_all(m->e);
        pthread_mutex_lock(&m->mu);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += m->e->cfg.poll_interval;
        while (!m->stop && pthread_cond_timedwait(&m->cv, &m->mu, &ts) == 0)
            ;
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

monitor *monitor_start(engine *e)
{
    monitor *m = xcalloc(1, sizeof *m);
    m->e = e;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    /* Settle what a previous run left transitional before sessions connect. */
    monitor_poll_all(e);
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
