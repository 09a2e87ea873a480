/* BondPort and VlanInterface commands and edit Port mtu (doc/object-model.md §3,
 * rules N-4, N-15..N-18). The Manager asks the port's server to change its
 * devices first (ovs_bond_*, ovs_vlan_config, ovs_mtu_config) and records the
 * change only when the agent did it; an agent refusal fails the job with the
 * host's reason and runs the N-13 path (ERROR event, rediscovery child job
 * that reads the server's ports back, acknowledgement). */
#include "backend/ops/ops_network.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/flows/model.h"
#include "backend/flows/relations.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"
#include "lib/util.h"

enum net_kind { NK_BOND_CREATE, NK_BOND_EDIT, NK_BOND_DELETE, NK_SLAVE_ADD, NK_SLAVE_REMOVE, NK_VLAN_CREATE,
                NK_VLAN_EDIT, NK_VLAN_DELETE, NK_MTU };

typedef struct net_plan {
    enum net_kind kind;
    agent_target t;
    gplan *g;             /* the store change: create or edit of the object */
    char dev[64];         /* the device the agent changes: bondN, eth1, eth1.20 */
    char mode[32];        /* Linux bonding mode, "" = unchanged */
    char port_id[64];     /* slave add/remove: the Port */
    char port_dev[64];
    xr_value *slaves;     /* bond create: the devices */
    char **port_ids;      /* bond create: the Ports, n_ports of them */
    size_t n_ports;
    int64_t mtu, vlan;    /* 0 = unchanged */
} net_plan;

static void net_plan_free(void *v)
{
    net_plan *p = v;
    if (p->g)
        gplan_free(p->g);
    xr_free(p->slaves);
    free_list(p->port_ids, p->n_ports);
    free(p);
}

static const char *const oracle_modes[] = {"ACTIVE_PASSIVE", "LINK_AGGREGATION", "LOAD_BALANCED", NULL};
static const char *const linux_modes[] = {"active-backup", "802.3ad", "balance-alb", NULL};

static const char *linux_mode(const char *mode)
{
    for (int i = 0; mode && oracle_modes[i]; i++)
        if (!strcmp(mode, oracle_modes[i]))
            return linux_modes[i];
    return "";
}

/* The agent calls of p; 0, or -1 with the job failed by the agent's reason. */
static int net_call(job *j, net_plan *p)
{
    agent_ctx *c = AGENT_JOB(j, &p->t);
    switch (p->kind) {
    case NK_BOND_CREATE:
        return agent_ovs_bond_create(c, p->dev, p->mode, p->slaves, p->mtu, NULL) ? -1 : 0;
    case NK_BOND_EDIT:
        return *p->mode || p->mtu ? (agent_ovs_bond_edit(c, p->dev, p->mode, p->mtu, NULL) ? -1 : 0) : 0;
    case NK_BOND_DELETE:
        return agent_ovs_bond_delete(c, p->dev, NULL) ? -1 : 0;
    case NK_SLAVE_ADD:
    case NK_SLAVE_REMOVE:
        return agent_ovs_bond_slave(c, p->kind == NK_SLAVE_ADD ? "add" : "remove", p->dev, p->port_dev, NULL) ? -1
                                                                                                             : 0;
    case NK_VLAN_CREATE:
        if (agent_ovs_vlan_config(c, "add", p->port_dev, p->vlan, NULL) != 0)
            return -1;
        return p->mtu && p->mtu != 1500 && agent_ovs_mtu_config(c, p->dev, p->mtu, NULL) ? -1 : 0;
    case NK_VLAN_DELETE:
        return agent_ovs_vlan_config(c, "remove", p->port_dev, p->vlan, NULL) ? -1 : 0;
    case NK_VLAN_EDIT:
    case NK_MTU:
        return p->mtu && agent_ovs_mtu_config(c, p->dev, p->mtu, NULL) ? -1 : 0;
    }
    return -1;
}

/* Points the ports of p at the bond (or away from it: bond NULL); write lock held. */
static void set_ports_bond(engine *e, char **ids, size_t n, const char *bond)
{
    for (size_t i = 0; i < n; i++) {
        obj *port = store_get(e->st, ids[i]);
        if (port && bond)
            obj_set(e->st, port, "bondPort", bond);
        else if (port)
            obj_unset(e->st, port, "bondPort");
    }
}

/* The store side of p after the agent did it; write lock held. */
static void net_record(job *j, net_plan *p)
{
    engine *e = j->eng;
    obj *o = p->g ? store_get(e->st, p->g->id) : NULL;
    char *one[] = {p->port_id};
    switch (p->kind) {
    case NK_BOND_CREATE:
        set_ports_bond(e, p->port_ids, p->n_ports, p->g->id);
        break;
    case NK_SLAVE_ADD:
    case NK_SLAVE_REMOVE:
        set_ports_bond(e, one, 1, p->kind == NK_SLAVE_ADD ? p->g->id : NULL);
        break;
    case NK_BOND_DELETE:
    case NK_VLAN_DELETE:
        if (o) {
            relations_on_delete(e, o);
            store_delete(e->st, o);
        }
        break;
    default:
        break;
    }
}

static int run_net(job *j)
{
    net_plan *p = j->plan;
    engine *e = j->eng;
    if (net_call(j, p) != 0) {
        net_config_failed(j, &p->t);
        return -1;
    }
    int rc = 0;
    if (p->g && p->kind == NK_BOND_CREATE)
        rc = gplan_store_create(j, p->g);
    else if (p->g && p->kind == NK_VLAN_CREATE)
        rc = gplan_store_create(j, p->g);
    else if (p->g && (p->kind == NK_BOND_EDIT || p->kind == NK_VLAN_EDIT || p->kind == NK_MTU))
        rc = gplan_store_edit(j, p->g);
    if (rc != 0)
        return rc;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    net_record(j, p);
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    return 0;
}

/* The plan of a change on server's devices, or NULL after failing c. */
static net_plan *net_plan_for(cmdctx *c, const obj *server, enum net_kind kind)
{
    if (!server) {
        result_fail(c->res, "The object has no server");
        return NULL;
    }
    if (!obj_is(server, "ownership", "Owned")) {
        result_fail(c->res, "Server %s is not owned by this Manager; take ownership first", server->name);
        return NULL;
    }
    if (!server_usable(server)) {
        result_fail(c->res, "Server %s is not Running; its network devices cannot be changed", server->name);
        return NULL;
    }
    net_plan *p = xcalloc(1, sizeof *p);
    p->kind = kind;
    agent_target_of(c->e, server, &p->t);
    return p;
}

static job *net_job(cmdctx *c, net_plan *p, const char *op, const char *type, const char *name, const char *id)
{
    const job_spec spec = {.operation = op, .type = type, .fn = run_net, .plan_free = net_plan_free};
    return spec_job(c, &spec, name, p, id, p->t.id, NULL);
}

/* N-4: a port that joins a bond is in no bond and carries no network. Heap text or NULL. */
static char *slave_rule(engine *e, const obj *port, const obj *server)
{
    obj *bond = store_get(e->st, obj_gets(port, "bondPort"));
    obj *net = store_get(e->st, obj_gets(port, "network"));
    if (strcmp(obj_gets(port, "server"), server->id) != 0)
        return xasprintf("Port %s is not a port of Server %s", port->name, server->name);
    if (bond)
        return xasprintf("Port %s is already part of BondPort %s", port_label(port), bond->name);
    if (net)
        return xasprintf("Port %s belongs to Network %s; remove it from the network first", port_label(port),
                         net->name);
    return NULL;
}

/* The next free bondN of server (bond0 is the installer's). */
static void next_bond_device(engine *e, const obj *server, char *buf, size_t len)
{
    obj **v;
    size_t n = store_find_by(e->st, "BondPort", "server", server->id, &v);
    for (int k = 1;; k++) {
        snprintf(buf, len, "bond%d", k);
        int used = 0;
        for (size_t i = 0; i < n; i++)
            used |= obj_is(v[i], "device", buf);
        if (!used)
            break;
    }
    free(v);
}

/* Resolves ethernetPorts into p (devices and ids); 0, or -1 after failing c. */
static int take_ports(cmdctx *c, net_plan *p, const obj *server)
{
    char **names;
    size_t n = split_list(gr_get(c->cmd, "ethernetPorts"), &names);
    p->slaves = xr_array();
    p->port_ids = xcalloc(n + 1, sizeof *p->port_ids);
    int rc = n ? 0 : -1;
    if (!n)
        result_fail(c->res, "A BondPort needs at least one Port");
    for (size_t i = 0; i < n && rc == 0; i++) {
        obj *port = resolve_ref(c, "Port", names[i]);
        char *err = port ? slave_rule(c->e, port, server) : NULL;
        for (size_t k = 0; port && !err && k < p->n_ports; k++)
            if (!strcmp(p->port_ids[k], port->id))
                err = xasprintf("Port %s is given twice", port_label(port));
        if (err)
            result_fail(c->res, "%s", err);
        free(err);
        if (!port || err) {
            rc = -1;
            break;
        }
        p->port_ids[p->n_ports++] = xstrdup(port->id);
        xr_array_add(p->slaves, xr_string(port_label(port)));
    }
    free_list(names, n);
    return rc;
}

static job *prepare_create_bond(cmdctx *c)
{
    const char *name = gr_get(c->cmd, "name"), *dev = gr_get(c->cmd, "interfaceName");
    obj *server = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!server)
        return NULL;
    if (name_taken(c->e, "BondPort", name, NULL)) {
        result_fail(c->res, "A BondPort named %s already exists", name);
        return NULL;
    }
    net_plan *p = net_plan_for(c, server, NK_BOND_CREATE);
    if (!p || take_ports(c, p, server) != 0) {
        if (p)
            net_plan_free(p);
        return NULL;
    }
    if (dev)
        snprintf(p->dev, sizeof p->dev, "%s", dev);
    else
        next_bond_device(c->e, server, p->dev, sizeof p->dev);
    snprintf(p->mode, sizeof p->mode, "%s", linux_mode(gr_get(c->cmd, "mode")));
    p->mtu = gr_get(c->cmd, "mtu") ? strtoll(gr_get(c->cmd, "mtu"), NULL, 10) : 1500;
    char id[64];
    new_object_id(c->cmd->type, id, sizeof id);
    p->g = gplan_new("BondPort", id, name);
    gplan_set(p->g, "mode", gr_get(c->cmd, "mode"));
    if (gr_get(c->cmd, "description"))
        gplan_set(p->g, "description", gr_get(c->cmd, "description"));
    gplan_set(p->g, "server", server->id);
    gplan_set(p->g, "device", p->dev);
    char mtu[24];
    snprintf(mtu, sizeof mtu, "%lld", (long long)p->mtu);
    gplan_set(p->g, "mtu", mtu);
    return net_job(c, p, "Create", "BondPort", name, NULL);
}

/* The edit plan of a BondPort or VlanInterface with the agent's part; NULL after failing c. */
static job *prepare_edit_device(cmdctx *c, enum net_kind kind)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *server = o ? store_get(c->e->st, obj_gets(o, "server")) : NULL;
    if (!o)
        return NULL;
    const char *mode = gr_get(c->cmd, "mode"), *mtu = gr_get(c->cmd, "mtu");
    if (kind == NK_MTU && obj_get(o, "bondPort")) {
        result_fail(c->res, "Port %s is part of BondPort %s; set the MTU of the bond", port_label(o),
                    store_get(c->e->st, obj_gets(o, "bondPort"))->name);
        return NULL;
    }
    net_plan *p = (mode || mtu) ? net_plan_for(c, server, kind) : xcalloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->kind = kind;
    snprintf(p->dev, sizeof p->dev, "%s", port_label(o));
    snprintf(p->mode, sizeof p->mode, "%s", mode ? linux_mode(mode) : "");
    p->mtu = mtu ? strtoll(mtu, NULL, 10) : 0;
    if (!(p->g = gplan_edit_plan(c, o, kind != NK_MTU))) {
        net_plan_free(p);
        return NULL;
    }
    return net_job(c, p, "Edit", o->type, o->name, o->id);
}

static job *prepare_edit_bond(cmdctx *c)
{
    return prepare_edit_device(c, NK_BOND_EDIT);
}

static job *prepare_edit_vlan(cmdctx *c)
{
    return prepare_edit_device(c, NK_VLAN_EDIT);
}

static job *prepare_edit_port(cmdctx *c)
{
    return prepare_edit_device(c, NK_MTU);
}

/* delete BondPort / VlanInterface: not while it carries a network (whose VMs
 * would lose their uplink) or VLAN interfaces. */
static job *prepare_delete_device(cmdctx *c, enum net_kind kind)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *net = o ? store_get(c->e->st, obj_gets(o, "network")) : NULL;
    if (net)
        result_fail(c->res, "%s %s carries Network %s; remove it from the network first", o->type, o->name,
                    net->name);
    if (!o || net || delete_refused(c, o))
        return NULL;
    net_plan *p = net_plan_for(c, store_get(c->e->st, obj_gets(o, "server")), kind);
    if (!p)
        return NULL;
    snprintf(p->dev, sizeof p->dev, "%s", port_label(o));
    obj *parent = store_get(c->e->st, obj_gets(o, "parent"));
    snprintf(p->port_dev, sizeof p->port_dev, "%s", parent ? port_label(parent) : "");
    p->vlan = obj_get_int(o, "vlanId", 0);
    p->g = gplan_new(o->type, o->id, o->name);
    return net_job(c, p, "Delete", o->type, o->name, o->id);
}

static job *prepare_delete_bond(cmdctx *c)
{
    return prepare_delete_device(c, NK_BOND_DELETE);
}

static job *prepare_delete_vlan(cmdctx *c)
{
    return prepare_delete_device(c, NK_VLAN_DELETE);
}

static size_t bond_size(engine *e, const obj *bond)
{
    obj **v;
    size_t n = store_find_by(e->st, "Port", "bondPort", bond->id, &v);
    free(v);
    return n;
}

/* add / remove Port to / from BondPort */
job *prepare_bond_slave(cmdctx *c, int add)
{
    obj *port = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *bond = port ? resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance) : NULL;
    obj *server = bond ? store_get(c->e->st, obj_gets(bond, "server")) : NULL;
    if (!bond || !server)
        return NULL;
    char *err = add ? slave_rule(c->e, port, server) : NULL;
    if (!add && !obj_is(port, "bondPort", bond->id))
        err = xasprintf("Port %s is not part of BondPort %s", port_label(port), bond->name);
    else if (!add && bond_size(c->e, bond) < 2)
        err = xasprintf("Port %s is the last Port of BondPort %s; delete the BondPort instead", port_label(port),
                        bond->name);
    if (err) {
        result_fail(c->res, "%s", err);
        free(err);
        return NULL;
    }
    net_plan *p = net_plan_for(c, server, add ? NK_SLAVE_ADD : NK_SLAVE_REMOVE);
    if (!p)
        return NULL;
    snprintf(p->dev, sizeof p->dev, "%s", port_label(bond));
    snprintf(p->port_id, sizeof p->port_id, "%s", port->id);
    snprintf(p->port_dev, sizeof p->port_dev, "%s", port_label(port));
    p->g = gplan_new("BondPort", bond->id, bond->name);
    const job_spec spec = {.operation = add ? "Add Port to" : "Remove Port from", .type = "BondPort",
                           .fn = run_net, .plan_free = net_plan_free};
    return spec_job(c, &spec, bond->name, p, bond->id, port->id, p->t.id, NULL);
}

/* N-16: one VLAN interface per VLAN id on a port or bond. */
static int vlan_taken(cmdctx *c, const obj *parent, int64_t vlan)
{
    obj **v;
    size_t n = store_find_by(c->e->st, "VlanInterface", "parent", parent->id, &v);
    obj *dup = NULL;
    for (size_t i = 0; i < n && !dup; i++)
        if (obj_get_int(v[i], "vlanId", 0) == vlan)
            dup = v[i];
    if (dup)
        result_fail(c->res, "%s %s already has VlanInterface %s with vlanId %lld", parent->type, parent->name,
                    dup->name, (long long)vlan);
    free(v);
    return dup != NULL;
}

static job *prepare_create_vlan(cmdctx *c)
{
    const char *name = gr_get(c->cmd, "name");
    obj *parent = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!parent)
        return NULL;
    int64_t vlan = strtoll(gr_get(c->cmd, "vlanId"), NULL, 10);
    if (name_taken(c->e, "VlanInterface", name, NULL)) {
        result_fail(c->res, "A VlanInterface named %s already exists", name);
        return NULL;
    }
    obj *bond = store_get(c->e->st, obj_gets(parent, "bondPort"));
    if (bond) {
        result_fail(c->res, "Port %s is part of BondPort %s; it can only be removed from the bond",
                    port_label(parent), bond->name);
        return NULL;
    }
    obj *server = store_get(c->e->st, obj_gets(parent, "server"));
    net_plan *p = vlan_taken(c, parent, vlan) ? NULL : net_plan_for(c, server, NK_VLAN_CREATE);
    if (!p)
        return NULL;
    p->vlan = vlan;
    p->mtu = gr_get(c->cmd, "mtu") ? strtoll(gr_get(c->cmd, "mtu"), NULL, 10) : 1500;
    snprintf(p->port_dev, sizeof p->port_dev, "%s", port_label(parent));
    snprintf(p->dev, sizeof p->dev, "%s.%lld", port_label(parent), (long long)vlan);
    char id[64];
    new_object_id(c->cmd->type, id, sizeof id);
    p->g = gplan_new("VlanInterface", id, name);
    gplan_take_attrs(p->g, c->cmd);
    gplan_set(p->g, "server", server->id);
    gplan_set(p->g, "parent", parent->id);
    gplan_set(p->g, "device", p->dev);
    char mtu[24];
    snprintf(mtu, sizeof mtu, "%lld", (long long)p->mtu);
    gplan_set(p->g, "mtu", mtu);
    return net_job(c, p, "Create", "VlanInterface", name, NULL);
}

const op ops_network_bond[] = {
    {GR_F_create_BondPort, NULL, prepare_create_bond, 0},
    {GR_F_edit_BondPort, NULL, prepare_edit_bond, 0},
    {GR_F_delete_BondPort, NULL, prepare_delete_bond, 0},
    {GR_F_add_BondPort, NULL, prepare_add_port, 0},
    {GR_F_remove_BondPort, NULL, prepare_remove_port, 0},
    {GR_F_create_VlanInterface, NULL, prepare_create_vlan, 0},
    {GR_F_edit_VlanInterface, NULL, prepare_edit_vlan, 0},
    {GR_F_delete_VlanInterface, NULL, prepare_delete_vlan, 0},
    {GR_F_add_VlanInterface, NULL, prepare_add_port, 0},
    {GR_F_remove_VlanInterface, NULL, prepare_remove_port, 0},
    {GR_F_edit_Port, NULL, prepare_edit_port, 0},
    OPS_END,
};
