/* StorageArray: create, edit, delete, validate, access hosts; the Manager's
 * storage plug-ins. Every array here uses the generic SCSI plug-in, whose
 * agent side logs in to real iSCSI portals (agent/san.c); Fibre Channel
 * arrays are simulated by the agents (doc/command-language.md, SAN storage). */
#include "backend/ops/ops_san.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/agentc/agentapi.h"
#include "backend/flows/flow.h"
#include "backend/ops/ops_storage.h"
#include "lib/util.h"

/* ---- the plug-ins this Manager has ---- */

typedef struct plugin_row {
    const char *type, *id, *name, *version, *storage_types;
} plugin_row;

static const plugin_row plugins[] = {
    {"StorageArrayPlugin", SCSI_PLUGIN_ID, SCSI_PLUGIN_NAME, "1.1.0", "iSCSI, Fibre Channel"},
    {"StorageArrayPlugin", TGT_PLUGIN_ID, TGT_PLUGIN_NAME, "1.0.0", "iSCSI"},
    {"FileServerPlugin", NFS_PLUGIN " (2.1.0)", "Oracle Generic Network File System", "2.1.0", "NFS"},
};

static int plugin_matches(const plugin_row *p, const gr_kv *inst)
{
    if (!inst || !inst->key)
        return 1;
    const char *v = !strcmp(inst->key, "id") ? p->id : p->name;
    return ovm_glob_match(inst->value, v);
}

int san_plugin_now(cmdctx *c, int show)
{
    const char *type = c->cmd->type->name;
    if (strcmp(type, "StorageArrayPlugin") != 0 && strcmp(type, "FileServerPlugin") != 0)
        return 0;
    const gr_kv *inst = c->cmd->instance.key ? &c->cmd->instance : NULL;
    for (size_t i = 0; i < sizeof plugins / sizeof plugins[0]; i++) {
        const plugin_row *p = &plugins[i];
        if (strcmp(p->type, type) != 0 || !plugin_matches(p, inst))
            continue;
        if (!show) {
            c->res->kind = RD_LIST;
            c->res->has_data = 1;
            result_list_add(c->res, p->id, p->name);
            continue;
        }
        c->res->kind = RD_SHOW;
        c->res->has_data = 1;
        result_show_add(c->res, "Name", p->name);
        result_show_add(c->res, "Id", p->id);
        result_show_add(c->res, "Plugin Version", p->version);
        result_show_add(c->res, "Storage Types", p->storage_types);
        return 1;
    }
    if (show)
        result_fail(c->res, "Cannot find %s with %s: %s", type, inst->key, inst->value);
    return 1;
}

const op ops_san[] = {
    {GR_F_create_StorageArray, NULL, prepare_create_sarray, 0},
    {GR_F_edit_StorageArray, NULL, prepare_edit_sarray, 0},
    {GR_F_delete_StorageArray, NULL, prepare_delete_sarray, 0},
    {GR_F_validate_StorageArray, NULL, prepare_validate_sarray, 0},
    {GR_F_refresh_StorageArray, NULL, prepare_refresh_sarray, 0},
    {GR_F_addAdminServer_StorageArray, NULL, prepare_add_admin_server, 0},
    {GR_F_removeAdminServer_StorageArray, NULL, prepare_remove_admin_server, 0},
    {GR_F_addAccessHost_StorageArray, NULL, prepare_add_access_host, 0},
    {GR_F_removeAccessHost_StorageArray, NULL, prepare_remove_access_host, 0},
    {GR_F_refreshStorageLayer_Server, NULL, prepare_refresh_storage_layer, 0},
    {GR_F_create_AccessGroup, NULL, prepare_create_agroup, 0},
    {GR_F_edit_AccessGroup, NULL, prepare_edit_named, 0},
    {GR_F_delete_AccessGroup, NULL, prepare_delete_agroup, 0},
    {GR_F_add_StorageInitiator, NULL, prepare_add_initiator, 0},
    {GR_F_remove_StorageInitiator, NULL, prepare_remove_initiator, 0},
    {GR_F_add_PhysicalDisk, NULL, prepare_add_pdisk, 0},
    {GR_F_remove_PhysicalDisk, NULL, prepare_remove_pdisk, 0},
    {GR_F_create_PhysicalDisk, NULL, prepare_create_pdisk, 0},
    {GR_F_delete_PhysicalDisk, NULL, prepare_delete_pdisk, 0},
    {GR_F_edit_PhysicalDisk, NULL, prepare_edit_pdisk, 0},
    {GR_F_refresh_PhysicalDisk, NULL, prepare_refresh_pdisk, 0},
    {GR_F_cloneVdToPd_VirtualDisk, NULL, prepare_clone_vd_to_pd, 0},
    {GR_F_clonePdToRepo_PhysicalDisk, NULL, prepare_clone_pd_to_repo, 0},
    {GR_F_clonePdToPd_PhysicalDisk, NULL, prepare_clone_pd_to_pd, 0},
    OPS_END,
};

/* ---- helpers ---- */

xr_value *san_ss_arg(const obj *array)
{
    xr_value *ss = xr_struct();
    int fc = obj_is(array, "storageType", "FIBRECHANNEL");
    xr_struct_set(ss, "uuid", xr_string(array->id));
    xr_struct_set(ss, "name", xr_string(array->name));
    xr_struct_set(ss, "storage_type", xr_string(fc ? "FIBRE_CHANNEL" : "ISCSI"));
    /* A simulated FC array is known by its id: its LUNs follow from it. */
    xr_struct_set(ss, "access_host", xr_string(fc ? array->id : obj_gets(array, "accessHost")));
    xr_struct_set(ss, "access_port", xr_int(obj_get_int(array, "accessPort", 3260)));
    if (obj_get(array, "storageName"))
        xr_struct_set(ss, "storage_name", xr_string(obj_gets(array, "storageName")));
    if (obj_get(array, "pluginPrivateData"))
        xr_struct_set(ss, "plugin_private", xr_string(obj_gets(array, "pluginPrivateData")));
    if (obj_is(array, "useChap", "Yes")) {
        xr_struct_set(ss, "chap_user", xr_string(obj_gets(array, "accessUsername")));
        xr_struct_set(ss, "chap_passwd", xr_string(obj_gets(array, "accessPassword")));
    }
    return ss;
}

obj *san_admin_server(cmdctx *c, const obj *array)
{
    obj *s = admin_server(c->e, array);
    if (!s)
        result_fail(c->res, "No owned Running admin server of StorageArray %s can reach its LUNs", array->name);
    return s;
}

const char *san_impl(const obj *array)
{
    return obj_is(array, "plugin", TGT_PLUGIN_NAME) ? TGT_PLUGIN_IMPL : SCSI_PLUGIN_IMPL;
}

int san_provisions(const obj *array)
{
    return obj_is(array, "plugin", TGT_PLUGIN_NAME);
}

/* The name of the plug-in a command names (by name, id or implementation),
 * or NULL after failing c. */
static const char *plugin_ok(cmdctx *c, const char *plugin)
{
    if (!ovm_strcasecmp(plugin, SCSI_PLUGIN_NAME) || !ovm_strcasecmp(plugin, SCSI_PLUGIN_ID) ||
        !ovm_strcasecmp(plugin, SCSI_PLUGIN_IMPL))
        return SCSI_PLUGIN_NAME;
    if (!ovm_strcasecmp(plugin, TGT_PLUGIN_NAME) || !ovm_strcasecmp(plugin, TGT_PLUGIN_ID) ||
        !ovm_strcasecmp(plugin, TGT_PLUGIN_IMPL))
        return TGT_PLUGIN_NAME;
    result_fail(c->res, "Cannot find StorageArrayPlugin with name: %s", plugin);
    return NULL;
}

/* The rules of create StorageArray that tie attributes together. 0 or -1 (c failed). */
static int check_create(cmdctx *c)
{
    const char *type = gr_get(c->cmd, "storageType"), *host = gr_get(c->cmd, "accessHost");
    const char *chap = gr_get(c->cmd, "useChap");
    const char *plugin = plugin_ok(c, gr_get(c->cmd, "plugin"));
    if (!plugin)
        return -1;
    int tgt = !strcmp(plugin, TGT_PLUGIN_NAME);
    if (!strcmp(type, "LOCAL") || !strcmp(type, "UNKNOWN") || (tgt && strcmp(type, "ISCSI") != 0)) {
        result_fail(c->res, "Storage plug-in %s does not support storageType %s", plugin, type);
        return -1;
    }
    if (tgt && !gr_get(c->cmd, "pluginPrivateData")) {
        result_fail(c->res, "Storage plug-in %s needs pluginPrivateData=control=<N>;tid=<T>;dir=<folder>", plugin);
        return -1;
    }
    if (!strcmp(type, "ISCSI") && !host) {
        result_fail(c->res, "An ISCSI StorageArray needs accessHost");
        return -1;
    }
    if (!strcmp(type, "FIBRECHANNEL")) {
        if (host || gr_get(c->cmd, "accessPort")) {
            result_fail(c->res, "accessHost and accessPort do not apply to FIBRECHANNEL storage arrays");
            return -1;
        }
        obj **v;
        size_t n = store_find_by(c->e->st, "StorageArray", "storageType", "FIBRECHANNEL", &v);
        if (n)
            result_fail(c->res, "Only one generic FIBRECHANNEL StorageArray can exist: %s", v[0]->name);
        free(v);
        if (n)
            return -1;
    }
    if (chap && !strcmp(chap, "Yes") && (!gr_get(c->cmd, "accessUsername") || !gr_get(c->cmd, "accessPassword"))) {
        result_fail(c->res, "useChap=Yes needs accessUsername and accessPassword");
        return -1;
    }
    return 0;
}

job *prepare_create_sarray(cmdctx *c)
{
    const char *name = gr_get(c->cmd, "name");
    if (name_taken(c->e, "StorageArray", name, NULL)) {
        result_fail(c->res, "A StorageArray named %s already exists", name);
        return NULL;
    }
    if (check_create(c) != 0)
        return NULL;
    char id[64];
    new_object_id(c->cmd->type, id, sizeof id);
    gplan *p = gplan_new("StorageArray", id, name);
    gplan_take_attrs(p, c->cmd);
    gplan_set(p, "plugin", plugin_ok(c, gr_get(c->cmd, "plugin")));
    if (!strcmp(gr_get(c->cmd, "storageType"), "ISCSI")) {
        const char *port = gr_get(c->cmd, "accessPort");
        gplan_set(p, "accessPort", port ? port : "3260");
    }
    static const job_spec spec = {.operation = "Create", .type = "StorageArray", .fn = gplan_run_create,
                                  .plan_free = gplan_free};
    return spec_job(c, &spec, name, p, NULL, NULL);
}

job *prepare_edit_sarray(cmdctx *c)
{
    obj *a = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!a)
        return NULL;
    const char *plugin = gr_get(c->cmd, "plugin");
    const char *pname = plugin ? plugin_ok(c, plugin) : NULL;
    if (plugin && !pname)
        return NULL;
    if (pname && !obj_is(a, "plugin", pname)) {
        result_fail(c->res, "StorageArray %s keeps its plug-in %s: delete and create it to change it", a->name,
                    obj_gets(a, "plugin"));
        return NULL;
    }
    const char *chap = gr_get(c->cmd, "useChap");
    if (chap && !strcmp(chap, "Yes") && !obj_get(a, "accessUsername")) {
        result_fail(c->res, "StorageArray %s has no CHAP user: give accessUsername and accessPassword "
                    "with addAccessHost", a->name);
        return NULL;
    }
    gplan *p = gplan_edit_plan(c, a, 1);
    if (!p)
        return NULL;
    const job_spec spec = {.operation = "Edit", .type = "StorageArray", .fn = gplan_run_edit, .plan_free = gplan_free};
    return spec_job(c, &spec, a->name, p, a->id, NULL);
}

/* The first PhysicalDisk of array that a VM, a repository or a pool uses. */
static obj *used_disk(engine *e, const obj *array, const char **user_type, obj **user)
{
    obj **v, *found = NULL;
    size_t n = store_find_by(e->st, "PhysicalDisk", "storageArray", array->id, &v);
    for (size_t i = 0; i < n && !found; i++)
        if ((*user = relation_user(e, v[i], user_type)) != NULL)
            found = v[i];
    free(v);
    return found;
}

void san_store_remove(job *j, const char *id)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *o = store_get(e->st, id);
    if (o) {
        relations_on_delete(e, o);
        store_delete(e->st, o);
    }
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
}

/* The array goes with its volume group, disks and access groups, in one transaction. */
static int run_delete_sarray(job *j)
{
    gplan *p = j->plan;
    san_store_remove(j, p->id);
    return 0;
}

job *prepare_delete_sarray(cmdctx *c)
{
    obj *a = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!a)
        return NULL;
    const char *utype = NULL;
    obj *user = NULL, *disk = used_disk(c->e, a, &utype, &user);
    if (disk) {
        result_fail(c->res, "Cannot delete StorageArray %s: its PhysicalDisk %s is in use by %s %s", a->name,
                    disk->name, utype, user->name);
        return NULL;
    }
    const job_spec spec = {.operation = "Delete", .type = "StorageArray", .fn = run_delete_sarray,
                           .plan_free = gplan_free};
    return spec_job(c, &spec, a->name, gplan_new("StorageArray", a->id, NULL), a->id, NULL);
}

/* ---- validate: every admin server reaches the array ---- */

typedef struct validate_plan {
    char array[64];
    const char *impl;
    xr_value *ss;
    agent_target *t;
    size_t n;
} validate_plan;

static void validate_plan_free(void *arg)
{
    validate_plan *p = arg;
    if (p) {
        xr_free(p->ss);
        free(p->t);
        free(p);
    }
}

static int run_validate(job *j)
{
    validate_plan *p = j->plan;
    for (size_t i = 0; i < p->n; i++)
        if (agent_storage_plugin_validate(AGENT_JOB(j, &p->t[i]), p->impl, p->ss, NULL) != 0)
            return -1;
    engine *e = j->eng;
    store_wrlock(e->st);
    obj *a = store_get(e->st, p->array);
    if (a) {
        store_set_actor(e->st, j->id);
        store_begin(e->st);
        obj_setf(e->st, a, "lastValidated", "%lld", (long long)ovm_now_ms());
        store_commit(e->st);
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
    return 0;
}

job *prepare_validate_sarray(cmdctx *c)
{
    obj *a = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!a)
        return NULL;
    char **ids;
    size_t n = split_list(obj_get(a, "adminServers"), &ids);
    validate_plan *p = xcalloc(1, sizeof *p);
    p->t = xcalloc(n ? n : 1, sizeof *p->t);
    for (size_t i = 0; i < n; i++) {
        obj *s = store_get(c->e->st, ids[i]);
        if (s && server_usable(s))
            agent_target_of(c->e, s, &p->t[p->n++]);
    }
    free_list(ids, n);
    if (!p->n) {
        result_fail(c->res, "StorageArray %s has no owned Running admin server to validate it from", a->name);
        validate_plan_free(p);
        return NULL;
    }
    snprintf(p->array, sizeof p->array, "%s", a->id);
    p->ss = san_ss_arg(a);
    p->impl = san_impl(a);
    static const job_spec spec = {.operation = "Validate", .type = "StorageArray", .fn = run_validate,
                                  .plan_free = validate_plan_free};
    return spec_job(c, &spec, a->name, p, a->id, NULL);
}

/* ---- access hosts (iSCSI portals; the first one is the one the agents use) ---- */

static job *access_host_job(cmdctx *c, obj *a, gplan *p)
{
    p->version = a->version;
    const job_spec spec = {.operation = "Edit", .type = "StorageArray", .fn = gplan_run_edit, .plan_free = gplan_free};
    return spec_job(c, &spec, a->name, p, a->id, NULL);
}

job *prepare_add_access_host(cmdctx *c)
{
    obj *a = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!a)
        return NULL;
    if (obj_is(a, "storageType", "FIBRECHANNEL")) {
        result_fail(c->res, "Access hosts do not apply to FIBRECHANNEL StorageArray %s", a->name);
        return NULL;
    }
    if (obj_get(a, "accessHost")) {
        result_fail(c->res, "StorageArray %s already has access host %s; the generic plug-in uses one",
                    a->name, obj_gets(a, "accessHost"));
        return NULL;
    }
    const char *port = gr_get(c->cmd, "accessPort"), *user = gr_get(c->cmd, "accessUsername");
    const char *pw = gr_get(c->cmd, "accessPassword");
    if (!user != !pw) {
        result_fail(c->res, "accessUsername and accessPassword go together");
        return NULL;
    }
    gplan *p = gplan_new("StorageArray", a->id, NULL);
    gplan_set(p, "accessHost", gr_get(c->cmd, "accessHost"));
    gplan_set(p, "accessPort", port ? port : "3260");
    if (user) {
        gplan_set(p, "accessUsername", user);
        gplan_set(p, "accessPassword", pw);
    }
    return access_host_job(c, a, p);
}

job *prepare_remove_access_host(cmdctx *c)
{
    obj *a = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!a)
        return NULL;
    const char *host = gr_get(c->cmd, "accessHost");
    if (!obj_is(a, "accessHost", host)) {
        result_fail(c->res, "%s is not an access host of StorageArray %s", host, a->name);
        return NULL;
    }
    gplan *p = gplan_new("StorageArray", a->id, NULL);
    gplan_set(p, "accessHost", "");
    gplan_set(p, "accessPort", "");
    return access_host_job(c, a, p);
}
