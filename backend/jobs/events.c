#include "backend/jobs/events.h"
#include "backend/store/store_tables.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "lib/util.h"

int64_t event_raise(engine *e, const char *type, const char *severity, const obj *target, const char *summary,
                    int64_t job)
{
    int64_t id = ovm_unique_ms_id();
    if (store_event_insert(e->st, id, type, severity, summary, target ? target->id : "", target ? target->type : "",
                           job, ovm_now_ms()) != 0)
        return 0;
    log_info("event %lld %s %s on %s %s: %s", (long long)id, severity, type, target ? target->type : "-",
             target ? target->name : "-", summary);
    return id;
}

int64_t event_raise_unlocked(engine *e, const char *type, const char *severity, const obj *target,
                             const char *summary, int64_t job)
{
    store_wrlock(e->st);
    int64_t id = event_raise(e, type, severity, target, summary, job);
    store_unlock(e->st);
    return id;
}

void event_auto_ack(engine *e, const char *type, const char *target_id)
{
    store_event_auto_ack(e->st, type, target_id, ovm_now_ms());
}

static const char *title_case(const char *sev)
{
    if (!strcmp(sev, "CRITICAL"))
        return "Critical";
    if (!strcmp(sev, "ERROR"))
        return "Error";
    if (!strcmp(sev, "WARNING"))
        return "Warning";
    return "Informational";
}

char *event_blocking(engine *e, const obj *o)
{
    int64_t id;
    char sev[16];
    if (!store_event_blocking(e->st, o->id, &id, sev, sizeof sev))
        return NULL;
    return xasprintf("%s %s has an unacknowledged %s event %lld; resolve its cause, run ackEvent, then retry",
                     o->type, o->name, title_case(sev), (long long)id);
}
