/* `ovmd --demo`: a complete local environment in one command — the engine,
 * the SSH server and four simulated hosts (ovm-agentd) on 127.0.0.2-5 with a
 * pool, a repository and a few VMs. */
#ifndef OVM_DEMO_H
#define OVM_DEMO_H
#include "backend/engine.h"

#define DEMO_HOSTS 4

typedef struct demo {
    char *dir;             /* the demo's state folder */
    char *password;        /* admin password (printed) */
    char *agent_password;
    char *listen;          /* ssh listen address */
    int port;              /* ssh port */
    int agent_port;
    int started;           /* agents started by this run */
    char *agent_bin;       /* the ovm-agentd they run */
    int pids[DEMO_HOSTS];  /* agents not yet waited for (they detach once listening) */
} demo;

/* Fills the engine configuration for the demo (state dir, SSH listener,
 * admin password, agent port). listen is "ADDR:PORT" or NULL. 0 or -1. */
int demo_configure(demo *d, engine_config *cfg, const char *state_dir, const char *listen);
/* Starts the four simulated hosts without waiting for them to listen, so
 * that the engine starts meanwhile. 0 or -1 (logged). */
int demo_start_agents(demo *d, const char *self_exe);
/* Waits until the hosts started listen (done by demo_populate). 0 or -1 (logged). */
int demo_wait_agents(demo *d);
/* Creates the demo objects through the command language when the store is
 * empty, then checks that what the banner promises exists. 0, or -1 after
 * logging the failing step. */
int demo_populate(demo *d, engine *e);
/* Prints how to connect. */
void demo_banner(const demo *d);
/* Stops the simulated hosts and frees d. */
void demo_stop(demo *d);
#endif
