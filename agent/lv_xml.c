/* vm.cfg -> libvirt domain XML. vm.cfg stays the source of truth: every key
 * is either translated, known to need nothing, or refused with a fault, so a
 * started domain never silently differs from what `show Vm` says. The
 * mapping is documented in ovm-agentd(8), DRIVERS. */
#include "agent/lv.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/util.h"

/* How a domain type is run: PV drivers mean virtio disks and NICs. */
struct dtype {
    const char *cfg_name;   /* OVM_domain_type */
    const char *cli_name;   /* as the CLI spells it, for faults */
    int supported, virtio;
};

static const struct dtype dtypes[] = {
    {"xen_hvm", "XEN_HVM", 1, 0},
    {"xen_hvm_pv", "XEN_HVM_PV_DRIVERS", 1, 1},
    {"xen_pvm", "XEN_PVM", 0, 0},
    {"ldoms_pvm", "LDOMS_PVM", 0, 0},
};

/* Keys that need no translation: Manager bookkeeping, or Xen details that
 * the mapping covers by construction (vncunused: libvirt always picks a free
 * port; serial: the console is always a file in the VM directory). */
static const char *const ignored_keys[] = {"name", "uuid", "vncunused", "serial", "guest_os_type", "builder",
                                           "OVM_simple_name", "OVM_description", "OVM_os_type",
                                           "OVM_high_availability", "OVM_cpu_compat_group", "OVM_domain_type"};
/* Keys translated below. */
static const char *const handled_keys[] = {"memory", "maxmem", "vcpus", "maxvcpus", "cpu_weight", "cpu_cap",
                                           "on_poweroff", "on_reboot", "on_crash", "boot", "keymap", "vnc",
                                           "vnclisten", "disk", "vif", "usbdevice", "extra", "bootloader"};

#define CPU_WEIGHT_DEFAULT 27500

struct ctx {
    const xr_value *cfg;
    const struct lvx_opts *o;
    const struct dtype *dt;
    strbuf *sb;
    char *err;
    size_t errlen;
    int failed;
    int ide_used;      /* hda..hdd taken */
};

static void fail(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct ctx *x, const char *fmt, ...)
{
    if (x->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->err, x->errlen, fmt, ap);
    va_end(ap);
    x->failed = 1;
}

static int in_list(const char *key, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(key, list[i]))
            return 1;
    return 0;
}

static int64_t num(const xr_value *cfg, const char *key, int64_t dflt)
{
    int64_t v;
    const xr_value *m = xr_struct_get(cfg, key);
    if (m && m->type == XR_STRING && m->s[0]) {
        char *end;
        long long n = strtoll(m->s, &end, 10);
        return *end ? dflt : n;
    }
    return xr_get_int64(m, &v) == 0 ? v : dflt;
}

static const char *str(const xr_value *cfg, const char *key, const char *dflt)
{
    const char *v = xr_get_str(xr_struct_get(cfg, key));
    return v ? v : dflt;
}

static void el(strbuf *sb, const char *name, const char *value)
{
    sb_addf(sb, "<%s>", name);
    sb_add_xml(sb, value);
    sb_addf(sb, "</%s>", name);
}

static void check_keys(struct ctx *x)
{
    for (size_t i = 0; i < x->cfg->n && !x->failed; i++) {
        const char *k = x->cfg->keys[i];
        if (!in_list(k, ignored_keys, sizeof ignored_keys / sizeof *ignored_keys) &&
            !in_list(k, handled_keys, sizeof handled_keys / sizeof *handled_keys))
            fail(x, "vm.cfg setting '%s' is not supported by the libvirt driver", k);
    }
}

static const struct dtype *domain_type(struct ctx *x)
{
    const char *t = str(x->cfg, "OVM_domain_type", NULL);
    if (!t)
        t = *str(x->cfg, "bootloader", "") ? "xen_pvm" : !strcmp(str(x->cfg, "builder", ""), "hvm") ? "xen_hvm" : "";
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++) {
        if (strcmp(dtypes[i].cfg_name, t) != 0)
            continue;
        if (!dtypes[i].supported)
            fail(x, "domain type %s cannot run on a %s host: use XEN_HVM or XEN_HVM_PV_DRIVERS",
                 dtypes[i].cli_name, !strcmp(x->o->domain_type, "kvm") ? "KVM" : "QEMU");
        return &dtypes[i];
    }
    fail(x, "unknown domain type '%s'", t);
    return NULL;
}

static const char *lifecycle(struct ctx *x, const char *key, const char *dflt)
{
    static const char *const ok[] = {"destroy", "restart", "preserve"};
    const char *v = str(x->cfg, key, dflt);
    if (!in_list(v, ok, sizeof ok / sizeof *ok))
        fail(x, "%s = '%s' is not supported by the libvirt driver (destroy, restart, preserve)", key, v);
    return v;
}

/* <memory> is the ceiling (maxmem), <currentMemory> what the guest gets;
 * they can only differ with a balloon driver, i.e. with PV drivers. */
static void add_sizing(struct ctx *x)
{
    int64_t mem = num(x->cfg, "memory", 0), maxmem = num(x->cfg, "maxmem", mem);
    int64_t vcpus = num(x->cfg, "vcpus", 1), maxvcpus = num(x->cfg, "maxvcpus", vcpus);
    if (mem <= 0 || maxmem < mem)
        fail(x, "invalid memory settings: memory %lld MB, maxmem %lld MB", (long long)mem, (long long)maxmem);
    else if (maxmem != mem && !x->dt->virtio)
        fail(x, "a memory limit above the memory size needs XEN_HVM_PV_DRIVERS (a balloon driver)");
    if (vcpus <= 0 || maxvcpus < vcpus)
        fail(x, "invalid vCPU settings: vcpus %lld, maxvcpus %lld", (long long)vcpus, (long long)maxvcpus);
    sb_addf(x->sb, "<memory unit='MiB'>%lld</memory><currentMemory unit='MiB'>%lld</currentMemory>",
            (long long)maxmem, (long long)mem);
    sb_addf(x->sb, "<vcpu placement='static' current='%lld'>%lld</vcpu>", (long long)vcpus, (long long)maxvcpus);
    int64_t weight = num(x->cfg, "cpu_weight", CPU_WEIGHT_DEFAULT), cap = num(x->cfg, "cpu_cap", 0);
    if (weight < 1 || weight > 65535 || cap < 0)
        fail(x, "invalid CPU settings: cpu_weight %lld, cpu_cap %lld", (long long)weight, (long long)cap);
    if (weight == CPU_WEIGHT_DEFAULT && cap == 0)
        return;
    /* Xen's weight 27500 (priority 50) is cgroup shares 1024; a cap is a
     * percentage of one CPU for the whole domain, libvirt's quota is per vCPU. */
    sb_addf(x->sb, "<cputune><shares>%lld</shares>", (long long)(weight * 1024 / CPU_WEIGHT_DEFAULT));
    if (cap > 0)
        sb_addf(x->sb, "<period>100000</period><quota>%lld</quota>", (long long)(cap * 1000 / vcpus));
    sb_adds(x->sb, "</cputune>");
}

static void add_os(struct ctx *x)
{
    const char *boot = str(x->cfg, "boot", "c");
    if (*str(x->cfg, "bootloader", "") || *str(x->cfg, "extra", ""))
        fail(x, "bootloader and extra (PV kernel arguments) do not apply to HVM guests");
    sb_adds(x->sb, "<os><type arch='x86_64' machine='pc'>hvm</type>");
    for (const char *b = boot; *b; b++) {
        const char *dev = *b == 'c' ? "hd" : *b == 'd' ? "cdrom" : *b == 'n' ? "network" : NULL;
        if (!dev) {
            fail(x, "boot order letter '%c' is not one of c (disk), d (CD-ROM), n (network)", *b);
            break;
        }
        sb_addf(x->sb, "<boot dev='%s'/>", dev);
    }
    sb_adds(x->sb, "</os><features><acpi/><apic/></features>");
    sb_addf(x->sb, "<clock offset='%s'/>", !strcmp(str(x->cfg, "guest_os_type", ""), "windows") ? "localtime" : "utc");
    sb_addf(x->sb, "<on_poweroff>%s</on_poweroff>", lifecycle(x, "on_poweroff", "destroy"));
    sb_addf(x->sb, "<on_reboot>%s</on_reboot>", lifecycle(x, "on_reboot", "restart"));
    sb_addf(x->sb, "<on_crash>%s</on_crash>", lifecycle(x, "on_crash", "restart"));
}

/* "xvdN" / "hdN" / "sdN" (+":cdrom") -> the slot letter's index, or -1. */
static int slot_of(const char *dev)
{
    size_t p = !strncmp(dev, "xvd", 3) ? 3 : (!strncmp(dev, "hd", 2) || !strncmp(dev, "sd", 2)) ? 2 : 0;
    if (!p || dev[p] < 'a' || dev[p] > 'z' || (dev[p + 1] && dev[p + 1] != ':'))
        return -1;
    return dev[p] - 'a';
}

const char *lvx_image_format(const char *host_path)
{
    unsigned char magic[4] = {0};
    FILE *fp = fopen(host_path, "rbe");
    if (fp) {
        size_t n = fread(magic, 1, sizeof magic, fp);
        fclose(fp);
        if (n == 4 && !memcmp(magic, "QFI\xfb", 4))
            return "qcow2";
    }
    return "raw";
}

/* Target device of the next disk: virtio vdX by slot for PV disks, else the
 * next free IDE position (hda..hdd: an i440fx machine has two IDE buses). */
static void add_target(struct ctx *x, int slot, int virtio)
{
    if (virtio) {
        sb_addf(x->sb, "<target dev='vd%c' bus='virtio'/>", 'a' + slot);
        return;
    }
    if (x->ide_used >= 4) {
        fail(x, "more than 4 disks and CD-ROMs need XEN_HVM_PV_DRIVERS (virtio) on this host");
        return;
    }
    sb_addf(x->sb, "<target dev='hd%c' bus='ide'/>", 'a' + x->ide_used++);
}

static void add_source(struct ctx *x, const char *backend, const char *apath, int cdrom)
{
    int block = !strcmp(backend, "phy");
    if (strcmp(backend, "file") != 0 && !block) {
        fail(x, "disk backend '%s' is not supported (file or phy)", backend);
        return;
    }
    char *path = block ? xstrdup(apath) : x->o->host_path(x->o->arg, apath);
    if (!path || (block && strncmp(path, "/dev/", 5) != 0)) {
        fail(x, "invalid disk path '%s'", apath);
        free(path);
        return;
    }
    sb_addf(x->sb, "<disk type='%s' device='%s'>", block ? "block" : "file", cdrom ? "cdrom" : "disk");
    sb_addf(x->sb, "<driver name='qemu' type='%s'/>", block || cdrom ? "raw" : lvx_image_format(path));
    sb_addf(x->sb, "<source %s='", block ? "dev" : "file");
    sb_add_xml(x->sb, path);
    sb_adds(x->sb, "'/>");
    free(path);
}

static void add_disk(struct ctx *x, const char *spec)
{
    char *copy = xstrdup(spec), *c1 = strchr(copy, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    if (!c2) {
        fail(x, "malformed disk entry '%s'", spec);
        free(copy);
        return;
    }
    *c1 = *c2 = '\0';
    const char *dev = c1 + 1, *mode = c2 + 1;
    char *colon = strchr(copy, ':');
    if (colon)
        *colon = '\0';
    int cdrom = strstr(dev, ":cdrom") != NULL, slot = slot_of(dev);
    if (slot < 0 || (strcmp(mode, "r") && strcmp(mode, "w") && strcmp(mode, "w!")) || (*copy && !colon))
        fail(x, "malformed disk entry '%s'", spec);
    else if (!*copy && !cdrom)
        fail(x, "disk entry '%s' has no file", spec);
    else if (!*copy)
        sb_adds(x->sb, "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>");
    else
        add_source(x, copy, colon + 1, cdrom);
    if (!x->failed) {
        add_target(x, slot, x->dt->virtio && !cdrom);
        sb_adds(x->sb, !strcmp(mode, "r") ? "<readonly/>" : !strcmp(mode, "w!") ? "<shareable/>" : "");
        sb_adds(x->sb, "</disk>");
    }
    free(copy);
}

static int valid_mac(const char *m)
{
    for (int i = 0; i < 17; i++)
        if (i % 3 == 2 ? m[i] != ':' : !isxdigit((unsigned char)m[i]))
            return 0;
    return m[17] == '\0';
}

static int host_bridge(const char *name)
{
    if (!*name || strchr(name, '/') || name[0] == '.')
        return 0;
    char *p = xasprintf("/sys/class/net/%s/bridge", name);
    struct stat st;
    int yes = stat(p, &st) == 0;
    free(p);
    return yes;
}

/* "mac=..,bridge=..[,type=ioemu]": the MAC is kept; the NIC joins the host
 * bridge of that name when the daemon may use bridges and it exists, and
 * user-mode networking otherwise (session daemons cannot plug taps). */
static void add_vif(struct ctx *x, const char *spec)
{
    char mac[32] = "", bridge[64] = "";
    char *copy = xstrdup(spec), *save = NULL;
    for (char *kv = strtok_r(copy, ",", &save); kv && !x->failed; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (eq)
            *eq++ = '\0';
        if (eq && !strcmp(kv, "mac"))
            snprintf(mac, sizeof mac, "%s", eq);
        else if (eq && !strcmp(kv, "bridge"))
            snprintf(bridge, sizeof bridge, "%s", eq);
        else if (!eq || strcmp(kv, "type") != 0 || (strcmp(eq, "ioemu") && strcmp(eq, "netfront")))
            fail(x, "unsupported VNIC setting '%s' in '%s'", kv, spec);
    }
    free(copy);
    if (!x->failed && !valid_mac(mac))
        fail(x, "VNIC '%s' has no valid MAC address", spec);
    if (x->failed)
        return;
    if (x->o->bridges && host_bridge(bridge)) {
        sb_adds(x->sb, "<interface type='bridge'><source bridge='");
        sb_add_xml(x->sb, bridge);
        sb_adds(x->sb, "'/>");
    } else {
        sb_adds(x->sb, "<interface type='user'>");
    }
    sb_addf(x->sb, "<mac address='%s'/><model type='%s'/></interface>", mac, x->dt->virtio ? "virtio" : "e1000");
}

static void add_list(struct ctx *x, const char *key, void (*one)(struct ctx *, const char *))
{
    const xr_value *l = xr_struct_get(x->cfg, key);
    if (l && l->type != XR_ARRAY) {
        fail(x, "%s must be a list", key);
        return;
    }
    for (size_t i = 0; l && i < l->n && !x->failed; i++) {
        const char *spec = xr_get_str(l->items[i]);
        if (!spec)
            fail(x, "%s entries must be strings", key);
        else
            one(x, spec);
    }
}

static void add_console_and_input(struct ctx *x)
{
    sb_adds(x->sb, "<serial type='file'><source path='");
    sb_add_xml(x->sb, x->o->console_path);
    sb_adds(x->sb, "' append='on'/><target port='0'/></serial>");
    const char *usb = str(x->cfg, "usbdevice", "");
    if (*usb && strcmp(usb, "tablet") && strcmp(usb, "mouse"))
        fail(x, "usbdevice '%s' is not supported (tablet or mouse)", usb);
    if (*usb)
        sb_addf(x->sb, "<controller type='usb' model='piix3-uhci'/><input type='%s' bus='usb'/>", usb);
    else
        sb_adds(x->sb, "<controller type='usb' model='none'/>");
    if (num(x->cfg, "vnc", 0)) {
        sb_adds(x->sb, "<graphics type='vnc' autoport='yes' listen='");
        sb_add_xml(x->sb, str(x->cfg, "vnclisten", "127.0.0.1"));
        sb_adds(x->sb, "'");
        if (*str(x->cfg, "keymap", "")) {
            sb_adds(x->sb, " keymap='");
            sb_add_xml(x->sb, str(x->cfg, "keymap", ""));
            sb_adds(x->sb, "'");
        }
        sb_adds(x->sb, "/><video><model type='vga'/></video>");
    } else {
        sb_adds(x->sb, "<video><model type='none'/></video>");
    }
    sb_addf(x->sb, "<memballoon model='%s'/>", x->dt->virtio ? "virtio" : "none");
}

static void add_identity(struct ctx *x)
{
    char dashed[40];
    ovm_dashed_id(x->o->vm_id, dashed, sizeof dashed);
    const char *uuid = str(x->cfg, "uuid", strlen(x->o->vm_id) == 32 ? dashed : "");
    sb_addf(x->sb, "<domain type='%s'>", x->o->domain_type);
    el(x->sb, "name", x->o->vm_id);
    if (*uuid)
        el(x->sb, "uuid", uuid);
    el(x->sb, "title", str(x->cfg, "OVM_simple_name", x->o->vm_id));
    el(x->sb, "description", str(x->cfg, "OVM_description", ""));
    sb_adds(x->sb, "<metadata><" LV_META_PREFIX ":vm xmlns:" LV_META_PREFIX "='" LV_META_NS "' repo='");
    sb_add_xml(x->sb, x->o->repo_id);
    sb_adds(x->sb, "'/></metadata>");
}

char *lvx_domain_xml(const xr_value *cfg, const struct lvx_opts *o, char *err, size_t errlen)
{
    strbuf sb = STRBUF_INIT;
    struct ctx x = {.cfg = cfg, .o = o, .sb = &sb, .err = err, .errlen = errlen};
    check_keys(&x);
    x.dt = x.failed ? NULL : domain_type(&x);
    if (!x.failed) {
        add_identity(&x);
        add_sizing(&x);
        add_os(&x);
        sb_adds(&sb, "<devices>");
        add_list(&x, "disk", add_disk);
        add_list(&x, "vif", add_vif);
        add_console_and_input(&x);
        sb_adds(&sb, "</devices></domain>");
    }
    if (x.failed) {
        sb_free(&sb);
        return NULL;
    }
    return sb.buf;
}
