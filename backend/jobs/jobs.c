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

struct jobs {
    engine *eng;
    pthread_mutex_t mu;
    pthread_cond_t work_cv;
    job *queue_head, *queue_tail;
    job **all;          /* every job, ids ascending */
    size_t nall, capall;
    pthread_t *workers;
    int nworkers;
    int stop;
    int submitted_since_trim;  /* jobs queued since the heap was last trimmed */
};

const char *job_summary_state(const char *rs)
{
    if (!strcmp(rs, JS_COMPLETED))
        return "Success";
    if (!strcmp(rs, JS_FAILED))
        return "Failure";
    if (!strcmp(rs, JS_ABORTED))
        return "Aborted";
    return "In Progress";
}

static int terminal(const char *rs)
{
    return !strcmp(rs, JS_COMPLETED) || !strcmp(rs, JS_FAILED) || !strcmp(rs, JS_ABORTED);
}

/* ---- persistence: every write happens under the store write lock ---- */

static void persist(engine *e, const job *j)
{
    store_job_row r = {
        .id = j->id, .parent = j->parent_id, .name = j->name, .description = j->description, .kind = j->kind,
        .run_state = j->run_state, .progress = j->progress, .user = j->user, .start_ms = j->start_ms,
        .end_ms = j->end_ms, .target = j->target, .result = j->result_obj, .error = j->error,
        .command = j->command,
    };
    store_job_save(e->st, &r);
}

static void persist_locked(engine *e, const job *j)
{
    store_wrlock(e->st);
    persist(e, j);
    store_unlock(e->st);
}

/* ---- job objects ---- */

static void job_free(job *j)
{
    free(j->name);
    free(j->description);
    free(j->user);
    free(j->command);
    free(j->progress);
    free(j->error);
    free(j->target);
    free(j->result_obj);
    free(j->raw_command);
    free(j->children);
    for (size_t i = 0; i < j->nlocks; i++)
        free(j->locks[i]);
    free(j->locks);
    if (j->plan_free && j->plan)
        j->plan_free(j->plan);
    pthread_cond_destroy(&j->done_cv);
    free(j);
}

void job_discard(job *j)
{
    if (j)
        job_free(j);
}

static job *job_alloc(void)
{
    job *j = xcalloc(1, sizeof *j);
    pthread_cond_init(&j->done_cv, NULL);
    j->kind = "LEAF";
    j->refs = 1;
    return j;
}

job *job_new(engine *e, const char *name, const char *user, const char *command, const char *target)
{
    job *j = job_alloc();
    j->eng = e;
    j->id = ovm_unique_ms_id();
    j->name = xstrdup(name);
    j->user = xstrdup(user ? user : "system");
    j->command = xstrdup(command ? command : "");
    j->target = target ? xstrdup(target) : NULL;
    snprintf(j->run_state, sizeof j->run_state, "%s", JS_IN_PROGRESS);
    j->start_ms = ovm_now_ms();
    return j;
}

void job_lock(job *j, const char *id)
{
    for (size_t i = 0; i < j->nlocks; i++)
        if (!strcmp(j->locks[i], id))
            return;
    j->locks = xrealloc(j->locks, (j->nlocks + 1) * sizeof *j->locks);
    j->locks[j->nlocks++] = xstrdup(id);
}

static void all_add(jobs *js, job *j)
{
    if (js->nall == js->capall) {
        js->capall = js->capall ? js->capall * 2 : 1024;
        js->all = xrealloc(js->all, js->capall * sizeof *js->all);
    }
    /* ids are increasing except after a clock step; keep the array sorted. */
    size_t i = js->nall;
    while (i > 0 && js->all[i - 1]->id > j->id) {
        js->all[i] = js->all[i - 1];
        i--;
    }
    js->all[i] = j;
    js->nall++;
}

static job *find_job(jobs *js, int64_t id)
{
    size_t lo = 0, hi = js->nall;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (js->all[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < js->nall && js->all[lo]->id == id ? js->all[lo] : NULL;
}

void job_fail(job *j, const char *fmt, ...)
{
    if (j->error && *j->error)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    free(j->error);
    j->error = msg;
}

void job_progress(job *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    jobs *js = j->eng->js;
    pthread_mutex_lock(&js->mu);
    free(j->progress);
    j->progress = msg;
    pthread_mutex_unlock(&js->mu);
}

int job_aborted(job *j)
{
    return __atomic_load_n(&j->aborted, __ATOMIC_SEQ_CST);
}

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
    persist_locked(js->eng, j);
    crash_point("job.queued");
    pthread_mutex_lock(&js->mu);
    j->refs++; /* the queue's reference, dropped when the job ends */
    js->submitted_since_trim++;
    all_add(js, j);
    j->next = NULL;
    if (js->queue_tail)
        js->queue_tail->next = j;
    else
        js->queue_head = j;
    js->queue_tail = j;
    pthread_cond_broadcast(&js->work_cv);
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
    return found;
}

static void finish_job(jobs *js, job *j, int rc)
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
    persist(e, j);
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
    pthread_cond_broadcast(&j->done_cv);
    pthread_cond_broadcast(&js->work_cv); /* locks freed: queued jobs may run */
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

static void *worker_main(void *arg)
{
    jobs *js = arg;
    engine *e = js->eng;
    for (;;) {
        store_wrlock(e->st);
        pthread_mutex_lock(&js->mu);
        job *j = js->stop ? NULL : dequeue_runnable(js);
        if (j)
            j->running = 1;
        store_unlock(e->st);
        if (js->stop) {
            pthread_mutex_unlock(&js->mu);
            break;
        }
        if (!j) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 1;
            pthread_cond_timedwait(&js->work_cv, &js->mu, &ts);
            pthread_mutex_unlock(&js->mu);
            continue;
        }
        pthread_mutex_unlock(&js->mu);
        /* doc/object-model.md §7.5: a job that waited for a lock is validated again
         * against the state the other job left before it runs. */
        crash_point("job.started");
        int rc = j->aborted ? -1 : j->waited && j->revalidate && j->revalidate(j) != 0 ? -1 : j->fn(j);
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
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
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
    c->plan = plan;
    pthread_mutex_lock(&js->mu);
    all_add(js, c);
    parent->children = xrealloc(parent->children, (parent->nchildren + 1) * sizeof *parent->children);
    parent->children[parent->nchildren++] = c->id;
    snprintf(parent->run_state, sizeof parent->run_state, "%s", JS_CHILD_RUNNING);
    c->running = 1;
    pthread_mutex_unlock(&js->mu);
    persist_locked(e, parent);
    persist_locked(e, c);
    crash_point("job.child.started");
    int rc = parent->aborted ? (c->aborted = 1, -1) : fn(c);
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
    persist_locked(e, c);
    persist_locked(e, parent);
    crash_point("job.child.done"); /* between two children of a parent job */
    if (rc != 0 && c->error)
        job_fail(parent, "%s", c->error);
    return rc;
}

/* ---- history ---- */

static job *snapshot(const job *j)
{
    job *s = job_alloc();
    s->id = j->id;
    s->parent_id = j->parent_id;
    s->name = xstrdup(j->name);
    s->description = j->description ? xstrdup(j->description) : NULL;
    s->kind = j->kind;
    s->user = xstrdup(j->user);
    s->command = xstrdup(j->command ? j->command : "");
    memcpy(s->run_state, j->run_state, sizeof s->run_state);
    s->progress = j->progress ? xstrdup(j->progress) : NULL;
    s->error = j->error ? xstrdup(j->error) : NULL;
    s->target = j->target ? xstrdup(j->target) : NULL;
    s->result_obj = j->result_obj ? xstrdup(j->result_obj) : NULL;
    s->start_ms = j->start_ms;
    s->end_ms = j->end_ms;
    s->finished = j->finished;
    if (j->nchildren) {
        s->children = xmalloc(j->nchildren * sizeof *s->children);
        memcpy(s->children, j->children, j->nchildren * sizeof *s->children);
        s->nchildren = j->nchildren;
    }
    return s;
}

job *jobs_snapshot(jobs *js, int64_t id)
{
    pthread_mutex_lock(&js->mu);
    job *j = find_job(js, id);
    job *s = j ? snapshot(j) : NULL;
    pthread_mutex_unlock(&js->mu);
    return s;
}

size_t jobs_snapshot_all(jobs *js, job ***out)
{
    pthread_mutex_lock(&js->mu);
    size_t n = js->nall;
    *out = xmalloc((n ? n : 1) * sizeof **out);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = snapshot(js->all[i]);
    pthread_mutex_unlock(&js->mu);
    return n;
}

void job_snapshot_free(job *j)
{
    if (j)
        job_free(j);
}

int jobs_abort(jobs *js, int64_t id, char **err)
{
    pthread_mutex_lock(&js->mu);
    job *j = find_job(js, id);
    if (!j) {
        pthread_mutex_unlock(&js->mu);
        *err = xasprintf("Cannot find Job with id: %lld", (long long)id);
        return -1;
    }
    if (j->finished || terminal(j->run_state)) {
        *err = xasprintf("Job %lld has already ended (%s); only unfinished jobs can be aborted", (long long)id,
                         j->run_state);
        pthread_mutex_unlock(&js->mu);
        return -1;
    }
    __atomic_store_n(&j->aborted, 1, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&js->work_cv);
    pthread_mutex_unlock(&js->mu);
    return 0;
}

int jobs_delete(jobs *js, int64_t id, char **err)
{
    engine *e = js->eng;
    store_wrlock(e->st);
    pthread_mutex_lock(&js->mu);
    job *j = find_job(js, id);
    int rc = 0;
    if (!j) {
        *err = xasprintf("Cannot find Job with id: %lld", (long long)id);
        rc = -1;
    } else if (!terminal(j->run_state) || !j->finished) {
        *err = xasprintf("Cannot delete Job %lld: its Run State is %s", (long long)id, j->run_state);
        rc = -1;
    } else {
        size_t i = 0;
        while (js->all[i] != j)
            i++;
        memmove(&js->all[i], &js->all[i + 1], (js->nall - i - 1) * sizeof *js->all);
        js->nall--;
        store_job_delete(e->st, id);
        if (j->refs == 0)
            job_free(j);
        else
            j->deleted = 1; /* freed by the last job_release */
    }
    pthread_mutex_unlock(&js->mu);
    store_unlock(e->st);
    return rc;
}

/* ---- start-up: load history, settle interrupted jobs ---- */

/* The state a LEAF job's target must be in for its goal to count as reached. */
static const char *goal_status(const char *name)
{
    static const char *const goals[][2] = {
        {"Start VM:", "Running"}, {"HA Restart VM:", "Running"}, {"Stop VM:", "Stopped"}, {"Kill VM:", "Stopped"},
        {"Restart VM:", "Running"}, {"Suspend VM:", "Suspended"}, {"Resume VM:", "Running"},
    };
    for (size_t i = 0; i < sizeof goals / sizeof goals[0]; i++)
        if (!strncmp(name, goals[i][0], strlen(goals[i][0])))
            return goals[i][1];
    return NULL;
}

void jobs_settle_interrupted(jobs *js)
{
    engine *e = js->eng;
    store_wrlock(e->st);
    pthread_mutex_lock(&js->mu);
    for (size_t i = 0; i < js->nall; i++) {
        job *j = js->all[i];
        if (!j->interrupted)
            continue;
        obj *target = j->target ? store_get(e->st, j->target) : NULL;
        const char *goal = goal_status(j->name);
        int reached = goal && target && obj_is(target, "status", goal);
        snprintf(j->run_state, sizeof j->run_state, "%s", reached ? JS_COMPLETED : JS_FAILED);
        free(j->error);
        j->error = reached ? NULL : xstrdup("Job failed: interrupted by a Manager restart");
        free(j->progress);
        j->progress = xstrdup(reached ? "Completed after a Manager restart (agent state checked)" : "Interrupted");
        j->end_ms = ovm_now_ms();
        j->finished = 1;
        j->interrupted = 0;
        persist(e, j);
        log_warn("job %lld (%s) was interrupted by a restart: %s", (long long)j->id, j->name,
                 reached ? "the agents show it completed" : "marked Failed");
    }
    pthread_mutex_unlock(&js->mu);
    store_unlock(e->st);
}

static char *col(const char *t)
{
    return t ? xstrdup(t) : NULL;
}

static void load_row(void *ctx, const store_job_row *r)
{
    jobs *js = ctx;
    job *j = job_alloc();
    j->eng = js->eng;
    j->refs = 0;
    j->id = r->id;
    j->parent_id = r->parent;
    j->name = col(r->name);
    j->description = col(r->description);
    const char *kind = r->kind;
    j->kind = kind && !strcmp(kind, "FAN_OUT") ? "FAN_OUT" : kind && !strcmp(kind, "SEQUENCE") ? "SEQUENCE" : "LEAF";
    snprintf(j->run_state, sizeof j->run_state, "%s", r->run_state);
    j->progress = col(r->progress);
    j->user = col(r->user);
    j->start_ms = r->start_ms;
    j->end_ms = r->end_ms;
    j->target = col(r->target);
    j->result_obj = col(r->result);
    j->error = col(r->error);
    if (j->error && !*j->error) {
        free(j->error);
        j->error = NULL;
    }
    j->command = col(r->command);
    j->finished = 1;
    if (!terminal(j->run_state)) {
        /* Settled by jobs_settle_interrupted once the monitor has asked
         * the agents what happened (doc/object-model.md §7.8). */
        j->finished = 0;
        j->interrupted = 1;
    }
    all_add(js, j);
    if (j->parent_id) {
        job *p = find_job(js, j->parent_id);
        if (p) {
            p->children = xrealloc(p->children, (p->nchildren + 1) * sizeof *p->children);
            p->children[p->nchildren++] = j->id;
        }
    }
}

static void load_history(jobs *js)
{
    store_job_load(js->eng->st, load_row, js);
}

jobs *jobs_start(engine *e, int nworkers)
{
    jobs *js = xcalloc(1, sizeof *js);
    js->eng = e;
    pthread_mutex_init(&js->mu, NULL);
    pthread_cond_init(&js->work_cv, NULL);
    store_wrlock(e->st);
    load_history(js);
    store_unlock(e->st);
    js->nworkers = nworkers;
    js->workers = xcalloc((size_t)nworkers, sizeof *js->workers);
    for (int i = 0; i < nworkers; i++)
        pthread_create(&js->workers[i], NULL, worker_main, js);
    return js;
}

void jobs_stop(jobs *js)
{
    if (!js)
        return;
    pthread_mutex_lock(&js->mu);
    js->stop = 1;
    /* Jobs still queued are aborted: nothing was sent to an agent for them. */
    for (job *j = js->queue_head; j; j = j->next)
        j->aborted = 1;
    pthread_cond_broadcast(&js->work_cv);
    pthread_mutex_unlock(&js->mu);
    for (int i = 0; i < js->nworkers; i++)
        pthread_join(js->workers[i], NULL);
    for (job *j = js->queue_head, *next; j; j = next) {
        next = j->next;
        finish_job(js, j, -1);
    }
    for (size_t i = 0; i < js->nall; i++)
        job_free(js->all[i]);
    free(js->all);
    free(js->workers);
    pthread_mutex_destroy(&js->mu);
    pthread_cond_destroy(&js->work_cv);
    free(js);
}
