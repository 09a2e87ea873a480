/* Command forms and their attribute tables (doc/command-language.md §4-§6, doc/object-model.md
 * §2-§3). One attribute table per object area, shared by its create and edit
 * forms; the flags say which verb accepts which attribute. */
#include <stdlib.h>
#include <string.h>
#include "grammar/internal.h"
#include "lib/util.h"

#define M GA_MANDATORY
#define C GA_CREATE
#define E GA_EDIT
#define CO (GA_CREATE | GA_CREATE_ONLY)

#define STR(var, nm, fl, lo, len, df, hp) \
    static const gr_attr var = {.name = nm, .vtype = VT_STR, .flags = fl, .min = lo, \
                                .max_len = len, .deflt = df, .help = hp}
#define INT(var, nm, fl, lo, hi, df, hp) \
    static const gr_attr var = {.name = nm, .vtype = VT_INT, .flags = fl, .min = lo, \
                                .max = hi, .deflt = df, .help = hp}
#define BOOL(var, nm, fl, df, hp) \
    static const gr_attr var = {.name = nm, .vtype = VT_BOOL, .flags = fl, .deflt = df, .help = hp}
#define ENUM(var, nm, fl, en, df, hp) \
    static const gr_attr var = {.name = nm, .vtype = VT_ENUM, .flags = fl, .enums = en, \
                                .deflt = df, .help = hp}
#define ENUML(var, nm, fl, en, lb, df, hp) \
    static const gr_attr var = {.name = nm, .vtype = VT_ENUM, .flags = fl, .enums = en, \
                                .labels = lb, .deflt = df, .help = hp}
#define ENUMLISTL(var, nm, fl, en, lb, df, hp) \
    static const gr_attr var = {.name = nm, .vtype = VT_ENUMLIST, .flags = fl, .enums = en, \
                                .labels = lb, .deflt = df, .help = hp}
#define ENUMLIST(var, nm, fl, en, df, hp) \
    static const gr_attr var = {.name = nm, .vtype = VT_ENUMLIST, .flags = fl, .enums = en, \
                                .deflt = df, .help = hp}
#define REF(var, nm, fl, rt, hp) \
    static const gr_attr var = {.name = nm, .vtype = VT_REF, .flags = fl, .ref_type = rt, .help = hp}
#define REFLIST(var, nm, fl, rt, hp) \
    static const gr_attr var = {.name = nm, .vtype = VT_REFLIST, .flags = fl, .ref_type = rt, \
                                .help = hp}
#define SIMPLE(var, nm, vt, fl, hp) \
    static const gr_attr var = {.name = nm, .vtype = vt, .flags = fl, .help = hp}

/* ---- enumerations (and the labels show prints for them, value by value) ---- */
static const char *const e_domain[] = {"XEN_HVM", "XEN_HVM_PV_DRIVERS", "XEN_PVM", "LDOMS_PVM",
                                       "UNKNOWN", NULL};
static const char *const l_domain[] = {"Xen HVM", "Xen HVM, PV Drivers", "Xen PVM", "Ldoms PVM",
                                       "Unknown", NULL};
static const char *const e_mouse[] = {"OS_DEFAULT", "PS2_MOUSE", "USB_MOUSE", "USB_TABLET", NULL};
static const char *const l_mouse[] = {"OS Default", "PS2 Mouse", "USB Mouse", "USB Tablet", NULL};
static const char *const e_keymap[] = {"en-us", "ar", "da", "de", "de-ch", "en-gb", "es",
                                       "et", "fi", "fo", "fr", "fr-be", "fr-ca", "fr-ch",
                                       "hr", "hu", "is", "it", "ja", "lt", "lv", "mk", "nl",
                                       "nl-be", "no", "pl", "pt", "pt-br", "ru", "sl", "sv",
                                       "th", "tr", NULL};
static const char *const e_boot[] = {"PXE", "DISK", "CDROM", NULL};
static const char *const l_boot[] = {"PXE", "Disk", "CDROM", NULL};
static const char *const e_vm_start[] = {"BEST_SERVER", "BALANCE_SERVER", "CURRENT_SERVER",
                                         "USE_POOL_POLICY", NULL};
static const char *const l_vm_start[] = {"Best Server", "Balance Server", "Current Server",
                                         "Use Pool Policy", NULL};
static const char *const e_pool_start[] = {"BEST_SERVER", "BALANCE_SERVER", "CURRENT_SERVER",
                                           NULL};
static const char *const l_pool_start[] = {"Best Server", "Balance Server", "Current Server", NULL};
static const char *const e_policy[] = {"OFF", "DRS", "DPM", NULL};
static const char *const e_net_roles[] = {"MANAGEMENT", "CLUSTER_HEARTBEAT", "LIVE_MIGRATE",
                                          "STORAGE", "VIRTUAL_MACHINE", NULL};
static const char *const e_srv_roles[] = {"VM", "UTILITY", NULL};
static const char *const l_srv_roles[] = {"VM Server", "Utility Server", NULL};
static const char *const e_dest_type[] = {"Vm", "VmTemplate", NULL};
static const char *const e_clone_type[] = {"SPARSE_COPY", "NON_SPARSE_COPY", "THIN_CLONE", NULL};
static const char *const a_clone_type[] = {"Sparse", "SPARSE_COPY", "nonSparse", "NON_SPARSE_COPY",
                                           NULL};
/* Oracle VM 3.4's statTypes; FILE_SYSTEM_SPACE_AVAILABLE (= FILE_SYSTEM_SPACE_FREE)
 * and FILE_SYSTEM_TOTAL_FILES_SIZE are this Manager's earlier names, kept. */
static const char *const e_stat[] = {"CPU_UTILIZATION", "CPU_COUNT", "MEMORY_USED", "FREE_MEMORY",
                                     "MEMORY_UTILIZATION", "FILE_SYSTEM_SPACE_FREE",
                                     "FILE_SYSTEM_SPACE_UTILIZATION", "FILE_SYSTEM_SPACE_TOTAL",
                                     "FILE_SYSTEM_SPACE_AVAILABLE", "FILE_SYSTEM_TOTAL_FILES_SIZE", NULL};
static const char *const e_stat_eq[] = {"LT", "LTE", "GT", "GTE", "EQ", "NE", NULL};
/* Oracle's four severities plus ERROR (doc/object-model.md D11), lowest first. */
static const char *const e_severity[] = {"UNKNOWN", "INFORMATIONAL", "WARNING", "ERROR", "CRITICAL", NULL};
static const char *const e_sev_eq[] = {"LT", "LTE", "GT", "GTE", "EQ", "NE", NULL};
static const char *const e_ev_eq[] = {"LIKE", "NOT_LIKE", NULL};
static const char *const e_output[] = {"Verbose", "Sparse", "Xml", "Json", NULL};
static const char *const e_eol[] = {"CRLF", "CR", "LF", NULL};
static const char *const e_cmdmode[] = {"Synchronous", "Asynchronous", NULL};
static const char *const e_oracle[] = {"oracle", NULL};

/* ---- shared attributes ---- */
STR(at_name, "name", M | C | E, 1, 256, NULL, "name of the object");
STR(at_ename, "name", E, 1, 256, NULL, "new name of the object");
STR(at_desc, "description", C | E, 0, 4000, NULL, "free text");
STR(at_edesc, "description", E, 0, 4000, NULL, "free text");
ENUM(at_keymap, "keymapName", C | E, e_keymap, "en-us", "keyboard layout");

/* list filters (doc/command-language.md §11.4) */
STR(at_fid, "id", 0, 0, 256, NULL, "id pattern, '*' matches any run of characters");
STR(at_fname, "name", 0, 0, 256, NULL, "name pattern, '*' matches any run of characters");
static const gr_attr *const list_attrs[] = {&at_fid, &at_fname, NULL};
static const gr_attr *const no_attrs[] = {NULL};
static const gr_attr *const name_desc_edit[] = {&at_ename, &at_edesc, NULL};
static const gr_attr *const name_desc[] = {&at_name, &at_desc, NULL};

/* ---- Vm (§5.1) ---- */
ENUML(at_vm_domain, "domainType", M | C | E, e_domain, l_domain, NULL, "virtualization mode");
REF(at_vm_repo, "repository", M | CO, "Repository", "repository holding vm.cfg");
INT(at_vm_mem, "memory", C | E, 32, 2000000, "512", "memory in MB, at most memoryLimit");
INT(at_vm_memlim, "memoryLimit", C | E, 32, 2000000, "= memory", "maximum memory in MB");
INT(at_vm_cpu, "cpuCount", C | E, 1, 128, "1", "virtual CPUs, at most cpuCountLimit");
INT(at_vm_cpulim, "cpuCountLimit", C | E, 1, 128, "= cpuCount", "maximum virtual CPUs");
INT(at_vm_prio, "cpuPriority", C | E, 1, 100, "50", "scheduler priority");
INT(at_vm_cap, "cpuUtilizationCap", C | E, 10, 100, "100", "processor cap in percent");
BOOL(at_vm_ha, "highAvailability", C | E, "No", "restart on failure (clustered pools)");
BOOL(at_vm_huge, "hugePagesEnabled", C | E, "No", "use huge pages (PVM guests)");
STR(at_vm_os, "osType", C | E, 0, 256, "None", "operating system, free text");
ENUML(at_vm_mouse, "mouseType", C | E, e_mouse, l_mouse, "OS_DEFAULT", "pointer device");
ENUMLISTL(at_vm_boot, "bootOrder", C | E, e_boot, l_boot, "DISK", "boot devices in order");
STR(at_vm_nip, "networkInstallPath", C | E, 0, 2000, NULL, "install URL for PVM guests");
REF(at_vm_server, "server", CO, "Server", "preferred server, must be in the pool");
ENUML(at_vm_start, "startPolicy", C | E, e_vm_start, l_vm_start, "USE_POOL_POLICY", "server selection policy");
static const gr_attr *const vm_attrs[] = {
    &at_name, &at_desc, &at_vm_domain, &at_vm_repo, &at_vm_mem, &at_vm_memlim,
    &at_vm_cpu, &at_vm_cpulim, &at_vm_prio, &at_vm_cap, &at_vm_ha, &at_vm_huge,
    &at_vm_os, &at_vm_mouse, &at_keymap, &at_vm_boot, &at_vm_nip, &at_vm_server,
    &at_vm_start, NULL};

/* ---- ServerPool (§5.3) ---- */
BOOL(at_sp_cluster, "clusterEnable", M | CO, NULL, "clustered pool (only No is supported)");
INT(at_sp_ctmo, "clusterTimeout", C | E, 30, 300, "120", "cluster timeout in seconds");
REF(at_sp_fs, "fileSystem", CO, "FileSystem", "pool file system (clustered pools)");
REF(at_sp_pd, "physicalDisk", CO, "PhysicalDisk", "pool file system disk (clustered pools)");
BOOL(at_sp_ssl, "migrateUsingSsl", C | E, "No", "encrypt live migration");
ENUML(at_sp_start, "startPolicy", C | E, e_pool_start, l_pool_start, "BEST_SERVER", "server selection policy");
ENUM(at_sp_pmode, "policyMode", C | E, e_policy, "OFF", "DRS/DPM policy (ovm-cli(7): DRS AND DPM POLICIES)");
BOOL(at_sp_pcpu, "policyCpuEnable", C | E, "No", "enable the CPU policy");
INT(at_sp_pper, "policyPeriod", C | E, 2, 60, "2", "policy period in minutes");
INT(at_sp_pthr, "policyCpuThreshold", C | E, 0, 100, "100", "CPU threshold in percent");
SIMPLE(at_sp_vip, "virtualIP", VT_IPV4, C | E, "virtual IP (deprecated, stored only)");
static const gr_attr *const pool_attrs[] = {
    &at_name, &at_desc, &at_sp_cluster, &at_sp_ctmo, &at_sp_fs, &at_sp_pd, &at_keymap,
    &at_sp_ssl, &at_sp_start, &at_sp_pmode, &at_sp_pcpu, &at_sp_pper, &at_sp_pthr,
    &at_sp_vip, NULL};

/* ServerPoolNetworkPolicy (Oracle VM 3.4: create|edit ServerPoolNetworkPolicy
 * [policyEnable] [policyThreshold] network name [description] on ServerPool);
 * direction is this Manager's, for the concepts guide's "received or
 * transmitted data"; a threshold of 0 would move VMs off any traffic, so 1..100. */
static const char *const e_net_dir[] = {"RECEIVE", "TRANSMIT", NULL};
static const char *const l_net_dir[] = {"Receive", "Transmit", NULL};
REF(at_np_net, "network", M | CO, "Network", "network whose usage the policy watches");
BOOL(at_np_enable, "policyEnable", C | E, "Yes", "whether the pool's policy acts on the network");
INT(at_np_thr, "policyThreshold", C | E, 1, 100, "100", "network usage threshold in percent of capacity");
ENUML(at_np_dir, "direction", C | E, e_net_dir, l_net_dir, "RECEIVE", "traffic the threshold applies to");
static const gr_attr *const netpol_attrs[] = {&at_name, &at_desc, &at_np_net, &at_np_enable, &at_np_thr,
                                              &at_np_dir, NULL};

/* PeriodicTask (Oracle VM 3.4: edit PeriodicTask [taskInterval] [enabled] [name]
 * [description]; no create or delete: the tasks are the Manager's own). */
INT(at_pt_interval, "taskInterval", E, 1, 999999999, NULL, "minutes between two runs");
BOOL(at_pt_enabled, "enabled", E, NULL, "whether the task runs");
static const gr_attr *const ptask_attrs[] = {&at_name, &at_desc, &at_pt_interval, &at_pt_enabled, NULL};

/* ---- VirtualDisk, VmDiskMapping, Vnic (§5.2) ---- */
static const gr_attr at_vd_size = {.name = "size", .vtype = VT_NUM, .flags = M | C | E | GA_NUM_GT0,
                                   .min = 0, .max = 1000000,
                                   .help = "size in GiB; edit may only grow it"};
BOOL(at_vd_sparse, "sparse", M | CO, NULL, "allocate on demand");
BOOL(at_vd_share, "shareable", M | C | E, NULL, "may be mapped by several VMs");
static const gr_attr *const vdisk_attrs[] = {&at_name, &at_desc, &at_vd_size, &at_vd_sparse,
                                             &at_vd_share, NULL};

INT(at_dm_slot, "slot", M | CO, 0, 103, NULL, "device slot, xvd + letter(slot)");
REF(at_dm_vd, "virtualDisk", C | E, "VirtualDisk", "virtual disk to map");
REF(at_dm_pd, "physicalDisk", C | E, "PhysicalDisk", "physical disk to map");
REF(at_dm_cd, "virtualCdrom", C | E, "VirtualCdrom", "ISO to map, EMPTY_CDROM for an empty drive");
STR(at_dm_name, "name", C | E, 1, 256, "mapping id", "name of the mapping");
BOOL(at_dm_emu, "emulatedBlockDevice", CO, "No", "emulated (not PV) block device");
static const gr_attr *const dmap_attrs[] = {&at_dm_slot, &at_dm_vd, &at_dm_pd, &at_dm_cd,
                                            &at_dm_name, &at_desc, &at_dm_emu, NULL};
static const char *const dmap_one_of[] = {"virtualDisk", "physicalDisk", "virtualCdrom", NULL};

REF(at_vn_net, "network", M | C | E, "Network", "network with the VIRTUAL_MACHINE role");
static const gr_attr at_vn_mac = {.name = "macAddress", .vtype = VT_MAC, .flags = CO,
                                  .deflt = "next free address", .help = "MAC address"};
static const gr_attr *const vnic_attrs[] = {&at_name, &at_vn_net, &at_vn_mac, &at_desc, NULL};

/* bonds, VLAN interfaces and port MTUs (doc/object-model.md §3): Oracle VM 3.4's
 * spellings; the host refuses an MTU its NICs cannot take (9000 on the sim) */
static const char *const e_bond_mode[] = {"ACTIVE_PASSIVE", "LINK_AGGREGATION", "LOAD_BALANCED", NULL};
static const char *const l_bond_mode[] = {"Active Passive", "Link Aggregation", "Load Balanced", NULL};
REFLIST(at_bp_ports, "ethernetPorts", M | CO, "Port", "ports of the server to bond, at least one");
/* Oracle VM 3.2's spellings and the Linux names of the three modes */
static const char *const a_bond_mode[] = {"activeBackup", "ACTIVE_PASSIVE", "active-backup", "ACTIVE_PASSIVE",
                                          "linkAggregation", "LINK_AGGREGATION", "802.3ad", "LINK_AGGREGATION",
                                          "LACP", "LINK_AGGREGATION", "adaptiveLoadBalancing", "LOAD_BALANCED",
                                          "balance-alb", "LOAD_BALANCED", "balance-slb", "LOAD_BALANCED",
                                          NULL};
static const gr_attr at_bp_mode = {.name = "mode", .vtype = VT_ENUM, .flags = M | C | E, .enums = e_bond_mode,
                                   .labels = l_bond_mode, .aliases = a_bond_mode,
                                   .help = "bonding mode (Linux modes 1, 4 and 6)"};
INT(at_mtu, "mtu", C | E, 1500, 64000, "1500", "MTU in bytes");
STR(at_bp_if, "interfaceName", CO, 5, 15, "next free bondN", "bond device, bondN");
static const gr_attr *const bond_attrs[] = {&at_name, &at_bp_ports, &at_bp_mode, &at_mtu, &at_bp_if,
                                            &at_desc, NULL};
INT(at_vl_id, "vlanId", M | CO, 1, 4094, NULL, "VLAN id");
static const gr_attr *const vlan_attrs[] = {&at_name, &at_vl_id, &at_mtu, &at_desc, NULL};
static const gr_attr *const port_attrs[] = {&at_mtu, NULL};
/* the embedded IP address configuration of a Port, BondPort or VlanInterface */
static const char *const e_ipc_type[] = {"STATIC", "DYNAMIC", NULL};
static const char *const l_ipc_type[] = {"Static", "Dynamic", NULL};
ENUML(at_ipc_type, "ipAddressConfigType", M, e_ipc_type, l_ipc_type, NULL, "STATIC address or DYNAMIC (DHCP)");
STR(at_ipc_ip, "ipAddress", 0, 7, 15, NULL, "IPv4 address (STATIC)");
STR(at_ipc_mask, "ipNetmask", 0, 7, 15, NULL, "IPv4 netmask (STATIC)");
INT(at_ipc_id, "id", M, 1, 1, NULL, "index of the configuration, 1");
static const gr_attr *const ipc_attrs[] = {&at_ipc_type, &at_ipc_ip, &at_ipc_mask, NULL};
static const gr_attr *const ipc_edit_attrs[] = {&at_ipc_id, &at_ipc_type, &at_ipc_ip, &at_ipc_mask, NULL};
static const gr_attr *const ipc_id_attrs[] = {&at_ipc_id, NULL};

/* ---- other types (§5.4) ---- */
static const gr_attr at_fsv_host = {.name = "accessHost", .vtype = VT_HOST, .flags = M | CO,
                                    .help = "NFS server address or host name"};
REFLIST(at_fsv_admin, "adminServers", C | E, "Server", "servers that discover and refresh");
static const gr_attr *const fileserver_attrs[] = {&at_name, &at_fsv_host, &at_fsv_admin,
                                                  &at_desc, NULL};
REF(at_fs_pd, "physicalDisk", M | CO, "PhysicalDisk", "LUN to format with an OCFS2 file system");
static const gr_attr *const fs_attrs[] = {&at_name, &at_fs_pd, &at_desc, NULL};
REF(at_rexp_repo, "repository", M | CO, "Repository", "OCFS2 repository presented to the server");
static const gr_attr at_rexp_client = {.name = "clientHostName", .vtype = VT_HOST, .flags = M | CO,
                                       .help = "host or address the export is granted to"};
STR(at_rexp_opts, "options", C | E, 0, 256, NULL, "NFS export options, e.g. rw,async,no_root_squash");
static const gr_attr *const rexp_attrs[] = {&at_name, &at_rexp_repo, &at_rexp_client, &at_rexp_opts,
                                            &at_desc, NULL};
static const gr_attr *const rexp_edit_attrs[] = {&at_ename, &at_edesc, &at_rexp_opts, NULL};
REF(at_repo_pool, "serverPool", CO, "ServerPool", "owning clustered pool (OCFS2)");
static const gr_attr *const repo_attrs[] = {&at_name, &at_desc, &at_repo_pool, NULL};
ENUMLIST(at_net_roles, "roles", C | E, e_net_roles, "VIRTUAL_MACHINE", "network channels");
REF(at_net_server, "server", CO, "Server", "makes a server-local network");
static const gr_attr *const net_attrs[] = {&at_name, &at_desc, &at_net_roles, &at_net_server,
                                           NULL};
BOOL(at_srv_maint, "maintenanceMode", E, "No", "maintenance mode");
BOOL(at_srv_inbound, "inboundMigrationLocked", E, "No", "refuse incoming migrations");
ENUMLISTL(at_srv_roles, "roles", E, e_srv_roles, l_srv_roles, "VM,UTILITY", "server roles");
static const gr_attr at_srv_ntp = {.name = "ntpServers", .vtype = VT_STRLIST, .flags = E,
                                   .elem = VT_HOST, .max_items = 8, .deflt = "127.127.1.0",
                                   .help = "NTP servers; empty = local clock"};
/* Oracle VM 3.2's spelling of takeOwnership/releaseOwnership Server. */
BOOL(at_srv_take, "takeOwnership", E, NULL, "Yes: take ownership with the discovery password; No: release it");
static const gr_attr *const server_attrs[] = {&at_ename, &at_edesc, &at_srv_maint,
                                              &at_srv_inbound, &at_srv_roles, &at_srv_ntp,
                                              &at_srv_take, NULL};
static const char *const e_onoff[] = {"on", "off", NULL};
ENUM(at_mm_mode, "mode", M, e_onoff, NULL, "on: into maintenance mode; off: out of it");
static const gr_attr *const maint_attrs[] = {&at_mm_mode, NULL};

/* clone customizers (doc/object-model.md §6.8): what an advanced clone or a move
 * does with each disk and VNIC of the customizer's Vm */
static const gr_attr at_cs_type = {.name = "cloneType", .vtype = VT_ENUM, .flags = M | C | E,
                                   .enums = e_clone_type, .aliases = a_clone_type,
                                   .help = "how the disk is copied"};
REF(at_cs_map, "vmDiskMapping", M | CO, "VmDiskMapping", "disk mapping of the source VM");
REF(at_cs_repo, "repository", M | C | E, "Repository", "target repository");
static const gr_attr *const cstore_attrs[] = {&at_cs_type, &at_name, &at_cs_map, &at_cs_repo,
                                              &at_desc, NULL};
REF(at_cn_vnic, "vnic", M | CO, "Vnic", "VNIC of the source VM");
REF(at_cn_net, "network", M | C | E, "Network", "target network");
static const gr_attr *const cnet_attrs[] = {&at_name, &at_cn_vnic, &at_cn_net, &at_desc, NULL};

/* ---- custom commands (§4.4) ---- */
REF(at_mig_srv, "destServer", 0, "Server", "destination server");
REF(at_mig_pool, "destServerPool", 0, "ServerPool", "destination server pool");
static const gr_attr *const migrate_attrs[] = {&at_mig_srv, &at_mig_pool, NULL};
ENUM(at_cl_dtype, "destType", M, e_dest_type, NULL, "clone to a VM or a template");
STR(at_cl_dname, "destName", M, 1, 256, NULL, "name of the clone");
REF(at_cl_pool, "serverPool", 0, "ServerPool", "pool of the clone");
REF(at_cl_cust, "cloneCustomizer", 0, "VmCloneCustomizer", "clone customizer");
REF(at_cl_trepo, "targetRepository", 0, "Repository", "repository of the clone");
static const gr_attr *const vmclone_attrs[] = {&at_cl_dtype, &at_cl_dname, &at_cl_pool,
                                               &at_cl_cust, &at_cl_trepo, NULL};
REF(at_mv_cust, "cloneCustomizer", M, "VmCloneCustomizer", "clone customizer");
REF(at_mv_trepo, "targetRepository", M, "Repository", "target repository");
static const gr_attr *const move_attrs[] = {&at_mv_cust, &at_mv_trepo, NULL};
STR(at_msg_key, "key", M, 0, 16384, NULL, "message key (at most 256 bytes, checked by MSG-2)");
STR(at_msg_msg, "message", M, 0, 16384, NULL, "message text (1024 bytes with log=Yes, 8192 with log=No; MSG-3)");
BOOL(at_msg_log, "log", 0, "Yes", "record the message in the VM's log");
static const gr_attr *const msg_attrs[] = {&at_msg_key, &at_msg_msg, &at_msg_log, NULL};
static const gr_attr at_pw = {.name = "password", .vtype = VT_STR, .flags = M | GA_SECRET,
                              .min = 1, .max_len = 256, .help = "Oracle VM Agent password"};
static const gr_attr *const pw_attrs[] = {&at_pw, NULL};
/* ServerController (Oracle VM 3.4: create|edit ServerController ipAddress userName password
 * name description); port is this Manager's addition, for BMCs off the standard port. */
static const gr_attr at_sc_ip = {.name = "ipAddress", .vtype = VT_HOST, .flags = M | C | E,
                                 .help = "IPMI (BMC) address of the server"};
STR(at_sc_user, "userName", M | C | E, 1, 16, NULL, "IPMI user name");
static const gr_attr at_sc_pw = {.name = "password", .vtype = VT_STR, .flags = C | E | GA_SECRET,
                                 .max_len = 20, .help = "IPMI password (IPMI 2.0: at most 20 bytes)"};
INT(at_sc_port, "port", C | E, 1, 65535, "623", "IPMI UDP port of the BMC");
static const gr_attr *const sctl_attrs[] = {&at_name, &at_desc, &at_sc_ip, &at_sc_user, &at_sc_pw, &at_sc_port,
                                            NULL};
/* ServerUpdateGroup and ServerUpdateRepository (Oracle VM 3.4: create|edit
 * ServerUpdateRepository repositoryName url enabled pkgSignatureType
 * pkgSignatureKey name description on ServerUpdateGroup). */
STR(at_sur_rname, "repositoryName", M | C | E, 1, 256, NULL, "repository name: letters, digits and underscores");
STR(at_sur_url, "url", M | C | E, 1, 2000, NULL, "URL of the YUM repository: http://, https:// or ftp://");
BOOL(at_sur_enabled, "enabled", M | C | E, NULL, "whether servers use the repository");
static const char *const e_sigtype[] = {"NONE", "GPG", "CA", NULL};
ENUM(at_sur_sigtype, "pkgSignatureType", M | C | E, e_sigtype, NULL, "how packages are signed: NONE, GPG or CA");
STR(at_sur_sigkey, "pkgSignatureKey", C | E, 0, 2000, NULL, "URL of the signing key (GPG)");
static const gr_attr *const sur_attrs[] = {&at_name,        &at_desc,         &at_sur_rname, &at_sur_url,
                                           &at_sur_enabled, &at_sur_sigtype, &at_sur_sigkey, NULL};
REF(at_pol_srv, "server", M, "Server", "server to add to the policy");
static const gr_attr *const polsrv_attrs[] = {&at_pol_srv, NULL};
REF(at_pol_srv_rm, "server", M, "Server", "server to remove from the policy");
static const gr_attr *const polsrv_rm_attrs[] = {&at_pol_srv_rm, NULL};
REF(at_own_pool, "serverPool", 0, "ServerPool", "pool to present the repository to");
static const gr_attr *const repo_own_attrs[] = {&at_own_pool, NULL};
STR(at_exp_name, "name", M, 1, 256, NULL, "name of the new virtual appliance");
REFLIST(at_exp_vms, "vms", M, "Vm", "VMs to export");
static const gr_attr *const export_attrs[] = {&at_exp_name, &at_exp_vms, NULL};
REF(at_vdc_target, "target", M, "Repository", "repository of the clone");
static const gr_attr at_vdc_type = {.name = "cloneType", .vtype = VT_ENUM, .flags = M,
                                    .enums = e_clone_type, .aliases = a_clone_type,
                                    .help = "how the disk is copied"};
STR(at_vdc_name, "name", 0, 1, 256, NULL, "name of the clone");
static const gr_attr *const vdclone_attrs[] = {&at_vdc_target, &at_vdc_type, &at_vdc_name,
                                               NULL};
/* cloneVdToRepo, cloneCdToRepo (Oracle VM 3.3+): no name, the copy is named after its source */
static const gr_attr *const vdcopy_attrs[] = {&at_vdc_target, &at_vdc_type, NULL};
REF(at_pdc_target, "target", M, "PhysicalDisk", "physical disk of the clone");
static const gr_attr *const pdcopy_attrs[] = {&at_pdc_target, &at_vdc_type, NULL};
static const gr_attr at_ah_host = {.name = "accessHost", .vtype = VT_HOST, .flags = M,
                                   .help = "storage access address"};
INT(at_ah_port, "accessPort", 0, 1, 65535, "3260", "storage access port");
STR(at_ah_user, "accessUsername", 0, 1, 256, NULL, "CHAP user name");
static const gr_attr at_ah_pw = {.name = "accessPassword", .vtype = VT_STR, .flags = GA_SECRET,
                                 .min = 1, .max_len = 256, .help = "CHAP password"};
static const gr_attr *const access_attrs[] = {&at_ah_host, &at_ah_port, &at_ah_user, &at_ah_pw,
                                              NULL};
/* SAN storage arrays (StorageArray, AccessGroup, PhysicalDisk on a VolumeGroup) */
static const char *const e_stype[] = {"ISCSI", "FIBRECHANNEL", "LOCAL", "UNKNOWN", NULL};
static const char *const l_stype[] = {"iSCSI", "Fibre Channel", "Local", "Unknown", NULL};
static const char *const a_stype[] = {"FIBRE_CHANNEL", "FIBRECHANNEL", "iSCSIStorageArray", "ISCSI",
                                      "FibreChannelStorageArray", "FIBRECHANNEL", NULL};
STR(at_sa_plugin, "plugin", M | C | E, 1, 256, NULL, "storage plug-in, name or id (list StorageArrayPlugin)");
static const gr_attr at_sa_type = {.name = "storageType", .vtype = VT_ENUM, .flags = M | CO,
                                   .enums = e_stype, .labels = l_stype, .aliases = a_stype,
                                   .help = "kind of array"};
STR(at_sa_sname, "storageName", C | E, 0, 256, NULL, "storage behind a concentrator");
static const gr_attr at_sa_host = {.name = "accessHost", .vtype = VT_HOST, .flags = CO,
                                   .help = "iSCSI portal address (not for Fibre Channel)"};
INT(at_sa_port, "accessPort", CO, 1, 65535, "3260", "iSCSI portal port");
STR(at_sa_user, "accessUsername", CO, 1, 256, NULL, "CHAP user name");
static const gr_attr at_sa_pw = {.name = "accessPassword", .vtype = VT_STR, .flags = CO | GA_SECRET,
                                 .min = 1, .max_len = 256, .help = "CHAP password"};
BOOL(at_sa_chap, "useChap", C | E, "No", "CHAP authentication at login");
STR(at_sa_ahost, "adminHost", C | E, 1, 256, NULL, "management address (vendor plug-ins)");
STR(at_sa_auser, "adminUserName", C | E, 1, 256, NULL, "management user (vendor plug-ins)");
static const gr_attr at_sa_apw = {.name = "adminPassword", .vtype = VT_STR, .flags = C | E | GA_SECRET,
                                  .min = 1, .max_len = 256, .help = "management password (vendor plug-ins)"};
STR(at_sa_priv, "pluginPrivateData", C | E, 0, 1024, NULL, "plug-in settings (ovmsh tgt Plugin: control=N;tid=T;dir=/path)");
static const gr_attr *const sarray_attrs[] = {&at_name, &at_desc, &at_sa_plugin, &at_sa_type, &at_sa_sname,
                                              &at_sa_host, &at_sa_port, &at_sa_user, &at_sa_pw, &at_sa_chap,
                                              &at_sa_ahost, &at_sa_auser, &at_sa_apw, &at_sa_priv, NULL};
static const gr_attr at_rah_host = {.name = "accessHost", .vtype = VT_HOST, .flags = M,
                                    .help = "access host to remove"};
static const gr_attr *const rmaccess_attrs[] = {&at_rah_host, NULL};
INT(at_pd_size, "size", M | C | E, 1, 2048, NULL, "size in GiB");
BOOL(at_pd_thin, "thinProvision", CO, "No", "thin provisioned LUN");
BOOL(at_pd_share, "shareable", C | E, "No", "may be mapped to several VMs");
STR(at_pd_ufn, "userFriendlyName", E, 1, 256, NULL, "name the servers use for the disk");
static const gr_attr *const pdisk_attrs[] = {&at_name, &at_desc, &at_pd_size, &at_pd_thin, &at_pd_share,
                                             &at_pd_ufn, NULL};
/* imports (importVirtualCdrom, importVirtualDisk): what the agent downloads */
static const gr_attr at_imp_url = {.name = "url", .vtype = VT_URL, .flags = M, .max_len = 2000,
                                   .help = "http, https or ftp URL of the file"};
STR(at_imp_proxy, "proxy", 0, 1, 256, NULL, "proxy for the download, host[:port]");
static const gr_attr *const import_attrs[] = {&at_imp_url, &at_imp_proxy, NULL};
REF(at_adm_srv, "server", M, "Server", "admin server");
static const gr_attr *const admin_attrs[] = {&at_adm_srv, NULL};

/* ---- manager and session commands (§4.5, §6) ---- */
static const gr_attr at_ds_ip = {.name = "ipAddress", .vtype = VT_HOST, .flags = M,
                                 .help = "agent address or host name"};
BOOL(at_ds_own, "takeOwnership", 0, "Yes", "take ownership after discovery");
INT(at_ds_port, "port", 0, 8899, 8899, "8899", "agent port (3.2 syntax)");
ENUM(at_ds_user, "username", 0, e_oracle, "oracle", "agent user (3.2 syntax)");
static const gr_attr *const discover_attrs[] = {&at_ds_ip, &at_pw, &at_ds_own, &at_ds_port,
                                                &at_ds_user, NULL};
SIMPLE(at_ev_id, "eventId", VT_EVENTID, M, "13-digit event id");
static const gr_attr *const ack_attrs[] = {&at_ev_id, NULL};
ENUM(at_ev_otype, "objType", 0, gr_type_names, NULL, "object type");
STR(at_ev_oid, "objId", 0, 1, 256, NULL, "name or id of the object");
ENUM(at_ev_otype_m, "objType", M, gr_type_names, NULL, "object type");
STR(at_ev_oid_m, "objId", M, 1, 256, NULL, "name or id of the object");
STR(at_ev_oids, "objIds", 0, 1, 65536, NULL, "comma-separated names or ids of objects of objType");
BOOL(at_ev_ack, "acknowledged", 0, "No", "Yes: acknowledged events too; No: only open ones");
ENUM(at_ev_sev, "severity", 0, e_severity, NULL, "event severity");
ENUM(at_ev_sev_eq, "severityEqualityType", 0, e_sev_eq, "EQ", "how severity compares");
STR(at_ev_types, "eventTypes", 0, 1, 4096, NULL, "comma-separated event types (e.g. SERVER_OFFLINE)");
ENUM(at_ev_type_eq, "eventEqualityType", 0, e_ev_eq, "LIKE", "LIKE: type contains one of them; NOT_LIKE: none");
BOOL(at_ev_userack, "userAckable", 0, NULL, "Yes: events a user acknowledges (WARNING and above)");
STR(at_ev_start, "startTime", 0, 1, 64, NULL, OVM_LOCAL_TIME_FORMS ", Manager local time");
STR(at_ev_end, "endTime", 0, 1, 64, NULL, OVM_LOCAL_TIME_FORMS ", Manager local time");
INT(at_ev_amount, "amount", 0, 1, 1000000, NULL, "list only the newest this many");
INT(at_ev_max, "maxResults", 0, 1, 1000000, NULL, "list only the newest this many");
static const gr_attr *const events_attrs[] = {&at_ev_otype, &at_ev_oid, &at_ev_sev, &at_ev_ack, &at_ev_start,
                                              &at_ev_end, &at_ev_amount, NULL};
static const gr_attr *const obj_events_attrs[] = {&at_ev_otype_m, &at_ev_oid_m, NULL};
static const gr_attr *const query_events_attrs[] = {&at_ev_otype, &at_ev_oids, &at_ev_sev, &at_ev_sev_eq,
                                                    &at_ev_types, &at_ev_type_eq, &at_ev_ack, &at_ev_userack,
                                                    &at_ev_start, &at_ev_end, &at_ev_max, NULL};
ENUM(at_st_otype, "objType", M, gr_type_names, NULL, "object type");
STR(at_st_oid, "objId", M, 1, 256, NULL, "object id");
ENUM(at_st_type, "statType", M, e_stat, NULL, "statistic");
STR(at_st_start, "startTime", M, 1, 64, NULL, OVM_LOCAL_TIME_FORMS ", Manager local time");
STR(at_st_end, "endTime", 0, 1, 64, "now", OVM_LOCAL_TIME_FORMS ", Manager local time");
static const gr_attr *const stat_attrs[] = {&at_st_otype, &at_st_oid, &at_st_type, &at_st_start,
                                            &at_st_end, NULL};
STR(at_st_ids, "ids", M, 1, 65536, NULL, "comma-separated ids or names of objects of objType");
static const gr_attr *const stat_latest_attrs[] = {&at_st_otype, &at_st_ids, &at_st_type, NULL};
STR(at_st_oids, "objIds", M, 1, 65536, NULL, "comma-separated ids or names of objects of objType");
ENUM(at_st_eq, "equalityType", M, e_stat_eq, NULL, "how a sample compares with statValue");
INT(at_st_value, "statValue", M, -1000000000, 1000000000, NULL, "the value samples are compared with (an integer)");
STR(at_st_qstart, "startTime", 0, 1, 64, NULL, OVM_LOCAL_TIME_FORMS ", Manager local time");
INT(at_st_max, "maxResults", 0, 1, 1000000, NULL, "list only the newest this many");
static const gr_attr *const stat_query_attrs[] = {&at_st_otype, &at_st_oids, &at_st_type, &at_st_eq, &at_st_value,
                                                  &at_st_qstart, &at_st_end, &at_st_max, NULL};
BOOL(at_sc_enabled, "statisticsEnabled", 0, NULL, "whether the Manager samples statistics");
INT(at_sc_interval, "samplingInterval", 0, 20, 31536000, NULL, "seconds between samples");
INT(at_sc_hold, "holdTime", 0, 15, 4320, NULL, "minutes samples are kept");
INT(at_sc_fs, "fsSamplingInterval", 0, 60, 31536000, NULL, "seconds between file system samples");
static const gr_attr *const stats_cfg_attrs[] = {&at_sc_enabled, &at_sc_interval, &at_sc_hold, &at_sc_fs, NULL};
INT(at_ac_interval, "interval", M, 30, 525600, NULL, "minutes between prunes of samples older than holdTime");
static const gr_attr *const archive_cfg_attrs[] = {&at_ac_interval, NULL};
SIMPLE(at_mac_start, "start", VT_MAC, M, "first MAC address of the range");
SIMPLE(at_mac_end, "end", VT_MAC, M, "last MAC address of the range");
static const gr_attr *const macrange_attrs[] = {&at_mac_start, &at_mac_end, NULL};
ENUM(at_set_out, "OutputMode", 0, e_output, "Verbose", "output mode");
ENUM(at_set_eol, "EndLineChars", 0, e_eol, "CRLF", "end-of-line sequence");
ENUM(at_set_mode, "CommandMode", 0, e_cmdmode, "Synchronous", "wait for jobs or not");
INT(at_set_tmo, "CommandTimeout", 0, 1, 43200, "3600", "synchronous wait in seconds");
BOOL(at_set_alpha, "AlphabetizeAttributes", 0, "No", "sort show labels");
static const gr_attr *const set_attrs[] = {&at_set_out, &at_set_eol, &at_set_mode, &at_set_tmo,
                                           &at_set_alpha, NULL};
static const char *const set_one_of[] = {"OutputMode", "EndLineChars", "CommandMode",
                                         "CommandTimeout", "AlphabetizeAttributes", NULL};

/* ---- parents ---- */
static const char *const p_pool[] = {"ServerPool", NULL};
static const char *const p_repo[] = {"Repository", NULL};
static const char *const p_vm[] = {"Vm", NULL};
static const char *const p_server[] = {"Server", NULL};
static const char *const p_sug[] = {"ServerUpdateGroup", NULL};
static const char *const p_repo_parent[] = {"FileSystem", "PhysicalDisk", NULL};
static const char *const p_fsrv[] = {"FileServer", NULL};
static const char *const p_cust[] = {"VmCloneCustomizer", NULL};
static const char *const p_server_to[] = {"ServerPool", "Repository", "CpuCompatibilityGroup", NULL};
static const char *const p_vnic_to[] = {"Network", "Vm", NULL};
static const char *const p_vm_to[] = {"AntiAffinityGroup", "Server", "ServerPool", NULL};
static const char *const p_tag_to[] = {"Vm", "Server", "ServerPool", "Repository", "VirtualDisk",
                                       "Network", NULL};
static const char *const p_net[] = {"Network", NULL};
static const char *const p_port_to[] = {"Network", "BondPort", NULL};
static const char *const p_vlan_on[] = {"Port", "BondPort", NULL};
static const char *const p_sarray[] = {"StorageArray", NULL};
static const char *const p_agroup[] = {"AccessGroup", NULL};
static const char *const p_vgroup[] = {"VolumeGroup", NULL};

/* ---- cross-attribute rules: grammar/checks.c ---- */

/* ---- the forms ---- */
#define LIST_SHOW(n, code, lvl, label) \
    static const gr_cmd c_list_##n = {.id = GR_F_list_##n, .verb = "list", .type = #n, \
                                      .attrs = list_attrs, .syntax = "list " #n}; \
    static const gr_cmd c_show_##n = {.id = GR_F_show_##n, .verb = "show", .type = #n, \
                                      .attrs = no_attrs, .takes_instance = 1, \
                                      .syntax = "show " #n " <instance>"};
GR_TYPE_LIST(LIST_SHOW)
#undef LIST_SHOW

#define INST(vb, T, at, hp, syn) \
    .verb = vb, .type = T, .attrs = at, .takes_instance = 1, .helptext = hp, .syntax = syn
#define CREATE(T, at, par, req, syn) \
    .verb = "create", .type = T, .attrs = at, .parents = par, .parent_required = req, .syntax = syn, \
    .creates = 1
#define PAIR(vb, T, par, syn) \
    .verb = vb, .type = T, .attrs = no_attrs, .parents = par, .parent_required = 1, \
    .takes_instance = 1, .syntax = syn
#define MGR(vb, at, hp, syn) .verb = vb, .attrs = at, .helptext = hp, .syntax = syn
#define IPC_HELP "STATIC needs ipAddress and ipNetmask; DYNAMIC (DHCP) ignores them"
#define EVENTS_HELP "Times are " OVM_LOCAL_TIME_FORMS ", in Manager local time"

#define FORM_DEF(fid, ...) static const gr_cmd c_##fid = {.id = GR_F_##fid, __VA_ARGS__};
GR_FORMS(FORM_DEF)
#undef FORM_DEF

#define LS_PTR(n, code, lvl, label) &c_list_##n, &c_show_##n,
#define FORM_PTR(id, ...) &c_##id,
/* In gr_form_id order, so that all_cmds[id] is the form with that id. */
static const gr_cmd *const all_cmds[] = {GR_TYPE_LIST(LS_PTR) GR_FORMS(FORM_PTR)};
_Static_assert(sizeof all_cmds / sizeof all_cmds[0] == GR_NFORMS, "one form per id");

const gr_cmd *const *gr_cmds(size_t *n)
{
    *n = sizeof all_cmds / sizeof all_cmds[0];
    return all_cmds;
}

const gr_cmd *gr_cmd_by_id(gr_form_id id)
{
    return (unsigned)id < GR_NFORMS ? all_cmds[id] : NULL;
}
