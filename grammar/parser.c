/* Parser and validator (cli-contract §2, §5, §7.5): tokens -> gr_command. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "grammar/internal.h"
#include "lib/strbuf.h"
#include "lib/util.h"

typedef struct parser {
    const gr_token *tok;  /* tokens before any '?' */
    size_t n, i;          /* token count and cursor */
    gr_command *out;
    char *err;            /* first error, heap */
} parser;

static int fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parser *p, const char *fmt, ...)
{
    if (!p->err) {
        va_list ap;
        va_start(ap, fmt);
        p->err = xvasprintf(fmt, ap);
        va_end(ap);
    }
    return -1;
}

static const gr_token *peek(const parser *p)
{
    return p->i < p->n ? &p->tok[p->i] : NULL;
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

static int fail_unknown_verb(parser *p, const char *word)
{
    size_t n;
    const char **v = verb_names(&n);
    char *s = gr_suggest(word, v, n);
    fail(p, "Unknown command: %s%s", word, s);
    free(s);
    free(v);
    return -1;
}

static int fail_unknown_type(parser *p, const char *word)
{
    size_t n = 0;
    while (gr_type_names[n])
        n++;
    char *s = gr_suggest(word, (const char *const *)gr_type_names, n);
    fail(p, "Unknown object type: %s%s", word, s);
    free(s);
    return -1;
}

/* Reads a bare object type token. */
static const gr_type *parse_type(parser *p, const char *verb)
{
    const gr_token *t = peek(p);
    if (!t || t->key) {
        fail(p, "Missing object type: expected %s <objectType>", verb);
        return NULL;
    }
    const gr_type *type = gr_type_find(t->text);
    if (!type) {
        fail_unknown_type(p, t->text);
        return NULL;
    }
    p->i++;
    return type;
}

/* Reads the id=/name= token that must follow a type (rule 1 of §2). */
static int parse_instance(parser *p, const gr_type *type, gr_kv *kv)
{
    const gr_token *t = peek(p);
    if (!t || !t->key || !*t->value ||
        (ovm_strcasecmp(t->key, "id") != 0 && ovm_strcasecmp(t->key, "name") != 0))
        return fail(p, "Missing instance: expected id=<value> or name=<value> after %s",
                    type->name);
    kv->key = xstrdup(ovm_strcasecmp(t->key, "id") == 0 ? "id" : "name");
    kv->value = xstrdup(t->value);
    kv->off = t->off;
    p->i++;
    return 0;
}

static int accepts(const gr_command *c, const gr_attr *a)
{
    if (strcmp(c->verb, "create") == 0)
        return (a->flags & GA_CREATE) != 0;
    if (strcmp(c->verb, "edit") == 0)
        return (a->flags & GA_EDIT) != 0;
    return 1;
}

static int fail_unknown_attr(parser *p, const char *key)
{
    const gr_command *c = p->out;
    size_t n = 0, total = 0;
    while (c->def->attrs[total])
        total++;
    const char **names = xcalloc(total + 1, sizeof *names);
    for (const gr_attr *const *a = c->def->attrs; *a; a++)
        if (accepts(c, *a))
            names[n++] = (*a)->name;
    char *s = gr_suggest(key, names, n);
    if (c->type)
        fail(p, "Invalid attribute '%s' for %s %s%s", key, c->verb, c->type->name, s);
    else
        fail(p, "Invalid attribute '%s' for %s%s", key, c->verb, s);
    free(s);
    free(names);
    return -1;
}

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

static int parse_attr(parser *p, const gr_token *t)
{
    gr_command *c = p->out;
    const gr_attr *a = gr_cmd_attr(c->def, t->key);
    if (!a || (!accepts(c, a) && !(a->flags & GA_CREATE)))
        return fail_unknown_attr(p, t->key);
    if (!accepts(c, a))
        return fail(p, "%s of %s can only be set when the object is created", a->name,
                    c->type->name);
    char *err = NULL, *v = gr_check_value(a, t->value, &err);
    if (!v) {
        fail(p, "%s", err);
        free(err);
        return -1;
    }
    set_attr(c, a, v, t->off);
    p->i++;
    return 0;
}

static int is_parent(const gr_cmd *d, const gr_type *t)
{
    for (const char *const *q = d->parents; q && *q; q++)
        if (strcmp(*q, t->name) == 0)
            return 1;
    return 0;
}

static char *join(const char *const *v, const char *sep)
{
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "");
    for (size_t i = 0; v && v[i]; i++)
        sb_addf(&sb, "%s%s", i ? sep : "", v[i]);
    return sb_detach(&sb, NULL);
}

/* "on|to|from <Type> <instance>" after the keyword token. */
static int parse_parent(parser *p)
{
    gr_command *c = p->out;
    p->i++;
    const gr_type *t = parse_type(p, gr_parent_keyword(c->verb));
    if (!t)
        return -1;
    if (!is_parent(c->def, t)) {
        char *list = join(c->def->parents, ", ");
        fail(p, "Object type %s is not a valid parent for %s %s; expected one of: %s", t->name,
             c->verb, c->type->name, list);
        free(list);
        return -1;
    }
    c->ptype = t;
    return parse_instance(p, t, &c->pinstance);
}

static int parse_rest(parser *p)
{
    gr_command *c = p->out;
    const char *kw = c->def->parents ? gr_parent_keyword(c->verb) : NULL;
    while (peek(p)) {
        const gr_token *t = peek(p);
        if (t->key) {
            if (parse_attr(p, t) != 0)
                return -1;
        } else if (kw && !c->ptype && ovm_strcasecmp(t->text, kw) == 0) {
            if (parse_parent(p) != 0)
                return -1;
        } else {
            return fail(p, "Syntax error: unexpected '%s' at column %zu", t->text, t->off + 1);
        }
    }
    return 0;
}

static int check_mandatory(parser *p)
{
    const gr_command *c = p->out;
    if (strcmp(c->verb, "edit") == 0)
        return 0;
    for (const gr_attr *const *a = c->def->attrs; *a; a++)
        if (((*a)->flags & GA_MANDATORY) && !gr_get(c, (*a)->name))
            return fail(p, "Missing mandatory attribute: %s", (*a)->name);
    return 0;
}

static int check_one_of(parser *p)
{
    const gr_command *c = p->out;
    size_t given = 0;
    if (!c->def->one_of)
        return 0;
    for (const char *const *k = c->def->one_of; *k; k++)
        given += gr_get(c, *k) != NULL;
    int is_edit = strcmp(c->verb, "edit") == 0;
    if (given == 1 || (given == 0 && is_edit))
        return 0;
    char *list = join(c->def->one_of, ", ");
    if (given == 0)
        fail(p, "Missing mandatory attribute: one of %s", list);
    else
        fail(p, "Only one of %s may be specified", list);
    free(list);
    return -1;
}

static int check_complete(parser *p)
{
    gr_command *c = p->out;
    const gr_cmd *d = c->def;
    if (d->parent_required && !c->ptype)
        return fail(p, "Missing parent: expected '%s %s <instance>'", gr_parent_keyword(c->verb),
                    d->parents[0]);
    if (check_mandatory(p) != 0 || check_one_of(p) != 0)
        return -1;
    if (strcmp(c->verb, "edit") == 0 && c->nattrs == 0)
        return fail(p, "At least one attribute must be specified");
    if (d->check && d->check(c, &p->err) != 0)
        return -1;
    /* Forms refused by the registry (gr_cmd.refusal) parse: the engine
     * refuses them; recognised-only types are refused here. */
    char *why = gr_type_refusal(d, c->type);
    if (why)
        fail(p, "%s", why);
    free(why);
    return why ? -1 : 0;
}

/* verb [type [instance]] for object commands, verb [type] for manager ones. */
static int parse_head(parser *p)
{
    gr_command *c = p->out;
    const gr_token *t = peek(p);
    c->verb = t->key ? NULL : gr_verb_canonical(t->text);
    if (!c->verb)
        return fail_unknown_verb(p, t->text);
    p->i++;
    if (!gr_verb_is_typed(c->verb)) {
        c->def = gr_cmd_find(c->verb, NULL);
        if (c->def->type_arg && !(c->type = parse_type(p, c->verb)))
            return -1;
        return 0;
    }
    if (!(c->type = parse_type(p, c->verb)))
        return -1;
    c->def = gr_cmd_find(c->verb, c->type->name);
    if (!c->def && c->type->level != GT_R1)
        return fail(p, "Object type %s is not supported by this Manager", c->type->name);
    if (!c->def)
        return fail(p, "Command '%s' is not supported for object type %s", c->verb,
                    c->type->name);
    if (c->def->takes_instance)
        return parse_instance(p, c->type, &c->instance);
    return 0;
}

static char *trim_copy(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return xstrndup(s, n);
}

/* Index of the first lone '?' token, or t->n. */
static size_t help_index(const gr_tokens *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (!t->v[i].key && strcmp(t->v[i].text, "?") == 0)
            return i;
    return t->n;
}

int gr_parse(const char *cmd, gr_command *out, char **err)
{
    gr_tokens toks;
    memset(out, 0, sizeof *out);
    *err = NULL;
    out->text = trim_copy(cmd);
    if (gr_lex(out->text, &toks, err) != 0) {
        gr_command_free(out);
        return -1;
    }
    parser p = {toks.v, help_index(&toks), 0, out, NULL};
    out->help = p.n < toks.n;
    if (p.n == 0 && !out->help)
        fail(&p, "Syntax error: empty command");
    else if (p.n > 0 && parse_head(&p) == 0 && parse_rest(&p) == 0 && !out->help)
        check_complete(&p);
    gr_tokens_free(&toks);
    if (p.err && out->help) {
        free(p.err);
        p.err = NULL;
    }
    *err = p.err;
    if (p.err)
        gr_command_free(out); /* a failed parse leaves nothing to free */
    return p.err ? -1 : 0;
}

static void kv_free(gr_kv *kv)
{
    free(kv->key);
    free(kv->value);
}

void gr_command_free(gr_command *c)
{
    if (!c)
        return;
    free(c->text);
    kv_free(&c->instance);
    kv_free(&c->pinstance);
    for (size_t i = 0; i < c->nattrs; i++)
        kv_free(&c->attrs[i]);
    free(c->attrs);
    memset(c, 0, sizeof *c);
}

const char *gr_get(const gr_command *c, const char *name)
{
    for (size_t i = 0; i < c->nattrs; i++)
        if (ovm_strcasecmp(c->attrs[i].key, name) == 0)
            return c->attrs[i].value;
    return NULL;
}
