/* The agent API as data: every XML-RPC method of ovm-agentd with its
 * arguments, its result and how long the engine waits for it
 * (doc/agent-protocol.md §5). This list is the one source of truth:
 * ovm-agentd's dispatcher checks arguments from it (agent/dispatch.c binds a
 * handler to each entry) and the engine's typed calls agent_<method>(...)
 * are generated from it (backend/agentc/agentapi.h). */
#ifndef OVM_AGENT_METHODS_H
#define OVM_AGENT_METHODS_H
#include <stddef.h>

/* AGENT_METHODS(M) calls M(name, wait, result, args) once per method:
 *   wait    CALL (agent.call_timeout) or LONG (agent.long_timeout)
 *   result  nil, string, xml (a string holding an XML document), dict,
 *           dict_or_nil, list, boolean or any
 *   args    the positional arguments, a sequence of (type, name):
 *           string, integer, boolean, dict, list   both sides check this type
 *           any         the agent takes any value; the engine passes an xr_value
 *           any_string  the agent takes any value; the engine sends a string
 *           opt_string, opt_boolean  optional; after every required argument.
 *           The engine leaves one out, and every one after it, by passing
 *           NULL (opt_string) or -1 (opt_boolean).
 * Methods only agents call (sim_*, migration_target) and methods the engine
 * does not use yet are here too: the agent checks their arguments alike. */
#define AGENT_METHODS(M) \
    M(get_api_version, CALL, list, ) \
    M(echo, CALL, any, (any, msg)) \
    M(sleep, CALL, nil, (integer, secs)) \
    M(discover_server, CALL, xml, ) \
    M(discover_hardware, CALL, xml, ) \
    M(discover_network, CALL, xml, ) \
    M(discover_storage_plugins, CALL, xml, ) \
    M(discover_mounted_file_systems, CALL, xml, (opt_string, fs_type)) \
    M(discover_repository_db, CALL, xml, ) \
    M(discover_repositories, CALL, xml, (string, repo_uuid)) \
    M(discover_server_pool, CALL, xml, ) \
    M(get_last_boot_time, CALL, dict, ) \
    M(get_timezone, CALL, list, ) \
    M(get_ntp, CALL, list, ) \
    M(set_ntp, CALL, nil, (list, servers)(opt_boolean, running)) \
    M(enable_ntp, CALL, nil, ) \
    M(disable_ntp, CALL, nil, ) \
    M(set_statistics_interval, CALL, nil, (integer, secs)) \
    M(update_agent_password, CALL, nil, (string, user)(string, password)(opt_string, old_password)) \
    M(take_ownership, CALL, nil, (any, ownership)(opt_string, api_url)) \
    M(release_ownership, CALL, nil, (string, manager_uuid)) \
    M(create_server_pool, CALL, nil, AGENT_POOL_ARGS) \
    M(join_server_pool, CALL, nil, AGENT_POOL_ARGS) \
    M(leave_server_pool, CALL, nil, (string, pool_uuid)) \
    M(destroy_server_pool, CALL, nil, (string, pool_uuid)) \
    M(set_pool_member_ip_list, CALL, nil, (list, ips)) \
    M(update_server_roles, CALL, nil, (string, roles)) \
    M(mount_repository_fs, CALL, nil, (string, fs_location)(string, mount_point)) \
    M(unmount_repository_fs, CALL, nil, (string, mount_point)) \
    M(create_repository, LONG, nil, (string, fs_location)(string, mount_point)(string, repo_uuid)(string, repo_alias)) \
    M(add_repository, CALL, nil, (string, fs_location)(string, mount_point)) \
    M(delete_repository, LONG, nil, (string, repo_uuid)(opt_boolean, erase)) \
    M(storage_plugin_create, LONG, dict, \
      (string, impl)(dict, ss)(dict, sd)(string, path)(string, kind)(integer, size_bytes)) \
    M(storage_plugin_destroy, LONG, nil, (string, impl)(dict, ss)(dict, sd)(dict, fp)) \
    M(storage_plugin_resize, LONG, dict, (string, impl)(dict, ss)(dict, sd)(dict, fp)(integer, size_bytes)) \
    M(storage_plugin_getFileInfo, CALL, dict, (string, impl)(dict, ss)(dict, sd)(dict, fp)) \
    M(storage_plugin_getFileSystemInfo, CALL, dict, (string, impl)(dict, ss)(dict, sd)) \
    M(storage_plugin_listFileSystems, CALL, list, (string, impl)(dict, ss)) \
    M(copy_file, LONG, nil, (string, src)(string, dst)(opt_boolean, sparse)) \
    M(reflink_file, LONG, nil, (string, src)(string, dst)) \
    M(copy_blocks, LONG, nil, (any, src)(any, dst)(opt_boolean, sparse)) \
    M(import_virtual_disk, LONG, nil, (string, url)(string, virtual_disk_id)(string, repo_uuid)(opt_string, option)) \
    M(import_virtual_cdrom, LONG, nil, (string, url)(string, iso_id)(string, repo_uuid)(opt_string, proxy)) \
    M(discover_storage_initiators, CALL, list, ) \
    M(storage_plugin_validate, LONG, nil, (string, impl)(dict, ss)) \
    M(storage_plugin_listStorageElements, LONG, list, (string, impl)(dict, ss)) \
    M(storage_plugin_readBlocks, LONG, string, (string, impl)(dict, ss)(dict, se)(integer, offset)(integer, length)) \
    M(storage_plugin_writeBlocks, LONG, nil, (string, impl)(dict, ss)(dict, se)(integer, offset)(string, data)) \
    M(storage_plugin_createSE, LONG, dict, (string, impl)(dict, ss)(string, name)(integer, size)(boolean, thin)) \
    M(storage_plugin_resizeSE, LONG, dict, (string, impl)(dict, ss)(string, name)(integer, lun)(integer, size)) \
    M(storage_plugin_destroySE, LONG, nil, (string, impl)(dict, ss)(string, name)(integer, lun)) \
    M(storage_plugin_addToAccessGroup, LONG, list, (string, impl)(dict, ss)(string, group)(list, initiators)(list, elements)) \
    M(storage_plugin_removeFromAccessGroup, LONG, list, (string, impl)(dict, ss)(string, group)(list, initiators)(list, elements)) \
    M(import_virtual_appliance, LONG, dict, (string, url)(string, appliance_id)(string, repo_uuid)(opt_string, proxy)) \
    M(export_virtual_appliance, LONG, dict, (string, repo_uuid)(string, appliance_id)(string, name)(list, vms)) \
    M(delete_virtual_appliance, LONG, nil, (string, repo_uuid)(string, appliance_id)) \
    M(create_vm, LONG, nil, (string, repo_id)(string, vm_id)(dict, params)) \
    M(configure_vm, LONG, nil, (string, repo_id)(string, vm_id)(dict, params)) \
    M(set_vm_config, LONG, nil, (string, repo_id)(string, vm_id)(dict, params)) \
    M(get_vm_config, CALL, dict, (string, repo_id)(string, vm_id)) \
    M(get_vm_config_file, CALL, string, (string, repo_id)(string, vm_id)) \
    M(delete_vm, LONG, nil, (string, repo_id)(string, vm_id)) \
    M(configure_vm_ha, LONG, nil, (string, repo_id)(string, vm_id)(boolean, enable_ha)) \
    M(send_to_guest, CALL, nil, (string, repo_id)(string, vm_id)(any, params)) \
    M(get_guest_messages, CALL, list, (string, repo_id)(string, vm_id)) \
    M(create_repository_export, CALL, nil, (string, repo_uuid)(string, name)(string, client)(string, options)) \
    M(delete_repository_export, CALL, nil, (string, repo_uuid)(string, client)) \
    M(list_repository_exports, CALL, list, ) \
    M(clear_guest_messages, CALL, nil, (string, repo_id)(string, vm_id)) \
    M(start_vm, LONG, nil, (string, repo_id)(string, vm_id)) \
    M(stop_vm, LONG, nil, (string, repo_id)(string, vm_id)(opt_boolean, force)) \
    M(reboot_vm, LONG, nil, (string, repo_id)(string, vm_id)(opt_boolean, wait)) \
    M(pause_vm, LONG, nil, (string, repo_id)(string, vm_id)) \
    M(unpause_vm, LONG, nil, (string, repo_id)(string, vm_id)) \
    M(save_vm, LONG, nil, (string, repo_id)(string, vm_id)(opt_boolean, checkpoint)) \
    M(restore_vm, LONG, nil, (string, repo_id)(string, vm_id)(opt_boolean, paused)) \
    M(migrate_vm, LONG, nil, (string, repo_id)(string, vm_id)(string, dest)(opt_boolean, live)(opt_boolean, ssl)) \
    M(list_vm, CALL, dict_or_nil, (string, repo_id)(string, vm_id)) \
    M(list_vms, CALL, list, ) \
    M(ovs_br_config, CALL, string, (string, action)(string, bridge)(opt_string, net_device)) \
    M(ovs_bond_create, CALL, nil, (string, bond)(string, mode)(list, slaves)(integer, mtu)) \
    M(ovs_bond_edit, CALL, nil, (string, bond)(string, mode)(integer, mtu)) \
    M(ovs_bond_delete, CALL, nil, (string, bond)) \
    M(ovs_bond_slave, CALL, nil, (string, action)(string, bond)(string, net_device)) \
    M(ovs_vlan_config, CALL, nil, (string, action)(string, net_device)(integer, vlan_id)) \
    M(ovs_mtu_config, CALL, nil, (string, net_device)(integer, mtu)) \
    M(ovs_ip_config, CALL, nil, (string, net_device)(string, optype)(string, ip)(string, netmask)) \
    M(migration_target, CALL, any, (string, repo_id)(string, vm_id)) \
    M(sim_receive_domain, CALL, nil, (string, repo_id)(string, vm_id)(dict, domain)) \
    M(sim_guest_shutdown, CALL, nil, (string, vm_id)) \
    M(sim_guest_message, CALL, nil, (string, vm_id)(string, key)(string, value)) \
    M(sim_set_cpu_load, CALL, nil, (string, vm_id)(integer, load)) \
    M(sim_set_net_load, CALL, nil, (string, net_device)(integer, rx_mbps)(integer, tx_mbps)) \
    M(sim_crash, CALL, nil, ) \
    M(sim_nic_remove, CALL, nil, (string, net_device)) \
    M(check_for_updates, LONG, dict, (list, repositories)) \
    M(update_server, LONG, dict, (list, repositories)(opt_boolean, restart)) \
    M(create_pool_filesystem, CALL, nil, (string, fs_type)(string, fs_target)(string, cluster_name)(string, fs_uuid) \
      (string, nfsbase_uuid)(string, manager_uuid)(string, pool_uuid)) \
    M(destroy_pool_filesystem, CALL, nil, (string, fs_type)(string, fs_target)(string, fs_uuid)(string, nfsbase_uuid)) \
    M(discover_pool_filesystem, CALL, xml, ) \
    M(create_cluster, CALL, nil, (string, poolfs_uuid)) \
    M(destroy_cluster, CALL, nil, (string, poolfs_uuid)) \
    M(configure_server_for_cluster, CALL, nil, (dict, o2cb_conf)(any_string, cluster_conf)(string, poolfs_type) \
      (string, poolfs_target)(string, poolfs_uuid)(string, poolfs_nfsbase_uuid)) \
    M(deconfigure_server_for_cluster, CALL, nil, (string, poolfs_uuid)) \
    M(join_cluster, CALL, nil, (string, poolfs_uuid)) \
    M(leave_cluster, CALL, nil, (string, poolfs_uuid)) \
    M(update_clusterConfiguration, CALL, nil, (any, cluster_conf)) \
    M(discover_cluster, CALL, xml, ) \
    M(is_cluster_online, CALL, boolean, )

/* create_server_pool and join_server_pool take the same arguments. */
#define AGENT_POOL_ARGS \
    (string, pool_alias)(string, pool_uuid)(any_string, pool_virtual_ip)(integer, node_number) \
    (string, server_hostname)(string, server_ip)(string, roles)

/* ---- the list as a table (lib/agent_methods.c) ---- */

enum agent_method_id {
#define AGENT__ID(name, wait, result, args) AM_##name,
    AGENT_METHODS(AGENT__ID)
#undef AGENT__ID
    AM_COUNT
};

/* What the agent accepts for an argument (the words are those of its
 * TypeError faults). */
typedef enum { AT_STRING, AT_INTEGER, AT_BOOLEAN, AT_DICT, AT_LIST, AT_ANY } agent_type;
typedef enum { AR_NIL, AR_STRING, AR_XML, AR_DICT, AR_DICT_OR_NIL, AR_LIST, AR_BOOLEAN, AR_ANY } agent_result;
enum agent_wait { AGENT_WAIT_CALL, AGENT_WAIT_LONG };

typedef struct agent_arg {
    const char *name;
    agent_type type;
    int optional;
    int owned;          /* the engine's typed call makes this value (and frees it) */
} agent_arg;

typedef struct agent_method {
    const char *name;
    enum agent_wait wait;
    agent_result result;
    const agent_arg *args;
    size_t nargs;       /* at most */
    size_t required;    /* at least */
} agent_method;

extern const agent_method agent_methods[AM_COUNT];
/* The method called name, or NULL. */
const agent_method *agent_method_find(const char *name);
/* "string", "integer", "boolean", "dict", "list", "object". */
const char *agent_type_word(agent_type t);
/* 1 if v (an XR_* type, see lib/xmlrpc.h) is what result r allows. */
int agent_result_ok(agent_result r, int xr_type);

/* ---- per-type properties, pasted from the type words above ---- */
#define AGENT_AT_string AT_STRING
#define AGENT_AT_integer AT_INTEGER
#define AGENT_AT_boolean AT_BOOLEAN
#define AGENT_AT_dict AT_DICT
#define AGENT_AT_list AT_LIST
#define AGENT_AT_any AT_ANY
#define AGENT_AT_any_string AT_ANY
#define AGENT_AT_opt_string AT_STRING
#define AGENT_AT_opt_boolean AT_BOOLEAN
#define AGENT_OPT_string 0
#define AGENT_OPT_integer 0
#define AGENT_OPT_boolean 0
#define AGENT_OPT_dict 0
#define AGENT_OPT_list 0
#define AGENT_OPT_any 0
#define AGENT_OPT_any_string 0
#define AGENT_OPT_opt_string 1
#define AGENT_OPT_opt_boolean 1
/* Values the engine's typed call makes from C scalars and frees again;
 * dict, list and any values are the caller's and are sent as they are. */
#define AGENT_OWNED_string 1
#define AGENT_OWNED_integer 1
#define AGENT_OWNED_boolean 1
#define AGENT_OWNED_dict 0
#define AGENT_OWNED_list 0
#define AGENT_OWNED_any 0
#define AGENT_OWNED_any_string 1
#define AGENT_OWNED_opt_string 1
#define AGENT_OWNED_opt_boolean 1
#define AGENT_AR_nil AR_NIL
#define AGENT_AR_string AR_STRING
#define AGENT_AR_xml AR_XML
#define AGENT_AR_dict AR_DICT
#define AGENT_AR_dict_or_nil AR_DICT_OR_NIL
#define AGENT_AR_list AR_LIST
#define AGENT_AR_boolean AR_BOOLEAN
#define AGENT_AR_any AR_ANY

/* Walks an argument sequence "(t, n)(t, n)..." applying a pair of macros
 * in turn (each one names the other as its last token, so the next "(t, n)"
 * invokes it); the last name left is pasted with _END, which is empty. The
 * paste takes a variadic argument because the walk's output has commas. */
#define AGENT__EACH(pair, args) AGENT__END(pair##_A args)
#define AGENT__END(...) AGENT__END_(__VA_ARGS__)
#define AGENT__END_(...) __VA_ARGS__##_END

/* Table entries: {"name", type, optional, owned}, */
#define AGENT__DESC_A(t, n) {#n, AGENT_AT_##t, AGENT_OPT_##t, AGENT_OWNED_##t}, AGENT__DESC_B
#define AGENT__DESC_B(t, n) {#n, AGENT_AT_##t, AGENT_OPT_##t, AGENT_OWNED_##t}, AGENT__DESC_A
#define AGENT__DESC_A_END
#define AGENT__DESC_B_END
/* Counts: +1 per argument, or per required one. */
#define AGENT__COUNT_A(t, n) + 1 AGENT__COUNT_B
#define AGENT__COUNT_B(t, n) + 1 AGENT__COUNT_A
#define AGENT__COUNT_A_END
#define AGENT__COUNT_B_END
#define AGENT__REQ_A(t, n) + !AGENT_OPT_##t AGENT__REQ_B
#define AGENT__REQ_B(t, n) + !AGENT_OPT_##t AGENT__REQ_A
#define AGENT__REQ_A_END
#define AGENT__REQ_B_END
#endif
