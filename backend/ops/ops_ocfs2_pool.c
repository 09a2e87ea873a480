/* OCFS2 repositories and server pools (doc/object-model.md §3.1, OCFS2
 * presentation): as in Oracle VM, an OCFS2 file system on a LUN belongs to
 * one server pool, whose servers share its cluster, so a repository on it is
 * presented only to that pool's servers. The pool is the repository's
 * serverPool: set by takeOwnership Repository serverPool=, or by the first
 * presentation (the pool of the servers it goes to). A server that joins the
 * pool gets the pool's OCFS2 repositories (ops_pool.c calls ocfs2_pool_repos
 * and ocfs2_pool_present); one must give them up before it leaves (P-14). */
#include "backend/ops/ocfs2.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "lib/util.h"

static int repo_is_ocfs2(engine *e, const obj *repo)
{
    return fs_is_ocfs2(store_get(e->st, obj_gets(repo, "fileSystem")));
}

int ocfs2_present_check(cmdctx *c, const obj *repo, const obj *server, char *owner, size_t len)
{
    if (!repo_is_ocfs2(c->e, repo))
        return 0;
    obj *pool = store_get(c->e->st, obj_gets(repo, "serverPool"));
    obj *spool = store_get(c->e->st, obj_gets(server, "serverPool"));
    obj *fs = store_get(c->e->st, obj_gets(repo, "fileSystem"));
    if (pool && pool != spool) { /* */
        result_fail(c->res, "Repository %s belongs to ServerPool %s; Server %s is not a member", repo->name,
                    pool->name, server->name);
        return -1;
    }
    if (!spool) { /* no pool yet, and the server could give it none */
        result_fail(c->res, "Server %s is in no ServerPool; Repository %s is on OCFS2 FileSystem %s, which is "
                            "presented only to the servers of its pool", server->name, repo->name, fs->name);
        return -1;
    }
    if (!pool)
        snprintf(owner, len, "%s", spool->id); /* the first presentation makes its pool the owner */
    return 0;
}

/* P-14 (Oracle VM): a server leaves its pool only once the pool's OCFS2
 * repositories are unpresented from it. Refusing, rather than unpresenting
 * as part of the removal, keeps storage access a separate, visible step, as
 * Oracle's scripts expect (they unpresent first). */
int ocfs2_leave_check(cmdctx *c, const obj *pool, const obj *server)
{
    obj **v;
    size_t n = store_find_by(c->e->st, "Repository", "serverPool", pool->id, &v);
    const obj *repo = NULL;
    for (size_t i = 0; i < n && !repo; i++)
        if (repo_is_ocfs2(c->e, v[i]) && obj_list_has(v[i], "presentedServers", server->id))
            repo = v[i];
    if (repo)
        result_fail(c->res, "Cannot remove Server %s: still OCFS2 file systems present (Repository %s); unpresent it first",
                    server->name, repo->name);
    free(v);
    return repo ? -1 : 0;
}

void ocfs2_set_owner(job *j, const char *repo_id, const char *pool_id)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    obj *r = store_get(e->st, repo_id);
    if (r && !*obj_gets(r, "serverPool") && *obj_gets(r, "presentedServers") && store_get(e->st, pool_id)) {
        store_set_actor(e->st, j->id);
        obj_set(e->st, r, "serverPool", pool_id);
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
}

size_t ocfs2_pool_repos(engine *e, const char *pool_id, const obj *server, int add, present_spec **out)
{
    obj **v;
    size_t n = store_find_by(e->st, "Repository", "serverPool", pool_id, &v), k = 0;
    *out = xcalloc(n ? n : 1, sizeof **out);
    for (size_t i = 0; i < n; i++) {
        int presented = obj_list_has(v[i], "presentedServers", server->id);
        if (repo_is_ocfs2(e, v[i]) && presented != add && obj_is(v[i], "managerUuid", e->manager_id))
            present_spec_of(e, v[i], &(*out)[k++]);
    }
    free(v);
    return k;
}

int ocfs2_pool_present(job *j, const present_spec *v, size_t n, const agent_target *t, int add)
{
    size_t done = 0;
    while (done < n && present_repository(j, &v[done], t, add) == 0)
        done++;
    if (done == n)
        return 0;
    while (add && done-- > 0) /* a join that fails leaves the server as it was */
        present_repository(j, &v[done], t, 0);
    return -1;
}
