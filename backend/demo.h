/* `ovmd --demo`: a complete local environment in one command — the engine,
 * the SSH server and four simulated hosts (ovm-agentd) on 127.0.0.2-5 with a
 * pool, a repository and a few VMs. */
#ifndef OVM_DEMO_H
#define OVM_DEMO_H
#include "backend/engine.h"

typedef struct demo {
    char *dir;             /* the demo's state folder */
    char *password;        /* admin password (printed) */
    char *agent_password;
    char *listen;          /* ssh listen address */
    int port;              /* ssh port */
    int agent_port;
    int started;           /* agents started by this run */
} demo;

/* Fills the engine configuration for the demo (state dir, SSH listener,
 * admin password, agent port). listen is "ADDR:PORT" or NULL. 0 or -1. */
int demo_configure(demo *d, engine_config *cfg, const char *state_dir, const char *listen);
/* Starts the four simulated hosts. 0 or -1 (logged). */
int demo_start_agents(demo *d, const char *self_exe);
/* Creates the demo objects through the command language when the store is
 * empty, then checks that what the banner promises exists. 0, or -1 after
 * logging the failing step. */
int demo_populate(demo *d, engine *e);
/* Prints how to connect. */
void demo_banner(const demo *d);
/* Stops the simulated hosts and frees d. */
void demo_stop(demo *d);
#endif
