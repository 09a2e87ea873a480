/* The engine process state shared by sessions, jobs and the monitor. */
#ifndef OVM_ENGINE_H
#define OVM_ENGINE_H
#include <stdint.h>
#include <stdio.h>
#include "backend/agentc/agentc.h"
#include "backend/agentc/ca.h"
#include "backend/jobs/jobs.h"
#include "backend/store/store.h"

typedef struct engine_config {
    char *state_dir;       /* default /var/lib/ovmd */
    char *socket_path;     /* default <state_dir>/engine.sock */
    char *db_path;         /* default <state_dir>/ovmd.db */
    char *log_file;        /* NULL = stderr */
    char *version;         /* showversion, must start with "3.4." */
    int workers;           /* job worker threads */
    int max_queued;        /* queued jobs beyond which asynchronous commands wait */
    int agent_port;        /* default 8899 */
    long agent_connect_timeout; /* seconds */
    long agent_call_timeout;    /* seconds, ordinary calls */
    long agent_long_timeout;    /* seconds, disk/VM/migration calls */
    int poll_interval;     /* seconds between server polls; 0 disables the monitor */
    int offline_after;     /* seconds without an answer before a server is Stopped (S9) */
    int monitor_threads;   /* bound on concurrent agent polls */
    int stats_interval;    /* seconds between samples; 0 = the Manager's samplingInterval and
                              fsSamplingInterval (setStatsConfig) */
    int stats_hold;        /* seconds samples are kept; 0 = the Manager's holdTime */
    int stats_archive;     /* seconds between prunes; 0 = the Manager's archive interval */
    int policy_period;     /* seconds between DRS and DPM evaluations; 0 = the pool's policyPeriod */
    int ha_delay;          /* seconds before HA restarts; -1 = the pool's clusterTimeout (H-2) */
    int vm_stop_timeout;   /* seconds (doc/object-model.md L-5) */
    int ipmi_timeout;      /* seconds per IPMI session to a ServerController */
    int power_timeout;     /* seconds the power flow (start/stop/kill/restart Server, DPM) waits for the power state */
    int backup_interval;   /* seconds between store backups; 0 disables them */
    char *backup_dir;      /* default <state_dir>/backups */
    int backup_keep;       /* newest backups kept */
    /* ssh.* and auth.* keys: the SSH server's own type, opaque here so that the
     * engine does not include the SSH server (only backend/daemon/ joins them). */
    struct sshd_config *ssh;
} engine_config;

typedef struct engine {
    engine_config cfg;
    store *st;
    jobs *js;
    agentc *ac;
    struct server_load *load; /* jobs planned per server (backend/flows/server_load.h) */
    manager_ca *ca;        /* the Manager CA and client certificate (doc/agent-protocol.md §4) */
    char manager_id[64];   /* Manager object id = Manager UUID */
    volatile int stopping;
} engine;

#endif
