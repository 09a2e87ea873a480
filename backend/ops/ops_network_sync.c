/* What a server's discover_network says about its ports, bonds and VLAN
 * interfaces, recorded on the Manager's objects (at discovery and at every
 * network rediscovery, N-13). The agent is the authority on the devices: a
 * port that disappeared is DOWN and out of its bond, a bond's members, mode
 * and MTU and every device's address are what the host reports. */
#include "backend/ops/ops_network.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/discover.h"
#include "lib/util.h"

obj *net_ensure_port(engine *e, obj *s, const char *dev, const char *mac, const char *network)
{
    obj **ports;
    size_t n = store_find_by(e->st, "Port", "server", s->id, &ports);
    obj *p = NULL;
    for (size_t i = 0; i < n; i++)
        if (obj_is(ports[i], "device", dev))
            p = ports[i];
    free(ports);
    char *name = xasprintf("%s on %s", dev, s->name);
    if (!p) {
        char id[64];
        ovm_new_id("000e", "", id, sizeof id);
        p = store_create(e->st, "Port", id, name);
        obj_setf(e->st, p, "created", "%lld", (long long)ovm_unique_ms_id());
        obj_set(e->st, p, "server", s->id);
        obj_set(e->st, p, "device", dev);
        if (network)
            obj_set(e->st, p, "network", network);
    }
    obj_rename(e->st, p, name);
    if (mac && *mac)
        obj_set(e->st, p, "macAddress", mac);
    free(name);
    return p;
}

static const net_device *find_dev(const server_facts *f, const char *name)
{
    for (size_t i = 0; i < f->ndevs; i++)
        if (!strcmp(f->devs[i].name, name))
            return &f->devs[i];
    return NULL;
}

/* The address of d on o: addressType NONE, DHCP or STATIC with ipAddress and netmask. */
static void sync_address(engine *e, obj *o, const net_device *d)
{
    const char *type = !strcmp(d->addr_type, "static") ? "STATIC" : !strcmp(d->addr_type, "dhcp") ? "DHCP" : "NONE";
    obj_set(e->st, o, "addressType", type);
    if (!strcmp(type, "STATIC")) {
        obj_set(e->st, o, "ipAddress", d->ip);
        obj_set(e->st, o, "netmask", d->netmask);
    } else {
        obj_unset(e->st, o, "ipAddress");
        obj_unset(e->st, o, "netmask");
    }
}

static void sync_mtu(engine *e, obj *o, const net_device *d)
{
    obj_setf(e->st, o, "mtu", "%lld", d->mtu);
}

/* 1 if d is a physical port: it has a MAC and is neither a bond nor a VLAN interface. */
static int is_port(const net_device *d)
{
    return d->mac[0] && d->bond_mode < 0 && !d->vlan_id && strncmp(d->name, "bond", 4) != 0;
}

static void sync_ports(engine *e, obj *s, const server_facts *f)
{
    for (size_t i = 0; i < f->ndevs; i++) {
        const net_device *d = &f->devs[i];
        if (!is_port(d))
            continue;
        obj *p = net_ensure_port(e, s, d->name, d->mac, NULL);
        sync_mtu(e, p, d);
        obj_set(e->st, p, "linkStatus", "UP");
        if (strcmp(d->name, "eth0") != 0) /* eth0's address is the management bridge's */
            sync_address(e, p, d);
    }
    obj **ports;
    size_t n = store_find_by(e->st, "Port", "server", s->id, &ports);
    for (size_t i = 0; i < n; i++)
        if (!find_dev(f, obj_gets(ports[i], "device"))) {
            obj_set(e->st, ports[i], "linkStatus", "DOWN");
            obj_unset(e->st, ports[i], "bondPort");
        }
    free(ports);
}

static const char *oracle_mode(long long num)
{
    return num == 4 ? "LINK_AGGREGATION" : num == 6 ? "LOAD_BALANCED" : "ACTIVE_PASSIVE";
}

/* 1 if dev is a word of the space-separated list. */
static int in_list(const char *list, const char *dev)
{
    size_t len = strlen(dev);
    for (const char *p = list; (p = strstr(p, dev)) != NULL; p += len)
        if ((p == list || p[-1] == ' ') && (p[len] == ' ' || !p[len]))
            return 1;
    return 0;
}

static void sync_bond(engine *e, obj *s, obj *bond, const net_device *d)
{
    sync_mtu(e, bond, d);
    sync_address(e, bond, d);
    obj_set(e->st, bond, "mode", oracle_mode(d->bond_mode));
    obj **ports;
    size_t n = store_find_by(e->st, "Port", "server", s->id, &ports);
    for (size_t i = 0; i < n; i++) {
        int member = in_list(d->slaves, obj_gets(ports[i], "device"));
        if (member)
            obj_set(e->st, ports[i], "bondPort", bond->id);
        else if (obj_is(ports[i], "bondPort", bond->id))
            obj_unset(e->st, ports[i], "bondPort");
    }
    free(ports);
}

/* The object of type on server s whose device is dev, or NULL. */
static obj *device_obj(engine *e, const char *type, const obj *s, const char *dev)
{
    obj **v, *hit = NULL;
    size_t n = store_find_by(e->st, type, "server", s->id, &v);
    for (size_t i = 0; i < n && !hit; i++)
        if (obj_is(v[i], "device", dev))
            hit = v[i];
    free(v);
    return hit;
}

/* A device made on the host outside the Manager becomes an object named "<device> on <server>". */
static obj *adopt(engine *e, obj *s, const char *type, const char *code, const char *dev)
{
    char id[64];
    ovm_new_id(code, "", id, sizeof id);
    char *name = xasprintf("%s on %s", dev, s->name);
    obj *o = store_create(e->st, type, id, name);
    free(name);
    obj_setf(e->st, o, "created", "%lld", (long long)ovm_unique_ms_id());
    obj_set(e->st, o, "server", s->id);
    obj_set(e->st, o, "device", dev);
    return o;
}

/* Bonds (but the installer's bond0, which eth0 stands for) and VLAN interfaces
 * the host has and the Manager does not know yet, as Oracle VM discovers them. */
static void adopt_devices(engine *e, obj *s, const server_facts *f)
{
    for (size_t i = 0; i < f->ndevs; i++) {
        const net_device *d = &f->devs[i];
        if (d->bond_mode >= 0 && strcmp(d->name, "bond0") != 0 && !device_obj(e, "BondPort", s, d->name))
            adopt(e, s, "BondPort", "000f", d->name);
    }
    for (size_t i = 0; i < f->ndevs; i++) {
        const net_device *d = &f->devs[i];
        if (!d->vlan_id || device_obj(e, "VlanInterface", s, d->name))
            continue;
        obj *parent = device_obj(e, "Port", s, d->parent);
        if (!parent)
            parent = device_obj(e, "BondPort", s, d->parent);
        if (!parent)
            continue; /* on bond0: the Manager has no object for it */
        obj *v = adopt(e, s, "VlanInterface", "0020", d->name);
        obj_set(e->st, v, "parent", parent->id);
        obj_setf(e->st, v, "vlanId", "%lld", d->vlan_id);
    }
}

/* Records f's devices on server s (write lock held). */
void net_sync_devices(engine *e, obj *s, const server_facts *f)
{
    sync_ports(e, s, f);
    adopt_devices(e, s, f);
    obj **v;
    size_t n = store_find_by(e->st, "BondPort", "server", s->id, &v);
    for (size_t i = 0; i < n; i++) {
        const net_device *d = find_dev(f, obj_gets(v[i], "device"));
        if (d)
            sync_bond(e, s, v[i], d);
    }
    free(v);
    n = store_find_by(e->st, "VlanInterface", "server", s->id, &v);
    for (size_t i = 0; i < n; i++) {
        const net_device *d = find_dev(f, obj_gets(v[i], "device"));
        if (d) {
            sync_mtu(e, v[i], d);
            sync_address(e, v[i], d);
        }
    }
    free(v);
}
