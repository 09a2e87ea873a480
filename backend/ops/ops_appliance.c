/* importVirtualAppliance (importAssembly), exportVirtualAppliance and
 * delete VirtualAppliance. The agent downloads, checks and unpacks the OVA
 * (or writes it, for an export) and answers with what it holds; only then
 * does the job store the VirtualAppliance and its children, in one
 * transaction. A failure after the agent's work removes the appliance's
 * folder again (an undo), so neither files nor rows stay behind. */
#include "backend/ops/ops_appliance.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/ops/ops_storage.h"
#include "backend/render/show.h"
#include "lib/util.h"

void app_plan_free(void *arg)
{
    app_plan *p = arg;
    if (!p)
        return;
    free(p->name);
    free(p->origin);
    xr_free(p->vms);
    free(p);
}

typedef struct dir_undo {
    agent_target t;
    char repo_id[64], app_id[64];
} dir_undo;

static int remove_dir(job *j, void *arg)
{
    dir_undo *u = arg;
    return agent_delete_virtual_appliance(AGENT_JOB(j, &u->t), u->repo_id, u->app_id, NULL);
}

void appliance_undo_dir(job *j, const agent_target *t, const char *repo_id, const char *app_id)
{
    dir_undo *u = xcalloc(1, sizeof *u);
    u->t = *t;
    snprintf(u->repo_id, sizeof u->repo_id, "%s", repo_id);
    snprintf(u->app_id, sizeof u->app_id, "%s", app_id);
    char *what = xasprintf("the appliance folder Assemblies/%s", app_id);
    job_undo_push(j, what, remove_dir, u, free);
    free(what);
}

static long long int_of(const xr_value *st, const char *key, long long dflt)
{
    int64_t v;
    return xr_get_int64(xr_struct_get(st, key), &v) == 0 ? (long long)v : dflt;
}

static const char *str_or_empty(const xr_value *v)
{
    const char *s = xr_get_str(v);
    return s ? s : "";
}

static const char *str_of(const xr_value *st, const char *key, const char *dflt)
{
    const char *s = xr_get_str(xr_struct_get(st, key));
    return s && *s ? s : dflt;
}

/* The children of appliance a from the agent's description (store locked). */
static void store_children(engine *e, obj *a, const xr_value *res)
{
    const xr_value *disks = xr_struct_get(res, "disks"), *vms = xr_struct_get(res, "vms");
    size_t nd = disks && disks->type == XR_ARRAY ? disks->n : 0;
    char (*ids)[64] = xcalloc(nd + 1, sizeof *ids);
    for (size_t i = 0; i < nd; i++) {
        const xr_value *d = disks->items[i];
        ovm_new_id("0019", "", ids[i], sizeof ids[i]);
        obj *o = store_create(e->st, "VirtualApplianceVirtualDisk", ids[i], str_of(d, "name", "disk"));
        char gib[64];
        fmt_gib((double)int_of(d, "size", 0) / 1073741824.0, gib, sizeof gib);
        obj_set(e->st, o, "size", gib);
        obj_set(e->st, o, "file", str_of(d, "file", ""));
        obj_set(e->st, o, "virtualAppliance", a->id);
    }
    for (size_t i = 0; vms && vms->type == XR_ARRAY && i < vms->n; i++) {
        const xr_value *v = vms->items[i], *files = xr_struct_get(v, "disks");
        char id[64];
        ovm_new_id("0019", "", id, sizeof id);
        obj *o = store_create(e->st, "VirtualApplianceVm", id, str_of(v, "name", "vm"));
        obj_setf(e->st, o, "cpuCount", "%lld", int_of(v, "cpus", 1));
        obj_setf(e->st, o, "memory", "%lld", int_of(v, "memory", 512));
        obj_setf(e->st, o, "nics", "%lld", int_of(v, "nics", 0));
        obj_set(e->st, o, "virtualAppliance", a->id);
        for (size_t k = 0; files && files->type == XR_ARRAY && k < files->n; k++)
            for (size_t n = 0; n < nd; n++)
                if (!strcmp(str_of(disks->items[n], "file", ""), str_or_empty(files->items[k])))
                    obj_list_add(e->st, o, "virtualApplianceVirtualDisks", ids[n]);
    }
    free(ids);
}

int appliance_store(job *j, const char *repo_id, const char *app_id, const char *name, const char *origin,
                    const xr_value *res)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *a = store_create(e->st, "VirtualAppliance", app_id, name);
    obj_setf(e->st, a, "created", "%lld", (long long)ovm_unique_ms_id());
    obj_set(e->st, a, "repository", repo_id);
    if (origin)
        obj_set(e->st, a, "origin", origin);
    obj_set(e->st, a, "ovfVersion", str_of(res, "ovf_version", "1.x"));
    store_children(e, a, res);
    store_commit(e->st);
    store_set_actor(e->st, 0);
    free(j->result_obj);
    j->result_obj = xstrdup(a->id);
    store_unlock(e->st);
    return 0;
}

/* The agent's download and unpacking, undone if a later step fails: the
 * description of what the package holds, or NULL with the job failed. */
static xr_value *fetch(job *j, const app_plan *p)
{
    xr_value *res = NULL;
    if (agent_import_virtual_appliance(AGENT_JOB(j, &p->t), p->url, p->app_id, p->repo_id,
                                       p->proxy[0] ? p->proxy : NULL, &res) != 0)
        return NULL;
    appliance_undo_dir(j, &p->t, p->repo_id, p->app_id);
    if (!res) /* an agent that answers nil imported nothing usable */
        res = xr_struct();
    return res;
}

static int run_import_appliance(job *j)
{
    app_plan *p = j->plan;
    xr_value *res = fetch(j, p);
    if (!res)
        return -1;
    appliance_store(j, p->repo_id, p->app_id, p->name, p->origin, res);
    xr_free(res);
    repo_free_changed(j->eng, p->repo_id);
    return 0;
}

static app_plan *plan_for_repo(cmdctx *c, obj **repo)
{
    obj *s = resolve_repo_worker(c, repo);
    if (!s)
        return NULL;
    app_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", (*repo)->id);
    ovm_new_id("0019", "", p->app_id, sizeof p->app_id);
    return p;
}

static app_plan *import_plan(cmdctx *c, obj **repo)
{
    app_plan *p = plan_for_repo(c, repo);
    if (!p)
        return NULL;
    const char *proxy = gr_get(c->cmd, "proxy");
    snprintf(p->url, sizeof p->url, "%s", gr_get(c->cmd, "url"));
    snprintf(p->proxy, sizeof p->proxy, "%s", proxy ? proxy : "");
    p->name = url_file_name(p->url);
    p->origin = xstrdup(p->url);
    return p;
}

/* importTemplate: the package is unpacked into a temporary appliance
 * folder, its one VM made a template like createVmFromVirtualAppliance
 * makes a Vm, and the folder removed; no VirtualAppliance is stored. */
static int run_import_template(job *j)
{
    app_plan *p = j->plan;
    xr_value *res = fetch(j, p);
    if (!res)
        return -1;
    const xr_value *vms = xr_struct_get(res, "vms"), *disks = xr_struct_get(res, "disks");
    int rc = -1;
    if (!vms || vms->type != XR_ARRAY || vms->n != 1 || !disks || disks->type != XR_ARRAY)
        job_fail(j, "Job failed: %s holds %zu VMs; a template package holds exactly one", p->name,
                 vms && vms->type == XR_ARRAY ? vms->n : 0);
    else {
        const xr_value *v = vms->items[0], *files = xr_struct_get(v, "disks");
        size_t n = files && files->type == XR_ARRAY ? files->n : 0;
        const char *fv[n + 1];
        long long bv[n + 1];
        for (size_t k = 0; k < n; k++) {
            fv[k] = str_or_empty(files->items[k]);
            bv[k] = 0;
            for (size_t d = 0; d < disks->n; d++)
                if (!strcmp(str_of(disks->items[d], "file", ""), fv[k]))
                    bv[k] = int_of(disks->items[d], "size", 0);
        }
        appliance_vm av = {str_of(v, "name", p->name), int_of(v, "cpus", 1), int_of(v, "memory", 512), fv, bv, n};
        vm_plan *vp = xcalloc(1, sizeof *vp);
        vp->t = p->t;
        snprintf(vp->repo_id, sizeof vp->repo_id, "%s", p->repo_id);
        vm_plan_from_appliance(j->eng, vp, p->app_id, &av, 1);
        rc = vm_plan_run(j, vp);
        vm_plan_free(vp);
    }
    xr_free(res);
    if (rc == 0) /* the template has its own copies now */
        agent_delete_virtual_appliance(AGENT_JOB(j, &p->t), p->repo_id, p->app_id, NULL);
    repo_free_changed(j->eng, p->repo_id);
    return rc;
}

/* importVirtualAppliance (importAssembly) and importTemplate. */
static job *prepare_import_kind(cmdctx *c, int tmpl)
{
    obj *repo;
    app_plan *p = import_plan(c, &repo);
    if (!p)
        return NULL;
    p->tmpl = tmpl;
    static const job_spec app_spec = {.operation = "Import", .type = "VirtualAppliance",
                                      .fn = run_import_appliance, .plan_free = app_plan_free};
    static const job_spec tmpl_spec = {.operation = "Import", .type = "Vm", .fn = run_import_template,
                                       .plan_free = app_plan_free};
    /* The repository is locked: the import changes its content and free space. */
    return spec_job(c, tmpl ? &tmpl_spec : &app_spec, p->name, p, NULL, repo->id, NULL);
}

job *prepare_import_appliance(cmdctx *c)
{
    return prepare_import_kind(c, 0);
}

job *prepare_import_template(cmdctx *c)
{
    return prepare_import_kind(c, 1);
}

static int run_delete_appliance(job *j)
{
    app_plan *p = j->plan;
    engine *e = j->eng;
    if (agent_delete_virtual_appliance(AGENT_JOB(j, &p->t), p->repo_id, p->app_id, NULL) != 0)
        return -1;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *a = store_get(e->st, p->app_id);
    if (a) {
        relations_on_delete(e, a); /* its VirtualApplianceVms and VirtualApplianceVirtualDisks */
        store_delete(e->st, a);
    }
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    repo_free_changed(e, p->repo_id);
    return 0;
}

job *prepare_delete_appliance(cmdctx *c)
{
    obj *a = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *repo = a ? store_get(c->e->st, obj_gets(a, "repository")) : NULL;
    if (a && !repo)
        result_fail(c->res, "VirtualAppliance %s has no repository", a->name);
    obj *s = repo ? repo_worker_for(c, repo) : NULL;
    if (!s)
        return NULL;
    app_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    snprintf(p->app_id, sizeof p->app_id, "%s", a->id);
    static const job_spec spec = {.operation = "Delete", .type = "VirtualAppliance", .fn = run_delete_appliance,
                                  .plan_free = app_plan_free};
    return spec_job(c, &spec, a->name, p, a->id, repo->id, NULL);
}
