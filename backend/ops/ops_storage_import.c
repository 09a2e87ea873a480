/* importVirtualCdrom and importVirtualDisk Repository <i> url=<url> [proxy=<host>]
 * (doc/command-language.md §4.4, "Imports"). A server the repository is
 * presented to (utility servers first, doc/object-model.md §6.2) downloads
 * the file into the repository's ISOs/ or VirtualDisks/ under a new id; only
 * when it is there, whole, does the job ask its size and store the object.
 * A failed download leaves no file (the agent removes its temporary file)
 * and no object. */
#include "backend/ops/ops_storage.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"
#include "backend/render/show.h"
#include "lib/util.h"

/* Everything the job needs, copied out of the command and the store. */
typedef struct import_plan {
    agent_target t;      /* the server that downloads */
    char repo_id[64], file_id[64];
    char url[2001];      /* the grammar limits a URL to 2000 bytes */
    char proxy[257];     /* "" for none */
    int cdrom;
    gplan *g;            /* the object stored on success */
} import_plan;

static void import_plan_free(void *arg)
{
    import_plan *p = arg;
    if (p)
        gplan_free(p->g);
    free(p);
}

static int run_import(job *j)
{
    import_plan *p = j->plan;
    engine *e = j->eng;
    /* Both methods take the same arguments (lib/agent_methods.h). */
    agent_import_virtual_disk_fn *call = p->cdrom ? agent_import_virtual_cdrom : agent_import_virtual_disk;
    if (call(AGENT_JOB(j, &p->t), p->url, p->file_id, p->repo_id, p->proxy[0] ? p->proxy : NULL, NULL) != 0)
        return -1;
    char path[256];
    snprintf(path, sizeof path, "/OVS/Repositories/%s/%s/%s", p->repo_id, p->cdrom ? "ISOs" : "VirtualDisks",
             p->file_id);
    storage_undo_file(j, &p->t, p->repo_id, path, "the imported file");
    int64_t bytes = storage_file_bytes(j, &p->t, p->repo_id, path);
    if (bytes < 0)
        return -1;
    char gib[64];
    fmt_gib((double)bytes / 1073741824.0, gib, sizeof gib);
    gplan_set(p->g, "size", gib);
    gplan_store_create(j, p->g);
    repo_free_changed(e, p->repo_id);
    return 0;
}

/* The new object's name: the last segment of the URL's path, without its
 * query or fragment (the grammar made sure there is one). Heap. */
char *url_file_name(const char *url)
{
    size_t end = strcspn(url, "?#");
    const char *start = url;
    for (size_t i = 0; i < end; i++)
        if (url[i] == '/')
            start = url + i + 1;
    size_t n = (size_t)(url + end - start);
    return xstrndup(start, n > 256 ? 256 : n);
}

static job *prepare_import(cmdctx *c, int cdrom)
{
    obj *repo, *s = resolve_repo_worker(c, &repo);
    if (!s)
        return NULL;
    import_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    p->cdrom = cdrom;
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    const char *type = cdrom ? "VirtualCdrom" : "VirtualDisk";
    ovm_new_id(cdrom ? "0015" : "0012", cdrom ? ".iso" : ".img", p->file_id, sizeof p->file_id);
    const char *proxy = gr_get(c->cmd, "proxy");
    snprintf(p->url, sizeof p->url, "%s", gr_get(c->cmd, "url"));
    snprintf(p->proxy, sizeof p->proxy, "%s", proxy ? proxy : "");
    char *name = url_file_name(p->url);
    p->g = gplan_new(type, p->file_id, name);
    gplan_set(p->g, "repository", repo->id);
    if (!cdrom) {
        /* A downloaded image is written out in full: it uses its size. */
        gplan_set(p->g, "sparse", "No");
        gplan_set(p->g, "shareable", "No");
    }
    static const job_spec disk_spec = {.operation = "Import", .type = "VirtualDisk", .fn = run_import,
                                       .plan_free = import_plan_free};
    static const job_spec cdrom_spec = {.operation = "Import", .type = "VirtualCdrom", .fn = run_import,
                                        .plan_free = import_plan_free};
    /* The repository is locked: the import changes its content and free space. */
    job *j = spec_job(c, cdrom ? &cdrom_spec : &disk_spec, name, p, NULL, repo->id, NULL);
    free(name);
    return j;
}

job *prepare_import_cdrom(cmdctx *c)
{
    return prepare_import(c, 1);
}

job *prepare_import_disk(cmdctx *c)
{
    return prepare_import(c, 0);
}
