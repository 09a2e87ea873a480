/* Start-up clean-up after a crash (recover.h). Disk files are not handled
 * here: `refresh Repository` adopts unknown files as VirtualDisks, as a real
 * Manager does, so a disk created just before a crash is found again. */
#include "backend/flows/recover.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/engine.h"
#include "backend/flows/model.h"
#include "lib/log.h"
#include "lib/util.h"

#define INTERRUPTED "Job failed: interrupted by a Manager restart"

/* One agent call to make: delete_vm(repo, vm) through server. */
typedef struct orphan_call {
    agent_target t;
    char repo[64], vm[64];
} orphan_call;

static int is_orphan_create(engine *e, const job *j, int64_t since_ms)
{
    return job_goal_creates(j, "Vm") && !strcmp(j->run_state, JS_FAILED) && j->error &&
           !strcmp(j->error, INTERRUPTED) && j->end_ms >= since_ms && j->result_obj &&
           !store_get(e->st, j->result_obj);
}

/* Appends one call per repository and Running server presented to it. */
static size_t plan_calls(engine *e, const char *vm_id, orphan_call **calls, size_t n)
{
    obj **repos;
    size_t nr = store_list(e->st, "Repository", &repos);
    for (size_t r = 0; r < nr; r++) {
        char **ids;
        size_t ns = split_list(obj_get(repos[r], "presentedServers"), &ids);
        for (size_t s = 0; s < ns; s++) {
            obj *srv = store_get(e->st, ids[s]);
            if (!srv || status_get(srv) != ST_RUNNING)
                continue;
            *calls = xrealloc(*calls, (n + 1) * sizeof **calls);
            memset(&(*calls)[n], 0, sizeof **calls);
            agent_target_of(e, srv, &(*calls)[n].t);
            snprintf((*calls)[n].repo, sizeof (*calls)[n].repo, "%s", repos[r]->id);
            snprintf((*calls)[n].vm, sizeof (*calls)[n].vm, "%s", vm_id);
            n++;
        }
        free_list(ids, ns);
    }
    free(repos);
    return n;
}

static size_t collect(engine *e, int64_t since_ms, orphan_call **calls)
{
    job **all;
    size_t nj = jobs_snapshot_all(e->js, &all), n = 0;
    store_rdlock(e->st);
    for (size_t i = 0; i < nj; i++) {
        if (is_orphan_create(e, all[i], since_ms))
            n = plan_calls(e, all[i]->result_obj, calls, n);
        job_snapshot_free(all[i]);
    }
    store_unlock(e->st);
    free(all);
    return n;
}

void recover_interrupted_creates(engine *e, int64_t since_ms)
{
    orphan_call *calls = NULL;
    size_t n = collect(e, since_ms, &calls);
    /* Agent calls without the store lock; a fault only means "not here". */
    for (size_t i = 0; i < n; i++) {
        char *err = NULL;
        agent_ctx *c = agent_within(AGENT_TRY(e, &calls[i].t, &err), e->cfg.agent_call_timeout);
        int rc = agent_delete_vm(c, calls[i].repo, calls[i].vm, NULL);
        if (rc == AGC_OK)
            log_warn("recovery: removed VM %s left in repository %s by a create interrupted by a restart",
                     calls[i].vm, calls[i].repo);
        free(err);
    }
    free(calls);
}
