/* The sim driver: a simulated Xen host whose domains are records in the agent
 * state (sim_domain.c, sim_migrate.c). This file holds its host facts, the
 * small domain operations and its row of operations. */
#include <stdio.h>
#include <string.h>
#include "agent/sim.h"
#include "agent/sim_driver.h"

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static void sim_host_facts(struct sim *s, struct host_facts *f)
{
    const char *uid = sim_str(s->st, "unique_id", "");
    f->cpus = s->cpus;
    f->sockets = s->cpus % 2 == 0 && s->cpus >= 2 ? 2 : 1;
    f->cores_per_socket = s->cpus / f->sockets;
    f->threads_per_core = 1;
    f->nodes = 1;
    f->cpu_khz = 2394000;
    f->total_mb = s->memory_mb;
    f->free_mb = sim_free_mb(s);
    f->cpu_family = s->cpu_family;
    f->cpu_model = s->cpu_model;
    COPY(f->cpu_vendor, "GenuineIntel");
    COPY(f->cpu_model_name, "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz");
    COPY(f->cpu_stepping, "1");
    COPY(f->hw_caps, "bfebfbff:2c100800:00000000:00007f00:77fefbff:00000000:00000121:021cbfbb");
    COPY(f->hypervisor_type, "xen");
    COPY(f->hypervisor_name, "Xen");
    COPY(f->vmm_version, s->xen_version);
    COPY(f->vmm_compile, "ovm-agentd sim driver");
    COPY(f->vmm_caps, "xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64");
    COPY(f->kernel_release, "4.1.12-124.48.6.el6uek.x86_64");
    COPY(f->kernel_version, "#2 SMP Tue Mar 16 15:39:03 PDT 2021");
    COPY(f->manufacturer, "Oracle Corporation");
    COPY(f->product, "SUN SERVER X6-2 (simulated)");
    snprintf(f->serial, sizeof f->serial, "SIM%.2s%.2s%.2s%.2s", uid, uid + 3, uid + 6, uid + 9);
    COPY(f->bios_vendor, "American Megatrends Inc.");
    COPY(f->bios_version, "38050100");
    COPY(f->bios_date, "08/30/2016");
    COPY(f->system_uuid, uid);
}

static int sim_vm_running(struct sim *s, const char *vm_id)
{
    return sim_domain_find(s, vm_id) != NULL;
}

/* A running domain takes the new vCPU count live (doc/agent-protocol.md §10). */
static xr_value *sim_set_vcpus(struct call_ctx *c, const char *vm, int64_t vcpus)
{
    xr_value *dom = sim_domain(c->sim, vm);
    if (dom)
        xr_struct_set(dom, "vcpus", xr_int(vcpus));
    return xr_nil();
}

static xr_value *sim_send_to_guest(struct call_ctx *c, const char *vm, const xr_value *msg)
{
    xr_value *dom = sim_domain(c->sim, vm);
    if (!dom)
        return call_fault(c, "exceptions.RuntimeError:VM %s is not running", vm);
    xr_array_add(sim_member(dom, "guest_messages", XR_ARRAY), xr_copy(msg));
    return xr_nil();
}

/* A guest keeps at most this many unread pairs for the Manager, like a
 * bounded channel: the oldest goes when a new one comes. */
#define GUEST_SENT_MAX 64

static xr_value *sim_guest_messages(struct call_ctx *c, const char *vm, int clear)
{
    xr_value *dom = sim_domain(c->sim, vm);
    if (!dom)
        return call_fault(c, "exceptions.RuntimeError:VM %s is not running", vm);
    if (clear) {
        xr_struct_set(dom, "guest_sent", xr_array());
        return xr_nil();
    }
    return xr_copy(sim_member(dom, "guest_sent", XR_ARRAY));
}

/* The limits are sendVmMessage's (a key of 1 to 256 bytes, a value of at
 * most 8192), so that what a guest sends can always be shown. */
static xr_value *sim_guest_send(struct call_ctx *c, const char *vm, const char *key, const char *value)
{
    xr_value *dom = sim_domain(c->sim, vm);
    if (!dom)
        return call_fault(c, "exceptions.RuntimeError:VM %s is not running", vm);
    if (!*key || strlen(key) > 256 || strlen(value) > 8192)
        return call_fault(c, "exceptions.ValueError:a guest message key is 1 to 256 bytes, its value at most 8192");
    xr_value *list = sim_member(dom, "guest_sent", XR_ARRAY);
    if (list->n >= GUEST_SENT_MAX) {
        xr_free(list->items[0]);
        memmove(list->items, list->items + 1, (list->n - 1) * sizeof *list->items);
        list->n--;
    }
    xr_value *m = xr_struct();
    xr_struct_set(m, "key", xr_string(key));
    xr_struct_set(m, "value", xr_string(value));
    xr_array_add(list, m);
    return xr_nil();
}

static int sim_drv_open(struct sim *s, const struct agent_config *cfg)
{
    (void)s, (void)cfg;
    return 0;
}

static void sim_drv_close(struct sim *s)
{
    (void)s;
}

static int sim_disk_create(struct sim *s, const char *path, int64_t size)
{
    (void)s;
    return disk_create_sparse(path, size);
}

static int sim_disk_copy(struct sim *s, const char *src, const char *dst, int sparse)
{
    (void)s;
    return disk_copy_extents(src, dst, sparse);
}

static int sim_disk_resize(struct sim *s, const char *path, int64_t size)
{
    (void)s;
    return disk_grow_raw(path, size);
}

/* Nothing to ask of a simulated destination: sim_receive_domain does it all. */
static xr_value *sim_migration_target(struct call_ctx *c, const char *repo, const char *vm)
{
    (void)repo, (void)vm;
    xr_value *r = xr_struct();
    xr_struct_set(r, "driver", xr_string(c->sim->drv->name));
    return r;
}

const struct driver sim_driver = {
    .name = "sim",
    .open = sim_drv_open,
    .close = sim_drv_close,
    .host_facts = sim_host_facts,
    .vm_running = sim_vm_running,
    .repo_busy = sim_mount_busy,
    .start = simdrv_start,
    .stop = simdrv_stop,
    .reboot = simdrv_reboot,
    .pause = simdrv_pause,
    .save = simdrv_save,
    .restore = simdrv_restore,
    .list_vm = simdrv_list_vm,
    .list_vms = simdrv_list_vms,
    .set_vcpus = sim_set_vcpus,
    .send_to_guest = sim_send_to_guest,
    .guest_messages = sim_guest_messages,
    .migrate = simdrv_migrate,
    .migration_target = sim_migration_target,
    .disk_create = sim_disk_create,
    .disk_copy = sim_disk_copy,
    .disk_resize = sim_disk_resize,
    .bridge = simdrv_bridge,
    .receive = simdrv_receive,
    .guest_shutdown = simdrv_guest_shutdown,
    .guest_send = sim_guest_send,
    .crash = simdrv_crash,
    .set_cpu_load = simdrv_set_cpu_load,
};
