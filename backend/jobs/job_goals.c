/* Job goals: what "completed" means for a job a Manager restart
 * interrupted (the JOB_GOAL_* texts of jobs.h). The goal is given where the
 * job is defined, stored in the job's row, and read back at start-up;
 * nothing reads a job's name to decide. */
#include "backend/jobs/jobs.h"
#include <string.h>
#include "backend/engine.h"

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
