/* add / remove Port (and the other members) of a Network. */
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

/* ---- add / remove Port ---- */

typedef struct port_plan {
    char port_id[64], net_id[64], device[64];
    int add;
    int call;          /* the port's server is owned and Running: set up the bridge */
    agent_target t;
} port_plan;

/* N-4, N-5, N-6, N-11 for moving port into (add) or out of net; heap text or NULL. */
static char *port_rule(engine *e, const obj *port, const obj *net, int add)
{
    obj *server = store_get(e->st, obj_gets(port, "server"));
    obj *bond = store_get(e->st, obj_gets(port, "bondPort"));
    if (bond)
        return xasprintf("Port %s is part of BondPort %s; it can only be removed from the bond", port_label(port),
                         bond->name);
    if (!server || !obj_is(server, "ownership", "Owned"))
        return xasprintf("Server %s is not owned by this Manager; take ownership first",
                         server ? server->name : obj_gets(port, "server"));
    if (!add) {
        if (!obj_is(port, "network", net->id))
            return xasprintf("Port %s of Server %s is not in Network %s", port_label(port), server->name,
                             net->name);
        obj **vms;
        size_t n = store_find_by(e->st, "Vm", "server", server->id, &vms), running = 0;
        for (size_t i = 0; i < n; i++)
            running += status_get(vms[i]) == ST_RUNNING;
        free(vms);
        if (running && has_role(net, "STORAGE"))
            return xasprintf("Server %s runs Vms; its port cannot leave storage Network %s", server->name,
                             net->name);
        return NULL;
    }
    obj *cur = store_get(e->st, obj_gets(port, "network"));
    if (cur)
        return xasprintf("Port %s of Server %s already belongs to Network %s", port_label(port), server->name,
                         cur->name);
    if (obj_get(net, "server"))
        return xasprintf("Network %s is local to a server; it takes no ports", net->name);
    return exclusive_role_conflict(e, server, obj_gets(net, "roles"), net);
}

static int run_rediscover(job *child)
{
    return server_rediscover_network(child, child->plan);
}

/* N-13: after a failed bridge set-up the Manager no longer knows the server's
 * network state. An ERROR event marks it until a rediscovery child job has
 * read it back from the agent; the event is acknowledged when that child
 * ends, whatever its outcome, and the parent keeps its own error. */
void net_config_failed(job *j, agent_target *t)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    obj *s = store_get_typed(e->st, "Server", t->id);
    if (s)
        event_raise(e, "NETWORK_CONFIG_FAILED", "ERROR", s, j->error ? j->error : "Network configuration failed",
                    j->id);
    store_unlock(e->st);
    if (!s)
        return;
    char *name = xasprintf("Rediscover Network: %s", t->name);
    job_run_child(j, name, t->id, run_rediscover, t);
    free(name);
    store_wrlock(e->st);
    event_auto_ack(e, "NETWORK_CONFIG_FAILED", t->id);
    store_unlock(e->st);
}

/* Asks the port's server to start or stop its bridge; 0, or -1 with the job failed. */
static int bridge_config(job *j, port_plan *p)
{
    const char *action = p->add ? "start" : "stop";
    xr_value *res = NULL;
    if (agent_ovs_br_config(AGENT_JOB(j, &p->t), action, p->net_id, p->device, &res) != 0)
        return -1;
    const char *status = xr_get_str(res);
    int ok = status && !strncmp(status, action, strlen(action));
    if (!ok)
        job_fail(j, "Job failed on Server %s: %s", p->t.name, status ? status : "no bridge status");
    xr_free(res);
    return ok ? 0 : -1;
}

static int run_port(job *j)
{
    port_plan *p = j->plan;
    engine *e = j->eng;
    /* revalidate: a job that waited for the lock sees the new state (§7.5) */
    store_rdlock(e->st);
    obj *port = store_get(e->st, p->port_id), *net = store_get(e->st, p->net_id);
    char *err = port && net ? port_rule(e, port, net, p->add) : xstrdup("the Port or the Network no longer exists");
    store_unlock(e->st);
    if (err) {
        job_fail(j, "Job failed: %s", err);
        free(err);
        return -1;
    }
    if (p->call && bridge_config(j, p) != 0) {
        net_config_failed(j, &p->t);
        return -1;
    }
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    if ((port = store_get(e->st, p->port_id)) != NULL) {
        if (p->add)
            obj_set(e->st, port, "network", p->net_id);
        else
            obj_unset(e->st, port, "network");
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    return 0;
}

static job *prepare_port_member(cmdctx *c, int add)
{
    obj *port = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *net = port ? resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance) : NULL;
    if (!net)
        return NULL;
    char *err = port_rule(c->e, port, net, add);
    if (err) {
        result_fail(c->res, "%s", err);
        free(err);
        return NULL;
    }
    port_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->port_id, sizeof p->port_id, "%s", port->id);
    snprintf(p->net_id, sizeof p->net_id, "%s", net->id);
    snprintf(p->device, sizeof p->device, "%s", port_label(port));
    p->add = add;
    obj *server = store_get(c->e->st, obj_gets(port, "server"));
    if ((p->call = server && server_usable(server)) != 0)
        agent_target_of(c->e, server, &p->t);
    const char *type = c->cmd->type->name;
    char *op = xasprintf("%s %s %s", add ? "Add" : "Remove", type, add ? "to" : "from");
    const job_spec spec = {.operation = op, .type = "Network", .fn = run_port, .plan_free = free};
    job *j = spec_job(c, &spec, net->name, p, port->id, net->id, NULL);
    free(op);
    free(j->name);
    j->name = xasprintf("%s %s: %s %s Network: %s", add ? "Add" : "Remove", c->cmd->type->show_name, port->name,
                        add ? "to" : "from", net->name);
    return j;
}

/* add Port to Network|BondPort; add BondPort|VlanInterface to Network */
job *prepare_add_port(cmdctx *c)
{
    if (!strcmp(c->cmd->ptype->name, "BondPort"))
        return prepare_bond_slave(c, 1);
    return prepare_port_member(c, 1);
}

job *prepare_remove_port(cmdctx *c)
{
    if (!strcmp(c->cmd->ptype->name, "BondPort"))
        return prepare_bond_slave(c, 0);
    return prepare_port_member(c, 0);
}
