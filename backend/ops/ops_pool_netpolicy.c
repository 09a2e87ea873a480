/* ServerPoolNetworkPolicy (doc/object-model.md §7.7): the network usage
 * thresholds of a pool's DRS policy. One policy per pool and network; a
 * policy may name a network no member uses yet (concepts guide 6.12.3: it
 * is ignored until a server on the network joins, and stays when the last
 * one leaves). The policy itself acts in backend/monitor/policy_net.c. */
#include <stdlib.h>
#include <string.h>
#include "backend/ops/ops.h"
#include "backend/ops/generic.h"
#include "lib/util.h"

/* The policy of pool for network, or NULL. */
static obj *policy_of(engine *e, const obj *pool, const obj *net)
{
    obj **v, *found = NULL;
    size_t n = store_find_by(e->st, "ServerPoolNetworkPolicy", "serverPool", pool->id, &v);
    for (size_t i = 0; i < n && !found; i++)
        if (obj_is(v[i], "network", net->id))
            found = v[i];
    free(v);
    return found;
}

static job *prepare_create_netpol(cmdctx *c)
{
    obj *pool = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    obj *net = pool ? resolve_ref(c, "Network", gr_get(c->cmd, "network")) : NULL;
    if (!net)
        return NULL;
    gplan *p = gplan_create_unique(c);
    if (!p)
        return NULL;
    obj *have = policy_of(c->e, pool, net);
    if (have) {
        result_fail(c->res, "ServerPool %s already has ServerPoolNetworkPolicy %s for Network %s", pool->name,
                    have->name, net->name);
        gplan_free(p);
        return NULL;
    }
    gplan_set(p, "serverPool", pool->id);
    gplan_set(p, "network", net->id);
    return gplan_create_job(c, p);
}

const op ops_pool_netpolicy[] = {
    {GR_F_create_ServerPoolNetworkPolicy, NULL, prepare_create_netpol, 0},
    {GR_F_edit_ServerPoolNetworkPolicy, NULL, prepare_edit_unique, 0},
    {GR_F_delete_ServerPoolNetworkPolicy, NULL, prepare_delete_plain, 0},
    OPS_END,
};
