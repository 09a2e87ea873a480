#include "backend/ops/generic.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"

gplan *gplan_new(const char *type, const char *id, const char *name)
{
    gplan *p = xcalloc(1, sizeof *p);
    p->type = type;
    snprintf(p->id, sizeof p->id, "%s", id ? id : "");
    p->name = name ? xstrdup(name) : NULL;
    return p;
}

void gplan_set(gplan *p, const char *key, const char *value)
{
    for (size_t i = 0; i < p->n; i++) {
        if (!strcmp(p->keys[i], key)) {
            free(p->vals[i]);
            p->vals[i] = xstrdup(value);
            return;
        }
    }
    p->keys = xrealloc(p->keys, (p->n + 1) * sizeof *p->keys);
    p->vals = xrealloc(p->vals, (p->n + 1) * sizeof *p->vals);
    p->old = xrealloc(p->old, (p->n + 1) * sizeof *p->old);
    p->keys[p->n] = xstrdup(key);
    p->vals[p->n] = xstrdup(value);
    p->old[p->n] = NULL;
    p->n++;
}

void gplan_free(void *arg)
{
    gplan *p = arg;
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->keys[i]);
        free(p->vals[i]);
        free(p->old[i]);
    }
    free(p->keys);
    free(p->vals);
    free(p->old);
    free(p->name);
    free(p);
}

void gplan_take_attrs(gplan *p, const gr_command *cmd)
{
    for (size_t i = 0; i < cmd->nattrs; i++)
        if (strcmp(cmd->attrs[i].key, "name") != 0)
            gplan_set(p, cmd->attrs[i].key, cmd->attrs[i].value);
}

void new_object_id(const gr_type *t, char *buf, size_t len)
{
    if (!strcmp(t->name, "Network")) {
        char rnd[8];
        ovm_random_hex(rnd, 5);
        snprintf(buf, len, "0004fb0010%s", rnd);
        return;
    }
    const char *suffix = !strcmp(t->name, "VirtualDisk") ? ".img" : !strcmp(t->name, "VirtualCdrom") ? ".iso" : "";
    ovm_new_id(t->code ? t->code : "0000", suffix, buf, len);
}

void gplan_apply(engine *e, gplan *p, obj *o)
{
    if (p->name)
        obj_rename(e->st, o, p->name);
    for (size_t i = 0; i < p->n; i++) {
        if (p->vals[i][0])
            obj_set(e->st, o, p->keys[i], p->vals[i]);
        else
            obj_unset(e->st, o, p->keys[i]);
    }
}

int gplan_run_create(job *j)
{
    return gplan_store_create(j, j->plan);
}

int gplan_run_edit(job *j)
{
    return gplan_store_edit(j, j->plan);
}

int gplan_store_create(job *j, gplan *p)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *o = store_create(e->st, p->type, p->id, p->name);
    obj_setf(e->st, o, "created", "%lld", (long long)ovm_unique_ms_id());
    for (size_t i = 0; i < p->n; i++)
        if (p->vals[i][0])
            obj_set(e->st, o, p->keys[i], p->vals[i]);
    store_commit(e->st);
    store_set_actor(e->st, 0);
    free(j->result_obj); /* create Vm records its id before the agent call */
    j->result_obj = xstrdup(o->id);
    store_unlock(e->st);
    return 0;
}

static int stale(gplan *p, const obj *o)
{
    if (o->version == p->version)
        return 0;
    for (size_t i = 0; i < p->n; i++) {
        const char *now = obj_gets(o, p->keys[i]);
        if (strcmp(now, p->old[i] ? p->old[i] : "") != 0)
            return 1;
    }
    return 0;
}

int gplan_store_edit(job *j, gplan *p)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    obj *o = store_get(e->st, p->id);
    int rc = 0;
    if (!o) {
        job_fail(j, "Job failed: %s %s no longer exists", p->type, p->id);
        rc = -1;
    } else if (stale(p, o)) {
        job_fail(j, "Stale object: %s %s was changed by job %lld; show it again and resubmit", o->type, o->name,
                 (long long)o->changed_by);
        rc = -1;
    } else {
        store_set_actor(e->st, j->id);
        store_begin(e->st);
        gplan_apply(e, p, o);
        store_commit(e->st);
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
    return rc;
}

/* What refers to the object follows the relations table (a deleted Vnic
 * takes its clone network mappings along), in one transaction with it. */
int gplan_run_delete(job *j)
{
    gplan *p = j->plan;
    engine *e = j->eng;
    store_wrlock(e->st);
    store_begin(e->st);
    obj *o = store_get(e->st, p->id);
    if (o) {
        relations_on_delete(e, o);
        store_delete(e->st, o);
    }
    store_commit(e->st);
    store_unlock(e->st);
    return 0;
}

gplan *gplan_edit_plan(cmdctx *c, obj *o, int unique_name)
{
    const gr_command *cmd = c->cmd; /* an edit: the grammar requires an attribute */
    gplan *p = gplan_new(o->type, o->id, NULL);
    for (size_t i = 0; i < cmd->nattrs; i++) {
        const gr_kv *a = &cmd->attrs[i];
        if (!strcmp(a->key, "name")) {
            if (unique_name && name_taken(c->e, o->type, a->value, o)) {
                result_fail(c->res, "A %s named %s already exists", o->type, a->value);
                gplan_free(p);
                return NULL;
            }
            free(p->name);
            p->name = xstrdup(a->value);
            continue;
        }
        gplan_set(p, a->key, a->value);
        p->old[p->n - 1] = xstrdup(obj_gets(o, a->key));
    }
    p->version = o->version;
    return p;
}

job *gplan_prepare_edit(cmdctx *c, obj *o, int unique_name)
{
    gplan *p = gplan_edit_plan(c, o, unique_name);
    if (!p)
        return NULL;
    const job_spec spec = {.operation = "Edit", .type = o->type, .fn = gplan_run_edit, .plan_free = gplan_free};
    return spec_job(c, &spec, o->name, p, o->id, NULL);
}

job *gplan_delete_job(cmdctx *c, obj *o)
{
    const job_spec spec = {.operation = "Delete", .type = o->type, .fn = gplan_run_delete, .plan_free = gplan_free};
    return spec_job(c, &spec, o->name, gplan_new(o->type, o->id, NULL), o->id, NULL);
}

job *prepare_edit_unique(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    return o ? gplan_prepare_edit(c, o, 1) : NULL;
}

job *prepare_delete_plain(cmdctx *c)
{
    obj *o = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    return o ? gplan_delete_job(c, o) : NULL;
}

typedef struct member_plan {
    char holder[64], member[64], attr[32];
    int add;
} member_plan;

static int run_member_list(job *j)
{
    member_plan *p = j->plan;
    engine *e = j->eng;
    int rc = 0;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *holder = store_get(e->st, p->holder), *member = store_get(e->st, p->member);
    if (!holder || !member) {
        job_fail(j, "Job failed: %s %s no longer exists", holder ? "the member" : "the group",
                 holder ? p->member : p->holder);
        rc = -1;
    } else if (p->add) {
        obj_list_add(e->st, holder, p->attr, member->id);
    } else {
        obj_list_remove(e->st, holder, p->attr, member->id);
    }
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    return rc;
}

job *member_list_job(cmdctx *c, const job_spec *spec, obj *holder, const char *attr, obj *member, int add)
{
    member_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->holder, sizeof p->holder, "%s", holder->id);
    snprintf(p->member, sizeof p->member, "%s", member->id);
    snprintf(p->attr, sizeof p->attr, "%s", attr);
    p->add = add;
    job_spec s = *spec;
    s.fn = run_member_list;
    s.plan_free = free;
    return spec_job(c, &s, holder->name, p, holder->id, member->id, NULL);
}

gplan *gplan_create_unique(cmdctx *c)
{
    const char *type = c->cmd->type->name, *name = gr_get(c->cmd, "name");
    if (name_taken(c->e, type, name, NULL)) {
        result_fail(c->res, "A %s named %s already exists", type, name);
        return NULL;
    }
    char id[64];
    new_object_id(c->cmd->type, id, sizeof id);
    gplan *p = gplan_new(type, id, name);
    gplan_take_attrs(p, c->cmd);
    return p;
}

job *gplan_create_job(cmdctx *c, gplan *p)
{
    const job_spec spec = {.operation = "Create", .type = p->type, .fn = gplan_run_create, .plan_free = gplan_free};
    return spec_job(c, &spec, p->name, p, NULL, NULL);
}
