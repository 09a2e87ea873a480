/* Network, Port and Vnic commands (doc/object-model.md §2.7, §6.14, rules N-1..N-10,
 * N-14). Networks live only in the Manager; ports join them through the
 * bridge set-up call on their server; every Vnic change of a VM that lives on
 * an agent rewrites its vm.cfg with configure_vm, undoing the store change
 * when the agent refuses (§7.3). This file: the table, N-5 and the Network
 * commands; ops_network_port.c: Port members; ops_network_vnic.c: MACs and Vnics. */
#include "backend/ops/ops_network.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/jobs/events.h"
#include "backend/flows/flow.h"
#include "backend/ops/generic.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* Roles a server may carry on one network only (N-5). */
static const char *const exclusive_roles[] = {"MANAGEMENT", "CLUSTER_HEARTBEAT", "LIVE_MIGRATE", NULL};
/* Network member types checked by N-5 and N-9. */
static const char *const member_types[] = {"Port", "BondPort", "VlanInterface", NULL};

int has_role(const obj *net, const char *role)
{
    return obj_list_has(net, "roles", role);
}

/* A port is named by its device ("eth0") in rule texts, else by its name. */
const char *port_label(const obj *port)
{
    const char *dev = obj_get(port, "device");
    return dev && *dev ? dev : port->name;
}

/* ---- N-5: one network per server for each exclusive role ---- */

/* The network other than self that gives server the role through one of its members, or NULL. */
static obj *role_holder(engine *e, const char *server_id, const char *role, const obj *self)
{
    obj *hit = NULL;
    for (const char *const *t = member_types; *t && !hit; t++) {
        obj **v;
        size_t n = store_find_by(e->st, *t, "server", server_id, &v);
        for (size_t i = 0; i < n && !hit; i++) {
            obj *net = store_get(e->st, obj_gets(v[i], "network"));
            if (net && net != self && has_role(net, role))
                hit = net;
        }
        free(v);
    }
    return hit;
}

/* N-5 text when server may not join a network with roles, else NULL (heap). */
char *exclusive_role_conflict(engine *e, const obj *server, const char *roles, const obj *self)
{
    for (const char *const *r = exclusive_roles; *r; r++) {
        char **items;
        size_t n = split_list(roles, &items);
        int wanted = 0;
        for (size_t i = 0; i < n; i++)
            wanted |= !strcmp(items[i], *r);
        free_list(items, n);
        obj *other = wanted ? role_holder(e, server->id, *r, self) : NULL;
        if (other)
            return xasprintf("Server %s already has role %s on Network %s", server->name, *r, other->name);
    }
    return NULL;
}

/* N-5 for a role change of net: every server with a member in net. */
static char *roles_conflict(engine *e, const obj *net, const char *roles)
{
    char *err = NULL;
    for (const char *const *t = member_types; *t && !err; t++) {
        obj **v;
        size_t n = store_find_by(e->st, *t, "network", net->id, &v);
        for (size_t i = 0; i < n && !err; i++) {
            obj *s = store_get(e->st, obj_gets(v[i], "server"));
            if (s)
                err = exclusive_role_conflict(e, s, roles, net);
        }
        free(v);
    }
    return err;
}

/* ---- create / edit / delete Network ---- */

static job *prepare_create_network(cmdctx *c)
{
    const char *name = gr_get(c->cmd, "name");
    const char *roles = gr_get(c->cmd, "roles") ? gr_get(c->cmd, "roles") : "VIRTUAL_MACHINE";
    if (name_taken(c->e, "Network", name, NULL)) {
        result_fail(c->res, "A Network named %s already exists", name);
        return NULL;
    }
    obj *server = NULL;
    if (gr_get(c->cmd, "server")) {
        if (!(server = resolve_ref(c, "Server", gr_get(c->cmd, "server"))))
            return NULL;
        if (strcmp(roles, "VIRTUAL_MACHINE") != 0) {
            result_fail(c->res, "A server-local Network can only have the VIRTUAL_MACHINE role");
            return NULL;
        }
    }
    char id[64];
    new_object_id(c->cmd->type, id, sizeof id);
    gplan *p = gplan_new("Network", id, name);
    gplan_take_attrs(p, c->cmd);
    gplan_set(p, "roles", roles);
    if (server)
        gplan_set(p, "server", server->id);
    static const job_spec spec = {.operation = "Create", .type = "Network", .fn = gplan_run_create,
                                  .plan_free = gplan_free};
    return spec_job(c, &spec, name, p, NULL, NULL);
}

static size_t count_vnics(engine *e, const obj *net)
{
    obj **v;
    size_t n = store_find_by(e->st, "Vnic", "network", net->id, &v);
    free(v);
    return n;
}

/* N-8, N-10 and N-5 for a new role list of net; 0 ok. */
static int check_new_roles(cmdctx *c, const obj *net, const char *roles)
{
    char **items;
    size_t n = split_list(roles, &items);
    int mgmt = 0, vm = 0;
    for (size_t i = 0; i < n; i++) {
        mgmt |= !strcmp(items[i], "MANAGEMENT");
        vm |= !strcmp(items[i], "VIRTUAL_MACHINE");
    }
    free_list(items, n);
    if (obj_is(net, "management", "Yes") && !mgmt) {
        result_fail(c->res, "MANAGEMENT cannot be removed from management Network %s", net->name);
        return -1;
    }
    size_t users = vm ? 0 : count_vnics(c->e, net);
    if (users) {
        result_fail(c->res, "Network %s is used by %zu Vnic(s); move them first", net->name, users);
        return -1;
    }
    if (obj_get(net, "server") && strcmp(roles, "VIRTUAL_MACHINE") != 0) {
        result_fail(c->res, "A server-local Network can only have the VIRTUAL_MACHINE role");
        return -1;
    }
    char *err = roles_conflict(c->e, net, roles);
    if (err) {
        result_fail(c->res, "%s", err);
        free(err);
        return -1;
    }
    return 0;
}

static job *prepare_edit_network(cmdctx *c)
{
    obj *net = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!net)
        return NULL;
    const char *roles = gr_get(c->cmd, "roles");
    if (roles && check_new_roles(c, net, roles) != 0)
        return NULL;
    return gplan_prepare_edit(c, net, 1);
}

static job *prepare_delete_network(cmdctx *c)
{
    obj *net = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!net)
        return NULL;
    if (delete_refused(c, net))
        return NULL;
    return gplan_delete_job(c, net);
}

const op ops_network[] = {
    {GR_F_create_Network, NULL, prepare_create_network, 0},
    {GR_F_edit_Network, NULL, prepare_edit_network, 0},
    {GR_F_delete_Network, NULL, prepare_delete_network, 0},
    {GR_F_add_Port, NULL, prepare_add_port, 0},
    {GR_F_remove_Port, NULL, prepare_remove_port, 0},
    {GR_F_create_Vnic, NULL, prepare_create_vnic, 0},
    {GR_F_edit_Vnic, NULL, prepare_edit_vnic, 0},
    {GR_F_delete_Vnic, NULL, prepare_delete_vnic, 0},
    {GR_F_add_Vnic, NULL, prepare_add_vnic, 0},
    {GR_F_remove_Vnic, NULL, prepare_remove_vnic, 0},
    OPS_END,
};
