/* The monitor (doc/object-model.md §5.1, §7.7): polls every owned server's agent,
 * reconciles server and VM states with what the agents report, raises
 * events, and settles objects left transitional by a restart. */
#ifndef OVM_MONITOR_H
#define OVM_MONITOR_H
#include "backend/engine.h"
#include "backend/flows/flow.h"

typedef struct monitor monitor;
/* Starts the monitor thread (a no-op monitor when poll_interval is 0, apart
 * from the start-up reconciliation). */
monitor *monitor_start(engine *e);
void monitor_stop(monitor *m);
/* Polls every server once now and reconciles (used at start-up and by tests
 * through `refresh Server`). */
void monitor_poll_all(engine *e);
/* How a server went down: lost (S9), or powered off by kill or stop Server (S5). */
typedef enum server_down { DOWN_LOST, DOWN_KILLED, DOWN_STOPPED } server_down;
/* Server s went down: Stopped, its live VMs Stopped, events and HA as how
 * says (monitor.c); last is the last heartbeat (ms). Write lock held. */
void monitor_server_down(engine *e, obj *s, int64_t last, server_down how);
/* The monitor's and HA's part of a power flow (backend/flows/flow_power.c):
 * a powered-off server goes down as after stop or kill Server (S5), a
 * powered-on one lets HA retry the VMs waiting for a server (H-5). */
extern const power_hooks monitor_power_hooks;
#endif
