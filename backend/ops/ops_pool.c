/* ServerPool and AntiAffinityGroup commands (doc/object-model.md §6.1, §6.9). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/ops/cluster.h"
#include "backend/ops/ocfs2.h"
#include "backend/flows/flow.h"
#include "backend/ops/generic.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "backend/ops/ops_server.h"
#include "backend/ops/ops_vm.h"
#include "backend/render/show.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define POOL_MAX_SERVERS 32

/* ---- create / edit / delete ServerPool ---- */

static job *prepare_create_pool(cmdctx *c)
{
    if (gr_get(c->cmd, "clusterEnable") && !strcmp(gr_get(c->cmd, "clusterEnable"), "Yes"))
        return cluster_prepare_create_pool(c);
    if (gr_get(c->cmd, "fileSystem") || gr_get(c->cmd, "physicalDisk")) {
        result_fail(c->res, "fileSystem and physicalDisk apply only to clustered server pools");
        return NULL;
    }
    gplan *p = gplan_create_unique(c);
    if (!p)
        return NULL;
    gplan_set(p, "clusterEnable", "No");
    return gplan_create_job(c, p);
}

static job *prepare_edit_pool(cmdctx *c)
{
    obj *pool = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!pool)
        return NULL;
    if (gr_get(c->cmd, "fileSystem") || gr_get(c->cmd, "physicalDisk")) {
        result_fail(c->res, "fileSystem and physicalDisk apply only to clustered server pools");
        return NULL;
    }
    if (gr_get(c->cmd, "clusterTimeout") && store_count(c->e->st, "Server")) {
        obj **servers;
        size_t n = store_find_by(c->e->st, "Server", "serverPool", pool->id, &servers);
        free(servers);
        if (n) {
            result_fail(c->res, "clusterTimeout of ServerPool %s can only change while the pool has no servers",
                        pool->name);
            return NULL;
        }
    }
    return gplan_prepare_edit(c, pool, 1);
}

static int run_delete_pool(job *j)
{
    gplan *p = j->plan;
    engine *e = j->eng;
    store_wrlock(e->st);
    store_begin(e->st);
    obj *pool = store_get(e->st, p->id);
    if (pool) {
        relations_on_delete(e, pool);
        store_delete(e->st, pool);
    }
    store_commit(e->st);
    store_unlock(e->st);
    return 0;
}

static job *prepare_delete_pool(cmdctx *c)
{
    obj *pool = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!pool)
        return NULL;
    if (delete_refused(c, pool))
        return NULL;
    static const job_spec spec = {.operation = "Delete", .type = "ServerPool", .fn = run_delete_pool,
                                  .plan_free = gplan_free};
    return spec_job(c, &spec, pool->name, gplan_new("ServerPool", pool->id, NULL), pool->id, NULL);
}

/* ---- add / remove Server ---- */

typedef struct member_plan {
    char pool_id[64], pool_name[257], server_id[64];
    agent_target target;       /* the joining or leaving server */
    agent_target *others;      /* remaining members: their ip lists are updated */
    size_t nothers;
    int node_number;
    int last;                  /* removing the last member */
    cluster_plan *cluster;     /* clustered pool: cluster work, else NULL */
    present_spec *repos;       /* the pool's OCFS2 repositories the server gets or gives up */
    size_t nrepos;
} member_plan;

static void member_plan_free(void *arg)
{
    member_plan *p = arg;
    if (p) {
        free(p->others);
        free(p->repos);
        cluster_plan_free(p->cluster);
        free(p);
    }
}

static xr_value *member_ips(const member_plan *p, int with_target)
{
    xr_value *ips = xr_array();
    if (with_target)
        xr_array_add(ips, xr_string(p->target.ep.host));
    for (size_t i = 0; i < p->nothers; i++)
        xr_array_add(ips, xr_string(p->others[i].ep.host));
    return ips;
}

static int push_ip_lists(job *j, const member_plan *p, int with_target)
{
    xr_value *ips = member_ips(p, with_target);
    int rc = with_target ? agent_set_pool_member_ip_list(AGENT_JOB(j, &p->target), ips, NULL) : 0;
    for (size_t i = 0; rc == 0 && i < p->nothers; i++)
        rc = agent_set_pool_member_ip_list(AGENT_JOB(j, &p->others[i]), ips, NULL);
    xr_free(ips);
    return rc == 0 ? 0 : -1;
}

static int run_add_server(job *j)
{
    member_plan *p = j->plan;
    engine *e = j->eng;
    agent_create_server_pool_fn *join = p->nothers ? agent_join_server_pool : agent_create_server_pool;
    if (join(AGENT_JOB(j, &p->target), p->pool_name, p->pool_id, "", p->node_number, p->target.name,
             p->target.ep.host, "xen,utility", NULL) != 0)
        return -1;
    if (push_ip_lists(j, p, 1) != 0 || (p->cluster && cluster_join(j, &p->target, p->cluster) != 0) ||
        ocfs2_pool_present(j, p->repos, p->nrepos, &p->target, 1) != 0) {
        agent_leave_server_pool(AGENT_TRY(e, &p->target, NULL), p->pool_id, NULL);
        return -1;
    }
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *s = store_get(e->st, p->server_id);
    if (s) {
        obj_set(e->st, s, "serverPool", p->pool_id);
        obj_set(e->st, s, "roles", "VM,UTILITY");
        obj_setf(e->st, s, "nodeNumber", "%d", p->node_number);
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    return 0;
}

static size_t pool_members(engine *e, const char *pool_id, obj ***out)
{
    return store_find_by(e->st, "Server", "serverPool", pool_id, out);
}

static member_plan *member_plan_new(engine *e, obj *pool, obj *server, int join)
{
    member_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->pool_id, sizeof p->pool_id, "%s", pool->id);
    snprintf(p->pool_name, sizeof p->pool_name, "%s", pool->name);
    snprintf(p->server_id, sizeof p->server_id, "%s", server->id);
    agent_target_of(e, server, &p->target);
    obj **members;
    size_t n = pool_members(e, pool->id, &members);
    p->others = xcalloc(n ? n : 1, sizeof *p->others);
    for (size_t i = 0; i < n; i++) {
        long long node = obj_get_int(members[i], "nodeNumber", 0);
        if (node >= p->node_number)
            p->node_number = (int)node + 1;
        if (members[i] != server)
            agent_target_of(e, members[i], &p->others[p->nothers++]);
    }
    free(members);
    p->cluster = cluster_plan_new(e, pool, p->nothers == 0);
    p->nrepos = ocfs2_pool_repos(e, pool->id, server, join, &p->repos);
    return p;
}

static job *prepare_add_server(cmdctx *c)
{
    obj *s = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *pool = s ? resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance) : NULL;
    if (!pool)
        return NULL;
    obj *cur = store_get(c->e->st, obj_gets(s, "serverPool"));
    if (cur) {
        result_fail(c->res, "Server %s already belongs to ServerPool %s", s->name, cur->name);
        return NULL;
    }
    if (!server_usable(s)) {
        result_fail(c->res, "Server %s must be owned and Running to join a server pool", s->name);
        return NULL;
    }
    obj **members;
    size_t n = pool_members(c->e, pool->id, &members);
    free(members);
    if (n >= POOL_MAX_SERVERS) {
        result_fail(c->res, "ServerPool %s already has %d servers, the maximum", pool->name, POOL_MAX_SERVERS);
        return NULL;
    }
    static const job_spec spec = {.operation = "Add Server to", .type = "ServerPool", .fn = run_add_server,
                                  .plan_free = member_plan_free};
    job *j = spec_job(c, &spec, pool->name, member_plan_new(c->e, pool, s, 1), s->id, pool->id, NULL);
    free(j->name);
    j->name = xasprintf("Add Server: %s to Server Pool: %s", s->name, pool->name);
    return j;
}

static int run_remove_server(job *j)
{
    member_plan *p = j->plan;
    engine *e = j->eng;
    agent_leave_server_pool_fn *leave = p->nothers ? agent_leave_server_pool : agent_destroy_server_pool;
    if (p->cluster)
        cluster_leave(j, &p->target, p->cluster);
    if (leave(AGENT_JOB(j, &p->target), p->pool_id, NULL) != 0)
        return -1;
    if (push_ip_lists(j, p, 0) != 0)
        return -1;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *s = store_get(e->st, p->server_id);
    if (s) {
        obj_unset(e->st, s, "serverPool");
        obj_unset(e->st, s, "nodeNumber");
        /* A server that leaves stops being a policy server: joining again
         * does not silently put it back under DRS and DPM. */
        obj *pool = store_get(e->st, p->pool_id);
        if (pool && obj_list_has(pool, "policyServers", s->id))
            obj_list_remove(e->st, pool, "policyServers", s->id);
        obj **vms;
        size_t n = store_find_by(e->st, "Vm", "server", s->id, &vms);
        for (size_t i = 0; i < n; i++)
            if (!vm_is_active(vms[i]))
                obj_unset(e->st, vms[i], "server");
        free(vms);
    }
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    return 0;
}

static job *prepare_remove_server(cmdctx *c)
{
    obj *s = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *pool = s ? resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance) : NULL;
    if (!pool)
        return NULL;
    if (!obj_is(s, "serverPool", pool->id)) {
        result_fail(c->res, "Server %s is not in ServerPool %s", s->name, pool->name);
        return NULL;
    }
    obj_status st = status_get(s);
    if (st != ST_RUNNING && st != ST_STOPPED) {
        result_fail(c->res, "Cannot remove Server %s from ServerPool %s: its status is %s", s->name, pool->name,
                    status_name(st));
        return NULL;
    }
    obj **vms;
    size_t n = store_find_by(c->e->st, "Vm", "server", s->id, &vms), running = 0;
    strbuf names = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (vm_is_active(vms[i])) {
            sb_addf(&names, "%s%s", running++ ? ", " : "", vms[i]->name);
        }
    }
    free(vms);
    if (running) {
        result_fail(c->res, "Server %s still runs %zu Vm(s): %s; migrate or stop them first", s->name, running,
                    names.buf);
        sb_free(&names);
        return NULL;
    }
    sb_free(&names);
    if (ocfs2_leave_check(c, pool, s) != 0)
        return NULL;
    static const job_spec spec = {.operation = "Remove Server from", .type = "ServerPool", .fn = run_remove_server,
                                  .plan_free = member_plan_free};
    job *j = spec_job(c, &spec, pool->name, member_plan_new(c->e, pool, s, 0), s->id, pool->id, NULL);
    free(j->name);
    j->name = xasprintf("Remove Server: %s from Server Pool: %s", s->name, pool->name);
    return j;
}

/* ---- AntiAffinityGroup ---- */

static job *prepare_create_aag(cmdctx *c)
{
    const char *name = gr_get(c->cmd, "name");
    obj *pool = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!pool)
        return NULL;
    obj **groups;
    size_t n = store_find_by(c->e->st, "AntiAffinityGroup", "serverPool", pool->id, &groups);
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(groups[i]->name, name)) {
            result_fail(c->res, "A AntiAffinityGroup named %s already exists", name);
            free(groups);
            return NULL;
        }
    }
    free(groups);
    char id[64];
    new_object_id(c->cmd->type, id, sizeof id);
    gplan *p = gplan_new("AntiAffinityGroup", id, name);
    gplan_take_attrs(p, c->cmd);
    gplan_set(p, "serverPool", pool->id);
    static const job_spec spec = {.operation = "Create", .type = "AntiAffinityGroup", .fn = gplan_run_create,
                                  .plan_free = gplan_free};
    return spec_job(c, &spec, name, p, NULL, pool->id, NULL);
}

static job *prepare_edit_aag(cmdctx *c)
{
    obj *g = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    return g ? gplan_prepare_edit(c, g, 0) : NULL;
}

static job *prepare_delete_simple(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!o)
        return NULL;
    return gplan_delete_job(c, o);
}

typedef struct aag_plan {
    char group[64], vm[64];
    int add;
} aag_plan;

/* a member of the group STARTING, RUNNING or STOPPING on the same server. */
static obj *aag_conflict(engine *e, const obj *g, const obj *vm)
{
    if (!vm_is_active(vm) || !obj_get(vm, "server"))
        return NULL;
    char **ids;
    size_t n = split_list(obj_get(g, "vms"), &ids);
    obj *hit = NULL;
    for (size_t i = 0; i < n && !hit; i++) {
        obj *o = store_get(e->st, ids[i]);
        if (o && o != vm && vm_is_active(o) && obj_is(o, "server", obj_gets(vm, "server")))
            hit = o;
    }
    free_list(ids, n);
    return hit;
}

static int run_aag_member(job *j)
{
    aag_plan *p = j->plan;
    engine *e = j->eng;
    int rc = 0;
    store_wrlock(e->st);
    obj *g = store_get(e->st, p->group), *vm = store_get(e->st, p->vm);
    if (!g || !vm) {
        job_fail(j, "Job failed: the AntiAffinityGroup or the Vm no longer exists");
        rc = -1;
    } else if (p->add) {
        obj *other = aag_conflict(e, g, vm);
        if (other) {
            obj *srv = store_get(e->st, obj_gets(vm, "server"));
            job_fail(j, "Job failed: Vm %s and Vm %s of AntiAffinityGroup %s both run on Server %s; migrate one of "
                        "them first",
                     vm->name, other->name, g->name, srv ? srv->name : obj_gets(vm, "server"));
            rc = -1;
        } else {
            obj_list_add(e->st, g, "vms", vm->id);
        }
    } else {
        obj_list_remove(e->st, g, "vms", vm->id);
    }
    store_unlock(e->st);
    return rc;
}

static job *prepare_aag_member(cmdctx *c, int add)
{
    obj *vm = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *g = vm ? resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance) : NULL;
    if (!g)
        return NULL;
    if (add) {
        if (status_get(vm) == ST_TEMPLATE) {
            result_fail(c->res, "Templates cannot join an AntiAffinityGroup");
            return NULL;
        }
        if (!obj_is(vm, "serverPool", obj_gets(g, "serverPool"))) {
            obj *pool = store_get(c->e->st, obj_gets(g, "serverPool"));
            result_fail(c->res, "Vm %s is not in ServerPool %s of AntiAffinityGroup %s", vm->name,
                        pool ? pool->name : "", g->name);
            return NULL;
        }
    } else if (!obj_list_has(g, "vms", vm->id)) {
        result_fail(c->res, "Vm %s is not a member of AntiAffinityGroup %s", vm->name, g->name);
        return NULL;
    }
    aag_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->group, sizeof p->group, "%s", g->id);
    snprintf(p->vm, sizeof p->vm, "%s", vm->id);
    p->add = add;
    const job_spec spec = {.operation = add ? "Add Vm to" : "Remove Vm from", .type = "AntiAffinityGroup",
                           .fn = run_aag_member, .plan_free = free};
    return spec_job(c, &spec, g->name, p, g->id, vm->id, NULL);
}

static job *prepare_add_vm_aag(cmdctx *c)
{
    return prepare_aag_member(c, 1);
}

static job *prepare_remove_vm_aag(cmdctx *c)
{
    return prepare_aag_member(c, 0);
}

/* add/remove dispatch on the parent type (the grammar requires a parent) */
static job *prepare_add_server_any(cmdctx *c)
{
    if (!strcmp(c->cmd->ptype->name, "ServerPool"))
        return prepare_add_server(c);
    if (!strcmp(c->cmd->ptype->name, "CpuCompatibilityGroup"))
        return cpugroup_prepare_member(c, 1);
    return present_prepare(c, 1);
}

static job *prepare_remove_server_any(cmdctx *c)
{
    if (!strcmp(c->cmd->ptype->name, "ServerPool"))
        return prepare_remove_server(c);
    if (!strcmp(c->cmd->ptype->name, "CpuCompatibilityGroup"))
        return cpugroup_prepare_member(c, 0);
    return present_prepare(c, 0);
}

/* add/remove Vm: to an anti-affinity group here; to a Server or a
 * ServerPool it is a migration (ops_vm_migrate.c). */
static job *prepare_add_vm(cmdctx *c)
{
    if (strcmp(c->cmd->ptype->name, "AntiAffinityGroup"))
        return prepare_vm_pair_migrate(c, 1);
    return prepare_add_vm_aag(c);
}

static job *prepare_remove_vm(cmdctx *c)
{
    if (strcmp(c->cmd->ptype->name, "AntiAffinityGroup"))
        return prepare_vm_pair_migrate(c, 0);
    return prepare_remove_vm_aag(c);
}

/* The pool's policyServers list with s added (add) or taken out, or NULL
 * with the failure in c->res when the command cannot apply. Heap. */
static char *policy_servers_with(cmdctx *c, const obj *pool, const obj *s, int add)
{
    if (add && !obj_is(s, "serverPool", pool->id)) {
        result_fail(c->res, "Server %s is not in ServerPool %s", s->name, pool->name);
        return NULL;
    }
    if (!add && !obj_list_has(pool, "policyServers", s->id)) {
        result_fail(c->res, "Server %s is not a policy server of ServerPool %s", s->name, pool->name);
        return NULL;
    }
    return (add ? obj_list_with : obj_list_without)(pool, "policyServers", s->id);
}

/* addPolicyServer / removePolicyServer: the servers DRS and DPM act on. */
static job *prepare_policyserver(cmdctx *c, int add)
{
    obj *pool = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *s = pool ? resolve_ref(c, "Server", gr_get(c->cmd, "server")) : NULL;
    char *v = s ? policy_servers_with(c, pool, s, add) : NULL;
    if (!v)
        return NULL;
    gplan *p = gplan_new("ServerPool", pool->id, NULL);
    gplan_set(p, "policyServers", v);
    p->old[0] = xstrdup(obj_gets(pool, "policyServers"));
    p->version = pool->version;
    free(v);
    static const job_spec add_spec = {.operation = "Add Policy Server to", .type = "ServerPool",
                                      .fn = gplan_run_edit, .plan_free = gplan_free};
    static const job_spec rm_spec = {.operation = "Remove Policy Server from", .type = "ServerPool",
                                     .fn = gplan_run_edit, .plan_free = gplan_free};
    return spec_job(c, add ? &add_spec : &rm_spec, pool->name, p, pool->id, NULL);
}

static job *prepare_addpolicyserver(cmdctx *c)
{
    return prepare_policyserver(c, 1);
}

static job *prepare_removepolicyserver(cmdctx *c)
{
    return prepare_policyserver(c, 0);
}

const op ops_pool[] = {
    {GR_F_create_ServerPool, NULL, prepare_create_pool, 0},
    {GR_F_edit_ServerPool, NULL, prepare_edit_pool, 0},
    {GR_F_delete_ServerPool, NULL, prepare_delete_pool, 0},
    {GR_F_addPolicyServer_ServerPool, NULL, prepare_addpolicyserver, 0},
    {GR_F_removePolicyServer_ServerPool, NULL, prepare_removepolicyserver, 0},
    {GR_F_add_Server, NULL, prepare_add_server_any, 0},
    {GR_F_remove_Server, NULL, prepare_remove_server_any, 0},
    {GR_F_create_AntiAffinityGroup, NULL, prepare_create_aag, 0},
    {GR_F_edit_AntiAffinityGroup, NULL, prepare_edit_aag, 0},
    {GR_F_delete_AntiAffinityGroup, NULL, prepare_delete_simple, 0},
    {GR_F_add_Vm, NULL, prepare_add_vm, 0},
    {GR_F_remove_Vm, NULL, prepare_remove_vm, 0},
    OPS_END,
};
