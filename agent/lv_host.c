/* Host facts of a libvirt host: topology and memory from virNodeGetInfo and
 * the node's memory statistics, the CPU from the capabilities document
 * (vendor, model name and the CPUID family/model signature that CPU
 * compatibility groups compare), versions from the connection. SMBIOS data is
 * often missing (virConnectGetSysinfo fails): the DMTF fields stay empty.
 * The capabilities parser is in lv_caps.c. */
#include "agent/lv.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "agent/sim.h"
#include "lib/log.h"

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static void node_facts(virConnectPtr conn, struct host_facts *f)
{
    virNodeInfo ni;
    if (virNodeGetInfo(conn, &ni) == 0) {
        f->cpus = (int)ni.cpus;
        f->nodes = ni.nodes > 0 ? (int)ni.nodes : 1;
        f->sockets = (int)ni.sockets * f->nodes;
        f->cores_per_socket = (int)ni.cores;
        f->threads_per_core = (int)ni.threads;
        f->cpu_khz = (int64_t)ni.mhz * 1000;
        f->total_mb = (int64_t)(ni.memory / 1024);
    }
    int n = 0;
    unsigned long long fr = 0, bu = 0, ca = 0;
    if (virNodeGetMemoryStats(conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &n, 0) == 0 && n > 0) {
        virNodeMemoryStatsPtr st = calloc((size_t)n, sizeof *st);
        if (st && virNodeGetMemoryStats(conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, st, &n, 0) == 0)
            for (int i = 0; i < n; i++) {
                if (!strcmp(st[i].field, VIR_NODE_MEMORY_STATS_FREE)) fr = st[i].value;
                else if (!strcmp(st[i].field, VIR_NODE_MEMORY_STATS_BUFFERS)) bu = st[i].value;
                else if (!strcmp(st[i].field, VIR_NODE_MEMORY_STATS_CACHED)) ca = st[i].value;
            }
        free(st);
    }
    f->free_mb = lv_free_mb(fr, bu, ca);
}

static void versions(virConnectPtr conn, const char *domain_type, struct host_facts *f)
{
    unsigned long v = 0, lib = 0;
    const char *type = virConnectGetType(conn);
    virConnectGetVersion(conn, &v);
    virConnectGetLibVersion(conn, &lib);
    COPY(f->hypervisor_type, domain_type);
    COPY(f->hypervisor_name, type ? type : "QEMU");
    snprintf(f->vmm_version, sizeof f->vmm_version, "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
    snprintf(f->vmm_compile, sizeof f->vmm_compile, "ovm-agentd libvirt driver, libvirt %lu.%lu.%lu",
             lib / 1000000, lib / 1000 % 1000, lib % 1000);
    snprintf(f->vmm_caps, sizeof f->vmm_caps, "hvm-%s-x86_64", domain_type);
}

void lv_host_facts(struct sim *s, struct host_facts *f)
{
    struct lv *lv = LV(s);
    struct utsname u;
    if (uname(&u) == 0) {
        COPY(f->kernel_release, u.release);
        COPY(f->kernel_version, u.version);
    }
    f->cpus = f->sockets = f->cores_per_socket = f->threads_per_core = f->nodes = 1;
    COPY(f->vmm_version, "0.0");
    virConnectPtr conn = lv_conn_get(lv);
    if (!conn) {
        log_warn("host facts: libvirt at %s unreachable: %s", lv->uri, virGetLastErrorMessage());
        return;
    }
    node_facts(conn, f);
    char *caps = virConnectGetCapabilities(conn);
    lv_caps_cpu(caps, f);
    free(caps);
    versions(conn, lv->domain_type, f);
    virConnectClose(conn);
}
