/* Starting a VM's domain on a server and waiting for it (doc/object-model.md §6.4,
 * §6.10): one sequence for start Vm, HA restarts and the wait after a live
 * migration. See flow.h. */
#include "backend/flows/flow.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "lib/util.h"

/* How often list_vm is asked while waiting for a domain. */
#define WAIT_POLL_MS 200

void flow_vm_of(engine *e, const obj *vm, flow_vm *v)
{
    snprintf(v->id, sizeof v->id, "%s", vm->id);
    snprintf(v->repo_id, sizeof v->repo_id, "%s", obj_gets(vm, "repository"));
    snprintf(v->name, sizeof v->name, "%s", vm->name);
    v->nnets = vm_networks(e, vm, &v->nets);
}

void flow_vm_clear(flow_vm *v)
{
    free_list(v->nets, v->nnets);
    v->nets = NULL;
    v->nnets = 0;
}

int flow_bridge(job *j, const agent_target *t, const flow_vm *v)
{
    for (size_t i = 0; i < v->nnets; i++)
        if (agent_ovs_br_config(AGENT_JOB(j, t), "start", v->nets[i], "bond0", NULL) != 0)
            return -1;
    return 0;
}

int flow_wait_domain(job *j, const agent_target *t, const char *repo_id, const char *vm_id, int want_running,
                     int timeout_s)
{
    int64_t end = ovm_now_ms() + (int64_t)timeout_s * 1000;
    for (;;) {
        xr_value *res = NULL;
        char *err = NULL;
        int rc = agent_list_vm(AGENT_TRY(j->eng, t, &err), repo_id, vm_id, &res);
        int running = rc == AGC_OK && res && res->type == XR_STRUCT;
        xr_free(res);
        free(err);
        /* Only an answer tells that the domain is gone; a lost call tells nothing. */
        if ((rc == AGC_OK || rc == AGC_FAULT) && running == want_running)
            return 0;
        if (ovm_now_ms() >= end || job_aborted(j))
            return -1;
        struct timespec ts = {0, WAIT_POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
}

start_plan *start_plan_new(engine *e, const obj *vm, const obj *s)
{
    start_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(e, s, &p->t);
    flow_vm_of(e, vm, &p->vm);
    snprintf(p->from_id, sizeof p->from_id, "%s", obj_gets(vm, "server"));
    return p;
}

void start_plan_free(void *arg)
{
    start_plan *p = arg;
    if (p) {
        flow_vm_clear(&p->vm);
        free(p);
    }
}

int flow_start_domain(job *j, const start_plan *p, int timeout_s)
{
    const agent_target *t = &p->t;
    const flow_vm *v = &p->vm;
    if (flow_bridge(j, t, v) != 0 ||
        agent_start_vm(AGENT_JOB(j, t), v->repo_id, v->id, NULL) != 0)
        return -1;
    if (flow_wait_domain(j, t, v->repo_id, v->id, 1, timeout_s) != 0) {
        job_fail(j, "Job failed: Vm %s did not reach Running on Server %s", v->name, t->name);
        return -1;
    }
    return 0;
}
