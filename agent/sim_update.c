/* Server updates on the simulated host (doc/agent-protocol.md, check_for_updates
 * and update_server): its installed packages live in the state ("packages":
 * {name: "epoch:version-release"}); the repositories it is given are real
 * YUM repositories read over the network (agent/yum.c). Installing records
 * the new versions; a new ovs-agent or ovs-release changes the OVM version
 * the host reports. The handlers run without the sim lock while they
 * download and take it to read or change the state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agent/rpmver.h"
#include "agent/sim.h"
#include "agent/yum.h"
#include "lib/log.h"
#include "lib/util.h"

/* Seconds each repository transfer may take to connect (and 4x to finish). */
#define UPDATE_TIMEOUT_S 15

/* The packages a new host has: the OVM version the agent was started with
 * (--ovm-version) is its ovs-agent's version-release. */
static const struct {
    const char *name, *evr;
} seed[] = {
    {"xen", "0:4.4.4-222.0.48.el6"},
    {"kernel-uek", "0:4.1.12-124.48.6.el6uek"},
    {"ovs-release", "0:3.4-1.el6"},
};

void sim_update_seed(struct sim *s)
{
    xr_value *pk = xr_struct_get(s->st, "packages");
    if (!pk) {
        pk = sim_member(s->st, "packages", XR_STRUCT);
        for (size_t i = 0; i < sizeof seed / sizeof seed[0]; i++)
            xr_struct_set(pk, seed[i].name, xr_string(seed[i].evr));
    }
    if (!sim_int(s->st, "packages_updated", 0)) {
        /* never upgraded: ovs-agent is what --ovm-version says */
        char *evr = xasprintf("0:%s", s->ovm_version);
        xr_struct_set(pk, "ovs-agent", xr_string(evr));
        free(evr);
        return;
    }
    /* a host upgraded earlier reports its ovs-agent's version */
    const char *agent = sim_str(pk, "ovs-agent", NULL);
    const char *colon = agent ? strchr(agent, ':') : NULL;
    if (agent) {
        free(s->ovm_version);
        s->ovm_version = xstrdup(colon ? colon + 1 : agent);
    }
}

typedef struct pending {
    char **names, **have;
    size_t n;
    yum_list offered;
} pending;

static void pending_free(pending *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->names[i]);
        free(p->have[i]);
    }
    free(p->names);
    free(p->have);
    yum_list_free(&p->offered);
}

/* Copies the installed packages (takes the lock). */
static void installed(struct sim *s, pending *p)
{
    pthread_mutex_lock(&s->lock);
    const xr_value *pk = xr_struct_get(s->st, "packages");
    size_t n = pk ? pk->n : 0;
    p->names = xcalloc(n + 1, sizeof *p->names);
    p->have = xcalloc(n + 1, sizeof *p->have);
    for (size_t i = 0; i < n; i++) {
        p->names[i] = xstrdup(pk->keys[i]);
        p->have[i] = xstrdup(xr_get_str(pk->items[i]) ? xr_get_str(pk->items[i]) : "0:0-0");
    }
    p->n = n;
    pthread_mutex_unlock(&s->lock);
}

/* Reads every enabled repository of the list. NULL after a fault. */
static int read_repos(struct call_ctx *c, const xr_value *repos, pending *p)
{
    for (size_t i = 0; i < repos->n; i++) {
        const xr_value *r = repos->items[i];
        const char *url = xr_get_str(xr_struct_get(r, "url")), *name = xr_get_str(xr_struct_get(r, "name"));
        const char *key = xr_get_str(xr_struct_get(r, "key"));
        if (key && !*key)
            key = NULL;
        if (!url || !name) {
            call_fault(c, "exceptions.ValueError:each repository needs a name and a url");
            return -1;
        }
        char *why = yum_read(url, key, UPDATE_TIMEOUT_S, (const char *const *)p->names, p->n, &p->offered);
        if (why) {
            call_fault(c, "exceptions.RuntimeError:Server update repository %s: %s", name, why);
            free(why);
            return -1;
        }
    }
    return 0;
}

/* The updates: [{name, installed, available}] for every package offered
 * newer than the installed one. */
static xr_value *updates_of(const pending *p)
{
    xr_value *list = xr_array();
    for (size_t i = 0; i < p->n; i++)
        for (size_t k = 0; k < p->offered.n; k++) {
            if (strcmp(p->offered.v[k].name, p->names[i]) || rpm_evrcmp(p->offered.v[k].evr, p->have[i]) <= 0)
                continue;
            xr_value *u = xr_struct();
            xr_struct_set(u, "name", xr_string(p->names[i]));
            xr_struct_set(u, "installed", xr_string(p->have[i]));
            xr_struct_set(u, "available", xr_string(p->offered.v[k].evr));
            xr_array_add(list, u);
        }
    return list;
}

/* Reads the repositories and returns the updates, or NULL after a fault. */
static xr_value *find_updates(struct call_ctx *c, const xr_value *repos, pending *p)
{
    installed(c->sim, p);
    if (read_repos(c, repos, p) != 0)
        return NULL;
    return updates_of(p);
}

SIM_HANDLER(h_check_for_updates)
{
    (void)argc;
    pending p = {0};
    xr_value *list = find_updates(c, argv[0], &p);
    pending_free(&p);
    if (!list)
        return NULL;
    xr_value *r = xr_struct();
    xr_struct_set(r, "up_to_date", xr_bool(list->n == 0));
    xr_struct_set(r, "updates", list);
    return r;
}

/* Records the updates; the OVM version follows ovs-agent. Lock held. */
static void install(struct sim *s, const xr_value *list, int reboot)
{
    xr_value *pk = sim_member(s->st, "packages", XR_STRUCT);
    for (size_t i = 0; i < list->n; i++) {
        const char *name = xr_get_str(xr_struct_get(list->items[i], "name"));
        const char *evr = xr_get_str(xr_struct_get(list->items[i], "available"));
        xr_struct_set(pk, name, xr_string(evr));
        log_info("update: %s %s installed", name, evr);
    }
    if (list->n)
        xr_struct_set(s->st, "packages_updated", xr_int(1));
    sim_update_seed(s);
    if (reboot) { /* the host restarts itself: a new boot time, no domains */
        sim_domains_clear(s);
        int64_t now = (int64_t)time(NULL), old = sim_int(s->st, "boot_time", 0);
        xr_struct_set(s->st, "boot_time", xr_int(now > old ? now : old + 1));
    }
}

SIM_HANDLER(h_update_server)
{
    int reboot = 0;
    if (argc > 1)
        xr_get_bool(argv[1], &reboot);
    pending p = {0};
    xr_value *list = find_updates(c, argv[0], &p);
    pending_free(&p);
    if (!list)
        return NULL;
    struct sim *s = c->sim;
    pthread_mutex_lock(&s->lock);
    install(s, list, reboot);
    int rc = sim_save(s);
    xr_value *r = xr_struct();
    xr_struct_set(r, "updated", list);
    xr_struct_set(r, "ovm_version", xr_string(s->ovm_version));
    pthread_mutex_unlock(&s->lock);
    if (rc != 0) {
        xr_free(r);
        return call_fault(c, "exceptions.IOError:cannot save the agent state");
    }
    return r;
}
