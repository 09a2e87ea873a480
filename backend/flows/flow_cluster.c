/* Joining a clustered pool's cluster and leaving it (doc/object-model.md §5.8,
 * doc/agent-protocol.md §5.4): the pool file system and o2cb cluster calls made when a
 * server is added to or removed from a clustered pool, and the clusterState
 * they lead to. See flow.h. */
#include "backend/flows/flow.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "lib/util.h"

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

/* o2cb cluster.conf text (heap). */
static char *cluster_conf(const cluster_plan *p)
{
    return xasprintf("cluster:\n\tname = %s\n\theartbeat_mode = global\n\tpool_uuid = %s\n", p->cluster_name,
                     p->pool_id);
}

/* The end of the cluster calls of a joining server made with an AGENT_TRY
 * context: rc the last call's AGC_* code, *err its reason (freed here). A
 * failure becomes the P-12 text. 0 or -1. */
static int join_done(job *j, const agent_target *t, const cluster_plan *p, int rc, char **err)
{
    if (rc != AGC_OK)
        job_fail(j, "Job failed: Server %s cannot mount the pool file system %s: %s", t->name, p->fs_name,
                 *err ? *err : "no answer");
    free(*err);
    *err = NULL;
    return rc == AGC_OK ? 0 : -1;
}

/* The agents' name of the pool file system's type: a LUN's is OCFS2. */
static const char *poolfs_type(const cluster_plan *p)
{
    return strncmp(p->fs_target, "/dev/mapper/", strlen("/dev/mapper/")) ? "nfs" : "ocfs2";
}

static int create_on_first(job *j, const agent_target *t, const cluster_plan *p)
{
    char *err = NULL;
    agent_ctx *c = AGENT_TRY(j->eng, t, &err);
    int rc = agent_create_pool_filesystem(c, poolfs_type(p), p->fs_target, p->cluster_name, p->poolfs_uuid, p->poolfs_uuid,
                                          p->manager_uuid, p->pool_id, NULL);
    if (rc == AGC_OK)
        rc = agent_create_cluster(c, p->poolfs_uuid, NULL);
    return join_done(j, t, p, rc, &err);
}

/* DLM_READY once the agent reports the cluster online (pool fs mounted). */
static void settle_online(job *j, const agent_target *t, const cluster_plan *p)
{
    xr_value *res = NULL;
    char *err = NULL;
    int online = 0;
    if (agent_is_cluster_online(AGENT_TRY(j->eng, t, &err), &res) == AGC_OK)
        online = res && res->type == XR_BOOL && res->i;
    xr_free(res);
    free(err);
    set_cluster_state(j, p, online ? "DLM_READY" : "HEARTBEATING");
}

static int configure_and_join(job *j, const agent_target *t, const cluster_plan *p)
{
    char *err = NULL;
    agent_ctx *c = AGENT_TRY(j->eng, t, &err);
    xr_value *o2cb = o2cb_conf(p);
    char *conf = cluster_conf(p);
    int rc = agent_configure_server_for_cluster(c, o2cb, conf, poolfs_type(p), p->fs_target, p->poolfs_uuid, p->poolfs_uuid,
                                                NULL);
    xr_free(o2cb);
    free(conf);
    if (rc == AGC_OK)
        rc = agent_join_cluster(c, p->poolfs_uuid, NULL);
    return join_done(j, t, p, rc, &err);
}

int cluster_join(job *j, const agent_target *t, cluster_plan *p)
{
    if (p->first && create_on_first(j, t, p) != 0)
        return -1;
    if (!p->first)
        set_cluster_state(j, p, "HEARTBEATING"); /* a member joins, until it mounts (§5.8) */
    if (configure_and_join(j, t, p) != 0) {
        cluster_leave(j, t, p); /* compensation; best effort */
        return -1;
    }
    set_cluster_state(j, p, "HEARTBEATING");
    settle_online(j, t, p);
    return 0;
}

/* A member that already left (or never fully joined) is not an error. */
static void leave_logged(const agent_ctx *c, int rc, const agent_target *t)
{
    if (rc != AGC_OK)
        log_info("cluster: %s on %s: %s", c->method, t->name, *c->err ? *c->err : "no answer");
}

int cluster_leave(job *j, const agent_target *t, cluster_plan *p)
{
    char *err = NULL;
    agent_ctx *c = AGENT_TRY(j->eng, t, &err);
    leave_logged(c, agent_leave_cluster(c, p->poolfs_uuid, NULL), t);
    leave_logged(c, agent_deconfigure_server_for_cluster(c, p->poolfs_uuid, NULL), t);
    if (p->first) {
        leave_logged(c, agent_destroy_cluster(c, p->poolfs_uuid, NULL), t);
        leave_logged(c, agent_destroy_pool_filesystem(c, poolfs_type(p), p->fs_target, p->poolfs_uuid, p->poolfs_uuid, NULL), t);
        set_cluster_state(j, p, "OFFLINE");
    }
    free(err);
    return 0;
}
