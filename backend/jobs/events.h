/* Events (doc/object-model.md §5.7, §7.6): status records on objects; ERROR and
 * CRITICAL ones block further jobs on the object until ackEvent. */
#ifndef OVM_EVENTS_H
#define OVM_EVENTS_H
#include <stdint.h>
#include "backend/engine.h"

/* Records an event; the caller holds the store write lock. Returns its id.
 * Events that the type says are acknowledged automatically are not blocking. */
int64_t event_raise(engine *e, const char *type, const char *severity, const obj *target, const char *summary,
                    int64_t job);
/* Takes the store write lock itself. */
int64_t event_raise_unlocked(engine *e, const char *type, const char *severity, const obj *target,
                             const char *summary, int64_t job);
/* Acknowledges every unacknowledged event of type on target (automatic
 * acknowledgement); caller holds the write lock. */
void event_auto_ack(engine *e, const char *type, const char *target_id);
/* The §0.4 "unacknowledged <Severity> event" text if o is blocked, else NULL (heap). Read lock held. */
char *event_blocking(engine *e, const obj *o);
#endif
