/* The Vm area (ops_vm*.c): the plan every Vm job carries and the helpers its files share. */
#ifndef OVM_OPS_VM_H
#define OVM_OPS_VM_H
#include "backend/flows/model.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"

typedef struct vm_plan {
    agent_target t;         /* server the job works on */
    struct server_load *load; /* set while the plan counts as work planned on t (plan_on) */
    char vm_id[64], repo_id[64];
    xr_value *cfg;          /* vm.cfg to write */
    gplan *g;               /* store changes */
    char key[300];          /* sendVmMessage */
    char *message;
    int message_log;        /* log=Yes: kept in the Manager's log */
    /* clone */
    char src_repo[64];
    char **copy_src, **copy_dst, **copy_repo; /* agent paths; repository of the copy */
    int *copy_sparse;
    size_t ncopies;
    gplan **extra;          /* objects the clone creates besides the Vm */
    size_t nextra;
    /* moveVmToRepository: mapping i of the Vm maps the copy remap_new[i]
     * instead of remap_old[i]; drop: originals deleted after the switch */
    char **remap_map, **remap_old, **remap_new, **drop;
    size_t nremap, ndrop;
} vm_plan;

/* How a clone or a move treats the source's devices (ops_vm_clone.c). */
typedef struct clone_opts {
    const obj *cust;        /* VmCloneCustomizer, or NULL */
    const obj *trepo;       /* default target repository */
    const obj *pool;        /* pool whose servers must see every target, or NULL */
    int move;               /* moveVmToRepository: shareable disks are copied too (MV-5) */
    int hot;                /* a running VM's clone: every copy is a thin clone */
} clone_opts;

extern const char thin_clone_text[];
/* CL-4: a thin clone (a reflink, sharing extents) stays in its source's
 * repository, src_repo_id, and only OCFS2 repositories share extents: 0 when
 * target is that repository on OCFS2, else -1 after failing c. */
int thin_clone_check(cmdctx *c, const char *src_repo_id, const obj *target);
/* How a planned disk copy is made (vm_plan's copy_sparse). */
enum { COPY_FULL = 0, COPY_SPARSE = 1, COPY_THIN = 2 };
/* Plans the disk copies of a clone or move of vm into p (CL-2..CL-5, CL-9,
 * MV-2..MV-5, the customizer's storage mappings); 0, or -1 after result_fail. */
/* MV-2, V-5: dst is presented to a server of o->pool (unless it is o->trepo,
 * checked by the caller) and to p's server, which must also see src. */
int check_target(cmdctx *c, const clone_opts *o, vm_plan *p, const obj *src, const obj *dst);
int plan_disk_copies(cmdctx *c, vm_plan *p, const obj *vm, const clone_opts *o);
/* The network of the clone of vnic: the customizer's mapping, else its own. */
const char *clone_vnic_network(engine *e, const obj *cust, const obj *vnic);
/* The job function of both: copy every planned disk (each copy undone on failure). */
int run_disk_copies(job *j, vm_plan *p);
obj *detached_from_plan(const gplan *g);
/* The customizer named by attr; it must be one of vm's (NULL: none asked
 * for; *failed after result_fail). */
const obj *vm_customizer(cmdctx *c, const obj *vm, const char *attr, int *failed);
job *prepare_move(cmdctx *c);
void vm_cfg_file_content(cmdctx *c);

void vm_plan_free(void *arg);
/* The server for configuration calls: the VM's host while it has a domain,
 * else a usable server with the repository presented, pool members and
 * utility servers first. */
obj *vm_worker(engine *e, const obj *vm, const char *repo_id);
obj *vm_instance(cmdctx *c);
/* A plan for a job on the server the running vm is on, or NULL after
 * result_fail when that server cannot be used (ops_vm_lifecycle.c). */
vm_plan *plan_on_host(cmdctx *c, obj *vm);
int refuse_state(cmdctx *c, const obj *vm, const char *action);
vm_plan *plan_on(cmdctx *c, const obj *vm, const char *repo_id);
job *vm_job(cmdctx *c, const job_spec *spec, const obj *vm, vm_plan *p);
/* Sets status (and server when given) of the plan's VM (write lock taken inside). */
void set_vm_state(job *j, const char *vm_id, obj_status status, const char *server);
/* V-5: the repository is presented to at least one server of the pool. */
int check_repo_in_pool(cmdctx *c, const obj *repo, const obj *pool);
job *prepare_create_vm(cmdctx *c);
int push_config(job *j, vm_plan *p);
job *prepare_edit_vm(cmdctx *c);
void drop_vm_from_lists(engine *e, const char *type, const char *key, const char *vm_id);
job *prepare_delete_vm(cmdctx *c);
job *prepare_start(cmdctx *c);
job *prepare_stop(cmdctx *c);
job *prepare_restart(cmdctx *c);
job *prepare_suspend(cmdctx *c);
job *prepare_resume(cmdctx *c);
job *prepare_kill(cmdctx *c);
job *prepare_migrate(cmdctx *c);
/* add Vm to Server|ServerPool (add) and remove Vm from them: migrate Vm
 * with that destination, or to Unassigned (ops_vm_migrate.c). */
job *prepare_vm_pair_migrate(cmdctx *c, int add);
gplan *copy_plan(const obj *src, const char *type, const char *id, const char *name);
job *prepare_clone(cmdctx *c);
/* What a clone and a VM made from an appliance share (ops_vm_clone.c): the
 * objects to store besides the Vm, the files to copy first, vm.cfg from all
 * of them, and the job that copies, writes vm.cfg and stores. */
void vm_plan_add_extra(vm_plan *p, gplan *g);
void vm_plan_add_copy(vm_plan *p, const char *src, const char *repo, const char *dst, int sparse);
xr_value *vm_plan_config(engine *e, const vm_plan *p);
int vm_run_clone(job *j);
/* The same for a plan the job does not own as its plan (importTemplate). */
int vm_plan_run(job *j, vm_plan *p);
/* create Vm's defaults for what v lacks, then all of v into g (ops_vm_create.c). */
void vm_defaults(gplan *g, obj *v, const obj *pool);
job *prepare_create_map(cmdctx *c);
job *prepare_delete_map(cmdctx *c);
job *prepare_edit_map(cmdctx *c);
#endif
