/* takeOwnership, releaseOwnership, updateAgentPassword and refresh Server. */
#include "backend/ops/ops_server.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backend/agentc/ca.h"
#include "backend/flows/discover.h"
#include "backend/jobs/events.h"
#include "backend/ops/generic.h"
#include "backend/monitor/ha.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "lib/crashpoint.h"
#include "lib/log.h"
#include "lib/util.h"

/* ---- takeOwnership / releaseOwnership / updateAgentPassword ---- */

job *prepare_take(cmdctx *c)
{
    obj *s = server_instance(c);
    return s ? take_with_password(c, s, gr_get(c->cmd, "password")) : NULL;
}

job *take_with_password(cmdctx *c, obj *s, const char *password)
{
    if (obj_is(s, "ownership", "Owned") && status_get(s) != ST_UNKNOWN) {
        result_fail(c->res, "Server %s is already owned by this Manager", s->name);
        return NULL;
    }
    srv_plan *p = plan_for(c, s);
    snprintf(p->t.ep.password, sizeof p->t.ep.password, "%s", password);
    p->t.ep.pin[0] = '\0';
    p->t.ep.ca_file[0] = '\0'; /* the password, once, then a new key pair */
    p->take = 1;
    p->must_be_unowned = 1;
    return server_job(c, "Take Ownership of", s, run_discover, p);
}

static int run_release(job *j)
{
    srv_plan *p = j->plan;
    engine *e = j->eng;
    if (agent_release_ownership(AGENT_JOB(j, &p->t), e->manager_id, NULL) != 0)
        return -1;
    store_wrlock(e->st);
    obj *s = store_get(e->st, p->server_id);
    if (s) {
        store_set_actor(e->st, j->id);
        obj_set(e->st, s, "ownership", "Unowned");
        obj_set(e->st, s, "managerUuid", "");
        status_set(e->st, s, ST_UNKNOWN);
        obj_unset(e->st, s, "ntpServers");
        obj_unset(e->st, s, "agentCertificate"); /* the agent dropped our CA and its certificate */
        obj_unset(e->st, s, "agentPassword");
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
    return 0;
}

const char *presented_repo(engine *e, const obj *s)
{
    obj **repos;
    size_t n = store_list(e->st, "Repository", &repos);
    const char *name = NULL;
    for (size_t i = 0; i < n && !name; i++)
        if (obj_list_has(repos[i], "presentedServers", s->id))
            name = repos[i]->name;
    free(repos);
    return name;
}

job *prepare_release(cmdctx *c)
{
    obj *s = server_instance(c);
    if (!s)
        return NULL;
    if (!obj_is(s, "ownership", "Owned")) {
        result_fail(c->res, "Server %s is not owned by this Manager; take ownership first", s->name);
        return NULL;
    }
    obj *pool = store_get(c->e->st, obj_gets(s, "serverPool"));
    if (pool) {
        result_fail(c->res, "Cannot release Server %s: it belongs to ServerPool %s", s->name, pool->name);
        return NULL;
    }
    const char *repo = presented_repo(c->e, s);
    if (repo) {
        result_fail(c->res, "Cannot release Server %s: Repository %s is presented to it", s->name, repo);
        return NULL;
    }
    return server_job(c, "Release Ownership of", s, run_release, plan_for(c, s));
}

static int run_update_password(job *j)
{
    srv_plan *p = j->plan;
    /* Over mutual TLS the certificate authenticates the Manager, which no
     * longer knows the old password: the 3.2 two-argument form. */
    const char *old = p->t.ep.password[0] ? p->t.ep.password : NULL;
    int rc = agent_update_agent_password(AGENT_JOB(j, &p->t), "oracle", p->new_password, old, NULL);
    return rc == 0 ? 0 : -1; /* owned servers use certificates: the password is not kept */
}

job *prepare_update_password(cmdctx *c)
{
    obj *s = server_instance(c);
    if (!s)
        return NULL;
    if (!obj_is(s, "ownership", "Owned")) {
        result_fail(c->res, "Server %s is not owned by this Manager; take ownership first", s->name);
        return NULL;
    }
    srv_plan *p = plan_for(c, s);
    snprintf(p->new_password, sizeof p->new_password, "%s", gr_get(c->cmd, "password"));
    return server_job(c, "Update Agent Password of", s, run_update_password, p);
}

/* ---- refresh Server ---- */

job *prepare_refresh(cmdctx *c)
{
    obj *s = server_instance(c);
    if (!s)
        return NULL;
    obj_status st = status_get(s);
    if (st != ST_RUNNING && st != ST_UNKNOWN) {
        result_fail(c->res, "Cannot refresh Server %s: its status is %s", s->name, status_name(st));
        return NULL;
    }
    srv_plan *p = plan_for(c, s);
    p->t.ep.pin[0] = '\0'; /* refresh re-reads the agent's key, as at discovery */
    return server_job(c, "Refresh", s, run_discover, p);
}
