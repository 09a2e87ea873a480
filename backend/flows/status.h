/* The status of a Vm or a Server as an enum (status.c): stored as its name
 * in the "status" attribute (what show prints), compared as a value, so a
 * misspelt status does not compile. */
#ifndef OVM_STATUS_H
#define OVM_STATUS_H
#include "backend/engine.h"

#define OBJ_STATUSES(X) \
    X(ST_UNKNOWN, "Unknown") \
    X(ST_RUNNING, "Running") \
    X(ST_STOPPED, "Stopped") \
    X(ST_STARTING, "Starting") \
    X(ST_STOPPING, "Stopping") \
    X(ST_SUSPENDED, "Suspended") \
    X(ST_TEMPLATE, "Template")

#define OBJ_STATUS_ENUM_(e, name) e,
typedef enum obj_status { OBJ_STATUSES(OBJ_STATUS_ENUM_) ST_COUNT } obj_status;
#undef OBJ_STATUS_ENUM_

/* o's status; ST_UNKNOWN when unset or not one of the names. */
obj_status status_get(const obj *o);
/* Sets o's status (write lock held). */
void status_set(store *st, obj *o, obj_status s);
/* The name show prints ("Running"). */
const char *status_name(obj_status s);
/* 1 for Running and the transitions around it (Starting, Stopping). */
int status_is_live(obj_status s);
#endif
