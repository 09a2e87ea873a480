/* Where a VM may run (doc/object-model.md §6.4, §6.9, H-3): whether a server is
 * usable, eligibility of a server for a VM with the reason words of rule L-2,
 * the start policies and the HA restart target. See flow.h. */
#include "backend/flows/flow.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/jobs/events.h"
#include "backend/flows/model.h"
#include "grammar/grammar.h"
#include "lib/strbuf.h"
#include "lib/util.h"

int server_usable(const obj *s)
{
    return obj_is(s, "ownership", "Owned") && status_get(s) == ST_RUNNING;
}

int vm_is_active(const obj *vm)
{
    return status_is_live(status_get(vm));
}

static void add_unique(char ***v, size_t *n, const char *id)
{
    if (!id || !*id)
        return;
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*v)[i], id))
            return;
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = xstrdup(id);
}

size_t vm_repositories(engine *e, const obj *vm, char ***out)
{
    *out = NULL;
    size_t n = 0;
    add_unique(out, &n, obj_get(vm, "repository"));
    obj **maps;
    size_t nm = store_find_by(e->st, "VmDiskMapping", "vm", vm->id, &maps);
    for (size_t i = 0; i < nm; i++) {
        obj *d = store_get(e->st, obj_gets(maps[i], "virtualDisk"));
        if (!d)
            d = store_get(e->st, obj_gets(maps[i], "virtualCdrom"));
        if (d)
            add_unique(out, &n, obj_get(d, "repository"));
    }
    free(maps);
    return n;
}

size_t vm_networks(engine *e, const obj *vm, char ***out)
{
    *out = NULL;
    size_t n = 0;
    obj **v;
    size_t nv = store_find_by(e->st, "Vnic", "vm", vm->id, &v);
    for (size_t i = 0; i < nv; i++)
        add_unique(out, &n, obj_get(v[i], "network"));
    free(v);
    return n;
}

int version_cmp(const char *a, const char *b)
{
    while (*a || *b) {
        while (*a && !isdigit((unsigned char)*a))
            a++;
        while (*b && !isdigit((unsigned char)*b))
            b++;
        if (!*a || !*b)
            return *a ? 1 : *b ? -1 : 0;
        long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

static int has_network_port(engine *e, const obj *s, const char *net)
{
    const obj *nw = store_get(e->st, net);
    if (nw && obj_get(nw, "server") && *obj_get(nw, "server"))
        return obj_is(nw, "server", s->id); /* server-local: only its own server, no ports (§6.4) */
    obj **ports;
    size_t n = store_find_by(e->st, "Port", "server", s->id, &ports);
    int ok = 0;
    for (size_t i = 0; i < n && !ok; i++)
        ok = obj_is(ports[i], "network", net);
    free(ports);
    return ok;
}

char *anti_affinity_refusal(engine *e, const obj *vm, const obj *s)
{
    obj **groups;
    size_t ng = store_list(e->st, "AntiAffinityGroup", &groups);
    char *why = NULL;
    for (size_t g = 0; g < ng && !why; g++) {
        if (!obj_list_has(groups[g], "vms", vm->id))
            continue;
        char **ids;
        size_t n = split_list(obj_get(groups[g], "vms"), &ids);
        for (size_t i = 0; i < n && !why; i++) {
            obj *o = store_get(e->st, ids[i]);
            if (o && o != vm && vm_is_active(o) && obj_is(o, "server", s->id))
                why = xasprintf("anti-affinity with %s", o->name);
        }
        free_list(ids, n);
    }
    free(groups);
    return why;
}

static char *huge_pages_refusal(engine *e, const obj *vm, const obj *s)
{
    obj **vms;
    size_t n = store_find_by(e->st, "Vm", "server", s->id, &vms);
    char *why = NULL;
    const char *mine = obj_get(vm, "hugePagesEnabled") ? obj_get(vm, "hugePagesEnabled") : "No";
    for (size_t i = 0; i < n && !why; i++) {
        const char *theirs = obj_get(vms[i], "hugePagesEnabled") ? obj_get(vms[i], "hugePagesEnabled") : "No";
        if (vms[i] != vm && vm_is_active(vms[i]) && strcmp(mine, theirs) != 0)
            why = xstrdup("huge pages mismatch");
    }
    free(vms);
    return why;
}

/* The checks each kind of placement applies, beyond those every one makes
 * (status, ownership, VM role, maintenance, repositories, networks, memory,
 * unacknowledged events). */
static const struct place_rule {
    int inbound_lock;  /* inboundMigrationLocked refuses */
    int own_waiver;    /* ...except on the server the VM is already on */
    int anti_affinity; /* another active member of an anti-affinity group refuses */
    int huge_pages;    /* a huge-pages mismatch refuses */
} place_rule_of[] = {
    [PLACE_START] = {1, 1, 1, 1},
    [PLACE_MIGRATE] = {1, 0, 1, 1},
    [PLACE_RESTART] = {0, 0, 0, 0},
};

static char *server_refusal(const obj *vm, const obj *s, const struct place_rule *r)
{
    if (status_get(s) != ST_RUNNING)
        return xstrdup("not Running");
    if (!obj_is(s, "ownership", "Owned"))
        return xstrdup("not owned");
    if (obj_get(s, "roles") && !strstr(obj_gets(s, "roles"), "VM"))
        return xstrdup("no VM role");
    if (obj_is(s, "maintenanceMode", "Yes"))
        return xstrdup("maintenance mode");
    if (r->inbound_lock && obj_is(s, "inboundMigrationLocked", "Yes") &&
        !(r->own_waiver && obj_is(vm, "server", s->id)))
        return xstrdup("inbound migration locked");
    return NULL;
}

const obj *vm_missing_repository(engine *e, const obj *vm, const obj *s)
{
    char **repos;
    size_t nr = vm_repositories(e, vm, &repos);
    const obj *missing = NULL;
    for (size_t i = 0; i < nr && !missing; i++) {
        obj *r = store_get(e->st, repos[i]);
        if (r && !obj_list_has(r, "presentedServers", s->id))
            missing = r;
    }
    free_list(repos, nr);
    return missing;
}

static char *storage_network_refusal(engine *e, const obj *vm, const obj *s)
{
    const obj *r = vm_missing_repository(e, vm, s);
    if (r)
        return xasprintf("Repository %s not presented", r->name);
    char *why = NULL;
    char **nets;
    size_t nn = vm_networks(e, vm, &nets);
    for (size_t i = 0; i < nn && !why; i++) {
        obj *net = store_get(e->st, nets[i]);
        if (!has_network_port(e, s, nets[i]))
            why = xasprintf("Network %s missing", net ? net->name : nets[i]);
    }
    free_list(nets, nn);
    return why;
}

char *placement_refusal(engine *e, const obj *vm, const obj *s, place_rules rules)
{
    const struct place_rule *r = &place_rule_of[rules];
    char *why = server_refusal(vm, s, r);
    if (!why)
        why = storage_network_refusal(e, vm, s);
    if (why)
        return why;
    long long need = obj_get_int(vm, "memory", 512), usable = server_usable_memory(e, s);
    if (obj_is(vm, "server", s->id) && vm_is_active(vm))
        usable += need; /* its own memory is already counted there */
    if (usable < need)
        return xasprintf("needs %lld MB with %lld MB usable", need, usable);
    if (r->anti_affinity && (why = anti_affinity_refusal(e, vm, s)) != NULL)
        return why;
    if (r->huge_pages && (why = huge_pages_refusal(e, vm, s)) != NULL)
        return why;
    char *ev = event_blocking(e, s);
    if (ev) {
        free(ev);
        return xstrdup("unacknowledged event");
    }
    return NULL;
}

static const char *effective_policy(engine *e, const obj *vm)
{
    const char *p = obj_get(vm, "startPolicy");
    if (p && strcmp(p, "USE_POOL_POLICY") != 0)
        return p;
    obj *pool = store_get(e->st, obj_gets(vm, "serverPool"));
    return pool ? obj_value(pool, "startPolicy") : gr_attr_value_default(gr_type_attr("ServerPool", "startPolicy"));
}

static size_t vm_count(engine *e, const obj *s)
{
    obj **vms;
    size_t n = store_find_by(e->st, "Vm", "server", s->id, &vms), k = 0;
    for (size_t i = 0; i < n; i++)
        k += vm_is_active(vms[i]);
    free(vms);
    return k;
}

/* BALANCE_SERVER load after placing vm: max(memory used share, vCPUs per thread). */
static double balance_load(engine *e, const obj *vm, const obj *s)
{
    double mem = (double)obj_get_int(s, "memory", 1);
    double used = mem - (double)server_usable_memory(e, s) + (double)obj_get_int(vm, "memory", 512);
    double threads = (double)obj_get_int(s, "processors", 1);
    double vcpus = (double)obj_get_int(vm, "cpuCount", 1);
    obj **vms;
    size_t n = store_find_by(e->st, "Vm", "server", s->id, &vms);
    for (size_t i = 0; i < n; i++)
        if (vm_is_active(vms[i]))
            vcpus += (double)obj_get_int(vms[i], "cpuCount", 1);
    free(vms);
    double a = used / (mem > 0 ? mem : 1), b = vcpus / (threads > 0 ? threads : 1);
    return a > b ? a : b;
}

static int better(engine *e, const obj *vm, const char *policy, const obj *a, const obj *b)
{
    if (!strcmp(policy, "BALANCE_SERVER")) {
        double la = balance_load(e, vm, a), lb = balance_load(e, vm, b);
        if (la != lb)
            return la < lb;
    } else {
        long long ma = server_usable_memory(e, a), mb = server_usable_memory(e, b);
        if (ma != mb)
            return ma > mb;
        size_t ca = vm_count(e, a), cb = vm_count(e, b);
        if (ca != cb)
            return ca < cb;
    }
    return strcmp(a->name, b->name) < 0;
}

static int by_name(const void *a, const void *b)
{
    const obj *x = *(const obj *const *)a, *y = *(const obj *const *)b;
    return strcmp(x->name, y->name);
}

char *vm_local_network(engine *e, const obj *vm)
{
    char **nets;
    size_t n = vm_networks(e, vm, &nets);
    char *name = NULL;
    for (size_t i = 0; i < n && !name; i++) {
        obj *net = store_get(e->st, nets[i]);
        if (net && obj_get(net, "server") && *obj_get(net, "server"))
            name = xstrdup(net->name);
    }
    free_list(nets, n);
    return name;
}

obj *placement_choose(engine *e, const obj *vm, char **why)
{
    obj *pool = store_get(e->st, obj_gets(vm, "serverPool"));
    const char *policy = effective_policy(e, vm);
    if (!strcmp(policy, "CURRENT_SERVER")) {
        obj *s = store_get(e->st, obj_gets(vm, "server"));
        char *r = s ? placement_refusal(e, vm, s, PLACE_START) : xstrdup("the Vm has no current server");
        if (!r)
            return s;
        *why = xasprintf("Start policy CURRENT_SERVER: Server %s cannot start Vm %s: %s", s ? s->name : "(none)",
                         vm->name, r);
        free(r);
        return NULL;
    }
    obj **servers;
    size_t n = store_find_by(e->st, "Server", "serverPool", pool ? pool->id : "", &servers);
    if (n > 1) /* the L-2 reasons come in a stable order; servers is NULL when n is 0 */
        qsort(servers, n, sizeof *servers, by_name);
    obj *best = NULL;
    strbuf reasons = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        char *r = placement_refusal(e, vm, servers[i], PLACE_START);
        if (r) {
            sb_addf(&reasons, "%s%s: %s", reasons.len ? "; " : "", servers[i]->name, r);
            free(r);
        } else if (!best || better(e, vm, policy, servers[i], best)) {
            best = servers[i];
        }
    }
    free(servers);
    if (!best)
        *why = xasprintf("No server in ServerPool %s can start Vm %s: %s", pool ? pool->name : "", vm->name,
                         reasons.len ? reasons.buf : "the pool has no servers");
    sb_free(&reasons);
    return best;
}

int placement_better_by_memory(engine *e, const obj *a, const obj *b)
{
    if (!b)
        return 1;
    long long ma = server_usable_memory(e, a), mb = server_usable_memory(e, b);
    return ma != mb ? ma > mb : strcmp(a->name, b->name) < 0;
}

/* H-3: a member of vm's pool that passes the restart rules. */
static int restart_eligible(engine *e, const obj *vm, const obj *s)
{
    if (!obj_is(s, "serverPool", obj_gets(vm, "serverPool")))
        return 0;
    char *why = placement_refusal(e, vm, s, PLACE_RESTART);
    int ok = why == NULL;
    free(why);
    return ok;
}

static int aag_free(engine *e, const obj *vm, const obj *s)
{
    char *why = anti_affinity_refusal(e, vm, s);
    int ok = why == NULL;
    free(why);
    return ok;
}

obj *placement_restart_target(engine *e, const obj *vm, const char *from, int same_first, int *violating)
{
    *violating = 0;
    obj *same = same_first ? store_get(e->st, from) : NULL;
    if (same && restart_eligible(e, vm, same) && aag_free(e, vm, same))
        return same; /* H-6 */
    obj **servers;
    size_t n = store_find_by(e->st, "Server", "serverPool", obj_gets(vm, "serverPool"), &servers);
    obj *best = NULL, *best_bad = NULL;
    for (size_t i = 0; i < n; i++) {
        obj *s = servers[i];
        if ((!same && !strcmp(s->id, from)) || !restart_eligible(e, vm, s))
            continue;
        if (aag_free(e, vm, s)) {
            if (placement_better_by_memory(e, s, best))
                best = s;
        } else if (placement_better_by_memory(e, s, best_bad)) {
            best_bad = s;
        }
    }
    free(servers);
    if (!best && best_bad)
        *violating = 1;
    return best ? best : best_bad;
}
