/* OCFS2 file systems on LUNs (doc/object-model.md §3.1): create FileSystem
 * physicalDisk= on FileServer formats the LUN (writes its header through the
 * array's admin server), delete FileSystem wipes it, and refresh
 * StorageArray finds the file systems and repositories other Managers (or
 * this one before a rebuild) wrote. Each host mounts the file system as the
 * directory its agent keeps for that LUN (ovm-agentd --lun-fs-root). */
#include "backend/ops/ocfs2.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/ops/ops_san.h"
#include "backend/ops/ops_storage.h"
#include "backend/render/show.h"
#include "lib/log.h"
#include "lib/util.h"

int fs_is_ocfs2(const obj *fs)
{
    return fs && obj_is(fs, "fsType", "OCFS2");
}

obj *fs_worker(engine *e, const obj *fs)
{
    obj *fsrv = store_get(e->st, obj_gets(fs, "fileServer"));
    obj *s = fsrv ? admin_server(e, fsrv) : NULL;
    if (s || !fs_is_ocfs2(fs))
        return s;
    obj *pd = store_get(e->st, obj_gets(fs, "physicalDisk"));
    obj *a = pd ? store_get(e->st, obj_gets(pd, "storageArray")) : NULL;
    return a ? admin_server(e, a) : NULL;
}

struct fs_create_plan {
    lun_io io;
    lun_header h;
    char fs_id[64], pd_id[64];
    gplan *g;
};

void fs_create_plan_free(void *arg)
{
    fs_create_plan *p = arg;
    if (p) {
        ocfs2_io_free(&p->io);
        gplan_free(p->g);
        free(p);
    }
}

int ocfs2_format(job *j, const lun_io *io, const lun_header *h)
{
    lun_header old;
    if (ocfs2_read_header(j->eng, j, io, &old, NULL) != 0)
        return -1;
    /* The LUN must hold no file system: ours (any Manager's) or a real one. */
    if (old.state == LUN_OURS)
        job_fail(j, "PhysicalDisk %s already contains a file system (%s, id %s, owned by Manager %s)", io->pd_name,
                 old.fs_label, old.fs_uuid, old.mgr_uuid);
    else if (old.state == LUN_OTHER_FS)
        job_fail(j, "PhysicalDisk %s already contains an OCFS2 file system", io->pd_name);
    if (old.state != LUN_BLANK)
        return -1;
    return ocfs2_write_header(j->eng, j, io, h, NULL);
}

int fs_create_step(job *j, fs_create_plan *p)
{
    engine *e = j->eng;
    if (ocfs2_format(j, &p->io, &p->h) != 0)
        return -1;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *fs = store_create(e->st, "FileSystem", p->fs_id, p->g->name);
    obj_setf(e->st, fs, "created", "%lld", (long long)ovm_unique_ms_id());
    gplan_apply(e, p->g, fs);
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    free(j->result_obj);
    j->result_obj = xstrdup(p->fs_id);
    return 0;
}

/* 1 if pd's blocks may be overwritten: no file system, VM, pool or
 * repository uses it and it is a real LUN; else 0 after failing c. */
static int lun_writable(cmdctx *c, const obj *pd)
{
    const char *why = NULL, *type = NULL;
    obj *user = NULL;
    static const char *const users[][2] = {{"FileSystem", "physicalDisk"}, {"VmDiskMapping", "physicalDisk"},
                                           {"ServerPool", "physicalDisk"}, {"Repository", "physicalDisk"}};
    for (size_t i = 0; i < sizeof users / sizeof *users && !user; i++) {
        obj **v;
        size_t n = store_find_by(c->e->st, users[i][0], users[i][1], pd->id, &v);
        user = n ? v[0] : NULL;
        type = users[i][0];
        free(v);
    }
    if (user && !strcmp(type, "FileSystem"))
        result_fail(c->res, "PhysicalDisk %s already contains a file system (FileSystem %s)", pd->name, user->name);
    else if (user)
        result_fail(c->res, "Cannot use PhysicalDisk %s: it is in use by %s %s", pd->name, type, user->name);
    else
        why = lun_unreadable(pd);
    if (why)
        result_fail(c->res, "PhysicalDisk %s %s", pd->name, why);
    return !user && !why;
}

obj *lun_for_write(cmdctx *c, const char *pd_ref)
{
    obj *pd = resolve_ref(c, "PhysicalDisk", pd_ref);
    return pd && lun_writable(c, pd) ? pd : NULL;
}

const char *lun_unreadable(const obj *pd)
{
    if (obj_is(pd, "missing", "Yes"))
        return "is missing from its array; refresh the StorageArray";
    if (obj_get_int(pd, "sizeBytes", 0) <= 0 || !*obj_gets(pd, "target"))
        return "is not a LUN this Manager can write (simulated Fibre Channel LUNs hold no data)";
    return NULL;
}

int ocfs2_lun_usable(cmdctx *c, obj *pd)
{
    if (!lun_writable(c, pd))
        return 0;
    double gib = strtod(obj_gets(pd, "size"), NULL);
    if (gib < OCFS2_MIN_GIB) {
        char buf[64];
        fmt_gib(gib, buf, sizeof buf);
        result_fail(c->res, "PhysicalDisk %s has %s GiB; an OCFS2 file system needs at least 10 GiB", pd->name, buf);
        return 0;
    }
    return 1;
}

obj *ocfs2_usable_lun(cmdctx *c, const char *pd_ref)
{
    obj *pd = resolve_ref(c, "PhysicalDisk", pd_ref);
    return pd && ocfs2_lun_usable(c, pd) ? pd : NULL;
}

static int run_create_fs(job *j)
{
    return fs_create_step(j, j->plan);
}

const char *fs_plan_id(const fs_create_plan *p)
{
    return p->fs_id;
}

const lun_io *fs_plan_io(const fs_create_plan *p)
{
    return &p->io;
}

fs_create_plan *fs_plan_new(cmdctx *c, obj *pd, const char *name, const obj *fsrv)
{
    if (name_taken(c->e, "FileSystem", name, NULL)) {
        result_fail(c->res, "A FileSystem named %s already exists", name);
        return NULL;
    }
    fs_create_plan *p = xcalloc(1, sizeof *p);
    if (ocfs2_io_of(c->e, pd, &p->io) != 0) {
        obj *a = store_get(c->e->st, obj_gets(pd, "storageArray"));
        result_fail(c->res, "No owned Running admin server of StorageArray %s can reach PhysicalDisk %s",
                    a ? a->name : "", pd->name);
        fs_create_plan_free(p);
        return NULL;
    }
    new_object_id(gr_type_find("FileSystem"), p->fs_id, sizeof p->fs_id);
    p->g = gplan_new("FileSystem", p->fs_id, name);
    if (fsrv) /* the FileSystem form's own attributes (name, description) */
        gplan_take_attrs(p->g, c->cmd);
    gplan_set(p->g, "physicalDisk", pd->id);
    if (fsrv) /* none on a LUN formatted for a repository: its array's admin servers work on it */
        gplan_set(p->g, "fileServer", fsrv->id);
    gplan_set(p->g, "fsType", "OCFS2");
    gplan_set(p->g, "managerUuid", c->e->manager_id);
    gplan_set(p->g, "size", obj_gets(pd, "size"));
    gplan_set(p->g, "free", obj_gets(pd, "size"));
    gplan_set(p->g, "path", obj_gets(pd, "page83Id"));
    char loc[256];
    snprintf(loc, sizeof loc, "%s%s", OCFS2_DEV_PREFIX, obj_gets(pd, "page83Id"));
    gplan_set(p->g, "fsLocation", loc);
    p->h.state = LUN_OURS;
    snprintf(p->h.fs_uuid, sizeof p->h.fs_uuid, "%s", p->fs_id);
    snprintf(p->h.fs_label, sizeof p->h.fs_label, "%s", name);
    snprintf(p->h.mgr_uuid, sizeof p->h.mgr_uuid, "%s", c->e->manager_id);
    return p;
}

job *prepare_create_filesystem(cmdctx *c)
{
    obj *fsrv = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    obj *pd = fsrv ? ocfs2_usable_lun(c, gr_get(c->cmd, "physicalDisk")) : NULL;
    const char *name = gr_get(c->cmd, "name");
    fs_create_plan *p = pd ? fs_plan_new(c, pd, name, fsrv) : NULL;
    if (!p)
        return NULL;
    static const job_spec spec = {.operation = "Create", .type = "FileSystem", .fn = run_create_fs,
                                  .plan_free = fs_create_plan_free};
    return spec_job(c, &spec, name, p, NULL, fsrv->id, pd->id, NULL);
}

typedef struct fs_delete_plan {
    lun_io io;
    char fs_id[64];
} fs_delete_plan;

static void fs_delete_plan_free(void *arg)
{
    fs_delete_plan *p = arg;
    if (p) {
        ocfs2_io_free(&p->io);
        free(p);
    }
}

static int run_delete_ocfs2(job *j)
{
    fs_delete_plan *p = j->plan;
    lun_header blank = {.state = LUN_BLANK};
    if (ocfs2_write_header(j->eng, j, &p->io, &blank, NULL) != 0)
        return -1;
    san_store_remove(j, p->fs_id);
    return 0;
}

job *prepare_delete_ocfs2(cmdctx *c, obj *fs)
{
    obj *pd = store_get(c->e->st, obj_gets(fs, "physicalDisk"));
    fs_delete_plan *p = xcalloc(1, sizeof *p);
    if (!pd || ocfs2_io_of(c->e, pd, &p->io) != 0) {
        result_fail(c->res, "No owned Running admin server of the StorageArray of FileSystem %s can reach its LUN",
                    fs->name);
        fs_delete_plan_free(p);
        return NULL;
    }
    snprintf(p->fs_id, sizeof p->fs_id, "%s", fs->id);
    static const job_spec spec = {.operation = "Delete", .type = "FileSystem", .fn = run_delete_ocfs2,
                                  .plan_free = fs_delete_plan_free};
    return spec_job(c, &spec, fs->name, p, fs->id, pd->id, NULL);
}
