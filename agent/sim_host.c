/* Host-level methods of the sim: versions, discovery of server, hardware and
 * network, time, NTP, statistics, password, bridges and simulated crashes. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agent/sim.h"
#include "agent/sim_driver.h"
#include "lib/util.h"

#define OVM_VERSION "3.4.6-2105"

SIM_HANDLER(h_get_api_version)
{
    xr_value *a = xr_array();
    xr_array_add(a, xr_int(3));
    return a;
}

SIM_HANDLER(h_echo)
{
    return xr_copy(argv[0]);
}

SIM_HANDLER(h_sleep)
{
    int64_t secs;
    xr_get_int64(argv[0], &secs);
    if (secs < 0 || secs > 3600)
        return call_fault(c, "exceptions.ValueError:sleep length must be 0..3600");
    sim_sleep(c->sim, (double)secs);
    return xr_nil();
}

static const char *membership(struct sim *s)
{
    if (xr_struct_get(s->st, "pool"))
        return "Pooled";
    return *sim_str(s->st, "manager_uuid", "") ? "Owned" : "Unowned";
}

/* The address the agent reports; the wildcard is not useful to a Manager. */
static const char *registered_ip(struct sim *s)
{
    return strcmp(s->listen, "0.0.0.0") && strcmp(s->listen, "::") ? s->listen : "127.0.0.1";
}

static const char *timezone_name(void)
{
    const char *tz = getenv("TZ");
    return tz && *tz ? (*tz == ':' ? tz + 1 : tz) : "UTC";
}

static void add_capabilities(strbuf *sb)
{
    static const char *const yes[] = {"NFS", "HIGH_AVAILABILITY", "LOCAL_STORAGE_ELEMENT", "VM_SUSPEND",
                                      "VM_VNC_CONSOLE", "VM_SERIAL_CONSOLE", "MTU_CONFIGURATION",
                                      "BOND_MODE_ACTIVE_BACKUP", "BOND_MODE_LINK_AGGREGATION",
                                      "BOND_MODE_ADAPTIVE_LOAD_BALANCING", "ALL_VM_CPU_OVERSUBSCRIBE",
                                      "PER_VM_CPU_OVERSUBSCRIBE", "CONCURRENT_MIGRATION", "MIGRATION_SETUP",
                                      "YUM_PACKAGE_MANAGEMENT"};
    static const char *const no[] = {"ISCSI", "FIBRE_CHANNEL", "CLUSTERS", "POWER_ON_WOL"};
    sb_adds(sb, "<Capabilities>");
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        sim_xml_el(sb, yes[i], "True");
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        sim_xml_el(sb, no[i], "False");
    sim_xml_el(sb, "HVM_MAX_VNICS", "8");
    sim_xml_el(sb, "MAX_CONCURRENT_MIGRATION_IN", "1");
    sim_xml_el(sb, "MAX_CONCURRENT_MIGRATION_OUT", "1");
    sim_xml_el(sb, "VM_MEMORY_ALIGNMENT", "1048576");
    sb_adds(sb, "</Capabilities>");
}

/* The VMM Version element of a "X.Y[extra]" version (checked by ovm-agentd's
 * option parser): Major X, Minor Y, Extra the rest with its leading dot. */
static void add_xen_version(strbuf *sb, const char *v)
{
    size_t maj = strspn(v, "0123456789");
    size_t min = v[maj] == '.' ? strspn(v + maj + 1, "0123456789") : 0;
    sb_addf(sb, "<VMM><Version><Major>%.*s</Major><Minor>%.*s</Minor>", (int)maj, v, (int)min, v + maj + 1);
    sim_xml_el(sb, "Extra", v + maj + 1 + min);
    sb_adds(sb, "</Version>");
}

static void add_versions(struct sim *s, strbuf *sb, const struct host_facts *f)
{
    sim_xml_el(sb, "Agent_Version", OVM_VERSION);
    sim_xml_el(sb, "RPM_Version", s->ovm_version);
    sim_xml_el(sb, "OVM_Version", s->ovm_version);
    sim_xml_el(sb, "CPU_Type", "x86_64");
    sim_xml_el(sb, "OS_Type", "Linux");
    sim_xml_el(sb, "OS_Name", "Oracle VM Server");
    sim_xml_el(sb, "OS_Major_Version", "6");
    sim_xml_el(sb, "OS_Minor_Version", "10");
    sim_xml_el(sb, "Hypervisor_Type", f->hypervisor_type);
    sim_xml_el(sb, "Hypervisor_Name", f->hypervisor_name);
    sim_xml_el(sb, "Host_Kernel_Release", f->kernel_release);
    sim_xml_el(sb, "Host_Kernel_Version", f->kernel_version);
    add_xen_version(sb, f->vmm_version);
    sim_xml_el(sb, "Compile_Information", f->vmm_compile);
    sim_xml_el(sb, "Capabilities", f->vmm_caps);
    sb_adds(sb, "</VMM>");
}

static void add_membership(struct sim *s, strbuf *sb)
{
    const xr_value *pool = xr_struct_get(s->st, "pool");
    const char *mgr = sim_str(s->st, "manager_uuid", "");
    sim_xml_el(sb, "Pool_Unique_Id", pool ? sim_str(pool, "uuid", "none") : "none");
    sim_xml_el(sb, "Manager_Unique_Id", *mgr ? mgr : "none");
    if (pool)
        sim_xml_elf(sb, "Node_Number", "%lld", (long long)sim_int(pool, "node_number", 0));
    else
        sb_adds(sb, "<Node_Number/>");
    sim_xml_el(sb, "Server_Roles", sim_str(s->st, "roles", ""));
    sim_xml_el(sb, "Is_Current_Master", "false");
    sim_xml_el(sb, "Master_Virtual_Ip", pool ? sim_str(pool, "virtual_ip", "") : "");
    sim_xml_el(sb, "Manager_Core_API_Version", "3.4.6.2105");
    sim_xml_el(sb, "Membership_State", membership(s));
    sim_xml_el(sb, "Cluster_State", "Offline");
}

SIM_HANDLER(h_discover_server)
{
    struct sim *s = c->sim;
    struct host_facts f = {0};
    s->drv->host_facts(s, &f);
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Discover_Server_Result><Server>");
    sim_xml_el(&sb, "Unique_Id", sim_str(s->st, "unique_id", ""));
    sim_xml_el(&sb, "Hostname", s->hostname);
    sim_xml_el(&sb, "Registered_IP", registered_ip(s));
    sim_xml_elf(&sb, "Boot_Time", "%lld", (long long)sim_int(s->st, "boot_time", 0));
    sb_adds(&sb, "<Date_Time>");
    sim_xml_el(&sb, "Time_Zone", timezone_name());
    sim_xml_el(&sb, "UTC", "True");
    sb_adds(&sb, "</Date_Time><NTP>");
    sim_xml_el(&sb, "Local_Time_Source", xr_struct_get(s->st, "ntp_servers")->n ? "False" : "True");
    sim_xml_el(&sb, "Is_NTP_Running", sim_int(s->st, "ntp_running", 0) ? "True" : "False");
    sb_adds(&sb, "</NTP>");
    add_versions(s, &sb, &f);
    add_membership(s, &sb);
    sb_adds(&sb, "<Statistic>");
    sim_xml_elf(&sb, "Interval", "%lld", (long long)sim_int(s->st, "stats_interval", 20));
    sb_adds(&sb, "</Statistic><Exports/>");
    add_capabilities(&sb);
    sb_adds(&sb, "</Server></Discover_Server_Result>\n");
    return sim_xml_result(&sb);
}

static void add_cpus(strbuf *sb, const struct host_facts *f)
{
    sb_adds(sb, "<CPUInfo><Proc_Info>");
    for (int i = 0; i < f->cpus; i++) {
        sb_addf(sb, "<CPU ID=\"%d\">", i);
        sim_xml_el(sb, "Vendor", f->cpu_vendor);
        sim_xml_elf(sb, "Family", "%d", f->cpu_family);
        sim_xml_elf(sb, "Model", "%d", f->cpu_model);
        sim_xml_el(sb, "Model_Name", f->cpu_model_name);
        sim_xml_el(sb, "Stepping", f->cpu_stepping);
        sim_xml_elf(sb, "Speed", "%lld", (long long)(f->cpu_khz / 1000));
        sb_adds(sb, "</CPU>");
    }
    sb_adds(sb, "</Proc_Info></CPUInfo>");
}

static void add_physical(strbuf *sb, const struct host_facts *f)
{
    sb_adds(sb, "<VMM><PhysicalInfo>");
    sim_xml_elf(sb, "ThreadsPerCore", "%d", f->threads_per_core);
    sim_xml_elf(sb, "CoresPerSocket", "%d", f->cores_per_socket);
    sim_xml_elf(sb, "SocketsPerNode", "%d", f->sockets);
    sim_xml_elf(sb, "Nodes", "%d", f->nodes);
    sim_xml_elf(sb, "CPUKHz", "%lld", (long long)f->cpu_khz);
    sim_xml_elf(sb, "TotalPages", "%lld", (long long)f->total_mb * 256);
    sim_xml_elf(sb, "FreePages", "%lld", (long long)f->free_mb * 256);
    sim_xml_el(sb, "HW_Caps", f->hw_caps);
    sb_adds(sb, "</PhysicalInfo></VMM>");
}

SIM_HANDLER(h_discover_hardware)
{
    struct sim *s = c->sim;
    struct host_facts f = {0};
    s->drv->host_facts(s, &f);
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Discover_Hardware_Result><NodeInformation>");
    add_physical(&sb, &f);
    add_cpus(&sb, &f);
    sb_adds(&sb, "<DMTF><System>");
    sim_xml_el(&sb, "Manufacturer", f.manufacturer);
    sim_xml_el(&sb, "Product_Name", f.product);
    sim_xml_el(&sb, "Serial_Number", f.serial);
    sim_xml_el(&sb, "BIOS_Vendor", f.bios_vendor);
    sim_xml_el(&sb, "BIOS_Version", f.bios_version);
    sim_xml_el(&sb, "BIOS_Release_Date", f.bios_date);
    sim_xml_el(&sb, "System_UUID", f.system_uuid);
    sb_adds(&sb, "</System></DMTF><IO><SCSI/></IO></NodeInformation></Discover_Hardware_Result>\n");
    return sim_xml_result(&sb);
}

/* A MAC built from the host's unique id, so it is stable and distinct per host. */
static void mac_for(struct sim *s, int port, char *buf, size_t len)
{
    const char *uid = sim_str(s->st, "unique_id", "00:00:00:00:00:00");
    snprintf(buf, len, "00:21:f6:%.2s:%.2s:%02x", uid + 3, uid + 6, port);
}

static void add_family(strbuf *sb, const char *ip)
{
    struct in_addr a;
    char bcast[INET_ADDRSTRLEN] = "";
    if (inet_pton(AF_INET, ip, &a) == 1) {
        struct in_addr b = {a.s_addr | htonl(0xff)};
        inet_ntop(AF_INET, &b, bcast, sizeof bcast);
    }
    sb_adds(sb, "<Family>");
    sim_xml_el(sb, "Address", ip);
    sim_xml_el(sb, "Netmask", "255.255.255.0");
    sim_xml_el(sb, "Broadcast", bcast);
    sb_adds(sb, "</Family>");
}

/* Management network id: the /24 subnet in hex (doc/agent-protocol.md §6). */
static void subnet_hex(const char *ip, char *buf, size_t len)
{
    struct in_addr a;
    if (inet_pton(AF_INET, ip, &a) != 1) {
        snprintf(buf, len, "00000000");
        return;
    }
    snprintf(buf, len, "%08x", ntohl(a.s_addr) & 0xffffff00u);
}

static void add_bridges(struct sim *s, strbuf *sb, const char *ip)
{
    char mgmt[16];
    subnet_hex(ip, mgmt, sizeof mgmt);
    sb_adds(sb, "<Bridges>");
    sb_addf(sb, "<Device Name=\"%s\">", mgmt);
    add_family(sb, ip);
    sb_adds(sb, "<Interfaces><PhyInterface>bond0</PhyInterface></Interfaces></Device>");
    const xr_value *br = xr_struct_get(s->st, "bridges");
    for (size_t i = 0; br && i < br->n; i++) {
        if (!strcmp(br->keys[i], mgmt))
            continue;
        sb_adds(sb, "<Device Name=\"");
        sb_add_xml(sb, br->keys[i]);
        sb_adds(sb, "\">");
        const char *port = xr_get_str(br->items[i]);
        if (port && *port) {
            sb_adds(sb, "<Interfaces>");
            sim_xml_el(sb, "PhyInterface", port);
            sb_adds(sb, "</Interfaces>");
        }
        sb_adds(sb, "</Device>");
    }
    sb_adds(sb, "</Bridges>");
}

SIM_HANDLER(h_discover_network)
{
    struct sim *s = c->sim;
    const char *ip = registered_ip(s);
    char mac0[32];
    mac_for(s, 0, mac0, sizeof mac0);
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Discover_Network_Result><Network><Active>");
    add_bridges(s, &sb, ip);
    sb_adds(&sb, "<Network><Device Name=\"eth0\">");
    sim_xml_el(&sb, "Basename", "eth0");
    sim_xml_el(&sb, "MAC", mac0);
    sb_adds(&sb, "<MTU>1500</MTU><Link_Status>UP</Link_Status><Speed>1000</Speed><Master>bond0</Master>");
    sb_adds(&sb, "</Device><Device Name=\"bond0\">");
    sim_xml_el(&sb, "Basename", "bond0");
    sim_xml_el(&sb, "MAC", mac0);
    sb_adds(&sb, "<MTU>1500</MTU><Link_Status>UP</Link_Status><Slaves>eth0</Slaves><Bonding_Mode>1</Bonding_Mode>");
    add_family(&sb, ip);
    sb_adds(&sb, "</Device>");
    sim_net_report(s, &sb, mac_for);
    sb_adds(&sb, "</Network></Active></Network></Discover_Network_Result>\n");
    return sim_xml_result(&sb);
}

SIM_HANDLER(h_get_last_boot_time)
{
    xr_value *r = xr_struct();
    xr_struct_set(r, "last_boot_time", xr_int(sim_int(c->sim->st, "boot_time", 0)));
    xr_struct_set(r, "local_time", xr_int((int64_t)time(NULL)));
    return r;
}

SIM_HANDLER(h_get_timezone)
{
    xr_value *a = xr_array();
    xr_array_add(a, xr_string(timezone_name()));
    xr_array_add(a, xr_bool(1));
    return a;
}

SIM_HANDLER(h_get_ntp)
{
    xr_value *a = xr_array();
    xr_array_add(a, xr_bool(0));
    xr_array_add(a, xr_bool((int)sim_int(c->sim->st, "ntp_running", 0)));
    xr_array_add(a, xr_copy(xr_struct_get(c->sim->st, "ntp_servers")));
    return a;
}

SIM_HANDLER(h_set_ntp)
{
    const xr_value *servers = argv[0];
    for (size_t i = 0; i < servers->n; i++)
        if (!xr_get_str(servers->items[i]))
            return call_fault(c, "exceptions.TypeError:NTP server names must be strings");
    int running = 1;
    if (argc > 1)
        xr_get_bool(argv[1], &running);
    xr_struct_set(c->sim->st, "ntp_servers", xr_copy(servers));
    xr_struct_set(c->sim->st, "ntp_running", xr_bool(running));
    return xr_nil();
}

SIM_HANDLER(h_enable_ntp)
{
    xr_struct_set(c->sim->st, "ntp_running", xr_bool(1));
    return xr_nil();
}

SIM_HANDLER(h_disable_ntp)
{
    xr_struct_set(c->sim->st, "ntp_running", xr_bool(0));
    return xr_nil();
}

SIM_HANDLER(h_set_statistics_interval)
{
    int64_t secs;
    xr_get_int64(argv[0], &secs);
    if (secs < 1 || secs > 86400)
        return call_fault(c, "exceptions.ValueError:invalid statistics interval: %lld", (long long)secs);
    xr_struct_set(c->sim->st, "stats_interval", xr_int(secs));
    return xr_nil();
}

SIM_HANDLER(h_update_agent_password)
{
    struct sim *s = c->sim;
    const char *user = xr_get_str(argv[0]), *pw = xr_get_str(argv[1]);
    if (strcmp(user, "oracle") != 0)
        return call_fault(c, "exceptions.ValueError:unknown user: %s", user);
    if (!*pw || strchr(pw, '\n'))
        return call_fault(c, "exceptions.ValueError:invalid password");
    if (argc > 2 && !sim_check_password(s, user, xr_get_str(argv[2])))
        return call_fault(c, "exceptions.ValueError:old password does not match");
    if (s->password_file && ovm_write_file_atomic(s->password_file, pw, strlen(pw), 0600) != 0)
        return call_fault(c, "exceptions.IOError:cannot write '%s'", s->password_file);
    pthread_mutex_lock(&s->pw_lock);
    memset(s->password, 0, strlen(s->password));
    free(s->password);
    s->password = xstrdup(pw);
    pthread_mutex_unlock(&s->pw_lock);
    return xr_nil();
}

SIM_HANDLER(h_ovs_br_config)
{
    const char *dev = argc > 2 ? xr_get_str(argv[2]) : "";
    if (!c->sim->drv->bridge)
        return driver_unsupported(c);
    return c->sim->drv->bridge(c, xr_get_str(argv[0]), xr_get_str(argv[1]), dev);
}

xr_value *simdrv_bridge(struct call_ctx *c, const char *action, const char *bridge, const char *dev)
{
    xr_value *br = sim_member(c->sim->st, "bridges", XR_STRUCT);
    if (!sim_valid_name(bridge))
        return call_fault(c, "exceptions.ValueError:invalid bridge name: '%s'", bridge);
    if (!strcmp(action, "start")) {
        xr_struct_set(br, bridge, xr_string(dev));
    } else if (!strcmp(action, "stop")) {
        if (!xr_struct_get(br, bridge))
            return call_fault(c, "exceptions.RuntimeError:bridge %s does not exist", bridge);
        sim_struct_del(br, bridge);
    } else {
        return call_fault(c, "exceptions.ValueError:unknown action: %s", action);
    }
    char *msg = xasprintf("%s bridge=%s netdev=%s", action, bridge, dev);
    xr_value *r = xr_string(msg);
    free(msg);
    return r;
}

SIM_HANDLER(h_sim_crash)
{
    return c->sim->drv->crash ? c->sim->drv->crash(c) : driver_unsupported(c);
}

xr_value *simdrv_crash(struct call_ctx *c)
{
    sim_domains_clear(c->sim);
    int64_t now = (int64_t)time(NULL), old = sim_int(c->sim->st, "boot_time", 0);
    xr_struct_set(c->sim->st, "boot_time", xr_int(now > old ? now : old + 1));
    return xr_nil();
}
