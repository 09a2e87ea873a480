/* The engine process state shared by sessions, jobs and the monitor. */
#ifndef OVM_ENGINE_H
#define OVM_ENGINE_H
#include <stdint.h>
#include <stdio.h>
#include "backend/agentc/agentc.h"
#include "backend/agentc/ca.h"
#include "backend/jobs/jobs.h"
#include "backend/store/store.h"
#include "lib/conftab.h"
#include "shell/sshd/sshd.h"

typedef struct engine_config {
    char *state_dir;       /* default /var/lib/ovmd */
    char *socket_path;     /* default <state_dir>/engine.sock */
    char *db_path;         /* default <state_dir>/ovmd.db */
    char *log_file;        /* NULL = stderr */
    char *version;         /* showversion, must start with "3.4." */
    int workers;           /* job worker threads */
    int agent_port;        /* default 8899 */
    long agent_connect_timeout; /* seconds */
    long agent_call_timeout;    /* seconds, ordinary calls */
    long agent_long_timeout;    /* seconds, disk/VM/migration calls */
    int poll_interval;     /* seconds between server polls; 0 disables the monitor */
    int offline_after;     /* seconds without an answer before a server is Stopped (S9) */
    int monitor_threads;   /* bound on concurrent agent polls */
    int ha_delay;          /* seconds before HA restarts; -1 = the pool's clusterTimeout (H-2) */
    int vm_stop_timeout;   /* seconds (doc/object-model.md L-5) */
    int backup_interval;   /* seconds between store backups; 0 disables them */
    char *backup_dir;      /* default <state_dir>/backups */
    int backup_keep;       /* newest backups kept */
    sshd_config ssh;       /* ssh.* and auth.* keys (shell/sshd/sshd.h) */
} engine_config;

typedef struct engine {
    engine_config cfg;
    store *st;
    jobs *js;
    agentc *ac;
    manager_ca *ca;        /* the Manager CA and client certificate (doc/agent-protocol.md §4) */
    char manager_id[64];   /* Manager object id = Manager UUID */
    volatile int stopping;
} engine;

/* Fills cfg with the documented defaults (ovmd.yaml(5)). */
void engine_config_defaults(engine_config *cfg);
/* Loads ovmd.yaml over the defaults. 0 ok, -1 with *err (heap). A missing
 * file is not an error when optional is set. */
int engine_config_load(engine_config *cfg, const char *path, int optional, char **err);
/* The same from an in-memory document of len bytes; name prefixes *err. */
int engine_config_load_buffer(engine_config *cfg, const char *buf, size_t len, const char *name, char **err);
void engine_config_free(engine_config *cfg);
/* The effective configuration as "key value" lines (ovmd --print-config);
 * password hashes are never printed. */
void engine_config_print(const engine_config *cfg, FILE *fp);
/* The engine's table of ovmd.yaml keys (ssh.* and auth.*: sshd_config_keys). */
const conf_key *engine_config_keys(size_t *n);
#endif
