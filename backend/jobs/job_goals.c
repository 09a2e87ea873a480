/* Job goals as data: what "completed" means for a job a Manager restart
 * interrupted. The goal is chosen when the job is made, from the operation
 * and type, stored in the job's row, and read back at start-up; nothing
 * reads a job's name to decide. Goals:
 *   "status S"   the target's status is S (the agents were asked first)
 *   "created T"  the job made an object of type T, named in its result
 * A job without a goal is Failed after an interruption. */
#include "backend/jobs/jobs.h"
#include <string.h>
#include "backend/engine.h"

static const struct {
    const char *operation, *type, *goal;
} goals[] = {
    {"Start", "Vm", "status Running"},
    {"HA Restart", "Vm", "status Running"},
    {"Restart", "Vm", "status Running"},
    {"Resume", "Vm", "status Running"},
    {"Stop", "Vm", "status Stopped"},
    {"Kill", "Vm", "status Stopped"},
    {"Suspend", "Vm", "status Suspended"},
    {"Create", "Vm", "created Vm"},
};

const char *job_goal_for(const char *operation, const char *type)
{
    for (size_t i = 0; i < sizeof goals / sizeof goals[0]; i++)
        if (!strcmp(goals[i].operation, operation) && type && !strcmp(goals[i].type, type))
            return goals[i].goal;
    return NULL;
}

int job_goal_reached(engine *e, const job *j)
{
    if (!j->goal || strncmp(j->goal, "status ", 7) != 0 || !j->target)
        return 0;
    obj *target = store_get(e->st, j->target);
    return target && obj_is(target, "status", j->goal + 7);
}

int job_goal_creates(const job *j, const char *type)
{
    return j->goal && !strncmp(j->goal, "created ", 8) && !strcmp(j->goal + 8, type);
}
