/* The DRS policy of server pools (doc/object-model.md §7.7): every
 * policyPeriod the monitor moves one VM off each participating server whose
 * CPU stayed above policyCpuThreshold, through the live-migration flow. */
#ifndef OVM_MONITOR_POLICY_H
#define OVM_MONITOR_POLICY_H
#include "backend/engine.h"

/* Evaluates the pools whose period has come and submits the moves (takes
 * the store lock itself). */
void policy_tick(engine *e);

#endif
