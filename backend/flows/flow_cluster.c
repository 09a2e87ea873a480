/* Joining a clustered pool's cluster and leaving it (doc/object-model.md §5.8,
 * doc/agent-protocol.md §5.4): the pool file system and o2cb cluster calls made when a
 * server is added to or removed from a clustered pool, and the clusterState
 * they lead to. See flow.h. */
#include "backend/flows/flow.h"
#include <stdio.h>
#include <stdlib.h>
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
