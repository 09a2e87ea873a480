/* Shared flows: the one implementation of each piece of orchestration that
 * user commands, HA restarts (ha.c) and maintenance evacuation all need, so
 * that their rules cannot drift apart again:
 *   flow_place.c    "server is usable", where a VM may run, choosing a server
 *                   (doc/object-model.md §6.4, §6.9, H-3);
 *   flow_start.c    bridging a VM's networks, starting its domain and waiting
 *                   for it (§6.4, §6.10);
 *   flow_migrate.c  live migration: the M-1..M-11 checks in §6.5 order, the
 *                   target of an evacuation, and the agent calls with the pool's
 *                   migrateUsingSsl (§6.5, §6.11);
 *   flow_present.c  presenting a repository to a server, and taking it back (§5.6);
 *   flow_cluster.c  a server joining and leaving its clustered pool's cluster (§5.8);
 *   flow_power.c    powering a server on and off through its ServerController (§5.1).
 * One header because callers combine flows (placement then start; checks then
 * migration); one small file per flow so each stays one concern. Flows sit
 * above the store and the agent client and below the operations, HA and the
 * monitor: they include no operation header and never word a command's
 * refusal themselves except where the rule text is the flow's (M-1..M-11). */
#ifndef OVM_FLOW_H
#define OVM_FLOW_H
#include "backend/engine.h"
#include "backend/flows/model.h"

/* ---- flow_place.c ---- */

/* 1 if this Manager can send work to server s: owned and Running. */
int server_usable(const obj *s);

/* Which of the §6.4 checks a placement applies (rows of a table in flow_place.c). */
typedef enum place_rules {
    PLACE_START,   /* start: inbound lock (waived on the VM's own server), anti-affinity, huge pages */
    PLACE_MIGRATE, /* live-migration target (M-3, M-4, M-8..M-11): as a start, no waiver */
    PLACE_RESTART, /* HA restart (H-3): no inbound lock, no huge pages; anti-affinity is a preference */
} place_rules;

/* Why server s cannot take vm (heap string in the L-2 words, e.g. "maintenance
 * mode"), or NULL when it can. Read lock held. */
char *placement_refusal(engine *e, const obj *vm, const obj *s, place_rules rules);
/* Picks the server to start vm on per its (or its pool's) start policy. NULL
 * with *why (heap, the full L-2 or L-3 Error Msg) when none is eligible. */
obj *placement_choose(engine *e, const obj *vm, char **why);
/* The HA restart target of vm (H-3, H-6: the server it stopped on first after
 * a guest shutdown), or NULL; *violating set when only servers that break
 * anti-affinity are eligible. Read lock held. */
obj *placement_restart_target(engine *e, const obj *vm, const char *from, int same_first, int *violating);
/* The first repository vm uses that is not presented to s, or NULL (§6.4, M-9). */
const obj *vm_missing_repository(engine *e, const obj *vm, const obj *s);
/* Which of a and b (b may be NULL) to prefer when no start policy applies: the
 * most usable memory, then the name. 1 for a. */
int placement_better_by_memory(engine *e, const obj *a, const obj *b);
/* Why an active member of one of vm's anti-affinity groups blocks s (heap), or NULL. */
char *anti_affinity_refusal(engine *e, const obj *vm, const obj *s);
/* 1 if a VM status counts as using its server (Starting, Running, Stopping). */
int vm_is_active(const obj *vm);
/* Repositories a VM uses: its own plus those of its disks and ISOs (heap ids). */
size_t vm_repositories(engine *e, const obj *vm, char ***out);
/* Networks of a VM's Vnics (heap ids, unique). */
size_t vm_networks(engine *e, const obj *vm, char ***out);
/* Name of a server-local Network one of vm's Vnics uses (heap), or NULL (M-10, C-5). */
char *vm_local_network(engine *e, const obj *vm);
/* Compares dotted version strings numerically ("3.4.6-2105" vs "3.4.5"). */
int version_cmp(const char *a, const char *b);

/* ---- flow_start.c ---- */

/* What the agent needs to know of a VM to start or move it, copied out of the
 * store so that a job can use it without the lock. */
typedef struct flow_vm {
    char id[64], repo_id[64], name[257];
    char **nets; /* networks its Vnics use: bridged on the server first */
    size_t nnets;
} flow_vm;

/* Fills v from vm (read lock held); flow_vm_clear frees what it holds. */
void flow_vm_of(engine *e, const obj *vm, flow_vm *v);
void flow_vm_clear(flow_vm *v);
/* Brings up the bridges of v's networks on t. 0, or -1 with the job failed. */
int flow_bridge(job *j, const agent_target *t, const flow_vm *v);
/* Polls list_vm on t until domain vm_id runs (want_running) or is gone, at
 * most timeout_s seconds or until the job is aborted. 0 when it got there, else -1. */
int flow_wait_domain(job *j, const agent_target *t, const char *repo_id, const char *vm_id, int want_running,
                     int timeout_s);
/* One start of a VM's domain, ready to run without the store lock. */
typedef struct start_plan {
    agent_target t;      /* the server placement chose */
    flow_vm vm;
    char from_id[64];    /* the VM's server before the start */
} start_plan;

/* A plan to start vm on server s (read lock held); start_plan_free takes a start_plan *. */
start_plan *start_plan_new(engine *e, const obj *vm, const obj *s);
void start_plan_free(void *p);
/* Bridges, starts the domain on p->t and waits up to timeout_s for it to run.
 * 0, or -1 with the job failed ("did not reach Running" when it never ran). */
int flow_start_domain(job *j, const start_plan *p, int timeout_s);

/* ---- flow_migrate.c ---- */

/* The first of M-1..M-11 (§6.5, in that order) that refuses moving running vm
 * from src to dst, as its Error Msg (heap), or NULL. Read lock held. */
char *migrate_refusal(engine *e, const obj *vm, const obj *src, const obj *dst);
/* The best server of src's pool that passes every check (most usable memory,
 * then name), or NULL with *why (heap: the refusal of each server, "; "
 * separated). Read lock held. */
obj *migrate_choose(engine *e, const obj *vm, const obj *src, char **why);

/* One live migration, ready to run without the store lock. */
typedef struct migrate_plan {
    agent_target src, dst;
    flow_vm vm;
    int ssl; /* the pool's migrateUsingSsl */
    char dest_addr[64]; /* where the domain goes: dst's LIVE_MIGRATE address, else its agent address */
} migrate_plan;

/* A plan to move vm from src to dst (read lock held); migrate_plan_free takes a migrate_plan *. */
migrate_plan *migrate_plan_new(engine *e, const obj *vm, const obj *src, const obj *dst);
void migrate_plan_free(void *p);
/* Bridges on the destination, migrates, waits for the domain there and records
 * the VM Running on it. 0, or -1 with the job failed. */
int migrate_run(job *j, const migrate_plan *p);

/* ---- flow_present.c ---- */

/* Where a repository's file system is and where servers mount it. */
typedef struct present_spec {
    char repo_id[64], fs_location[512], mount_point[128];
} present_spec;

void present_spec_of(engine *e, const obj *repo, present_spec *p);
/* Mounts and registers the repository on t (add) or unmounts it, then records
 * the change in presentedServers. 0, or -1 with the job failed. */
int present_repository(job *j, const present_spec *p, const agent_target *t, int add);

/* ---- flow_cluster.c ---- */

/* What a join or leave needs to know about the pool's cluster, snapshotted
 * under the store lock. */
typedef struct cluster_plan cluster_plan;
/* NULL when pool is not clustered. first: the server is the pool's first
 * member (join) or its last (leave). Read lock held. */
cluster_plan *cluster_plan_new(engine *e, const obj *pool, int first);
void cluster_plan_free(cluster_plan *p);
/* Joins t to the cluster: pool file system and cluster on the first member,
 * then configure_server_for_cluster and join_cluster (P-12 text on failure);
 * updates clusterState. 0 or -1 (job failed). */
int cluster_join(job *j, const agent_target *t, cluster_plan *p);
/* Takes t out of the cluster (leave_cluster, deconfigure; destroy on the last
 * member); updates clusterState. 0 or -1. */
int cluster_leave(job *j, const agent_target *t, cluster_plan *p);
/* o2cb values for a cluster timeout of t seconds (doc/object-model.md §5.8). */
int cluster_o2cb_threshold(int timeout_s);
int cluster_o2cb_idle_ms(int timeout_s);

/* ---- flow_power.c ---- */

/* What the layers above do when a power flow changes a server (the monitor's
 * server-down flow, HA's retry of waiting VMs): flows may not include them.
 * Called with the write lock held. */
typedef struct power_hooks {
    void (*down)(engine *e, obj *s, int kill); /* the chassis is off */
    void (*up)(engine *e, obj *s);             /* the server is Running again */
} power_hooks;

/* One power action on a server through its ServerController, ready to run
 * without the store lock. */
typedef struct power_plan {
    agent_target t;
    char server_id[64];
    char host[300], user[64], password[64]; /* the BMC; the password is secret */
    const power_hooks *hooks;
    const char *down_summary; /* SERVER_STATE text of a power off; NULL: stop/kill Server's */
} power_plan;

/* The ServerController of server s, or NULL. Read lock held. */
obj *server_controller_of(engine *e, const obj *s);
/* A plan to power s through ctl (read lock held); power_plan_free takes a power_plan *. */
power_plan *power_plan_new(engine *e, const obj *s, const obj *ctl, const power_hooks *hooks);
void power_plan_free(void *p);
/* S7: Starting, IPMI power on, Running when the agent answers (then hooks->up).
 * 0, or -1 with the job failed and the server Stopped. */
int power_up(job *j, power_plan *p);
/* S4, S5: Stopping, IPMI soft off (stop) or power off (kill), Stopped when the
 * chassis is off (hooks->down). 0, or -1 with the job failed and the server
 * Running as before. */
int power_down(job *j, power_plan *p, int kill);
/* power_down (soft) then power_up. */
int power_restart(job *j, power_plan *p);
/* Restarts server_id through its ServerController: 0, -1 (j failed) or 1 when
 * it has no controller. */
int server_power_restart(job *j, const char *server_id, const power_hooks *hooks);
/* Waits (bounded by power.wait_timeout) until t's agent answers; fails j with
 * "Server <s> was <what> but its Oracle VM Agent did not answer ..." if not. 0 or -1. */
int server_wait_agent(job *j, agent_target *t, const char *what);
#endif
