/* The monitor (doc/object-model.md §5.1, §7.7): polls every owned server's agent,
 * reconciles server and VM states with what the agents report, raises
 * events, and settles objects left transitional by a restart. */
#ifndef OVM_MONITOR_H
#define OVM_MONITOR_H
#include "backend/engine.h"

typedef struct monitor monitor;
/* Starts the monitor thread (a no-op monitor when poll_interval is 0, apart
 * from the start-up reconciliation). */
monitor *monitor_start(engine *e);
void monitor_stop(monitor *m);
/* Polls every server once now and reconciles (used at start-up and by tests
 * through `refresh Server`). */
void monitor_poll_all(engine *e);
/* Server s went down (S9; S5 when requested by stop or kill Server): Stopped,
 * its live VMs Stopped, HA VMs scheduled from last (ms). Write lock held. */
void monitor_server_down(engine *e, obj *s, int64_t last, int requested);
#endif
