/* The Manager's recurring work as PeriodicTask objects (periodic.h,
 * doc/object-model.md §7.7): a task runs when it is enabled and its
 * taskInterval (minutes) has passed since its last run in this engine; the
 * first run comes one taskInterval after the engine's first poll round, so
 * that starting the engine puts no job of its own in `list Job` (scripts
 * and the crash-point tests see only the jobs they caused); each run is a
 * system job named
 * after the task, so `list Job` shows it. Editing taskInterval or enabled
 * (edit PeriodicTask, or setArchiveConfig for the archive task) changes
 * what the engine does from the next round. */
#include "backend/monitor/periodic.h"
#include <stdlib.h>
#include <string.h>
#include "backend/jobs/jobs.h"
#include "backend/monitor/stats.h"
#include "backend/store/store_tables.h"
#include "lib/log.h"
#include "lib/util.h"

/* When the archive task last ran; touched under the store write lock. */
static int64_t last_archive_ms;

static int run_archive(job *j)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_begin(e->st);
    stats_prune(e, ovm_now_ms());
    store_commit(e->st);
    store_unlock(e->st);
    return 0;
}

void periodic_tick(engine *e)
{
    int64_t now = ovm_now_ms();
    job *j = NULL;
    if (last_archive_ms == 0) {
        last_archive_ms = now; /* the interval counts from the first round */
        return;
    }
    store_wrlock(e->st);
    obj *task = store_get(e->st, STORE_ARCHIVE_TASK_ID);
    if (task && !obj_is(task, "enabled", "No") &&
        stats_interval_due(e, last_archive_ms, stats_archive_ms(e, task), now)) {
        last_archive_ms = now;
        j = job_new(e, task->name, "system", "", task->id);
    }
    store_unlock(e->st);
    if (!j)
        return;
    log_debug("periodic: %s", j->name);
    jobs_submit(e->js, j, run_archive, NULL, NULL);
    job_release(e->js, j);
}
