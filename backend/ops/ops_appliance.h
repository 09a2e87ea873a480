/* Virtual appliances (ops_appliance*.c): import, export, delete, VMs and
 * templates made from them (doc/command-language.md §4.4, "Virtual
 * appliances"). An appliance lives in its repository's Assemblies/<id>/ as
 * raw images <n>.img (agent/appliance.c); the store holds a VirtualAppliance
 * with its VirtualApplianceVm and VirtualApplianceVirtualDisk children. */
#ifndef OVM_OPS_APPLIANCE_H
#define OVM_OPS_APPLIANCE_H
#include "backend/ops/ops_vm.h"

/* Everything an import or export job needs (ops_appliance*.c). */
typedef struct app_plan {
    agent_target t;
    char repo_id[64], app_id[64];
    char url[2001], proxy[257]; /* import; "" for none */
    char *name, *origin;
    xr_value *vms;              /* export: what the agent packs */
    int tmpl;                   /* importTemplate */
} app_plan;
void app_plan_free(void *arg);

/* One VM of an appliance, as vm_plan_from_appliance needs it. */
typedef struct appliance_vm {
    const char *name;
    long long cpus, memory_mb;
    const char *const *files;   /* its disks: files in the appliance folder */
    const long long *bytes;     /* their sizes */
    size_t ndisks;
} appliance_vm;

/* Fills p (target, repo_id set) to make a Vm (or a template) of av whose
 * disks are copies of <repo>/Assemblies/<app_id>/<file>: p->vm_id, the
 * VirtualDisks and VmDiskMappings, the Vm, vm.cfg (ops_appliance_vm.c). */
void vm_plan_from_appliance(engine *e, vm_plan *p, const char *app_id, const appliance_vm *av, int tmpl);
/* Removes Assemblies/<app_id> through t if a later step of j fails. */
void appliance_undo_dir(job *j, const agent_target *t, const char *repo_id, const char *app_id);
/* Stores appliance app_id (named name, from origin or NULL) in repo_id with
 * the VMs and disks of the agent's description res, in one transaction; the
 * job's result is the appliance (ops_appliance.c). 0. */
int appliance_store(job *j, const char *repo_id, const char *app_id, const char *name, const char *origin,
                    const xr_value *res);
job *prepare_import_appliance(cmdctx *c);
job *prepare_import_template(cmdctx *c);
job *prepare_delete_appliance(cmdctx *c);
job *prepare_export_appliance(cmdctx *c);
job *prepare_vm_from_appliance(cmdctx *c);
#endif
