/* The network side of DRS (policy.h, doc/object-model.md §7.7): a pool's
 * enabled ServerPoolNetworkPolicy objects make a server overloaded whose
 * device on the policy's network averaged above policyThreshold percent of
 * its capacity, in the policy's direction, over the policy period
 * (NETWORK_RECEIVE_UTILIZATION / NETWORK_TRANSMIT_UTILIZATION samples,
 * stats_net.c). A server with no device on the network is not judged by
 * that policy (concepts guide 6.12.3). The move itself is policy.c's. */
#include <stdlib.h>
#include <string.h>
#include "backend/monitor/policy.h"
#include "backend/monitor/stats.h"
#include "backend/store/store_tables.h"
#include "lib/util.h"

static int enabled(const obj *pol)
{
    return !obj_is(pol, "policyEnable", "No");
}

int policy_net_any(engine *e, const obj *pool)
{
    obj **v;
    size_t n = store_find_by(e->st, "ServerPoolNetworkPolicy", "serverPool", pool->id, &v);
    int any = 0;
    for (size_t i = 0; i < n && !any; i++)
        any = enabled(v[i]);
    free(v);
    return any;
}

/* The highest average usage, since from, of s's devices on pol's network
 * in pol's direction; -1 when s has none or no sample. */
static double usage_of(engine *e, const obj *s, const obj *pol, int64_t from)
{
    static const char *const types[] = {"Port", "BondPort", "VlanInterface", NULL};
    const char *stat = obj_is(pol, "direction", "TRANSMIT") ? STAT_NET_TX : STAT_NET_RX;
    double best = -1;
    for (size_t t = 0; types[t]; t++) {
        obj **v;
        size_t n = store_find_by(e->st, types[t], "server", s->id, &v);
        for (size_t i = 0; i < n; i++) {
            if (!obj_is(v[i], "network", obj_gets(pol, "network")))
                continue;
            double u = stats_average(e, v[i]->id, stat, from);
            if (u > best)
                best = u;
        }
        free(v);
    }
    return best;
}

char *policy_net_over(engine *e, const obj *pool, const obj *s, int64_t from)
{
    obj **v;
    size_t n = store_find_by(e->st, "ServerPoolNetworkPolicy", "serverPool", pool->id, &v);
    char *why = NULL;
    for (size_t i = 0; i < n && !why; i++) {
        if (!enabled(v[i]))
            continue;
        double u = usage_of(e, s, v[i], from);
        long long thr = obj_get_int(v[i], "policyThreshold", 100);
        obj *net = store_get(e->st, obj_gets(v[i], "network"));
        if (u > (double)thr)
            why = xasprintf("Network %s %s usage %.1f %% above the threshold %lld %% of ServerPoolNetworkPolicy %s",
                            net ? net->name : obj_gets(v[i], "network"),
                            obj_is(v[i], "direction", "TRANSMIT") ? "transmit" : "receive", u, thr, v[i]->name);
    }
    free(v);
    return why;
}
