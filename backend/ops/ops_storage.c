/* File servers, file systems, repositories and their presentation, virtual
 * disks and CD-ROMs (doc/object-model.md §6.12, §6.13, §6.16 X-3). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/discover.h"
#include "backend/flows/flow.h"
#include "backend/ops/generic.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "backend/render/show.h"
#include "lib/log.h"
#include "lib/util.h"

#define NFS_PLUGIN "oracle.generic.NFSPlugin.GenericNFSPlugin"
#define REPO_MIN_GIB 10.0

/* ---- helpers ---- */

/* A running owned server that has repo presented, utility role first. */
static obj *repo_worker(engine *e, const obj *repo)
{
    char **ids;
    size_t n = split_list(obj_get(repo, "presentedServers"), &ids);
    obj *pick = NULL;
    for (size_t i = 0; i < n; i++) {
        obj *s = store_get(e->st, ids[i]);
        if (s && server_usable(s) && (!pick || (strstr(obj_gets(s, "roles"), "UTILITY") &&
                                                !strstr(obj_gets(pick, "roles"), "UTILITY"))))
            pick = s;
    }
    free_list(ids, n);
    return pick;
}

static xr_value *ss_struct(engine *e, const obj *fs)
{
    obj *fsrv = store_get(e->st, obj_gets(fs, "fileServer"));
    xr_value *ss = xr_struct();
    xr_struct_set(ss, "uuid", xr_string(fsrv ? fsrv->id : ""));
    xr_struct_set(ss, "name", xr_string(fsrv ? fsrv->name : ""));
    xr_struct_set(ss, "access_host", xr_string(fsrv ? obj_gets(fsrv, "accessHost") : ""));
    xr_struct_set(ss, "storage_type", xr_string("FileSys"));
    return ss;
}

static xr_value *sd_struct(engine *e, const obj *fs)
{
    xr_value *sd = xr_struct();
    char dashed[48] = "";
    if (strlen(fs->id) >= 32)
        ovm_dashed_id(fs->id, dashed, sizeof dashed);
    xr_struct_set(sd, "uuid", xr_string(dashed));
    xr_struct_set(sd, "ss_uuid", xr_string(obj_gets(fs, "fileServer")));
    xr_struct_set(sd, "access_path", xr_string(obj_gets(fs, "fsLocation")));
    xr_struct_set(sd, "name", xr_string(fs->name));
    return sd;
}

static double repo_free_gib(engine *e, const obj *repo)
{
    double free_gib = strtod(obj_gets(repo, "size"), NULL);
    obj **disks;
    size_t n = store_find_by(e->st, "VirtualDisk", "repository", repo->id, &disks);
    for (size_t i = 0; i < n; i++)
        if (!obj_is(disks[i], "sparse", "Yes"))
            free_gib -= strtod(obj_gets(disks[i], "size"), NULL);
    free(disks);
    return free_gib < 0 ? 0 : free_gib;
}

static void update_repo_free(engine *e, obj *repo)
{
    char buf[64];
    fmt_gib(repo_free_gib(e, repo), buf, sizeof buf);
    obj_set(e->st, repo, "free", buf);
}

/* ---- FileServer ---- */

static job *prepare_create_fileserver(cmdctx *c)
{
    const char *name = gr_get(c->cmd, "name");
    if (name_taken(c->e, "FileServer", name, NULL)) {
        result_fail(c->res, "A FileServer named %s already exists", name);
        return NULL;
    }
    char id[64];
    new_object_id(c->cmd->type, id, sizeof id);
    gplan *p = gplan_new("FileServer", id, name);
    gplan_take_attrs(p, c->cmd);
    const char *admins = gr_get(c->cmd, "adminServers");
    if (admins) {
        char **names;
        size_t n = split_list(admins, &names);
        char *ids = xstrdup("");
        int ok = 1;
        for (size_t i = 0; i < n && ok; i++) {
            obj *s = resolve_ref(c, "Server", names[i]);
            if (!s) {
                ok = 0;
                break;
            }
            char *next = *ids ? xasprintf("%s,%s", ids, s->id) : xstrdup(s->id);
            free(ids);
            ids = next;
        }
        free_list(names, n);
        if (!ok) {
            free(ids);
            gplan_free(p);
            return NULL;
        }
        gplan_set(p, "adminServers", ids);
        free(ids);
    }
    job *j = cmd_job(c, "Create", "FileServer", name, NULL, NULL);
    j->fn = gplan_run_create;
    j->plan = p;
    j->plan_free = gplan_free;
    return j;
}

/* addAdminServer / removeAdminServer FileServer: the admin servers are the
 * ones that refresh the file server and reach its file systems. */
typedef struct admin_plan {
    char fileserver[64];
    char server[64];
    int add;
} admin_plan;

static int run_admin_server(job *j)
{
    admin_plan *p = j->plan;
    engine *e = j->eng;
    store_wrlock(e->st);
    obj *fsrv = store_get(e->st, p->fileserver);
    if (fsrv) {
        store_set_actor(e->st, j->id);
        store_begin(e->st);
        if (p->add)
            obj_list_add(e->st, fsrv, "adminServers", p->server);
        else
            obj_list_remove(e->st, fsrv, "adminServers", p->server);
        store_commit(e->st);
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
    if (!fsrv) {
        job_fail(j, "Job failed: FileServer %s no longer exists", p->fileserver);
        return -1;
    }
    return 0;
}

static job *prepare_admin_server(cmdctx *c, int add)
{
    obj *fsrv = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *s = fsrv ? resolve_ref(c, "Server", gr_get(c->cmd, "server")) : NULL;
    if (!s)
        return NULL;
    int listed = obj_list_has(fsrv, "adminServers", s->id);
    if (add && listed) {
        result_fail(c->res, "Server %s is already an admin server of FileServer %s", s->name, fsrv->name);
        return NULL;
    }
    if (!add && !listed) {
        result_fail(c->res, "Server %s is not an admin server of FileServer %s", s->name, fsrv->name);
        return NULL;
    }
    admin_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->fileserver, sizeof p->fileserver, "%s", fsrv->id);
    snprintf(p->server, sizeof p->server, "%s", s->id);
    p->add = add;
    job *j = cmd_job(c, add ? "Add Admin Server" : "Remove Admin Server", "FileServer", fsrv->name, fsrv->id, NULL);
    j->fn = run_admin_server;
    j->plan = p;
    j->plan_free = free;
    return j;
}

static job *prepare_add_admin_server(cmdctx *c)
{
    return prepare_admin_server(c, 1);
}

static job *prepare_remove_admin_server(cmdctx *c)
{
    return prepare_admin_server(c, 0);
}

static job *prepare_edit_named(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    return o ? gplan_prepare_edit(c, o, !strcmp(o->type, "FileServer") || !strcmp(o->type, "Repository")) : NULL;
}

static job *prepare_delete_fileserver(cmdctx *c)
{
    obj *fsrv = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!fsrv)
        return NULL;
    obj **fsv;
    size_t n = store_find_by(c->e->st, "FileSystem", "fileServer", fsrv->id, &fsv);
    for (size_t i = 0; i < n; i++) {
        obj **repos;
        size_t nr = store_find_by(c->e->st, "Repository", "fileSystem", fsv[i]->id, &repos);
        if (nr) {
            result_fail(c->res, "Cannot delete FileServer %s: it is in use by Repository %s", fsrv->name,
                        repos[0]->name);
            free(repos);
            free(fsv);
            return NULL;
        }
        free(repos);
    }
    free(fsv);
    return gplan_delete_job(c, fsrv);
}

typedef struct fs_plan {
    agent_target t;
    char fileserver[64], access_host[256], fs_id[64];
    gplan *g;
} fs_plan;

static void fs_plan_free(void *arg)
{
    fs_plan *p = arg;
    if (p) {
        gplan_free(p->g);
        free(p);
    }
}

static void record_export(engine *e, const char *fileserver, const char *access_host, const xr_value *sd)
{
    const char *path = xr_get_str(xr_struct_get(sd, "access_path"));
    if (!path)
        return;
    const char *colon = strchr(path, ':');
    const char *export = colon ? colon + 1 : path;
    char *name = xasprintf("nfs:%s", export);
    obj **fsv;
    size_t n = store_find_by(e->st, "FileSystem", "fileServer", fileserver, &fsv);
    obj *fs = NULL;
    for (size_t i = 0; i < n && !fs; i++)
        if (obj_is(fsv[i], "path", export))
            fs = fsv[i];
    free(fsv);
    if (!fs) {
        char id[64];
        ovm_new_id("0005", "", id, sizeof id);
        fs = store_create(e->st, "FileSystem", id, name);
        obj_setf(e->st, fs, "created", "%lld", (long long)ovm_unique_ms_id());
        obj_set(e->st, fs, "fileServer", fileserver);
        obj_set(e->st, fs, "path", export);
    }
    obj_setf(e->st, fs, "fsLocation", "%s:%s", access_host, export);
    int64_t sz = 0, fr = 0;
    if (!xr_get_int64(xr_struct_get(sd, "size"), &sz))
        obj_setf(e->st, fs, "size", "%.1f", (double)sz / 1073741824.0);
    if (!xr_get_int64(xr_struct_get(sd, "free_sz"), &fr))
        obj_setf(e->st, fs, "free", "%.1f", (double)fr / 1073741824.0);
    obj_setf(e->st, fs, "lastRefresh", "%lld", (long long)ovm_now_ms());
    free(name);
}

static int run_refresh_fileserver(job *j)
{
    fs_plan *p = j->plan;
    engine *e = j->eng;
    xr_value *ss = xr_struct();
    xr_struct_set(ss, "uuid", xr_string(p->fileserver));
    xr_struct_set(ss, "access_host", xr_string(p->access_host));
    xr_struct_set(ss, "storage_type", xr_string("FileSys"));
    xr_value *res = NULL;
    if (agent_job_call(j, &p->t, "storage_plugin_listFileSystems", e->cfg.agent_call_timeout, &res, 2,
                       xr_string(NFS_PLUGIN), ss) != 0)
        return -1;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    for (size_t i = 0; res->type == XR_ARRAY && i < res->n; i++)
        record_export(e, p->fileserver, p->access_host, res->items[i]);
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    xr_free(res);
    return 0;
}

/* An owned, running admin server of the file server. */
static obj *admin_server(engine *e, const obj *fsrv)
{
    char **ids;
    size_t n = split_list(obj_get(fsrv, "adminServers"), &ids);
    obj *pick = NULL;
    for (size_t i = 0; i < n && !pick; i++) {
        obj *s = store_get(e->st, ids[i]);
        if (s && server_usable(s))
            pick = s;
    }
    free_list(ids, n);
    return pick;
}

static job *prepare_refresh_fileserver(cmdctx *c)
{
    obj *fsrv = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!fsrv)
        return NULL;
    obj *s = admin_server(c->e, fsrv);
    if (!s) {
        result_fail(c->res, "No owned Running admin server of FileServer %s can reach its file systems", fsrv->name);
        return NULL;
    }
    fs_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->fileserver, sizeof p->fileserver, "%s", fsrv->id);
    snprintf(p->access_host, sizeof p->access_host, "%s", obj_gets(fsrv, "accessHost"));
    job *j = cmd_job(c, "Refresh", "FileServer", fsrv->name, fsrv->id, NULL);
    j->kind = "FAN_OUT";
    j->fn = run_refresh_fileserver;
    j->plan = p;
    j->plan_free = fs_plan_free;
    return j;
}

static job *prepare_refresh_filesystem(cmdctx *c)
{
    obj *fs = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!fs)
        return NULL;
    obj *fsrv = store_get(c->e->st, obj_gets(fs, "fileServer"));
    obj *s = fsrv ? admin_server(c->e, fsrv) : NULL;
    if (!s) {
        result_fail(c->res, "No owned Running admin server of FileServer %s can reach FileSystem %s",
                    fsrv ? fsrv->name : "", fs->name);
        return NULL;
    }
    fs_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->fileserver, sizeof p->fileserver, "%s", fsrv->id);
    snprintf(p->access_host, sizeof p->access_host, "%s", obj_gets(fsrv, "accessHost"));
    job *j = cmd_job(c, "Refresh", "FileSystem", fs->name, fs->id, NULL);
    j->fn = run_refresh_fileserver;
    j->plan = p;
    j->plan_free = fs_plan_free;
    return j;
}

static job *prepare_delete_filesystem(cmdctx *c)
{
    obj *fs = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!fs)
        return NULL;
    obj **repos;
    size_t n = store_find_by(c->e->st, "Repository", "fileSystem", fs->id, &repos);
    if (n) {
        result_fail(c->res, "Cannot delete FileSystem %s: it is in use by Repository %s", fs->name, repos[0]->name);
        free(repos);
        return NULL;
    }
    free(repos);
    return gplan_delete_job(c, fs);
}

/* ---- Repository ---- */

typedef struct repo_plan {
    char repo_id[64], name[257], fs_location[512], mount_point[128];
    agent_target *targets;   /* servers to present to / unpresent from / work on */
    size_t ntargets;
    gplan *g;
} repo_plan;

static void repo_plan_free(void *arg)
{
    repo_plan *p = arg;
    if (p) {
        free(p->targets);
        gplan_free(p->g);
        free(p);
    }
}

/* Presenting or unpresenting one repository to servers (flow_present.c per server). */
typedef struct present_plan {
    present_spec spec;
    char name[257];
    agent_target *targets;
    size_t ntargets;
    int add;
} present_plan;

static void present_plan_free(void *arg)
{
    present_plan *p = arg;
    if (p) {
        free(p->targets);
        free(p);
    }
}

typedef struct child_ctx {
    present_plan *p;
    agent_target *t;
} child_ctx;

static int child_present(job *c)
{
    child_ctx *cc = c->plan;
    return present_repository(c, &cc->p->spec, cc->t, cc->p->add);
}

static int run_present(job *j)
{
    present_plan *p = j->plan;
    if (p->ntargets == 1)
        return present_repository(j, &p->spec, &p->targets[0], p->add);
    int failed = 0;
    for (size_t i = 0; i < p->ntargets; i++) {
        child_ctx cc = {p, &p->targets[i]};
        char *name = xasprintf("%s Repository: %s %s Server: %s", p->add ? "Present" : "Unpresent", p->name,
                               p->add ? "to" : "from", p->targets[i].name);
        if (job_run_child(j, name, p->targets[i].id, child_present, &cc) != 0)
            failed = 1;
        free(name);
    }
    return failed ? -1 : 0;
}

/* a VM active on the server uses the repository. */
static obj *repo_in_use_on(engine *e, const obj *repo, const obj *server)
{
    obj **vms;
    size_t n = store_find_by(e->st, "Vm", "server", server->id, &vms);
    obj *hit = NULL;
    for (size_t i = 0; i < n && !hit; i++) {
        const char *st = status_of(vms[i]);
        if (strcmp(st, "Stopped") && strcmp(st, "Template") && obj_is(vms[i], "repository", repo->id))
            hit = vms[i];
    }
    free(vms);
    return hit;
}

job *present_prepare(cmdctx *c, int add)
{
    obj *child = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *repo = child ? resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance) : NULL;
    if (!repo) /* a Repository: prepare_add_server takes the ServerPool parent */
        return NULL;
    obj **servers;
    size_t n;
    if (!strcmp(child->type, "ServerPool")) {
        n = store_find_by(c->e->st, "Server", "serverPool", child->id, &servers);
    } else {
        servers = xmalloc(sizeof *servers);
        servers[0] = child;
        n = 1;
    }
    present_plan *p = xcalloc(1, sizeof *p);
    present_spec_of(c->e, repo, &p->spec);
    snprintf(p->name, sizeof p->name, "%s", repo->name);
    p->add = add;
    p->targets = xcalloc(n ? n : 1, sizeof *p->targets);
    for (size_t i = 0; i < n; i++) {
        obj *s = servers[i];
        int presented = obj_list_has(repo, "presentedServers", s->id);
        if (add && presented)
            continue; /* */
        if (!add && !presented) {
            result_fail(c->res, "Repository %s is not presented to Server %s", repo->name, s->name);
            goto fail;
        }
        if (add && !obj_is(s, "ownership", "Owned")) {
            /* §0.4: nothing reaches a server this Manager does not own */
            result_fail(c->res, "Server %s is not owned by this Manager; take ownership first", s->name);
            goto fail;
        }
        if (add && !server_usable(s)) {
            result_fail(c->res, "Server %s must be owned and Running to present Repository %s", s->name, repo->name);
            goto fail;
        }
        obj *vm = add ? NULL : repo_in_use_on(c->e, repo, s);
        if (vm) {
            result_fail(c->res, "Server %s runs Vm %s, which uses Repository %s; stop or migrate it first", s->name,
                        vm->name, repo->name);
            goto fail;
        }
        agent_target_of(c->e, s, &p->targets[p->ntargets++]);
    }
    free(servers);
    job *j = cmd_job(c, add ? "Present" : "Unpresent", "Repository", repo->name, repo->id, NULL);
    j->kind = p->ntargets > 1 ? "FAN_OUT" : "LEAF";
    j->fn = run_present;
    j->plan = p;
    j->plan_free = present_plan_free;
    return j;
fail:
    free(servers);
    present_plan_free(p);
    return NULL;
}

static int run_create_repo(job *j)
{
    repo_plan *p = j->plan;
    engine *e = j->eng;
    agent_target *t = &p->targets[0];
    long tmo = e->cfg.agent_long_timeout;
    if (agent_job_call(j, t, "mount_repository_fs", tmo, NULL, 2, xr_string(p->fs_location),
                       xr_string(p->mount_point)) != 0)
        return -1;
    if (agent_job_call(j, t, "create_repository", tmo, NULL, 4, xr_string(p->fs_location), xr_string(p->mount_point),
                       xr_string(p->repo_id), xr_string(p->name)) != 0) {
        char *err = NULL;
        agent_try_call(e, t, "unmount_repository_fs", tmo, NULL, &err, 1, xr_string(p->mount_point));
        free(err);
        return -1;
    }
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *r = store_create(e->st, "Repository", p->repo_id, p->name);
    obj_setf(e->st, r, "created", "%lld", (long long)ovm_unique_ms_id());
    for (size_t i = 0; i < p->g->n; i++)
        if (p->g->vals[i][0])
            obj_set(e->st, r, p->g->keys[i], p->g->vals[i]);
    obj_set(e->st, r, "managerUuid", e->manager_id);
    obj_set(e->st, r, "presentedServers", t->id);
    update_repo_free(e, r);
    obj *fs = store_get(e->st, obj_gets(r, "fileSystem"));
    if (fs)
        obj_set(e->st, fs, "usage", "REPOSITORY");
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    j->result_obj = xstrdup(p->repo_id);
    return 0;
}

static job *prepare_create_repo(cmdctx *c)
{
    const char *name = gr_get(c->cmd, "name");
    if (strcmp(c->cmd->ptype->name, "FileSystem") != 0) {
        result_fail(c->res, "Repositories on %s are not supported by this Manager; use 'on FileSystem <instance>'",
                    c->cmd->ptype->name);
        return NULL;
    }
    obj *fs = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!fs)
        return NULL;
    if (name_taken(c->e, "Repository", name, NULL)) {
        result_fail(c->res, "A Repository named %s already exists", name);
        return NULL;
    }
    obj **users;
    size_t n = store_find_by(c->e->st, "Repository", "fileSystem", fs->id, &users);
    if (n) {
        result_fail(c->res, "Cannot use FileSystem %s: it is in use by Repository %s", fs->name, users[0]->name);
        free(users);
        return NULL;
    }
    free(users);
    double size = strtod(obj_gets(fs, "size"), NULL);
    if (size < REPO_MIN_GIB) {
        char buf[64];
        fmt_gib(size, buf, sizeof buf);
        result_fail(c->res, "FileSystem %s has %s GiB; a repository needs at least 10 GiB", fs->name, buf);
        return NULL;
    }
    obj *fsrv = store_get(c->e->st, obj_gets(fs, "fileServer"));
    obj *s = fsrv ? admin_server(c->e, fsrv) : NULL;
    if (!s) {
        result_fail(c->res, "No owned Running admin server of FileServer %s can reach FileSystem %s",
                    fsrv ? fsrv->name : "", fs->name);
        return NULL;
    }
    repo_plan *p = xcalloc(1, sizeof *p);
    ovm_new_id("0003", "", p->repo_id, sizeof p->repo_id);
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->fs_location, sizeof p->fs_location, "%s", obj_gets(fs, "fsLocation"));
    snprintf(p->mount_point, sizeof p->mount_point, "/OVS/Repositories/%s", p->repo_id);
    p->targets = xcalloc(1, sizeof *p->targets);
    p->ntargets = 1;
    agent_target_of(c->e, s, &p->targets[0]);
    p->g = gplan_new("Repository", p->repo_id, name);
    gplan_take_attrs(p->g, c->cmd);
    gplan_set(p->g, "fileSystem", fs->id);
    gplan_set(p->g, "size", obj_gets(fs, "size"));
    job *j = cmd_job(c, "Create", "Repository", name, NULL, fs->id, NULL);
    j->kind = "SEQUENCE";
    j->fn = run_create_repo;
    j->plan = p;
    j->plan_free = repo_plan_free;
    return j;
}

static int run_delete_repo(job *j)
{
    repo_plan *p = j->plan;
    engine *e = j->eng;
    long tmo = e->cfg.agent_long_timeout;
    if (p->ntargets) {
        if (agent_job_call(j, &p->targets[0], "delete_repository", tmo, NULL, 2, xr_string(p->repo_id),
                           xr_bool(1)) != 0)
            return -1;
        for (size_t i = 0; i < p->ntargets; i++) {
            char *err = NULL;
            if (agent_try_call(e, &p->targets[i], "unmount_repository_fs", tmo, NULL, &err, 1,
                               xr_string(p->mount_point)) != AGC_OK)
                log_warn("delete Repository %s: unmount on %s: %s", p->name, p->targets[i].name, err ? err : "");
            free(err);
        }
    }
    store_wrlock(e->st);
    store_begin(e->st);
    obj *r = store_get(e->st, p->repo_id);
    if (r) {
        obj *fs = store_get(e->st, obj_gets(r, "fileSystem"));
        if (fs)
            obj_set(e->st, fs, "usage", "NONE");
        store_delete(e->st, r);
    }
    store_commit(e->st);
    store_unlock(e->st);
    return 0;
}

static job *prepare_delete_repo(cmdctx *c)
{
    obj *repo = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!repo)
        return NULL;
    static const char *kinds[] = {"Vm", "VirtualDisk", "VirtualCdrom", NULL};
    for (const char **k = kinds; *k; k++) {
        obj **v;
        size_t n = store_find_by(c->e->st, *k, "repository", repo->id, &v);
        if (n) {
            result_fail(c->res, "Cannot delete Repository %s: it is in use by %s %s", repo->name, *k, v[0]->name);
            free(v);
            return NULL;
        }
        free(v);
    }
    repo_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    snprintf(p->name, sizeof p->name, "%s", repo->name);
    snprintf(p->mount_point, sizeof p->mount_point, "/OVS/Repositories/%s", repo->id);
    char **ids;
    size_t n = split_list(obj_get(repo, "presentedServers"), &ids);
    p->targets = xcalloc(n ? n : 1, sizeof *p->targets);
    for (size_t i = 0; i < n; i++) {
        obj *s = store_get(c->e->st, ids[i]);
        if (s && server_usable(s))
            agent_target_of(c->e, s, &p->targets[p->ntargets++]);
    }
    free_list(ids, n);
    if (n && !p->ntargets) {
        result_fail(c->res, "Cannot delete Repository %s: none of its servers is owned and Running", repo->name);
        repo_plan_free(p);
        return NULL;
    }
    job *j = cmd_job(c, "Delete", "Repository", repo->name, repo->id, NULL);
    j->kind = "SEQUENCE";
    j->fn = run_delete_repo;
    j->plan = p;
    j->plan_free = repo_plan_free;
    return j;
}

static void sync_files(engine *e, const char *repo_id, const char *type, char **files, size_t n)
{
    obj **have;
    size_t nh = store_find_by(e->st, type, "repository", repo_id, &have);
    for (size_t i = 0; i < n; i++) {
        if (store_get(e->st, files[i]))
            continue;
        obj *o = store_create(e->st, type, files[i], files[i]);
        obj_setf(e->st, o, "created", "%lld", (long long)ovm_unique_ms_id());
        obj_set(e->st, o, "repository", repo_id);
        if (!strcmp(type, "VirtualDisk")) {
            obj_set(e->st, o, "sparse", "Yes");
            obj_set(e->st, o, "shareable", "No");
            obj_set(e->st, o, "size", "0.0");
        }
    }
    /* files gone from the repository: metadata wins, unless a VM still maps them */
    for (size_t k = 0; k < nh; k++) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = !strcmp(have[k]->id, files[i]);
        obj **maps;
        size_t nm = store_find_by(e->st, "VmDiskMapping", !strcmp(type, "VirtualDisk") ? "virtualDisk" : "virtualCdrom",
                                  have[k]->id, &maps);
        free(maps);
        if (!found && !nm)
            store_delete(e->st, have[k]);
    }
    free(have);
}

static int run_refresh_repo(job *j)
{
    repo_plan *p = j->plan;
    engine *e = j->eng;
    xr_value *res = NULL;
    if (agent_job_call(j, &p->targets[0], "discover_repositories", e->cfg.agent_call_timeout, &res, 1,
                       xr_string(p->repo_id)) != 0)
        return -1;
    repo_files rf;
    char *err = NULL;
    const char *xml = xr_get_str(res);
    int rc = xml ? parse_discover_repositories(xml, p->repo_id, &rf, &err) : -1;
    xr_free(res);
    if (rc != 0) {
        job_fail(j, "Job failed on Server %s: %s", p->targets[0].name, err ? err : "no repository document");
        free(err);
        return -1;
    }
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    sync_files(e, p->repo_id, "VirtualDisk", rf.disks, rf.ndisks);
    sync_files(e, p->repo_id, "VirtualCdrom", rf.isos, rf.nisos);
    obj *r = store_get(e->st, p->repo_id);
    if (r)
        update_repo_free(e, r);
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    repo_files_free(&rf);
    return 0;
}

static job *prepare_refresh_repo(cmdctx *c)
{
    obj *repo = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!repo)
        return NULL;
    obj *s = repo_worker(c->e, repo);
    if (!s) {
        result_fail(c->res, "Repository %s is not presented to any owned Running server", repo->name);
        return NULL;
    }
    repo_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    snprintf(p->name, sizeof p->name, "%s", repo->name);
    p->targets = xcalloc(1, sizeof *p->targets);
    p->ntargets = 1;
    agent_target_of(c->e, s, &p->targets[0]);
    job *j = cmd_job(c, "Refresh", "Repository", repo->name, repo->id, NULL);
    j->kind = "SEQUENCE";
    j->fn = run_refresh_repo;
    j->plan = p;
    j->plan_free = repo_plan_free;
    return j;
}

/* ---- VirtualDisk ---- */

typedef struct disk_plan {
    agent_target t;
    char repo_id[64], disk_id[64], src_id[64], src_repo[64];
    xr_value *ss, *sd;
    long long bytes;
    int sparse;
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
    int rc = agent_job_call(j, &p->t, "storage_plugin_create", e->cfg.agent_long_timeout, NULL, 6,
                            xr_string(NFS_PLUGIN), xr_copy(p->ss), xr_copy(p->sd), xr_string(path), xr_string("File"),
                            xr_int(p->bytes));
    free(path);
    if (rc != 0)
        return -1;
    j->plan = p->g;
    gplan_run_create(j);
    j->plan = p;
    store_wrlock(e->st);
    obj *r = store_get(e->st, p->repo_id);
    if (r)
        update_repo_free(e, r);
    store_unlock(e->st);
    return 0;
}

static disk_plan *disk_plan_for_repo(cmdctx *c, obj *repo)
{
    obj *s = repo_worker(c->e, repo);
    if (!s) {
        result_fail(c->res, "Repository %s is not presented to any owned Running server", repo->name);
        return NULL;
    }
    obj *fs = store_get(c->e->st, obj_gets(repo, "fileSystem"));
    disk_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    p->ss = fs ? ss_struct(c->e, fs) : xr_struct();
    p->sd = fs ? sd_struct(c->e, fs) : xr_struct();
    return p;
}

static int check_space(cmdctx *c, obj *repo, double need)
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

static job *prepare_create_disk(cmdctx *c)
{
    obj *repo = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!repo)
        return NULL;
    double gib = strtod(gr_get(c->cmd, "size"), NULL);
    int sparse = !strcmp(gr_get(c->cmd, "sparse"), "Yes");
    if (!sparse && check_space(c, repo, gib))
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
    job *j = cmd_job(c, "Create", "VirtualDisk", name, NULL, sparse ? NULL : repo->id, NULL);
    j->fn = run_create_disk;
    j->plan = p;
    j->plan_free = disk_plan_free;
    return j;
}

static size_t disk_mappings(engine *e, const obj *disk, obj ***out)
{
    return store_find_by(e->st, "VmDiskMapping", "virtualDisk", disk->id, out);
}

static job *prepare_edit_disk(cmdctx *c)
{
    obj *d = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!d)
        return NULL;
    obj **maps;
    size_t nm = disk_mappings(c->e, d, &maps);
    const char *size = gr_get(c->cmd, "size");
    if (size) {
        double cur = strtod(obj_gets(d, "size"), NULL), want = (double)disk_bytes(strtod(size, NULL)) / 1073741824.0;
        if (want < cur) {
            char a[64], b[64];
            fmt_gib(cur, a, sizeof a);
            fmt_gib(want, b, sizeof b);
            result_fail(c->res, "VirtualDisk %s cannot shrink from %s GiB to %s GiB", d->name, a, b);
            free(maps);
            return NULL;
        }
        for (size_t i = 0; i < nm; i++) {
            obj *vm = store_get(c->e->st, obj_gets(maps[i], "vm"));
            if (vm && !obj_is(vm, "status", "Stopped")) {
                result_fail(c->res, "VirtualDisk %s is used by Vm %s, which is %s; stop it before resizing", d->name,
                            vm->name, status_of(vm));
                free(maps);
                return NULL;
            }
        }
    }
    const char *share = gr_get(c->cmd, "shareable");
    if (share && !strcmp(share, "No") && nm > 1) {
        result_fail(c->res, "VirtualDisk %s is mapped by %zu Vms; unmap all but one first", d->name, nm);
        free(maps);
        return NULL;
    }
    free(maps);
    job *j = gplan_prepare_edit(c, d, 0);
    if (j && size) {
        gplan *g = j->plan;
        char buf[64];
        fmt_gib((double)disk_bytes(strtod(size, NULL)) / 1073741824.0, buf, sizeof buf);
        gplan_set(g, "size", buf);
    }
    return j;
}

static int run_delete_disk(job *j)
{
    disk_plan *p = j->plan;
    engine *e = j->eng;
    xr_value *fp = xr_struct();
    char *path = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", p->repo_id, p->disk_id);
    xr_struct_set(fp, "fr_type", xr_string("File"));
    xr_struct_set(fp, "file_path", xr_string(path));
    free(path);
    if (agent_job_call(j, &p->t, "storage_plugin_destroy", e->cfg.agent_long_timeout, NULL, 4, xr_string(NFS_PLUGIN),
                       xr_copy(p->ss), xr_copy(p->sd), fp) != 0)
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

/* The VM (first in list order) of the mappings maps: the "in use by" texts
 * name the same VM every time, whatever the mapping ids are. */
static obj *first_mapping_vm(engine *e, obj **maps, size_t n)
{
    obj *best = NULL;
    for (size_t i = 0; i < n; i++) {
        obj *vm = store_get(e->st, obj_gets(maps[i], "vm"));
        if (vm && (!best || ovm_strcasecmp(vm->name, best->name) < 0 ||
                   (!ovm_strcasecmp(vm->name, best->name) && strcmp(vm->id, best->id) < 0)))
            best = vm;
    }
    return best;
}

static job *prepare_delete_disk(cmdctx *c)
{
    obj *d = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!d)
        return NULL;
    obj **maps;
    size_t nm = disk_mappings(c->e, d, &maps);
    if (nm) {
        obj *vm = first_mapping_vm(c->e, maps, nm);
        result_fail(c->res, "Cannot delete VirtualDisk %s: it is in use by Vm %s", d->name, vm ? vm->name : "?");
        free(maps);
        return NULL;
    }
    free(maps);
    obj *repo = store_get(c->e->st, obj_gets(d, "repository"));
    if (!repo) {
        result_fail(c->res, "VirtualDisk %s has no repository", d->name);
        return NULL;
    }
    disk_plan *p = disk_plan_for_repo(c, repo);
    if (!p)
        return NULL;
    snprintf(p->disk_id, sizeof p->disk_id, "%s", d->id);
    job *j = cmd_job(c, "Delete", "VirtualDisk", d->name, d->id, NULL);
    j->fn = run_delete_disk;
    j->plan = p;
    j->plan_free = disk_plan_free;
    return j;
}

static int run_clone_disk(job *j)
{
    disk_plan *p = j->plan;
    engine *e = j->eng;
    char *src = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", p->src_repo, p->src_id);
    char *dst = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", p->repo_id, p->disk_id);
    int rc = agent_job_call(j, &p->t, "copy_file", e->cfg.agent_long_timeout, NULL, 3, xr_string(src), xr_string(dst),
                            xr_bool(p->sparse));
    free(src);
    free(dst);
    if (rc != 0)
        return -1;
    j->plan = p->g;
    gplan_run_create(j);
    j->plan = p;
    return 0;
}

static job *prepare_clone_disk(cmdctx *c)
{
    obj *d = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *target = d ? resolve_ref(c, "Repository", gr_get(c->cmd, "target")) : NULL;
    if (!target)
        return NULL;
    const char *type = gr_get(c->cmd, "cloneType");
    if (!strcmp(type, "THIN_CLONE")) {
        result_fail(c->res, "THIN_CLONE needs source and target in the same OCFS2 repository on non-generic storage");
        return NULL;
    }
    int sparse = !strcmp(type, "SPARSE_COPY");
    if (!sparse && check_space(c, target, strtod(obj_gets(d, "size"), NULL)))
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
    ovm_new_id("0012", ".img", p->disk_id, sizeof p->disk_id);
    snprintf(p->src_id, sizeof p->src_id, "%s", d->id);
    snprintf(p->src_repo, sizeof p->src_repo, "%s", obj_gets(d, "repository"));
    p->sparse = sparse;
    const char *name = gr_get(c->cmd, "name");
    char *defname = xasprintf("%s (clone)", d->name);
    p->g = gplan_new("VirtualDisk", p->disk_id, name ? name : defname);
    free(defname);
    gplan_set(p->g, "size", obj_gets(d, "size"));
    gplan_set(p->g, "sparse", sparse ? "Yes" : "No");
    gplan_set(p->g, "shareable", obj_gets(d, "shareable"));
    gplan_set(p->g, "description", obj_gets(d, "description"));
    gplan_set(p->g, "repository", target->id);
    job *j = cmd_job(c, "Clone", "VirtualDisk", d->name, d->id, target->id, NULL);
    j->fn = run_clone_disk;
    j->plan = p;
    j->plan_free = disk_plan_free;
    return j;
}

static job *prepare_delete_cdrom(cmdctx *c)
{
    obj *d = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!d)
        return NULL;
    obj **maps;
    size_t nm = store_find_by(c->e->st, "VmDiskMapping", "virtualCdrom", d->id, &maps);
    if (nm) {
        obj *vm = first_mapping_vm(c->e, maps, nm);
        result_fail(c->res, "Cannot delete VirtualCdrom %s: it is in use by Vm %s", d->name, vm ? vm->name : "?");
        free(maps);
        return NULL;
    }
    free(maps);
    return gplan_delete_job(c, d);
}

static job *prepare_add_pool_repo(cmdctx *c)
{
    return present_prepare(c, 1);
}

static job *prepare_remove_pool_repo(cmdctx *c)
{
    return present_prepare(c, 0);
}

const op ops_storage[] = {
    {GR_F_create_FileServer, NULL, prepare_create_fileserver, 0},
    {GR_F_edit_FileServer, NULL, prepare_edit_named, 0},
    {GR_F_delete_FileServer, NULL, prepare_delete_fileserver, 0},
    {GR_F_refresh_FileServer, NULL, prepare_refresh_fileserver, 0},
    {GR_F_addAdminServer_FileServer, NULL, prepare_add_admin_server, 0},
    {GR_F_removeAdminServer_FileServer, NULL, prepare_remove_admin_server, 0},
    {GR_F_refresh_FileSystem, NULL, prepare_refresh_filesystem, 0},
    {GR_F_delete_FileSystem, NULL, prepare_delete_filesystem, 0},
    {GR_F_create_Repository, NULL, prepare_create_repo, 0},
    {GR_F_edit_Repository, NULL, prepare_edit_named, 0},
    {GR_F_delete_Repository, NULL, prepare_delete_repo, 0},
    {GR_F_refresh_Repository, NULL, prepare_refresh_repo, 0},
    {GR_F_add_ServerPool, NULL, prepare_add_pool_repo, 0},
    {GR_F_remove_ServerPool, NULL, prepare_remove_pool_repo, 0},
    {GR_F_create_VirtualDisk, NULL, prepare_create_disk, 0},
    {GR_F_edit_VirtualDisk, NULL, prepare_edit_disk, 0},
    {GR_F_delete_VirtualDisk, NULL, prepare_delete_disk, 0},
    {GR_F_clone_VirtualDisk, NULL, prepare_clone_disk, 0},
    {GR_F_delete_VirtualCdrom, NULL, prepare_delete_cdrom, 0},
    OPS_END,
};
