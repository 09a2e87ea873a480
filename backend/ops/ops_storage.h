/* The storage area (ops_storage*.c): helpers its files share. */
#ifndef OVM_OPS_STORAGE_H
#define OVM_OPS_STORAGE_H
#include "backend/flows/model.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"

#define NFS_PLUGIN "oracle.generic.NFSPlugin.GenericNFSPlugin"
#define REPO_MIN_GIB 10.0

/* A running owned server that has repo presented, utility role first. */
obj *repo_worker(engine *e, const obj *repo);
/* repo_worker, or NULL with c failed: "Repository R is not presented to any owned Running server". */
obj *repo_worker_for(cmdctx *c, obj *repo);
/* The command's Repository instance (in *repo) and its repo_worker_for. */
obj *resolve_repo_worker(cmdctx *c, obj **repo);
/* Recomputes the free space of repository repo_id after a job changed its
 * files (takes the store's write lock). */
void repo_free_changed(engine *e, const char *repo_id);
/* The storage plugin's server and file-system arguments (ss, sd) for the
 * file system repo is on: empty structs where it has none (store lock held;
 * the caller frees both). */
void repo_plugin_args(engine *e, const obj *repo, xr_value **ss, xr_value **sd);
double repo_free_gib(engine *e, const obj *repo);
/* MV-4: 0 when repo has need GiB free, else -1 after result_fail. */
int repo_check_space(cmdctx *c, const obj *repo, double need);
/* Removes the file at agent_path (under /OVS/Repositories/<repo_id>) through
 * server t: storage_plugin_destroy with the repository's file system. */
int storage_destroy_file(job *j, const agent_target *t, const char *repo_id, const char *agent_path);
/* The size in bytes of that file (storage_plugin_getFileInfo), or -1 with the job failed. */
int64_t storage_file_bytes(job *j, const agent_target *t, const char *repo_id, const char *agent_path);
/* Registers the removal of that file (storage_destroy_file through t) as an
 * undo of job j: it runs if a later step fails (backend/jobs/job_undo.c).
 * what names the file in the job's error, e.g. "the disk copy". */
void storage_undo_file(job *j, const agent_target *t, const char *repo_id, const char *agent_path, const char *what);
void update_repo_free(engine *e, obj *repo);
job *prepare_create_fileserver(cmdctx *c);
job *prepare_add_admin_server(cmdctx *c);
job *prepare_remove_admin_server(cmdctx *c);
job *prepare_edit_named(cmdctx *c);
job *prepare_delete_fileserver(cmdctx *c);
/* An owned, running admin server of the file server. */
obj *admin_server(engine *e, const obj *fsrv);
job *prepare_refresh_fileserver(cmdctx *c);
job *prepare_refresh_filesystem(cmdctx *c);
job *prepare_delete_filesystem(cmdctx *c);
job *prepare_create_repo(cmdctx *c);
/* Creating a repository (mount its file system on worker, create it there,
 * store it), shared by both forms of create Repository. */
typedef struct repo_plan repo_plan;
/* 1 if no Repository is called name, else 0 after failing c. */
int repo_name_free(cmdctx *c, const char *name);
/* The plan for the command's repository (name=, description=) on file system
 * fs_id (OCFS2 if ocfs2: its LUN header will name the repository). */
repo_plan *repo_plan_new(cmdctx *c, const char *fs_id, const char *fs_location, const char *size, int ocfs2,
                         obj *worker);
void repo_plan_free(void *arg);
const char *repo_plan_id(const repo_plan *p);
/* Job step: 0, or -1 with j failed and the file system as before. */
int repo_create_step(job *j, repo_plan *p);
job *prepare_delete_repo(cmdctx *c);
job *prepare_refresh_repo(cmdctx *c);
job *prepare_create_disk(cmdctx *c);
job *prepare_edit_disk(cmdctx *c);
job *prepare_delete_disk(cmdctx *c);
/* clone VirtualDisk; cloneVdToRepo VirtualDisk, cloneCdToRepo VirtualCdrom (Oracle VM 3.3+) */
job *prepare_clone_disk(cmdctx *c);
job *prepare_delete_cdrom(cmdctx *c);
/* ops_storage_import.c */
job *prepare_import_cdrom(cmdctx *c);
job *prepare_import_disk(cmdctx *c);
/* The last segment of a URL's path, without query or fragment (heap). */
char *url_file_name(const char *url);
job *prepare_add_pool_repo(cmdctx *c);
job *prepare_remove_pool_repo(cmdctx *c);
#endif
