/* OCFS2 file systems on LUNs and the repositories on them
 * (doc/object-model.md §3.1): ocfs2_header.c reads and writes the header a
 * formatted LUN carries; ops_ocfs2.c creates, deletes and discovers the file
 * systems; ops_ocfs2_repo.c takes ownership of their repositories. */
#ifndef OVM_OCFS2_H
#define OVM_OCFS2_H
#include "backend/flows/flow.h"
#include "backend/flows/model.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"

/* First line of the header (this project's format, doc/object-model.md §3.1). */
#define OCFS2_MAGIC "OVMSH-OCFS2 1\n"
/* What delete FileSystem leaves: the LUN is blank again for every reader. */
#define OCFS2_WIPED "OVMSH-WIPED\n"
/* Bytes of the header block at the start of the LUN. */
#define OCFS2_HDR_LEN 4096
/* Smallest LUN formatted: a repository needs 10 GiB, and so does a pool file system. */
#define OCFS2_MIN_GIB 10.0
/* fsLocation prefix of an OCFS2 file system: the device the hosts mount. */
#define OCFS2_DEV_PREFIX "/dev/mapper/"

enum lun_state { LUN_BLANK, LUN_OURS, LUN_OTHER_FS };

typedef struct lun_header {
    enum lun_state state;
    char fs_uuid[64], fs_label[257], mgr_uuid[64], repo_uuid[64], repo_alias[257];
} lun_header;

/* What a call to a LUN needs: the array's admin server, plug-in, ss and se. */
typedef struct lun_io {
    agent_target t;
    const char *impl;
    xr_value *ss, *se;
    char pd_name[257];
} lun_io;

/* The se struct of PhysicalDisk pd (the caller frees it). */
xr_value *ocfs2_lun_se(const obj *pd);
/* Fills io for pd from the store (lock held): 0, or -1 when its array has
 * no owned Running admin server. */
int ocfs2_io_of(engine *e, const obj *pd, lun_io *io);
void ocfs2_io_free(lun_io *io);
/* Reads the LUN's header: 0 (h filled) or -1: job j failed, or (j NULL)
 * the reason in *err (heap). */
int ocfs2_read_header(engine *e, job *j, const lun_io *io, lun_header *h, char **err);
/* Writes h (state LUN_OURS), or wipes the header (any other state): 0 or
 * -1, failing j or setting *err as ocfs2_read_header. */
int ocfs2_write_header(engine *e, job *j, const lun_io *io, const lun_header *h, char **err);
/* The header of FileSystem fs owned by this Manager, with repository
 * repo_id (NULL: none) called repo_alias on it. */
void ocfs2_header_of(engine *e, const obj *fs, const char *repo_id, const char *repo_alias, lun_header *h);

/* 1 if fs is an OCFS2 file system on a LUN. */
int fs_is_ocfs2(const obj *fs);
/* The server that works on FileSystem fs: an admin server of its file
 * server, else (an OCFS2 file system found on a LUN) one of its array's. */
obj *fs_worker(engine *e, const obj *fs);
/* Rewrites the header of fs's LUN to name repo (NULL: no repository). Job
 * step: 0, or -1 with j failed. Takes the store read lock itself. */
int ocfs2_stamp(job *j, const char *fs_id, const char *repo_id, const char *repo_alias);
/* refresh StorageArray: records the file systems and repositories the
 * headers of the array's LUNs name. Never fails the job. */
void ocfs2_discover(job *j, const char *array_id);

/* The PhysicalDisk pd_ref names, if it can be formatted (O-1..O-3); NULL after failing c. */
obj *ocfs2_usable_lun(cmdctx *c, const char *pd_ref);
/* The PhysicalDisk pd_ref names, if its blocks may be overwritten: no file
 * system, VM, pool or repository uses it and it is a real LUN; NULL after
 * failing c. */
obj *lun_for_write(cmdctx *c, const char *pd_ref);
/* Why pd's blocks cannot be read or written (missing, simulated FC), or NULL. */
const char *lun_unreadable(const obj *pd);
/* 1 if pd can be formatted (O-1..O-3), else 0 after failing c. */
int ocfs2_lun_usable(cmdctx *c, obj *pd);
/* Job step: formats the LUN with header h unless it holds a file system
 * already (O-4): 0, or -1 with j failed. */
int ocfs2_format(job *j, const lun_io *io, const lun_header *h);

/* The formatting of a LUN and the FileSystem object on it (create FileSystem
 * physicalDisk=, and create Repository on PhysicalDisk). */
typedef struct fs_create_plan fs_create_plan;
/* The plan for FileSystem name on pd (ocfs2_usable_lun), worked on by fsrv's
 * admin servers or, fsrv NULL, its array's; NULL after failing c. */
fs_create_plan *fs_plan_new(cmdctx *c, obj *pd, const char *name, const obj *fsrv);
void fs_create_plan_free(void *arg);
const char *fs_plan_id(const fs_create_plan *p);
const lun_io *fs_plan_io(const fs_create_plan *p);
/* Job step: formats the LUN and stores the FileSystem: 0, or -1 with j failed. */
int fs_create_step(job *j, fs_create_plan *p);
job *prepare_create_filesystem(cmdctx *c);
/* create Repository on PhysicalDisk (ops_ocfs2_pdrepo.c). */
job *prepare_create_repo_on_lun(cmdctx *c);
job *prepare_delete_ocfs2(cmdctx *c, obj *fs);
/* refresh FileSystem of an OCFS2 file system: reads its LUN's header again. */
job *prepare_refresh_ocfs2(cmdctx *c, obj *fs);
job *prepare_take_repo(cmdctx *c);

/* ops_ocfs2_pool.c: an OCFS2 repository is presented only to the servers of
 * its pool. 0 if repo may be presented to server, else -1 after failing c.
 * owner (len bytes, "" at first) collects the pool a repository without one
 * gets by this presentation. */
int ocfs2_present_check(cmdctx *c, const obj *repo, const obj *server, char *owner, size_t len);
/* 0 if server may leave pool, giving up the pool's OCFS2 repositories: it
 * exports none of them (RX); else -1 after failing c. */
int ocfs2_leave_check(cmdctx *c, const obj *pool, const obj *server);
/* Job step: records pool_id as the pool of repository repo_id if it has none
 * and is presented to some server. */
void ocfs2_set_owner(job *j, const char *repo_id, const char *pool_id);
/* The presentations of the OCFS2 repositories of pool_id that server, joining
 * (add) or leaving, gets or gives up; their number, *out the caller's. */
size_t ocfs2_pool_repos(engine *e, const char *pool_id, const obj *server, int add, present_spec **out);
/* Job step: presents (add) or unpresents the n repositories v to or from t.
 * 0, or -1 with j failed; a failed present takes back those done. */
int ocfs2_pool_present(job *j, const present_spec *v, size_t n, const agent_target *t, int add);
#endif
