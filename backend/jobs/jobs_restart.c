/* Start-up: the job history read back from the store, and jobs a restart
 * interrupted settled from the state the agents report. */
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

/* ---- start-up: load history, settle interrupted jobs ---- */

void jobs_settle_interrupted(jobs *js)
{
    engine *e = js->eng;
    store_wrlock(e->st);
    pthread_mutex_lock(&js->mu);
    for (size_t i = 0; i < js->nall; i++) {
        job *j = js->all[i];
        if (!j->interrupted)
            continue;
        int reached = job_goal_reached(e, j);
        snprintf(j->run_state, sizeof j->run_state, "%s", reached ? JS_COMPLETED : JS_FAILED);
        free(j->error);
        j->error = reached ? NULL : xstrdup("Job failed: interrupted by a Manager restart");
        free(j->progress);
        j->progress = xstrdup(reached ? "Completed after a Manager restart (agent state checked)" : "Interrupted");
        j->end_ms = ovm_now_ms();
        j->finished = 1;
        j->interrupted = 0;
        job_persist(e, j);
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
    j->peer_uid = r->peer_uid;
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
    j->goal = r->goal && *r->goal ? xstrdup(r->goal) : NULL;
    j->finished = 1;
    if (!job_terminal(j->run_state)) {
        /* Settled by jobs_settle_interrupted once the monitor has asked
         * the agents what happened (doc/object-model.md §7.8). */
        j->finished = 0;
        j->interrupted = 1;
    }
    jobs_all_add(js, j);
    if (j->parent_id) {
        job *p = jobs_find(js, j->parent_id);
        if (p) {
            p->children = xrealloc(p->children, (p->nchildren + 1) * sizeof *p->children);
            p->children[p->nchildren++] = j->id;
        }
    }
}

void jobs_load_history(jobs *js)
{
    store_job_load(js->eng->st, load_row, js);
}
