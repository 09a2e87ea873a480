/* Command forms and their attribute tables (cli-contract §4-§6, object-model
 * §2-§3). One attribute table per object area, shared by its create and edit
 * forms; the flags say which verb accepts which attribute. */
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

/* ---- enumerations ---- */
static const char *const e_domain[] = {"XEN_HVM", "XEN_HVM_PV_DRIVERS", "XEN_PVM", "LDOMS_PVM",
                                       "UNKNOWN", NULL};
static const char *const e_mouse[] = {"OS_DEFAULT", "PS2_MOUSE", "USB_MOUSE", "USB_TABLET", NULL};
static const char *const e_keymap[] = {"en-us", "ar", "da", "de", "de-ch", "en-gb", "es",
                                       "et", "fi", "fo", "fr", "fr-be", "fr-ca", "fr-ch",
                                       "hr", "hu", "is", "it", "ja", "lt", "lv", "mk", "nl",
                                       "nl-be", "no", "pl", "pt", "pt-br", "ru", "sl", "sv",
                                       "th", "tr", NULL};
static const char *const e_boot[] = {"PXE", "DISK", "CDROM", NULL};
static const char *const e_vm_start[] = {"BEST_SERVER", "BALANCE_SERVER", "CURRENT_SERVER",
                                         "USE_POOL_POLICY", NULL};
static const char *const e_pool_start[] = {"BEST_SERVER", "BALANCE_SERVER", "CURRENT_SERVER",
                                           NULL};
static const char *const e_policy[] = {"OFF", "DRS", "DPM", NULL};
static const char *const e_net_roles[] = {"MANAGEMENT", "CLUSTER_HEARTBEAT", "LIVE_MIGRATE",
                                          "STORAGE", "VIRTUAL_MACHINE", NULL};
static const char *const e_srv_roles[] = {"VM", "UTILITY", NULL};
static const char *const e_dest_type[] = {"Vm", "VmTemplate", NULL};
static const char *const e_clone_type[] = {"SPARSE_COPY", "NON_SPARSE_COPY", "THIN_CLONE", NULL};
static const char *const a_clone_type[] = {"Sparse", "SPARSE_COPY", "nonSparse", "NON_SPARSE_COPY",
                                           NULL};
static const char *const e_stat[] = {"CPU_UTILIZATION", "CPU_COUNT", "FREE_MEMORY",
                                     "MEMORY_UTILIZATION", "FILE_SYSTEM_SPACE_AVAILABLE",
                                     "FILE_SYSTEM_SPACE_UTILIZATION", "FILE_SYSTEM_SPACE_TOTAL",
                                     "FILE_SYSTEM_TOTAL_FILES_SIZE", NULL};
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

/* list filters (cli-contract §11.4) */
STR(at_fid, "id", 0, 0, 256, NULL, "id pattern, '*' matches any run of characters");
STR(at_fname, "name", 0, 0, 256, NULL, "name pattern, '*' matches any run of characters");
static const gr_attr *const list_attrs[] = {&at_fid, &at_fname, NULL};
static const gr_attr *const no_attrs[] = {NULL};
static const gr_attr *const name_desc_edit[] = {&at_ename, &at_edesc, NULL};
static const gr_attr *const name_desc[] = {&at_name, &at_desc, NULL};

/* ---- Vm (§5.1) ---- */
ENUM(at_vm_domain, "domainType", M | C | E, e_domain, NULL, "virtualization mode");
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
ENUM(at_vm_mouse, "mouseType", C | E, e_mouse, "OS_DEFAULT", "pointer device");
ENUMLIST(at_vm_boot, "bootOrder", C | E, e_boot, "DISK", "boot devices in order");
STR(at_vm_nip, "networkInstallPath", C | E, 0, 2000, NULL, "install URL for PVM guests");
REF(at_vm_server, "server", CO, "Server", "preferred server, must be in the pool");
ENUM(at_vm_start, "startPolicy", C | E, e_vm_start, "USE_POOL_POLICY", "server selection policy");
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
ENUM(at_sp_start, "startPolicy", C | E, e_pool_start, "BEST_SERVER", "server selection policy");
ENUM(at_sp_pmode, "policyMode", C | E, e_policy, "OFF", "DRS/DPM policy");
BOOL(at_sp_pcpu, "policyCpuEnable", C | E, "No", "enable the CPU policy");
INT(at_sp_pper, "policyPeriod", C | E, 2, 60, "2", "policy period in minutes");
INT(at_sp_pthr, "policyCpuThreshold", C | E, 0, 100, "100", "CPU threshold in percent");
SIMPLE(at_sp_vip, "virtualIP", VT_IPV4, C | E, "virtual IP (deprecated, stored only)");
static const gr_attr *const pool_attrs[] = {
    &at_name, &at_desc, &at_sp_cluster, &at_sp_ctmo, &at_sp_fs, &at_sp_pd, &at_keymap,
    &at_sp_ssl, &at_sp_start, &at_sp_pmode, &at_sp_pcpu, &at_sp_pper, &at_sp_pthr,
    &at_sp_vip, NULL};

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

/* ---- other types (§5.4) ---- */
static const gr_attr at_fsv_host = {.name = "accessHost", .vtype = VT_HOST, .flags = M | CO,
                                    .help = "NFS server address or host name"};
REFLIST(at_fsv_admin, "adminServers", C | E, "Server", "servers that discover and refresh");
static const gr_attr *const fileserver_attrs[] = {&at_name, &at_fsv_host, &at_fsv_admin,
                                                  &at_desc, NULL};
REF(at_repo_pool, "serverPool", CO, "ServerPool", "owning clustered pool (OCFS2)");
static const gr_attr *const repo_attrs[] = {&at_name, &at_desc, &at_repo_pool, NULL};
ENUMLIST(at_net_roles, "roles", C | E, e_net_roles, "VIRTUAL_MACHINE", "network channels");
REF(at_net_server, "server", CO, "Server", "makes a server-local network");
static const gr_attr *const net_attrs[] = {&at_name, &at_desc, &at_net_roles, &at_net_server,
                                           NULL};
BOOL(at_srv_maint, "maintenanceMode", E, "No", "maintenance mode");
BOOL(at_srv_inbound, "inboundMigrationLocked", E, "No", "refuse incoming migrations");
ENUMLIST(at_srv_roles, "roles", E, e_srv_roles, "VM,UTILITY", "server roles");
static const gr_attr at_srv_ntp = {.name = "ntpServers", .vtype = VT_STRLIST, .flags = E,
                                   .elem = VT_HOST, .max_items = 8, .deflt = "127.127.1.0",
                                   .help = "NTP servers; empty = local clock"};
static const gr_attr *const server_attrs[] = {&at_ename, &at_edesc, &at_srv_maint,
                                              &at_srv_inbound, &at_srv_roles, &at_srv_ntp,
                                              NULL};

/* clone customizers (recognised only; grammar used by backup scripts) */
static const gr_attr at_cs_type = {.name = "cloneType", .vtype = VT_ENUM, .flags = M | C | E,
                                   .enums = e_clone_type, .aliases = a_clone_type,
                                   .help = "how the disk is copied"};
REF(at_cs_map, "vmDiskMapping", M | CO, "VmDiskMapping", "disk mapping of the source VM");
REF(at_cs_repo, "repository", M | C | E, "Repository", "target repository");
STR(at_cm_name, "name", C | E, 1, 256, NULL, "name of the mapping");
static const gr_attr *const cstore_attrs[] = {&at_cs_type, &at_cs_map, &at_cs_repo,
                                              &at_cm_name, &at_desc, NULL};
REF(at_cn_vnic, "vnic", M | CO, "Vnic", "VNIC of the source VM");
REF(at_cn_net, "network", M | C | E, "Network", "target network");
static const gr_attr *const cnet_attrs[] = {&at_cn_vnic, &at_cn_net, &at_cm_name, &at_desc,
                                            NULL};

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
REF(at_pol_srv, "server", M, "Server", "server to add to the policy");
static const gr_attr *const polsrv_attrs[] = {&at_pol_srv, NULL};
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
static const gr_attr at_ah_host = {.name = "accessHost", .vtype = VT_HOST, .flags = M,
                                   .help = "storage access address"};
INT(at_ah_port, "accessPort", 0, 1, 65535, "3260", "storage access port");
STR(at_ah_user, "accessUsername", 0, 1, 256, NULL, "CHAP user name");
static const gr_attr at_ah_pw = {.name = "accessPassword", .vtype = VT_STR, .flags = GA_SECRET,
                                 .min = 1, .max_len = 256, .help = "CHAP password"};
static const gr_attr *const access_attrs[] = {&at_ah_host, &at_ah_port, &at_ah_user, &at_ah_pw,
                                              NULL};
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
STR(at_ev_oid, "objId", 0, 1, 256, NULL, "object id");
BOOL(at_ev_ack, "acknowledged", 0, NULL, "only (un)acknowledged events");
static const gr_attr *const events_attrs[] = {&at_ev_otype, &at_ev_oid, &at_ev_ack, NULL};
ENUM(at_st_otype, "objType", M, gr_type_names, NULL, "object type");
STR(at_st_oid, "objId", M, 1, 256, NULL, "object id");
ENUM(at_st_type, "statType", M, e_stat, NULL, "statistic");
STR(at_st_start, "startTime", M, 1, 64, NULL, "YYYY-MM-DD HH:MM:SS, Manager local time");
STR(at_st_end, "endTime", 0, 1, 64, "now", "YYYY-MM-DD HH:MM:SS, Manager local time");
static const gr_attr *const stat_attrs[] = {&at_st_otype, &at_st_oid, &at_st_type, &at_st_start,
                                            &at_st_end, NULL};
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
static const char *const p_repo_parent[] = {"FileSystem", "PhysicalDisk", NULL};
static const char *const p_cust[] = {"VmCloneCustomizer", NULL};
static const char *const p_server_to[] = {"ServerPool", "Repository", NULL};
static const char *const p_aag[] = {"AntiAffinityGroup", NULL};
static const char *const p_tag_to[] = {"Vm", "Server", "ServerPool", "Repository", "VirtualDisk",
                                       "Network", NULL};
static const char *const p_net[] = {"Network", NULL};

/* ---- cross-attribute rules ---- */
static int check_vm_message(const gr_command *c, char **err)
{
    /* MSG-2, MSG-3 (object-model §6.15): the limits and texts of the rules,
     * not the generic string-length text. */
    const char *key = gr_get(c, "key");
    const char *msg = gr_get(c, "message");
    const char *log = gr_get(c, "log");
    size_t limit = log && strcmp(log, "No") == 0 ? 8192 : 1024;
    if (key && !*key) {
        *err = xstrdup("Invalid value for key; expected a string of 1 to 256 bytes");
        return -1;
    }
    if (key && strlen(key) > 256) {
        *err = xasprintf("Key is %zu bytes; the limit is 256", strlen(key));
        return -1;
    }
    if (msg && strlen(msg) > limit) {
        *err = xasprintf("Message is %zu bytes; the limit is 1024 with log=Yes and 8192 with log=No", strlen(msg));
        return -1;
    }
    return 0;
}

static int check_events(const gr_command *c, char **err)
{
    int has_type = gr_get(c, "objType") != NULL, has_id = gr_get(c, "objId") != NULL;
    if (has_type == has_id)
        return 0;
    *err = xasprintf("Missing mandatory attribute: %s", has_type ? "objId" : "objType");
    return -1;
}

/* ---- the forms ---- */
#define LIST_SHOW(n, code, lvl, label) \
    static const gr_cmd c_list_##n = {.verb = "list", .type = #n, .attrs = list_attrs, \
                                      .syntax = "list " #n}; \
    static const gr_cmd c_show_##n = {.verb = "show", .type = #n, .attrs = no_attrs, \
                                      .takes_instance = 1, .syntax = "show " #n " <instance>"};
GR_TYPE_LIST(LIST_SHOW)
#undef LIST_SHOW

#define INST(vb, T, at, hp, syn) \
    .verb = vb, .type = T, .attrs = at, .takes_instance = 1, .helptext = hp, .syntax = syn
#define CREATE(T, at, par, req, syn) \
    .verb = "create", .type = T, .attrs = at, .parents = par, .parent_required = req, .syntax = syn
#define PAIR(vb, T, par, syn) \
    .verb = vb, .type = T, .attrs = no_attrs, .parents = par, .parent_required = 1, \
    .takes_instance = 1, .syntax = syn
#define MGR(vb, at, hp, syn) .verb = vb, .attrs = at, .helptext = hp, .syntax = syn

#define FORMS(X) \
    X(create_AntiAffinityGroup, CREATE("AntiAffinityGroup", name_desc, p_pool, 1, \
        "create AntiAffinityGroup name=<name> [description=<text>] on ServerPool <instance>")) \
    X(create_FileServer, CREATE("FileServer", fileserver_attrs, NULL, 0, \
        "create FileServer name=<name> accessHost=<host> [adminServers=<Server,...>] " \
        "[description=<text>]")) \
    X(create_Network, CREATE("Network", net_attrs, NULL, 0, \
        "create Network name=<name> [roles=<role,...>] [server=<Server>] [description=<text>]")) \
    X(create_Repository, CREATE("Repository", repo_attrs, p_repo_parent, 1, \
        "create Repository name=<name> [description=<text>] on FileSystem <instance>")) \
    X(create_ServerPool, CREATE("ServerPool", pool_attrs, NULL, 0, \
        "create ServerPool name=<name> clusterEnable=No")) \
    X(create_Tag, CREATE("Tag", name_desc, NULL, 0, "create Tag name=<name> [description=<text>]")) \
    X(create_VirtualDisk, CREATE("VirtualDisk", vdisk_attrs, p_repo, 1, \
        "create VirtualDisk name=<name> size=<GiB> sparse=<Yes|No> shareable=<Yes|No> " \
        "on Repository <instance>")) \
    X(create_Vm, CREATE("Vm", vm_attrs, p_pool, 0, \
        "create Vm name=<name> repository=<Repository> domainType=<type> [on ServerPool <instance>]")) \
    X(create_VmDiskMapping, CREATE("VmDiskMapping", dmap_attrs, p_vm, 1, \
        "create VmDiskMapping slot=<slot> virtualDisk|physicalDisk|virtualCdrom=<disk> " \
        "on Vm <instance>"), .one_of = dmap_one_of) \
    X(create_Vnic, CREATE("Vnic", vnic_attrs, p_vm, 1, \
        "create Vnic name=<name> network=<Network> [macAddress=<mac>] on Vm <instance>")) \
    X(create_VmCloneCustomizer, CREATE("VmCloneCustomizer", name_desc, p_vm, 1, \
        "create VmCloneCustomizer name=<name> on Vm <instance>")) \
    X(create_VmCloneStorageMapping, CREATE("VmCloneStorageMapping", cstore_attrs, p_cust, 1, \
        "create VmCloneStorageMapping cloneType=<type> vmDiskMapping=<VmDiskMapping> " \
        "repository=<Repository> on VmCloneCustomizer <instance>")) \
    X(create_VmCloneNetworkMapping, CREATE("VmCloneNetworkMapping", cnet_attrs, p_cust, 1, \
        "create VmCloneNetworkMapping vnic=<Vnic> network=<Network> on VmCloneCustomizer <instance>")) \
    X(edit_AntiAffinityGroup, INST("edit", "AntiAffinityGroup", name_desc, NULL, NULL)) \
    X(edit_FileServer, INST("edit", "FileServer", fileserver_attrs, NULL, NULL)) \
    X(edit_Network, INST("edit", "Network", net_attrs, NULL, NULL)) \
    X(edit_Repository, INST("edit", "Repository", repo_attrs, NULL, NULL)) \
    X(edit_ServerPool, INST("edit", "ServerPool", pool_attrs, NULL, NULL)) \
    X(edit_Tag, INST("edit", "Tag", name_desc, NULL, NULL)) \
    X(edit_VirtualDisk, INST("edit", "VirtualDisk", vdisk_attrs, NULL, NULL)) \
    X(edit_Vm, INST("edit", "Vm", vm_attrs, NULL, NULL)) \
    X(edit_VmDiskMapping, INST("edit", "VmDiskMapping", dmap_attrs, NULL, NULL), \
        .one_of = dmap_one_of) \
    X(edit_Vnic, INST("edit", "Vnic", vnic_attrs, NULL, NULL)) \
    X(edit_Server, INST("edit", "Server", server_attrs, NULL, NULL)) \
    X(edit_FileSystem, INST("edit", "FileSystem", name_desc_edit, NULL, NULL)) \
    X(edit_PhysicalDisk, INST("edit", "PhysicalDisk", name_desc_edit, NULL, NULL)) \
    X(edit_VirtualCdrom, INST("edit", "VirtualCdrom", name_desc_edit, NULL, NULL)) \
    X(edit_Manager, INST("edit", "Manager", name_desc_edit, NULL, NULL)) \
    X(edit_VmCloneCustomizer, INST("edit", "VmCloneCustomizer", name_desc, NULL, NULL)) \
    X(edit_VmCloneStorageMapping, INST("edit", "VmCloneStorageMapping", cstore_attrs, NULL, NULL)) \
    X(edit_VmCloneNetworkMapping, INST("edit", "VmCloneNetworkMapping", cnet_attrs, NULL, NULL)) \
    X(delete_AntiAffinityGroup, INST("delete", "AntiAffinityGroup", no_attrs, NULL, NULL)) \
    X(delete_FileServer, INST("delete", "FileServer", no_attrs, NULL, NULL)) \
    X(delete_Network, INST("delete", "Network", no_attrs, NULL, NULL)) \
    X(delete_Repository, INST("delete", "Repository", no_attrs, NULL, NULL)) \
    X(delete_ServerPool, INST("delete", "ServerPool", no_attrs, NULL, NULL)) \
    X(delete_Tag, INST("delete", "Tag", no_attrs, NULL, NULL)) \
    X(delete_VirtualDisk, INST("delete", "VirtualDisk", no_attrs, NULL, NULL)) \
    X(delete_Vm, INST("delete", "Vm", no_attrs, NULL, NULL)) \
    X(delete_VmDiskMapping, INST("delete", "VmDiskMapping", no_attrs, NULL, NULL)) \
    X(delete_Vnic, INST("delete", "Vnic", no_attrs, NULL, NULL)) \
    X(delete_Server, INST("delete", "Server", no_attrs, NULL, NULL)) \
    X(delete_VirtualCdrom, INST("delete", "VirtualCdrom", no_attrs, NULL, NULL)) \
    X(delete_Job, INST("delete", "Job", no_attrs, NULL, NULL)) \
    X(delete_VmCloneCustomizer, INST("delete", "VmCloneCustomizer", no_attrs, NULL, NULL)) \
    X(delete_VmCloneStorageMapping, INST("delete", "VmCloneStorageMapping", no_attrs, NULL, NULL)) \
    X(delete_VmCloneNetworkMapping, INST("delete", "VmCloneNetworkMapping", no_attrs, NULL, NULL)) \
    X(refresh_FileServer, INST("refresh", "FileServer", no_attrs, NULL, NULL)) \
    X(refresh_FileSystem, INST("refresh", "FileSystem", no_attrs, NULL, NULL)) \
    X(refresh_PhysicalDisk, INST("refresh", "PhysicalDisk", no_attrs, NULL, NULL)) \
    X(refresh_Repository, INST("refresh", "Repository", no_attrs, NULL, NULL)) \
    X(refresh_Server, INST("refresh", "Server", no_attrs, NULL, NULL)) \
    X(refresh_StorageArray, INST("refresh", "StorageArray", no_attrs, NULL, NULL)) \
    X(add_Server, PAIR("add", "Server", p_server_to, NULL)) \
    X(add_Vm, PAIR("add", "Vm", p_aag, NULL)) \
    X(add_Tag, PAIR("add", "Tag", p_tag_to, NULL)) \
    X(add_ServerPool, PAIR("add", "ServerPool", p_repo, NULL)) \
    X(add_Port, PAIR("add", "Port", p_net, NULL)) \
    X(add_Vnic, PAIR("add", "Vnic", p_net, NULL)) \
    X(remove_Server, PAIR("remove", "Server", p_server_to, NULL)) \
    X(remove_Vm, PAIR("remove", "Vm", p_aag, NULL)) \
    X(remove_Tag, PAIR("remove", "Tag", p_tag_to, NULL)) \
    X(remove_ServerPool, PAIR("remove", "ServerPool", p_repo, NULL)) \
    X(remove_Port, PAIR("remove", "Port", p_net, NULL)) \
    X(remove_Vnic, PAIR("remove", "Vnic", p_net, NULL)) \
    X(start_Vm, INST("start", "Vm", no_attrs, NULL, "start Vm <instance>")) \
    X(stop_Vm, INST("stop", "Vm", no_attrs, NULL, "stop Vm <instance>")) \
    X(kill_Vm, INST("kill", "Vm", no_attrs, NULL, "kill Vm <instance>")) \
    X(restart_Vm, INST("restart", "Vm", no_attrs, NULL, "restart Vm <instance>")) \
    X(suspend_Vm, INST("suspend", "Vm", no_attrs, NULL, "suspend Vm <instance>")) \
    X(resume_Vm, INST("resume", "Vm", no_attrs, NULL, "resume Vm <instance>")) \
    X(migrate_Vm, INST("migrate", "Vm", migrate_attrs, \
        "Without a destination a stopped VM becomes Unassigned", \
        "migrate Vm <instance> [destServer=<Server>] [destServerPool=<ServerPool>]")) \
    X(clone_Vm, INST("clone", "Vm", vmclone_attrs, NULL, \
        "clone Vm <instance> destType=<Vm|VmTemplate> destName=<name> [serverPool=<ServerPool>] " \
        "[cloneCustomizer=<VmCloneCustomizer>] [targetRepository=<Repository>]")) \
    X(moveVmToRepository_Vm, INST("moveVmToRepository", "Vm", move_attrs, NULL, \
        "moveVmToRepository Vm <instance> cloneCustomizer=<VmCloneCustomizer> " \
        "targetRepository=<Repository>")) \
    X(sendVmMessage_Vm, INST("sendVmMessage", "Vm", msg_attrs, \
        "message is at most 1024 bytes with log=Yes and 8192 bytes with log=No", \
        "sendVmMessage Vm <instance> key=<key> message=<text> [log=<Yes|No>]"), \
        .check = check_vm_message) \
    X(start_Server, INST("start", "Server", no_attrs, NULL, "start Server <instance>")) \
    X(stop_Server, INST("stop", "Server", no_attrs, NULL, "stop Server <instance>")) \
    X(kill_Server, INST("kill", "Server", no_attrs, NULL, "kill Server <instance>")) \
    X(restart_Server, INST("restart", "Server", no_attrs, NULL, "restart Server <instance>")) \
    X(takeOwnership_Server, INST("takeOwnership", "Server", pw_attrs, NULL, \
        "takeOwnership Server <instance> password=<password>")) \
    X(releaseOwnership_Server, INST("releaseOwnership", "Server", no_attrs, NULL, \
        "releaseOwnership Server <instance>")) \
    X(updateAgentPassword_Server, INST("updateAgentPassword", "Server", pw_attrs, NULL, \
        "updateAgentPassword Server <instance> password=<password>")) \
    X(addPolicyServer_ServerPool, INST("addPolicyServer", "ServerPool", polsrv_attrs, NULL, \
        "addPolicyServer ServerPool <instance> server=<Server>")) \
    X(takeOwnership_Repository, INST("takeOwnership", "Repository", repo_own_attrs, NULL, \
        "takeOwnership Repository <instance> [serverPool=<ServerPool>]")) \
    X(exportVirtualAppliance_Repository, INST("exportVirtualAppliance", "Repository", \
        export_attrs, NULL, "exportVirtualAppliance Repository <instance> name=<name> vms=<Vm,...>")) \
    X(clone_VirtualDisk, INST("clone", "VirtualDisk", vdclone_attrs, \
        "cloneType also accepts the 3.2 spellings Sparse and nonSparse", \
        "clone VirtualDisk <instance> target=<Repository> cloneType=<type> [name=<name>]")) \
    X(abort_Job, INST("abort", "Job", no_attrs, NULL, "abort Job <instance>")) \
    X(addAdminServer_FileServer, INST("addAdminServer", "FileServer", admin_attrs, NULL, \
        "addAdminServer FileServer <instance> server=<Server>")) \
    X(removeAdminServer_FileServer, INST("removeAdminServer", "FileServer", admin_attrs, NULL, \
        "removeAdminServer FileServer <instance> server=<Server>")) \
    X(addAccessHost_StorageArray, INST("addAccessHost", "StorageArray", access_attrs, NULL, \
        "addAccessHost StorageArray <instance> accessHost=<host> [accessPort=<port>] " \
        "[accessUsername=<user>] [accessPassword=<password>]")) \
    X(discoverServer, MGR("discoverServer", discover_attrs, NULL, \
        "discoverServer ipAddress=<host> password=<password> [takeOwnership=<Yes|No>]")) \
    X(ackEvent, MGR("ackEvent", ack_attrs, NULL, "ackEvent eventId=<id>")) \
    X(getEvents, MGR("getEvents", events_attrs, NULL, \
        "getEvents [objType=<Type> objId=<id>] [acknowledged=<Yes|No>]"), .check = check_events) \
    X(getManagerTime, MGR("getManagerTime", no_attrs, NULL, "getManagerTime")) \
    X(getStatList, MGR("getStatList", stat_attrs, \
        "Times are YYYY-MM-DD HH:MM:SS in Manager local time", \
        "getStatList objType=<Type> objId=<id> statType=<type> startTime=<time> [endTime=<time>]")) \
    X(getVnicMacAddrRange, MGR("getVnicMacAddrRange", no_attrs, NULL, "getVnicMacAddrRange")) \
    X(setVnicMacAddrRange, MGR("setVnicMacAddrRange", macrange_attrs, NULL, \
        "setVnicMacAddrRange start=<mac> end=<mac>")) \
    X(set, MGR("set", set_attrs, NULL, \
        "set OutputMode|EndLineChars|CommandMode|CommandTimeout|AlphabetizeAttributes=<value>"), \
        .one_of = set_one_of) \
    X(showclisession, MGR("showclisession", no_attrs, NULL, "showclisession")) \
    X(showversion, MGR("showversion", no_attrs, NULL, "showversion")) \
    X(showobjtypes, MGR("showobjtypes", no_attrs, NULL, "showobjtypes")) \
    X(showcustomcmds, MGR("showcustomcmds", no_attrs, NULL, "showcustomcmds <objectType>"), \
        .type_arg = 1) \
    X(showallcustomcmds, MGR("showallcustomcmds", no_attrs, NULL, "showallcustomcmds")) \
    X(help, MGR("help", no_attrs, NULL, "help")) \
    X(exit, MGR("exit", no_attrs, NULL, "exit"))

#define FORM_DEF(id, ...) static const gr_cmd c_##id = {__VA_ARGS__};
FORMS(FORM_DEF)
#undef FORM_DEF

#define LS_PTR(n, code, lvl, label) &c_list_##n, &c_show_##n,
#define FORM_PTR(id, ...) &c_##id,
static const gr_cmd *const all_cmds[] = {GR_TYPE_LIST(LS_PTR) FORMS(FORM_PTR)};

static const char *const generic_verbs[] = {"list", "show", "create", "edit", "delete",
                                            "refresh", "add", "remove", NULL};

const gr_cmd *const *gr_cmds(size_t *n)
{
    *n = sizeof all_cmds / sizeof all_cmds[0];
    return all_cmds;
}

const gr_cmd *gr_cmd_find(const char *verb, const char *type)
{
    for (size_t i = 0; i < sizeof all_cmds / sizeof all_cmds[0]; i++) {
        const gr_cmd *c = all_cmds[i];
        if (ovm_strcasecmp(c->verb, verb) != 0)
            continue;
        if (!type ? !c->type : (c->type && ovm_strcasecmp(c->type, type) == 0))
            return c;
    }
    return NULL;
}

const gr_attr *gr_cmd_attr(const gr_cmd *c, const char *name)
{
    for (const gr_attr *const *a = c->attrs; a && *a; a++)
        if (ovm_strcasecmp((*a)->name, name) == 0)
            return *a;
    return NULL;
}

const char *gr_verb_canonical(const char *word)
{
    for (size_t i = 0; word && i < sizeof all_cmds / sizeof all_cmds[0]; i++)
        if (ovm_strcasecmp(all_cmds[i]->verb, word) == 0)
            return all_cmds[i]->verb;
    return NULL;
}

int gr_is_verb(const char *word)
{
    return gr_verb_canonical(word) != NULL;
}

int gr_verb_is_typed(const char *verb)
{
    for (size_t i = 0; i < sizeof all_cmds / sizeof all_cmds[0]; i++)
        if (all_cmds[i]->type && ovm_strcasecmp(all_cmds[i]->verb, verb) == 0)
            return 1;
    return 0;
}

int gr_verb_is_generic(const char *verb)
{
    for (const char *const *g = generic_verbs; *g; g++)
        if (ovm_strcasecmp(*g, verb) == 0)
            return 1;
    return 0;
}

const char *gr_parent_keyword(const char *verb)
{
    if (ovm_strcasecmp(verb, "create") == 0)
        return "on";
    if (ovm_strcasecmp(verb, "add") == 0)
        return "to";
    if (ovm_strcasecmp(verb, "remove") == 0)
        return "from";
    return NULL;
}
