/* Simulated network traffic (doc/agent-protocol.md §7): the sim_set_net_load
 * test hook sets the receive and transmit rates of one of the host's
 * devices (a port, a bond or a VLAN interface), like sim_set_cpu_load sets a
 * CPU load; list_vms reports them in the Domain-0 record as net_rates, with
 * each device's capacity, so the Manager can judge a network policy's
 * threshold (a percentage of the capacity). The rates are kept in st, so
 * they survive a restart of the simulator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/sim.h"
#include "lib/util.h"

SIM_HANDLER(h_sim_set_net_load)
{
    struct sim *s = c->sim;
    const char *dev = xr_get_str(argv[0]);
    int64_t rx = 0, tx = 0;
    xr_get_int64(argv[1], &rx); /* dispatch checked both are integers */
    xr_get_int64(argv[2], &tx);
    int64_t speed = sim_net_speed(s, dev);
    if (!speed)
        return call_fault(c, "exceptions.RuntimeError:no such device: %s", dev);
    if (rx < 0 || tx < 0 || rx > speed || tx > speed)
        return call_fault(c, "exceptions.ValueError:%s carries 0 to %lld Mbit/s each way, got rx %lld tx %lld", dev,
                          (long long)speed, (long long)rx, (long long)tx);
    xr_value *load = xr_struct();
    xr_struct_set(load, "rx_mbps", xr_int(rx));
    xr_struct_set(load, "tx_mbps", xr_int(tx));
    xr_struct_set(sim_member(s->st, "net_load", XR_STRUCT), dev, load);
    return xr_nil();
}

xr_value *sim_net_rates(struct sim *s)
{
    xr_value *rates = xr_array();
    const xr_value *load = xr_struct_get(s->st, "net_load");
    for (size_t i = 0; load && load->type == XR_STRUCT && i < load->n; i++) {
        int64_t speed = sim_net_speed(s, load->keys[i]);
        if (!speed)
            continue; /* the device went away */
        xr_value *r = xr_struct();
        xr_struct_set(r, "device", xr_string(load->keys[i]));
        xr_struct_set(r, "rx_mbps", xr_int(sim_int(load->items[i], "rx_mbps", 0)));
        xr_struct_set(r, "tx_mbps", xr_int(sim_int(load->items[i], "tx_mbps", 0)));
        xr_struct_set(r, "speed_mbps", xr_int(speed));
        xr_array_add(rates, r);
    }
    return rates;
}
