/* VMs and appliances: createVmFromVirtualAppliance (createVmFromAssembly)
 * makes a stopped, Unassigned Vm of a VirtualApplianceVm with copies of its
 * disks, as clone Vm does (vm_plan_run); exportVirtualAppliance packs
 * stopped VMs into a new appliance; the table binding the appliance forms. */
#include "backend/ops/ops_appliance.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/ops/ops_storage.h"
#include "backend/render/show.h"
#include "lib/util.h"

void vm_plan_from_appliance(engine *e, vm_plan *p, const char *app_id, const appliance_vm *av, int tmpl)
{
    ovm_new_id("0006", "", p->vm_id, sizeof p->vm_id);
    for (size_t i = 0; i < av->ndisks; i++) {
        char did[64], mid[64], gib[64], slot[24];
        ovm_new_id("0012", ".img", did, sizeof did);
        ovm_new_id("0013", "", mid, sizeof mid);
        char *name = xasprintf("%s-disk%zu", av->name, i);
        gplan *d = gplan_new("VirtualDisk", did, name);
        free(name);
        fmt_gib((double)av->bytes[i] / 1073741824.0, gib, sizeof gib);
        gplan_set(d, "size", gib);
        gplan_set(d, "sparse", "Yes");
        gplan_set(d, "shareable", "No");
        gplan_set(d, "repository", p->repo_id);
        vm_plan_add_extra(p, d);
        char *src = xasprintf("/OVS/Repositories/%s/Assemblies/%s/%s", p->repo_id, app_id, av->files[i]);
        char *dst = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", p->repo_id, did);
        vm_plan_add_copy(p, src, p->repo_id, dst, 1);
        free(src);
        free(dst);
        gplan *m = gplan_new("VmDiskMapping", mid, mid);
        snprintf(slot, sizeof slot, "%zu", i);
        gplan_set(m, "slot", slot);
        gplan_set(m, "virtualDisk", did);
        gplan_set(m, "emulatedBlockDevice", "No");
        gplan_set(m, "vm", p->vm_id);
        vm_plan_add_extra(p, m);
    }
    obj *v = obj_detached("Vm", p->vm_id, av->name);
    char num[32];
    snprintf(num, sizeof num, "%lld", av->memory_mb);
    obj_detached_set(v, "memory", num);
    snprintf(num, sizeof num, "%lld", av->cpus);
    obj_detached_set(v, "cpuCount", num);
    /* OVF says nothing Xen can use about the guest's kernel: fully virtualised with PV drivers. */
    obj_detached_set(v, "domainType", "XEN_HVM_PV_DRIVERS");
    obj_detached_set(v, "repository", p->repo_id);
    obj_detached_set(v, "status", status_name(tmpl ? ST_TEMPLATE : ST_STOPPED));
    if (tmpl)
        obj_detached_set(v, "highAvailability", "No");
    p->g = gplan_new("Vm", p->vm_id, av->name);
    vm_defaults(p->g, v, NULL);
    obj_detached_free(v);
    p->cfg = vm_plan_config(e, p);
}

job *prepare_vm_from_appliance(cmdctx *c)
{
    obj *avm = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *app = avm ? store_get(c->e->st, obj_gets(avm, "virtualAppliance")) : NULL;
    obj *repo = app ? store_get(c->e->st, obj_gets(app, "repository")) : NULL;
    if (avm && !repo)
        result_fail(c->res, "VirtualApplianceVm %s has no appliance in a repository", avm->name);
    obj *s = repo ? repo_worker_for(c, repo) : NULL;
    if (!s)
        return NULL;
    char **dids;
    size_t n = split_list(obj_gets(avm, "virtualApplianceVirtualDisks"), &dids);
    const char *files[n + 1];
    long long bytes[n + 1];
    for (size_t i = 0; i < n; i++) {
        obj *d = store_get(c->e->st, dids[i]);
        files[i] = d ? obj_gets(d, "file") : "";
        bytes[i] = d ? (long long)(strtod(obj_gets(d, "size"), NULL) * 1073741824.0) : 0;
    }
    appliance_vm av = {avm->name, obj_get_int(avm, "cpuCount", 1), obj_get_int(avm, "memory", 512), files, bytes, n};
    vm_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    vm_plan_from_appliance(c->e, p, app->id, &av, 0);
    free_list(dids, n);
    static const job_spec spec = {.operation = "Create", .type = "Vm", .fn = vm_run_clone, .plan_free = vm_plan_free};
    /* The appliance is locked so that it is not deleted while its disks are copied. */
    return spec_job(c, &spec, avm->name, p, NULL, app->id, repo->id, NULL);
}

/* ---- export ---- */

static int run_export(job *j)
{
    app_plan *p = j->plan;
    xr_value *res = NULL;
    if (agent_export_virtual_appliance(AGENT_JOB(j, &p->t), p->repo_id, p->app_id, p->name, p->vms, &res) != 0)
        return -1;
    appliance_undo_dir(j, &p->t, p->repo_id, p->app_id);
    appliance_store(j, p->repo_id, p->app_id, p->name, NULL, res);
    xr_free(res);
    repo_free_changed(j->eng, p->repo_id);
    return 0;
}

/* What the agent packs of vm: name, CPUs, memory, its virtual disks'
 * paths (CD-ROMs are never exported, 000:1351). NULL after result_fail. */
static xr_value *export_vm(cmdctx *c, const obj *vm, const char *worker)
{
    if (status_get(vm) == ST_TEMPLATE) {
        result_fail(c->res, "Cannot export Vm %s: templates cannot be exported as a virtual appliance", vm->name);
        return NULL;
    }
    if (status_get(vm) != ST_STOPPED) {
        refuse_state(c, (obj *)vm, "export");
        return NULL;
    }
    xr_value *x = xr_struct(), *disks = xr_array();
    xr_struct_set(x, "name", xr_string(vm->name));
    xr_struct_set(x, "cpus", xr_int(obj_get_int(vm, "cpuCount", 1)));
    xr_struct_set(x, "memory", xr_int(obj_get_int(vm, "memory", 512)));
    obj **maps;
    size_t n = store_find_by(c->e->st, "VmDiskMapping", "vm", vm->id, &maps);
    int bad = 0;
    for (size_t i = 0; i < n && !bad; i++) {
        obj *d = store_get(c->e->st, obj_gets(maps[i], "virtualDisk"));
        obj *r = d ? store_get(c->e->st, obj_gets(d, "repository")) : NULL;
        if (d && r && !obj_list_has(r, "presentedServers", worker)) {
            result_fail(c->res, "Repository %s of VirtualDisk %s is not presented to the exporting server", r->name,
                        d->name);
            bad = 1;
        } else if (d && r) {
            char *path = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", r->id, d->id);
            xr_array_add(disks, xr_string(path));
            free(path);
        }
    }
    free(maps);
    xr_struct_set(x, "disks", disks);
    if (bad) {
        xr_free(x);
        return NULL;
    }
    return x;
}

job *prepare_export_appliance(cmdctx *c)
{
    obj *repo, *s = resolve_repo_worker(c, &repo);
    if (!s)
        return NULL;
    char **names;
    size_t n = split_list(gr_get(c->cmd, "vms"), &names);
    xr_value *vms = xr_array();
    for (size_t i = 0; i < n && vms; i++) {
        obj *vm = resolve_ref(c, "Vm", names[i]);
        xr_value *x = vm ? export_vm(c, vm, s->id) : NULL;
        if (x)
            xr_array_add(vms, x);
        else {
            xr_free(vms);
            vms = NULL;
        }
    }
    free_list(names, n);
    if (!vms)
        return NULL;
    app_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    ovm_new_id("0019", "", p->app_id, sizeof p->app_id);
    p->name = xstrdup(gr_get(c->cmd, "name"));
    p->vms = vms;
    static const job_spec spec = {.operation = "Export", .type = "VirtualAppliance", .fn = run_export,
                                  .plan_free = app_plan_free};
    return spec_job(c, &spec, p->name, p, NULL, repo->id, NULL);
}

const op ops_appliance[] = {
    {GR_F_importVirtualAppliance_Repository, NULL, prepare_import_appliance, 0},
    {GR_F_importAssembly_Repository, NULL, prepare_import_appliance, 0},
    {GR_F_importTemplate_Repository, NULL, prepare_import_template, 0},
    {GR_F_createVmFromVirtualAppliance_VirtualApplianceVm, NULL, prepare_vm_from_appliance, 0},
    {GR_F_createVmFromAssembly_VirtualApplianceVm, NULL, prepare_vm_from_appliance, 0},
    {GR_F_exportVirtualAppliance_Repository, NULL, prepare_export_appliance, 0},
    {GR_F_delete_VirtualAppliance, NULL, prepare_delete_appliance, 0},
    OPS_END,
};
