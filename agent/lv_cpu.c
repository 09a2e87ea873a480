/* CPU utilisation of libvirt guests and of the host (doc/agent-protocol.md
 * §7 cpu_utilization): libvirt gives cumulative counters, so each list_vms
 * call compares them with what the previous call saw. The readings are kept
 * per domain uuid in a small table for the life of the agent. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agent/lv.h"
#include "lib/util.h"

#define LV_CPU_SLOTS 512

static struct reading {
    char key[64];
    double busy, t; /* counter and when (seconds), or busy and total CPU time */
} table[LV_CPU_SLOTS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Swaps in the new reading of key; *old gets the previous one (0 when none).
 * A full table reuses the slot read longest ago. */
static int swap_reading(const char *key, double busy, double t, struct reading *old)
{
    pthread_mutex_lock(&table_lock);
    size_t pick = 0;
    int found = 0;
    for (size_t i = 0; i < LV_CPU_SLOTS; i++) {
        if (!strcmp(table[i].key, key)) {
            pick = i, found = 1;
            break;
        }
        if (!table[i].key[0] || table[i].t < table[pick].t)
            pick = i;
    }
    *old = table[pick];
    snprintf(table[pick].key, sizeof table[pick].key, "%s", key);
    table[pick].busy = busy;
    table[pick].t = t;
    pthread_mutex_unlock(&table_lock);
    return found;
}

static double num(const xr_value *rec, const char *key)
{
    const xr_value *v = xr_struct_get(rec, key);
    int64_t i = 0;
    if (v && v->type == XR_DOUBLE)
        return v->d;
    return v && xr_get_int64(v, &i) == 0 ? (double)i : 0;
}

void lv_cpu_annotate(xr_value *rec)
{
    const char *uuid = xr_get_str(xr_struct_get(rec, "uuid"));
    struct reading old;
    double busy = num(rec, "cpu_time"), now = mono_s();
    if (!uuid || !swap_reading(uuid, busy, now, &old))
        return;
    double pct = lv_cpu_percent(old.busy, old.t, busy, now, num(rec, "online_vcpus"));
    if (pct >= 0)
        xr_struct_set(rec, "cpu_utilization", xr_double(pct));
}

void lv_cpu_annotate_host(virConnectPtr conn, xr_value *dom0)
{
    int n = 0;
    if (virNodeGetCPUStats(conn, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &n, 0) != 0 || n <= 0)
        return;
    virNodeCPUStatsPtr p = xcalloc((size_t)n, sizeof *p);
    double total = 0, idle = 0;
    if (virNodeGetCPUStats(conn, VIR_NODE_CPU_STATS_ALL_CPUS, p, &n, 0) == 0) {
        for (int i = 0; i < n; i++) {
            total += (double)p[i].value;
            if (!strcmp(p[i].field, VIR_NODE_CPU_STATS_IDLE) || !strcmp(p[i].field, VIR_NODE_CPU_STATS_IOWAIT))
                idle += (double)p[i].value;
        }
    }
    free(p);
    struct reading old;
    if (total <= 0 || !swap_reading("Domain-0", total - idle, total, &old))
        return;
    /* busy and total CPU time of all CPUs: the share is their ratio */
    double pct = lv_cpu_percent(old.busy, old.t, total - idle, total, 1);
    if (pct >= 0)
        xr_struct_set(dom0, "cpu_utilization", xr_double(pct));
}
