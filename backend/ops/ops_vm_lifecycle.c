/* start, stop, kill, restart, suspend, resume Vm and sendVmMessage. */
#include "backend/ops/ops_vm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/ops/generic.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "backend/jobs/events.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* ---- start, stop, kill, restart, suspend, resume ----
 * Start, stop and suspend show a transitional status while they run; the
 * jobs roll their store changes back when they fail (rollback_store), so
 * the Vm is left as it was. */

static int run_start(job *j)
{
    start_plan *p = j->plan;
    engine *e = j->eng;
    set_vm_state(j, p->vm.id, ST_STARTING, p->t.id);
    if (flow_start_domain(j, p, (int)e->cfg.agent_long_timeout) != 0)
        return -1;
    store_wrlock(e->st);
    obj *vm = store_get(e->st, p->vm.id);
    if (vm) {
        store_set_actor(e->st, j->id);
        status_set(e->st, vm, ST_RUNNING);
        obj_set(e->st, vm, "server", p->t.id);
        obj_unset(e->st, vm, "restartRequired");
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
    return 0;
}

job *prepare_start(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    if (status_get(vm) != ST_STOPPED) {
        refuse_state(c, vm, "start");
        return NULL;
    }
    if (!obj_get(vm, "serverPool")) {
        result_fail(c->res, "Vm %s is not in a server pool; migrate it to a server pool first", vm->name);
        return NULL;
    }
    char *why = NULL;
    obj *s = placement_choose(c->e, vm, &why);
    if (!s) {
        result_fail(c->res, "%s", why);
        free(why);
        return NULL;
    }
    static const job_spec spec = {.operation = "Start", .type = "Vm", .fn = run_start, .plan_free = start_plan_free,
                                  .rollback_store = 1, .goal = JOB_GOAL_RUNNING};
    return spec_job(c, &spec, vm->name, start_plan_new(c->e, vm, s), vm->id, NULL);
}

static int run_stop(job *j)
{
    vm_plan *p = j->plan;
    engine *e = j->eng;
    set_vm_state(j, p->vm_id, ST_STOPPING, NULL);
    if (agent_stop_vm(AGENT_JOB(j, &p->t), p->repo_id, p->vm_id, 0, NULL) != 0)
        return -1;
    if (flow_wait_domain(j, &p->t, p->repo_id, p->vm_id, 0, e->cfg.vm_stop_timeout) != 0) {
        job_fail(j, "Job failed: Vm %s did not stop within %d seconds; use kill Vm", p->g ? p->g->name : p->vm_id,
                 e->cfg.vm_stop_timeout);
        return -1;
    }
    set_vm_state(j, p->vm_id, ST_STOPPED, NULL);
    return 0;
}

vm_plan *plan_on_host(cmdctx *c, obj *vm)
{
    obj *s = store_get(c->e->st, obj_gets(vm, "server"));
    if (!s || !server_usable(s)) {
        result_fail(c->res, "Vm %s runs on Server %s, which is %s", vm->name, s ? s->name : "(none)",
                    s ? status_of(s) : "unknown");
        return NULL;
    }
    vm_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->vm_id, sizeof p->vm_id, "%s", vm->id);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", obj_gets(vm, "repository"));
    p->g = gplan_new("Vm", vm->id, vm->name);
    return p;
}

static job *prepare_running_action(cmdctx *c, const char *action, const job_spec *spec)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    if (status_get(vm) != ST_RUNNING) {
        refuse_state(c, vm, action);
        return NULL;
    }
    vm_plan *p = plan_on_host(c, vm);
    return p ? vm_job(c, spec, vm, p) : NULL;
}

job *prepare_stop(cmdctx *c)
{
    static const job_spec spec = {.operation = "Stop", .type = "Vm", .fn = run_stop, .plan_free = vm_plan_free,
                                  .rollback_store = 1, .goal = JOB_GOAL_STOPPED};
    return prepare_running_action(c, "stop", &spec);
}

static int run_restart(job *j)
{
    vm_plan *p = j->plan;
    set_vm_state(j, p->vm_id, ST_STOPPING, NULL);
    int rc = agent_reboot_vm(AGENT_JOB(j, &p->t), p->repo_id, p->vm_id, 0, NULL);
    set_vm_state(j, p->vm_id, ST_RUNNING, NULL);
    return rc;
}

job *prepare_restart(cmdctx *c)
{
    static const job_spec spec = {.operation = "Restart", .type = "Vm", .fn = run_restart, .plan_free = vm_plan_free,
                                  .goal = JOB_GOAL_RUNNING};
    return prepare_running_action(c, "restart", &spec);
}

static int run_suspend(job *j)
{
    vm_plan *p = j->plan;
    set_vm_state(j, p->vm_id, ST_STOPPING, NULL);
    if (agent_save_vm(AGENT_JOB(j, &p->t), p->repo_id, p->vm_id, 0, NULL) != 0)
        return -1;
    set_vm_state(j, p->vm_id, ST_SUSPENDED, NULL);
    return 0;
}

job *prepare_suspend(cmdctx *c)
{
    static const job_spec spec = {.operation = "Suspend", .type = "Vm", .fn = run_suspend, .plan_free = vm_plan_free,
                                  .rollback_store = 1, .goal = JOB_GOAL_SUSPENDED};
    return prepare_running_action(c, "suspend", &spec);
}

static int run_resume(job *j)
{
    vm_plan *p = j->plan;
    if (agent_restore_vm(AGENT_JOB(j, &p->t), p->repo_id, p->vm_id, 0, NULL) != 0)
        return -1;
    set_vm_state(j, p->vm_id, ST_RUNNING, NULL);
    return 0;
}

job *prepare_resume(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    if (status_get(vm) != ST_SUSPENDED) {
        refuse_state(c, vm, "resume");
        return NULL;
    }
    obj *s = store_get(c->e->st, obj_gets(vm, "server"));
    if (!s || !server_usable(s)) {
        result_fail(c->res, "Vm %s is suspended on Server %s, which is %s; resume needs that server or kill the Vm",
                    vm->name, s ? s->name : "(none)", s ? status_of(s) : "Unknown");
        return NULL;
    }
    vm_plan *p = plan_on_host(c, vm);
    static const job_spec spec = {.operation = "Resume", .type = "Vm", .fn = run_resume, .plan_free = vm_plan_free,
                                  .goal = JOB_GOAL_RUNNING};
    return p ? vm_job(c, &spec, vm, p) : NULL;
}

static int run_kill(job *j)
{
    vm_plan *p = j->plan;
    engine *e = j->eng;
    char *err = NULL;
    if (p->t.id[0]) {
        /* best effort (L-6): a domain that is already gone is not an error */
        agent_ctx *c = AGENT_TRY(e, &p->t, &err);
        if (agent_stop_vm(c, p->repo_id, p->vm_id, 1, NULL) != AGC_OK)
            log_info("kill Vm %s: %s: %s", p->vm_id, c->method, err ? err : "");
        if (agent_configure_vm_ha(c, p->repo_id, p->vm_id, 0, NULL) != AGC_OK)
            log_info("kill Vm %s: %s: %s", p->vm_id, c->method, err ? err : "");
        free(err);
    }
    store_wrlock(e->st);
    obj *vm = store_get(e->st, p->vm_id);
    if (vm) {
        store_set_actor(e->st, j->id);
        status_set(e->st, vm, ST_STOPPED);
        obj_set(e->st, vm, "highAvailability", "No");
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
    return 0;
}

job *prepare_kill(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    if (status_get(vm) == ST_TEMPLATE) {
        refuse_state(c, vm, "kill");
        return NULL;
    }
    vm_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->vm_id, sizeof p->vm_id, "%s", vm->id);
    snprintf(p->repo_id, sizeof p->repo_id, "%s", obj_gets(vm, "repository"));
    obj *s = vm_worker(c->e, vm, p->repo_id);
    if (s)
        agent_target_of(c->e, s, &p->t);
    static const job_spec spec = {.operation = "Kill", .type = "Vm", .fn = run_kill, .plan_free = vm_plan_free,
                                  .goal = JOB_GOAL_STOPPED};
    return vm_job(c, &spec, vm, p);
}

