/* The `sim` driver: a simulated Xen host whose state persists in the state
 * directory, whose repositories are real directories under <state>/OVS and
 * whose NFS exports are directories under a root that several agents may share. */
#ifndef OVM_AGENT_SIM_H
#define OVM_AGENT_SIM_H
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include "agent/agent.h"
#include "agent/dispatch.h"
#include "agent/driver.h"
#include "lib/strbuf.h"
#include "lib/xmlrpc.h"

/* Memory the simulated dom0 keeps for itself. */
#define SIM_DOM0_MB 2048

struct sim {
    pthread_mutex_t lock;       /* serialises handlers and guards st */
    pthread_mutex_t pw_lock;    /* guards password, read by the HTTP threads */
    char *state_dir;
    char *nfs_root;
    char *lun_fs_root;          /* contents of OCFS2 file systems on LUNs, one directory per LUN */
    char *listen;
    char *hostname;
    char *password;
    char *password_file;        /* rewritten by update_agent_password; may be NULL */
    int port;
    int cpus;
    int64_t memory_mb;
    int64_t nfs_size_gb;
    int cpu_family;
    int cpu_model;
    char *ovm_version;
    char *xen_version;          /* "X.Y[extra]", checked by the option parser */
    volatile sig_atomic_t stopping;  /* set at shutdown: hanging calls give up */
    volatile sig_atomic_t tls_changed; /* ownership PEMs changed: the HTTPS service restarts */
    int64_t import_max_bytes;   /* imports: the largest file (import.c) */
    long import_connect_timeout, import_stall_timeout; /* imports: seconds */
    char *import_ca_file;       /* imports: CAINFO for https, NULL = the system store */
    const struct driver *drv;   /* what runs the guests (driver.h) */
    void *drv_priv;             /* the driver's own data, owned by drv */
    /* Persisted state, one XR_STRUCT (layout documented in sim_state.c,
     * files in sim_persist.c). */
    xr_value *st;
    xr_value *dirty;            /* {vm_id: true}: domains to write or remove at the next save */
    char *host_doc;             /* agent-state.xml as last written, to skip unchanged writes */
    size_t host_len;
    size_t saved_bytes;         /* bytes the last sim_save wrote (tests, -v log) */
};

/* Creates the sim from cfg, loading its state directory when present.
 * NULL on failure (logged). */
struct sim *sim_open(const struct agent_config *cfg, const char *password);
void sim_close(struct sim *s);
/* sim_persist.c: writes what changed in st since the last save (the dirty
 * domains, agent-state.xml if its bytes changed), each file atomically.
 * 0 or -1 (logged). Caller holds s->lock. */
int sim_save(struct sim *s);
/* sim_persist.c: fills s->st from the state directory (migrating the old
 * one-document layout). 0 or -1 (logged). */
int sim_load(struct sim *s);
/* sim_persist.c: the domains of st change only through these, or through
 * sim_domain() (which marks the domain it returns), so that a save writes
 * exactly the domains that changed. put takes dom. */
void sim_domain_dirty(struct sim *s, const char *vm_id);
void sim_domain_put(struct sim *s, const char *vm_id, xr_value *dom);
void sim_domain_del(struct sim *s, const char *vm_id);
void sim_domains_clear(struct sim *s);
/* 1 if user/password are the agent credentials. Thread-safe. */
int sim_check_password(struct sim *s, const char *user, const char *password);
/* Copy of the current password (heap). Thread-safe. */
char *sim_password(struct sim *s);
/* Sleeps up to secs, returning early (1) once the agent is stopping. */
int sim_sleep(struct sim *s, double secs);

/* --- state helpers (sim_state.c); caller holds s->lock --- */
/* Member key of st, created with type t when missing. */
xr_value *sim_member(xr_value *st, const char *key, xr_type t);
/* Removes key from a struct (no-op when absent). */
void sim_struct_del(xr_value *st, const char *key);
const char *sim_str(const xr_value *st, const char *key, const char *dflt);
int64_t sim_int(const xr_value *st, const char *key, int64_t dflt);
/* Maps an agent path (/OVS/...) to the host path; NULL if outside /OVS or with '..'. */
char *sim_host_path(struct sim *s, const char *agent_path);
/* 1 if id is usable as a single path component. */
int sim_valid_name(const char *id);
/* <state>/OVS/Repositories/<repo> and .../VirtualMachines/<vm> (heap). */
char *sim_repo_dir(struct sim *s, const char *repo_id);
char *sim_vm_dir(struct sim *s, const char *repo_id, const char *vm_id);
/* Memory (MB) not used by dom0 and running domains. */
int64_t sim_free_mb(struct sim *s);
/* Domain record of vm_id or NULL, to change: marks it dirty. */
xr_value *sim_domain(struct sim *s, const char *vm_id);
/* Domain record of vm_id or NULL, to read. */
const xr_value *sim_domain_find(const struct sim *s, const char *vm_id);
/* 1 if a running domain lives in the repository mounted at mount_point (agent path). */
int sim_mount_busy(struct sim *s, const char *mount_point);
/* Apparent bytes of the regular files below a host directory (sim_storage.c). */
int64_t sim_used_bytes(const char *dir);
/* Recursively removes a host path. 0 or -1. */
int sim_rm_rf(const char *path);

/* Discovery documents: appends <name>escaped value</name>. */
void sim_xml_el(strbuf *sb, const char *name, const char *value);
void sim_xml_elf(strbuf *sb, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Turns a finished document into an XR_STRING result; frees sb. */
xr_value *sim_xml_result(strbuf *sb);

/* --- handlers: (ctx, argv, argc) -> value, or NULL after call_fault --- */
#define SIM_HANDLER(n) xr_value *n(struct call_ctx *c, xr_value *const *argv, size_t argc)
/* sim_host.c */
SIM_HANDLER(h_get_api_version); SIM_HANDLER(h_echo); SIM_HANDLER(h_sleep);
SIM_HANDLER(h_discover_server); SIM_HANDLER(h_discover_hardware); SIM_HANDLER(h_discover_network);
SIM_HANDLER(h_get_last_boot_time); SIM_HANDLER(h_get_timezone); SIM_HANDLER(h_get_ntp);
SIM_HANDLER(h_set_ntp); SIM_HANDLER(h_enable_ntp); SIM_HANDLER(h_disable_ntp);
SIM_HANDLER(h_set_statistics_interval); SIM_HANDLER(h_update_agent_password);
SIM_HANDLER(h_ovs_br_config); SIM_HANDLER(h_sim_crash);
/* sim_net.c: bonds, VLAN interfaces, MTUs and addresses */
SIM_HANDLER(h_ovs_bond_create); SIM_HANDLER(h_ovs_bond_edit); SIM_HANDLER(h_ovs_bond_delete);
SIM_HANDLER(h_ovs_bond_slave); SIM_HANDLER(h_ovs_vlan_config); SIM_HANDLER(h_ovs_mtu_config);
SIM_HANDLER(h_ovs_ip_config); SIM_HANDLER(h_sim_nic_remove); SIM_HANDLER(h_sim_set_net_load);
/* sim_net.c: the ports eth1.., bonds and VLAN interfaces for discover_network */
void sim_net_report(struct sim *s, strbuf *sb, void (*mac)(struct sim *, int, char *, size_t));
#define SIM_NIC_MBPS 1000 /* link speed of every simulated NIC */
int64_t sim_net_speed(struct sim *s, const char *dev);
/* sim_netload.c: the traffic sim_set_net_load set, for the Domain-0 record */
xr_value *sim_net_rates(struct sim *s);
/* sim_update.c */
SIM_HANDLER(h_check_for_updates); SIM_HANDLER(h_update_server);
/* The installed packages of a new host; the OVM version of an upgraded one. Lock held. */
void sim_update_seed(struct sim *s);
/* sim_pool.c */
SIM_HANDLER(h_take_ownership); SIM_HANDLER(h_release_ownership);
SIM_HANDLER(h_create_server_pool); SIM_HANDLER(h_join_server_pool);
SIM_HANDLER(h_leave_server_pool); SIM_HANDLER(h_destroy_server_pool);
SIM_HANDLER(h_discover_server_pool); SIM_HANDLER(h_set_pool_member_ip_list);
SIM_HANDLER(h_update_server_roles);
/* sim_repo.c */
SIM_HANDLER(h_mount_repository_fs); SIM_HANDLER(h_unmount_repository_fs);
SIM_HANDLER(h_create_repository); SIM_HANDLER(h_add_repository); SIM_HANDLER(h_delete_repository);
SIM_HANDLER(h_discover_repositories); SIM_HANDLER(h_discover_repository_db);
SIM_HANDLER(h_discover_mounted_file_systems);
/* sim_storage.c */
SIM_HANDLER(h_discover_storage_plugins); SIM_HANDLER(h_storage_plugin_create);
SIM_HANDLER(h_storage_plugin_destroy); SIM_HANDLER(h_storage_plugin_resize); SIM_HANDLER(h_storage_plugin_getFileInfo);
SIM_HANDLER(h_storage_plugin_getFileSystemInfo); SIM_HANDLER(h_copy_file);
SIM_HANDLER(h_reflink_file); SIM_HANDLER(h_copy_blocks);
SIM_HANDLER(h_storage_plugin_listFileSystems);
/* import.c */
SIM_HANDLER(h_import_virtual_disk); SIM_HANDLER(h_import_virtual_cdrom);
/* san_methods.c */
SIM_HANDLER(h_discover_storage_initiators); SIM_HANDLER(h_storage_plugin_validate);
SIM_HANDLER(h_storage_plugin_listStorageElements); SIM_HANDLER(h_storage_plugin_readBlocks);
SIM_HANDLER(h_storage_plugin_writeBlocks);
/* san_tgt.c */
SIM_HANDLER(h_storage_plugin_createSE); SIM_HANDLER(h_storage_plugin_resizeSE);
SIM_HANDLER(h_storage_plugin_destroySE);
/* san_tgt_acl.c */
SIM_HANDLER(h_storage_plugin_addToAccessGroup); SIM_HANDLER(h_storage_plugin_removeFromAccessGroup);
/* import.c, for appliances too: bytes an import into repository dir may
 * take (-1: unknown repository); the download of url to <dir>/<id> through
 * a temporary file (NULL, or why, heap); 0 if url is http, https or ftp and
 * both ids are usable file names, else -1 after call_fault. */
int64_t sim_import_room(struct sim *s, const char *repo_uuid, const char *dir);
char *sim_import_to(struct sim *s, const char *url, const char *proxy, const char *dir, const char *id,
                    int64_t limit);
int sim_import_args_ok(struct call_ctx *c, const char *url, const char *id, const char *repo);
/* appliance.c */
SIM_HANDLER(h_import_virtual_appliance); SIM_HANDLER(h_delete_virtual_appliance);
SIM_HANDLER(h_export_virtual_appliance);
/* sim_vm.c */
SIM_HANDLER(h_create_vm); SIM_HANDLER(h_configure_vm); SIM_HANDLER(h_get_vm_config); SIM_HANDLER(h_get_vm_config_file);
SIM_HANDLER(h_delete_vm); SIM_HANDLER(h_configure_vm_ha); SIM_HANDLER(h_send_to_guest);
/* sim_domain.c */
SIM_HANDLER(h_start_vm); SIM_HANDLER(h_stop_vm); SIM_HANDLER(h_reboot_vm);
SIM_HANDLER(h_pause_vm); SIM_HANDLER(h_unpause_vm); SIM_HANDLER(h_save_vm);
SIM_HANDLER(h_restore_vm); SIM_HANDLER(h_list_vm); SIM_HANDLER(h_list_vms);
SIM_HANDLER(h_sim_guest_shutdown); SIM_HANDLER(h_sim_guest_message);
SIM_HANDLER(h_sim_set_cpu_load);
SIM_HANDLER(h_get_guest_messages); SIM_HANDLER(h_clear_guest_messages);
/* sim_export.c: NFS exports of OCFS2 repositories */
SIM_HANDLER(h_create_repository_export); SIM_HANDLER(h_delete_repository_export);
SIM_HANDLER(h_list_repository_exports);
/* sim_migrate.c */
SIM_HANDLER(h_migrate_vm); SIM_HANDLER(h_sim_receive_domain); SIM_HANDLER(h_migration_target);
/* sim_cluster.c */
SIM_HANDLER(h_create_pool_filesystem); SIM_HANDLER(h_destroy_pool_filesystem);
SIM_HANDLER(h_discover_pool_filesystem); SIM_HANDLER(h_create_cluster); SIM_HANDLER(h_destroy_cluster);
SIM_HANDLER(h_configure_server_for_cluster); SIM_HANDLER(h_deconfigure_server_for_cluster);
SIM_HANDLER(h_join_cluster); SIM_HANDLER(h_leave_cluster); SIM_HANDLER(h_update_clusterConfiguration);
SIM_HANDLER(h_discover_cluster); SIM_HANDLER(h_is_cluster_online);

/* sim_vm.c: reads <vm dir>/vm.cfg into a struct; NULL after call_fault. */
xr_value *sim_read_vmcfg(struct call_ctx *c, const char *repo_id, const char *vm_id);
/* sim_vm.c: writes cfg as <vm dir>/vm.cfg; 0, or -1 after call_fault. */
int sim_write_vmcfg(struct call_ctx *c, const char *repo_id, const char *vm_id, const xr_value *cfg);
/* sim_vm.c: 0 if both ids are usable as path components, else -1 after call_fault. */
int sim_check_ids(struct call_ctx *c, const char *repo_id, const char *vm_id);
/* sim_migrate.c: calls method(params) on the agent at dest ("ip[:port]"),
 * as the source of a migration. The result (heap) or NULL after a fault on c
 * whose text starts "migration of <vm> to <dest> failed: ". */
xr_value *sim_peer_call(struct call_ctx *c, const char *dest, const char *vm, const char *method,
                        xr_value **params, size_t n);
/* sim_domain.c: builds the domain record for a VM started from cfg. */
xr_value *sim_new_domain(struct sim *s, const char *repo_id, const char *vm_id, const xr_value *cfg);
/* sim_domain.c: the §7 record of a domain (new value). */
xr_value *sim_domain_record(struct sim *s, const char *vm_id, const xr_value *dom);
#endif
