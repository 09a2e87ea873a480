/* Repositories on OCFS2 file systems (doc/object-model.md §3.1): the LUN
 * header names the repository and its owning Manager, kept current when a
 * repository is created or deleted; refresh StorageArray records what the
 * headers name; takeOwnership Repository adopts a repository whose header
 * names another Manager (one that released it, or this one before a
 * rebuild of its store). */
#include "backend/ops/ocfs2.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/ops/ops_storage.h"
#include "lib/log.h"
#include "lib/util.h"

int ocfs2_stamp(job *j, const char *fs_id, const char *repo_id, const char *repo_alias)
{
    engine *e = j->eng;
    lun_io io;
    lun_header h;
    store_rdlock(e->st);
    obj *fs = store_get(e->st, fs_id);
    obj *pd = fs ? store_get(e->st, obj_gets(fs, "physicalDisk")) : NULL;
    int ok = pd && ocfs2_io_of(e, pd, &io) == 0;
    if (ok)
        ocfs2_header_of(e, fs, repo_id, repo_alias, &h);
    store_unlock(e->st);
    if (!ok) {
        job_fail(j, "No owned Running admin server of the StorageArray of FileSystem %s can reach its LUN", fs_id);
        return -1;
    }
    int rc = ocfs2_write_header(e, j, &io, &h, NULL);
    ocfs2_io_free(&io);
    return rc;
}

/* ---- discovery (refresh StorageArray) ---- */

static obj *record_fs(engine *e, const obj *pd, const lun_header *h)
{
    obj *fs = store_get(e->st, h->fs_uuid);
    if (!fs) {
        fs = store_create(e->st, "FileSystem", h->fs_uuid, h->fs_label);
        obj_setf(e->st, fs, "created", "%lld", (long long)ovm_unique_ms_id());
        obj_set(e->st, fs, "physicalDisk", pd->id);
        obj_set(e->st, fs, "fsType", "OCFS2");
        obj_set(e->st, fs, "path", obj_gets(pd, "page83Id"));
        obj_setf(e->st, fs, "fsLocation", "%s%s", OCFS2_DEV_PREFIX, obj_gets(pd, "page83Id"));
        obj_set(e->st, fs, "free", obj_gets(pd, "size"));
    }
    obj_set(e->st, fs, "size", obj_gets(pd, "size"));
    obj_set(e->st, fs, "managerUuid", h->mgr_uuid);
    return fs;
}

static void record_repo(engine *e, obj *fs, const lun_header *h)
{
    if (!*h->repo_uuid)
        return;
    obj *r = store_get(e->st, h->repo_uuid);
    if (!r) {
        r = store_create(e->st, "Repository", h->repo_uuid, h->repo_alias);
        obj_setf(e->st, r, "created", "%lld", (long long)ovm_unique_ms_id());
        obj_set(e->st, r, "fileSystem", fs->id);
        obj_set(e->st, r, "fsType", "OCFS2");
        obj_set(e->st, r, "size", obj_gets(fs, "size"));
        update_repo_free(e, r);
    }
    /* The header is the owner's record: another Manager may have taken it. */
    obj_set(e->st, r, "managerUuid", h->mgr_uuid);
    obj_set(e->st, fs, "usage", "REPOSITORY");
}

/* Records the file system and repository header h of disk pd_id names. */
static void record_header(job *j, const char *pd_id, const lun_header *h)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *pd = store_get(e->st, pd_id);
    if (pd)
        record_repo(e, record_fs(e, pd, h), h);
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
}

/* Reads one LUN's header and records what it names; 0, or -1 if unreadable. */
static int discover_lun(job *j, const char *pd_id)
{
    engine *e = j->eng;
    lun_io io;
    store_rdlock(e->st);
    obj *pd = store_get(e->st, pd_id);
    int ok = pd && ocfs2_io_of(e, pd, &io) == 0;
    store_unlock(e->st);
    if (!ok)
        return -1;
    lun_header h;
    char *err = NULL;
    int rc = ocfs2_read_header(e, NULL, &io, &h, &err);
    ocfs2_io_free(&io);
    if (rc != 0) {
        log_warn("refresh: LUN %s: %s", pd_id, err ? err : "unreadable");
        free(err);
        return -1;
    }
    if (h.state == LUN_OURS && *h.fs_uuid)
        record_header(j, pd_id, &h);
    return 0;
}

/* ---- refresh FileSystem (OCFS2): its LUN's header, read again ---- */

typedef struct fs_refresh_plan {
    lun_io io;
    char fs_id[64], pd_id[64], name[257];
} fs_refresh_plan;

static void fs_refresh_plan_free(void *arg)
{
    fs_refresh_plan *p = arg;
    if (p) {
        ocfs2_io_free(&p->io);
        free(p);
    }
}

static int run_refresh_ocfs2(job *j)
{
    fs_refresh_plan *p = j->plan;
    lun_header h;
    if (ocfs2_read_header(j->eng, j, &p->io, &h, NULL) != 0)
        return -1;
    if (h.state != LUN_OURS || strcmp(h.fs_uuid, p->fs_id) != 0) {
        job_fail(j, "PhysicalDisk %s no longer holds FileSystem %s; refresh its StorageArray", p->io.pd_name,
                 p->name);
        return -1;
    }
    record_header(j, p->pd_id, &h);
    return 0;
}

job *prepare_refresh_ocfs2(cmdctx *c, obj *fs)
{
    obj *pd = store_get(c->e->st, obj_gets(fs, "physicalDisk"));
    fs_refresh_plan *p = xcalloc(1, sizeof *p);
    if (!pd || ocfs2_io_of(c->e, pd, &p->io) != 0) {
        result_fail(c->res, "No owned Running admin server of the StorageArray of FileSystem %s can reach its LUN",
                    fs->name);
        fs_refresh_plan_free(p);
        return NULL;
    }
    snprintf(p->fs_id, sizeof p->fs_id, "%s", fs->id);
    snprintf(p->pd_id, sizeof p->pd_id, "%s", pd->id);
    snprintf(p->name, sizeof p->name, "%s", fs->name);
    static const job_spec spec = {.operation = "Refresh", .type = "FileSystem", .fn = run_refresh_ocfs2,
                                  .plan_free = fs_refresh_plan_free};
    return spec_job(c, &spec, fs->name, p, fs->id, NULL);
}

void ocfs2_discover(job *j, const char *array_id)
{
    engine *e = j->eng;
    obj **v = NULL;
    store_rdlock(e->st);
    obj *a = store_get(e->st, array_id);
    size_t n = a && !obj_is(a, "storageType", "FIBRECHANNEL")
                   ? store_find_by(e->st, "PhysicalDisk", "storageArray", array_id, &v)
                   : 0;
    char **ids = xcalloc(n ? n : 1, sizeof *ids);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!obj_is(v[i], "missing", "Yes"))
            ids[k++] = xstrdup(v[i]->id);
    free(v); /* store_find_by allocates even when it finds nothing */
    store_unlock(e->st);
    for (size_t i = 0; i < k; i++) {
        discover_lun(j, ids[i]);
        free(ids[i]);
    }
    free(ids);
}

/* ---- takeOwnership Repository ---- */

typedef struct take_plan {
    lun_io io;
    char repo_id[64], fs_id[64], pool_id[64], name[257];
} take_plan;

static void take_plan_free(void *arg)
{
    take_plan *p = arg;
    if (p) {
        ocfs2_io_free(&p->io);
        free(p);
    }
}

static int run_take_repo(job *j)
{
    take_plan *p = j->plan;
    engine *e = j->eng;
    lun_header h;
    if (ocfs2_read_header(e, j, &p->io, &h, NULL) != 0)
        return -1;
    if (h.state != LUN_OURS || strcmp(h.repo_uuid, p->repo_id) != 0) {
        job_fail(j, "PhysicalDisk %s no longer holds Repository %s; refresh its StorageArray", p->io.pd_name, p->name);
        return -1;
    }
    snprintf(h.mgr_uuid, sizeof h.mgr_uuid, "%s", e->manager_id);
    if (ocfs2_write_header(e, j, &p->io, &h, NULL) != 0)
        return -1;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *r = store_get(e->st, p->repo_id), *fs = store_get(e->st, p->fs_id);
    if (r)
        obj_set(e->st, r, "managerUuid", e->manager_id);
    if (r && *p->pool_id)
        obj_set(e->st, r, "serverPool", p->pool_id);
    if (fs)
        obj_set(e->st, fs, "managerUuid", e->manager_id);
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    return 0;
}

job *prepare_take_repo(cmdctx *c)
{
    obj *repo = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!repo)
        return NULL;
    const char *pool_ref = gr_get(c->cmd, "serverPool");
    obj *pool = pool_ref ? resolve_ref(c, "ServerPool", pool_ref) : NULL;
    if (pool_ref && !pool)
        return NULL;
    obj *fs = store_get(c->e->st, obj_gets(repo, "fileSystem"));
    obj *pd = fs ? store_get(c->e->st, obj_gets(fs, "physicalDisk")) : NULL;
    if (obj_is(repo, "managerUuid", c->e->manager_id)) {
        result_fail(c->res, "Repository %s is already owned by this Manager", repo->name);
        return NULL;
    }
    if (!fs_is_ocfs2(fs) || !pd) {
        result_fail(c->res, "Repository %s is not on an OCFS2 file system; only those record an owner this Manager "
                            "can take", repo->name);
        return NULL;
    }
    take_plan *p = xcalloc(1, sizeof *p);
    if (ocfs2_io_of(c->e, pd, &p->io) != 0) {
        result_fail(c->res, "No owned Running admin server of the StorageArray of PhysicalDisk %s can reach it",
                    pd->name);
        take_plan_free(p);
        return NULL;
    }
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    snprintf(p->fs_id, sizeof p->fs_id, "%s", fs->id);
    snprintf(p->pool_id, sizeof p->pool_id, "%s", pool ? pool->id : "");
    snprintf(p->name, sizeof p->name, "%s", repo->name);
    static const job_spec spec = {.operation = "Take Ownership", .type = "Repository", .fn = run_take_repo,
                                  .plan_free = take_plan_free};
    return spec_job(c, &spec, repo->name, p, repo->id, fs->id, NULL);
}

const op ops_ocfs2[] = {
    {GR_F_create_FileSystem, NULL, prepare_create_filesystem, 0},
    {GR_F_takeOwnership_Repository, NULL, prepare_take_repo, 0},
    OPS_END,
};
