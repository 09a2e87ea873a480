/* Handlers of the agent's methods and argument checking. The methods and
 * their arguments are those of lib/agent_methods.h. Type errors mimic
 * Python 2's texts because the Manager shows faultString to the user verbatim. */
#include "agent/dispatch.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/sim.h"
#include "lib/agent_methods.h"
#include "lib/log.h"
#include "lib/util.h"

typedef xr_value *(*handler_fn)(struct call_ctx *c, xr_value *const *argv, size_t argc);

enum { M_MUTATES = 1, M_UNLOCKED = 2 };

/* The handler of each method of lib/agent_methods.h, which defines the
 * method's arguments (checked here before the handler runs). flags: how it
 * runs against the sim: M_MUTATES saves the state afterwards, M_UNLOCKED
 * runs without the sim lock (slow storage work, sleeps, migrations). */
struct binding {
    handler_fn fn;
    int flags;
};

static const struct binding bindings[AM_COUNT] = {
    [AM_get_api_version] = {h_get_api_version, 0},
    [AM_echo] = {h_echo, M_UNLOCKED},
    [AM_sleep] = {h_sleep, M_UNLOCKED},
    [AM_discover_server] = {h_discover_server, 0},
    [AM_discover_hardware] = {h_discover_hardware, 0},
    [AM_discover_network] = {h_discover_network, 0},
    [AM_discover_storage_plugins] = {h_discover_storage_plugins, 0},
    [AM_discover_mounted_file_systems] = {h_discover_mounted_file_systems, 0},
    [AM_discover_repository_db] = {h_discover_repository_db, 0},
    [AM_discover_repositories] = {h_discover_repositories, 0},
    [AM_discover_server_pool] = {h_discover_server_pool, 0},
    [AM_get_last_boot_time] = {h_get_last_boot_time, 0},
    [AM_get_timezone] = {h_get_timezone, 0},
    [AM_get_ntp] = {h_get_ntp, 0},
    [AM_set_ntp] = {h_set_ntp, M_MUTATES},
    [AM_enable_ntp] = {h_enable_ntp, M_MUTATES},
    [AM_disable_ntp] = {h_disable_ntp, M_MUTATES},
    [AM_set_statistics_interval] = {h_set_statistics_interval, M_MUTATES},
    [AM_update_agent_password] = {h_update_agent_password, 0},
    [AM_take_ownership] = {h_take_ownership, M_MUTATES},
    [AM_release_ownership] = {h_release_ownership, M_MUTATES},
    [AM_create_server_pool] = {h_create_server_pool, M_MUTATES},
    [AM_join_server_pool] = {h_join_server_pool, M_MUTATES},
    [AM_leave_server_pool] = {h_leave_server_pool, M_MUTATES},
    [AM_destroy_server_pool] = {h_destroy_server_pool, M_MUTATES},
    [AM_set_pool_member_ip_list] = {h_set_pool_member_ip_list, M_MUTATES},
    [AM_update_server_roles] = {h_update_server_roles, M_MUTATES},
    [AM_mount_repository_fs] = {h_mount_repository_fs, M_MUTATES},
    [AM_unmount_repository_fs] = {h_unmount_repository_fs, M_MUTATES},
    [AM_create_repository] = {h_create_repository, M_MUTATES},
    [AM_add_repository] = {h_add_repository, M_MUTATES},
    [AM_delete_repository] = {h_delete_repository, M_MUTATES},
    [AM_create_repository_export] = {h_create_repository_export, M_MUTATES},
    [AM_delete_repository_export] = {h_delete_repository_export, M_MUTATES},
    [AM_list_repository_exports] = {h_list_repository_exports, 0},
    [AM_storage_plugin_create] = {h_storage_plugin_create, M_UNLOCKED},
    [AM_storage_plugin_destroy] = {h_storage_plugin_destroy, M_UNLOCKED},
    [AM_storage_plugin_resize] = {h_storage_plugin_resize, M_UNLOCKED},
    [AM_storage_plugin_getFileInfo] = {h_storage_plugin_getFileInfo, M_UNLOCKED},
    [AM_storage_plugin_getFileSystemInfo] = {h_storage_plugin_getFileSystemInfo, M_UNLOCKED},
    [AM_storage_plugin_listFileSystems] = {h_storage_plugin_listFileSystems, M_UNLOCKED},
    [AM_copy_file] = {h_copy_file, M_UNLOCKED},
    [AM_reflink_file] = {h_reflink_file, M_UNLOCKED},
    [AM_copy_blocks] = {h_copy_blocks, M_UNLOCKED},
    [AM_import_virtual_disk] = {h_import_virtual_disk, M_UNLOCKED},
    [AM_import_virtual_cdrom] = {h_import_virtual_cdrom, M_UNLOCKED},
    [AM_discover_storage_initiators] = {h_discover_storage_initiators, 0},
    [AM_storage_plugin_validate] = {h_storage_plugin_validate, M_UNLOCKED},
    [AM_storage_plugin_listStorageElements] = {h_storage_plugin_listStorageElements, M_UNLOCKED},
    [AM_storage_plugin_readBlocks] = {h_storage_plugin_readBlocks, M_UNLOCKED},
    [AM_storage_plugin_writeBlocks] = {h_storage_plugin_writeBlocks, M_UNLOCKED},
    [AM_storage_plugin_createSE] = {h_storage_plugin_createSE, M_UNLOCKED},
    [AM_storage_plugin_resizeSE] = {h_storage_plugin_resizeSE, M_UNLOCKED},
    [AM_storage_plugin_destroySE] = {h_storage_plugin_destroySE, M_UNLOCKED},
    [AM_storage_plugin_addToAccessGroup] = {h_storage_plugin_addToAccessGroup, M_UNLOCKED},
    [AM_storage_plugin_removeFromAccessGroup] = {h_storage_plugin_removeFromAccessGroup, M_UNLOCKED},
    [AM_import_virtual_appliance] = {h_import_virtual_appliance, M_UNLOCKED},
    [AM_export_virtual_appliance] = {h_export_virtual_appliance, M_UNLOCKED},
    [AM_delete_virtual_appliance] = {h_delete_virtual_appliance, M_UNLOCKED},
    [AM_create_vm] = {h_create_vm, 0},
    [AM_configure_vm] = {h_configure_vm, M_MUTATES},
    [AM_set_vm_config] = {h_configure_vm, M_MUTATES},
    [AM_get_vm_config] = {h_get_vm_config, 0},
    [AM_get_vm_config_file] = {h_get_vm_config_file, 0},
    [AM_delete_vm] = {h_delete_vm, 0},
    [AM_configure_vm_ha] = {h_configure_vm_ha, 0},
    [AM_send_to_guest] = {h_send_to_guest, M_MUTATES},
    [AM_get_guest_messages] = {h_get_guest_messages, 0},
    [AM_clear_guest_messages] = {h_clear_guest_messages, M_MUTATES},
    [AM_start_vm] = {h_start_vm, M_MUTATES},
    [AM_stop_vm] = {h_stop_vm, M_MUTATES},
    [AM_reboot_vm] = {h_reboot_vm, M_MUTATES},
    [AM_pause_vm] = {h_pause_vm, M_MUTATES},
    [AM_unpause_vm] = {h_unpause_vm, M_MUTATES},
    [AM_save_vm] = {h_save_vm, M_MUTATES},
    [AM_restore_vm] = {h_restore_vm, M_MUTATES},
    [AM_migrate_vm] = {h_migrate_vm, M_MUTATES | M_UNLOCKED},
    [AM_list_vm] = {h_list_vm, 0},
    [AM_list_vms] = {h_list_vms, 0},
    [AM_ovs_br_config] = {h_ovs_br_config, M_MUTATES},
    [AM_ovs_bond_create] = {h_ovs_bond_create, M_MUTATES},
    [AM_ovs_bond_edit] = {h_ovs_bond_edit, M_MUTATES},
    [AM_ovs_bond_delete] = {h_ovs_bond_delete, M_MUTATES},
    [AM_ovs_bond_slave] = {h_ovs_bond_slave, M_MUTATES},
    [AM_ovs_vlan_config] = {h_ovs_vlan_config, M_MUTATES},
    [AM_ovs_mtu_config] = {h_ovs_mtu_config, M_MUTATES},
    [AM_ovs_ip_config] = {h_ovs_ip_config, M_MUTATES},
    [AM_sim_nic_remove] = {h_sim_nic_remove, M_MUTATES},
    [AM_migration_target] = {h_migration_target, 0},
    [AM_sim_receive_domain] = {h_sim_receive_domain, M_MUTATES},
    [AM_sim_guest_shutdown] = {h_sim_guest_shutdown, M_MUTATES},
    [AM_sim_guest_message] = {h_sim_guest_message, M_MUTATES},
    [AM_sim_set_cpu_load] = {h_sim_set_cpu_load, M_MUTATES},
    [AM_sim_set_net_load] = {h_sim_set_net_load, M_MUTATES},
    [AM_sim_crash] = {h_sim_crash, M_MUTATES},
    [AM_check_for_updates] = {h_check_for_updates, M_UNLOCKED},
    [AM_update_server] = {h_update_server, M_UNLOCKED},
    [AM_create_pool_filesystem] = {h_create_pool_filesystem, M_MUTATES},
    [AM_destroy_pool_filesystem] = {h_destroy_pool_filesystem, M_MUTATES},
    [AM_discover_pool_filesystem] = {h_discover_pool_filesystem, 0},
    [AM_create_cluster] = {h_create_cluster, M_MUTATES},
    [AM_destroy_cluster] = {h_destroy_cluster, M_MUTATES},
    [AM_configure_server_for_cluster] = {h_configure_server_for_cluster, M_MUTATES},
    [AM_deconfigure_server_for_cluster] = {h_deconfigure_server_for_cluster, M_MUTATES},
    [AM_join_cluster] = {h_join_cluster, M_MUTATES},
    [AM_leave_cluster] = {h_leave_cluster, M_MUTATES},
    [AM_update_clusterConfiguration] = {h_update_clusterConfiguration, M_MUTATES},
    [AM_discover_cluster] = {h_discover_cluster, 0},
    [AM_is_cluster_online] = {h_is_cluster_online, 0},
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

/* The method called name if the agent serves it, else NULL. */
static const agent_method *find_method(const char *name)
{
    const agent_method *m = agent_method_find(name);
    return m && bindings[m - agent_methods].fn ? m : NULL;
}

int dispatch_known(const char *method)
{
    return find_method(method) != NULL;
}

const char *dispatch_unbound(void)
{
    for (size_t i = 0; i < AM_COUNT; i++)
        if (!bindings[i].fn)
            return agent_methods[i].name;
    return NULL;
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

static int type_ok(agent_type want, const xr_value *v)
{
    int64_t i;
    int b;
    switch (want) {
    case AT_STRING: return v->type == XR_STRING;
    case AT_INTEGER: return v->type != XR_BOOL && xr_get_int64(v, &i) == 0;
    case AT_BOOLEAN: return xr_get_bool(v, &b) == 0;
    case AT_DICT: return v->type == XR_STRUCT;
    case AT_LIST: return v->type == XR_ARRAY;
    case AT_ANY: break;
    }
    return 1;
}

/* 0 if params fit m's arguments; otherwise records a TypeError on c. */
static int check_args(struct call_ctx *c, const agent_method *m, const xr_value *params)
{
    size_t given = params->n;
    if (given < m->required || given > m->nargs) {
        const char *how = m->required == m->nargs ? "exactly" : given < m->required ? "at least" : "at most";
        size_t n = given < m->required ? m->required : m->nargs;
        call_fault(c, "exceptions.TypeError:%s() takes %s %zu argument%s (%zu given)",
                   m->name, how, n, n == 1 ? "" : "s", given);
        return -1;
    }
    for (size_t k = 0; k < given; k++)
        if (!type_ok(m->args[k].type, params->items[k])) {
            call_fault(c, "exceptions.TypeError:%s() argument %zu must be %s, not %s",
                       m->name, k + 1, agent_type_word(m->args[k].type), py_type(params->items[k]));
            return -1;
        }
    return 0;
}

static xr_value *run(struct call_ctx *c, const agent_method *am, const xr_value *params)
{
    const struct binding *m = &bindings[am - agent_methods];
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
    const agent_method *m = find_method(method);
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
    if (!agent_result_ok(m->result, res->type)) /* the list in lib/agent_methods.h is out of date */
        log_warn("%s: result of XML-RPC type %d, not what lib/agent_methods.h says", method, (int)res->type);
    log_debug("%s: ok", method);
    char *out = xr_encode_response(res, len);
    xr_free(res);
    return out;
}
