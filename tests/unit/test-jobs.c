/* Unit tests of the job queue (backend/jobs/jobs.c) with a minimal engine: a real
 * store in a temporary directory and two workers, no agent client. Job
 * functions block on a gate the test opens, so every interleaving checked
 * here is forced, not hoped for; every wait is bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "backend/engine.h"
#include "lib/util.h"

#define WAIT_S 10 /* upper bound of every wait in this file */

typedef struct fixture {
    char dir[64];
    char *db;
    engine e;
} fixture;

/* A gate a job function waits on; records the order jobs entered and left. */
typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int open;
    int entered;    /* number of job functions that started */
    int left;       /* number that returned */
    int overlap;    /* set when a function started while another was inside */
    int inside;
} gate;

static gate g_gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 0};

static void gate_reset(gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->open = g->entered = g->left = g->overlap = g->inside = 0;
    pthread_mutex_unlock(&g->mu);
}

static void gate_open(gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->open = 1;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

static int gate_count(gate *g, int *field)
{
    pthread_mutex_lock(&g->mu);
    int v = *field;
    pthread_mutex_unlock(&g->mu);
    return v;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits (bounded) until *field reaches want. */
static int gate_await(gate *g, int *field, int want)
{
    for (int i = 0; i < WAIT_S * 100; i++) {
        if (gate_count(g, field) >= want)
            return 1;
        sleep_ms(10);
    }
    return 0;
}

/* Job fn: enters, waits for the gate (or an abort), leaves. */
static int fn_gated(job *j)
{
    gate *g = j->plan;
    pthread_mutex_lock(&g->mu);
    g->entered++;
    if (g->inside++)
        g->overlap = 1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += WAIT_S;
    int rc = 0;
    while (!g->open && !job_aborted(j) && rc == 0) {
        struct timespec tick;
        clock_gettime(CLOCK_REALTIME, &tick);
        tick.tv_nsec += 20000000L;
        if (tick.tv_nsec >= 1000000000L) {
            tick.tv_sec++;
            tick.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->cv, &g->mu, &tick);
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        rc = now.tv_sec > ts.tv_sec;
    }
    g->inside--;
    g->left++;
    pthread_mutex_unlock(&g->mu);
    if (job_aborted(j))
        return -1;
    return 0;
}

static int fn_ok(job *j)
{
    job_progress(j, "working");
    return 0;
}

static int fn_fail(job *j)
{
    job_fail(j, "Cannot start Vm %s: its status is %s", "web01", "Running");
    job_fail(j, "second failure is ignored");
    return -1;
}

static int fn_fail_silent(job *j)
{
    return -1;
}

static int setup(void **state)
{
    fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test-jobs.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->db = xasprintf("%s/ovmd.db", f->dir);
    char *err = NULL;
    f->e.st = store_open(f->db, &err);
    if (!f->e.st) {
        fprintf(stderr, "# store_open: %s\n", err);
        free(err);
        return -1;
    }
    f->e.js = jobs_start(&f->e, 2);
    gate_reset(&g_gate);
    *state = f;
    return 0;
}

static void rm_in(const char *dir, const char *name)
{
    char *p = xasprintf("%s/%s", dir, name);
    unlink(p);
    free(p);
}

static int teardown(void **state)
{
    fixture *f = *state;
    gate_open(&g_gate); /* never leave a worker blocked in a failed test */
    jobs_stop(f->e.js);
    store_close(f->e.st);
    rm_in(f->dir, "ovmd.db");
    rm_in(f->dir, "ovmd.db-wal");
    rm_in(f->dir, "ovmd.db-shm");
    rmdir(f->dir);
    free(f->db);
    free(f);
    return 0;
}

/* Restarts the job subsystem on the same store, in ovmd's start-up order:
 * load the history, (the monitor reconciles), settle interrupted jobs. */
static void restart_jobs(fixture *f)
{
    jobs_stop(f->e.js);
    f->e.js = jobs_start(&f->e, 2);
    jobs_settle_interrupted(f->e.js);
}

static job *submit(fixture *f, const char *name, job_fn fn, void *plan, const char *lock)
{
    job *j = job_new(&f->e, name, "admin", "start Vm name=web01", lock);
    if (lock)
        job_lock(j, lock);
    jobs_submit(f->e.js, j, fn, plan, NULL);
    return j;
}

/* Waits for j, checks it ended in want, and drops the caller's reference. */
static void finish(fixture *f, job *j, const char *want)
{
    assert_int_equal(jobs_wait(f->e.js, j, WAIT_S), 0);
    job *s = jobs_snapshot(f->e.js, j->id);
    assert_non_null(s);
    assert_string_equal(s->run_state, want);
    assert_true(s->finished);
    assert_true(s->end_ms >= s->start_ms);
    job_snapshot_free(s);
    job_release(f->e.js, j);
}

static char *db_text(fixture *f, const char *sql_fmt, int64_t id)
{
    char *sql = sqlite3_mprintf(sql_fmt, (long long)id);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(f->e.st), sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_free(sql);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = xstrdup(sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "(null)");
    sqlite3_finalize(st);
    return v;
}

static void expect_db(fixture *f, const char *sql_fmt, int64_t id, const char *want)
{
    char *v = db_text(f, sql_fmt, id);
    assert_non_null(v);
    assert_string_equal(v, want);
    free(v);
}

static void test_completed(void **state)
{
    fixture *f = *state;
    job *j = submit(f, "Start VM: web01", fn_ok, NULL, NULL);
    int64_t id = j->id;
    finish(f, j, JS_COMPLETED);
    job *s = jobs_snapshot(f->e.js, id);
    assert_null(s->error);
    assert_string_equal(s->user, "admin");
    assert_string_equal(s->name, "Start VM: web01");
    assert_string_equal(job_summary_state(s->run_state), "Success");
    job_snapshot_free(s);
    expect_db(f, "SELECT run_state FROM jobs WHERE id = %lld", id, "Completed");
}

static void test_failed(void **state)
{
    fixture *f = *state;
    job *j = submit(f, "Start VM: web01", fn_fail, NULL, NULL);
    int64_t id = j->id;
    finish(f, j, JS_FAILED);
    job *s = jobs_snapshot(f->e.js, id);
    assert_string_equal(s->error, "Cannot start Vm web01: its status is Running");
    assert_string_equal(job_summary_state(s->run_state), "Failure");
    job_snapshot_free(s);
    expect_db(f, "SELECT error FROM jobs WHERE id = %lld", id, "Cannot start Vm web01: its status is Running");
    /* a function that fails without a reason still leaves one */
    j = submit(f, "Start VM: web02", fn_fail_silent, NULL, NULL);
    id = j->id;
    finish(f, j, JS_FAILED);
    s = jobs_snapshot(f->e.js, id);
    assert_non_null(s->error);
    assert_true(strlen(s->error) > 0);
    job_snapshot_free(s);
}

/* Two jobs on the same object: the second waits, saying why, then runs. */
static void test_lock_serialises(void **state)
{
    fixture *f = *state;
    store_wrlock(f->e.st);
    store_create(f->e.st, "Vm", "vm1", "web01");
    store_unlock(f->e.st);
    job *a = submit(f, "Start VM: web01", fn_gated, &g_gate, "vm1");
    assert_true(gate_await(&g_gate, &g_gate.entered, 1));
    assert_int_equal(jobs_lock_holder(f->e.js, "vm1"), a->id);
    job *b = submit(f, "Stop VM: web01", fn_gated, &g_gate, "vm1");
    char *want = xasprintf("Waiting for lock on Vm web01 held by job %lld", (long long)a->id);
    int seen = 0;
    for (int i = 0; i < WAIT_S * 100 && !seen; i++) {
        job *s = jobs_snapshot(f->e.js, b->id);
        seen = s->progress && strcmp(s->progress, want) == 0;
        assert_string_equal(s->run_state, JS_IN_PROGRESS);
        job_snapshot_free(s);
        if (!seen)
            sleep_ms(10);
    }
    free(want);
    assert_true(seen);
    sleep_ms(100); /* a free worker exists: b must still not have started */
    assert_int_equal(gate_count(&g_gate, &g_gate.entered), 1);
    gate_open(&g_gate);
    finish(f, a, JS_COMPLETED);
    finish(f, b, JS_COMPLETED);
    assert_int_equal(gate_count(&g_gate, &g_gate.entered), 2);
    assert_int_equal(gate_count(&g_gate, &g_gate.overlap), 0);
    assert_int_equal(jobs_lock_holder(f->e.js, "vm1"), 0);
}

/* Jobs on different objects run side by side on the two workers. */
static void test_no_false_sharing(void **state)
{
    fixture *f = *state;
    store_wrlock(f->e.st);
    store_create(f->e.st, "Vm", "vm1", "web01");
    store_create(f->e.st, "Vm", "vm2", "web02");
    store_unlock(f->e.st);
    job *a = submit(f, "Start VM: web01", fn_gated, &g_gate, "vm1");
    job *b = submit(f, "Start VM: web02", fn_gated, &g_gate, "vm2");
    assert_true(gate_await(&g_gate, &g_gate.entered, 2));
    gate_open(&g_gate);
    finish(f, a, JS_COMPLETED);
    finish(f, b, JS_COMPLETED);
}

/* A job holding two locks ends: the two jobs that waited for them run side
 * by side on the two workers (the scheduler wakes a worker per runnable job,
 * not all of them, so this checks that enough are still woken). */
static gate g_second = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 0};

static void test_freed_locks_wake_enough(void **state)
{
    fixture *f = *state;
    gate_reset(&g_second);
    store_wrlock(f->e.st);
    store_create(f->e.st, "Vm", "vm1", "web01");
    store_create(f->e.st, "Vm", "vm2", "web02");
    store_unlock(f->e.st);
    job *a = job_new(&f->e, "Edit VM: both", "admin", "", "vm1");
    job_lock(a, "vm1");
    job_lock(a, "vm2");
    jobs_submit(f->e.js, a, fn_gated, &g_gate, NULL);
    assert_true(gate_await(&g_gate, &g_gate.entered, 1));
    job *b = submit(f, "Start VM: web01", fn_gated, &g_second, "vm1");
    job *c = submit(f, "Start VM: web02", fn_gated, &g_second, "vm2");
    sleep_ms(100); /* a free worker exists: neither may start while a runs */
    assert_int_equal(gate_count(&g_second, &g_second.entered), 0);
    gate_open(&g_gate);
    finish(f, a, JS_COMPLETED);
    assert_true(gate_await(&g_second, &g_second.entered, 2));
    assert_int_equal(gate_count(&g_second, &g_second.overlap), 1);
    gate_open(&g_second);
    finish(f, b, JS_COMPLETED);
    finish(f, c, JS_COMPLETED);
}

static void test_wait_timeout(void **state)
{
    fixture *f = *state;
    job *j = submit(f, "Start VM: web01", fn_gated, &g_gate, NULL);
    assert_true(gate_await(&g_gate, &g_gate.entered, 1));
    time_t t0 = time(NULL);
    assert_int_equal(jobs_wait(f->e.js, j, 1), 1);
    assert_true(time(NULL) - t0 <= 3);
    gate_open(&g_gate);
    finish(f, j, JS_COMPLETED);
}

static void test_abort_queued(void **state)
{
    fixture *f = *state;
    store_wrlock(f->e.st);
    store_create(f->e.st, "Vm", "vm1", "web01");
    store_unlock(f->e.st);
    job *a = submit(f, "Start VM: web01", fn_gated, &g_gate, "vm1");
    assert_true(gate_await(&g_gate, &g_gate.entered, 1));
    job *b = submit(f, "Stop VM: web01", fn_gated, &g_gate, "vm1");
    char *err = NULL;
    assert_int_equal(jobs_abort(f->e.js, b->id, &err), 0);
    assert_null(err);
    /* b ends while a still holds the lock, and its function never ran */
    assert_int_equal(jobs_wait(f->e.js, b, WAIT_S), 0);
    assert_int_equal(gate_count(&g_gate, &g_gate.entered), 1);
    finish(f, b, JS_ABORTED);
    gate_open(&g_gate);
    finish(f, a, JS_COMPLETED);
    assert_int_equal(gate_count(&g_gate, &g_gate.entered), 1);
}

static void test_abort_running(void **state)
{
    fixture *f = *state;
    job *j = submit(f, "Start VM: web01", fn_gated, &g_gate, NULL);
    assert_true(gate_await(&g_gate, &g_gate.entered, 1));
    char *err = NULL;
    assert_int_equal(jobs_abort(f->e.js, j->id, &err), 0);
    int64_t id = j->id;
    finish(f, j, JS_ABORTED);
    job *s = jobs_snapshot(f->e.js, id);
    assert_string_equal(job_summary_state(s->run_state), "Aborted");
    job_snapshot_free(s);
}

static void test_abort_finished(void **state)
{
    fixture *f = *state;
    job *j = submit(f, "Start VM: web01", fn_ok, NULL, NULL);
    int64_t id = j->id;
    finish(f, j, JS_COMPLETED);
    char *err = NULL;
    assert_int_equal(jobs_abort(f->e.js, id, &err), -1);
    char *want = xasprintf("Job %lld has already ended (Completed); only unfinished jobs can be aborted", (long long)id);
    assert_string_equal(err, want);
    free(want);
    free(err);
    err = NULL;
    assert_int_equal(jobs_abort(f->e.js, 1234567890123LL, &err), -1);
    assert_string_equal(err, "Cannot find Job with id: 1234567890123");
    free(err);
}

static void test_delete(void **state)
{
    fixture *f = *state;
    job *j = submit(f, "Start VM: web01", fn_gated, &g_gate, NULL);
    int64_t id = j->id;
    assert_true(gate_await(&g_gate, &g_gate.entered, 1));
    char *err = NULL;
    assert_int_equal(jobs_delete(f->e.js, id, &err), -1);
    char *want = xasprintf("Cannot delete Job %lld: its Run State is In Progress", (long long)id);
    assert_string_equal(err, want);
    free(want);
    free(err);
    err = NULL;
    gate_open(&g_gate);
    finish(f, j, JS_COMPLETED);
    assert_int_equal(jobs_delete(f->e.js, id, &err), 0);
    assert_null(jobs_snapshot(f->e.js, id));
    char *row = db_text(f, "SELECT run_state FROM jobs WHERE id = %lld", id);
    assert_null(row);
    assert_int_equal(jobs_delete(f->e.js, id, &err), -1);
    assert_non_null(strstr(err, "Cannot find Job"));
    free(err);
}

/* A finished job deleted while a reference to it is still held (its
 * submitter's, or the worker's in the instant after done_cv is signalled)
 * must still be freed when that reference is dropped; LeakSanitizer is the
 * check, so this test fails only in the sanitizer build. */
static void test_delete_while_referenced(void **state)
{
    fixture *f = *state;
    job *j = submit(f, "Start VM: web01", fn_ok, NULL, NULL);
    int64_t id = j->id;
    assert_int_equal(jobs_wait(f->e.js, j, WAIT_S), 0);
    sleep_ms(50); /* let the worker drop the queue's reference */
    char *err = NULL;
    assert_int_equal(jobs_delete(f->e.js, id, &err), 0);
    assert_null(jobs_snapshot(f->e.js, id));
    job_release(f->e.js, j);
}

static void test_ids(void **state)
{
    fixture *f = *state;
    enum { N = 40 };
    int64_t ids[N];
    for (int i = 0; i < N; i++) {
        job *j = submit(f, "Create VM: x", fn_ok, NULL, NULL);
        ids[i] = j->id;
        finish(f, j, JS_COMPLETED);
    }
    for (int i = 0; i < N; i++) {
        char buf[32];
        assert_int_equal(snprintf(buf, sizeof buf, "%lld", (long long)ids[i]), 13);
        if (i)
            assert_true(ids[i] > ids[i - 1]);
    }
    job **all;
    size_t n = jobs_snapshot_all(f->e.js, &all);
    assert_int_equal(n, N);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(all[i]->id, ids[i]); /* listed by id ascending */
        job_snapshot_free(all[i]);
    }
    free(all);
}

static void test_history_reloaded(void **state)
{
    fixture *f = *state;
    job *ok = submit(f, "Start VM: web01", fn_ok, NULL, NULL);
    job *bad = submit(f, "Stop VM: web01", fn_fail, NULL, NULL);
    int64_t id_ok = ok->id, id_bad = bad->id;
    finish(f, ok, JS_COMPLETED);
    finish(f, bad, JS_FAILED);
    restart_jobs(f);
    job **all;
    size_t n = jobs_snapshot_all(f->e.js, &all);
    assert_int_equal(n, 2);
    assert_int_equal(all[0]->id, id_ok);
    assert_string_equal(all[0]->run_state, JS_COMPLETED);
    assert_string_equal(all[0]->name, "Start VM: web01");
    assert_string_equal(all[0]->user, "admin");
    assert_string_equal(all[0]->command, "start Vm name=web01");
    assert_null(all[0]->error);
    assert_int_equal(all[1]->id, id_bad);
    assert_string_equal(all[1]->run_state, JS_FAILED);
    assert_string_equal(all[1]->error, "Cannot start Vm web01: its status is Running");
    for (size_t i = 0; i < n; i++)
        job_snapshot_free(all[i]);
    free(all);
}

static int fn_two_children(job *j)
{
    if (job_run_child(j, "Present Repository: r to Server: a", NULL, fn_ok, NULL) != 0)
        return -1;
    return job_run_child(j, "Present Repository: r to Server: b", NULL, fn_ok, NULL);
}

/* A parent's row is rewritten after its children exist: the children must
 * stay in the store (the jobs.parent foreign key cascades on delete, so a
 * parent written with INSERT OR REPLACE used to delete them). */
static void test_children_survive(void **state)
{
    fixture *f = *state;
    job *p = submit(f, "Present Repository: r", fn_two_children, NULL, NULL);
    int64_t id = p->id;
    finish(f, p, JS_COMPLETED);
    expect_db(f, "SELECT count(*) FROM jobs WHERE parent = %lld", id, "2");
    restart_jobs(f);
    job *s = jobs_snapshot(f->e.js, id);
    assert_non_null(s);
    assert_int_equal(s->nchildren, 2);
    for (size_t i = 0; i < s->nchildren; i++) {
        job *c = jobs_snapshot(f->e.js, s->children[i]);
        assert_non_null(c);
        assert_string_equal(c->run_state, JS_COMPLETED);
        job_snapshot_free(c);
    }
    job_snapshot_free(s);
}

/* A row as a crash leaves it, with its goal (JOB_GOAL_*, NULL: none). */
static void insert_in_progress_goal(fixture *f, long long id, const char *name, const char *target, const char *goal)
{
    char *sql = sqlite3_mprintf("INSERT INTO jobs(id, name, kind, run_state, user, start_ms, target, goal)"
                                " VALUES(%lld, %Q, 'LEAF', 'In Progress', 'admin', %lld, %Q, %Q)",
                                id, name, id, target, goal);
    store_wrlock(f->e.st);
    assert_int_equal(sqlite3_exec(store_db(f->e.st), sql, NULL, NULL, NULL), SQLITE_OK);
    store_unlock(f->e.st);
    sqlite3_free(sql);
}

static void insert_in_progress(fixture *f, long long id, const char *name, const char *target)
{
    insert_in_progress_goal(f, id, name, target, JOB_GOAL_RUNNING);
}

/* Vm vm1 "web01" with status. */
static obj *mk_vm(fixture *f, const char *status)
{
    store_wrlock(f->e.st);
    obj *vm = store_create(f->e.st, "Vm", "vm1", "web01");
    obj_set(f->e.st, vm, "status", status);
    store_unlock(f->e.st);
    return vm;
}

/* doc/object-model.md §7.8: a row left In Progress by a crash is reported Failed
 * when the target did not reach the job's goal. */
static void test_interrupted_by_restart(void **state)
{
    fixture *f = *state;
    mk_vm(f, "Stopped");
    insert_in_progress(f, 1710770739871LL, "Start VM: web01", "vm1");
    restart_jobs(f);
    job *s = jobs_snapshot(f->e.js, 1710770739871LL);
    assert_non_null(s);
    assert_string_equal(s->run_state, JS_FAILED);
    assert_string_equal(s->error, "Job failed: interrupted by a Manager restart");
    assert_true(s->end_ms >= s->start_ms);
    job_snapshot_free(s);
    expect_db(f, "SELECT run_state FROM jobs WHERE id = %lld", 1710770739871LL, "Failed");
    expect_db(f, "SELECT error FROM jobs WHERE id = %lld", 1710770739871LL,
              "Job failed: interrupted by a Manager restart");
    char *err = NULL;
    assert_int_equal(jobs_abort(f->e.js, 1710770739871LL, &err), -1);
    free(err);
}

/* ... and Completed when the reconciled target shows the goal reached. */
static void test_interrupted_goal_reached(void **state)
{
    fixture *f = *state;
    mk_vm(f, "Running");
    insert_in_progress(f, 1710770739872LL, "Start VM: web01", "vm1");
    restart_jobs(f);
    job *s = jobs_snapshot(f->e.js, 1710770739872LL);
    assert_non_null(s);
    assert_string_equal(s->run_state, JS_COMPLETED);
    assert_null(s->error);
    job_snapshot_free(s);
    expect_db(f, "SELECT run_state FROM jobs WHERE id = %lld", 1710770739872LL, "Completed");
}

/* The goal is the row's, not its name's: a job named like a start but
 * without a goal is Failed even though its target runs. */
static void test_goal_not_name(void **state)
{
    fixture *f = *state;
    mk_vm(f, "Running");
    insert_in_progress_goal(f, 1710770739873LL, "Start VM: web01", "vm1", NULL);
    restart_jobs(f);
    job *s = jobs_snapshot(f->e.js, 1710770739873LL);
    assert_non_null(s);
    assert_string_equal(s->run_state, JS_FAILED);
    job_snapshot_free(s);
}

/* ---- undo: compensations and the store journal (job_undo.c) ---- */

static char undo_trace[64];

static int undo_mark(job *j, void *arg)
{
    (void)j;
    strncat(undo_trace, arg, sizeof undo_trace - strlen(undo_trace) - 1);
    return strcmp(arg, "x") == 0 ? -1 : 0; /* "x" cannot be undone */
}

static int two_steps_then(job *j, int rc)
{
    job_undo_push(j, "step a", undo_mark, "a", NULL);
    job_undo_push(j, "step x", undo_mark, "x", NULL);
    job_undo_push(j, "step b", undo_mark, "b", NULL);
    store_wrlock(j->eng->st);
    obj_set(j->eng->st, store_get(j->eng->st, "vm1"), "status", "Starting");
    store_unlock(j->eng->st);
    if (rc)
        job_fail(j, "Job failed: step c");
    return rc;
}
static int steps_fail(job *j) { return two_steps_then(j, -1); }
static int steps_succeed(job *j) { return two_steps_then(j, 0); }

/* A failed job undoes its steps newest first, names what it could not undo,
 * and (rollback_store) reverts its store changes; a job that succeeds keeps
 * everything. */
static void test_undo_on_failure(void **state)
{
    fixture *f = *state;
    obj *vm = mk_vm(f, "Stopped");
    job *j = job_new(&f->e, "Start VM: web01", "admin", "", "vm1");
    j->rollback_store = 1;
    undo_trace[0] = '\0';
    assert_int_equal(job_run_undoable(j, steps_fail), -1);
    assert_string_equal(undo_trace, "bxa");
    assert_non_null(strstr(j->error, "step c; could not undo step x"));
    assert_string_equal(obj_gets(vm, "status"), "Stopped");
    assert_null(j->undo);
    undo_trace[0] = '\0';
    assert_int_equal(job_run_undoable(j, steps_succeed), 0);
    assert_string_equal(undo_trace, "");
    assert_string_equal(obj_gets(vm, "status"), "Starting");
    assert_null(j->undo);
    job_discard(j);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_completed),      T(test_failed),        T(test_lock_serialises), T(test_no_false_sharing),
        T(test_wait_timeout),   T(test_abort_queued),  T(test_abort_running),   T(test_abort_finished),
        T(test_delete),         T(test_delete_while_referenced), T(test_ids),           T(test_history_reloaded), T(test_children_survive), T(test_interrupted_by_restart),
        T(test_interrupted_goal_reached), T(test_goal_not_name), T(test_undo_on_failure),
        T(test_freed_locks_wake_enough),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
