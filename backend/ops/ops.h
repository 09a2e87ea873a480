/* Command execution: one table of operations per object area (like virsh's
 * command groups). dispatch.c finds the entry for (verb, type), runs its
 * checks under the store read lock, and either answers at once or turns the
 * command into a job. */
#ifndef OVM_OPS_H
#define OVM_OPS_H
#include "backend/engine.h"
#include "backend/flows/model.h"
#include "backend/flows/relations.h"
#include "backend/render/result.h"
#include "grammar/grammar.h"

/* Per-connection session state (doc/command-language.md §1.5): reset on every connection. */
typedef struct session {
    engine *eng;
    char user[64];
    output_mode mode;
    const char *eol;     /* "\r\n", "\r" or "\n" */
    int async;           /* CommandMode=Asynchronous */
    int timeout;         /* CommandTimeout, seconds */
    int alphabetize;
    int fd;              /* the client's socket (P_CANCEL, P_PROGRESS), -1 if none */
    int interactive;     /* the client shows progress lines and may cancel waits */
    long peer_uid;       /* the socket peer's uid (SO_PEERCRED), -1 when none: recorded with its jobs */
    long peer_pid;
} session;

typedef struct cmdctx {
    engine *e;
    session *ses;
    const gr_command *cmd;
    result *res;
    int exit_requested;
} cmdctx;

/* The operation bound to one command form (by its id, see grammar/forms.h);
 * backend/ops/registry.c indexes the tables and its test checks that every form
 * not refused by the grammar has exactly one. */
typedef struct op {
    gr_form_id form;
    /* Commands without a job: fill c->res; the caller holds the store read
     * lock when locked is set. */
    void (*now)(cmdctx *c);
    /* Job commands: check every store-decidable rule (read lock held) and
     * return the job to submit, or NULL after result_fail. */
    job *(*prepare)(cmdctx *c);
    int unlocked;       /* now() runs without the store lock (it takes its own) */
} op;

/* Tables, one per area (ops_*.c). Each ends with OPS_END. */
#define OPS_END {.form = GR_NFORMS}
extern const op ops_session[];
extern const op ops_generic[];
extern const op ops_server[];
extern const op ops_pool[];
extern const op ops_storage[];
extern const op ops_vm[];
extern const op ops_network[];
extern const op ops_network_bond[];
extern const op ops_network_ip[];
extern const op ops_misc[];
extern const op ops_stats[];
extern const op ops_events[];
extern const op ops_san[];
extern const op ops_appliance[];
extern const op ops_vm_customizer[];
extern const op ops_vm_messages[];
extern const op ops_cpugroup[];
extern const op ops_server_power[];
extern const op ops_ocfs2[];
extern const op ops_repo_export[];
extern const op ops_server_update[];
extern const op ops_pool_netpolicy[]; /* ops_pool_netpolicy.c */
/* ops_server_update.c: creates the global ServerUpdateGroup when missing. Write lock held. */
void ensure_update_group(engine *e);

/* The operation bound to form id, or NULL (a refused form). */
const op *registry_op(gr_form_id id);
/* Checks the binding of forms to operations: every form has exactly one
 * operation, or none when the grammar refuses it. 0 when it holds, else the
 * count of problems, each described in a line of *report (heap). */
int registry_check(char **report);

/* Runs one command (already split at ';') and renders its result. Returns
 * PS_SUCCESS, PS_FAILURE or PS_EXIT; *out gets the rendered bytes (heap). */
int dispatch_command(session *ses, const char *text, size_t len, int echo, char **out, size_t *outlen);
void session_init(session *ses, engine *e, const char *user);

/* ---- helpers shared by the ops files (ops_common.c) ---- */
/* Resolves the command's instance to an object, or fails c->res (not found / ambiguous). */
obj *resolve_instance(cmdctx *c, const gr_type *t, const gr_kv *inst);
/* Resolves a reference value (exact id first, then a unique name). */
obj *resolve_ref(cmdctx *c, const char *type, const char *value);
/* resolve_ref without a failure: *count is how many objects have that name. */
obj *lookup_ref(engine *e, const char *type, const char *value, int *count);
/* What the jobs of an operation share, given in one place instead of set
 * field by field: the verb and type of their names ("Create VM: x"), the
 * function that runs them, how their plan is freed, their kind (NULL:
 * LEAF), whether a failure rolls their store changes back and their goal
 * after an interruption (JOB_GOAL_*, NULL: none). */
typedef struct job_spec {
    const char *operation, *type;
    job_fn fn;
    void (*plan_free)(void *);
    const char *kind;
    int rollback_store;
    const char *goal;
} job_spec;
/* The job of spec for the object called name, owning plan; target is the id
 * acted on (or NULL) and the NULL-terminated ids after it are locked too. */
job *spec_job(cmdctx *c, const job_spec *spec, const char *name, void *plan, const char *target, ...);
/* 1 after failing c with "Cannot delete T N: it is in use by U M" when a
 * REL_REFUSE relation (backend/flows/relations.c) has a referrer of o. */
int delete_refused(cmdctx *c, const obj *o);
/* Fails with the async-mode lock text or the blocking-event text when needed. 0 ok. */
int check_lockable(cmdctx *c, job *j);
/* 1 if a unique-name type already has name (other than self). */
int name_taken(engine *e, const char *type, const char *name, const obj *self);
/* The command text with secret attribute values masked, for job rows. */
char *masked_command(const gr_command *cmd);
/* `?` help listing for a command ending in '?' (grammar + live names). */
void help_listing(cmdctx *c, const char *text);
/* Live names and ids of a type for completion (ctx is the engine). */
size_t engine_names(void *ctx, const char *type, char ***out);
/* add/remove Server or ServerPool to/from Repository (ops_storage_repo.c). */
job *present_prepare(cmdctx *c, int add);
#endif
