/* Statuses (status.h). */
#include "backend/flows/status.h"
#include <string.h>

#define OBJ_STATUS_NAME_(e, name) name,
static const char *const names[ST_COUNT] = {OBJ_STATUSES(OBJ_STATUS_NAME_)};
#undef OBJ_STATUS_NAME_

obj_status status_get(const obj *o)
{
    const char *v = obj_get(o, "status");
    for (int i = 0; v && i < ST_COUNT; i++)
        if (!strcmp(v, names[i]))
            return (obj_status)i;
    return ST_UNKNOWN;
}

void status_set(store *st, obj *o, obj_status s)
{
    obj_set(st, o, "status", status_name(s));
}

const char *status_name(obj_status s)
{
    return s >= 0 && s < ST_COUNT ? names[s] : names[ST_UNKNOWN];
}

int status_is_live(obj_status s)
{
    return s == ST_RUNNING || s == ST_STARTING || s == ST_STOPPING;
}
