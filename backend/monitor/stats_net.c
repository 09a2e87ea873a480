/* Network statistics (stats.h): the Domain-0 record of list_vms carries the
 * host's traffic per device (net_rates: device, rx_mbps, tx_mbps,
 * speed_mbps; doc/agent-protocol.md §7). Each is stored, in percent of the
 * device's capacity, as NETWORK_RECEIVE_UTILIZATION and
 * NETWORK_TRANSMIT_UTILIZATION of the Manager's object for that device on
 * that server (a Port, BondPort or VlanInterface, so of one network): the
 * samples a ServerPoolNetworkPolicy judges (backend/monitor/policy_net.c).
 * Averages over a period are read here too, for every policy. */
#include <stdlib.h>
#include <string.h>
#include "backend/monitor/stats.h"
#include "backend/store/store_tables.h"
#include "lib/log.h"
#include "lib/util.h"

/* The Manager's object for device dev of server s, or NULL. eth0 stands for
 * the installer's bond0 (ops_network_sync.c). */
static obj *device_object(engine *e, const obj *s, const char *dev)
{
    static const char *const types[] = {"Port", "BondPort", "VlanInterface", NULL};
    const char *want = !strcmp(dev, "bond0") ? "eth0" : dev;
    obj *found = NULL;
    for (size_t t = 0; types[t] && !found; t++) {
        obj **v;
        size_t n = store_find_by(e->st, types[t], "server", s->id, &v);
        for (size_t i = 0; i < n && !found; i++)
            if (obj_is(v[i], "device", want))
                found = v[i];
        free(v);
    }
    return found;
}

static void put(engine *e, const char *id, const char *stat, int64_t now, double v)
{
    char *err = NULL;
    if (store_stat_add(e->st, id, stat, now, v, &err) != 0)
        log_warn("statistics: %s", err);
    free(err);
}

static double num(const xr_value *rec, const char *key)
{
    int64_t i = 0;
    const xr_value *v = xr_struct_get(rec, key);
    if (v && v->type == XR_DOUBLE)
        return v->d;
    return v && xr_get_int64(v, &i) == 0 ? (double)i : 0;
}

void stats_sample_net(engine *e, const obj *s, const xr_value *dom0, int64_t now)
{
    const xr_value *rates = xr_struct_get(dom0, "net_rates");
    for (size_t i = 0; rates && rates->type == XR_ARRAY && i < rates->n; i++) {
        const xr_value *r = rates->items[i];
        const char *dev = xr_get_str(xr_struct_get(r, "device"));
        double speed = num(r, "speed_mbps");
        obj *o = dev && speed > 0 ? device_object(e, s, dev) : NULL;
        if (!o)
            continue; /* a device the Manager has no object for carries no network */
        put(e, o->id, STAT_NET_RX, now, num(r, "rx_mbps") * 100.0 / speed);
        put(e, o->id, STAT_NET_TX, now, num(r, "tx_mbps") * 100.0 / speed);
    }
}

typedef struct avg {
    double sum;
    size_t n;
} avg;

static int add_sample(void *ctx, int64_t t, double v)
{
    (void)t;
    avg *a = ctx;
    a->sum += v;
    a->n++;
    return 0;
}

double stats_average(engine *e, const char *id, const char *stat, int64_t from)
{
    avg a = {0, 0};
    char *err = NULL;
    if (store_stat_scan(e->st, id, stat, from, INT64_MAX, add_sample, &a, &err) != 0) {
        log_warn("statistics: %s", err);
        free(err);
        return -1;
    }
    return a.n ? a.sum / (double)a.n : -1;
}
