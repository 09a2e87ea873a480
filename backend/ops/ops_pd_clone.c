/* cloneVdToPd VirtualDisk, clonePdToRepo PhysicalDisk and clonePdToPd
 * PhysicalDisk (Oracle VM 3.3+, doc/command-language.md §4.4, Disk copies):
 * block copies between disk images and LUNs that one server makes with the
 * agent's copy_blocks (agent/san_copy.c, libiscsi). The target LUN must be
 * at least as big as the source and free (no file system, no VM, pool or
 * repository on it); THIN_CLONE has no meaning for a LUN and is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/agentc/agentapi.h"
#include "backend/flows/model.h"
#include "backend/ops/generic.h"
#include "backend/ops/ocfs2.h"
#include "backend/ops/ops.h"
#include "backend/ops/ops_san.h"
#include "backend/ops/ops_storage.h"
#include "backend/render/show.h"
#include "lib/util.h"

typedef struct pd_copy {
    agent_target t;
    xr_value *src, *dst; /* the copy's ends: an agent path or a LUN {ss, se} */
    int sparse;
    char repo_id[64];    /* clonePdToRepo: the new disk's repository */
    char *what;          /* "X to Y", the job's progress */
    gplan *g;            /* clonePdToRepo: the new VirtualDisk */
} pd_copy;

static void pd_copy_free(void *arg)
{
    pd_copy *p = arg;
    if (!p)
        return;
    xr_free(p->src);
    xr_free(p->dst);
    free(p->what);
    gplan_free(p->g);
    free(p);
}

static int run_pd_copy(job *j)
{
    pd_copy *p = j->plan;
    job_progress(j, "Copying %s", p->what);
    if (agent_copy_blocks(AGENT_JOB(j, &p->t), p->src, p->dst, p->sparse, NULL) != 0)
        return -1;
    if (p->g) {
        gplan_store_create(j, p->g);
        repo_free_changed(j->eng, p->repo_id);
    }
    return 0;
}

/* The copy end for LUN pd: its array and storage element (store lock held). */
static xr_value *lun_end(engine *e, const obj *pd)
{
    xr_value *v = xr_struct();
    obj *a = store_get(e->st, obj_gets(pd, "storageArray"));
    xr_struct_set(v, "ss", a ? san_ss_arg(a) : xr_struct());
    xr_struct_set(v, "se", ocfs2_lun_se(pd));
    return v;
}

static xr_value *file_end(const char *repo_id, const char *file_id)
{
    char *path = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", repo_id, file_id);
    xr_value *v = xr_string(path);
    free(path);
    return v;
}

/* SPARSE_COPY (1) or NON_SPARSE_COPY (0); -1 after refusing THIN_CLONE. */
static int copy_kind(cmdctx *c)
{
    const char *type = gr_get(c->cmd, "cloneType");
    if (strcmp(type, "THIN_CLONE") != 0)
        return !strcmp(type, "SPARSE_COPY");
    result_fail(c->res, "THIN_CLONE needs source and target in the same OCFS2 repository; a PhysicalDisk "
                        "is copied with SPARSE_COPY or NON_SPARSE_COPY");
    return -1;
}

/* A source in use by a VM that is not stopped would be copied while written. */
static int source_idle(cmdctx *c, const obj *src, const char *key)
{
    obj **maps;
    size_t n = store_find_by(c->e->st, "VmDiskMapping", key, src->id, &maps);
    const obj *busy = NULL;
    for (size_t i = 0; i < n && !busy; i++) {
        obj *vm = store_get(c->e->st, obj_gets(maps[i], "vm"));
        if (vm && status_get(vm) != ST_STOPPED && status_get(vm) != ST_TEMPLATE)
            busy = vm;
    }
    free(maps);
    if (busy)
        result_fail(c->res, "%s %s is used by Vm %s, which is %s; stop it before copying the disk", src->type,
                    src->name, busy->name, status_of(busy));
    return busy ? -1 : 0;
}

/* The target LUN holds need bytes. */
static int lun_fits(cmdctx *c, const obj *pd, long long need, const obj *src)
{
    long long have = (long long)obj_get_int(pd, "sizeBytes", 0);
    if (have >= need)
        return 0;
    char a[64], b[64];
    fmt_gib((double)have / 1073741824.0, a, sizeof a);
    fmt_gib((double)need / 1073741824.0, b, sizeof b);
    result_fail(c->res, "PhysicalDisk %s has %s GiB, too small for %s %s (%s GiB)", pd->name, a, src->type,
                src->name, b);
    return -1;
}

/* A plan run by server s (NULL: c already failed). */
static pd_copy *copy_plan_by(cmdctx *c, obj *s, int sparse, const obj *from, const obj *to)
{
    if (!s)
        return NULL;
    pd_copy *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    p->sparse = sparse;
    p->what = xasprintf("%s %s to %s %s", from->type, from->name, to->type, to->name);
    return p;
}

static job *copy_job(cmdctx *c, pd_copy *p, const obj *src, const char *lock)
{
    job_spec spec = {.operation = "Clone", .type = src->type, .fn = run_pd_copy, .plan_free = pd_copy_free};
    return spec_job(c, &spec, src->name, p, src->id, lock, NULL);
}

/* cloneVdToPd VirtualDisk <instance> target=<PhysicalDisk> cloneType=<type> */
job *prepare_clone_vd_to_pd(cmdctx *c)
{
    obj *d = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    int sparse = d ? copy_kind(c) : -1;
    obj *pd = sparse >= 0 ? lun_for_write(c, gr_get(c->cmd, "target")) : NULL;
    obj *repo = pd ? store_get(c->e->st, obj_gets(d, "repository")) : NULL;
    if (pd && !repo)
        result_fail(c->res, "VirtualDisk %s has no repository", d->name);
    if (!repo || source_idle(c, d, "virtualDisk") ||
        lun_fits(c, pd, (long long)(strtod(obj_gets(d, "size"), NULL) * 1073741824.0), d))
        return NULL;
    pd_copy *p = copy_plan_by(c, repo_worker_for(c, repo), sparse, d, pd);
    if (!p)
        return NULL;
    p->src = file_end(repo->id, d->id);
    p->dst = lun_end(c->e, pd);
    return copy_job(c, p, d, pd->id);
}

/* Oracle VM: a LUN holding a file system or repository is not cloned (its
 * copy would be a second file system of the same id). */
static int source_plain(cmdctx *c, const obj *pd)
{
    obj **v;
    size_t n = store_find_by(c->e->st, "FileSystem", "physicalDisk", pd->id, &v);
    if (n)
        result_fail(c->res, "Cannot clone PhysicalDisk %s: it contains a file system (FileSystem %s)", pd->name,
                    v[0]->name);
    free(v);
    return n ? -1 : 0;
}

/* The source LUN of clonePdToRepo and clonePdToPd: readable, plain and idle. */
static obj *source_lun(cmdctx *c, int *sparse)
{
    obj *pd = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!pd || (*sparse = copy_kind(c)) < 0)
        return NULL;
    const char *why = lun_unreadable(pd);
    if (why)
        result_fail(c->res, "PhysicalDisk %s %s", pd->name, why);
    return why || source_plain(c, pd) || source_idle(c, pd, "physicalDisk") ? NULL : pd;
}

/* clonePdToRepo PhysicalDisk <instance> target=<Repository> cloneType=<type>:
 * a new VirtualDisk "<LUN> (clone)" of the LUN's size. */
job *prepare_clone_pd_to_repo(cmdctx *c)
{
    int sparse;
    obj *pd = source_lun(c, &sparse);
    obj *repo = pd ? resolve_ref(c, "Repository", gr_get(c->cmd, "target")) : NULL;
    double gib = pd ? (double)obj_get_int(pd, "sizeBytes", 0) / 1073741824.0 : 0;
    if (!repo || (!sparse && repo_check_space(c, repo, gib)))
        return NULL;
    pd_copy *p = copy_plan_by(c, repo_worker_for(c, repo), sparse, pd, repo);
    if (!p)
        return NULL;
    char id[64], size[64];
    ovm_new_id("0012", ".img", id, sizeof id);
    char *name = xasprintf("%s (clone)", pd->name);
    p->g = gplan_new("VirtualDisk", id, name);
    free(name);
    fmt_gib(gib, size, sizeof size);
    gplan_set(p->g, "size", size);
    gplan_set(p->g, "sparse", sparse ? "Yes" : "No");
    gplan_set(p->g, "shareable", obj_gets(pd, "shareable"));
    gplan_set(p->g, "repository", repo->id);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    p->src = lun_end(c->e, pd);
    p->dst = file_end(repo->id, id);
    return copy_job(c, p, pd, repo->id);
}

/* clonePdToPd PhysicalDisk <instance> target=<PhysicalDisk> cloneType=<type>,
 * made by the source array's admin server. */
job *prepare_clone_pd_to_pd(cmdctx *c)
{
    int sparse;
    obj *pd = source_lun(c, &sparse);
    obj *to = pd ? lun_for_write(c, gr_get(c->cmd, "target")) : NULL;
    if (to == pd && to) {
        result_fail(c->res, "PhysicalDisk %s cannot be cloned onto itself", pd->name);
        return NULL;
    }
    if (!to || lun_fits(c, to, (long long)obj_get_int(pd, "sizeBytes", 0), pd))
        return NULL;
    obj *a = store_get(c->e->st, obj_gets(pd, "storageArray"));
    if (!a) {
        result_fail(c->res, "PhysicalDisk %s has no StorageArray", pd->name);
        return NULL;
    }
    pd_copy *p = copy_plan_by(c, san_admin_server(c, a), sparse, pd, to);
    if (!p)
        return NULL;
    p->src = lun_end(c->e, pd);
    p->dst = lun_end(c->e, to);
    return copy_job(c, p, pd, to->id);
}
