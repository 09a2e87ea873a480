/* Hypervisor drivers of ovm-agentd.
 *
 * Why this split: the XML-RPC surface (dispatch.c's method table, argument
 * decoding, Python-style faults) and everything that only touches files or
 * the persisted agent state are the same whatever runs the guests: the
 * repository layout under /OVS/Repositories (VirtualMachines/<vm>/vm.cfg,
 * VirtualDisks/, ISOs/, Templates/), vm.cfg reading and writing, pool,
 * cluster and ownership bookkeeping, NTP, passwords, the storage plug-in's
 * file view. Those stay in the shared sim_*.c handler files (the prefix is
 * historic: `struct sim` is the agent's core state, whatever the driver).
 *
 * What differs between a simulated Xen host and a real one is only what
 * touches the hypervisor: host facts, the lifecycle of running domains,
 * migration (and its receiving side), how disk images are made, bridges and
 * guest messages. A driver is that set of operations, chosen once at
 * start-up (--driver); handlers decode arguments and call through
 * c->sim->drv, so adding a driver means one more table row in driver.c and
 * touches no dispatcher code. An operation a driver cannot do is NULL and
 * gives a clear fault (driver_unsupported).
 *
 * Conventions: an operation taking a call_ctx runs with the agent lock held
 * (except migrate, which the dispatcher runs unlocked) and returns the
 * method's result, or NULL after call_fault. */
#ifndef OVM_AGENT_DRIVER_H
#define OVM_AGENT_DRIVER_H
#include <stdint.h>
#include <sys/types.h>
#include "agent/agent.h"
#include "agent/dispatch.h"
#include "lib/xmlrpc.h"

struct sim;

/* What discover_server / discover_hardware report about the host; empty
 * strings are reported as empty elements (e.g. no SMBIOS: empty DMTF). */
struct host_facts {
    int cpus, sockets, cores_per_socket, threads_per_core, nodes;
    int64_t cpu_khz, total_mb, free_mb;
    int cpu_family, cpu_model;
    char cpu_vendor[64], cpu_model_name[128], cpu_stepping[16], hw_caps[128];
    char hypervisor_type[16], hypervisor_name[32], vmm_version[64], vmm_compile[96], vmm_caps[256];
    char kernel_release[96], kernel_version[128];
    char manufacturer[96], product[96], serial[64], bios_vendor[96], bios_version[64],
        bios_date[32], system_uuid[64];
};

struct driver {
    const char *name;
    /* Called by sim_open once the state is loaded; 0 or -1 (logged). */
    int (*open)(struct sim *s, const struct agent_config *cfg);
    void (*close)(struct sim *s);
    /* Host facts; caller holds s->lock. */
    void (*host_facts)(struct sim *s, struct host_facts *f);
    /* 1 if vm_id runs here; 1 if a running domain uses the repository mounted
     * at mount_point (agent path). */
    int (*vm_running)(struct sim *s, const char *vm_id);
    int (*repo_busy)(struct sim *s, const char *mount_point);
    /* Reads vm.cfg (sim_read_vmcfg) and starts the domain. */
    xr_value *(*start)(struct call_ctx *c, const char *repo, const char *vm);
    xr_value *(*stop)(struct call_ctx *c, const char *vm, int force);
    xr_value *(*reboot)(struct call_ctx *c, const char *vm);
    xr_value *(*pause)(struct call_ctx *c, const char *vm, int paused);
    xr_value *(*save)(struct call_ctx *c, const char *repo, const char *vm, int checkpoint);
    xr_value *(*restore)(struct call_ctx *c, const char *repo, const char *vm, int paused);
    /* §7 record, or nil when vm is not running. */
    xr_value *(*list_vm)(struct call_ctx *c, const char *vm);
    xr_value *(*list_vms)(struct call_ctx *c);
    /* configure_vm of a running domain: the new vCPU count, live. */
    xr_value *(*set_vcpus)(struct call_ctx *c, const char *vm, int64_t vcpus);
    xr_value *(*send_to_guest)(struct call_ctx *c, const char *vm, const xr_value *msg);
    /* What the guest sent the Manager: a list of {key, value} structs, oldest
     * first, or nil once emptied when clear is set. */
    xr_value *(*guest_messages)(struct call_ctx *c, const char *vm, int clear);
    /* Runs unlocked: takes s->lock itself around state changes. */
    xr_value *(*migrate)(struct call_ctx *c, const char *repo, const char *vm, const char *dest, int live,
                         int ssl);
    /* Receiving side, asked by the source agent before a migration. */
    xr_value *(*migration_target)(struct call_ctx *c, const char *repo, const char *vm);
    /* Disk images (host paths). 0, or -1 with errno; copy: -2 when dst failed. */
    int (*disk_create)(struct sim *s, const char *path, int64_t size);
    int (*disk_copy)(struct sim *s, const char *src, const char *dst, int sparse);
    /* Grows the image at path to size bytes (the handler refuses a shrink). */
    int (*disk_resize)(struct sim *s, const char *path, int64_t size);
    xr_value *(*bridge)(struct call_ctx *c, const char *action, const char *bridge, const char *dev);
    /* Test hooks of the simulator (sim_* methods); NULL elsewhere. */
    xr_value *(*receive)(struct call_ctx *c, const char *repo, const char *vm, const xr_value *rec);
    xr_value *(*guest_shutdown)(struct call_ctx *c, const char *vm);
    /* Test hook: the guest sends the Manager the pair key=value. */
    xr_value *(*guest_send)(struct call_ctx *c, const char *vm, const char *key, const char *value);
    xr_value *(*crash)(struct call_ctx *c);
    /* Test hook: the share (0-100 %) of its vCPUs a guest keeps busy; vm ""
     * or "Domain-0" is the host's own load (dom0). */
    xr_value *(*set_cpu_load)(struct call_ctx *c, const char *vm, int64_t load);
};

/* The driver called name, or NULL. *built_in is 0 for a driver this build
 * knows of but was compiled without. */
const struct driver *driver_find(const char *name, int *built_in);
/* Comma-separated names of the built-in drivers (static). */
const char *driver_names(void);
/* The fault for an operation the current driver does not have. */
xr_value *driver_unsupported(struct call_ctx *c);

extern const struct driver sim_driver;
#ifdef OVM_WITH_LIBVIRT
extern const struct driver libvirt_driver;
#endif

/* Shared disk helpers (sim_storage.c), also used by drivers: a sparse raw
 * file of size bytes, and an extent-wise copy. Same returns as above. */
int disk_create_sparse(const char *path, int64_t size);
int disk_copy_extents(const char *src, const char *dst, int sparse);
/* Writes buf at off in fd, leaving every whole 4 KiB block of zeros (by
 * file offset) unwritten, so that it stays a hole: cp --sparse=always's
 * rule. The caller sets the file's size at the end. 0 or -1 (errno). */
int pwrite_sparse(int fd, const char *buf, size_t len, off_t off);
/* Grows a raw file to size bytes, sparsely (the new tail reads as zeros). */
int disk_grow_raw(const char *path, int64_t size);
#endif
