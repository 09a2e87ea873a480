/* File servers, file systems, repositories and their presentation, virtual
 * disks and CD-ROMs (doc/object-model.md §6.12, §6.13, §6.16 X-3): the table of
 * operations and shared helpers. One file per object: ops_storage_fileserver.c,
 * ops_storage_repo.c (Repository and its presentation), ops_storage_disk.c. */
#include "backend/ops/ops_storage.h"
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

/* ---- helpers ---- */

/* A running owned server that has repo presented, utility role first. */
obj *repo_worker(engine *e, const obj *repo)
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

obj *repo_worker_for(cmdctx *c, obj *repo)
{
    obj *s = repo_worker(c->e, repo);
    if (!s)
        result_fail(c->res, "Repository %s is not presented to any owned Running server", repo->name);
    return s;
}

obj *resolve_repo_worker(cmdctx *c, obj **repo)
{
    *repo = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    return *repo ? repo_worker_for(c, *repo) : NULL;
}

void repo_free_changed(engine *e, const char *repo_id)
{
    store_wrlock(e->st);
    obj *r = store_get(e->st, repo_id);
    if (r)
        update_repo_free(e, r);
    store_unlock(e->st);
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

void repo_plugin_args(engine *e, const obj *repo, xr_value **ss, xr_value **sd)
{
    obj *fs = repo ? store_get(e->st, obj_gets(repo, "fileSystem")) : NULL;
    *ss = fs ? ss_struct(e, fs) : xr_struct();
    *sd = fs ? sd_struct(e, fs) : xr_struct();
}

double repo_free_gib(engine *e, const obj *repo)
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

void update_repo_free(engine *e, obj *repo)
{
    char buf[64];
    fmt_gib(repo_free_gib(e, repo), buf, sizeof buf);
    obj_set(e->st, repo, "free", buf);
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
    {GR_F_cloneVdToRepo_VirtualDisk, NULL, prepare_clone_disk, 0},
    {GR_F_cloneCdToRepo_VirtualCdrom, NULL, prepare_clone_disk, 0},
    {GR_F_delete_VirtualCdrom, NULL, prepare_delete_cdrom, 0},
    {GR_F_importVirtualCdrom_Repository, NULL, prepare_import_cdrom, 0},
    {GR_F_importVirtualDisk_Repository, NULL, prepare_import_disk, 0},
    OPS_END,
};

/* The storage plug-in's fp argument for the file at agent_path. */
static xr_value *file_arg(const char *agent_path)
{
    xr_value *fp = xr_struct();
    xr_struct_set(fp, "fr_type", xr_string("File"));
    xr_struct_set(fp, "file_path", xr_string(agent_path));
    return fp;
}

/* Calls storage_plugin_destroy (info NULL) or storage_plugin_getFileInfo on
 * the file at agent_path with the file system of repository repo_id. */
static int file_call(job *j, const agent_target *t, const char *repo_id, const char *agent_path, xr_value **info)
{
    engine *e = j->eng;
    xr_value *ss, *sd;
    store_rdlock(e->st);
    repo_plugin_args(e, store_get(e->st, repo_id), &ss, &sd);
    store_unlock(e->st);
    xr_value *fp = file_arg(agent_path);
    int rc = info ? agent_storage_plugin_getFileInfo(AGENT_JOB(j, t), NFS_PLUGIN, ss, sd, fp, info)
                  : agent_storage_plugin_destroy(AGENT_JOB(j, t), NFS_PLUGIN, ss, sd, fp, NULL);
    xr_free(ss);
    xr_free(sd);
    xr_free(fp);
    return rc;
}

int storage_destroy_file(job *j, const agent_target *t, const char *repo_id, const char *agent_path)
{
    return file_call(j, t, repo_id, agent_path, NULL);
}

int64_t storage_file_bytes(job *j, const agent_target *t, const char *repo_id, const char *agent_path)
{
    xr_value *info = NULL;
    int64_t bytes = -1;
    if (file_call(j, t, repo_id, agent_path, &info) != 0)
        return -1;
    if (xr_get_int64(xr_struct_get(info, "file_sz"), &bytes) != 0 || bytes < 0) {
        job_fail(j, "Job failed on Server %s: no size for %s", t->name, agent_path);
        bytes = -1;
    }
    xr_free(info);
    return bytes;
}

/* What storage_undo_file registers: the file to remove and through whom. */
typedef struct file_undo {
    agent_target t;
    char repo_id[64];
    char *path;
} file_undo;

static void file_undo_free(void *arg)
{
    file_undo *u = arg;
    free(u->path);
    free(u);
}

static int remove_file(job *j, void *arg)
{
    file_undo *u = arg;
    return storage_destroy_file(j, &u->t, u->repo_id, u->path);
}

void storage_undo_file(job *j, const agent_target *t, const char *repo_id, const char *agent_path, const char *what)
{
    file_undo *u = xcalloc(1, sizeof *u);
    u->t = *t;
    snprintf(u->repo_id, sizeof u->repo_id, "%s", repo_id);
    u->path = xstrdup(agent_path);
    char *text = xasprintf("%s %s", what, agent_path);
    job_undo_push(j, text, remove_file, u, file_undo_free);
    free(text);
}
