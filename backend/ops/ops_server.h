/* The server area (ops_server*.c): the plan every Server job carries and shared helpers. */
#ifndef OVM_OPS_SERVER_H
#define OVM_OPS_SERVER_H
#include "backend/flows/model.h"
#include "backend/monitor/ha.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"

typedef struct srv_plan {
    agent_target t;
    int take;                /* take ownership */
    int must_be_unowned;     /* takeOwnership: refuse if owned elsewhere */
    char server_id[64];      /* existing Server (refresh, takeOwnership) or "" */
    char new_password[256];  /* updateAgentPassword */
    gplan *edit;             /* edit Server: attributes to store */
    int push_roles, push_ntp;
    char roles[64], ntp[1024];
    evac_plan *evac;         /* maintenanceMode=Yes in a clustered pool (MM-2) */
    char kick_pool[64];      /* maintenanceMode=No: HA retries in this pool (H-5) */
} srv_plan;

void srv_plan_free(void *arg);
int run_discover(job *j);
job *prepare_discover(cmdctx *c);
obj *server_instance(cmdctx *c);
srv_plan *plan_for(cmdctx *c, obj *s);
job *server_job(cmdctx *c, const char *operation, obj *s, job_fn fn, srv_plan *p);
job *prepare_take(cmdctx *c);
/* takeOwnership of s with the agent password given (ops_server_owner.c). */
job *take_with_password(cmdctx *c, obj *s, const char *password);
const char *presented_repo(engine *e, const obj *s);
job *prepare_release(cmdctx *c);
job *prepare_update_password(cmdctx *c);
job *prepare_refresh(cmdctx *c);
/* add/remove Server to/from a custom CpuCompatibilityGroup (ops_server_cpugroup.c). */
job *cpugroup_prepare_member(cmdctx *c, int add);
#endif
