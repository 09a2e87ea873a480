/* embeddedCreate / embeddedEdit / embeddedDelete of the IP address
 * configuration of a Port, BondPort or VlanInterface (doc/object-model.md §3,
 * rule N-12): one configuration per device (id 1, as Oracle VM numbers it),
 * STATIC with an address and a netmask or DYNAMIC (DHCP). The server's agent
 * configures the device first (ovs_ip_config); an agent refusal takes the
 * N-13 path of the other network jobs. */
#include "backend/ops/ops_network.h"
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/flows/model.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"
#include "lib/util.h"

typedef struct ip_plan {
    agent_target t;
    char obj_id[64], dev[64], type[16], ip[48], mask[48];
} ip_plan;

static const char *const member_types[] = {"Port", "BondPort", "VlanInterface", NULL};

static int run_ip(job *j)
{
    ip_plan *p = j->plan;
    engine *e = j->eng;
    const char *optype = !strcmp(p->type, "STATIC") ? "static" : !strcmp(p->type, "DHCP") ? "dhcp" : "none";
    if (agent_ovs_ip_config(AGENT_JOB(j, &p->t), p->dev, optype, p->ip, p->mask, NULL) != 0) {
        net_config_failed(j, &p->t);
        return -1;
    }
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *o = store_get(e->st, p->obj_id);
    if (o) {
        obj_set(e->st, o, "addressType", p->type);
        if (!strcmp(p->type, "STATIC")) {
            obj_set(e->st, o, "ipAddress", p->ip);
            obj_set(e->st, o, "netmask", p->mask);
        } else {
            obj_unset(e->st, o, "ipAddress");
            obj_unset(e->st, o, "netmask");
        }
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    return 0;
}

/* ip/mask as host-order numbers; 0, or -1 after failing c with the reason. */
static int parse_static(cmdctx *c, const char *ip, const char *mask, uint32_t *a, uint32_t *m)
{
    struct in_addr ia, im;
    if (!ip || !mask) {
        result_fail(c->res, "ipAddressConfigType=STATIC needs ipAddress and ipNetmask");
        return -1;
    }
    if (inet_pton(AF_INET, ip, &ia) != 1 || !ia.s_addr || (ntohl(ia.s_addr) >> 28) >= 14) {
        result_fail(c->res, "Invalid IP address: %s", ip);
        return -1;
    }
    *m = inet_pton(AF_INET, mask, &im) == 1 ? ntohl(im.s_addr) : 0;
    if (!*m || (~*m & (~*m + 1))) {
        result_fail(c->res, "Invalid netmask: %s", mask);
        return -1;
    }
    *a = ntohl(ia.s_addr);
    if ((*a & ~*m) == 0 || (*a | *m) == 0xffffffffu) {
        result_fail(c->res, "IP address %s is not a host address of netmask %s", ip, mask);
        return -1;
    }
    return 0;
}

/* N-12 against one other address of the server; 0, or -1 after failing c. */
static int clash(cmdctx *c, const obj *server, const char *what, const char *ip, const char *mask, uint32_t a,
                 uint32_t m)
{
    struct in_addr oa, om;
    if (!ip || inet_pton(AF_INET, ip, &oa) != 1)
        return 0;
    uint32_t b = ntohl(oa.s_addr), bm = mask && inet_pton(AF_INET, mask, &om) == 1 ? ntohl(om.s_addr) : m;
    char sub[INET_ADDRSTRLEN];
    struct in_addr s = {htonl(a & m)};
    inet_ntop(AF_INET, &s, sub, sizeof sub);
    if (a == b)
        result_fail(c->res, "IP address %s is already used by %s of Server %s", ip, what, server->name);
    else if ((a & m) == (b & m) || (a & bm) == (b & bm))
        result_fail(c->res, "Server %s already has an interface in subnet %s", server->name, sub);
    else
        return 0;
    return -1;
}

/* N-12: the server's other devices and its management address; 0 or -1 after failing c. */
static int check_unique(cmdctx *c, const obj *self, const obj *server, uint32_t a, uint32_t m)
{
    if (clash(c, server, "the management interface", obj_get(server, "ipAddress"), NULL, a, m) != 0)
        return -1;
    int rc = 0;
    for (const char *const *t = member_types; *t && !rc; t++) {
        obj **v;
        size_t n = store_find_by(c->e->st, *t, "server", server->id, &v);
        for (size_t i = 0; i < n && !rc; i++) {
            if (v[i] == self || !obj_is(v[i], "addressType", "STATIC"))
                continue;
            char *what = xasprintf("%s %s", v[i]->type, v[i]->name);
            rc = clash(c, server, what, obj_get(v[i], "ipAddress"), obj_get(v[i], "netmask"), a, m);
            free(what);
        }
        free(v);
    }
    return rc;
}

/* The state rules of the verb on o's configuration; 0, or -1 after failing c. */
static int check_verb(cmdctx *c, const obj *o, const char *verb)
{
    int has = obj_get(o, "addressType") && !obj_is(o, "addressType", "NONE");
    obj *bond = store_get(c->e->st, obj_gets(o, "bondPort"));
    if (bond)
        result_fail(c->res, "Port %s is part of BondPort %s; it can only be removed from the bond", port_label(o),
                    bond->name);
    else if (!strcmp(verb, "embeddedCreate") && has)
        result_fail(c->res, "%s %s already has an IP address configuration; use embeddedEdit", o->type, o->name);
    else if (strcmp(verb, "embeddedCreate") != 0 && !has)
        result_fail(c->res, "%s %s has no IP address configuration", o->type, o->name);
    else if (!strcmp(port_label(o), "eth0"))
        result_fail(c->res, "Port %s carries the management address; it cannot be changed", port_label(o));
    else
        return 0;
    return -1;
}

/* The address part of plan p from the command; 0, or -1 after failing c. */
static int take_address(cmdctx *c, const obj *o, const obj *server, ip_plan *p)
{
    const char *type = gr_get(c->cmd, "ipAddressConfigType");
    if (!type) {
        snprintf(p->type, sizeof p->type, "NONE");
        return 0;
    }
    if (!strcmp(type, "DYNAMIC")) {
        snprintf(p->type, sizeof p->type, "DHCP");
        return 0;
    }
    uint32_t a, m;
    const char *ip = gr_get(c->cmd, "ipAddress"), *mask = gr_get(c->cmd, "ipNetmask");
    if (parse_static(c, ip, mask, &a, &m) != 0 || check_unique(c, o, server, a, m) != 0)
        return -1;
    snprintf(p->type, sizeof p->type, "STATIC");
    snprintf(p->ip, sizeof p->ip, "%s", ip);
    snprintf(p->mask, sizeof p->mask, "%s", mask);
    return 0;
}

static job *prepare_ip(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!o || check_verb(c, o, c->cmd->verb) != 0)
        return NULL;
    obj *server = store_get(c->e->st, obj_gets(o, "server"));
    if (!server || !server_usable(server)) {
        result_fail(c->res, "Server %s is not Running; its network devices cannot be changed",
                    server ? server->name : obj_gets(o, "server"));
        return NULL;
    }
    ip_plan *p = xcalloc(1, sizeof *p);
    if (take_address(c, o, server, p) != 0) {
        free(p);
        return NULL;
    }
    agent_target_of(c->e, server, &p->t);
    snprintf(p->obj_id, sizeof p->obj_id, "%s", o->id);
    snprintf(p->dev, sizeof p->dev, "%s", port_label(o));
    const char *op = !strcmp(c->cmd->verb, "embeddedCreate") ? "Create IP Address Config on"
                     : !strcmp(c->cmd->verb, "embeddedEdit") ? "Edit IP Address Config on"
                                                             : "Delete IP Address Config on";
    const job_spec spec = {.operation = op, .type = o->type, .fn = run_ip, .plan_free = free};
    return spec_job(c, &spec, o->name, p, o->id, server->id, NULL);
}

const op ops_network_ip[] = {
    {GR_F_embeddedCreate_Port, NULL, prepare_ip, 0},
    {GR_F_embeddedEdit_Port, NULL, prepare_ip, 0},
    {GR_F_embeddedDelete_Port, NULL, prepare_ip, 0},
    {GR_F_embeddedCreate_BondPort, NULL, prepare_ip, 0},
    {GR_F_embeddedEdit_BondPort, NULL, prepare_ip, 0},
    {GR_F_embeddedDelete_BondPort, NULL, prepare_ip, 0},
    {GR_F_embeddedCreate_VlanInterface, NULL, prepare_ip, 0},
    {GR_F_embeddedEdit_VlanInterface, NULL, prepare_ip, 0},
    {GR_F_embeddedDelete_VlanInterface, NULL, prepare_ip, 0},
    OPS_END,
};
