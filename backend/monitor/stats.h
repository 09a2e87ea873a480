/* Statistics (doc/command-language.md §5.4, doc/object-model.md §5.6): the
 * statType names and which object types have them, the values the monitor
 * samples into the store's stats table, and the settings of
 * setStatsConfig/setArchiveConfig (kept on the Manager object). */
#ifndef OVM_MONITOR_STATS_H
#define OVM_MONITOR_STATS_H
#include <stddef.h>
#include <stdint.h>
#include "backend/engine.h"
#include "lib/xmlrpc.h"

typedef struct stats_cfg {
    int enabled;            /* statisticsEnabled */
    int sampling;           /* samplingInterval, seconds */
    int hold;               /* holdTime, minutes */
    int fs_sampling;        /* fsSamplingInterval, seconds */
    int archive;            /* setArchiveConfig interval, minutes */
} stats_cfg;

/* Defaults, and Oracle VM 3.4's ranges for the settings. */
#define STATS_SAMPLING_DEFAULT 60
#define STATS_HOLD_DEFAULT 60
#define STATS_FS_SAMPLING_DEFAULT 300
#define STATS_ARCHIVE_DEFAULT 60

/* The settings as stored on the Manager object m (defaults where unset). */
void stats_cfg_of(const obj *m, stats_cfg *c);
/* The statType stored for name: an alias (FILE_SYSTEM_SPACE_AVAILABLE) maps
 * to Oracle's name (FILE_SYSTEM_SPACE_FREE); static. */
const char *stats_canonical(const char *stat);
/* 1 when objects of type have statistic stat. */
int stats_applies(const char *type, const char *stat);

/* Monitor side; callers hold the store write lock inside a transaction. */
/* 1 when the servers' and VMs' samples are due in this round at now. */
int stats_due(engine *e, int64_t now);
/* Records the samples of server s and of the VMs it runs from its list_vms
 * answer (each record's cpu_utilization, doc/agent-protocol.md §7). */
void stats_sample_server(engine *e, const obj *s, const xr_value *vms, int64_t now);
/* Network statType names (this Manager's; Oracle's getStatList has none
 * for networks): percent of the device's capacity, per Port, BondPort or
 * VlanInterface (stats_net.c). */
#define STAT_NET_RX "NETWORK_RECEIVE_UTILIZATION"
#define STAT_NET_TX "NETWORK_TRANSMIT_UTILIZATION"
/* Records the traffic of s's devices from its Domain-0 record's net_rates. */
void stats_sample_net(engine *e, const obj *s, const xr_value *dom0, int64_t now);
/* Average of id's samples of stat since from; -1 when there is none. Read
 * lock held. */
double stats_average(engine *e, const char *id, const char *stat, int64_t from);
/* File system samples when due. */
void stats_round_end(engine *e, int64_t now);
/* 1 when iv ms have passed since last (0: never), give or take half a poll. */
int stats_interval_due(engine *e, int64_t last, int64_t iv, int64_t now);
/* The archive interval: the Statistics Archive Task's taskInterval (minutes;
 * the default without the task), and in ms with stats.archive_interval. */
int stats_archive_minutes(const obj *task);
int64_t stats_archive_ms(engine *e, const obj *task);
/* Removes the samples older than the hold time (write lock, transaction). */
void stats_prune(engine *e, int64_t now);

#endif
