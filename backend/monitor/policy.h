/* The DRS and DPM policies of server pools (doc/object-model.md §7.7): every
 * policyPeriod the monitor moves one VM off each participating server whose
 * CPU stayed above policyCpuThreshold, or whose network usage stayed above a
 * ServerPoolNetworkPolicy's threshold, through the live-migration flow (DRS),
 * or takes one consolidation or power step (DPM, policy_dpm.c). */
#ifndef OVM_MONITOR_POLICY_H
#define OVM_MONITOR_POLICY_H
#include "backend/engine.h"

/* Evaluates the pools whose period has come and submits the moves and power jobs (takes
 * the store lock itself). */
void policy_tick(engine *e);

/* policy_net.c (store write lock held): 1 when pool has an enabled
 * ServerPoolNetworkPolicy; why server s of pool is over one of them since
 * from (allocated), or NULL. */
int policy_net_any(engine *e, const obj *pool);
char *policy_net_over(engine *e, const obj *pool, const obj *s, int64_t from);

#endif
