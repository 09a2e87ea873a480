/* Repository: create, edit, delete, and its presentation to servers and pools. */
#include "backend/ops/ops_storage.h"
#include "backend/ops/ocfs2.h"
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

/* ---- Repository ---- */

struct repo_plan {
    char repo_id[64], name[257], fs_location[512], mount_point[128];
    char ocfs2_fs[64];       /* the OCFS2 file system whose LUN header names the repository, or "" */
    agent_target *targets;   /* servers to present to / unpresent from / work on */
    size_t ntargets;
    gplan *g;
};

void repo_plan_free(void *arg)
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
    char owner[64]; /* an OCFS2 repository's first pool (ops_ocfs2_pool.c), or "" */
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

static int present_all(job *j, present_plan *p)
{
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

static int run_present(job *j)
{
    present_plan *p = j->plan;
    int rc = present_all(j, p);
    if (*p->owner) /* even after a partial failure: some servers of the pool have it */
        ocfs2_set_owner(j, p->spec.repo_id, p->owner);
    return rc;
}

/* An export of repo on server (RepositoryExport), or NULL: it goes before the repository does. */
static obj *repo_export_on(engine *e, const obj *repo, const obj *server)
{
    obj **v;
    size_t n = store_find_by(e->st, "RepositoryExport", "repository", repo->id, &v);
    obj *hit = NULL;
    for (size_t i = 0; i < n && !hit; i++)
        if (obj_is(v[i], "server", server->id))
            hit = v[i];
    free(v);
    return hit;
}

/* a VM active on the server uses the repository. */
static obj *repo_in_use_on(engine *e, const obj *repo, const obj *server)
{
    obj **vms;
    size_t n = store_find_by(e->st, "Vm", "server", server->id, &vms);
    obj *hit = NULL;
    for (size_t i = 0; i < n && !hit; i++) {
        obj_status st = status_get(vms[i]);
        if (st != ST_STOPPED && st != ST_TEMPLATE && obj_is(vms[i], "repository", repo->id))
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
    if (add && *obj_gets(repo, "managerUuid") && !obj_is(repo, "managerUuid", c->e->manager_id)) {
        result_fail(c->res, "Repository %s is owned by another Manager (%s); run takeOwnership Repository first",
                    repo->name, obj_gets(repo, "managerUuid"));
        return NULL;
    }
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
        if (add && ocfs2_present_check(c, repo, s, p->owner, sizeof p->owner) != 0)
            goto fail; /* even where it is presented: that fixes the pool of an OCFS2 repository */
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
        obj *x = add ? NULL : repo_export_on(c->e, repo, s);
        if (x) {
            result_fail(c->res, "Server %s exports Repository %s (RepositoryExport %s); delete the export first",
                        s->name, repo->name, x->name);
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
    const job_spec spec = {.operation = add ? "Present" : "Unpresent", .type = "Repository", .fn = run_present,
                           .plan_free = present_plan_free, .kind = p->ntargets > 1 ? "FAN_OUT" : "LEAF"};
    return spec_job(c, &spec, repo->name, p, repo->id, NULL);
fail:
    free(servers);
    present_plan_free(p);
    return NULL;
}

int repo_create_step(job *j, repo_plan *p)
{
    engine *e = j->eng;
    agent_target *t = &p->targets[0];
    long tmo = e->cfg.agent_long_timeout; /* mounting too, as the repository's creation */
    agent_ctx *c = agent_within(AGENT_JOB(j, t), tmo);
    /* The LUN's header names the repository first: a repository on a LUN is never unrecorded there. */
    if (*p->ocfs2_fs && ocfs2_stamp(j, p->ocfs2_fs, p->repo_id, p->name) != 0)
        return -1;
    if (agent_mount_repository_fs(c, p->fs_location, p->mount_point, NULL) != 0 ||
        agent_create_repository(c, p->fs_location, p->mount_point, p->repo_id, p->name, NULL) != 0) {
        agent_unmount_repository_fs(agent_within(AGENT_TRY(e, t, NULL), tmo), p->mount_point, NULL);
        if (*p->ocfs2_fs && ocfs2_stamp(j, p->ocfs2_fs, NULL, NULL) != 0)
            log_warn("create Repository %s: the LUN header still names it", p->name);
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
    free(j->result_obj);
    j->result_obj = xstrdup(p->repo_id);
    return 0;
}

static int run_create_repo(job *j)
{
    return repo_create_step(j, j->plan);
}

const char *repo_plan_id(const repo_plan *p)
{
    return p->repo_id;
}

int repo_name_free(cmdctx *c, const char *name)
{
    if (!name_taken(c->e, "Repository", name, NULL))
        return 1;
    result_fail(c->res, "A Repository named %s already exists", name);
    return 0;
}

repo_plan *repo_plan_new(cmdctx *c, const char *fs_id, const char *fs_location, const char *size, int ocfs2,
                         obj *worker)
{
    repo_plan *p = xcalloc(1, sizeof *p);
    const char *name = gr_get(c->cmd, "name");
    new_object_id(gr_type_find("Repository"), p->repo_id, sizeof p->repo_id);
    if (ocfs2)
        snprintf(p->ocfs2_fs, sizeof p->ocfs2_fs, "%s", fs_id);
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->fs_location, sizeof p->fs_location, "%s", fs_location);
    snprintf(p->mount_point, sizeof p->mount_point, "/OVS/Repositories/%s", p->repo_id);
    p->targets = xcalloc(1, sizeof *p->targets);
    p->ntargets = 1;
    agent_target_of(c->e, worker, &p->targets[0]);
    p->g = gplan_new("Repository", p->repo_id, name);
    gplan_take_attrs(p->g, c->cmd);
    gplan_set(p->g, "fileSystem", fs_id);
    gplan_set(p->g, "size", size);
    gplan_set(p->g, "fsType", ocfs2 ? "OCFS2" : "NFS");
    return p;
}

job *prepare_create_repo(cmdctx *c)
{
    const char *name = gr_get(c->cmd, "name");
    if (!strcmp(c->cmd->ptype->name, "PhysicalDisk"))
        return prepare_create_repo_on_lun(c);
    obj *fs = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!fs || !repo_name_free(c, name))
        return NULL;
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
    obj *s = fs_worker(c->e, fs);
    if (!s) {
        result_fail(c->res, "No owned Running admin server of FileServer %s can reach FileSystem %s",
                    fsrv ? fsrv->name : "", fs->name);
        return NULL;
    }
    if (fs_is_ocfs2(fs) && !obj_is(fs, "managerUuid", c->e->manager_id)) {
        result_fail(c->res, "FileSystem %s is owned by another Manager (%s)", fs->name, obj_gets(fs, "managerUuid"));
        return NULL;
    }
    repo_plan *p = repo_plan_new(c, fs->id, obj_gets(fs, "fsLocation"), obj_gets(fs, "size"), fs_is_ocfs2(fs), s);
    static const job_spec spec = {.operation = "Create", .type = "Repository", .fn = run_create_repo,
                                  .plan_free = repo_plan_free, .kind = "SEQUENCE"};
    return spec_job(c, &spec, name, p, NULL, fs->id, NULL);
}

static int run_delete_repo(job *j)
{
    repo_plan *p = j->plan;
    engine *e = j->eng;
    if (p->ntargets) {
        if (agent_delete_repository(AGENT_JOB(j, &p->targets[0]), p->repo_id, 1, NULL) != 0)
            return -1;
        for (size_t i = 0; i < p->ntargets; i++) {
            char *err = NULL;
            agent_ctx *c = agent_within(AGENT_TRY(e, &p->targets[i], &err), e->cfg.agent_long_timeout);
            if (agent_unmount_repository_fs(c, p->mount_point, NULL) != AGC_OK)
                log_warn("delete Repository %s: unmount on %s: %s", p->name, p->targets[i].name, err ? err : "");
            free(err);
        }
    }
    if (*p->ocfs2_fs && ocfs2_stamp(j, p->ocfs2_fs, NULL, NULL) != 0)
        return -1;
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

job *prepare_delete_repo(cmdctx *c)
{
    obj *repo = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!repo)
        return NULL;
    if (delete_refused(c, repo))
        return NULL;
    repo_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    snprintf(p->name, sizeof p->name, "%s", repo->name);
    snprintf(p->mount_point, sizeof p->mount_point, "/OVS/Repositories/%s", repo->id);
    obj *fs = store_get(c->e->st, obj_gets(repo, "fileSystem"));
    if (fs_is_ocfs2(fs))
        snprintf(p->ocfs2_fs, sizeof p->ocfs2_fs, "%s", fs->id);
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
    static const job_spec spec = {.operation = "Delete", .type = "Repository", .fn = run_delete_repo,
                                  .plan_free = repo_plan_free, .kind = "SEQUENCE"};
    return spec_job(c, &spec, repo->name, p, repo->id, NULL);
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
    if (agent_discover_repositories(AGENT_JOB(j, &p->targets[0]), p->repo_id, &res) != 0)
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

job *prepare_refresh_repo(cmdctx *c)
{
    obj *repo, *s = resolve_repo_worker(c, &repo);
    if (!s)
        return NULL;
    repo_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    snprintf(p->name, sizeof p->name, "%s", repo->name);
    p->targets = xcalloc(1, sizeof *p->targets);
    p->ntargets = 1;
    agent_target_of(c->e, s, &p->targets[0]);
    static const job_spec spec = {.operation = "Refresh", .type = "Repository", .fn = run_refresh_repo,
                                  .plan_free = repo_plan_free, .kind = "SEQUENCE"};
    return spec_job(c, &spec, repo->name, p, repo->id, NULL);
}
