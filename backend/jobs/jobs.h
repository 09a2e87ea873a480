/* Jobs are rows (doc/object-model.md §7): every mutating command becomes a job
 * before anything changes. A pool of worker threads runs queued jobs whose
 * write set can be locked; others wait in the queue with a progress message. */
#ifndef OVM_JOBS_H
#define OVM_JOBS_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct engine;
typedef struct job job;
/* Runs the job's action on a worker thread. Returns 0 (Completed) or -1
 * (Failed, with job_fail called). Must not hold the store lock across agent calls. */
typedef int (*job_fn)(job *j);

/* Terminal and running states, spelled as printed (doc/object-model.md §5.6). */
#define JS_IN_PROGRESS "In Progress"
#define JS_COMPLETED "Completed"
#define JS_FAILED "Failed"
#define JS_ABORTED "Aborted"
#define JS_CHILD_QUEUED "Child Queued"
#define JS_CHILD_RUNNING "Child Running"

struct job {
    int64_t id;
    int64_t parent_id;
    char *name;          /* "<Operation> <Type label>: <object name>" */
    char *description;
    const char *kind;    /* "LEAF", "FAN_OUT", "SEQUENCE" */
    char *user;          /* the user name the session claimed */
    int64_t peer_uid;    /* uid of the session's socket peer (SO_PEERCRED), -1 for none */
    char *command;       /* command text with secrets masked */
    char run_state[16];
    char *progress;
    char *error;
    char *target;        /* id of the object acted on */
    char *result_obj;    /* id of the object created, if any */
    char *goal;          /* what "completed" means after a crash (job_goals.c), or NULL */
    struct job_undo *undo; /* compensations of the steps done so far, newest first (job_undo.c) */
    int rollback_store;  /* a failure reverts the job's own store changes (job_undo.c) */
    int64_t start_ms, end_ms;
    int64_t *children;
    size_t nchildren;

    /* execution (not persisted) */
    struct engine *eng;
    job_fn fn;
    void *plan;
    void (*plan_free)(void *);
    char **locks;        /* write set: object ids */
    size_t nlocks;
    int aborted;
    int finished;
    int running;
    int waited;          /* waited in the queue for a lock held by another job */
    int (*revalidate)(job *j); /* re-checks the command against the current store before it runs */
    char *raw_command;   /* the command as typed, for revalidation (not persisted) */
    int deleted;         /* removed from the history while still referenced */
    int interrupted;     /* found unfinished at start-up, not yet settled */
    int refs;
    pthread_cond_t done_cv;
    job *next;           /* queue link */
};

typedef struct jobs jobs;

/* Starts nworkers worker threads; loads the job history from the store and
 * marks jobs interrupted by a previous crash (doc/object-model.md §7.8). */
jobs *jobs_start(struct engine *e, int nworkers);
void jobs_stop(jobs *js);
/* Waits (at most timeout_ms) while max_queued or more jobs wait in the
 * queue: the back-pressure on asynchronous submitters (jobs.max_queued). */
void jobs_wait_room(jobs *js, size_t max_queued, int timeout_ms);

/* Settles the jobs a crash interrupted: Completed when the target reached the
 * job's goal (the monitor has reconciled it with the agents), else Failed. */
void jobs_settle_interrupted(jobs *js);
/* A new job row (not yet queued). The caller then adds locks and submits. */
job *job_new(struct engine *e, const char *name, const char *user, const char *command, const char *target);
/* Adds an object id to the write set. */
void job_lock(job *j, const char *id);
/* Queues the job; fn receives it with plan. The job is persisted In Progress. */
void jobs_submit(jobs *js, job *j, job_fn fn, void *plan, void (*plan_free)(void *));
/* Waits until the job ends or timeout_s passes. 0 ended, 1 timed out. */
int jobs_wait(jobs *js, job *j, int timeout_s);
/* Frees a job that was never submitted (refused before it was queued). */
void job_discard(job *j);
/* As jobs_wait with a timeout in milliseconds. */
int jobs_wait_ms(jobs *js, job *j, int timeout_ms);
/* Drops the caller's reference (jobs stay in history). */
void job_release(jobs *js, job *j);

/* Marks the job failed with a one-line reason (first call wins). */
void job_fail(job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void job_progress(job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when an abort was requested: the job must stop issuing agent calls. */
int job_aborted(job *j);
/* Runs fn(plan) as a child job of parent on the current thread; returns its result. */
int job_run_child(job *parent, const char *name, const char *target, job_fn fn, void *plan);

/* Lookup and listing for list/show/abort/delete Job (ids ascending). The
 * returned jobs are snapshots the caller frees with job_snapshot_free. */
job *jobs_snapshot(jobs *js, int64_t id);
size_t jobs_snapshot_all(jobs *js, job ***out);
void job_snapshot_free(job *j);
/* abort Job: 0 ok, -1 with *err (heap) when the job is unknown or finished. */
int jobs_abort(jobs *js, int64_t id, char **err);
/* delete Job: 0 ok, -1 with *err. */
int jobs_delete(jobs *js, int64_t id, char **err);
/* "Success", "Failure", "Aborted" or "In Progress" for a run state. */
const char *job_summary_state(const char *run_state);
/* The job holding a lock on object id (0 if none). */
int64_t jobs_lock_holder(jobs *js, const char *id);
/* Job goals (job_goals.c): what "completed" means for a job a Manager
 * restart interrupted, given where the job is defined (its job_spec, or
 * the HA restart) and stored in its row:
 *   "status S"   the target's status is S (the agents were asked first)
 *   "created T"  the job made an object of type T, named in its result
 * A job without a goal is Failed after an interruption. */
#define JOB_GOAL_RUNNING "status Running"
#define JOB_GOAL_STOPPED "status Stopped"
#define JOB_GOAL_SUSPENDED "status Suspended"
#define JOB_GOAL_CREATED_VM "created Vm"
/* 1 when j's goal is a status its target has (store lock held); 1 when
 * j's goal is to create an object of type. */
int job_goal_reached(struct engine *e, const job *j);
int job_goal_creates(const job *j, const char *type);
/* Undo (job_undo.c). A step that succeeded registers what undoes it; if the
 * job then fails, the registered undos run newest first (a failing one is
 * logged and added to the job's error). job_run_undoable runs fn that way;
 * the scheduler runs every job and child job through it. */
typedef int (*job_undo_fn)(job *j, void *arg);
void job_undo_push(job *j, const char *what, job_undo_fn fn, void *arg, void (*arg_free)(void *));
int job_run_undoable(job *j, job_fn fn);
#endif
