/* Presenting a repository to a server and taking it back (doc/object-model.md §5.6):
 * the agent calls and the presentedServers record, for the present and
 * unpresent commands on a Server or a whole ServerPool. See flow.h. */
#include "backend/flows/flow.h"
#include <stdio.h>

void present_spec_of(engine *e, const obj *repo, present_spec *p)
{
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    snprintf(p->fs_location, sizeof p->fs_location, "%s", repo_fs_location(e, repo));
    snprintf(p->mount_point, sizeof p->mount_point, "/OVS/Repositories/%s", repo->id);
}

/* Mount, then register: the agent knows the repository only once both ran. */
static int mount_on(job *j, const present_spec *p, const agent_target *t)
{
    if (agent_mount_repository_fs(AGENT_JOB(j, t), p->fs_location, p->mount_point, NULL) != 0 ||
        agent_add_repository(AGENT_JOB(j, t), p->fs_location, p->mount_point, NULL) != 0)
        return -1;
    return 0;
}

static void mark_presented(job *j, const char *repo_id, const char *server_id, int add)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *r = store_get(e->st, repo_id);
    if (r) {
        if (add)
            obj_list_add(e->st, r, "presentedServers", server_id);
        else
            obj_list_remove(e->st, r, "presentedServers", server_id);
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
}

int present_repository(job *j, const present_spec *p, const agent_target *t, int add)
{
    int rc;
    if (add)
        rc = mount_on(j, p, t);
    else
        rc = agent_unmount_repository_fs(AGENT_JOB(j, t), p->mount_point, NULL);
    if (rc == 0)
        mark_presented(j, p->repo_id, t->id, add);
    return rc;
}
