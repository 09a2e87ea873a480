/* Clustered server pools: create (SEQUENCE, doc/object-model.md §7.2). Joining and
 * leaving the cluster is a shared flow (flow_cluster.c). */
#include "backend/ops/cluster.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/ops/generic.h"
#include "backend/ops/ocfs2.h"
#include "backend/render/show.h"
#include "lib/util.h"

#define POOL_FS_MIN_GIB 10.0

/* ---- create ServerPool clusterEnable=Yes ---- */

/* P-5: the object already using the file system, or NULL. Read lock held. */
static obj *fs_user(engine *e, const obj *fs, const char **type)
{
    static const char *const types[] = {"Repository", "ServerPool", NULL};
    for (const char *const *t = types; *t; t++) {
        obj **v;
        size_t n = store_find_by(e->st, *t, "fileSystem", fs->id, &v);
        obj *hit = n ? v[0] : NULL;
        free(v);
        if (hit) {
            *type = *t;
            return hit;
        }
    }
    return NULL;
}

static obj *check_pool_fs(cmdctx *c)
{
    const char *fsref = gr_get(c->cmd, "fileSystem"), *pd = gr_get(c->cmd, "physicalDisk");
    if ((fsref != NULL) == (pd != NULL)) {
        result_fail(c->res, "A clustered ServerPool needs a pool file system: give fileSystem= or physicalDisk=");
        return NULL;
    }
    if (pd)
        return ocfs2_usable_lun(c, pd); /* formatted by the job (run_lun_pool_fs) */
    obj *fs = resolve_ref(c, "FileSystem", fsref);
    if (!fs)
        return NULL;
    double gib = strtod(obj_gets(fs, "size"), NULL);
    if (gib < POOL_FS_MIN_GIB) {
        char buf[64];
        fmt_gib(gib, buf, sizeof buf);
        result_fail(c->res, "FileSystem %s has %s GiB; a pool file system needs at least 10 GiB", fs->name, buf);
        return NULL;
    }
    const char *type = NULL;
    obj *user = fs_user(c->e, fs, &type);
    if (user) {
        result_fail(c->res, "Cannot use FileSystem %s: it is in use by %s %s", fs->name, type, user->name);
        return NULL;
    }
    return fs;
}

typedef struct create_plan {
    gplan *pool;        /* child 1: the pool object */
    char pool_id[64];
    char fs_id[64];
    gplan *fs;          /* physicalDisk=: child 0 formats the LUN and records this FileSystem */
    lun_io io;
    lun_header h;
} create_plan;

static void create_plan_free(void *arg)
{
    create_plan *p = arg;
    if (p) {
        gplan_free(p->pool);
        gplan_free(p->fs);
        ocfs2_io_free(&p->io);
        free(p);
    }
}

/* Child 0 (physicalDisk=): the LUN becomes an OCFS2 FileSystem, the pool's file system. */
static int run_lun_pool_fs(job *j)
{
    create_plan *p = j->plan;
    if (ocfs2_format(j, &p->io, &p->h) != 0)
        return -1;
    return gplan_store_create(j, p->fs);
}

/* The plan of the FileSystem a pool's LUN pd becomes; 0, or -1 after failing c. */
static int lun_pool_fs(cmdctx *c, create_plan *p, const obj *pd, const char *pool)
{
    if (ocfs2_io_of(c->e, pd, &p->io) != 0) {
        result_fail(c->res, "No owned Running admin server of the StorageArray of PhysicalDisk %s can reach it",
                    pd->name);
        return -1;
    }
    ovm_new_id("0005", "", p->fs_id, sizeof p->fs_id);
    char *name = xasprintf("%s pool file system", pool), loc[256];
    p->fs = gplan_new("FileSystem", p->fs_id, name);
    snprintf(loc, sizeof loc, "%s%s", OCFS2_DEV_PREFIX, obj_gets(pd, "page83Id"));
    const char *const kv[][2] = {{"physicalDisk", pd->id}, {"fsType", "OCFS2"}, {"usage", "POOL_FS"},
                                 {"managerUuid", c->e->manager_id}, {"size", obj_gets(pd, "size")},
                                 {"free", obj_gets(pd, "size")}, {"path", obj_gets(pd, "page83Id")},
                                 {"fsLocation", loc}};
    for (size_t i = 0; i < sizeof kv / sizeof *kv; i++)
        gplan_set(p->fs, kv[i][0], kv[i][1]);
    p->h.state = LUN_OURS;
    snprintf(p->h.fs_uuid, sizeof p->h.fs_uuid, "%s", p->fs_id);
    snprintf(p->h.fs_label, sizeof p->h.fs_label, "%s", name);
    snprintf(p->h.mgr_uuid, sizeof p->h.mgr_uuid, "%s", c->e->manager_id);
    free(name);
    return 0;
}

/* Child 2: the heartbeat device is the pool file system; recorded here and
 * created on the agents when the first server joins (doc/agent-protocol.md §10). */
static int run_heartbeat_device(job *j)
{
    create_plan *p = j->plan;
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *pool = store_get(e->st, p->pool_id), *fs = store_get(e->st, p->fs_id);
    int rc = 0;
    if (!pool || !fs) {
        job_fail(j, "Job failed: the pool file system is no longer available");
        rc = -1;
    } else {
        char uuid[33];
        ovm_random_hex(uuid, 32);
        obj_set(e->st, pool, "poolFsUuid", uuid);
        obj_set(e->st, pool, "poolFsTarget", obj_gets(fs, "fsLocation"));
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    return rc;
}

/* Child 3: the o2cb cluster, OFFLINE until its first member starts it (§5.8). */
static int run_create_cluster(job *j)
{
    create_plan *p = j->plan;
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *pool = store_get(e->st, p->pool_id);
    if (pool) {
        char hex[17];
        ovm_random_hex(hex, 16);
        obj_set(e->st, pool, "clusterName", hex);
        obj_set(e->st, pool, "clusterState", "OFFLINE");
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    if (!pool)
        job_fail(j, "Job failed: ServerPool %s no longer exists", p->pool->name);
    return pool ? 0 : -1;
}

static int run_create_clustered(job *j)
{
    create_plan *p = j->plan;
    char *n1 = xasprintf("Create Server Pool: %s", p->pool->name);
    char *n2 = xasprintf("Create Cluster Heartbeat Device: %s", p->pool->name);
    char *n3 = xasprintf("Create Cluster: %s", p->pool->name);
    int rc = 0;
    if (p->fs) {
        char *n0 = xasprintf("Create File System: %s", p->fs->name);
        rc = job_run_child(j, n0, NULL, run_lun_pool_fs, p);
        free(n0);
    }
    if (rc == 0)
        rc = job_run_child(j, n1, NULL, gplan_run_create, p->pool);
    if (rc == 0) {
        j->result_obj = xstrdup(p->pool_id);
        rc = job_run_child(j, n2, p->pool_id, run_heartbeat_device, p);
    }
    if (rc == 0)
        rc = job_run_child(j, n3, p->pool_id, run_create_cluster, p);
    if (rc != 0 && j->result_obj && j->error) {
        char *err = xasprintf("%s; left in place: ServerPool %s", j->error, p->pool->name);
        free(j->error);
        j->error = err;
    }
    free(n1);
    free(n2);
    free(n3);
    return rc;
}

job *cluster_prepare_create_pool(cmdctx *c)
{
    const char *name = gr_get(c->cmd, "name");
    obj *fs = check_pool_fs(c); /* or the PhysicalDisk to format */
    if (!fs)
        return NULL;
    if (name_taken(c->e, "ServerPool", name, NULL)) {
        result_fail(c->res, "A ServerPool named %s already exists", name);
        return NULL;
    }
    create_plan *p = xcalloc(1, sizeof *p);
    if (!strcmp(fs->type, "PhysicalDisk") && lun_pool_fs(c, p, fs, name) != 0) {
        create_plan_free(p);
        return NULL;
    }
    new_object_id(c->cmd->type, p->pool_id, sizeof p->pool_id);
    if (!p->fs)
        snprintf(p->fs_id, sizeof p->fs_id, "%s", fs->id);
    p->pool = gplan_new("ServerPool", p->pool_id, name);
    gplan_take_attrs(p->pool, c->cmd);
    if (p->fs) /* the disk's id, whatever the command named it by; the pool uses it through the FileSystem */
        gplan_set(p->pool, "physicalDisk", fs->id);
    gplan_set(p->pool, "clusterEnable", "Yes");
    gplan_set(p->pool, "fileSystem", p->fs_id);
    gplan_set(p->pool, "clusterState", "OFFLINE");
    static const job_spec spec = {.operation = "Create", .type = "ServerPool", .fn = run_create_clustered,
                                  .plan_free = create_plan_free, .kind = "SEQUENCE"};
    return spec_job(c, &spec, name, p, NULL, fs->id, NULL);
}
