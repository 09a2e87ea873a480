/* High availability (doc/object-model.md §6.10, §6.11 MM-2/MM-3): restart of HA
 * VMs whose server failed or whose guest shut down, and maintenance-mode
 * evacuation of a clustered pool's server. Called from the monitor and the
 * server edit job. VM attributes used (not shown): haDue (ms of the restart,
 * or "wait" after HA_NO_SERVER), haFrom (the failed server), haGuest (Yes
 * after a guest shutdown: the same server is preferred). */
#ifndef OVM_HA_H
#define OVM_HA_H
#include "backend/engine.h"

/* 1 if vm is protected by HA (H-1: highAvailability=Yes in a clustered pool). Read lock held. */
int ha_protected(engine *e, const obj *vm);
/* Schedules the HA restart of vm at due_ms (H-2, H-6). guest: the VM stopped
 * from inside on from_server. Write lock held. */
void ha_schedule(engine *e, obj *vm, const char *from_server, int64_t due_ms, int guest);
/* H-5: VMs of pool_id waiting for a server are retried at the next ha_tick. Write lock held. */
void ha_kick(engine *e, const char *pool_id);
/* Submits the HA restart jobs that are due, in H-4 order. Takes the store lock itself. */
void ha_tick(engine *e);

/* Maintenance evacuation (MM-2): a FAN_OUT plan of live migrations. */
typedef struct evac_plan evac_plan;
/* NULL when server s is not in a clustered pool or runs nothing; else the
 * plan, with every running VM added to j's write set. Read lock held. */
evac_plan *ha_evac_plan(engine *e, job *j, const obj *s);
void ha_evac_free(evac_plan *p);
/* Runs the children; on any failure fails j with the MM-3 text and raises
 * MAINTENANCE_EVACUATION_INCOMPLETE. 0 or -1. */
int ha_evacuate(job *j, evac_plan *p);
#endif
