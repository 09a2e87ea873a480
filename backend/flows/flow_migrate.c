/* Live migration (doc/object-model.md §6.5, §6.11 MM-2): the M-1..M-11 checks in the
 * documented order, the choice of an evacuation target, and the migration
 * itself with the pool's migrateUsingSsl. migrate Vm and maintenance
 * evacuation both go through here. See flow.h. */
#include "backend/flows/flow.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/crashpoint.h"
#include "backend/jobs/events.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* Seconds the domain has to show up on the destination after migrate_vm. */
#define MIGRATE_WAIT_S 60
/* Oldest Xen that migrates live (M-7). */
#define MIGRATE_MIN_XEN "4.3.0-55.el6.22.18"

/* M-3, M-4: a reason (L-2 words, heap) why dst itself cannot take a VM, or NULL.
 * The VM-specific reasons of placement_refusal are left to M-8..M-11. */
static char *destination_refusal(engine *e, const obj *vm, const obj *dst)
{
    static const char *const own[] = {"not Running", "not owned", "no VM role", "maintenance mode",
                                      "inbound migration locked", "unacknowledged event"};
    char *why = placement_refusal(e, vm, dst, PLACE_MIGRATE);
    for (size_t i = 0; why && i < sizeof own / sizeof *own; i++)
        if (!strcmp(why, own[i]))
            return why;
    free(why);
    char *ev = event_blocking(e, dst); /* placement_refusal checks it last, after M-11 */
    if (!ev)
        return NULL;
    free(ev);
    return xstrdup("unacknowledged event");
}

/* M-5, M-6, M-7: the two servers' hardware and software are compatible. */
static char *compatibility_refusal(engine *e, const obj *src, const obj *dst)
{
    if (!cpu_groups_shared(e, src, dst))
        return xasprintf("Servers %s and %s share no CpuCompatibilityGroup; live migration needs the same processor "
                         "family and model",
                         src->name, dst->name);
    if (version_cmp(obj_gets(dst, "ovmVersion"), obj_gets(src, "ovmVersion")) < 0)
        return xasprintf("Rule exception: Server %s runs Oracle VM Server %s, earlier than %s on Server %s", dst->name,
                         obj_gets(dst, "ovmVersion"), obj_gets(src, "ovmVersion"), src->name);
    const obj *both[] = {src, dst};
    for (int i = 0; i < 2; i++)
        if (version_cmp(obj_gets(both[i], "xenVersion"), MIGRATE_MIN_XEN) < 0)
            return xasprintf("Live migration needs xen-" MIGRATE_MIN_XEN " or later; Server %s runs %s",
                             both[i]->name, obj_gets(both[i], "xenVersion"));
    return NULL;
}

/* M-9: the first repository of vm that dst cannot reach, in the words of §6.5 (heap), or NULL. */
static char *repository_refusal(engine *e, const obj *vm, const obj *dst)
{
    const obj *r = vm_missing_repository(e, vm, dst);
    return r ? xasprintf("Server %s has no access to Repository %s used by Vm %s", dst->name, r->name, vm->name)
             : NULL;
}

/* M-8, M-10, M-11: what placement_refusal says about vm on dst, in the words of §6.5. */
static char *vm_destination_refusal(engine *e, const obj *vm, const obj *dst)
{
    char *why = placement_refusal(e, vm, dst, PLACE_MIGRATE);
    if (!why)
        return NULL;
    char *msg = NULL, *local = NULL;
    if (!strncmp(why, "Network ", 8) && (local = vm_local_network(e, vm)) != NULL) /* M-10 */
        msg = xasprintf("Vm %s uses server-local Network %s; remove that Vnic before migrating", vm->name, local);
    free(local);
    if (!msg && !strncmp(why, "Repository ", 11))
        msg = repository_refusal(e, vm, dst);
    if (!msg)
        msg = xasprintf("Server %s cannot receive Vm %s: %s", dst->name, vm->name, why);
    free(why);
    return msg;
}

char *migrate_refusal(engine *e, const obj *vm, const obj *src, const obj *dst)
{
    if (src == dst)
        return xasprintf("Vm %s already runs on Server %s", vm->name, dst->name);
    obj *pool = store_get(e->st, obj_gets(vm, "serverPool"));
    if (!obj_is(dst, "serverPool", obj_gets(vm, "serverPool")))
        return xasprintf("Live migration is only possible within ServerPool %s; stop Vm %s to move it to another pool",
                         pool ? pool->name : "", vm->name);
    char *why = destination_refusal(e, vm, dst);
    if (why) {
        char *msg = xasprintf("Server %s cannot receive Vm %s: %s", dst->name, vm->name, why);
        free(why);
        return msg;
    }
    if ((why = compatibility_refusal(e, src, dst)) != NULL)
        return why;
    return vm_destination_refusal(e, vm, dst);
}

obj *migrate_choose(engine *e, const obj *vm, const obj *src, char **why)
{
    obj **servers;
    size_t n = store_find_by(e->st, "Server", "serverPool", obj_gets(src, "serverPool"), &servers);
    obj *best = NULL;
    strbuf all = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (servers[i] == src)
            continue;
        char *r = migrate_refusal(e, vm, src, servers[i]);
        if (r)
            sb_addf(&all, "%s%s", all.len ? "; " : "", r);
        else if (placement_better_by_memory(e, servers[i], best))
            best = servers[i];
        free(r);
    }
    free(servers);
    if (!best)
        *why = xstrdup(all.len ? all.buf : "no other server in the pool");
    sb_free(&all);
    return best;
}

/* Network roles (doc/object-model.md §2.7): the migration stream goes to the
 * static address of dst's interface on its LIVE_MIGRATE network when that
 * interface has one; otherwise (the management network carries the role, as
 * after discovery) to the address the Manager reaches dst's agent on. */
static void live_migrate_address(engine *e, const obj *dst, const char *fallback, char *buf, size_t len)
{
    static const char *const types[] = {"Port", "BondPort", "VlanInterface", NULL};
    snprintf(buf, len, "%s", fallback);
    for (const char *const *t = types; *t; t++) {
        obj **v;
        size_t n = store_find_by(e->st, *t, "server", dst->id, &v);
        for (size_t i = 0; i < n; i++) {
            obj *net = store_get(e->st, obj_gets(v[i], "network"));
            if (net && obj_list_has(net, "roles", "LIVE_MIGRATE") && obj_is(v[i], "addressType", "STATIC") &&
                obj_get(v[i], "ipAddress"))
                snprintf(buf, len, "%s", obj_get(v[i], "ipAddress"));
        }
        free(v);
    }
}

migrate_plan *migrate_plan_new(engine *e, const obj *vm, const obj *src, const obj *dst)
{
    migrate_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(e, src, &p->src);
    agent_target_of(e, dst, &p->dst);
    flow_vm_of(e, vm, &p->vm);
    obj *pool = store_get(e->st, obj_gets(vm, "serverPool"));
    p->ssl = pool && obj_is(pool, "migrateUsingSsl", "Yes");
    live_migrate_address(e, dst, p->dst.ep.host, p->dest_addr, sizeof p->dest_addr);
    return p;
}

void migrate_plan_free(void *arg)
{
    migrate_plan *p = arg;
    if (p) {
        flow_vm_clear(&p->vm);
        free(p);
    }
}

static void record_moved(job *j, const migrate_plan *p)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *vm = store_get(e->st, p->vm.id);
    if (vm) {
        status_set(e->st, vm, ST_RUNNING);
        obj_set(e->st, vm, "server", p->dst.id);
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
}

int migrate_run(job *j, const migrate_plan *p)
{
    if (flow_bridge(j, &p->dst, &p->vm) != 0)
        return -1;
    if (agent_migrate_vm(AGENT_JOB(j, &p->src), p->vm.repo_id, p->vm.id, p->dest_addr, 1, p->ssl, NULL) != 0)
        return -1;
    crash_point("vm.migrated"); /* the VM runs on the target; the store still says source */
    if (flow_wait_domain(j, &p->dst, p->vm.repo_id, p->vm.id, 1, MIGRATE_WAIT_S) != 0) {
        job_fail(j, "Job failed: Vm %s is not running on Server %s after the migration", p->vm.name, p->dst.name);
        return -1;
    }
    record_moved(j, p);
    return 0;
}
