/* Clustered server pools: create (SEQUENCE, object-model §7.2), cluster
 * state (§5.8) and the agent's cluster calls (agent-api §5.4). */
#include "backend/cluster.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/generic.h"
#include "backend/show.h"
#include "lib/log.h"
#include "lib/util.h"

#define POOL_FS_MIN_GIB 10.0

struct cluster_plan {
    char pool_id[64], pool_name[257];
    char fs_name[257], fs_target[1024];
    char poolfs_uuid[64], cluster_name[64], manager_uuid[64];
    int timeout;
    int first;          /* first member joining, or last member leaving */
};

int cluster_o2cb_threshold(int timeout_s)
{
    return timeout_s / 2 + 1;
}

int cluster_o2cb_idle_ms(int timeout_s)
{
    return timeout_s / 2 * 1000;
}

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
    if (pd) {
        result_fail(c->res, "Pool file systems on a PhysicalDisk are not supported by this Manager; use an NFS "
                            "fileSystem=");
        return NULL;
    }
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
} create_plan;

static void create_plan_free(void *arg)
{
    create_plan *p = arg;
    if (p) {
        gplan_free(p->pool);
        free(p);
    }
}

/* Child 2: the heartbeat device is the pool file system; recorded here and
 * created on the agents when the first server joins (agent-api §10). */
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
    int rc = job_run_child(j, n1, NULL, gplan_run_create, p->pool);
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
    obj *fs = check_pool_fs(c);
    if (!fs)
        return NULL;
    if (name_taken(c->e, "ServerPool", name, NULL)) {
        result_fail(c->res, "A ServerPool named %s already exists", name);
        return NULL;
    }
    create_plan *p = xcalloc(1, sizeof *p);
    new_object_id(c->cmd->type, p->pool_id, sizeof p->pool_id);
    snprintf(p->fs_id, sizeof p->fs_id, "%s", fs->id);
    p->pool = gplan_new("ServerPool", p->pool_id, name);
    gplan_take_attrs(p->pool, c->cmd);
    gplan_set(p->pool, "clusterEnable", "Yes");
    gplan_set(p->pool, "fileSystem", fs->id);
    gplan_set(p->pool, "clusterState", "OFFLINE");
    job *j = cmd_job(c, "Create", "ServerPool", name, NULL, fs->id, NULL);
    j->kind = "SEQUENCE";
    j->fn = run_create_clustered;
    j->plan = p;
    j->plan_free = create_plan_free;
    return j;
}

/* ---- join and leave ---- */

cluster_plan *cluster_plan_new(engine *e, const obj *pool, int first)
{
    if (!obj_is(pool, "clusterEnable", "Yes"))
        return NULL;
    cluster_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->pool_id, sizeof p->pool_id, "%s", pool->id);
    snprintf(p->pool_name, sizeof p->pool_name, "%s", pool->name);
    obj *fs = store_get(e->st, obj_gets(pool, "fileSystem"));
    snprintf(p->fs_name, sizeof p->fs_name, "%s", fs ? fs->name : obj_gets(pool, "fileSystem"));
    snprintf(p->fs_target, sizeof p->fs_target, "%s", obj_gets(pool, "poolFsTarget"));
    snprintf(p->poolfs_uuid, sizeof p->poolfs_uuid, "%s", obj_gets(pool, "poolFsUuid"));
    snprintf(p->cluster_name, sizeof p->cluster_name, "%s", obj_gets(pool, "clusterName"));
    snprintf(p->manager_uuid, sizeof p->manager_uuid, "%s", e->manager_id);
    p->timeout = (int)obj_get_int(pool, "clusterTimeout", 120);
    p->first = first;
    return p;
}

void cluster_plan_free(cluster_plan *p)
{
    free(p);
}

static void set_cluster_state(job *j, const cluster_plan *p, const char *state)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *pool = store_get(e->st, p->pool_id);
    if (pool && !obj_is(pool, "clusterState", state)) {
        obj_set(e->st, pool, "clusterState", state);
        log_info("ServerPool %s: cluster %s", p->pool_name, state);
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
}

static xr_value *o2cb_conf(const cluster_plan *p)
{
    xr_value *v = xr_struct();
    xr_struct_set(v, "o2cb_heartbeat_threshold", xr_int(cluster_o2cb_threshold(p->timeout)));
    xr_struct_set(v, "o2cb_idle_timeout_ms", xr_int(cluster_o2cb_idle_ms(p->timeout)));
    return v;
}

static xr_value *cluster_conf(const cluster_plan *p)
{
    char *text = xasprintf("cluster:\n\tname = %s\n\theartbeat_mode = global\n\tpool_uuid = %s\n", p->cluster_name,
                           p->pool_id);
    xr_value *v = xr_string(text);
    free(text);
    return v;
}

/* One cluster call; a failure becomes the P-12 text for the joining server. */
static int join_call(job *j, const agent_target *t, const cluster_plan *p, const char *method, int n, xr_value *a,
                     xr_value *b, xr_value *c, xr_value *d, xr_value *e7, xr_value *f, xr_value *g)
{
    char *err = NULL;
    engine *e = j->eng;
    long tmo = e->cfg.agent_call_timeout;
    int rc = n == 1   ? agent_try_call(e, t, method, tmo, NULL, &err, 1, a)
             : n == 6 ? agent_try_call(e, t, method, tmo, NULL, &err, 6, a, b, c, d, e7, f)
                      : agent_try_call(e, t, method, tmo, NULL, &err, 7, a, b, c, d, e7, f, g);
    if (rc != AGC_OK)
        job_fail(j, "Job failed: Server %s cannot mount the pool file system %s: %s", t->name, p->fs_name,
                 err ? err : "no answer");
    free(err);
    return rc == AGC_OK ? 0 : -1;
}

static int create_on_first(job *j, const agent_target *t, const cluster_plan *p)
{
    if (join_call(j, t, p, "create_pool_filesystem", 7, xr_string("nfs"), xr_string(p->fs_target),
                  xr_string(p->cluster_name), xr_string(p->poolfs_uuid), xr_string(p->poolfs_uuid),
                  xr_string(p->manager_uuid), xr_string(p->pool_id)) != 0)
        return -1;
    return join_call(j, t, p, "create_cluster", 1, xr_string(p->poolfs_uuid), NULL, NULL, NULL, NULL, NULL, NULL);
}

/* DLM_READY once the agent reports the cluster online (pool fs mounted). */
static void settle_online(job *j, const agent_target *t, const cluster_plan *p)
{
    xr_value *res = NULL;
    char *err = NULL;
    int online = 0;
    if (agent_try_call(j->eng, t, "is_cluster_online", j->eng->cfg.agent_call_timeout, &res, &err, 0) == AGC_OK)
        online = res && res->type == XR_BOOL && res->i;
    xr_free(res);
    free(err);
    set_cluster_state(j, p, online ? "DLM_READY" : "HEARTBEATING");
}

int cluster_join(job *j, const agent_target *t, cluster_plan *p)
{
    if (p->first && create_on_first(j, t, p) != 0)
        return -1;
    if (!p->first)
        set_cluster_state(j, p, "HEARTBEATING"); /* a member joins, until it mounts (§5.8) */
    if (join_call(j, t, p, "configure_server_for_cluster", 6, o2cb_conf(p), cluster_conf(p), xr_string("nfs"),
                  xr_string(p->fs_target), xr_string(p->poolfs_uuid), xr_string(p->poolfs_uuid), NULL) != 0 ||
        join_call(j, t, p, "join_cluster", 1, xr_string(p->poolfs_uuid), NULL, NULL, NULL, NULL, NULL, NULL) != 0) {
        cluster_leave(j, t, p); /* compensation; best effort */
        return -1;
    }
    set_cluster_state(j, p, "HEARTBEATING");
    settle_online(j, t, p);
    return 0;
}

static void leave_call(job *j, const agent_target *t, const char *method, int n, xr_value *a, xr_value *b,
                       xr_value *c, xr_value *d)
{
    char *err = NULL;
    engine *e = j->eng;
    long tmo = e->cfg.agent_call_timeout;
    int rc = n == 1 ? agent_try_call(e, t, method, tmo, NULL, &err, 1, a)
                    : agent_try_call(e, t, method, tmo, NULL, &err, 4, a, b, c, d);
    /* A member that already left (or never fully joined) is not an error. */
    if (rc != AGC_OK)
        log_info("cluster: %s on %s: %s", method, t->name, err ? err : "no answer");
    free(err);
}

int cluster_leave(job *j, const agent_target *t, cluster_plan *p)
{
    leave_call(j, t, "leave_cluster", 1, xr_string(p->poolfs_uuid), NULL, NULL, NULL);
    leave_call(j, t, "deconfigure_server_for_cluster", 1, xr_string(p->poolfs_uuid), NULL, NULL, NULL);
    if (p->first) {
        leave_call(j, t, "destroy_cluster", 1, xr_string(p->poolfs_uuid), NULL, NULL, NULL);
        leave_call(j, t, "destroy_pool_filesystem", 4, xr_string("nfs"), xr_string(p->fs_target),
                   xr_string(p->poolfs_uuid), xr_string(p->poolfs_uuid));
        set_cluster_state(j, p, "OFFLINE");
    }
    return 0;
}
