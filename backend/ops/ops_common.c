/* Helpers shared by the operation tables: resolution of instances and
 * references, job naming, lock and event checks. */
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "backend/jobs/events.h"
#include "backend/ops/ops.h"
#include "completions/complete.h"
#include "lib/strbuf.h"
#include "lib/util.h"

static obj *find_by_name(engine *e, const char *type, const char *name, int *count)
{
    obj *hit;
    size_t n = store_find_name(e->st, type, name, &hit);
    *count = n > 2 ? 2 : (int)n; /* callers only tell one from several */
    return hit;
}

static obj *find_by_id(engine *e, const char *type, const char *id)
{
    obj *o = store_get_typed(e->st, type, id);
    if (o)
        return o;
    /* ids compare case-insensitively (doc/command-language.md §2 rule 2) */
    char *lower = xstrdup(id);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    o = store_get_typed(e->st, type, lower);
    free(lower);
    return o;
}

/* The grammar makes sure that inst is given: the form takes an instance, or
 * the parent clause (which always has one) was parsed. */
obj *resolve_instance(cmdctx *c, const gr_type *t, const gr_kv *inst)
{
    if (!strcmp(inst->key, "id")) {
        obj *o = find_by_id(c->e, t->name, inst->value);
        if (!o)
            result_fail(c->res, "Cannot find %s with id: %s", t->name, inst->value);
        return o;
    }
    int count;
    obj *o = find_by_name(c->e, t->name, inst->value, &count);
    if (count > 1) {
        result_fail(c->res, "More than one %s has name: %s; use id=", t->name, inst->value);
        return NULL;
    }
    if (!o)
        result_fail(c->res, "Cannot find %s with name: %s", t->name, inst->value);
    return o;
}

obj *lookup_ref(engine *e, const char *type, const char *value, int *count)
{
    obj *o = find_by_id(e, type, value);
    *count = o ? 1 : 0;
    return o ? o : find_by_name(e, type, value, count);
}

obj *resolve_ref(cmdctx *c, const char *type, const char *value)
{
    int count;
    obj *o = lookup_ref(c->e, type, value, &count);
    if (count > 1) {
        result_fail(c->res, "More than one %s has name: %s; use id=", type, value);
        return NULL;
    }
    if (!o)
        result_fail(c->res, "Cannot find %s with name: %s", type, value);
    return o;
}

static job *job_of_command(cmdctx *c, const char *operation, const char *type, const char *name, const char *target,
                       va_list ap)
{
    char *title = job_title(operation, type, name);
    char *cmdtext = masked_command(c->cmd);
    job *j = job_new(c->e, title, c->ses->user, cmdtext, target);
    j->peer_uid = c->ses->peer_uid;
    free(title);
    free(cmdtext);
    for (const char *id; (id = va_arg(ap, const char *)) != NULL;)
        job_lock(j, id);
    if (target)
        job_lock(j, target);
    return j;
}

job *spec_job(cmdctx *c, const job_spec *spec, const char *name, void *plan, const char *target, ...)
{
    va_list ap;
    va_start(ap, target);
    job *j = job_of_command(c, spec->operation, spec->type, name, target, ap);
    va_end(ap);
    j->fn = spec->fn;
    j->plan = plan;
    j->plan_free = spec->plan_free;
    if (spec->kind)
        j->kind = spec->kind;
    j->rollback_store = spec->rollback_store;
    j->goal = spec->goal ? xstrdup(spec->goal) : NULL;
    return j;
}

int check_lockable(cmdctx *c, job *j)
{
    for (size_t i = 0; i < j->nlocks; i++) {
        obj *o = store_get(c->e->st, j->locks[i]);
        if (!o)
            continue;
        char *blocker = event_blocking(c->e, o);
        if (blocker) {
            result_fail(c->res, "%s", blocker);
            free(blocker);
            return -1;
        }
        if (c->ses->async && o->lock_job) {
            result_fail(c->res, "%s %s is locked by job %lld", o->type, o->name, (long long)o->lock_job);
            return -1;
        }
    }
    return 0;
}

int name_taken(engine *e, const char *type, const char *name, const obj *self)
{
    int count;
    obj *o = find_by_name(e, type, name, &count);
    return o && (count > 1 || o != self);
}

char *masked_command(const gr_command *cmd)
{
    int secret = 0;
    for (size_t i = 0; i < cmd->nattrs; i++)
        if (cmd->attrs[i].def && (cmd->attrs[i].def->flags & GA_SECRET))
            secret = 1;
    if (!secret)
        return xstrdup(cmd->text);
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%s", cmd->verb);
    if (cmd->type)
        sb_addf(&sb, " %s", cmd->type->name);
    if (cmd->instance.key)
        sb_addf(&sb, " %s=%s", cmd->instance.key, cmd->instance.value);
    for (size_t i = 0; i < cmd->nattrs; i++) {
        const gr_kv *a = &cmd->attrs[i];
        sb_addf(&sb, " %s=%s", a->key, a->def && (a->def->flags & GA_SECRET) ? "******" : a->value);
    }
    return sb_detach(&sb, NULL);
}

size_t engine_names(void *ctx, const char *type, char ***out)
{
    engine *e = ctx;
    int ids = !strncmp(type, "id:", 3);
    obj **v;
    size_t n = store_list(e->st, ids ? type + 3 : type, &v);
    *out = xmalloc((n ? n : 1) * sizeof **out);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = xstrdup(ids ? v[i]->id : v[i]->name);
    free(v);
    return n;
}

void help_listing(cmdctx *c, const char *text)
{
    /* up to the '?' token the parser found (a '?' in a quoted value is text);
     * the leading blanks that the parser trimmed still count for the column */
    char *before = xstrndup(text, strspn(text, " \t") + c->cmd->help_off);
    char **lines;
    store_rdlock(c->e->st);
    size_t n = complete_help(before, engine_names, c->e, &lines);
    store_unlock(c->e->st);
    c->res->plain = 1;
    c->res->kind = RD_TEXT;
    for (size_t i = 0; i < n; i++) {
        result_text_add(c->res, lines[i]);
        free(lines[i]);
    }
    free(lines);
    free(before);
}

int delete_refused(cmdctx *c, const obj *o)
{
    const char *type = NULL;
    obj *user = relation_user(c->e, o, &type);
    if (user)
        result_fail(c->res, "Cannot delete %s %s: it is in use by %s %s", o->type, o->name, type, user->name);
    return user != NULL;
}
