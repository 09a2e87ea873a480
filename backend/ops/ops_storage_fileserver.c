/* FileServer and its file systems: create, edit, delete, refresh. */
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

/* ---- FileServer ---- */

job *prepare_create_fileserver(cmdctx *c)
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
    static const job_spec spec = {.operation = "Create", .type = "FileServer", .fn = gplan_run_create,
                                  .plan_free = gplan_free};
    return spec_job(c, &spec, name, p, NULL, NULL);
}

/* addAdminServer / removeAdminServer FileServer or StorageArray: the admin
 * servers are the ones that refresh the server or array and reach its file
 * systems or LUNs. */
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
        job_fail(j, "Job failed: %s no longer exists", p->fileserver);
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
        result_fail(c->res, "Server %s is already an admin server of %s %s", s->name, fsrv->type, fsrv->name);
        return NULL;
    }
    if (!add && !listed) {
        result_fail(c->res, "Server %s is not an admin server of %s %s", s->name, fsrv->type, fsrv->name);
        return NULL;
    }
    admin_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->fileserver, sizeof p->fileserver, "%s", fsrv->id);
    snprintf(p->server, sizeof p->server, "%s", s->id);
    p->add = add;
    const job_spec spec = {.operation = add ? "Add Admin Server" : "Remove Admin Server", .type = fsrv->type,
                           .fn = run_admin_server, .plan_free = free};
    return spec_job(c, &spec, fsrv->name, p, fsrv->id, NULL);
}

job *prepare_add_admin_server(cmdctx *c)
{
    return prepare_admin_server(c, 1);
}

job *prepare_remove_admin_server(cmdctx *c)
{
    return prepare_admin_server(c, 0);
}

job *prepare_edit_named(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    return o ? gplan_prepare_edit(c, o, !strcmp(o->type, "FileServer") || !strcmp(o->type, "Repository")) : NULL;
}

job *prepare_delete_fileserver(cmdctx *c)
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
    int rc = agent_storage_plugin_listFileSystems(AGENT_JOB(j, &p->t), NFS_PLUGIN, ss, &res);
    xr_free(ss);
    if (rc != 0)
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
obj *admin_server(engine *e, const obj *fsrv)
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

job *prepare_refresh_fileserver(cmdctx *c)
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
    static const job_spec spec = {.operation = "Refresh", .type = "FileServer", .fn = run_refresh_fileserver,
                                  .plan_free = fs_plan_free, .kind = "FAN_OUT"};
    return spec_job(c, &spec, fsrv->name, p, fsrv->id, NULL);
}

job *prepare_refresh_filesystem(cmdctx *c)
{
    obj *fs = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!fs)
        return NULL;
    if (fs_is_ocfs2(fs))
        return prepare_refresh_ocfs2(c, fs);
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
    static const job_spec spec = {.operation = "Refresh", .type = "FileSystem", .fn = run_refresh_fileserver,
                                  .plan_free = fs_plan_free};
    return spec_job(c, &spec, fs->name, p, fs->id, NULL);
}

job *prepare_delete_filesystem(cmdctx *c)
{
    obj *fs = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!fs)
        return NULL;
    if (delete_refused(c, fs))
        return NULL;
    if (fs_is_ocfs2(fs) && !obj_is(fs, "managerUuid", c->e->manager_id)) {
        result_fail(c->res, "FileSystem %s is owned by another Manager (%s)", fs->name, obj_gets(fs, "managerUuid"));
        return NULL;
    }
    if (fs_is_ocfs2(fs))
        return prepare_delete_ocfs2(c, fs); /* the LUN is wiped first */
    return gplan_delete_job(c, fs);
}
