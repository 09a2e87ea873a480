/* Internals of the libvirt driver (drv_libvirt.c and lv_*.c). */
#ifndef OVM_AGENT_LV_H
#define OVM_AGENT_LV_H
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include "lib/strbuf.h"
#include "lib/xmlrpc.h"

struct sim;
struct call_ctx;

/* Namespace of the agent's <metadata> element in domain XML: the repository
 * of a running domain travels with it (also across migration). */
#define LV_META_NS "http://ovmsh.invalid/agent/1"
#define LV_META_PREFIX "ovm"
#define LV_CONSOLE_FILE "console.log"

struct lv {
    pthread_mutex_t conn_lock;     /* guards conn and conn_dead */
    virConnectPtr conn;            /* NULL until the first use, or after a failure */
    int conn_dead;                 /* the close callback fired: reconnect */
    char *uri;
    char *domain_type;
    char *migrate_uri;             /* NULL: derived in lv_migrate.c */
    int migrate_unsafe;
    int shutdown_timeout;
    int make_bridges;              /* --libvirt-bridges (lv_bridge.c) */
    int have_owner;
    uid_t owner_uid;
    gid_t owner_gid;
    pthread_t loop;
    int loop_started;
    volatile int loop_stop;
    int wake_timer;
};

/* --- vm.cfg -> domain XML (lv_xml.c): pure, no connection --- */
struct lvx_opts {
    const char *domain_type;        /* "qemu" or "kvm" */
    const char *vm_id, *repo_id;
    const char *console_path;       /* host path of the serial log */
    int bridges;                    /* 1: vifs on existing host bridges use them */
    /* agent path (/OVS/...) -> host path (heap), NULL if invalid */
    char *(*host_path)(void *arg, const char *agent_path);
    void *arg;
};
/* The domain XML for cfg (heap), or NULL with a fault text (no prefix) in err. */
char *lvx_domain_xml(const xr_value *cfg, const struct lvx_opts *o, char *err, size_t errlen);
/* "qcow2" when the file starts with the qcow2 magic, else "raw". */
const char *lvx_image_format(const char *host_path);

/* --- records (lv_stats.c): pure arithmetic on libvirt values --- */
/* Six-letter Xen state flags for a libvirt domain state. */
const char *lv_state_flags(int state);
/* §7 record of a domain from its stats parameters; info (may be NULL) fills
 * what the stats lack. */
xr_value *lv_record(const char *name, const char *uuid, int domid, const virTypedParameter *p, int n,
                    const virDomainInfo *info, const char *vnc_location);
/* Percent of cpus CPUs busy between two readings of a busy-time counter
 * (busy0 at t0, busy1 at t1, same unit), at most 100; -1 when the readings
 * give no interval (the first, or a counter that restarted). */
double lv_cpu_percent(double busy0, double t0, double busy1, double t1, double cpus);
/* --- CPU utilisation between list_vms calls (lv_cpu.c) --- */
/* Adds cpu_utilization to a §7 record from the change of its cpu_time since
 * the previous call that saw it; nothing on the first. */
void lv_cpu_annotate(xr_value *rec);
/* Adds the host's cpu_utilization to the Domain-0 record from the node's
 * CPU counters (virNodeGetCPUStats) since the previous call. */
void lv_cpu_annotate_host(virConnectPtr conn, xr_value *dom0);
/* Free memory in MB from virNodeGetMemoryStats-style values (KiB). */
int64_t lv_free_mb(unsigned long long free_kib, unsigned long long buffers_kib, unsigned long long cached_kib);

/* --- connection (lv_conn.c) --- */
int lv_open(struct lv *lv);
void lv_close(struct lv *lv);
/* A referenced connection (virConnectClose it), reconnecting when the daemon
 * went away; NULL after a fault on c. */
virConnectPtr lv_conn(struct call_ctx *c);
/* The same without a call: NULL (logged at debug level) on failure. */
virConnectPtr lv_conn_get(struct lv *lv);
/* Records a fault "<what>: <libvirt's last error>" on c; returns NULL. */
xr_value *lv_fault(struct call_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The running domain vm (virDomainFree it) or NULL. With c, a fault when
 * libvirt cannot tell, and when it is not running and must_exist. */
virDomainPtr lv_domain(struct call_ctx *c, virConnectPtr conn, const char *vm, int must_exist);
#define LV(s) ((struct lv *)(s)->drv_priv)

/* --- operations (lv_domain.c, lv_migrate.c, lv_host.c) --- */
xr_value *lv_start(struct call_ctx *c, const char *repo, const char *vm);
xr_value *lv_stop(struct call_ctx *c, const char *vm, int force);
xr_value *lv_reboot(struct call_ctx *c, const char *vm);
xr_value *lv_pause(struct call_ctx *c, const char *vm, int paused);
xr_value *lv_save(struct call_ctx *c, const char *repo, const char *vm, int checkpoint);
xr_value *lv_restore(struct call_ctx *c, const char *repo, const char *vm, int paused);
xr_value *lv_list_vm(struct call_ctx *c, const char *vm);
xr_value *lv_list_vms(struct call_ctx *c);
xr_value *lv_set_vcpus(struct call_ctx *c, const char *vm, int64_t vcpus);
int lv_vm_running(struct sim *s, const char *vm);
int lv_repo_busy(struct sim *s, const char *mount_point);
xr_value *lv_migrate(struct call_ctx *c, const char *repo, const char *vm, const char *dest, int live, int ssl);
xr_value *lv_migration_target(struct call_ctx *c, const char *repo, const char *vm);
/* lv_domain.c, shared with the receiving side of a migration: the console
 * file's host path (heap), and the files handed to the guest's user before
 * QEMU opens them (0, or -1 after a fault on c). */
char *lv_console_path(struct sim *s, const char *repo, const char *vm);
int lv_prepare_files(struct call_ctx *c, const char *repo, const char *vm, const xr_value *cfg, const char *console);
struct host_facts;
void lv_host_facts(struct sim *s, struct host_facts *f);
/* Parses capabilities XML into f (CPU vendor, model, family, model number). */
void lv_caps_cpu(const char *caps_xml, struct host_facts *f);
/* ovs_br_config (lv_bridge.c): kernel bridges with --libvirt-bridges,
 * else the simulator's record only. */
xr_value *lv_bridge(struct call_ctx *c, const char *action, const char *bridge, const char *dev);
#endif
