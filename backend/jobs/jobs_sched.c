/* The scheduler: object locks taken all at once, the queue, the worker
 * threads and inline child jobs. It works on ids, lock sets and run states;
 * a job's name is only logged (tests/unit/test-layers.sh checks it). */
#include "backend/jobs/jobs_impl.h"
#include "backend/jobs/jobs.h"
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "backend/engine.h"
#include "backend/jobs/events.h"
#include "backend/store/store_tables.h"
#include "lib/crashpoint.h"
#include "lib/log.h"
#include "lib/util.h"

/* ---- locks: taken all at once under the store write lock ---- */

static int64_t lock_conflict(engine *e, job *j, obj **holder_obj)
{
    for (size_t i = 0; i < j->nlocks; i++) {
        obj *o = store_get(e->st, j->locks[i]);
        if (o && o->lock_job && o->lock_job != j->id) {
            *holder_obj = o;
            return o->lock_job;
        }
    }
    return 0;
}

static int try_lock_all(engine *e, job *j)
{
    obj *o = NULL;
    int64_t holder = lock_conflict(e, j, &o);
    if (holder) {
        char *msg = xasprintf("Waiting for lock on %s %s held by job %lld", o->type, o->name, (long long)holder);
        j->waited = 1;
        free(j->progress);
        j->progress = msg;
        return 0;
    }
    for (size_t i = 0; i < j->nlocks; i++) {
        obj *x = store_get(e->st, j->locks[i]);
        if (x)
            x->lock_job = j->id;
    }
    return 1;
}

static void unlock_all(engine *e, job *j)
{
    for (size_t i = 0; i < j->nlocks; i++) {
        obj *x = store_get(e->st, j->locks[i]);
        if (x && x->lock_job == j->id) {
            x->lock_job = 0;
            x->released_ms = ovm_now_ms();
        }
    }
}

int64_t jobs_lock_holder(jobs *js, const char *id)
{
    obj *o = store_get(js->eng->st, id);
    return o ? o->lock_job : 0;
}

/* ---- queue and workers ---- */

void jobs_submit(jobs *js, job *j, job_fn fn, void *plan, void (*plan_free)(void *))
{
    j->fn = fn;
    j->plan = plan;
    j->plan_free = plan_free;
    job_persist_locked(js->eng, j);
    crash_point("job.queued");
    pthread_mutex_lock(&js->mu);
    j->refs++; /* the queue's reference, dropped when the job ends */
    js->submitted_since_trim++;
    jobs_all_add(js, j);
    j->next = NULL;
    if (js->queue_tail)
        js->queue_tail->next = j;
    else
        js->queue_head = j;
    js->queue_tail = j;
    js->nqueued++;
    /* One job: one worker. Waking all of them per submit cost a futex storm
     * (16 wake-ups, 16 store write locks) for every asynchronous create. */
    pthread_cond_signal(&js->work_cv);
    pthread_mutex_unlock(&js->mu);
}

/* Each queued job holds its plan (for create Vm some 8 KB: the agent
 * target, the vm.cfg, the store changes), so a client that submits faster
 * than the workers run would otherwise grow the engine without bound:
 * 100,000 asynchronous creates held some 800 MB. */
void jobs_wait_room(jobs *js, size_t max_queued, int timeout_ms)
{
    struct timespec until = ovm_deadline_ms(timeout_ms);
    pthread_mutex_lock(&js->mu);
    while (!js->stop && js->nqueued >= max_queued)
        if (pthread_cond_timedwait(&js->room_cv, &js->mu, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&js->mu);
}

/* Takes the first queued job whose locks are free. Lock order everywhere:
 * the store lock first, then js->mu; the caller holds both. */
static job *dequeue_runnable(jobs *js)
{
    engine *e = js->eng;
    job *prev = NULL, *found = NULL;
    for (job *j = js->queue_head; j; prev = j, j = j->next) {
        if (j->aborted || try_lock_all(e, j)) {
            found = j;
            break;
        }
    }
    if (!found)
        return NULL;
    if (prev)
        prev->next = found->next;
    else
        js->queue_head = found->next;
    if (js->queue_tail == found)
        js->queue_tail = prev;
    found->next = NULL;
    js->nqueued--;
    pthread_cond_signal(&js->room_cv);
    return found;
}

void finish_job(jobs *js, job *j, int rc)
{
    engine *e = js->eng;
    store_wrlock(e->st);
    unlock_all(e, j);
    pthread_mutex_lock(&js->mu);
    if (j->aborted)
        snprintf(j->run_state, sizeof j->run_state, "%s", JS_ABORTED);
    else
        snprintf(j->run_state, sizeof j->run_state, "%s", rc == 0 ? JS_COMPLETED : JS_FAILED);
    if (rc != 0 && !j->aborted && (!j->error || !*j->error))
        job_fail(j, "Job failed: unknown error");
    j->end_ms = ovm_now_ms();
    free(j->progress);
    j->progress = xstrdup(j->aborted ? "Aborted" : rc == 0 ? "Done" : "Failed");
    j->finished = 1;
    j->running = 0;
    pthread_mutex_unlock(&js->mu);
    job_persist(e, j);
    if (rc != 0 && !j->aborted && j->target) {
        obj *t = store_get(e->st, j->target);
        if (t)
            event_raise(e, "JOB_FAILED", "WARNING", t, j->error ? j->error : "Job failed", j->id);
    }
    store_unlock(e->st);
    pthread_mutex_lock(&js->mu);
    if (j->plan_free && j->plan) {
        j->plan_free(j->plan);
        j->plan = NULL;
    }
    /* Only revalidation (before the run) reads it; the history keeps command. */
    free(j->raw_command);
    j->raw_command = NULL;
    pthread_cond_broadcast(&j->done_cv);
    /* Locks freed: a queued job may run. This worker looks again itself;
     * one more is woken, and each worker that finds a job wakes the next
     * while the queue is not empty (jobs_worker_main). */
    if (js->queue_head)
        pthread_cond_signal(&js->work_cv);
    int trim = js->queue_head == NULL && js->submitted_since_trim >= 256;
    if (trim)
        js->submitted_since_trim = 0;
    pthread_mutex_unlock(&js->mu);
    /* A burst of asynchronous jobs leaves their plans freed but the heap
     * grown; give the pages back once such a burst has drained. */
    if (trim)
        malloc_trim(0);
    log_info("job %lld %s: %s%s%s", (long long)j->id, j->name, j->run_state, j->error ? ": " : "",
             j->error ? j->error : "");
    job_release(js, j);
}

void *jobs_worker_main(void *arg)
{
    jobs *js = arg;
    engine *e = js->eng;
    for (;;) {
        store_wrlock(e->st);
        pthread_mutex_lock(&js->mu);
        job *j = js->stop ? NULL : dequeue_runnable(js);
        if (j)
            j->running = 1;
        if (j && js->queue_head)
            pthread_cond_signal(&js->work_cv); /* more may be runnable: pass it on */
        store_unlock(e->st);
        if (js->stop) {
            pthread_mutex_unlock(&js->mu);
            break;
        }
        if (!j) {
            struct timespec ts = ovm_deadline_ms(1000);
            pthread_cond_timedwait(&js->work_cv, &js->mu, &ts);
            pthread_mutex_unlock(&js->mu);
            continue;
        }
        pthread_mutex_unlock(&js->mu);
        /* doc/object-model.md §7.5: a job that waited for a lock is validated again
         * against the state the other job left before it runs. */
        crash_point("job.started");
        int rc = j->aborted ? -1 : j->waited && j->revalidate && j->revalidate(j) != 0 ? -1
                                 : job_run_undoable(j, j->fn);
        crash_point("job.ran"); /* the action is over, its end state not yet written */
        finish_job(js, j, rc);
    }
    return NULL;
}

int jobs_wait(jobs *js, job *j, int timeout_s)
{
    return jobs_wait_ms(js, j, timeout_s * 1000);
}

int jobs_wait_ms(jobs *js, job *j, int timeout_ms)
{
    struct timespec ts = ovm_deadline_ms(timeout_ms);
    pthread_mutex_lock(&js->mu);
    int rc = 0;
    while (!j->finished && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&j->done_cv, &js->mu, &ts);
    int done = j->finished;
    pthread_mutex_unlock(&js->mu);
    return done ? 0 : 1;
}

void job_release(jobs *js, job *j)
{
    pthread_mutex_lock(&js->mu);
    int last = --j->refs == 0;
    pthread_mutex_unlock(&js->mu);
    /* Jobs stay in the history array, which holds no reference: the history
     * keeps the row; only the execution state is freed, unless `delete Job`
     * already took the job out of the history. */
    if (last && j->plan_free && j->plan) {
        j->plan_free(j->plan);
        j->plan = NULL;
    }
    if (last && j->deleted)
        job_free(j);
}

/* ---- children: run inline on the parent's worker thread ---- */

int job_run_child(job *parent, const char *name, const char *target, job_fn fn, void *plan)
{
    engine *e = parent->eng;
    jobs *js = e->js;
    job *c = job_new(e, name, parent->user, "", target);
    c->parent_id = parent->id;
    c->peer_uid = parent->peer_uid;
    c->plan = plan;
    pthread_mutex_lock(&js->mu);
    jobs_all_add(js, c);
    parent->children = xrealloc(parent->children, (parent->nchildren + 1) * sizeof *parent->children);
    parent->children[parent->nchildren++] = c->id;
    snprintf(parent->run_state, sizeof parent->run_state, "%s", JS_CHILD_RUNNING);
    c->running = 1;
    pthread_mutex_unlock(&js->mu);
    job_persist_locked(e, parent);
    job_persist_locked(e, c);
    crash_point("job.child.started");
    int rc = parent->aborted ? (c->aborted = 1, -1) : job_run_undoable(c, fn);
    pthread_mutex_lock(&js->mu);
    snprintf(c->run_state, sizeof c->run_state, "%s",
             c->aborted ? JS_ABORTED : rc == 0 ? JS_COMPLETED : JS_FAILED);
    if (rc != 0 && !c->aborted && !c->error)
        job_fail(c, "Job failed: unknown error");
    c->end_ms = ovm_now_ms();
    c->finished = 1;
    c->running = 0;
    c->plan = NULL; /* owned by the parent's plan */
    snprintf(parent->run_state, sizeof parent->run_state, "%s", JS_IN_PROGRESS);
    pthread_mutex_unlock(&js->mu);
    job_persist_locked(e, c);
    job_persist_locked(e, parent);
    crash_point("job.child.done"); /* between two children of a parent job */
    if (rc != 0 && c->error)
        job_fail(parent, "%s", c->error);
    return rc;
}
