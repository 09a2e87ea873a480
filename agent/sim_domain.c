/* Running domains of the simulated hypervisor (doc/agent-protocol.md §7). A domain
 * record in st.domains keeps what `xm list` would know about it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "agent/sim.h"
#include "agent/sim_driver.h"
#include "lib/util.h"

/* Share of each vCPU a simulated guest keeps busy, for cpu_time, until the
 * sim_set_cpu_load test hook sets another (its "cpu_load", in percent). */
#define SIM_GUEST_LOAD 0.02

static double now_s(void)
{
    return (double)ovm_now_ms() / 1000.0;
}

static void copy_member(xr_value *dst, const xr_value *cfg, const char *key, xr_value *dflt)
{
    const xr_value *v = xr_struct_get(cfg, key);
    if (v) {
        xr_free(dflt);
        xr_struct_set(dst, key, xr_copy(v));
    } else {
        xr_struct_set(dst, key, dflt);
    }
}

xr_value *sim_new_domain(struct sim *s, const char *repo_id, const char *vm_id, const xr_value *cfg)
{
    xr_value *d = xr_struct();
    int64_t domid = sim_int(s->st, "next_domid", 1);
    xr_struct_set(s->st, "next_domid", xr_int(domid + 1));
    char dashed[40];
    ovm_dashed_id(vm_id, dashed, sizeof dashed);
    int64_t mem = sim_int(cfg, "memory", 1024);
    xr_struct_set(d, "repo_id", xr_string(repo_id));
    xr_struct_set(d, "domid", xr_int(domid));
    xr_struct_set(d, "state", xr_string("-b----"));
    xr_struct_set(d, "memory", xr_int(mem));
    xr_struct_set(d, "maxmem", xr_int(sim_int(cfg, "maxmem", mem)));
    xr_struct_set(d, "vcpus", xr_int(sim_int(cfg, "vcpus", 1)));
    copy_member(d, cfg, "uuid", xr_string(strlen(vm_id) == 32 ? dashed : vm_id));
    copy_member(d, cfg, "cpu_weight", xr_int(27500));
    copy_member(d, cfg, "cpu_cap", xr_int(0));
    copy_member(d, cfg, "on_poweroff", xr_string("destroy"));
    copy_member(d, cfg, "on_reboot", xr_string("restart"));
    copy_member(d, cfg, "on_crash", xr_string("restart"));
    copy_member(d, cfg, "builder", xr_string(""));
    copy_member(d, cfg, "bootloader", xr_string(""));
    copy_member(d, cfg, "vif", xr_array());
    copy_member(d, cfg, "disk", xr_array());
    xr_struct_set(d, "start_time", xr_double(now_s()));
    xr_struct_set(d, "cpu_time", xr_double(0));
    xr_struct_set(d, "run_since", xr_double(now_s()));
    return d;
}

static double dbl(const xr_value *st, const char *key)
{
    const xr_value *v = xr_struct_get(st, key);
    return v && v->type == XR_DOUBLE ? v->d : (double)sim_int(st, key, 0);
}

static double load_of(const xr_value *dom)
{
    return xr_struct_get(dom, "cpu_load") ? dbl(dom, "cpu_load") / 100.0 : SIM_GUEST_LOAD;
}

static double cpu_time(const xr_value *dom)
{
    double t = dbl(dom, "cpu_time"), since = dbl(dom, "run_since");
    if (since > 0)
        t += (now_s() - since) * (double)sim_int(dom, "vcpus", 1) * load_of(dom);
    return t;
}

/* Percent of its vCPUs the domain keeps busy now; 0 while paused. */
static double cpu_utilization(const xr_value *dom)
{
    return dbl(dom, "run_since") > 0 ? load_of(dom) * 100.0 : 0.0;
}

/* The host's CPU utilisation: dom0's own load plus each guest's vCPU time
 * over the host's CPUs, at most 100 %. */
static double host_utilization(struct sim *s)
{
    double busy = dbl(s->st, "host_cpu_load") / 100.0 * (double)s->cpus;
    const xr_value *doms = xr_struct_get(s->st, "domains");
    for (size_t i = 0; doms && i < doms->n; i++)
        busy += cpu_utilization(doms->items[i]) / 100.0 * (double)sim_int(doms->items[i], "vcpus", 1);
    double pct = s->cpus > 0 ? busy * 100.0 / (double)s->cpus : 0.0;
    return pct > 100.0 ? 100.0 : pct;
}

xr_value *simdrv_set_cpu_load(struct call_ctx *c, const char *vm, int64_t load)
{
    if (load < 0 || load > 100)
        return call_fault(c, "exceptions.ValueError:a CPU load is 0 to 100 (percent), got %lld", (long long)load);
    if (!*vm || !strcmp(vm, "Domain-0")) {
        xr_struct_set(c->sim->st, "host_cpu_load", xr_int(load));
        return xr_nil();
    }
    xr_value *dom = sim_domain(c->sim, vm);
    if (!dom)
        return call_fault(c, "exceptions.RuntimeError:VM %s is not running", vm);
    /* the time used so far stays at the old rate */
    xr_struct_set(dom, "cpu_time", xr_double(cpu_time(dom)));
    if (dbl(dom, "run_since") > 0)
        xr_struct_set(dom, "run_since", xr_double(now_s()));
    xr_struct_set(dom, "cpu_load", xr_int(load));
    return xr_nil();
}

/* "mac=..,bridge=.." -> struct of those pairs. */
static xr_value *kv_struct(const char *spec)
{
    xr_value *st = xr_struct();
    char *copy = xstrdup(spec), *save = NULL;
    for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (eq) {
            *eq = '\0';
            xr_struct_set(st, kv, xr_string(eq + 1));
        }
    }
    free(copy);
    return st;
}

/* "file:/path,xvda,w" -> {uname, dev, mode}. */
static xr_value *vbd_struct(const char *spec)
{
    xr_value *st = xr_struct();
    const char *c1 = strchr(spec, ',');
    const char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    xr_struct_set(st, "uname", c1 ? xr_stringn(spec, (size_t)(c1 - spec)) : xr_string(spec));
    xr_struct_set(st, "dev", c1 && c2 ? xr_stringn(c1 + 1, (size_t)(c2 - c1 - 1)) : xr_string(""));
    xr_struct_set(st, "mode", xr_string(c2 ? c2 + 1 : "r"));
    return st;
}

static xr_value *devices(const xr_value *dom)
{
    xr_value *dev = xr_struct(), *vif = xr_array(), *vbd = xr_array(), *vfb = xr_array(), *con = xr_array();
    const xr_value *vifs = xr_struct_get(dom, "vif"), *disks = xr_struct_get(dom, "disk");
    for (size_t i = 0; vifs && vifs->type == XR_ARRAY && i < vifs->n; i++)
        if (xr_get_str(vifs->items[i]))
            xr_array_add(vif, kv_struct(xr_get_str(vifs->items[i])));
    for (size_t i = 0; disks && disks->type == XR_ARRAY && i < disks->n; i++)
        if (xr_get_str(disks->items[i]))
            xr_array_add(vbd, vbd_struct(xr_get_str(disks->items[i])));
    int64_t domid = sim_int(dom, "domid", 0);
    char *loc = xasprintf("127.0.0.1:%lld", (long long)(5900 + domid));
    xr_value *fb = xr_struct();
    xr_struct_set(fb, "type", xr_string("vnc"));
    xr_struct_set(fb, "location", xr_string(loc));
    xr_array_add(vfb, fb);
    xr_value *cons = xr_struct();
    xr_struct_set(cons, "protocol", xr_string("vt100"));
    xr_struct_set(cons, "location", xr_string("3"));
    xr_array_add(con, cons);
    free(loc);
    xr_struct_set(dev, "vif", vif);
    xr_struct_set(dev, "vbd", vbd);
    xr_struct_set(dev, "vfb", vfb);
    xr_struct_set(dev, "console", con);
    xr_struct_set(dev, "vkbd", xr_array());
    return dev;
}

xr_value *sim_domain_record(struct sim *s, const char *vm_id, const xr_value *dom)
{
    static const char *const same[] = {"uuid", "domid", "state", "memory", "maxmem", "vcpus", "cpu_weight",
                                       "cpu_cap", "on_poweroff", "on_reboot", "on_crash", "builder", "bootloader"};
    xr_value *r = xr_struct();
    xr_struct_set(r, "name", xr_string(vm_id));
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        const xr_value *v = xr_struct_get(dom, same[i]);
        xr_struct_set(r, same[i], v ? xr_copy(v) : xr_string(""));
    }
    xr_struct_set(r, "online_vcpus", xr_int(sim_int(dom, "vcpus", 1)));
    xr_struct_set(r, "cpu_time", xr_double(cpu_time(dom)));
    xr_struct_set(r, "cpu_utilization", xr_double(cpu_utilization(dom)));
    xr_struct_set(r, "start_time", xr_double(dbl(dom, "start_time")));
    xr_struct_set(r, "device", devices(dom));
    return r;
}

static xr_value *dom0_record(struct sim *s)
{
    xr_value *d = xr_struct();
    double boot = (double)sim_int(s->st, "boot_time", 0);
    xr_struct_set(d, "uuid", xr_string("00000000-0000-0000-0000-000000000000"));
    xr_struct_set(d, "domid", xr_int(0));
    xr_struct_set(d, "state", xr_string("r-----"));
    xr_struct_set(d, "memory", xr_int(SIM_DOM0_MB));
    xr_struct_set(d, "maxmem", xr_int(SIM_DOM0_MB));
    xr_struct_set(d, "vcpus", xr_int(s->cpus));
    xr_struct_set(d, "cpu_weight", xr_int(65535));
    xr_struct_set(d, "start_time", xr_double(boot));
    xr_struct_set(d, "run_since", xr_double(boot));
    xr_value *r = sim_domain_record(s, "Domain-0", d);
    xr_struct_set(r, "cpu_utilization", xr_double(host_utilization(s)));
    xr_struct_set(r, "net_rates", sim_net_rates(s));
    xr_free(d);
    return r;
}

/* Every 'file:' disk of cfg must exist, as Xen would refuse to start otherwise. */
static int check_disks(struct call_ctx *c, const xr_value *cfg)
{
    const xr_value *disks = xr_struct_get(cfg, "disk");
    for (size_t i = 0; disks && disks->type == XR_ARRAY && i < disks->n; i++) {
        const char *spec = xr_get_str(disks->items[i]);
        if (!spec || strncmp(spec, "file:", 5) != 0)
            continue;
        char *apath = xstrndup(spec + 5, strcspn(spec + 5, ","));
        char *path = sim_host_path(c->sim, apath);
        struct stat st;
        if (!path || stat(path, &st) != 0)
            call_fault(c, "exceptions.RuntimeError:Disk isn't accessible: '%s'", apath);
        free(path);
        free(apath);
        if (c->fault)
            return -1;
    }
    return 0;
}

static int check_memory(struct call_ctx *c, const char *vm_id, int64_t mb)
{
    int64_t free_mb = sim_free_mb(c->sim);
    if (mb <= free_mb)
        return 0;
    call_fault(c, "exceptions.RuntimeError:Not enough free memory to start VM %s: %lld MB needed, %lld MB free",
               vm_id, (long long)mb, (long long)free_mb);
    return -1;
}

static xr_value *already_running(struct call_ctx *c, const char *vm_id, const xr_value *dom)
{
    return call_fault(c, "exceptions.RuntimeError:Domain '%s' already exists with ID '%lld'", vm_id,
                      (long long)sim_int(dom, "domid", 0));
}

/* The running domain of vm_id, or NULL after a "does not exist" fault. */
static xr_value *running(struct call_ctx *c, const char *vm_id)
{
    xr_value *dom = sim_domain(c->sim, vm_id);
    return dom ? dom : call_fault(c, "exceptions.RuntimeError:Domain '%s' does not exist.", vm_id);
}

xr_value *simdrv_start(struct call_ctx *c, const char *repo, const char *vm)
{
    const xr_value *dom = sim_domain_find(c->sim, vm);
    if (dom)
        return already_running(c, vm, dom);
    xr_value *cfg = sim_read_vmcfg(c, repo, vm);
    if (!cfg)
        return NULL;
    if (check_disks(c, cfg) == 0 && check_memory(c, vm, sim_int(cfg, "memory", 1024)) == 0)
        sim_domain_put(c->sim, vm, sim_new_domain(c->sim, repo, vm, cfg));
    xr_free(cfg);
    return c->fault ? NULL : xr_nil();
}

xr_value *simdrv_stop(struct call_ctx *c, const char *vm, int force)
{
    (void)force; /* a simulated guest always obeys */
    if (!running(c, vm))
        return NULL;
    sim_domain_del(c->sim, vm);
    return xr_nil();
}

xr_value *simdrv_guest_shutdown(struct call_ctx *c, const char *vm)
{
    return simdrv_stop(c, vm, 0);
}

xr_value *simdrv_reboot(struct call_ctx *c, const char *vm)
{
    xr_value *dom = running(c, vm);
    if (!dom)
        return NULL;
    int64_t domid = sim_int(c->sim->st, "next_domid", 1);
    xr_struct_set(c->sim->st, "next_domid", xr_int(domid + 1));
    xr_struct_set(dom, "domid", xr_int(domid));
    xr_struct_set(dom, "state", xr_string("-b----"));
    xr_struct_set(dom, "start_time", xr_double(now_s()));
    xr_struct_set(dom, "cpu_time", xr_double(0));
    xr_struct_set(dom, "run_since", xr_double(now_s()));
    return xr_nil();
}

static void set_paused(xr_value *dom, int paused)
{
    int is_paused = dbl(dom, "run_since") <= 0;
    if (paused == is_paused)
        return;
    if (paused)
        xr_struct_set(dom, "cpu_time", xr_double(cpu_time(dom)));
    xr_struct_set(dom, "run_since", xr_double(paused ? 0 : now_s()));
    xr_struct_set(dom, "state", xr_string(paused ? "--p---" : "-b----"));
}

xr_value *simdrv_pause(struct call_ctx *c, const char *vm, int paused)
{
    xr_value *dom = running(c, vm);
    if (dom)
        set_paused(dom, paused);
    return dom ? xr_nil() : NULL;
}

static char *save_file(struct sim *s, const char *repo, const char *vm)
{
    char *dir = sim_vm_dir(s, repo, vm);
    char *path = xasprintf("%s/vm.save", dir);
    free(dir);
    return path;
}

xr_value *simdrv_save(struct call_ctx *c, const char *repo, const char *vm, int checkpoint)
{
    xr_value *dom = running(c, vm);
    if (!dom || !sim_valid_name(repo))
        return dom ? call_fault(c, "exceptions.ValueError:invalid repository id '%s'", repo) : NULL;
    xr_value *image = xr_copy(dom);
    xr_struct_set(image, "cpu_time", xr_double(cpu_time(dom)));
    size_t len;
    char *doc = xr_encode_response(image, &len);
    xr_free(image);
    char *path = save_file(c->sim, repo, vm);
    if (ovm_write_file_atomic(path, doc, len, 0600) != 0)
        call_fault(c, "exceptions.IOError:[Errno %d] %s: '/OVS/Repositories/%s/VirtualMachines/%s/vm.save'",
                   errno, strerror(errno), repo, vm);
    else if (!checkpoint)
        sim_domain_del(c->sim, vm);
    free(path);
    free(doc);
    return c->fault ? NULL : xr_nil();
}

/* Reads and decodes the suspend image; NULL after a fault. */
static xr_value *load_image(struct call_ctx *c, const char *repo, const char *vm)
{
    char *path = save_file(c->sim, repo, vm);
    size_t len;
    char *doc = ovm_read_file(path, &len);
    int e = errno;
    free(path);
    if (!doc)
        return call_fault(c, "exceptions.OSError:[Errno %d] %s: '/OVS/Repositories/%s/VirtualMachines/%s/vm.save'",
                          e, strerror(e), repo, vm);
    xr_value *img = NULL;
    int code;
    char *fs = NULL, err[128];
    int rc = xr_decode_response(doc, len, &img, &code, &fs, err, sizeof err);
    free(doc);
    free(fs);
    if (rc != 0 || img->type != XR_STRUCT) {
        xr_free(img);
        return call_fault(c, "exceptions.RuntimeError:corrupt suspend image of VM %s", vm);
    }
    return img;
}

xr_value *simdrv_restore(struct call_ctx *c, const char *repo, const char *vm, int paused)
{
    const xr_value *dom = sim_domain_find(c->sim, vm);
    if (dom)
        return already_running(c, vm, dom);
    if (!sim_valid_name(repo) || !sim_valid_name(vm))
        return call_fault(c, "exceptions.ValueError:invalid repository or VM id: '%s' '%s'", repo, vm);
    xr_value *img = load_image(c, repo, vm);
    if (!img || check_memory(c, vm, sim_int(img, "memory", 0)) != 0) {
        xr_free(img);
        return NULL;
    }
    int64_t domid = sim_int(c->sim->st, "next_domid", 1);
    xr_struct_set(c->sim->st, "next_domid", xr_int(domid + 1));
    xr_struct_set(img, "domid", xr_int(domid));
    xr_struct_set(img, "run_since", xr_double(0));
    xr_struct_set(img, "state", xr_string("--p---"));
    set_paused(img, paused);
    sim_domain_put(c->sim, vm, img);
    char *path = save_file(c->sim, repo, vm);
    unlink(path);
    free(path);
    return xr_nil();
}

xr_value *simdrv_list_vm(struct call_ctx *c, const char *vm)
{
    const xr_value *dom = sim_domain_find(c->sim, vm);
    return dom ? sim_domain_record(c->sim, vm, dom) : xr_nil();
}

xr_value *simdrv_list_vms(struct call_ctx *c)
{
    xr_value *a = xr_array();
    xr_array_add(a, dom0_record(c->sim));
    const xr_value *doms = xr_struct_get(c->sim->st, "domains");
    for (size_t i = 0; i < doms->n; i++)
        xr_array_add(a, sim_domain_record(c->sim, doms->keys[i], doms->items[i]));
    return a;
}
