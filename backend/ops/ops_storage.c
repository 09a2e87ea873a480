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
    {GR_F_delete_VirtualCdrom, NULL, prepare_delete_cdrom, 0},
    OPS_END,
};

int storage_destroy_file(job *j, const agent_target *t, const char *repo_id, const char *agent_path)
{
    engine *e = j->eng;
    xr_value *ss, *sd;
    store_rdlock(e->st);
    repo_plugin_args(e, store_get(e->st, repo_id), &ss, &sd);
    store_unlock(e->st);
    xr_value *fp = xr_struct();
    xr_struct_set(fp, "fr_type", xr_string("File"));
    xr_struct_set(fp, "file_path", xr_string(agent_path));
    int rc = agent_storage_plugin_destroy(AGENT_JOB(j, t), NFS_PLUGIN, ss, sd, fp, NULL);
    xr_free(ss);
    xr_free(sd);
    xr_free(fp);
    return rc;
}
