/* Messages to and from a VM's guest (doc/object-model.md §6.15):
 * sendVmMessage, and Oracle VM 3.4's getVmSentMessages,
 * clearVmAllSentMessages, getVmReceivedMessages and clearVmAllRcvdMessages.
 * What was sent with log=Yes is the Manager's: it lives in the store
 * (store_messages.c). What a guest sends the Manager lives with the running
 * domain on its server, as Oracle's guest channel does: reading it asks the
 * agent, clearing it is a job on that server. */
#include "backend/ops/ops_vm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/flow.h"
#include "backend/flows/model.h"
#include "backend/flows/status.h"
#include "backend/ops/ops.h"
#include "backend/store/store_tables.h"
#include "lib/util.h"

/* ---- sent: sendVmMessage, getVmSentMessages, clearVmAllSentMessages ---- */

/* The pair is logged once the agent took it (MSG-4, MSG-5). */
static int run_message(job *j)
{
    vm_plan *p = j->plan;
    xr_value *params = xr_struct();
    xr_struct_set(params, p->key, xr_string(p->message));
    int rc = agent_send_to_guest(AGENT_JOB(j, &p->t), p->repo_id, p->vm_id, params, NULL);
    xr_free(params);
    if (rc != 0 || !p->message_log)
        return rc;
    char *err = NULL;
    store_wrlock(j->eng->st);
    rc = store_message_add(j->eng->st, p->vm_id, p->key, p->message, ovm_now_ms(), &err);
    store_unlock(j->eng->st);
    if (rc != 0)
        job_fail(j, "The message was sent but could not be logged: %s", err);
    free(err);
    return rc;
}

static job *prepare_message(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    /* the grammar's check_vm_message holds the MSG-2, MSG-3 limits */
    const char *key = gr_get(c->cmd, "key"), *msg = gr_get(c->cmd, "message"), *log = gr_get(c->cmd, "log");
    if (status_get(vm) != ST_RUNNING) {
        refuse_state(c, vm, "send a message to");
        return NULL;
    }
    vm_plan *p = plan_on_host(c, vm);
    if (!p)
        return NULL;
    snprintf(p->key, sizeof p->key, "%s", key);
    p->message = xstrdup(msg);
    p->message_log = log && !strcasecmp(log, "Yes");
    static const job_spec spec = {.operation = "Send Message to", .type = "Vm", .fn = run_message,
                                  .plan_free = vm_plan_free};
    return vm_job(c, &spec, vm, p);
}

static void add_sent(void *ctx, const char *key, const char *value, int64_t time_ms)
{
    (void)time_ms;
    result_show_add(ctx, key, value);
}

/* Called with the store read lock held. */
static void op_get_sent(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return;
    char *err = NULL;
    c->res->kind = RD_SHOW;
    c->res->has_data = 1; /* "Data:" even when there is none, as list does */
    if (store_message_scan(c->e->st, vm->id, add_sent, c->res, &err) != 0)
        result_fail(c->res, "Cannot read the messages of Vm %s: %s", vm->name, err);
    free(err);
}

static void op_clear_sent(cmdctx *c)
{
    char *err = NULL;
    store_wrlock(c->e->st);
    obj *vm = vm_instance(c);
    if (vm && store_message_clear(c->e->st, vm->id, &err) < 0)
        result_fail(c->res, "Cannot clear the messages of Vm %s: %s", vm->name, err);
    store_unlock(c->e->st);
    free(err);
}

/* ---- received: getVmReceivedMessages, clearVmAllRcvdMessages ---- */

/* Every item a {key, value} struct of strings: 0, else -1. */
static int check_received(const xr_value *v)
{
    if (!v || v->type != XR_ARRAY)
        return -1;
    for (size_t i = 0; i < v->n; i++)
        if (!xr_get_str(xr_struct_get(v->items[i], "key")) || !xr_get_str(xr_struct_get(v->items[i], "value")))
            return -1;
    return 0;
}

/* Reads the running VM's server (state checked and target copied under the
 * read lock), then asks its agent without the lock. */
static void op_get_received(cmdctx *c)
{
    store_rdlock(c->e->st);
    obj *vm = vm_instance(c);
    vm_plan *p = NULL;
    if (vm && status_get(vm) != ST_RUNNING)
        refuse_state(c, vm, "read the messages of");
    else if (vm)
        p = plan_on_host(c, vm);
    char name[256] = "";
    if (vm)
        snprintf(name, sizeof name, "%s", vm->name);
    store_unlock(c->e->st);
    if (!p)
        return;
    char *err = NULL;
    xr_value *res = NULL;
    if (agent_get_guest_messages(AGENT_TRY(c->e, &p->t, &err), p->repo_id, p->vm_id, &res) != 0) {
        result_fail(c->res, "%s", err ? err : "the agent did not answer");
    } else if (check_received(res) != 0) {
        result_fail(c->res, "The server of Vm %s sent a malformed message list", name);
    } else {
        c->res->kind = RD_SHOW;
        c->res->has_data = 1;
        for (size_t i = 0; i < res->n; i++)
            result_show_add(c->res, xr_get_str(xr_struct_get(res->items[i], "key")),
                            xr_get_str(xr_struct_get(res->items[i], "value")));
    }
    xr_free(res);
    free(err);
    vm_plan_free(p);
}

static int run_clear_received(job *j)
{
    vm_plan *p = j->plan;
    return agent_clear_guest_messages(AGENT_JOB(j, &p->t), p->repo_id, p->vm_id, NULL);
}

static job *prepare_clear_received(cmdctx *c)
{
    obj *vm = vm_instance(c);
    if (!vm)
        return NULL;
    if (status_get(vm) != ST_RUNNING) {
        refuse_state(c, vm, "clear the messages of");
        return NULL;
    }
    vm_plan *p = plan_on_host(c, vm);
    if (!p)
        return NULL;
    static const job_spec spec = {.operation = "Clear Received Messages of", .type = "Vm",
                                  .fn = run_clear_received, .plan_free = vm_plan_free};
    return vm_job(c, &spec, vm, p);
}

const op ops_vm_messages[] = {
    {GR_F_sendVmMessage_Vm, NULL, prepare_message, 0},
    {GR_F_getVmSentMessages_Vm, op_get_sent, NULL, 0},
    {GR_F_clearVmAllSentMessages_Vm, op_clear_sent, NULL, 1},
    {GR_F_getVmReceivedMessages_Vm, op_get_received, NULL, 1},
    {GR_F_clearVmAllRcvdMessages_Vm, NULL, prepare_clear_received, 0},
    OPS_END,
};
