/* Statistics sampling (stats.h): every samplingInterval the monitor's poll
 * round stores one sample per statType of each owned server that answered
 * and of each VM it runs; every fsSamplingInterval one of each file system.
 * The samples older than holdTime go when the Statistics Archive Task runs
 * (periodic.c). */
#include "backend/monitor/stats.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/model.h"
#include "backend/store/store_tables.h"
#include "lib/log.h"
#include "lib/util.h"

/* When the last samples were taken and the last prune ran; one engine per
 * process, touched under the store write lock only. */
static int64_t last_server_ms, last_fs_ms;

void stats_cfg_of(const obj *m, stats_cfg *c)
{
    c->enabled = !m || !obj_is(m, "statsEnabled", "No");
    c->sampling = m ? (int)obj_get_int(m, "statsSamplingInterval", STATS_SAMPLING_DEFAULT) : STATS_SAMPLING_DEFAULT;
    c->hold = m ? (int)obj_get_int(m, "statsHoldTime", STATS_HOLD_DEFAULT) : STATS_HOLD_DEFAULT;
    c->fs_sampling = m ? (int)obj_get_int(m, "statsFsSamplingInterval", STATS_FS_SAMPLING_DEFAULT)
                       : STATS_FS_SAMPLING_DEFAULT;
    c->archive = STATS_ARCHIVE_DEFAULT; /* the task's: stats_archive_minutes */
}

int stats_archive_minutes(const obj *task)
{
    return task ? (int)obj_get_int(task, "taskInterval", STATS_ARCHIVE_DEFAULT) : STATS_ARCHIVE_DEFAULT;
}

const char *stats_canonical(const char *stat)
{
    return !strcmp(stat, "FILE_SYSTEM_SPACE_AVAILABLE") ? "FILE_SYSTEM_SPACE_FREE" : stat;
}

/* Oracle VM 3.4: memory statistics for Server only, file system statistics
 * for FileSystem only, CPU_COUNT not for Server (so: Vm only). */
int stats_applies(const char *type, const char *stat)
{
    if (!strcmp(stat, "FREE_MEMORY") || !strcmp(stat, "MEMORY_UTILIZATION") || !strcmp(stat, "MEMORY_USED"))
        return !strcmp(type, "Server");
    if (!strncmp(stat, "FILE_SYSTEM_", 12))
        return !strcmp(type, "FileSystem");
    if (!strcmp(stat, "CPU_COUNT"))
        return !strcmp(type, "Vm");
    return !strcmp(type, "Server") || !strcmp(type, "Vm");
}

static int64_t interval_ms(int yaml_override, int seconds)
{
    return (int64_t)(yaml_override > 0 ? yaml_override : seconds) * 1000;
}

static stats_cfg cfg_now(engine *e)
{
    stats_cfg c;
    stats_cfg_of(store_get(e->st, e->manager_id), &c);
    return c;
}

/* Due when the interval has passed, give or take half a poll interval (the
 * rounds do not fall exactly on it). */
int stats_interval_due(engine *e, int64_t last, int64_t iv, int64_t now)
{
    int64_t slack = (int64_t)(e->cfg.poll_interval > 0 ? e->cfg.poll_interval : 1) * 500;
    return last == 0 || now - last + slack >= iv;
}

int stats_due(engine *e, int64_t now)
{
    stats_cfg c = cfg_now(e);
    if (!c.enabled || !stats_interval_due(e, last_server_ms, interval_ms(e->cfg.stats_interval, c.sampling), now))
        return 0;
    last_server_ms = now;
    return 1;
}

static void put(engine *e, const char *id, const char *stat, int64_t now, double v)
{
    char *err = NULL;
    if (store_stat_add(e->st, id, stat, now, v, &err) != 0)
        log_warn("statistics: %s", err);
    free(err);
}

static double rec_num(const xr_value *rec, const char *key, int *found)
{
    const xr_value *v = xr_struct_get(rec, key);
    *found = v != NULL;
    if (!v)
        return 0;
    if (v->type == XR_DOUBLE)
        return v->d;
    int64_t i = 0;
    if (xr_get_int64(v, &i) == 0)
        return (double)i;
    const char *s = xr_get_str(v);
    return s ? strtod(s, NULL) : (*found = 0, 0);
}

static void sample_vm(engine *e, const obj *s, const xr_value *rec, int64_t now)
{
    const char *name = xr_get_str(xr_struct_get(rec, "name"));
    obj *vm = name ? store_get_typed(e->st, "Vm", name) : NULL;
    if (!vm || strcmp(obj_gets(vm, "server"), s->id) != 0)
        return;
    int found;
    double util = rec_num(rec, "cpu_utilization", &found);
    if (found)
        put(e, vm->id, "CPU_UTILIZATION", now, util);
    double vcpus = rec_num(rec, "online_vcpus", &found);
    put(e, vm->id, "CPU_COUNT", now, found ? vcpus : (double)obj_get_int(vm, "cpuCount", 1));
}

void stats_sample_server(engine *e, const obj *s, const xr_value *vms, int64_t now)
{
    double total = (double)obj_get_int(s, "memory", 0), avail = (double)server_usable_memory(e, s);
    put(e, s->id, "FREE_MEMORY", now, avail);
    put(e, s->id, "MEMORY_USED", now, total - avail);
    put(e, s->id, "MEMORY_UTILIZATION", now, total > 0 ? (total - avail) * 100.0 / total : 0.0);
    for (size_t i = 0; vms && i < vms->n; i++) {
        const char *name = xr_get_str(xr_struct_get(vms->items[i], "name"));
        int found;
        if (name && !strcmp(name, "Domain-0")) { /* the host itself */
            double util = rec_num(vms->items[i], "cpu_utilization", &found);
            if (found)
                put(e, s->id, "CPU_UTILIZATION", now, util);
            stats_sample_net(e, s, vms->items[i], now);
        } else {
            sample_vm(e, s, vms->items[i], now);
        }
    }
}

static void sample_filesystems(engine *e, int64_t now)
{
    obj **fss;
    size_t n = store_list(e->st, "FileSystem", &fss);
    for (size_t i = 0; i < n; i++) {
        double size = strtod(obj_gets(fss[i], "size"), NULL), avail = strtod(obj_gets(fss[i], "free"), NULL);
        put(e, fss[i]->id, "FILE_SYSTEM_SPACE_FREE", now, avail);
        put(e, fss[i]->id, "FILE_SYSTEM_SPACE_TOTAL", now, size);
        put(e, fss[i]->id, "FILE_SYSTEM_SPACE_UTILIZATION", now, size > 0 ? (size - avail) * 100.0 / size : 0.0);
        put(e, fss[i]->id, "FILE_SYSTEM_TOTAL_FILES_SIZE", now, size - avail);
    }
    free(fss);
}

void stats_round_end(engine *e, int64_t now)
{
    stats_cfg c = cfg_now(e);
    if (c.enabled && stats_interval_due(e, last_fs_ms, interval_ms(e->cfg.stats_interval, c.fs_sampling), now)) {
        last_fs_ms = now;
        sample_filesystems(e, now);
    }
}

int64_t stats_archive_ms(engine *e, const obj *task)
{
    return interval_ms(e->cfg.stats_archive, stats_archive_minutes(task) * 60);
}

void stats_prune(engine *e, int64_t now)
{
    stats_cfg c = cfg_now(e);
    char *err = NULL;
    int gone = store_stat_prune(e->st, now - interval_ms(e->cfg.stats_hold, c.hold * 60), &err);
    if (gone < 0)
        log_warn("statistics: %s", err);
    else if (gone > 0)
        log_debug("statistics: %d samples older than the hold time pruned", gone);
    free(err);
}
