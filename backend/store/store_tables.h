/* The jobs and events tables. The scheduler and the event log keep their own
 * state; these functions are the only SQL they use, so that every statement
 * of the engine is in backend/store/ and every value is bound as a parameter.
 * Writers hold the store write lock, as for objects. */
#ifndef OVM_STORE_TABLES_H
#define OVM_STORE_TABLES_H
#include <stddef.h>
#include <stdint.h>
#include "backend/store/store.h"

/* One row of the jobs table. Strings may be NULL: description, progress,
 * error and command are stored as "", target and result as NULL; parent and
 * end_ms 0 are stored as NULL. */
typedef struct store_job_row {
    int64_t id, parent;
    const char *name, *description, *kind, *run_state, *progress, *user;
    int64_t start_ms, end_ms;
    const char *target, *result, *error, *command;
    const char *goal; /* backend/jobs/job_goals.c, or NULL */
    int64_t peer_uid;   /* -1 (stored as NULL): no socket peer, e.g. a system job */
} store_job_row;

/* Inserts or updates the row (an upsert: a replace would delete the row and
 * cascade to its children). Failures are logged. */
void store_job_save(store *s, const store_job_row *r);
/* Deletes the row of job id. */
void store_job_delete(store *s, int64_t id);
/* Calls fn for every row in id order; the row's strings (NULL for SQL NULL)
 * live until fn returns. */
void store_job_load(store *s, void (*fn)(void *ctx, const store_job_row *r), void *ctx);

/* Records an event. 0, or -1 (logged) when the statement cannot be prepared;
 * a failed insert is logged and still returns 0. job 0 = none. */
int store_event_insert(store *s, int64_t id, const char *type, const char *severity, const char *summary,
                       const char *target_id, const char *target_type, int64_t job, int64_t time_ms);
/* Acknowledges, as 'system', the open events of type on target_id. */
void store_event_auto_ack(store *s, const char *type, const char *target_id, int64_t now_ms);
/* The oldest open ERROR or CRITICAL event on target_id: 1 with *id and sev
 * (its severity), 0 when there is none or on an error. */
int store_event_blocking(store *s, const char *target_id, int64_t *id, char *sev, size_t sevlen);
/* One row of the events table, as store_event_scan hands it out; the
 * strings live until the callback returns. */
typedef struct store_event_row {
    int64_t id, time_ms;
    const char *type, *severity, *summary, *target, *target_type;
    int acknowledged;
} store_event_row;
/* Calls fn for the events of target (NULL: of every object), only the
 * unacknowledged ones when open_only, in id (time) order; fn returns
 * nonzero to stop. 0, or -1 with *err (heap). */
int store_event_scan(store *s, const char *target, int open_only, int (*fn)(void *ctx, const store_event_row *r),
                     void *ctx, char **err);
/* 1 when some event names target, 0 when none does (or on an error). */
int store_event_target_known(store *s, const char *target);
/* Acknowledges event id as user, keeping an earlier acknowledgement. 1 done,
 * 0 no such event, -1 with *err (heap) on a database error. */
int store_event_ack(store *s, int64_t id, const char *user, int64_t now_ms, char **err);

/* The log of messages sent to VMs (store_messages.c). Appends one; 0, or -1
 * with *err (heap). */
int store_message_add(store *s, const char *vm, const char *key, const char *value, int64_t time_ms, char **err);
/* Calls fn for vm's logged messages, oldest first; the strings live until fn
 * returns. 0, or -1 with *err (heap). */
int store_message_scan(store *s, const char *vm, void (*fn)(void *ctx, const char *key, const char *value,
                                                           int64_t time_ms),
                       void *ctx, char **err);
/* Forgets vm's logged messages: how many, or -1 with *err (heap). */
int store_message_clear(store *s, const char *vm, char **err);
/* The statistics history (store_stats.c). Appends one sample; 0, or -1
 * with *err (heap). */
int store_stat_add(store *s, const char *obj, const char *stat, int64_t time_ms, double value, char **err);
/* Calls fn for the samples of stat of obj with from <= time <= to, oldest
 * first; fn returns nonzero to stop. 0, or -1 with *err (heap). */
int store_stat_scan(store *s, const char *obj, const char *stat, int64_t from, int64_t to,
                    int (*fn)(void *ctx, int64_t time_ms, double value), void *ctx, char **err);
/* Deletes the samples older than before_ms: the count, or -1 with *err. */
int store_stat_prune(store *s, int64_t before_ms, char **err);

#endif
