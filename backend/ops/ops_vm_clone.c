/* clone Vm. */
#include "backend/ops/ops_vm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/ops/generic.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "backend/ops/ops_storage.h"
#include "backend/jobs/events.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* ---- clone ---- */

int vm_run_clone(job *j)
{
    return vm_plan_run(j, j->plan);
}

int vm_plan_run(job *j, vm_plan *p)
{
    for (size_t i = 0; i < p->ncopies; i++) {
        if (agent_copy_file(AGENT_JOB(j, &p->t), p->copy_src[i], p->copy_dst[i], p->copy_sparse[i], NULL) != 0)
            return -1;
        storage_undo_file(j, &p->t, p->repo_id, p->copy_dst[i], "the disk copy");
    }
    if (agent_create_vm(AGENT_JOB(j, &p->t), p->repo_id, p->vm_id, p->cfg, NULL) != 0)
        return -1;
    for (size_t i = 0; i < p->nextra; i++)
        gplan_store_create(j, p->extra[i]);
    return gplan_store_create(j, p->g); /* last: the job's result is the clone itself */
}

gplan *copy_plan(const obj *src, const char *type, const char *id, const char *name)
{
    gplan *g = gplan_new(type, id, name);
    for (size_t i = 0; i < src->nattrs; i++)
        if (strcmp(src->attrs[i].key, "created") != 0)
            gplan_set(g, src->attrs[i].key, src->attrs[i].value);
    return g;
}

void vm_plan_add_extra(vm_plan *p, gplan *g)
{
    p->extra = xrealloc(p->extra, (p->nextra + 1) * sizeof *p->extra);
    p->extra[p->nextra++] = g;
}

void vm_plan_add_copy(vm_plan *p, const char *src, const char *dst, int sparse)
{
    p->copy_src = xrealloc(p->copy_src, (p->ncopies + 1) * sizeof *p->copy_src);
    p->copy_dst = xrealloc(p->copy_dst, (p->ncopies + 1) * sizeof *p->copy_dst);
    p->copy_sparse = xrealloc(p->copy_sparse, (p->ncopies + 1) * sizeof *p->copy_sparse);
    p->copy_src[p->ncopies] = xstrdup(src);
    p->copy_dst[p->ncopies] = xstrdup(dst);
    p->copy_sparse[p->ncopies] = sparse;
    p->ncopies++;
}

/* Disk mappings of the clone (CL-2, CL-5): copies of private disks, the
 * same shareable disks, empty CD-ROM drives. Also fills v's mapping list. */
static void plan_clone_disks(cmdctx *c, vm_plan *p, const obj *vm, const char *trepo, double *need)
{
    obj **maps;
    size_t n = store_find_by(c->e->st, "VmDiskMapping", "vm", vm->id, &maps);
    for (size_t i = 0; i < n; i++) {
        char mid[64];
        ovm_new_id("0013", "", mid, sizeof mid);
        gplan *m = copy_plan(maps[i], "VmDiskMapping", mid, mid);
        gplan_set(m, "vm", p->vm_id);
        obj *d = store_get(c->e->st, obj_gets(maps[i], "virtualDisk"));
        if (d && !obj_is(d, "shareable", "Yes")) {
            char did[64];
            ovm_new_id("0012", ".img", did, sizeof did);
            char *name = xasprintf("%s (clone)", d->name);
            gplan *dg = copy_plan(d, "VirtualDisk", did, name);
            free(name);
            gplan_set(dg, "repository", trepo);
            vm_plan_add_extra(p, dg);
            char *src = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", obj_gets(d, "repository"), d->id);
            char *dst = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", trepo, did);
            vm_plan_add_copy(p, src, dst, obj_is(d, "sparse", "Yes"));
            free(src);
            free(dst);
            if (!obj_is(d, "sparse", "Yes"))
                *need += strtod(obj_gets(d, "size"), NULL);
            gplan_set(m, "virtualDisk", did);
        } else if (obj_get(maps[i], "virtualCdrom")) {
            gplan_set(m, "virtualCdrom", "");
        }
        vm_plan_add_extra(p, m);
    }
    free(maps);
}

static int next_mac(engine *e, char *buf, size_t len, vm_plan *p);

static void plan_clone_vnics(cmdctx *c, vm_plan *p, const obj *vm)
{
    obj **v;
    size_t n = store_find_by(c->e->st, "Vnic", "vm", vm->id, &v);
    vm_devices_sort_vnics(v, n); /* the clone's VNICs are created in this order */
    for (size_t i = 0; i < n; i++) {
        char id[64], mac[32];
        ovm_new_id("0007", "", id, sizeof id);
        if (next_mac(c->e, mac, sizeof mac, p) != 0)
            continue;
        gplan *g = copy_plan(v[i], "Vnic", id, mac);
        gplan_set(g, "vm", p->vm_id);
        gplan_set(g, "macAddress", mac);
        vm_plan_add_extra(p, g);
    }
    free(v);
}

/* Lowest free MAC of the Manager range, skipping the ones this plan takes. */
static int next_mac(engine *e, char *buf, size_t len, vm_plan *p)
{
    obj *m = store_get(e->st, e->manager_id);
    unsigned long long lo = 0x0021f6000000ULL, hi = 0x0021f6ffffffULL;
    unsigned a[6];
    if (m && sscanf(obj_gets(m, "macStart"), "%x:%x:%x:%x:%x:%x", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]) == 6)
        lo = ((unsigned long long)a[0] << 40) | ((unsigned long long)a[1] << 32) | ((unsigned long long)a[2] << 24) |
             ((unsigned long long)a[3] << 16) | ((unsigned long long)a[4] << 8) | a[5];
    if (m && sscanf(obj_gets(m, "macEnd"), "%x:%x:%x:%x:%x:%x", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]) == 6)
        hi = ((unsigned long long)a[0] << 40) | ((unsigned long long)a[1] << 32) | ((unsigned long long)a[2] << 24) |
             ((unsigned long long)a[3] << 16) | ((unsigned long long)a[4] << 8) | a[5];
    for (unsigned long long x = lo; x <= hi; x++) {
        snprintf(buf, len, "%02llx:%02llx:%02llx:%02llx:%02llx:%02llx", (x >> 40) & 255, (x >> 32) & 255,
                 (x >> 24) & 255, (x >> 16) & 255, (x >> 8) & 255, x & 255);
        obj **used;
        size_t n = store_find_by(e->st, "Vnic", "macAddress", buf, &used);
        free(used);
        int taken = n > 0;
        for (size_t i = 0; i < p->nextra && !taken; i++)
            for (size_t k = 0; k < p->extra[i]->n && !taken; k++)
                taken = !strcmp(p->extra[i]->keys[k], "macAddress") && !strcmp(p->extra[i]->vals[k], buf);
        if (!taken)
            return 0;
    }
    return -1;
}

static obj *detached_from_plan(const gplan *g)
{
    obj *o = obj_detached(g->type, g->id, g->name);
    for (size_t i = 0; i < g->n; i++)
        obj_detached_set(o, g->keys[i], g->vals[i]);
    return o;
}

/* vm.cfg of the clone, built from detached copies of what the plan creates:
 * the Vm and its own disk mappings, disks and VNICs (none is in the store
 * yet, so vm_config alone would list no devices). */
xr_value *vm_plan_config(engine *e, const vm_plan *p)
{
    obj *all[p->nextra + 1];
    obj *maps[p->nextra + 1], *vnics[p->nextra + 1], *pending[p->nextra + 1];
    vm_devices dv = {maps, 0, vnics, 0, pending, 0};
    for (size_t i = 0; i < p->nextra; i++) {
        obj *o = all[i] = detached_from_plan(p->extra[i]);
        if (!strcmp(o->type, "VmDiskMapping"))
            maps[dv.nmaps++] = o;
        else if (!strcmp(o->type, "Vnic"))
            vnics[dv.nvnics++] = o;
        else
            pending[dv.npending++] = o;
    }
    obj *v = detached_from_plan(p->g);
    xr_value *cfg = vm_config_devices(e, v, &dv);
    obj_detached_free(v);
    for (size_t i = 0; i < p->nextra; i++)
        obj_detached_free(all[i]);
    return cfg;
}

job *prepare_clone(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    if (gr_get(c->cmd, "cloneCustomizer")) {
        result_fail(c->res, "Object type VmCloneCustomizer is not supported by this Manager");
        return NULL;
    }
    if (status_get(vm) == ST_RUNNING) {
        result_fail(c->res, "Hot clone of running Vm %s needs thin clones on an OCFS2 repository; stop the Vm first",
                    vm->name);
        return NULL;
    }
    if (status_get(vm) != ST_STOPPED && status_get(vm) != ST_TEMPLATE) {
        refuse_state(c, vm, "clone");
        return NULL;
    }
    int tmpl = !strcmp(gr_get(c->cmd, "destType"), "VmTemplate");
    obj *trepo = store_get(c->e->st, obj_gets(vm, "repository"));
    if (gr_get(c->cmd, "targetRepository") && !(trepo = resolve_ref(c, "Repository", gr_get(c->cmd, "targetRepository"))))
        return NULL;
    obj *pool = NULL;
    if (gr_get(c->cmd, "serverPool")) {
        if (!(pool = resolve_ref(c, "ServerPool", gr_get(c->cmd, "serverPool"))))
            return NULL;
    } else if (!tmpl && status_get(vm) != ST_TEMPLATE) {
        pool = store_get(c->e->st, obj_gets(vm, "serverPool"));
    }
    if (tmpl)
        pool = NULL;
    if (!trepo || (pool && check_repo_in_pool(c, trepo, pool)))
        return NULL;
    vm_plan *p = plan_on(c, vm, trepo->id);
    if (!p)
        return NULL;
    obj *src_repo = store_get(c->e->st, obj_gets(vm, "repository"));
    if (src_repo && src_repo != trepo && !obj_list_has(src_repo, "presentedServers", p->t.id)) {
        result_fail(c->res, "No server has both Repository %s and Repository %s presented", src_repo->name,
                    trepo->name);
        vm_plan_free(p);
        return NULL;
    }
    const char *name = gr_get(c->cmd, "destName");
    ovm_new_id("0006", "", p->vm_id, sizeof p->vm_id);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", trepo->id);
    double need = 0;
    plan_clone_disks(c, p, vm, trepo->id, &need);
    plan_clone_vnics(c, p, vm);
    p->g = copy_plan(vm, "Vm", p->vm_id, name);
    gplan_set(p->g, "repository", trepo->id);
    gplan_set(p->g, "status", status_name(tmpl ? ST_TEMPLATE : ST_STOPPED));
    gplan_set(p->g, "serverPool", pool ? pool->id : "");
    gplan_set(p->g, "server", "");
    gplan_set(p->g, "restartRequired", "");
    if (tmpl)
        gplan_set(p->g, "highAvailability", "No");
    if (need > 0) {
        obj **disks;
        size_t nd = store_find_by(c->e->st, "VirtualDisk", "repository", trepo->id, &disks);
        double free_gib = strtod(obj_gets(trepo, "size"), NULL);
        for (size_t i = 0; i < nd; i++)
            if (!obj_is(disks[i], "sparse", "Yes"))
                free_gib -= strtod(obj_gets(disks[i], "size"), NULL);
        free(disks);
        if (need > free_gib) {
            result_fail(c->res, "Repository %s has %.1f GiB free; this operation needs %.1f GiB", trepo->name,
                        free_gib, need);
            vm_plan_free(p);
            return NULL;
        }
    }
    p->cfg = vm_plan_config(c->e, p);
    static const job_spec spec = {.operation = "Clone", .type = "Vm", .fn = vm_run_clone, .plan_free = vm_plan_free};
    return spec_job(c, &spec, vm->name, p, vm->id, trepo->id, NULL);
}
