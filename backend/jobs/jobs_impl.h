/* The job manager's private state, shared by jobs.c (job objects, history,
 * abort and delete), jobs_sched.c (the scheduler: locks, queue, workers) and
 * jobs_restart.c (history reload and settling jobs a restart interrupted). */
#ifndef OVM_JOBS_IMPL_H
#define OVM_JOBS_IMPL_H
#include <pthread.h>
#include "backend/engine.h"
#include "backend/jobs/jobs.h"

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
    size_t nqueued;     /* jobs in the queue (not yet taken by a worker) */
    pthread_cond_t room_cv;    /* signalled when a job leaves the queue */
};

int job_terminal(const char *rs);
void job_persist(engine *e, const job *j);
void job_persist_locked(engine *e, const job *j);
void job_free(job *j);
job *job_alloc(void);
void jobs_all_add(jobs *js, job *j);
job *jobs_find(jobs *js, int64_t id);
void finish_job(jobs *js, job *j, int rc);
void *jobs_worker_main(void *arg);
void jobs_load_history(jobs *js);
#endif
