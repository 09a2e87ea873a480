/* VmDiskMapping: create, edit and delete. */
#include "backend/ops/ops_vm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/flows/relations.h"
#include "backend/ops/generic.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "backend/jobs/events.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* ---- VmDiskMapping ---- */

typedef struct map_plan {
    vm_plan *vp;
    gplan *g;            /* mapping to create or edit */
    char delete_id[64];  /* mapping to delete */
    int creating;
} map_plan;

static void map_plan_free(void *arg)
{
    map_plan *p = arg;
    if (p) {
        vm_plan_free(p->vp);
        gplan_free(p->g);
        free(p);
    }
}

/* The store first (vm.cfg is made from it), then the agent; if the agent
 * refuses, the job's store changes are rolled back (rollback_store). */
static int run_map(job *j)
{
    map_plan *p = j->plan;
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    if (p->creating) {
        obj *m = store_create(e->st, "VmDiskMapping", p->g->id, p->g->name);
        obj_setf(e->st, m, "created", "%lld", (long long)ovm_unique_ms_id());
        gplan_apply(e, p->g, m);
        j->result_obj = xstrdup(m->id);
    } else if (p->delete_id[0]) {
        obj *m = store_get(e->st, p->delete_id);
        if (m) {
            relations_on_delete(e, m); /* customizers' storage mappings of it (rolled back alike) */
            store_delete(e->st, m);
        }
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    if (p->g && !p->creating && gplan_store_edit(j, p->g) != 0)
        return -1;
    return push_config(j, p->vp);
}

static int map_state_ok(cmdctx *c, const obj *vm, const char *action)
{
    obj_status st = status_get(vm);
    if (st == ST_STOPPED || st == ST_RUNNING || st == ST_TEMPLATE)
        return 0;
    refuse_state(c, vm, action);
    return -1;
}

static int check_disk_ref(cmdctx *c, const obj *vm, const obj *disk)
{
    obj **maps;
    size_t n = store_find_by(c->e->st, "VmDiskMapping", "virtualDisk", disk->id, &maps);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        obj *other = store_get(c->e->st, obj_gets(maps[i], "vm"));
        if (other == vm) {
            result_fail(c->res, "VirtualDisk %s is already mapped by Vm %s", disk->name, vm->name);
            rc = -1;
        } else if (!obj_is(disk, "shareable", "Yes")) {
            result_fail(c->res, "VirtualDisk %s is not shareable and is mapped by Vm %s", disk->name,
                        other ? other->name : "?");
            rc = -1;
        } else if (other && strcmp(obj_gets(other, "serverPool"), obj_gets(vm, "serverPool")) != 0) {
            obj *p1 = store_get(c->e->st, obj_gets(other, "serverPool"));
            obj *p2 = store_get(c->e->st, obj_gets(vm, "serverPool"));
            result_fail(c->res, "Shareable VirtualDisk %s is used in ServerPool %s; Vm %s is in %s", disk->name,
                        p1 ? p1->name : "(none)", vm->name, p2 ? p2->name : "(none)");
            rc = -1;
        }
    }
    free(maps);
    obj *repo = store_get(c->e->st, obj_gets(disk, "repository"));
    obj *pool = store_get(c->e->st, obj_gets(vm, "serverPool"));
    if (!rc && repo && pool && check_repo_in_pool(c, repo, pool))
        rc = -1;
    return rc;
}

static int check_emulation(cmdctx *c, const obj *vm, const char *emu)
{
    obj **maps;
    size_t n = store_find_by(c->e->st, "VmDiskMapping", "vm", vm->id, &maps);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *theirs = obj_get(maps[i], "emulatedBlockDevice") ? obj_get(maps[i], "emulatedBlockDevice") : "No";
        if (strcmp(theirs, emu) != 0) {
            result_fail(c->res, "Vm %s cannot mix emulated and paravirtual disks", vm->name);
            rc = -1;
        }
    }
    free(maps);
    const char *dt = obj_gets(vm, "domainType");
    if (!rc && ((!strcmp(dt, "XEN_HVM") && strcmp(emu, "Yes")) ||
                ((!strcmp(dt, "XEN_PVM") || !strcmp(dt, "LDOMS_PVM")) && strcmp(emu, "No")))) {
        result_fail(c->res, "Vm %s cannot mix emulated and paravirtual disks", vm->name);
        rc = -1;
    }
    return rc;
}

static int check_slot(cmdctx *c, const obj *vm, long slot)
{
    const char *dt = obj_gets(vm, "domainType");
    long max = !strcmp(dt, "XEN_HVM") ? 3 : 103;
    if (slot > max) {
        result_fail(c->res, "Slot %ld is out of range for domainType %s (0..%ld)", slot, dt, max);
        return -1;
    }
    obj **maps;
    size_t n = store_find_by(c->e->st, "VmDiskMapping", "vm", vm->id, &maps);
    int used = 0;
    for (size_t i = 0; i < n; i++)
        used |= obj_get_int(maps[i], "slot", -1) == slot;
    free(maps);
    if (used) {
        result_fail(c->res, "Slot %ld of Vm %s is already used", slot, vm->name);
        return -1;
    }
    return 0;
}

static job *map_job(cmdctx *c, const char *operation, const obj *vm, const char *target, map_plan *mp)
{
    const job_spec spec = {.operation = operation, .type = "Vm", .fn = run_map, .plan_free = map_plan_free,
                           .rollback_store = 1};
    return spec_job(c, &spec, vm->name, mp, vm->id, target, NULL);
}

job *prepare_create_map(cmdctx *c)
{
    if (!c->cmd->ptype) {
        result_fail(c->res, "Missing parent: expected 'on Vm <instance>'");
        return NULL;
    }
    obj *vm = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    if (!vm || map_state_ok(c, vm, "add a disk to"))
        return NULL;
    long slot = atol(gr_get(c->cmd, "slot"));
    if (check_slot(c, vm, slot))
        return NULL;
    const char *emu = gr_get(c->cmd, "emulatedBlockDevice");
    if (!emu)
        emu = obj_is(vm, "domainType", "XEN_HVM") ? "Yes" : "No";
    if (check_emulation(c, vm, emu))
        return NULL;
    char id[64];
    ovm_new_id("0013", "", id, sizeof id);
    const char *name = gr_get(c->cmd, "name");
    gplan *g = gplan_new("VmDiskMapping", id, name ? name : id);
    gplan_set(g, "vm", vm->id);
    gplan_set(g, "slot", gr_get(c->cmd, "slot"));
    gplan_set(g, "emulatedBlockDevice", emu);
    if (gr_get(c->cmd, "description"))
        gplan_set(g, "description", gr_get(c->cmd, "description"));
    const char *vd = gr_get(c->cmd, "virtualDisk"), *pd = gr_get(c->cmd, "physicalDisk"),
               *cd = gr_get(c->cmd, "virtualCdrom");
    obj *target = NULL;
    if (vd) {
        if (!(target = resolve_ref(c, "VirtualDisk", vd)) || check_disk_ref(c, vm, target))
            goto fail;
        gplan_set(g, "virtualDisk", target->id);
    } else if (pd) {
        if (!(target = resolve_ref(c, "PhysicalDisk", pd)))
            goto fail;
        gplan_set(g, "physicalDisk", target->id);
    } else if (cd && strcmp(cd, "EMPTY_CDROM") != 0) {
        if (!(target = resolve_ref(c, "VirtualCdrom", cd)))
            goto fail;
        gplan_set(g, "virtualCdrom", target->id);
    }
    map_plan *mp = xcalloc(1, sizeof *mp);
    mp->vp = plan_on(c, vm, obj_gets(vm, "repository"));
    if (!mp->vp) {
        free(mp);
        goto fail;
    }
    mp->g = g;
    mp->creating = 1;
    return map_job(c, "Create Disk Mapping on", vm, target ? target->id : NULL, mp);
fail:
    gplan_free(g);
    return NULL;
}

job *prepare_delete_map(cmdctx *c)
{
    obj *m = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *vm = m ? store_get(c->e->st, obj_gets(m, "vm")) : NULL;
    if (!m)
        return NULL;
    if (vm && map_state_ok(c, vm, "remove a disk from"))
        return NULL;
    map_plan *mp = xcalloc(1, sizeof *mp);
    snprintf(mp->delete_id, sizeof mp->delete_id, "%s", m->id);
    if (vm && !(mp->vp = plan_on(c, vm, obj_gets(vm, "repository")))) {
        free(mp);
        return NULL;
    }
    if (!vm) {
        free(mp);
        return gplan_delete_job(c, m);
    }
    return map_job(c, "Delete Disk Mapping on", vm, m->id, mp);
}

job *prepare_edit_map(cmdctx *c)
{
    obj *m = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *vm = m ? store_get(c->e->st, obj_gets(m, "vm")) : NULL;
    if (!m || !vm)
        return m ? (result_fail(c->res, "VmDiskMapping %s has no Vm", m->name), NULL) : NULL;
    if (map_state_ok(c, vm, "edit"))
        return NULL;
    gplan *g = gplan_edit_plan(c, m, 0);
    if (!g)
        return NULL;
    for (size_t i = 0; i < g->n; i++) {
        const char *type = !strcmp(g->keys[i], "virtualDisk")    ? "VirtualDisk"
                           : !strcmp(g->keys[i], "physicalDisk") ? "PhysicalDisk"
                           : !strcmp(g->keys[i], "virtualCdrom") ? "VirtualCdrom"
                                                                 : NULL;
        if (!type || !strcmp(g->vals[i], "EMPTY_CDROM")) {
            if (type) {
                free(g->vals[i]);
                g->vals[i] = xstrdup("");
            }
            continue;
        }
        obj *target = resolve_ref(c, type, g->vals[i]);
        if (!target || (!strcmp(type, "VirtualDisk") && check_disk_ref(c, vm, target))) {
            gplan_free(g);
            return NULL;
        }
        free(g->vals[i]);
        g->vals[i] = xstrdup(target->id);
    }
    map_plan *mp = xcalloc(1, sizeof *mp);
    if (!(mp->vp = plan_on(c, vm, obj_gets(vm, "repository")))) {
        free(mp);
        gplan_free(g);
        return NULL;
    }
    mp->g = g;
    return map_job(c, "Edit Disk Mapping on", vm, m->id, mp);
}
