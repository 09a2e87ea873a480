/* RepositoryExport (doc/object-model.md §3.1): an NFS export, on an Oracle VM
 * Server, of an OCFS2 repository presented to it, for a backup tool on
 * clientHostName. create, edit (name, description, options) and delete ask
 * the server's agent first (create_repository_export, which also replaces,
 * and delete_repository_export); the store follows once it answered. */
#include "backend/ops/ocfs2.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/agentc/agentapi.h"
#include "backend/flows/flow.h"
#include "backend/ops/ops_san.h"
#include "lib/util.h"

/* exports(5) options a repository export may carry; fsid=, anonuid= and anongid= take a number. */
static const char *const nfs_options[] = {"rw", "ro", "sync", "async", "wdelay", "no_wdelay", "root_squash",
                                          "no_root_squash", "all_squash", "no_all_squash", "secure", "insecure",
                                          "subtree_check", "no_subtree_check", "hide", "nohide", "crossmnt",
                                          NULL};
static const char *const nfs_num_options[] = {"fsid=", "anonuid=", "anongid=", NULL};

static int option_known(const char *o)
{
    for (const char *const *k = nfs_options; *k; k++)
        if (!strcmp(o, *k))
            return 1;
    for (const char *const *k = nfs_num_options; *k; k++) {
        size_t n = strlen(*k);
        if (!strncmp(o, *k, n) && o[n] && strspn(o + n, "0123456789") == strlen(o + n))
            return 1;
    }
    return 0;
}

/* Oracle's "rw, async, no_root_squash" as "rw,async,no_root_squash" in out,
 * or 0 after failing c on an option exports(5) does not know. */
static int normal_options(cmdctx *c, const char *in, char *out, size_t len)
{
    char *copy = xstrdup(in ? in : ""), *save = NULL;
    out[0] = '\0';
    int ok = 1;
    for (char *t = strtok_r(copy, ",", &save); t && ok; t = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*t))
            t++;
        for (char *e = t + strlen(t); e > t && isspace((unsigned char)e[-1]);)
            *--e = '\0';
        if (!*t)
            continue;
        if (!option_known(t) || strlen(out) + strlen(t) + 2 > len) {
            result_fail(c->res, "Unknown NFS export option '%s'; use options such as rw, ro, sync, async, "
                                "no_root_squash, wdelay", t);
            ok = 0;
        } else {
            snprintf(out + strlen(out), len - strlen(out), "%s%s", *out ? "," : "", t);
        }
    }
    free(copy);
    return ok;
}

typedef struct export_plan {
    agent_target t;
    char repo[64], client[256], options[512], name[257];
    gplan *g;
    int agent_call; /* edit: only a new name or options reach the agent */
} export_plan;

static void export_plan_free(void *arg)
{
    export_plan *p = arg;
    if (p) {
        gplan_free(p->g);
        free(p);
    }
}

static int run_create_export(job *j)
{
    export_plan *p = j->plan;
    if (agent_create_repository_export(AGENT_JOB(j, &p->t), p->repo, p->name, p->client, p->options, NULL) != 0)
        return -1;
    return gplan_store_create(j, p->g);
}

/* The repository may be exported from server: OCFS2, ours, presented there, not yet to client. */
static obj *exportable(cmdctx *c, obj *server, const char *client)
{
    obj *repo = resolve_ref(c, "Repository", gr_get(c->cmd, "repository"));
    if (!repo)
        return NULL;
    obj *fs = store_get(c->e->st, obj_gets(repo, "fileSystem"));
    obj **v;
    size_t n = store_find_by(c->e->st, "RepositoryExport", "repository", repo->id, &v);
    obj *dup = NULL;
    for (size_t i = 0; i < n && !dup; i++)
        if (obj_is(v[i], "server", server->id) && !ovm_strcasecmp(obj_gets(v[i], "clientHostName"), client))
            dup = v[i];
    free(v);
    int bad = 1;
    if (!fs_is_ocfs2(fs))
        result_fail(c->res, "Repository %s is not on an OCFS2 file system; an NFS repository is exported by its "
                            "file server", repo->name);
    else if (!obj_list_has(repo, "presentedServers", server->id))
        result_fail(c->res, "Repository %s is not presented to Server %s", repo->name, server->name);
    else if (dup)
        result_fail(c->res, "Repository %s is already exported to %s on Server %s (RepositoryExport %s)", repo->name,
                    client, server->name, dup->name);
    else if (!server_usable(server))
        result_fail(c->res, "Server %s must be owned and Running to export Repository %s", server->name, repo->name);
    else
        bad = 0;
    return bad ? NULL : repo;
}

job *prepare_create_export(cmdctx *c)
{
    obj *server = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    const char *name = gr_get(c->cmd, "name"), *client = gr_get(c->cmd, "clientHostName");
    obj *repo = server ? exportable(c, server, client) : NULL;
    if (!repo)
        return NULL;
    if (name_taken(c->e, "RepositoryExport", name, NULL)) {
        result_fail(c->res, "A RepositoryExport named %s already exists", name);
        return NULL;
    }
    export_plan *p = xcalloc(1, sizeof *p);
    if (!normal_options(c, gr_get(c->cmd, "options"), p->options, sizeof p->options)) {
        export_plan_free(p);
        return NULL;
    }
    agent_target_of(c->e, server, &p->t);
    snprintf(p->repo, sizeof p->repo, "%s", repo->id);
    snprintf(p->client, sizeof p->client, "%s", client);
    snprintf(p->name, sizeof p->name, "%s", name);
    char id[64];
    new_object_id(c->cmd->type, id, sizeof id);
    p->g = gplan_new("RepositoryExport", id, name);
    gplan_take_attrs(p->g, c->cmd);
    gplan_set(p->g, "server", server->id);
    gplan_set(p->g, "repository", repo->id);
    gplan_set(p->g, "options", p->options);
    static const job_spec spec = {.operation = "Create", .type = "RepositoryExport", .fn = run_create_export,
                                  .plan_free = export_plan_free};
    return spec_job(c, &spec, name, p, NULL, server->id, repo->id, NULL);
}

/* The export's server and the plan's agent target; NULL after failing c. */
static export_plan *plan_of(cmdctx *c, obj *x)
{
    obj *server = store_get(c->e->st, obj_gets(x, "server"));
    if (!server || !server_usable(server)) {
        result_fail(c->res, "Server %s must be owned and Running to change RepositoryExport %s",
                    server ? server->name : obj_gets(x, "server"), x->name);
        return NULL;
    }
    export_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, server, &p->t);
    snprintf(p->repo, sizeof p->repo, "%s", obj_gets(x, "repository"));
    snprintf(p->client, sizeof p->client, "%s", obj_gets(x, "clientHostName"));
    snprintf(p->options, sizeof p->options, "%s", obj_gets(x, "options"));
    snprintf(p->name, sizeof p->name, "%s", x->name);
    return p;
}

static int run_edit_export(job *j)
{
    export_plan *p = j->plan;
    if (p->agent_call &&
        agent_create_repository_export(AGENT_JOB(j, &p->t), p->repo, p->name, p->client, p->options, NULL) != 0)
        return -1;
    return gplan_store_edit(j, p->g);
}

job *prepare_edit_export(cmdctx *c)
{
    obj *x = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    export_plan *p = x ? plan_of(c, x) : NULL;
    if (!p)
        return NULL;
    const char *opts = gr_get(c->cmd, "options"), *name = gr_get(c->cmd, "name");
    if ((opts && !normal_options(c, opts, p->options, sizeof p->options)) || !(p->g = gplan_edit_plan(c, x, 1))) {
        export_plan_free(p);
        return NULL;
    }
    if (opts)
        gplan_set(p->g, "options", p->options);
    if (name)
        snprintf(p->name, sizeof p->name, "%s", name);
    p->agent_call = opts || name;
    static const job_spec spec = {.operation = "Edit", .type = "RepositoryExport", .fn = run_edit_export,
                                  .plan_free = export_plan_free};
    return spec_job(c, &spec, x->name, p, x->id, NULL);
}

static int run_delete_export(job *j)
{
    export_plan *p = j->plan;
    if (agent_delete_repository_export(AGENT_JOB(j, &p->t), p->repo, p->client, NULL) != 0)
        return -1;
    san_store_remove(j, p->g->id);
    return 0;
}

job *prepare_delete_export(cmdctx *c)
{
    obj *x = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    export_plan *p = x ? plan_of(c, x) : NULL;
    if (!p)
        return NULL;
    p->g = gplan_new("RepositoryExport", x->id, x->name);
    static const job_spec spec = {.operation = "Delete", .type = "RepositoryExport", .fn = run_delete_export,
                                  .plan_free = export_plan_free};
    return spec_job(c, &spec, x->name, p, x->id, NULL);
}

const op ops_repo_export[] = {
    {GR_F_create_RepositoryExport, NULL, prepare_create_export, 0},
    {GR_F_edit_RepositoryExport, NULL, prepare_edit_export, 0},
    {GR_F_delete_RepositoryExport, NULL, prepare_delete_export, 0},
    OPS_END,
};
