/* Jobs (jobs.h): job objects, their rows in the store, snapshots for
 * getJob/listJobs, abort and delete, start and stop of the manager. */
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

int job_terminal(const char *rs)
{
    return !strcmp(rs, JS_COMPLETED) || !strcmp(rs, JS_FAILED) || !strcmp(rs, JS_ABORTED);
}

/* ---- persistence: every write happens under the store write lock ---- */

void job_persist(engine *e, const job *j)
{
    store_job_row r = {
        .id = j->id, .parent = j->parent_id, .name = j->name, .description = j->description, .kind = j->kind,
        .run_state = j->run_state, .progress = j->progress, .user = j->user, .start_ms = j->start_ms,
        .end_ms = j->end_ms, .target = j->target, .result = j->result_obj, .error = j->error,
        .command = j->command, .goal = j->goal, .peer_uid = j->peer_uid,
    };
    store_job_save(e->st, &r);
}

void job_persist_locked(engine *e, const job *j)
{
    store_wrlock(e->st);
    job_persist(e, j);
    store_unlock(e->st);
}

/* ---- job objects ---- */

void job_free(job *j)
{
    free(j->name);
    free(j->description);
    free(j->user);
    free(j->command);
    free(j->progress);
    free(j->error);
    free(j->target);
    free(j->result_obj);
    free(j->goal);
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

job *job_alloc(void)
{
    job *j = xcalloc(1, sizeof *j);
    pthread_cond_init(&j->done_cv, NULL);
    j->kind = "LEAF";
    j->peer_uid = -1;
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

void jobs_all_add(jobs *js, job *j)
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

job *jobs_find(jobs *js, int64_t id)
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
    s->peer_uid = j->peer_uid;
    s->command = xstrdup(j->command ? j->command : "");
    memcpy(s->run_state, j->run_state, sizeof s->run_state);
    s->progress = j->progress ? xstrdup(j->progress) : NULL;
    s->error = j->error ? xstrdup(j->error) : NULL;
    s->target = j->target ? xstrdup(j->target) : NULL;
    s->result_obj = j->result_obj ? xstrdup(j->result_obj) : NULL;
    s->goal = j->goal ? xstrdup(j->goal) : NULL;
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
    job *j = jobs_find(js, id);
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
    job *j = jobs_find(js, id);
    if (!j) {
        pthread_mutex_unlock(&js->mu);
        *err = xasprintf("Cannot find Job with id: %lld", (long long)id);
        return -1;
    }
    if (j->finished || job_terminal(j->run_state)) {
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
    job *j = jobs_find(js, id);
    int rc = 0;
    if (!j) {
        *err = xasprintf("Cannot find Job with id: %lld", (long long)id);
        rc = -1;
    } else if (!job_terminal(j->run_state) || !j->finished) {
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

jobs *jobs_start(engine *e, int nworkers)
{
    jobs *js = xcalloc(1, sizeof *js);
    js->eng = e;
    pthread_mutex_init(&js->mu, NULL);
    pthread_cond_init(&js->work_cv, NULL);
    pthread_cond_init(&js->room_cv, NULL);
    store_wrlock(e->st);
    jobs_load_history(js);
    store_unlock(e->st);
    js->nworkers = nworkers;
    js->workers = xcalloc((size_t)nworkers, sizeof *js->workers);
    for (int i = 0; i < nworkers; i++)
        pthread_create(&js->workers[i], NULL, jobs_worker_main, js);
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
    pthread_cond_broadcast(&js->room_cv);
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
    pthread_cond_destroy(&js->room_cv);
    free(js);
}
