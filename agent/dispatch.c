/* Method table and argument checking. Type errors mimic Python 2's texts
 * because the Manager shows faultString to the user verbatim. */
#include "agent/dispatch.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/sim.h"
#include "lib/log.h"
#include "lib/util.h"

typedef xr_value *(*handler_fn)(struct call_ctx *c, xr_value *const *argv, size_t argc);

enum { M_MUTATES = 1, M_UNLOCKED = 2 };

/* spec: one letter per positional argument, optional ones after '|':
 * s string, i integer, b boolean, S struct, A array, * anything. */
struct method {
    const char *name;
    handler_fn fn;
    const char *spec;
    int flags;
};

static const struct method methods[] = {
    {"get_api_version", h_get_api_version, "", 0},
    {"echo", h_echo, "*", M_UNLOCKED},
    {"sleep", h_sleep, "i", M_UNLOCKED},
    {"discover_server", h_discover_server, "", 0},
    {"discover_hardware", h_discover_hardware, "", 0},
    {"discover_network", h_discover_network, "", 0},
    {"discover_storage_plugins", h_discover_storage_plugins, "", 0},
    {"discover_mounted_file_systems", h_discover_mounted_file_systems, "|s", 0},
    {"discover_repository_db", h_discover_repository_db, "", 0},
    {"discover_repositories", h_discover_repositories, "s", 0},
    {"discover_server_pool", h_discover_server_pool, "", 0},
    {"get_last_boot_time", h_get_last_boot_time, "", 0},
    {"get_timezone", h_get_timezone, "", 0},
    {"get_ntp", h_get_ntp, "", 0},
    {"set_ntp", h_set_ntp, "A|b", M_MUTATES},
    {"enable_ntp", h_enable_ntp, "", M_MUTATES},
    {"disable_ntp", h_disable_ntp, "", M_MUTATES},
    {"set_statistics_interval", h_set_statistics_interval, "i", M_MUTATES},
    {"update_agent_password", h_update_agent_password, "ss|s", 0},
    {"take_ownership", h_take_ownership, "*|s", M_MUTATES},
    {"release_ownership", h_release_ownership, "s", M_MUTATES},
    {"create_server_pool", h_create_server_pool, "ss*isss", M_MUTATES},
    {"join_server_pool", h_join_server_pool, "ss*isss", M_MUTATES},
    {"leave_server_pool", h_leave_server_pool, "s", M_MUTATES},
    {"destroy_server_pool", h_destroy_server_pool, "s", M_MUTATES},
    {"set_pool_member_ip_list", h_set_pool_member_ip_list, "A", M_MUTATES},
    {"update_server_roles", h_update_server_roles, "s", M_MUTATES},
    {"mount_repository_fs", h_mount_repository_fs, "ss", M_MUTATES},
    {"unmount_repository_fs", h_unmount_repository_fs, "s", M_MUTATES},
    {"create_repository", h_create_repository, "ssss", M_MUTATES},
    {"add_repository", h_add_repository, "ss", M_MUTATES},
    {"delete_repository", h_delete_repository, "s|b", M_MUTATES},
    {"storage_plugin_create", h_storage_plugin_create, "sSSssi", M_UNLOCKED},
    {"storage_plugin_destroy", h_storage_plugin_destroy, "sSSS", M_UNLOCKED},
    {"storage_plugin_resize", h_storage_plugin_resize, "sSSSi", M_UNLOCKED},
    {"storage_plugin_getFileInfo", h_storage_plugin_getFileInfo, "sSSS", M_UNLOCKED},
    {"storage_plugin_getFileSystemInfo", h_storage_plugin_getFileSystemInfo, "sSS", M_UNLOCKED},
    {"storage_plugin_listFileSystems", h_storage_plugin_listFileSystems, "sS", M_UNLOCKED},
    {"copy_file", h_copy_file, "ss|b", M_UNLOCKED},
    {"create_vm", h_create_vm, "ssS", 0},
    {"configure_vm", h_configure_vm, "ssS", M_MUTATES},
    {"set_vm_config", h_configure_vm, "ssS", M_MUTATES},
    {"get_vm_config", h_get_vm_config, "ss", 0},
    {"delete_vm", h_delete_vm, "ss", 0},
    {"configure_vm_ha", h_configure_vm_ha, "ssb", 0},
    {"send_to_guest", h_send_to_guest, "ss*", M_MUTATES},
    {"start_vm", h_start_vm, "ss", M_MUTATES},
    {"stop_vm", h_stop_vm, "ss|b", M_MUTATES},
    {"reboot_vm", h_reboot_vm, "ss|b", M_MUTATES},
    {"pause_vm", h_pause_vm, "ss", M_MUTATES},
    {"unpause_vm", h_unpause_vm, "ss", M_MUTATES},
    {"save_vm", h_save_vm, "ss|b", M_MUTATES},
    {"restore_vm", h_restore_vm, "ss|b", M_MUTATES},
    {"migrate_vm", h_migrate_vm, "sss|bb", M_MUTATES | M_UNLOCKED},
    {"list_vm", h_list_vm, "ss", 0},
    {"list_vms", h_list_vms, "", 0},
    {"ovs_br_config", h_ovs_br_config, "ss|s", M_MUTATES},
    {"migration_target", h_migration_target, "ss", 0},
    {"sim_receive_domain", h_sim_receive_domain, "ssS", M_MUTATES},
    {"sim_guest_shutdown", h_sim_guest_shutdown, "s", M_MUTATES},
    {"sim_crash", h_sim_crash, "", M_MUTATES},
    {"create_pool_filesystem", h_create_pool_filesystem, "sssssss", M_MUTATES},
    {"destroy_pool_filesystem", h_destroy_pool_filesystem, "ssss", M_MUTATES},
    {"discover_pool_filesystem", h_discover_pool_filesystem, "", 0},
    {"create_cluster", h_create_cluster, "s", M_MUTATES},
    {"destroy_cluster", h_destroy_cluster, "s", M_MUTATES},
    {"configure_server_for_cluster", h_configure_server_for_cluster, "S*ssss", M_MUTATES},
    {"deconfigure_server_for_cluster", h_deconfigure_server_for_cluster, "s", M_MUTATES},
    {"join_cluster", h_join_cluster, "s", M_MUTATES},
    {"leave_cluster", h_leave_cluster, "s", M_MUTATES},
    {"update_clusterConfiguration", h_update_clusterConfiguration, "*", M_MUTATES},
    {"discover_cluster", h_discover_cluster, "", 0},
    {"is_cluster_online", h_is_cluster_online, "", 0},
};

xr_value *call_fault(struct call_ctx *c, const char *fmt, ...)
{
    if (c->fault)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    c->fault = xvasprintf(fmt, ap);
    va_end(ap);
    return NULL;
}

static const struct method *find_method(const char *name)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (!strcmp(methods[i].name, name))
            return &methods[i];
    return NULL;
}

int dispatch_known(const char *method)
{
    return find_method(method) != NULL;
}

static const char *py_type(const xr_value *v)
{
    switch (v->type) {
    case XR_NIL: return "NoneType";
    case XR_BOOL: return "bool";
    case XR_INT: return "int";
    case XR_DOUBLE: return "float";
    case XR_STRING: return "str";
    case XR_ARRAY: return "list";
    case XR_STRUCT: return "dict";
    }
    return "object";
}

static int type_ok(char want, const xr_value *v)
{
    int64_t i;
    int b;
    switch (want) {
    case 's': return v->type == XR_STRING;
    case 'i': return v->type != XR_BOOL && xr_get_int64(v, &i) == 0;
    case 'b': return xr_get_bool(v, &b) == 0;
    case 'S': return v->type == XR_STRUCT;
    case 'A': return v->type == XR_ARRAY;
    default: return 1;
    }
}

static const char *type_word(char want)
{
    switch (want) {
    case 's': return "string";
    case 'i': return "integer";
    case 'b': return "boolean";
    case 'S': return "dict";
    case 'A': return "list";
    default: return "object";
    }
}

/* 0 if params fit m->spec; otherwise records a TypeError on c. */
static int check_args(struct call_ctx *c, const struct method *m, const xr_value *params)
{
    const char *bar = strchr(m->spec, '|');
    size_t required = bar ? (size_t)(bar - m->spec) : strlen(m->spec);
    size_t most = strlen(m->spec) - (bar ? 1 : 0);
    size_t given = params->n;
    if (given < required || given > most) {
        const char *how = required == most ? "exactly" : given < required ? "at least" : "at most";
        size_t n = given < required ? required : most;
        call_fault(c, "exceptions.TypeError:%s() takes %s %zu argument%s (%zu given)",
                   m->name, how, n, n == 1 ? "" : "s", given);
        return -1;
    }
    size_t k = 0;
    for (const char *p = m->spec; *p && k < given; p++) {
        if (*p == '|')
            continue;
        if (!type_ok(*p, params->items[k])) {
            call_fault(c, "exceptions.TypeError:%s() argument %zu must be %s, not %s",
                       m->name, k + 1, type_word(*p), py_type(params->items[k]));
            return -1;
        }
        k++;
    }
    return 0;
}

static xr_value *run(struct call_ctx *c, const struct method *m, const xr_value *params)
{
    if (m->flags & M_UNLOCKED)
        return m->fn(c, params->items, params->n);
    pthread_mutex_lock(&c->sim->lock);
    xr_value *res = m->fn(c, params->items, params->n);
    if ((m->flags & M_MUTATES) && sim_save(c->sim) != 0 && !c->fault)
        call_fault(c, "exceptions.IOError:[Errno 5] Input/output error: '%s/agent-state.xml'",
                   c->sim->state_dir);
    pthread_mutex_unlock(&c->sim->lock);
    return res;
}

char *dispatch_call(struct sim *sim, const char *method, const xr_value *params, int certified, size_t *len)
{
    struct call_ctx c = {sim, method, NULL, certified};
    const struct method *m = find_method(method);
    xr_value *res = NULL;
    if (!m)
        call_fault(&c, "exceptions.AttributeError:'module' object has no attribute '%s'", method);
    else if (check_args(&c, m, params) == 0)
        res = run(&c, m, params);
    if (c.fault) {
        xr_free(res);
        log_info("%s: fault: %s", method, c.fault);
        char *out = xr_encode_fault(1, c.fault, len);
        free(c.fault);
        return out;
    }
    if (!res) /* a handler that returns nothing means nil */
        res = xr_nil();
    log_debug("%s: ok", method);
    char *out = xr_encode_response(res, len);
    xr_free(res);
    return out;
}
