/* Inside the server pool policies (policy.c, policy_dpm.c): the machinery DRS
 * and DPM share: the policy period, CPU averages over it, and the move of a
 * VM as a system job of the live-migration flow with events saying why. */
#ifndef OVM_MONITOR_POLICY_INT_H
#define OVM_MONITOR_POLICY_INT_H
#include "backend/engine.h"
#include "backend/jobs/jobs.h"

/* The jobs one evaluation decided on, submitted once the store lock is released. */
typedef struct policy_action {
    job *j;
    job_fn fn;
    void (*plan_free)(void *);
} policy_action;

typedef struct policy_actions {
    policy_action *v;
    size_t n;
    size_t slot; /* the pool being evaluated: its moves are counted (policy.c) */
} policy_actions;

/* Appends j (whose plan is j->plan) to run as fn. */
void policy_add(policy_actions *a, job *j, job_fn fn, void (*plan_free)(void *));
/* The pool's policy period in ms (policy.period in ovmd.yaml overrides policyPeriod). */
int64_t policy_period_ms(engine *e, const obj *pool);
/* Average CPU_UTILIZATION of object id since from (ms); -1 when there is no sample. */
double policy_cpu_since(engine *e, const char *id, int64_t from);
/* "CPU 70.0 % above the pool's threshold 50 %": the reason of a move for cpu. */
char *policy_cpu_over(const obj *pool, double cpu);
/* Moves one VM off server s, overloaded for the reason over (e.g.
 * policy_cpu_over's), to the least loaded server migrate Vm accepts that
 * stays at or under the pool's threshold with the VM's share added: a "<tag> Migrate"
 * job with a <tag>_MIGRATION event saying why, or a <tag>_NO_SERVER event
 * when no server can take it. 1 when a job was added. Write lock held. */
int policy_move_busy(engine *e, const obj *pool, const char *tag, obj *s, const char *over, int64_t from,
                     policy_actions *a);
/* Moves vm from src to dst as a "<tag> Migrate" job whose <tag>_MIGRATION
 * event says why (taken). Write lock held. */
void policy_move(engine *e, const char *tag, obj *vm, obj *src, obj *dst, char *why, policy_actions *a);
/* The Running VM on s with the highest CPU since from that no job holds, or
 * NULL; its CPU in *cpu (0 without samples) unless cpu is NULL. */
obj *policy_busiest_free_vm(engine *e, const obj *s, int64_t from, double *cpu);

/* policy_dpm.c: the actions of one DPM pool whose period has come. Write lock held. */
void dpm_evaluate_pool(engine *e, const obj *pool, int64_t now, policy_actions *a);
#endif
