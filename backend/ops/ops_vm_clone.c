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

int run_disk_copies(job *j, vm_plan *p)
{
    for (size_t i = 0; i < p->ncopies; i++) {
        int rc = p->copy_sparse[i] == COPY_THIN
                     ? agent_reflink_file(AGENT_JOB(j, &p->t), p->copy_src[i], p->copy_dst[i], NULL)
                     : agent_copy_file(AGENT_JOB(j, &p->t), p->copy_src[i], p->copy_dst[i], p->copy_sparse[i], NULL);
        if (rc != 0)
            return -1;
        storage_undo_file(j, &p->t, p->copy_repo[i], p->copy_dst[i], "the disk copy");
    }
    return 0;
}

int vm_run_clone(job *j)
{
    return vm_plan_run(j, j->plan);
}

int vm_plan_run(job *j, vm_plan *p)
{
    if (run_disk_copies(j, p) != 0)
        return -1;
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

void vm_plan_add_copy(vm_plan *p, const char *src, const char *repo, const char *dst, int sparse)
{
    size_t n = p->ncopies + 1;
    p->copy_src = xrealloc(p->copy_src, n * sizeof *p->copy_src);
    p->copy_dst = xrealloc(p->copy_dst, n * sizeof *p->copy_dst);
    p->copy_repo = xrealloc(p->copy_repo, n * sizeof *p->copy_repo);
    p->copy_sparse = xrealloc(p->copy_sparse, n * sizeof *p->copy_sparse);
    p->copy_src[p->ncopies] = xstrdup(src);
    p->copy_dst[p->ncopies] = xstrdup(dst);
    p->copy_repo[p->ncopies] = xstrdup(repo);
    p->copy_sparse[p->ncopies] = sparse;
    p->ncopies = n;
}

/* The customizer's object of type for the source object (by key), or NULL. */
static obj *cust_mapping(engine *e, const obj *cust, const char *type, const char *key, const char *ref)
{
    if (!cust)
        return NULL;
    obj **v;
    size_t n = store_find_by(e->st, type, "customizer", cust->id, &v);
    obj *hit = NULL;
    for (size_t i = 0; i < n && !hit; i++)
        if (obj_is(v[i], key, ref))
            hit = v[i];
    free(v);
    return hit;
}

const char *clone_vnic_network(engine *e, const obj *cust, const obj *vnic)
{
    obj *m = cust_mapping(e, cust, "VmCloneNetworkMapping", "vnic", vnic->id);
    return obj_gets(m ? m : vnic, "network");
}

/* Where one disk goes and how (CL-3, CL-4, the storage mapping): its target
 * repository, or NULL after result_fail; *mode the copy method (COPY_*). A
 * hot clone copies every disk as a thin clone (CL-1). */
static const obj *disk_target(cmdctx *c, const clone_opts *o, const obj *map, const obj *d, int *mode)
{
    obj *sm = cust_mapping(c->e, o->cust, "VmCloneStorageMapping", "vmDiskMapping", map->id);
    const obj *r = sm ? store_get(c->e->st, obj_gets(sm, "repository")) : o->trepo;
    if (!r) {
        result_fail(c->res, "Repository of VmCloneStorageMapping %s no longer exists", sm->name);
        return NULL;
    }
    *mode = !sm ? (obj_is(d, "sparse", "Yes") ? COPY_SPARSE : COPY_FULL)
            : obj_is(sm, "cloneType", "THIN_CLONE") ? COPY_THIN
            : obj_is(sm, "cloneType", "SPARSE_COPY") ? COPY_SPARSE : COPY_FULL;
    if (o->hot && *mode != COPY_THIN && sm) {
        result_fail(c->res, "A running Vm is cloned with THIN_CLONE only; VmCloneStorageMapping %s asks for %s",
                    sm->name, obj_gets(sm, "cloneType"));
        return NULL;
    }
    if (o->hot)
        *mode = COPY_THIN;
    /* checked again: the repository may have changed since the mapping was made */
    if (*mode == COPY_THIN && thin_clone_check(c, obj_gets(d, "repository"), r))
        return NULL;
    return r;
}

/* MV-2, V-5: the copying server sees source and target, the clone's pool
 * sees the target. */
int check_target(cmdctx *c, const clone_opts *o, vm_plan *p, const obj *src, const obj *dst)
{
    if (o->pool && dst != o->trepo && check_repo_in_pool(c, dst, o->pool))
        return -1;
    if (src && src != dst && !obj_list_has(dst, "presentedServers", p->t.id)) {
        result_fail(c->res, "No server has both Repository %s and Repository %s presented", src->name, dst->name);
        return -1;
    }
    return 0;
}

/* Adds the copy of disk d (mapped by map) to p; its new id in did. */
static int plan_one_copy(cmdctx *c, vm_plan *p, const clone_opts *o, const obj *map, const obj *d, char *did,
                         double *need, const obj **need_repo)
{
    int mode;
    const obj *dst = disk_target(c, o, map, d, &mode);
    if (!dst || check_target(c, o, p, store_get(c->e->st, obj_gets(d, "repository")), dst))
        return -1;
    ovm_new_id("0012", ".img", did, 64);
    char *name = xasprintf(o->move ? "%s" : "%s (clone)", d->name);
    gplan *dg = copy_plan(d, "VirtualDisk", did, name);
    free(name);
    gplan_set(dg, "repository", dst->id);
    gplan_set(dg, "sparse", mode != COPY_FULL ? "Yes" : "No");
    vm_plan_add_extra(p, dg);
    char *src = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", obj_gets(d, "repository"), d->id);
    char *to = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", dst->id, did);
    vm_plan_add_copy(p, src, dst->id, to, mode);
    free(src);
    free(to);
    *need = mode != COPY_FULL ? 0 : strtod(obj_gets(d, "size"), NULL);
    *need_repo = dst;
    return 0;
}

static void add_remap(vm_plan *p, const obj *map, const char *old, const char *new_disk)
{
    size_t n = p->nremap + 1;
    p->remap_map = xrealloc(p->remap_map, n * sizeof *p->remap_map);
    p->remap_old = xrealloc(p->remap_old, n * sizeof *p->remap_old);
    p->remap_new = xrealloc(p->remap_new, n * sizeof *p->remap_new);
    p->remap_map[p->nremap] = xstrdup(map->id);
    p->remap_old[p->nremap] = xstrdup(old);
    p->remap_new[p->nremap] = xstrdup(new_disk);
    p->nremap = n;
}

/* MV-4, CL-9: each target repository has room for its non-sparse copies. */
static int check_needs(cmdctx *c, const obj **repos, const double *need, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        int first = 1;
        for (size_t k = 0; k < n; k++) {
            if (repos[k] == repos[i]) {
                first &= k >= i;
                sum += need[k];
            }
        }
        if (first && sum > 0 && repo_check_space(c, repos[i], sum) != 0)
            return -1;
    }
    return 0;
}

/* One disk mapping of the source: copied (private disks; shareable ones
 * only for a move or when the customizer asks, CL-5, MV-5), or kept. */
static int plan_one_mapping(cmdctx *c, vm_plan *p, const clone_opts *o, const obj *map, double *need,
                            const obj **repo)
{
    char mid[64], did[64] = "";
    obj *d = store_get(c->e->st, obj_gets(map, "virtualDisk"));
    int copy = d && (!obj_is(d, "shareable", "Yes") || o->move ||
                     cust_mapping(c->e, o->cust, "VmCloneStorageMapping", "vmDiskMapping", map->id));
    if (copy && plan_one_copy(c, p, o, map, d, did, need, repo) != 0)
        return -1;
    if (o->move) {
        if (copy) {
            add_remap(p, map, d->id, did);
            if (!obj_is(d, "shareable", "Yes")) { /* MV-5: shared originals stay */
                p->drop = xrealloc(p->drop, (p->ndrop + 1) * sizeof *p->drop);
                p->drop[p->ndrop++] = xstrdup(d->id);
            }
        }
        return 0;
    }
    ovm_new_id("0013", "", mid, sizeof mid);
    gplan *m = copy_plan(map, "VmDiskMapping", mid, mid);
    gplan_set(m, "vm", p->vm_id);
    if (copy)
        gplan_set(m, "virtualDisk", did);
    else if (obj_get(map, "virtualCdrom"))
        gplan_set(m, "virtualCdrom", ""); /* CL-2: the clone's drive is empty */
    vm_plan_add_extra(p, m);
    return 0;
}

int plan_disk_copies(cmdctx *c, vm_plan *p, const obj *vm, const clone_opts *o)
{
    obj **maps;
    size_t n = store_find_by(c->e->st, "VmDiskMapping", "vm", vm->id, &maps);
    double need[n + 1];
    const obj *repos[n + 1];
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        need[i] = 0;
        repos[i] = o->trepo;
        rc = plan_one_mapping(c, p, o, maps[i], &need[i], &repos[i]);
    }
    free(maps);
    return rc ? rc : check_needs(c, repos, need, n);
}

static int next_mac(engine *e, char *buf, size_t len, vm_plan *p);

static void plan_clone_vnics(cmdctx *c, vm_plan *p, const obj *vm, const obj *cust)
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
        gplan_set(g, "network", clone_vnic_network(c->e, cust, v[i]));
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

obj *detached_from_plan(const gplan *g)
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

/* The customizer named by attr, which must be one of vm's (NULL: none asked
 * for; *failed after result_fail). */
const obj *vm_customizer(cmdctx *c, const obj *vm, const char *attr, int *failed)
{
    const char *v = gr_get(c->cmd, attr);
    *failed = 0;
    if (!v)
        return NULL;
    obj *cust = resolve_ref(c, "VmCloneCustomizer", v);
    if (cust && !obj_is(cust, "vm", vm->id)) {
        result_fail(c->res, "VmCloneCustomizer %s belongs to another Vm, not to Vm %s", cust->name, vm->name);
        cust = NULL;
    }
    *failed = !cust;
    return cust;
}

/* CL-1: stopped VMs and templates; a running one as a hot clone (*hot),
 * which leaves it running: its disks are thin clones, so its repository
 * must be on OCFS2 (checked per disk by disk_target). */
static int clone_state_ok(cmdctx *c, const obj *vm, int *hot)
{
    *hot = status_get(vm) == ST_RUNNING;
    obj *repo = store_get(c->e->st, obj_gets(vm, "repository"));
    if (*hot && (!repo || !obj_is(repo, "fsType", "OCFS2"))) {
        result_fail(c->res, "Hot clone of running Vm %s needs thin clones on an OCFS2 repository; stop the Vm first",
                    vm->name);
        return 0;
    }
    if (!*hot && status_get(vm) != ST_STOPPED && status_get(vm) != ST_TEMPLATE) {
        refuse_state(c, vm, "clone");
        return 0;
    }
    return 1;
}

/* The clone's pool (CL-6, CL-7): serverPool=, else the source's; none for
 * templates and for VMs cloned from templates. *failed after result_fail. */
static obj *clone_pool(cmdctx *c, const obj *vm, int tmpl, int *failed)
{
    *failed = 0;
    if (tmpl)
        return NULL;
    if (gr_get(c->cmd, "serverPool")) {
        obj *pool = resolve_ref(c, "ServerPool", gr_get(c->cmd, "serverPool"));
        *failed = !pool;
        return pool;
    }
    return status_get(vm) != ST_TEMPLATE ? store_get(c->e->st, obj_gets(vm, "serverPool")) : NULL;
}

static void set_clone_vm(vm_plan *p, const obj *vm, const obj *trepo, const obj *pool, int tmpl, const char *name)
{
    p->g = copy_plan(vm, "Vm", p->vm_id, name);
    gplan_set(p->g, "repository", trepo->id);
    gplan_set(p->g, "status", status_name(tmpl ? ST_TEMPLATE : ST_STOPPED));
    gplan_set(p->g, "serverPool", pool ? pool->id : "");
    gplan_set(p->g, "server", "");
    gplan_set(p->g, "restartRequired", "");
    if (tmpl)
        gplan_set(p->g, "highAvailability", "No");
}

job *prepare_clone(cmdctx *c)
{
    obj *vm = vm_instance(c);
    int hot;
    if (!vm || !clone_state_ok(c, vm, &hot))
        return NULL;
    int failed, tmpl = !strcmp(gr_get(c->cmd, "destType"), "VmTemplate");
    const obj *cust = vm_customizer(c, vm, "cloneCustomizer", &failed);
    if (failed)
        return NULL;
    obj *trepo = store_get(c->e->st, obj_gets(vm, "repository"));
    if (gr_get(c->cmd, "targetRepository") && !(trepo = resolve_ref(c, "Repository", gr_get(c->cmd, "targetRepository"))))
        return NULL;
    obj *pool = clone_pool(c, vm, tmpl, &failed);
    if (failed || !trepo || (pool && check_repo_in_pool(c, trepo, pool)))
        return NULL;
    vm_plan *p = plan_on(c, vm, trepo->id);
    if (!p)
        return NULL;
    ovm_new_id("0006", "", p->vm_id, sizeof p->vm_id);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", trepo->id);
    clone_opts o = {.cust = cust, .trepo = trepo, .pool = pool, .hot = hot};
    if (check_target(c, &o, p, store_get(c->e->st, obj_gets(vm, "repository")), trepo) ||
        plan_disk_copies(c, p, vm, &o) != 0) {
        vm_plan_free(p);
        return NULL;
    }
    plan_clone_vnics(c, p, vm, cust);
    set_clone_vm(p, vm, trepo, pool, tmpl, gr_get(c->cmd, "destName"));
    p->cfg = vm_plan_config(c->e, p);
    static const job_spec spec = {.operation = "Clone", .type = "Vm", .fn = vm_run_clone, .plan_free = vm_plan_free};
    return spec_job(c, &spec, vm->name, p, vm->id, trepo->id, NULL);
}
