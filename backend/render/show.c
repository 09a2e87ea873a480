#include "backend/render/show.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/jobs/jobs.h"
#include "backend/flows/model.h"
#include "lib/util.h"

void fmt_gib(double v, char *buf, size_t len)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, len, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (strchr(buf, 'e')) {
        snprintf(buf, len, "%.1f", v);
        return;
    }
    if (!strchr(buf, '.'))
        strncat(buf, ".0", len - strlen(buf) - 1);
}

static const char *map(const char *v, const char *const *pairs)
{
    for (; pairs[0]; pairs += 2)
        if (v && !strcmp(v, pairs[0]))
            return pairs[1];
    return v ? v : "";
}

const char *domain_type_label(const char *v)
{
    static const char *const m[] = {"XEN_HVM", "Xen HVM", "XEN_HVM_PV_DRIVERS", "Xen HVM, PV Drivers", "XEN_PVM",
                                    "Xen PVM", "LDOMS_PVM", "Ldoms PVM", "UNKNOWN", "Unknown", NULL};
    return map(v, m);
}

static const char *mouse_label(const char *v)
{
    static const char *const m[] = {"OS_DEFAULT", "OS Default", "PS2_MOUSE", "PS2 Mouse", "USB_MOUSE", "USB Mouse",
                                    "USB_TABLET", "USB Tablet", NULL};
    return map(v, m);
}

static const char *policy_label(const char *v)
{
    static const char *const m[] = {"BEST_SERVER", "Best Server", "BALANCE_SERVER", "Balance Server",
                                    "CURRENT_SERVER", "Current Server", "USE_POOL_POLICY", "Use Pool Policy", NULL};
    return map(v, m);
}

static const char *boot_label(const char *v)
{
    static const char *const m[] = {"DISK", "Disk", "CDROM", "CDROM", "PXE", "PXE", NULL};
    return map(v, m);
}

static void add(result *r, const char *label, const char *value)
{
    result_show_add(r, label, value ? value : "");
}

static void addi(result *r, const char *label, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    add(r, label, buf);
}

static void addgib(result *r, const char *label, const char *v)
{
    char buf[64] = "";
    if (v && *v)
        fmt_gib(strtod(v, NULL), buf, sizeof buf);
    add(r, label, buf);
}

static void addref(engine *e, result *r, const char *label, const char *id)
{
    obj *o = id && *id ? store_get(e->st, id) : NULL;
    char *t = o ? ref_text(o) : xstrdup(id && *id ? id : "");
    add(r, label, t);
    free(t);
}

static void addlocked(result *r, const obj *o)
{
    add(r, "Locked", o->lock_job ? "true" : "false");
}

static void addidx(result *r, const char *base, size_t i, const char *value)
{
    char label[96];
    snprintf(label, sizeof label, "%s %zu", base, i + 1);
    add(r, label, value);
}

static void addrefs(engine *e, result *r, const char *base, obj **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *t = ref_text(v[i]);
        addidx(r, base, i, t);
        free(t);
    }
}

static int created_cmp(const void *a, const void *b)
{
    const obj *x = *(obj *const *)a, *y = *(obj *const *)b;
    long long cx = obj_get_int(x, "created", 0), cy = obj_get_int(y, "created", 0);
    if (cx != cy)
        return cx < cy ? -1 : 1;
    return strcmp(x->id, y->id);
}

size_t related(engine *e, const char *type, const char *key, const char *id, int is_list, obj ***out)
{
    size_t n;
    if (!is_list) {
        n = store_find_by(e->st, type, key, id, out);
    } else {
        obj **all;
        size_t na = store_list(e->st, type, &all);
        *out = xmalloc((na ? na : 1) * sizeof **out);
        n = 0;
        for (size_t i = 0; i < na; i++)
            if (obj_list_has(all[i], key, id))
                (*out)[n++] = all[i];
        free(all);
    }
    if (n > 1)
        qsort(*out, n, sizeof **out, created_cmp);
    return n;
}

/* Objects whose ids are listed in o's attribute key, in list order. */
static size_t listed(engine *e, const obj *o, const char *key, obj ***out)
{
    char **ids;
    size_t n = split_list(obj_get(o, key), &ids), k = 0;
    *out = xmalloc((n ? n : 1) * sizeof **out);
    for (size_t i = 0; i < n; i++) {
        obj *x = store_get(e->st, ids[i]);
        if (x)
            (*out)[k++] = x;
    }
    free_list(ids, n);
    return k;
}

static void add_related(engine *e, result *r, const char *label, const char *type, const char *key,
                        const char *id, int is_list)
{
    obj **v;
    size_t n = related(e, type, key, id, is_list, &v);
    addrefs(e, r, label, v, n);
    free(v);
}

static void add_listed(engine *e, result *r, const char *label, const obj *o, const char *key)
{
    obj **v;
    size_t n = listed(e, o, key, &v);
    addrefs(e, r, label, v, n);
    free(v);
}

static void add_strlist(result *r, const char *label, const char *value, const char *(*fmt)(const char *))
{
    char **items;
    size_t n = split_list(value, &items);
    for (size_t i = 0; i < n; i++)
        addidx(r, label, i, fmt ? fmt(items[i]) : items[i]);
    free_list(items, n);
}

static int slot_cmp(const void *a, const void *b)
{
    long long x = obj_get_int(*(obj *const *)a, "slot", 0), y = obj_get_int(*(obj *const *)b, "slot", 0);
    return x < y ? -1 : x > y;
}

static void show_vm(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    add(r, "Status", status_of(o));
    add(r, "Memory (MB)", obj_gets(o, "memory"));
    add(r, "Max. Memory (MB)", obj_gets(o, "memoryLimit"));
    add(r, "Processors", obj_gets(o, "cpuCount"));
    add(r, "Max. Processors", obj_gets(o, "cpuCountLimit"));
    add(r, "Priority", obj_gets(o, "cpuPriority"));
    add(r, "Processor Cap", obj_gets(o, "cpuUtilizationCap"));
    add(r, "High Availability", obj_get(o, "highAvailability") ? obj_get(o, "highAvailability") : "No");
    add(r, "Operating System", obj_get(o, "osType") ? obj_get(o, "osType") : "None");
    add(r, "Mouse Type", mouse_label(obj_get(o, "mouseType")));
    add(r, "Domain Type", domain_type_label(obj_get(o, "domainType")));
    add(r, "Keymap", obj_gets(o, "keymapName"));
    add(r, "Start Policy", policy_label(obj_get(o, "startPolicy")));
    add(r, "Huge Pages Enabled", obj_get(o, "hugePagesEnabled") ? obj_get(o, "hugePagesEnabled") : "No");
    add(r, "Network Install Path", obj_gets(o, "networkInstallPath"));
    addlocked(r, o);
    add(r, "Description", obj_gets(o, "description"));
    char *cfg = xasprintf("/OVS/Repositories/%s/%s/%s/vm.cfg", obj_gets(o, "repository"),
                          obj_is(o, "status", "Template") ? "Templates" : "VirtualMachines", o->id);
    add(r, "Config File Mounted Path", cfg);
    free(cfg);
    addref(e, r, "Server Pool", obj_get(o, "serverPool"));
    addref(e, r, "Server", obj_get(o, "server"));
    addref(e, r, "Repository", obj_get(o, "repository"));
    add_strlist(r, "Boot Order", obj_get(o, "bootOrder") ? obj_get(o, "bootOrder") : "DISK", boot_label);
    add_related(e, r, "Vnic", "Vnic", "vm", o->id, 0);
    obj **maps;
    size_t n = store_find_by(e->st, "VmDiskMapping", "vm", o->id, &maps);
    qsort(maps, n, sizeof *maps, slot_cmp);
    for (size_t i = 0; i < n; i++) {
        const char *disk = obj_get(maps[i], "virtualDisk");
        if (!disk)
            disk = obj_get(maps[i], "physicalDisk");
        if (!disk)
            disk = obj_get(maps[i], "virtualCdrom");
        char *v = xasprintf("%s  [Mapping for disk Id (%s)]", maps[i]->id, disk ? disk : "EMPTY_CDROM");
        addidx(r, "VmDiskMapping", i, v);
        free(v);
    }
    free(maps);
    add_related(e, r, "tag", "Tag", "members", o->id, 1);
}

static const char *roles_server_label(const char *v)
{
    return !strcmp(v, "VM") ? "VM Server" : !strcmp(v, "UTILITY") ? "Utility Server" : v;
}

static void show_server(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    add(r, "Status", status_of(o));
    addlocked(r, o);
    add(r, "Hostname", obj_gets(o, "hostname"));
    add(r, "IP Address", obj_gets(o, "ipAddress"));
    add(r, "Description", obj_gets(o, "description"));
    addref(e, r, "Server Pool", obj_get(o, "serverPool"));
    add(r, "Ownership", obj_get(o, "ownership") ? obj_get(o, "ownership") : "Unowned");
    add(r, "Manager UUID", obj_gets(o, "managerUuid"));
    add(r, "Maintenance Mode", obj_get(o, "maintenanceMode") ? obj_get(o, "maintenanceMode") : "No");
    add(r, "Inbound Migration Locked",
        obj_get(o, "inboundMigrationLocked") ? obj_get(o, "inboundMigrationLocked") : "No");
    add_strlist(r, "Role", obj_get(o, "roles"), roles_server_label);
    addref(e, r, "Cpu Compatibility Group", obj_get(o, "cpuCompatibilityGroup"));
    add(r, "Processor Type", obj_gets(o, "processorType"));
    add(r, "Processors", obj_gets(o, "processors"));
    add(r, "Processor Sockets Populated", obj_gets(o, "socketsPopulated"));
    add(r, "Cores Per Processor Socket", obj_gets(o, "coresPerSocket"));
    add(r, "Threads Per Core", obj_gets(o, "threadsPerCore"));
    addgib(r, "Processor Speed (GHz)", obj_get(o, "processorSpeed"));
    add(r, "Memory (MB)", obj_gets(o, "memory"));
    addi(r, "Usable Memory (MB)", server_usable_memory(e, o));
    add(r, "Hypervisor Type", obj_get(o, "hypervisorType") ? obj_get(o, "hypervisorType") : "Xen");
    add(r, "Hypervisor Version", obj_gets(o, "xenVersion"));
    add(r, "OVM Version", obj_gets(o, "ovmVersion"));
    add(r, "Agent Version", obj_gets(o, "agentVersion"));
    add(r, "Manufacturer", obj_gets(o, "manufacturer"));
    add(r, "Product Name", obj_gets(o, "productName"));
    add(r, "Serial Number", obj_gets(o, "serialNumber"));
    add(r, "BIOS Version", obj_gets(o, "biosVersion"));
    add(r, "BIOS Release Date", obj_gets(o, "biosReleaseDate"));
    add_strlist(r, "NTP Server", obj_get(o, "ntpServers") ? obj_get(o, "ntpServers") : "127.127.1.0", NULL);
    add_related(e, r, "Ethernet Port", "Port", "server", o->id, 0);
    add_related(e, r, "Vm", "Vm", "server", o->id, 0);
}

static void show_pool(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    addlocked(r, o);
    add(r, "Description", obj_gets(o, "description"));
    add(r, "Virtual IP", obj_gets(o, "virtualIP"));
    add(r, "Clustered", obj_get(o, "clusterEnable") ? obj_get(o, "clusterEnable") : "No");
    add(r, "Cluster Timeout (sec)", obj_get(o, "clusterTimeout") ? obj_get(o, "clusterTimeout") : "120");
    addref(e, r, "Pool File System", obj_get(o, "fileSystem"));
    add(r, "Start Policy", policy_label(obj_get(o, "startPolicy") ? obj_get(o, "startPolicy") : "BEST_SERVER"));
    add(r, "Keymap", obj_get(o, "keymapName") ? obj_get(o, "keymapName") : "en-us");
    add(r, "Secure VM Migrate", obj_get(o, "migrateUsingSsl") ? obj_get(o, "migrateUsingSsl") : "No");
    add(r, "Policy Mode", obj_get(o, "policyMode") ? obj_get(o, "policyMode") : "OFF");
    add_related(e, r, "Server", "Server", "serverPool", o->id, 0);
    add_related(e, r, "Vm", "Vm", "serverPool", o->id, 0);
    add_related(e, r, "Anti-Affinity Group", "AntiAffinityGroup", "serverPool", o->id, 0);
}

static void show_repository(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    addlocked(r, o);
    add(r, "Description", obj_gets(o, "description"));
    addref(e, r, "File System", obj_get(o, "fileSystem"));
    add(r, "Manager UUID", obj_gets(o, "managerUuid"));
    addgib(r, "Size (GiB)", obj_get(o, "size"));
    addgib(r, "Free (GiB)", obj_get(o, "free"));
    add_listed(e, r, "Presented Server", o, "presentedServers");
    add_related(e, r, "Vm", "Vm", "repository", o->id, 0);
    add_related(e, r, "Virtual Disk", "VirtualDisk", "repository", o->id, 0);
    add_related(e, r, "Virtual Cdrom", "VirtualCdrom", "repository", o->id, 0);
}

static void show_vdisk(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    addlocked(r, o);
    add(r, "Description", obj_gets(o, "description"));
    addgib(r, "Max (GiB)", obj_get(o, "size"));
    addgib(r, "Used (GiB)", obj_get(o, "usedSize") ? obj_get(o, "usedSize") : "0");
    add(r, "Shareable", obj_gets(o, "shareable"));
    add(r, "Sparse", obj_gets(o, "sparse"));
    addref(e, r, "Repository Id", obj_get(o, "repository"));
    char *p = xasprintf("/OVS/Repositories/%s/VirtualDisks/%s", obj_gets(o, "repository"), o->id);
    add(r, "Mounted Path", p);
    free(p);
}

static void show_cdrom(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    addlocked(r, o);
    add(r, "Description", obj_gets(o, "description"));
    addgib(r, "Size (GiB)", obj_get(o, "size"));
    addref(e, r, "Repository Id", obj_get(o, "repository"));
    char *p = xasprintf("/OVS/Repositories/%s/ISOs/%s", obj_gets(o, "repository"), o->id);
    add(r, "Mounted Path", p);
    free(p);
}

static void show_mapping(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    add(r, "Slot", obj_gets(o, "slot"));
    add(r, "Emulated Block Device", obj_get(o, "emulatedBlockDevice") ? obj_get(o, "emulatedBlockDevice") : "No");
    if (obj_get(o, "virtualDisk"))
        addref(e, r, "Virtual Disk", obj_get(o, "virtualDisk"));
    else if (obj_get(o, "physicalDisk"))
        addref(e, r, "Physical Disk", obj_get(o, "physicalDisk"));
    else if (obj_get(o, "virtualCdrom"))
        addref(e, r, "Virtual Cdrom", obj_get(o, "virtualCdrom"));
    else
        add(r, "Virtual Cdrom", "EMPTY_CDROM");
    addref(e, r, "Vm", obj_get(o, "vm"));
}

static void show_pdisk(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    addgib(r, "Size (GiB)", obj_get(o, "size"));
    add(r, "Shareable", obj_get(o, "shareable") ? obj_get(o, "shareable") : "No");
    add(r, "Page83 ID", obj_gets(o, "page83Id"));
    add(r, "Thin Provision", obj_get(o, "thinProvision") ? obj_get(o, "thinProvision") : "No");
    add(r, "VolumeGroup", obj_gets(o, "volumeGroup"));
    add(r, "San Server", obj_gets(o, "sanServer"));
}

static void show_vnic(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    add(r, "Mac Address", obj_gets(o, "macAddress"));
    addref(e, r, "Network", obj_get(o, "network"));
    addref(e, r, "Vm", obj_get(o, "vm"));
    add(r, "Description", obj_gets(o, "description"));
}

static const char *same(const char *v)
{
    return v;
}

static void show_network(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    add(r, "Description", obj_gets(o, "description"));
    add_strlist(r, "Role", obj_get(o, "roles"), same);
    add_related(e, r, "Port", "Port", "network", o->id, 0);
    add_related(e, r, "Vnic", "Vnic", "network", o->id, 0);
}

static void show_port(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    addref(e, r, "Server", obj_get(o, "server"));
    add(r, "Mac Address", obj_gets(o, "macAddress"));
    add(r, "MTU", obj_get(o, "mtu") ? obj_get(o, "mtu") : "1500");
    add(r, "Address Type", obj_get(o, "addressType") ? obj_get(o, "addressType") : "NONE");
    add(r, "IP Address", obj_gets(o, "ipAddress"));
    add(r, "Netmask", obj_gets(o, "netmask"));
    addref(e, r, "Network", obj_get(o, "network"));
}

static void show_tag(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    add(r, "Description", obj_gets(o, "description"));
    add_listed(e, r, "Member", o, "members");
}

static void show_aag(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    add(r, "Description", obj_gets(o, "description"));
    addref(e, r, "Server Pool", obj_get(o, "serverPool"));
    add_listed(e, r, "Vm", o, "vms");
}

static void show_cpugroup(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    add(r, "Description", obj_gets(o, "description"));
    add(r, "Default", obj_get(o, "default") ? obj_get(o, "default") : "No");
    add_related(e, r, "Server", "Server", "cpuCompatibilityGroup", o->id, 0);
}

static void show_fileserver(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    add(r, "Description", obj_gets(o, "description"));
    add(r, "Access Host", obj_gets(o, "accessHost"));
    add(r, "Plugin", "Oracle Generic NFS Plugin");
    add(r, "Uniform Exports", "Yes");
    add_listed(e, r, "Admin Server", o, "adminServers");
    add_related(e, r, "File System", "FileSystem", "fileServer", o->id, 0);
}

static void show_filesystem(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    add(r, "Description", obj_gets(o, "description"));
    addref(e, r, "File Server", obj_get(o, "fileServer"));
    add(r, "Path", obj_gets(o, "path"));
    addgib(r, "Size (GiB)", obj_get(o, "size"));
    addgib(r, "Free (GiB)", obj_get(o, "free"));
    add(r, "Usage", obj_get(o, "usage") ? obj_get(o, "usage") : "NONE");
}

static void show_manager(engine *e, const obj *o, result *r)
{
    add(r, "Name", o->name);
    add(r, "Id", o->id);
    add(r, "Description", obj_gets(o, "description"));
    add(r, "Manager UUID", o->id);
    add(r, "Run State", "RUNNING");
    char *range = xasprintf("%s-%s", obj_gets(o, "macStart"), obj_gets(o, "macEnd"));
    add(r, "MAC Range", range);
    free(range);
    add(r, "File System Statistics", obj_get(o, "fsStatisticsEnabled") ? obj_get(o, "fsStatisticsEnabled") : "No");
}

typedef struct shower {
    const char *type;
    void (*fn)(engine *, const obj *, result *);
} shower;

static const shower showers[] = {
    {"Vm", show_vm},
    {"Server", show_server},
    {"ServerPool", show_pool},
    {"Repository", show_repository},
    {"VirtualDisk", show_vdisk},
    {"VirtualCdrom", show_cdrom},
    {"VmDiskMapping", show_mapping},
    {"PhysicalDisk", show_pdisk},
    {"Vnic", show_vnic},
    {"Network", show_network},
    {"Port", show_port},
    {"Tag", show_tag},
    {"AntiAffinityGroup", show_aag},
    {"CpuCompatibilityGroup", show_cpugroup},
    {"FileServer", show_fileserver},
    {"FileSystem", show_filesystem},
    {"Manager", show_manager},
    {NULL, NULL},
};

void show_object(engine *e, const obj *o, result *r)
{
    r->kind = RD_SHOW;
    r->has_data = 1;
    for (const shower *s = showers; s->type; s++) {
        if (!strcmp(s->type, o->type)) {
            s->fn(e, o, r);
            return;
        }
    }
    add(r, "Name", o->name);
    add(r, "Id", o->id);
}

static void add_time(result *r, const char *label, int64_t ms)
{
    char buf[64] = "";
    if (ms)
        ovm_time_header(ms, buf, sizeof buf);
    add(r, label, buf);
}

void show_job(engine *e, const job *j, result *r)
{
    char id[32];
    r->kind = RD_SHOW;
    r->has_data = 1;
    snprintf(id, sizeof id, "%lld", (long long)j->id);
    add(r, "Id", id);
    add(r, "Name", j->name);
    add(r, "Description", j->description ? j->description : "");
    add(r, "Summary State", job_summary_state(j->run_state));
    add(r, "Summary Done", j->finished ? "Yes" : "No");
    add(r, "Run State", j->run_state);
    add(r, "Progress Message", j->progress ? j->progress : "");
    add_time(r, "Start Time", j->start_ms);
    add_time(r, "End Time", j->end_ms);
    store_rdlock(e->st);
    addref(e, r, "Result Object", j->result_obj ? j->result_obj : j->target);
    store_unlock(e->st);
    add(r, "Error", j->error ? j->error : "");
    add(r, "User", j->user);
    for (size_t i = 0; i < j->nchildren; i++) {
        job *c = jobs_snapshot(e->js, j->children[i]);
        char *v = c ? xasprintf("%lld  [%s]", (long long)c->id, c->name) : xasprintf("%lld", (long long)j->children[i]);
        addidx(r, "Child Job", i, v);
        free(v);
        job_snapshot_free(c);
    }
}
