/* PeriodicTask objects: the Manager's recurring jobs (periodic.c). */
#ifndef OVM_MONITOR_PERIODIC_H
#define OVM_MONITOR_PERIODIC_H
#include "backend/engine.h"

/* Starts the runs of the tasks that are due (takes the store lock itself). */
void periodic_tick(engine *e);

#endif
