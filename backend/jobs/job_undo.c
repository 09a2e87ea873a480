/* What a failed job undoes by itself (jobs.h): the compensations its steps
 * registered as they succeeded (agent-side work: a copied disk, a created
 * vm.cfg), run newest first, and, for jobs that ask for it, its own store
 * changes, reverted from the undo journal the scheduler bound to the job's
 * thread (backend/store/store_journal.c). A compensation that fails is
 * logged and named in the job's error; the others still run. */
#include "backend/jobs/jobs.h"
#include <stdlib.h>
#include "backend/engine.h"
#include "lib/log.h"
#include "lib/util.h"

typedef struct job_undo {
    char *what;
    job_undo_fn fn;
    void *arg;
    void (*arg_free)(void *);
    struct job_undo *next; /* the one registered before */
} job_undo;

void job_undo_push(job *j, const char *what, job_undo_fn fn, void *arg, void (*arg_free)(void *))
{
    job_undo *u = xcalloc(1, sizeof *u);
    u->what = xstrdup(what);
    u->fn = fn;
    u->arg = arg;
    u->arg_free = arg_free;
    u->next = j->undo;
    j->undo = u;
}

static job_undo *pop(job *j)
{
    job_undo *u = j->undo;
    if (u)
        j->undo = u->next;
    return u;
}

static void undo_free(job_undo *u)
{
    if (u->arg_free)
        u->arg_free(u->arg);
    free(u->what);
    free(u);
}

static void compensate(job *j)
{
    for (job_undo *u; (u = pop(j)) != NULL; undo_free(u)) {
        if (u->fn(j, u->arg) == 0) {
            log_info("job %lld failed: undid %s", (long long)j->id, u->what);
            continue;
        }
        log_err("job %lld failed and could not undo %s", (long long)j->id, u->what);
        char *more = xasprintf("%s; could not undo %s", j->error ? j->error : "Job failed", u->what);
        free(j->error);
        j->error = more;
    }
}

int job_run_undoable(job *j, job_fn fn)
{
    store *st = j->eng->st;
    store_journal *jr = j->rollback_store ? store_journal_new() : NULL;
    store_journal *outer = store_journal_bind(jr);
    int rc = fn(j);
    store_journal_bind(outer);
    if (rc != 0 && store_journal_size(jr)) {
        store_wrlock(st);
        size_t n = store_journal_undo(st, jr);
        store_unlock(st);
        log_info("job %lld failed: rolled back its %zu store change(s)", (long long)j->id, n);
    }
    store_journal_free(jr);
    if (rc != 0)
        compensate(j);
    for (job_undo *u; (u = pop(j)) != NULL;)
        undo_free(u);
    return rc;
}
