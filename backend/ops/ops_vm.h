/* The Vm area (ops_vm*.c): the plan every Vm job carries and the helpers its files share. */
#ifndef OVM_OPS_VM_H
#define OVM_OPS_VM_H
#include "backend/flows/model.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"

typedef struct vm_plan {
    agent_target t;         /* server the job works on */
    char vm_id[64], repo_id[64];
    xr_value *cfg;          /* vm.cfg to write */
    gplan *g;               /* store changes */
    char key[300];          /* sendVmMessage */
    char *message;
    /* clone */
    char src_repo[64];
    char **copy_src, **copy_dst;
    int *copy_sparse;
    size_t ncopies;
    gplan **extra;          /* objects the clone creates besides the Vm */
    size_t nextra;
} vm_plan;

void vm_plan_free(void *arg);
/* The server for configuration calls: the VM's host while it has a domain,
 * else a usable server with the repository presented, pool members and
 * utility servers first. */
obj *vm_worker(engine *e, const obj *vm, const char *repo_id);
obj *vm_instance(cmdctx *c);
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
job *prepare_message(cmdctx *c);
job *prepare_migrate(cmdctx *c);
gplan *copy_plan(const obj *src, const char *type, const char *id, const char *name);
job *prepare_clone(cmdctx *c);
/* What a clone and a VM made from an appliance share (ops_vm_clone.c): the
 * objects to store besides the Vm, the files to copy first, vm.cfg from all
 * of them, and the job that copies, writes vm.cfg and stores. */
void vm_plan_add_extra(vm_plan *p, gplan *g);
void vm_plan_add_copy(vm_plan *p, const char *src, const char *dst, int sparse);
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
