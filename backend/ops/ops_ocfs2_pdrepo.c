/* create Repository name=<name> on PhysicalDisk <instance> (the Oracle VM
 * 3.3 form, doc/object-model.md §3.1): one job formats the LUN with an OCFS2
 * file system and creates the repository on it, through the array's admin
 * server, by the steps create FileSystem physicalDisk= and create Repository
 * on FileSystem run. A failed repository step leaves the LUN blank again. */
#include "backend/ops/ocfs2.h"
#include <stdio.h>
#include <stdlib.h>
#include "backend/ops/ops_san.h"
#include "backend/ops/ops_storage.h"
#include "lib/log.h"
#include "lib/util.h"

typedef struct pd_repo_plan {
    fs_create_plan *fs;
    repo_plan *repo;
} pd_repo_plan;

static void pd_repo_plan_free(void *arg)
{
    pd_repo_plan *p = arg;
    if (p) {
        fs_create_plan_free(p->fs);
        repo_plan_free(p->repo);
        free(p);
    }
}

static int run_create_pd_repo(job *j)
{
    pd_repo_plan *p = j->plan;
    if (fs_create_step(j, p->fs) != 0)
        return -1;
    if (repo_create_step(j, p->repo) == 0)
        return 0;
    /* Undo the file system, so the LUN can be used again as it was. */
    lun_header blank = {.state = LUN_BLANK};
    char *err = NULL;
    if (ocfs2_write_header(j->eng, NULL, fs_plan_io(p->fs), &blank, &err) != 0)
        log_warn("create Repository: PhysicalDisk %s keeps the file system: %s", fs_plan_io(p->fs)->pd_name,
                 err ? err : "");
    free(err);
    san_store_remove(j, fs_plan_id(p->fs));
    return -1;
}

job *prepare_create_repo_on_lun(cmdctx *c)
{
    const char *name = gr_get(c->cmd, "name");
    obj *pd = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!pd || !repo_name_free(c, name) || !ocfs2_lun_usable(c, pd))
        return NULL;
    obj *a = store_get(c->e->st, obj_gets(pd, "storageArray"));
    obj *worker = a ? admin_server(c->e, a) : NULL;
    /* The file system takes the repository's name (Oracle VM names it after the LUN's repository too). */
    fs_create_plan *fs = worker ? fs_plan_new(c, pd, name, NULL) : NULL;
    if (!fs) {
        if (!worker)
            result_fail(c->res, "No owned Running admin server of StorageArray %s can reach PhysicalDisk %s",
                        a ? a->name : "", pd->name);
        return NULL;
    }
    char loc[256];
    snprintf(loc, sizeof loc, "%s%s", OCFS2_DEV_PREFIX, obj_gets(pd, "page83Id"));
    pd_repo_plan *p = xcalloc(1, sizeof *p);
    p->fs = fs;
    p->repo = repo_plan_new(c, fs_plan_id(fs), loc, obj_gets(pd, "size"), 1, worker);
    static const job_spec spec = {.operation = "Create", .type = "Repository", .fn = run_create_pd_repo,
                                  .plan_free = pd_repo_plan_free, .kind = "SEQUENCE"};
    return spec_job(c, &spec, name, p, NULL, pd->id, NULL);
}
