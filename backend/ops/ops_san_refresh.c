/* refresh StorageArray (and refresh PhysicalDisk, which refreshes its array):
 * an admin server lists the array's LUNs through the generic SCSI plug-in and
 * the store follows: new LUNs become PhysicalDisks of the array's volume
 * group, known ones get their sizes, vanished ones go unless something uses
 * them. refreshStorageLayer Server records the server's iSCSI initiator.
 * Nothing changes in the store before the agent has answered, so an array
 * that is gone fails the job and leaves every object as it was. */
#include "backend/ops/ops_san.h"
#include "backend/ops/ocfs2.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/agentc/agentapi.h"
#include "backend/flows/flow.h"
#include "backend/jobs/events.h"
#include "backend/render/show.h"
#include "lib/log.h"
#include "lib/util.h"

typedef struct refresh_plan {
    agent_target t;
    const char *impl;
    char array[64];
    xr_value *ss;
} refresh_plan;

static void refresh_plan_free(void *arg)
{
    refresh_plan *p = arg;
    if (p) {
        xr_free(p->ss);
        free(p);
    }
}

static const char *se_str(const xr_value *se, const char *key)
{
    const char *v = xr_get_str(xr_struct_get(se, key));
    return v ? v : "";
}

/* The array's one volume group (the generic plug-in reports one), created on
 * first refresh, and its default access group, which holds the initiators. */
static obj *volume_group(engine *e, obj *array)
{
    obj **v;
    size_t n = store_find_by(e->st, "VolumeGroup", "storageArray", array->id, &v);
    obj *vg = n ? v[0] : NULL;
    free(v);
    if (!vg) {
        char id[64];
        ovm_new_id("000b", "", id, sizeof id);
        int fc = obj_is(array, "storageType", "FIBRECHANNEL");
        vg = store_create(e->st, "VolumeGroup", id, fc ? "Generic_FC_Volume_Group" : "Generic_iSCSI_Volume_Group");
        obj_set(e->st, vg, "storageArray", array->id);
    }
    n = store_find_by(e->st, "AccessGroup", "storageArray", array->id, &v);
    free(v);
    if (!n) {
        char id[64], *name = xasprintf("Default access group @ %s", array->name);
        ovm_new_id("000c", "", id, sizeof id);
        obj *ag = store_create(e->st, "AccessGroup", id, name);
        obj_set(e->st, ag, "storageArray", array->id);
        free(name);
    }
    return vg;
}

/* Creates or updates the PhysicalDisk of one reported LUN; returns it. */
static obj *record_lun(engine *e, obj *array, obj *vg, const xr_value *se, size_t *count)
{
    const char *p83 = se_str(se, "page83_id");
    obj **v, *pd = NULL;
    size_t n = store_find_by(e->st, "PhysicalDisk", "storageArray", array->id, &v);
    for (size_t i = 0; i < n && !pd; i++)
        if (obj_is(v[i], "page83Id", p83))
            pd = v[i];
    free(v);
    if (!pd) {
        /* Named as Oracle VM names discovered LUNs: vendor and a number. */
        char id[64], *name = xasprintf("%s (%zu)", *se_str(se, "vendor") ? se_str(se, "vendor") : "LUN", ++*count);
        ovm_new_id("0018", "", id, sizeof id);
        pd = store_create(e->st, "PhysicalDisk", id, name);
        free(name);
        obj_set(e->st, pd, "page83Id", p83);
        obj_set(e->st, pd, "storageArray", array->id);
        obj_set(e->st, pd, "volumeGroup", vg->id);
    }
    san_lun_attrs(e, pd, se);
    return pd;
}

void san_lun_attrs(engine *e, obj *pd, const xr_value *se)
{
    int64_t size = 0, lun = 0;
    xr_get_int64(xr_struct_get(se, "size"), &size);
    xr_get_int64(xr_struct_get(se, "lun"), &lun);
    char gib[32];
    fmt_gib((double)size / 1073741824.0, gib, sizeof gib);
    obj_set(e->st, pd, "size", gib);
    obj_setf(e->st, pd, "sizeBytes", "%lld", (long long)size);
    obj_set(e->st, pd, "target", se_str(se, "target"));
    obj_setf(e->st, pd, "lun", "%lld", (long long)lun);
    obj_set(e->st, pd, "lunName", se_str(se, "name"));
    obj_set(e->st, pd, "vendor", se_str(se, "vendor"));
    obj_set(e->st, pd, "product", se_str(se, "product"));
    obj_set(e->st, pd, "page83Id", se_str(se, "page83_id"));
    obj_unset(e->st, pd, "missing");
}

static int listed(const xr_value *list, const char *p83)
{
    for (size_t i = 0; i < list->n; i++)
        if (!strcmp(se_str(list->items[i], "page83_id"), p83))
            return 1;
    return 0;
}

/* LUNs the array no longer reports: an unused disk goes; a disk a VM, a
 * repository or a pool uses stays, marked missing, with an ERROR event on
 * it, so that nothing that refers to it dangles and the loss is seen. */
static void drop_vanished(engine *e, obj *array, const xr_value *list, int64_t job)
{
    obj **v;
    size_t n = store_find_by(e->st, "PhysicalDisk", "storageArray", array->id, &v);
    for (size_t i = 0; i < n; i++) {
        if (listed(list, obj_gets(v[i], "page83Id")))
            continue;
        const char *utype;
        obj *user = relation_user(e, v[i], &utype);
        if (!user) {
            relations_on_delete(e, v[i]);
            store_delete(e->st, v[i]);
        } else if (!obj_get(v[i], "missing")) {
            obj_set(e->st, v[i], "missing", "Yes");
            char *msg = xasprintf("StorageArray %s no longer reports PhysicalDisk %s (page83 %s), in use by %s %s",
                                  array->name, v[i]->name, obj_gets(v[i], "page83Id"), utype, user->name);
            event_raise(e, "storage.lun.missing", "ERROR", v[i], msg, job);
            free(msg);
        }
    }
    free(v);
}

/* The volume group's size and free space: the LUNs are all allocated. */
static void vg_sizes(engine *e, obj *vg)
{
    obj **v;
    size_t n = store_find_by(e->st, "PhysicalDisk", "volumeGroup", vg->id, &v);
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += (double)obj_get_int(v[i], "sizeBytes", 0) / 1073741824.0;
    free(v);
    char gib[32];
    fmt_gib(total, gib, sizeof gib);
    obj_set(e->st, vg, "size", gib);
    obj_set(e->st, vg, "free", "0.0");
}

static int run_refresh_sarray(job *j)
{
    refresh_plan *p = j->plan;
    engine *e = j->eng;
    xr_value *res = NULL;
    if (agent_storage_plugin_listStorageElements(AGENT_JOB(j, &p->t), p->impl, p->ss, &res) != 0)
        return -1;
    store_wrlock(e->st);
    obj *array = store_get(e->st, p->array);
    if (array && res->type == XR_ARRAY) {
        store_set_actor(e->st, j->id);
        store_begin(e->st);
        obj *vg = volume_group(e, array);
        obj **v;
        size_t count = store_find_by(e->st, "PhysicalDisk", "storageArray", array->id, &v);
        free(v);
        for (size_t i = 0; i < res->n; i++)
            record_lun(e, array, vg, res->items[i], &count);
        drop_vanished(e, array, res, j->id);
        vg_sizes(e, vg);
        obj_setf(e->st, array, "lastRefresh", "%lld", (long long)ovm_now_ms());
        store_commit(e->st);
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
    xr_free(res);
    if (!array) {
        job_fail(j, "Job failed: StorageArray %s no longer exists", p->array);
        return -1;
    }
    ocfs2_discover(j, p->array); /* file systems and repositories the LUNs' headers name */
    return 0;
}

/* The refresh job of array, named after what the command names (an array or one of its disks). */
static job *refresh_job(cmdctx *c, obj *array, const char *type, const obj *named)
{
    obj *s = san_admin_server(c, array);
    if (!s)
        return NULL;
    refresh_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->array, sizeof p->array, "%s", array->id);
    p->ss = san_ss_arg(array);
    p->impl = san_impl(array);
    const job_spec spec = {.operation = "Refresh", .type = type, .fn = run_refresh_sarray,
                           .plan_free = refresh_plan_free};
    return spec_job(c, &spec, named->name, p, array->id, NULL);
}

job *prepare_refresh_sarray(cmdctx *c)
{
    obj *a = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    return a ? refresh_job(c, a, "StorageArray", a) : NULL;
}

job *prepare_refresh_pdisk(cmdctx *c)
{
    obj *pd = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!pd)
        return NULL;
    obj *a = store_get(c->e->st, obj_gets(pd, "storageArray"));
    if (!a) {
        result_fail(c->res, "PhysicalDisk %s is a local disk: refresh its server with refreshStorageLayer",
                    pd->name);
        return NULL;
    }
    return refresh_job(c, a, "PhysicalDisk", pd);
}

/* ---- refreshStorageLayer Server: the server's storage initiators ---- */

typedef struct layer_plan {
    agent_target t;
} layer_plan;

static void record_initiator(engine *e, const char *server, const xr_value *ini)
{
    const char *name = se_str(ini, "name");
    obj **v, *si = NULL;
    size_t n = store_find_by(e->st, "StorageInitiator", "server", server, &v);
    for (size_t i = 0; i < n && !si; i++)
        if (!strcmp(v[i]->name, name))
            si = v[i];
    free(v);
    if (!si) {
        char id[64];
        ovm_new_id("000d", "", id, sizeof id);
        si = store_create(e->st, "StorageInitiator", id, name);
        obj_set(e->st, si, "server", server);
    }
    obj_set(e->st, si, "type", *se_str(ini, "type") ? se_str(ini, "type") : "ISCSI");
}

static int run_refresh_layer(job *j)
{
    layer_plan *p = j->plan;
    engine *e = j->eng;
    xr_value *res = NULL;
    if (agent_discover_storage_initiators(AGENT_JOB(j, &p->t), &res) != 0)
        return -1;
    store_wrlock(e->st);
    if (store_get(e->st, p->t.id) && res->type == XR_ARRAY) {
        store_set_actor(e->st, j->id);
        store_begin(e->st);
        for (size_t i = 0; i < res->n; i++)
            record_initiator(e, p->t.id, res->items[i]);
        store_commit(e->st);
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
    xr_free(res);
    return 0;
}

job *prepare_refresh_storage_layer(cmdctx *c)
{
    obj *s = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!s)
        return NULL;
    if (!server_usable(s)) {
        result_fail(c->res, "Server %s is not an owned Running server", s->name);
        return NULL;
    }
    layer_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    static const job_spec spec = {.operation = "Refresh Storage Layer", .type = "Server", .fn = run_refresh_layer,
                                  .plan_free = free};
    return spec_job(c, &spec, s->name, p, s->id, NULL);
}
