/* VirtualDisk and VirtualCdrom commands. */
#include "backend/ops/ops_storage.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/discover.h"
#include "backend/flows/flow.h"
#include "backend/ops/generic.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "backend/ops/ops_vm.h"
#include "backend/render/show.h"
#include "lib/log.h"
#include "lib/util.h"

/* ---- VirtualDisk ---- */

typedef struct disk_plan {
    agent_target t;
    char repo_id[64], disk_id[64], src_id[64], src_repo[64];
    xr_value *ss, *sd;
    long long bytes;
    int sparse;
    const char *folder; /* the repository folder of the file: VirtualDisks (NULL) or ISOs */
    gplan *g;
} disk_plan;

static void disk_plan_free(void *arg)
{
    disk_plan *p = arg;
    if (!p)
        return;
    xr_free(p->ss);
    xr_free(p->sd);
    gplan_free(p->g);
    free(p);
}

/* D-1: GiB to bytes, rounded up to 4 KiB. */
static long long disk_bytes(double gib)
{
    double bytes = ceil(gib * 1073741824.0 / 4096.0) * 4096.0;
    return (long long)bytes;
}

static int run_create_disk(job *j)
{
    disk_plan *p = j->plan;
    engine *e = j->eng;
    char *path = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", p->repo_id, p->disk_id);
    int rc = agent_storage_plugin_create(AGENT_JOB(j, &p->t), NFS_PLUGIN, p->ss, p->sd, path, "File", p->bytes, NULL);
    free(path);
    if (rc != 0)
        return -1;
    gplan_store_create(j, p->g);
    repo_free_changed(e, p->repo_id);
    return 0;
}

static disk_plan *disk_plan_for_repo(cmdctx *c, obj *repo)
{
    obj *s = repo_worker_for(c, repo);
    if (!s)
        return NULL;
    disk_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    repo_plugin_args(c->e, repo, &p->ss, &p->sd);
    return p;
}

int repo_check_space(cmdctx *c, const obj *repo, double need)
{
    double free_gib = repo_free_gib(c->e, repo);
    if (need > free_gib) {
        char f[64], n[64];
        fmt_gib(free_gib, f, sizeof f);
        fmt_gib(need, n, sizeof n);
        result_fail(c->res, "Repository %s has %s GiB free; this operation needs %s GiB", repo->name, f, n);
        return -1;
    }
    return 0;
}

job *prepare_create_disk(cmdctx *c)
{
    obj *repo = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!repo)
        return NULL;
    double gib = strtod(gr_get(c->cmd, "size"), NULL);
    int sparse = !strcmp(gr_get(c->cmd, "sparse"), "Yes");
    if (!sparse && repo_check_space(c, repo, gib))
        return NULL;
    disk_plan *p = disk_plan_for_repo(c, repo);
    if (!p)
        return NULL;
    ovm_new_id("0012", ".img", p->disk_id, sizeof p->disk_id);
    p->bytes = disk_bytes(gib);
    p->sparse = sparse;
    const char *name = gr_get(c->cmd, "name");
    p->g = gplan_new("VirtualDisk", p->disk_id, name);
    gplan_take_attrs(p->g, c->cmd);
    char gibtxt[64];
    fmt_gib((double)p->bytes / 1073741824.0, gibtxt, sizeof gibtxt);
    gplan_set(p->g, "size", gibtxt);
    gplan_set(p->g, "repository", repo->id);
    /* Only non-sparse disks consume the repository's free space (D-3), so
     * only they serialise on it; sparse creates run in parallel. */
    static const job_spec spec = {.operation = "Create", .type = "VirtualDisk", .fn = run_create_disk,
                                  .plan_free = disk_plan_free};
    return spec_job(c, &spec, name, p, NULL, sparse ? NULL : repo->id, NULL);
}

static size_t disk_mappings(engine *e, const obj *disk, obj ***out)
{
    return store_find_by(e->st, "VmDiskMapping", "virtualDisk", disk->id, out);
}

/* Refusals of a size change: a shrink, a disk of a VM that is not stopped,
 * a non-sparse disk growing past its repository's free space. */
static int check_resize(cmdctx *c, obj *d, obj **maps, size_t nm, double cur, double want)
{
    if (want < cur) {
        char a[64], b[64];
        fmt_gib(cur, a, sizeof a);
        fmt_gib(want, b, sizeof b);
        result_fail(c->res, "VirtualDisk %s cannot shrink from %s GiB to %s GiB", d->name, a, b);
        return -1;
    }
    for (size_t i = 0; i < nm; i++) {
        obj *vm = store_get(c->e->st, obj_gets(maps[i], "vm"));
        if (vm && status_get(vm) != ST_STOPPED) {
            result_fail(c->res, "VirtualDisk %s is used by Vm %s, which is %s; stop it before resizing", d->name,
                        vm->name, status_of(vm));
            return -1;
        }
    }
    obj *repo = store_get(c->e->st, obj_gets(d, "repository"));
    if (want > cur && repo && obj_is(d, "sparse", "No") && repo_check_space(c, repo, want - cur))
        return -1;
    return 0;
}

static xr_value *disk_file(const disk_plan *p)
{
    xr_value *fp = xr_struct();
    char *path = xasprintf("/OVS/Repositories/%s/%s/%s", p->repo_id, p->folder ? p->folder : "VirtualDisks",
                           p->disk_id);
    xr_struct_set(fp, "fr_type", xr_string("File"));
    xr_struct_set(fp, "file_path", xr_string(path));
    free(path);
    return fp;
}

/* The image grows on a server first; the store follows only when it did,
 * so show VirtualDisk never names a size the file does not have. */
static int run_resize_disk(job *j)
{
    disk_plan *p = j->plan;
    engine *e = j->eng;
    xr_value *fp = disk_file(p);
    int rc = agent_storage_plugin_resize(AGENT_JOB(j, &p->t), NFS_PLUGIN, p->ss, p->sd, fp, p->bytes, NULL);
    xr_free(fp);
    if (rc != 0)
        return -1;
    rc = gplan_store_edit(j, p->g);
    repo_free_changed(e, p->repo_id);
    return rc;
}

/* The job that grows the image first, then applies the edit g. */
static job *resize_job(cmdctx *c, obj *d, gplan *g, long long bytes)
{
    obj *repo = store_get(c->e->st, obj_gets(d, "repository"));
    disk_plan *p = repo ? disk_plan_for_repo(c, repo) : NULL;
    if (!p) {
        if (!repo)
            result_fail(c->res, "VirtualDisk %s has no repository", d->name);
        gplan_free(g);
        return NULL;
    }
    snprintf(p->disk_id, sizeof p->disk_id, "%s", d->id);
    p->bytes = bytes;
    p->g = g;
    static const job_spec spec = {.operation = "Edit", .type = "VirtualDisk", .fn = run_resize_disk,
                                  .plan_free = disk_plan_free};
    /* A non-sparse disk's growth uses the repository's free space, as a create does. */
    return spec_job(c, &spec, d->name, p, d->id, obj_is(d, "sparse", "No") ? repo->id : NULL, NULL);
}

job *prepare_edit_disk(cmdctx *c)
{
    obj *d = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!d)
        return NULL;
    obj **maps;
    size_t nm = disk_mappings(c->e, d, &maps);
    const char *size = gr_get(c->cmd, "size");
    long long bytes = size ? disk_bytes(strtod(size, NULL)) : 0;
    double cur = strtod(obj_gets(d, "size"), NULL), want = (double)bytes / 1073741824.0;
    int bad = size && check_resize(c, d, maps, nm, cur, want);
    const char *share = gr_get(c->cmd, "shareable");
    if (!bad && share && !strcmp(share, "No") && nm > 1) {
        result_fail(c->res, "VirtualDisk %s is mapped by %zu Vms; unmap all but one first", d->name, nm);
        bad = 1;
    }
    free(maps);
    if (bad)
        return NULL;
    char buf[64];
    fmt_gib(want, buf, sizeof buf);
    if (size && want > cur) {
        gplan *g = gplan_edit_plan(c, d, 0);
        if (g)
            gplan_set(g, "size", buf);
        return g ? resize_job(c, d, g, bytes) : NULL;
    }
    job *j = gplan_prepare_edit(c, d, 0);
    if (j && size)
        gplan_set(j->plan, "size", buf);
    return j;
}

static int run_delete_disk(job *j)
{
    disk_plan *p = j->plan;
    engine *e = j->eng;
    xr_value *fp = disk_file(p);
    int rc = agent_storage_plugin_destroy(AGENT_JOB(j, &p->t), NFS_PLUGIN, p->ss, p->sd, fp, NULL);
    xr_free(fp);
    if (rc != 0)
        return -1;
    store_wrlock(e->st);
    obj *d = store_get(e->st, p->disk_id);
    if (d)
        store_delete(e->st, d);
    obj *r = store_get(e->st, p->repo_id);
    if (r)
        update_repo_free(e, r);
    store_unlock(e->st);
    return 0;
}

/* delete VirtualDisk and delete VirtualCdrom: the file goes from the
 * repository first, then the object (an ISO left behind came back with
 * the next refresh Repository). */
static job *prepare_delete_file(cmdctx *c, const char *folder, const job_spec *spec)
{
    obj *d = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!d)
        return NULL;
    if (delete_refused(c, d))
        return NULL;
    obj *repo = store_get(c->e->st, obj_gets(d, "repository"));
    if (!repo) {
        result_fail(c->res, "%s %s has no repository", spec->type, d->name);
        return NULL;
    }
    disk_plan *p = disk_plan_for_repo(c, repo);
    if (!p)
        return NULL;
    snprintf(p->disk_id, sizeof p->disk_id, "%s", d->id);
    p->folder = folder;
    return spec_job(c, spec, d->name, p, d->id, NULL);
}

job *prepare_delete_disk(cmdctx *c)
{
    static const job_spec spec = {.operation = "Delete", .type = "VirtualDisk", .fn = run_delete_disk,
                                  .plan_free = disk_plan_free};
    return prepare_delete_file(c, NULL, &spec);
}

static int run_clone_disk(job *j)
{
    disk_plan *p = j->plan;
    const char *folder = p->folder ? p->folder : "VirtualDisks";
    char *src = xasprintf("/OVS/Repositories/%s/%s/%s", p->src_repo, folder, p->src_id);
    char *dst = xasprintf("/OVS/Repositories/%s/%s/%s", p->repo_id, folder, p->disk_id);
    int rc = p->sparse == COPY_THIN ? agent_reflink_file(AGENT_JOB(j, &p->t), src, dst, NULL)
                                    : agent_copy_file(AGENT_JOB(j, &p->t), src, dst, p->sparse, NULL);
    free(src);
    free(dst);
    if (rc != 0)
        return -1;
    gplan_store_create(j, p->g);
    repo_free_changed(j->eng, p->repo_id);
    return 0;
}

/* D-10 and the clone's file: a copy of d, a VirtualDisk or a VirtualCdrom,
 * in target; NULL after result_fail. */
static disk_plan *clone_file_plan(cmdctx *c, obj *d, obj *target, int sparse)
{
    int iso = !strcmp(d->type, "VirtualCdrom");
    double gib = strtod(obj_gets(d, "size"), NULL);
    if (sparse == COPY_FULL && repo_check_space(c, target, gib))
        return NULL;
    disk_plan *p = disk_plan_for_repo(c, target);
    if (!p)
        return NULL;
    obj *src_repo = store_get(c->e->st, obj_gets(d, "repository"));
    if (src_repo && !obj_list_has(src_repo, "presentedServers", p->t.id)) {
        result_fail(c->res, "No server has both Repository %s and Repository %s presented", src_repo->name,
                    target->name);
        disk_plan_free(p);
        return NULL;
    }
    ovm_new_id(iso ? "0015" : "0012", iso ? ".iso" : ".img", p->disk_id, sizeof p->disk_id);
    snprintf(p->src_id, sizeof p->src_id, "%s", d->id);
    snprintf(p->src_repo, sizeof p->src_repo, "%s", obj_gets(d, "repository"));
    p->sparse = sparse;
    p->folder = iso ? "ISOs" : NULL;
    return p;
}

/* clone VirtualDisk, cloneVdToRepo VirtualDisk and cloneCdToRepo VirtualCdrom:
 * one copy of the file through copy_file (SPARSE_COPY or NON_SPARSE_COPY). */
job *prepare_clone_disk(cmdctx *c)
{
    obj *d = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *target = d ? resolve_ref(c, "Repository", gr_get(c->cmd, "target")) : NULL;
    if (!target)
        return NULL;
    const char *type = gr_get(c->cmd, "cloneType");
    /* CL-4: a thin clone is a reflink in the source's own OCFS2 repository */
    if (!strcmp(type, "THIN_CLONE") && thin_clone_check(c, obj_gets(d, "repository"), target))
        return NULL;
    int sparse = !strcmp(type, "THIN_CLONE") ? COPY_THIN : !strcmp(type, "SPARSE_COPY") ? COPY_SPARSE : COPY_FULL;
    disk_plan *p = clone_file_plan(c, d, target, sparse);
    if (!p)
        return NULL;
    const char *name = gr_get(c->cmd, "name");
    char *defname = xasprintf("%s (clone)", d->name);
    p->g = gplan_new(d->type, p->disk_id, name ? name : defname);
    free(defname);
    gplan_set(p->g, "size", obj_gets(d, "size"));
    if (!p->folder) {
        gplan_set(p->g, "sparse", sparse != COPY_FULL ? "Yes" : "No");
        gplan_set(p->g, "shareable", obj_gets(d, "shareable"));
    }
    gplan_set(p->g, "description", obj_gets(d, "description"));
    gplan_set(p->g, "repository", target->id);
    job_spec spec = {.operation = "Clone", .type = d->type, .fn = run_clone_disk, .plan_free = disk_plan_free};
    return spec_job(c, &spec, d->name, p, d->id, target->id, NULL);
}

job *prepare_delete_cdrom(cmdctx *c)
{
    static const job_spec spec = {.operation = "Delete", .type = "VirtualCdrom", .fn = run_delete_disk,
                                  .plan_free = disk_plan_free};
    return prepare_delete_file(c, "ISOs", &spec);
}

job *prepare_add_pool_repo(cmdctx *c)
{
    return present_prepare(c, 1);
}

job *prepare_remove_pool_repo(cmdctx *c)
{
    return present_prepare(c, 0);
}
