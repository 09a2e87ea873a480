/* From a command line to rendered bytes: parse, find the operation, check,
 * run or queue a job, wait, render. The single error path: every failure is
 * a result with an Error Msg, rendered like any other. */
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "backend/ops/ops.h"
#include "lib/proto.h"
#include "lib/strbuf.h"
#include "lib/text.h"
#include "lib/util.h"

void session_init(session *ses, engine *e, const char *user)
{
    memset(ses, 0, sizeof *ses);
    ses->eng = e;
    snprintf(ses->user, sizeof ses->user, "%s", user && *user ? user : "admin");
    ses->mode = OM_VERBOSE;
    ses->eol = "\r\n";
    ses->timeout = 3600;
    ses->fd = -1;
    ses->peer_uid = ses->peer_pid = -1;
}

/* Bytes that cannot be printed on one output line (controls, invalid UTF-8,
 * the code points lib/text.c refuses) become '?' so that the echo and
 * Command: lines stay one clean line. */
static char *printable_copy(const char *text, size_t len)
{
    char *s = ovm_text_sanitize(text, len, "?", 0);
    for (char *p = s; *p; p++)
        if (*p == '\t')
            *p = ' ';
    /* trim */
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        s[--n] = '\0';
    size_t lead = strspn(s, " ");
    memmove(s, s + lead, n - lead + 1);
    return s;
}

static int too_long_or_nul(const char *text, size_t len, result *r)
{
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        result_fail(r, "Syntax error: NUL byte at column %zu", (size_t)(nul - text) + 1);
        return 1;
    }
    return 0;
}

enum { WAIT_DONE, WAIT_TIMEOUT, WAIT_CANCELLED };

/* "Job <id> <name>: <state> (<done>/<total> child jobs done)" */
static char *progress_line(engine *e, const job *j)
{
    job *s = jobs_snapshot(e->js, j->id);
    if (!s)
        return xstrdup("");
    size_t done = 0;
    for (size_t i = 0; i < s->nchildren; i++) {
        job *c = jobs_snapshot(e->js, s->children[i]);
        done += c && c->finished;
        job_snapshot_free(c);
    }
    char *line = xasprintf("Job %lld %s: %s (%zu/%zu child jobs done)", (long long)s->id, s->name, s->run_state,
                           done, s->nchildren);
    job_snapshot_free(s);
    return line;
}

/* 1 when the client sent P_CANCEL (other frames are ignored while waiting). */
static int cancel_requested(session *ses)
{
    struct pollfd p = {ses->fd, POLLIN, 0};
    if (ses->fd < 0 || poll(&p, 1, 0) <= 0)
        return 0;
    char type;
    char *buf = NULL;
    size_t len;
    int rc = proto_recv(ses->fd, &type, &buf, &len);
    free(buf);
    return rc == 1 && type == P_CANCEL;
}

/* Waits for a synchronous job in slices, so that an interactive client can
 * cancel the wait (Ctrl-C, doc/command-language.md §1.2) and sees a progress line after
 * the first second (issue 3 item 4). Exec and batch clients get neither. */
static int wait_for_job(session *ses, job *j)
{
    engine *e = ses->eng;
    int64_t start = ovm_now_ms(), deadline = start + (int64_t)ses->timeout * 1000, last_progress = 0;
    int shown = 0, rc = WAIT_TIMEOUT;
    for (;;) {
        if (jobs_wait_ms(e->js, j, 100) == 0) {
            rc = WAIT_DONE;
            break;
        }
        int64_t now = ovm_now_ms();
        if (ses->interactive && cancel_requested(ses)) {
            rc = WAIT_CANCELLED;
            break;
        }
        if (now >= deadline)
            break;
        if (ses->interactive && now - start >= 1000 && now - last_progress >= 500) {
            char *line = progress_line(e, j);
            proto_send(ses->fd, P_PROGRESS, line, strlen(line));
            free(line);
            last_progress = now;
            shown = 1;
        }
    }
    if (shown)
        proto_send(ses->fd, P_PROGRESS, "", 0); /* erase the progress line */
    return rc;
}

/* Runs the command's checks again against the current store for a job that
 * waited for a lock (doc/object-model.md §7.5); the job keeps its own plan, so the
 * stale-object check of edits still compares with what the user saw. */
static int revalidate_job(job *j)
{
    gr_command cmd;
    char *err = NULL;
    if (gr_parse(j->raw_command, &cmd, &err) != 0) {
        free(err);
        return 0;
    }
    const op *o = registry_op(cmd.def->id);
    int rc = 0;
    if (o && o->prepare) {
        session ses;
        session_init(&ses, j->eng, j->user);
        result r;
        result_init(&r, cmd.text);
        cmdctx c = {.e = j->eng, .ses = &ses, .cmd = &cmd, .res = &r};
        store_rdlock(j->eng->st);
        job *again = o->prepare(&c);
        store_unlock(j->eng->st);
        if (!again) {
            job_fail(j, "%s", r.errmsg ? r.errmsg : "Job failed: the command is no longer valid");
            rc = -1;
        }
        job_discard(again);
        result_free(&r);
    }
    gr_command_free(&cmd);
    return rc;
}

static void run_op(cmdctx *c, const op *o)
{
    engine *e = c->e;
    if (o->now) {
        if (o->unlocked) {
            o->now(c);
        } else {
            store_rdlock(e->st);
            o->now(c);
            store_unlock(e->st);
        }
        return;
    }
    /* Before prepare: a waiting command holds no plan, and is validated
     * against the state the jobs ahead of it leave. */
    if (c->ses->async)
        jobs_wait_room(e->js, (size_t)e->cfg.max_queued, (c->ses->timeout > 0 ? c->ses->timeout : 3600) * 1000);
    store_rdlock(e->st);
    job *j = o->prepare(c);
    int ok = j && check_lockable(c, j) == 0;
    store_unlock(e->st);
    if (!j)
        return;
    if (!ok) {
        job_discard(j);
        return;
    }
    j->revalidate = revalidate_job;
    j->raw_command = xstrdup(c->cmd->text);
    snprintf(c->res->jobid, sizeof c->res->jobid, "%lld", (long long)j->id);
    jobs_submit(e->js, j, j->fn, j->plan, j->plan_free);
    if (c->ses->async) {
        job_release(e->js, j);
        return;
    }
    int waited = wait_for_job(c->ses, j);
    if (waited == WAIT_CANCELLED) {
        job_release(e->js, j);
        return; /* rendered as in asynchronous mode: Success and the JobId */
    }
    if (waited == WAIT_TIMEOUT) {
        result_fail(c->res, "Command timed out after %d seconds; job %lld continues", c->ses->timeout,
                    (long long)j->id);
        job_release(e->js, j);
        return;
    }
    if (strcmp(j->run_state, JS_COMPLETED) != 0) {
        result_fail(c->res, "%s", j->error && *j->error ? j->error
                                  : !strcmp(j->run_state, JS_ABORTED) ? "Job aborted" : "Job failed");
    } else if (j->result_obj && c->cmd->def->creates) {
        store_rdlock(e->st);
        obj *made = store_get(e->st, j->result_obj);
        if (made) {
            c->res->kind = RD_LIST;
            c->res->has_data = 1;
            result_list_add(c->res, made->id, made->name);
        }
        store_unlock(e->st);
    }
    job_release(e->js, j);
}

/* A form without an operation is refused with the registry's text
 * (registry_check makes sure that every other form has one). */
static void refuse(result *r, const gr_command *cmd)
{
    char *why = gr_refusal(cmd->def, cmd->type);
    result_fail(r, "%s", why ? why : "Internal error: no operation for this command");
    free(why);
}

static void run_command(session *ses, const char *text, result *r, int *exit_req)
{
    gr_command cmd;
    char *err = NULL;
    if (gr_parse(text, &cmd, &err) != 0) {
        result_fail(r, "%s", err ? err : "Syntax error");
        free(err);
        return;
    }
    cmdctx c = {.e = ses->eng, .ses = ses, .cmd = &cmd, .res = r};
    /* A lone '?' has no verb yet: help is answered before any lookup. The
     * grammar refuses the forms without an operation (registry_check). */
    const op *o = cmd.help ? NULL : registry_op(cmd.def->id);
    if (cmd.help)
        help_listing(&c, text);
    else if (o)
        run_op(&c, o);
    else
        refuse(r, &cmd);
    *exit_req = c.exit_requested;
    gr_command_free(&cmd);
}

int dispatch_command(session *ses, const char *text, size_t len, int echo, char **out, size_t *outlen)
{
    char *shown = printable_copy(text, len);
    strbuf sb = STRBUF_INIT;
    if (echo)
        sb_addf(&sb, "OVM> %s%s", shown, ses->eol);
    result r;
    result_init(&r, shown);
    int exit_req = 0;
    if (!too_long_or_nul(text, len, &r))
        run_command(ses, text, &r, &exit_req);
    r.time_ms = ovm_now_ms();
    int status = exit_req ? PS_EXIT : r.ok ? PS_SUCCESS : PS_FAILURE;
    if (!exit_req)
        render_result_into(&sb, &r, ses->mode, ses->eol, ses->alphabetize);
    result_free(&r);
    free(shown);
    *out = sb_detach(&sb, outlen);
    return status;
}
