#include "backend/flows/model.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/jobs/events.h"
#include "grammar/grammar.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

long long server_usable_memory(engine *e, const obj *server)
{
    long long mem = obj_get_int(server, "memory", 0) - DOM0_MEMORY_MB;
    obj **vms;
    size_t n = store_find_by(e->st, "Vm", "server", server->id, &vms);
    for (size_t i = 0; i < n; i++) {
        if (status_is_live(status_get(vms[i])))
            mem -= obj_get_int(vms[i], "memory", 0);
    }
    free(vms);
    return mem < 0 ? 0 : mem;
}

void server_endpoint(engine *e, const obj *server, agent_ep *ep)
{
    memset(ep, 0, sizeof *ep);
    snprintf(ep->host, sizeof ep->host, "%s", obj_gets(server, "ipAddress"));
    ep->port = (int)obj_get_int(server, "agentPort", e->cfg.agent_port);
    snprintf(ep->user, sizeof ep->user, "oracle");
    snprintf(ep->password, sizeof ep->password, "%s", obj_gets(server, "agentPassword"));
    snprintf(ep->pin, sizeof ep->pin, "%s", obj_gets(server, "agentPin"));
    if (obj_get(server, "agentCertificate") && e->ca)
        server_endpoint_trust(e, server->id, ep);
}

void server_endpoint_client_cert(engine *e, agent_ep *ep)
{
    snprintf(ep->cert_file, sizeof ep->cert_file, "%s", e->ca->client_cert);
    snprintf(ep->key_file, sizeof ep->key_file, "%s", e->ca->client_key);
}

void server_endpoint_trust(engine *e, const char *server_id, agent_ep *ep)
{
    snprintf(ep->ca_file, sizeof ep->ca_file, "%s", e->ca->ca_cert);
    server_endpoint_client_cert(e, ep);
    snprintf(ep->peer_cn, sizeof ep->peer_cn, "%s", server_id);
}

void agent_target_of(engine *e, const obj *server, agent_target *t)
{
    server_endpoint(e, server, &t->ep);
    snprintf(t->id, sizeof t->id, "%s", server->id);
    snprintf(t->name, sizeof t->name, "%s", server->name);
}

/* doc/agent-protocol.md §3.6: a server that fails authentication is Unknown until
 * ownership is taken again. That is a fact about the server, found while
 * some job ran, not a change of that job: it is kept out of the job's undo
 * journal, so the job's rollback leaves it. */
void server_trust_lost(engine *e, const char *server_id, const char *why)
{
    store_fact_wrlock(e->st);
    obj *s = store_get_typed(e->st, "Server", server_id);
    if (s && status_get(s) != ST_UNKNOWN) {
        status_set(e->st, s, ST_UNKNOWN);
        char *msg = xasprintf("Agent authentication failed: %s; take ownership again", why ? why : "refused");
        event_raise(e, "SERVER_STATE", "WARNING", s, msg, 0);
        free(msg);
    }
    store_fact_unlock(e->st);
}

/* agent_job's failure hook. c->ep is the ep of the agent_target that
 * agent_job was given, its first member. */
static int job_call_failed(agent_ctx *c, int rc, const char *err)
{
    job *j = c->owner;
    const agent_target *t = (const agent_target *)(const void *)c->ep;
    if (rc == AGC_FAULT)
        job_fail(j, "Job failed on Server %s: %s", t->name, err ? err : "agent fault");
    else if (rc == AGC_AUTH) {
        job_fail(j, "Job failed on Server %s: agent authentication failed", t->name);
        server_trust_lost(j->eng, t->id, err);
    }
    else
        job_fail(j, "Job failed on Server %s: agent unreachable (%s)", t->name, err ? err : "no answer");
    log_warn("agent %s (%s) %s: %s", t->name, t->ep.host, c->method, err ? err : "failed");
    return -1;
}
_Static_assert(offsetof(agent_target, ep) == 0, "job_call_failed finds the target from its ep");

agent_ctx *agent_try(agent_ctx *c, engine *e, const agent_target *t, char **err)
{
    *c = (agent_ctx){.ac = e->ac, .ep = &t->ep, .err = err};
    c->wait[AGENT_WAIT_CALL] = e->cfg.agent_call_timeout;
    c->wait[AGENT_WAIT_LONG] = e->cfg.agent_long_timeout;
    return c;
}

agent_ctx *agent_job(agent_ctx *c, job *j, const agent_target *t)
{
    agent_try(c, j->eng, t, NULL);
    c->failed = job_call_failed;
    c->owner = j;
    return c;
}

const char *repo_fs_location(engine *e, const obj *repo)
{
    obj *fs = store_get(e->st, obj_gets(repo, "fileSystem"));
    return fs ? obj_gets(fs, "fsLocation") : "";
}

static void device_name(long slot, char *buf, size_t len)
{
    if (slot < 26)
        snprintf(buf, len, "xvd%c", (char)('a' + slot));
    else
        snprintf(buf, len, "xvd%c%c", (char)('a' + slot / 26 - 1), (char)('a' + slot % 26));
}

static int slot_cmp(const void *a, const void *b)
{
    long long x = obj_get_int(*(obj *const *)a, "slot", 0), y = obj_get_int(*(obj *const *)b, "slot", 0);
    return x < y ? -1 : x > y;
}

/* A device's backing object: one the plan is about to create (dv->pending),
 * or one of the store. */
static const obj *device_obj(engine *e, const vm_devices *dv, const char *id)
{
    for (size_t i = 0; id && *id && i < dv->npending; i++)
        if (!strcmp(dv->pending[i]->id, id))
            return dv->pending[i];
    return store_get(e->st, id);
}

static xr_value *disk_entries(engine *e, const vm_devices *dv)
{
    xr_value *arr = xr_array();
    obj **maps = xmalloc((dv->nmaps ? dv->nmaps : 1) * sizeof *maps);
    size_t n = dv->nmaps;
    memcpy(maps, dv->maps, n * sizeof *maps);
    if (n > 1)
        qsort(maps, n, sizeof *maps, slot_cmp);
    for (size_t i = 0; i < n; i++) {
        char dev[16];
        device_name(obj_get_int(maps[i], "slot", 0), dev, sizeof dev);
        const obj *d;
        char *entry;
        if ((d = device_obj(e, dv, obj_gets(maps[i], "virtualDisk"))) != NULL)
            entry = xasprintf("file:/OVS/Repositories/%s/VirtualDisks/%s,%s,%s", obj_gets(d, "repository"), d->id,
                              dev, obj_is(d, "shareable", "Yes") ? "w!" : "w");
        else if ((d = device_obj(e, dv, obj_gets(maps[i], "virtualCdrom"))) != NULL)
            entry = xasprintf("file:/OVS/Repositories/%s/ISOs/%s,%s:cdrom,r", obj_gets(d, "repository"), d->id, dev);
        else if ((d = device_obj(e, dv, obj_gets(maps[i], "physicalDisk"))) != NULL)
            entry = xasprintf("phy:/dev/mapper/%s,%s,w", obj_gets(d, "page83Id"), dev);
        else
            entry = xasprintf(",%s:cdrom,r", dev);
        xr_array_add(arr, xr_string(entry));
        free(entry);
    }
    free(maps);
    return arr;
}

static int created_cmp(const void *a, const void *b)
{
    long long x = obj_get_int(*(obj *const *)a, "created", 0), y = obj_get_int(*(obj *const *)b, "created", 0);
    return x < y ? -1 : x > y;
}

/* VNICs in creation order (dv->vnics is in that order already). */
static xr_value *vif_entries(const obj *vm, const vm_devices *dv)
{
    xr_value *arr = xr_array();
    int ioemu = obj_is(vm, "domainType", "XEN_HVM");
    for (size_t i = 0; i < dv->nvnics; i++) {
        char *s = xasprintf("mac=%s,bridge=%s%s", obj_gets(dv->vnics[i], "macAddress"),
                            obj_gets(dv->vnics[i], "network"), ioemu ? ",type=ioemu" : "");
        xr_array_add(arr, xr_string(s));
        free(s);
    }
    return arr;
}

void vm_devices_sort_vnics(obj **v, size_t n)
{
    if (n > 1) /* v is NULL when there are none */
        qsort(v, n, sizeof *v, created_cmp);
}

static const char *domain_type_cfg(const char *t)
{
    if (!strcmp(t, "XEN_HVM"))
        return "xen_hvm";
    if (!strcmp(t, "XEN_PVM"))
        return "xen_pvm";
    if (!strcmp(t, "XEN_HVM_PV_DRIVERS"))
        return "xen_hvm_pv";
    if (!strcmp(t, "LDOMS_PVM"))
        return "ldoms_pvm";
    return "unknown";
}

static char *boot_letters(const char *order)
{
    strbuf sb = STRBUF_INIT;
    char **items;
    size_t n = split_list(order && *order ? order : "DISK", &items);
    for (size_t i = 0; i < n; i++)
        sb_addc(&sb, !strcmp(items[i], "CDROM") ? 'd' : !strcmp(items[i], "PXE") ? 'n' : 'c');
    free_list(items, n);
    return sb_detach(&sb, NULL);
}

xr_value *vm_config(engine *e, const obj *vm)
{
    vm_devices dv = {NULL, 0, NULL, 0, NULL, 0};
    dv.nmaps = store_find_by(e->st, "VmDiskMapping", "vm", vm->id, &dv.maps);
    dv.nvnics = store_find_by(e->st, "Vnic", "vm", vm->id, &dv.vnics);
    vm_devices_sort_vnics(dv.vnics, dv.nvnics);
    xr_value *c = vm_config_devices(e, vm, &dv);
    free(dv.maps);
    free(dv.vnics);
    return c;
}

xr_value *vm_config_devices(engine *e, const obj *vm, const vm_devices *dv)
{
    xr_value *c = xr_struct();
    char dashed[48];
    ovm_dashed_id(vm->id, dashed, sizeof dashed);
    const char *dt = obj_gets(vm, "domainType");
    int pvm = !strcmp(dt, "XEN_PVM") || !strcmp(dt, "LDOMS_PVM");
    long long mem = obj_get_int(vm, "memory", 512), maxmem = obj_get_int(vm, "memoryLimit", mem);
    long long vcpus = obj_get_int(vm, "cpuCount", 1), maxvcpus = obj_get_int(vm, "cpuCountLimit", vcpus);
    long long cap = obj_get_int(vm, "cpuUtilizationCap", 100);
    const char *os = obj_get(vm, "osType") ? obj_get(vm, "osType") : "None";
    xr_struct_set(c, "name", xr_string(vm->id));
    xr_struct_set(c, "uuid", xr_string(dashed));
    xr_struct_set(c, "OVM_simple_name", xr_string(vm->name));
    xr_struct_set(c, "OVM_description", xr_string(obj_gets(vm, "description")));
    xr_struct_set(c, "OVM_os_type", xr_string(os));
    xr_struct_set(c, "OVM_domain_type", xr_string(domain_type_cfg(dt)));
    if (pvm)
        xr_struct_set(c, "bootloader", xr_string("/usr/bin/pygrub"));
    else
        xr_struct_set(c, "builder", xr_string("hvm"));
    xr_struct_set(c, "OVM_high_availability", xr_bool(obj_is(vm, "highAvailability", "Yes")));
    xr_struct_set(c, "OVM_cpu_compat_group", xr_string(""));
    xr_struct_set(c, "memory", xr_int(mem));
    if (maxmem != mem)
        xr_struct_set(c, "maxmem", xr_int(maxmem));
    xr_struct_set(c, "vcpus", xr_int(vcpus));
    xr_struct_set(c, "maxvcpus", xr_int(maxvcpus));
    xr_struct_set(c, "cpu_weight", xr_int(obj_get_int(vm, "cpuPriority", 50) * 550));
    xr_struct_set(c, "cpu_cap", xr_int(cap >= 100 ? 0 : cap * vcpus));
    if (!pvm) {
        char *boot = boot_letters(obj_get(vm, "bootOrder"));
        xr_struct_set(c, "boot", xr_string(boot));
        free(boot);
    }
    const char *keymap = obj_value(vm, "keymapName");
    xr_struct_set(c, "keymap", xr_string(keymap));
    xr_struct_set(c, "vnc", xr_int(1));
    xr_struct_set(c, "vncunused", xr_int(1));
    xr_struct_set(c, "vnclisten", xr_string("127.0.0.1"));
    xr_struct_set(c, "serial", xr_string("pty"));
    if (pvm) {
        char *vfb = xasprintf("type=vnc,vncunused=1,vnclisten=127.0.0.1,keymap=%s", keymap);
        xr_value *a = xr_array();
        xr_array_add(a, xr_string(vfb));
        xr_struct_set(c, "vfb", a);
        free(vfb);
    }
    if (obj_is(vm, "mouseType", "USB_TABLET"))
        xr_struct_set(c, "usbdevice", xr_string("tablet"));
    else if (obj_is(vm, "mouseType", "USB_MOUSE"))
        xr_struct_set(c, "usbdevice", xr_string("mouse"));
    xr_struct_set(c, "on_poweroff", xr_string("destroy"));
    xr_struct_set(c, "on_reboot", xr_string("restart"));
    xr_struct_set(c, "on_crash", xr_string("restart"));
    xr_struct_set(c, "guest_os_type", xr_string(!strncmp(os, "Windows", 7) ? "windows" : "linux"));
    xr_struct_set(c, "extra", xr_string(pvm ? obj_gets(vm, "networkInstallPath") : ""));
    xr_struct_set(c, "disk", disk_entries(e, dv));
    xr_struct_set(c, "vif", vif_entries(vm, dv));
    return c;
}

char *ref_text(const obj *o)
{
    return o ? xasprintf("%s  [%s]", o->id, o->name) : xstrdup("");
}

char *job_title(const char *operation, const char *type, const char *name)
{
    const gr_type *t = gr_type_find(type);
    return xasprintf("%s %s: %s", operation, t && t->show_name ? t->show_name : type, name);
}

const char *status_of(const obj *o)
{
    return status_name(status_get(o));
}


const char *obj_value(const obj *o, const char *key)
{
    const char *v = obj_get(o, key);
    return v ? v : gr_attr_value_default(gr_type_attr(o->type, key));
}

int cpu_groups_shared(engine *e, const obj *a, const obj *b)
{
    if (*obj_gets(a, "cpuCompatibilityGroup") && obj_is(a, "cpuCompatibilityGroup", obj_gets(b, "cpuCompatibilityGroup")))
        return 1;
    obj **groups;
    size_t n = store_list(e->st, "CpuCompatibilityGroup", &groups);
    int shared = 0;
    for (size_t i = 0; i < n && !shared; i++)
        shared = obj_list_has(groups[i], "servers", a->id) && obj_list_has(groups[i], "servers", b->id);
    free(groups);
    return shared;
}
