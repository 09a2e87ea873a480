/* The walk over the tokens of one command (doc/command-language.md §2): verb, type,
 * instance, attributes and the parent clause, one token at a time. The parser
 * walks a whole command; '?' and TAB walk the finished tokens before the
 * cursor and read where the walk stands, so the three agree on what comes
 * next (see gr_walk in grammar.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "grammar/internal.h"
#include "lib/strbuf.h"
#include "lib/util.h"

int gr_walk_fail(gr_walk *w, const char *fmt, ...)
{
    if (!w->err) {
        va_list ap;
        va_start(ap, fmt);
        w->err = xvasprintf(fmt, ap);
        va_end(ap);
    }
    w->where = GW_END;
    return -1;
}

/* Distinct verbs of the table, for suggestions; *n gets the count. */
static const char **verb_names(size_t *n)
{
    size_t nc;
    const gr_cmd *const *cmds = gr_cmds(&nc);
    const char **v = xcalloc(nc, sizeof *v);
    *n = 0;
    for (size_t i = 0; i < nc; i++) {
        size_t j = 0;
        while (j < *n && strcmp(v[j], cmds[i]->verb) != 0)
            j++;
        if (j == *n)
            v[(*n)++] = cmds[i]->verb;
    }
    return v;
}

static int fail_unknown_verb(gr_walk *w, const char *word)
{
    size_t n;
    const char **v = verb_names(&n);
    char *s = gr_suggest(word, v, n);
    gr_walk_fail(w, "Unknown command: %s%s", word, s);
    free(s);
    free(v);
    return -1;
}

/* A bare object type token, or NULL after the error. */
static const gr_type *type_of(gr_walk *w, const gr_token *t, const char *before)
{
    if (t->key) {
        gr_walk_fail(w, "Missing object type: expected %s <objectType>", before);
        return NULL;
    }
    const gr_type *type = gr_type_find(t->text);
    if (!type) {
        size_t n = 0;
        while (gr_type_names[n])
            n++;
        char *s = gr_suggest(t->text, (const char *const *)gr_type_names, n);
        gr_walk_fail(w, "Unknown object type: %s%s", t->text, s);
        free(s);
    }
    return type;
}

/* The id=/name= token that must follow a type (rule 1 of §2). */
static int instance_of(gr_walk *w, const gr_token *t, const gr_type *type, gr_kv *kv)
{
    if (!t || !t->key || !*t->value ||
        (ovm_strcasecmp(t->key, "id") != 0 && ovm_strcasecmp(t->key, "name") != 0))
        return gr_walk_fail(w, "Missing instance: expected id=<value> or name=<value> after %s", type->name);
    kv->key = xstrdup(ovm_strcasecmp(t->key, "id") == 0 ? "id" : "name");
    kv->value = xstrdup(t->value);
    kv->off = t->off;
    return 0;
}

static int step_verb(gr_walk *w, const gr_token *t)
{
    gr_command *c = &w->cmd;
    c->verb = t->key ? NULL : gr_verb_canonical(t->text);
    if (!c->verb)
        return fail_unknown_verb(w, t->text);
    if (gr_verb_is_typed(c->verb)) {
        w->where = GW_TYPE;
        return 0;
    }
    c->def = gr_cmd_find(c->verb, NULL);
    w->where = c->def->type_arg ? GW_TYPE : GW_REST;
    return 0;
}

static int step_type(gr_walk *w, const gr_token *t)
{
    gr_command *c = &w->cmd;
    if (!(c->type = type_of(w, t, c->verb)))
        return -1;
    if (c->def) { /* the type argument of a manager command */
        w->where = GW_REST;
        return 0;
    }
    c->def = gr_cmd_find(c->verb, c->type->name);
    if (!c->def && c->type->level != GT_R1)
        return gr_walk_fail(w, "Object type %s is not supported by this Manager", c->type->name);
    if (!c->def)
        return gr_walk_fail(w, "Command '%s' is not supported for object type %s", c->verb, c->type->name);
    w->where = c->def->takes_instance ? GW_INSTANCE : GW_REST;
    return 0;
}

int gr_walk_accepts(const gr_command *c, const gr_attr *a)
{
    if (strcmp(c->verb, "create") == 0)
        return (a->flags & GA_CREATE) != 0;
    if (strcmp(c->verb, "edit") == 0)
        return (a->flags & GA_EDIT) != 0;
    return 1;
}

static int fail_unknown_attr(gr_walk *w, const char *key)
{
    const gr_command *c = &w->cmd;
    size_t n = 0, total = 0;
    while (c->def->attrs[total])
        total++;
    const char **names = xcalloc(total + 1, sizeof *names);
    for (const gr_attr *const *a = c->def->attrs; *a; a++)
        if (gr_walk_accepts(c, *a))
            names[n++] = (*a)->name;
    char *s = gr_suggest(key, names, n);
    if (c->type)
        gr_walk_fail(w, "Invalid attribute '%s' for %s %s%s", key, c->verb, c->type->name, s);
    else
        gr_walk_fail(w, "Invalid attribute '%s' for %s%s", key, c->verb, s);
    free(s);
    free(names);
    return -1;
}

/* Records the attribute; a repeated one keeps its place and takes the value. */
static void set_attr(gr_command *c, const gr_attr *def, char *value, size_t off)
{
    for (size_t i = 0; i < c->nattrs; i++) {
        if (c->attrs[i].def == def) {
            free(c->attrs[i].value);
            c->attrs[i].value = value;
            c->attrs[i].off = off;
            return;
        }
    }
    c->attrs = xrealloc(c->attrs, (c->nattrs + 1) * sizeof *c->attrs);
    c->attrs[c->nattrs++] = (gr_kv){def, xstrdup(def->name), value, off};
}

static int step_attr(gr_walk *w, const gr_token *t)
{
    gr_command *c = &w->cmd;
    const gr_attr *a = gr_cmd_attr(c->def, t->key);
    if (!a || (!gr_walk_accepts(c, a) && !(a->flags & GA_CREATE)))
        return fail_unknown_attr(w, t->key);
    if (!gr_walk_accepts(c, a))
        return gr_walk_fail(w, "%s of %s can only be set when the object is created", a->name, c->type->name);
    char *err = NULL, *v = w->check_values ? gr_check_value(a, t->value, &err) : xstrdup(t->value);
    if (!v) {
        gr_walk_fail(w, "%s", err);
        free(err);
        return -1;
    }
    set_attr(c, a, v, t->off);
    return 0;
}

static int step_rest(gr_walk *w, const gr_token *t)
{
    gr_command *c = &w->cmd;
    const char *kw = c->def->parents ? gr_parent_keyword(c->verb) : NULL;
    if (t->key)
        return step_attr(w, t);
    if (kw && !c->ptype && ovm_strcasecmp(t->text, kw) == 0) {
        w->where = GW_PTYPE;
        return 0;
    }
    if (c->def->keyword && ovm_strcasecmp(t->text, c->def->keyword) == 0)
        return 0;
    return gr_walk_fail(w, "Syntax error: unexpected '%s' at column %zu", t->text, t->off + 1);
}

char *gr_join(const char *const *v, const char *sep)
{
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "");
    for (size_t i = 0; v && v[i]; i++)
        sb_addf(&sb, "%s%s", i ? sep : "", v[i]);
    return sb_detach(&sb, NULL);
}

static int step_ptype(gr_walk *w, const gr_token *t)
{
    gr_command *c = &w->cmd;
    const gr_type *pt = type_of(w, t, gr_parent_keyword(c->verb));
    if (!pt)
        return -1;
    for (const char *const *q = c->def->parents; *q; q++) {
        if (strcmp(*q, pt->name) == 0) {
            c->ptype = pt;
            w->where = GW_PINSTANCE;
            return 0;
        }
    }
    char *list = gr_join(c->def->parents, ", ");
    gr_walk_fail(w, "Object type %s is not a valid parent for %s %s; expected one of: %s", pt->name, c->verb,
         c->type->name, list);
    free(list);
    return -1;
}

int gr_walk_token(gr_walk *w, const gr_token *t)
{
    gr_command *c = &w->cmd;
    switch (w->where) {
    case GW_VERB: return step_verb(w, t);
    case GW_TYPE: return step_type(w, t);
    case GW_INSTANCE:
        w->where = GW_REST;
        return instance_of(w, t, c->type, &c->instance);
    case GW_REST: return step_rest(w, t);
    case GW_PTYPE: return step_ptype(w, t);
    case GW_PINSTANCE:
        w->where = GW_REST;
        return instance_of(w, t, c->ptype, &c->pinstance);
    case GW_END: break;
    }
    return -1;
}

int gr_walk_end(gr_walk *w)
{
    const gr_command *c = &w->cmd;
    switch (w->where) {
    case GW_VERB: return gr_walk_fail(w, "Syntax error: empty command");
    case GW_TYPE: return gr_walk_fail(w, "Missing object type: expected %s <objectType>", c->verb);
    case GW_INSTANCE: return instance_of(w, NULL, c->type, NULL);
    case GW_PTYPE: return gr_walk_fail(w, "Missing object type: expected %s <objectType>", gr_parent_keyword(c->verb));
    case GW_PINSTANCE: return instance_of(w, NULL, c->ptype, NULL);
    case GW_REST: return 0;
    case GW_END: break;
    }
    return -1;
}

void gr_walk_init(gr_walk *w, int check_values)
{
    memset(w, 0, sizeof *w);
    w->check_values = check_values;
}

void gr_walk_free(gr_walk *w)
{
    gr_command_free(&w->cmd);
    free(w->err);
    w->err = NULL;
}

void gr_walk_partial(const char *before, gr_walk *w, char **cur)
{
    gr_cursor at;
    gr_tokens t;
    char *err = NULL;
    gr_walk_init(w, 0);
    gr_scan_cursor(before, &at);
    *cur = xstrdup(before + at.tok);
    char *done = xstrndup(before + at.seg, at.tok - at.seg);
    if (gr_lex(done, &t, &err) != 0) {
        w->err = err; /* gr_lex left t empty */
        w->where = GW_END;
    }
    for (size_t i = 0; !w->err && i < t.n; i++)
        gr_walk_token(w, &t.v[i]);
    gr_tokens_free(&t);
    free(done);
}
