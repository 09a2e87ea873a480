/* The '?' listing (doc/command-language.md §11.3): what may follow the text before the
 * '?', read from where the partial parse (walk.c) stands, so that it agrees
 * with what the command would accept when run. */
#include <stdlib.h>
#include <string.h>
#include "grammar/internal.h"
#include "lib/util.h"

typedef struct question {
    gr_lines l;
    size_t col;
} question;

static void q_add(question *q, const char *mark, const char *text)
{
    gr_lines_addf(&q->l, "%*s%s%s", (int)q->col, "", mark, text);
}

static int cmp_str(const void *x, const void *y)
{
    return ovm_strcasecmp(*(const char *const *)x, *(const char *const *)y);
}

static void q_verbs(question *q)
{
    size_t n, k = 0;
    const gr_cmd *const *c = gr_cmds(&n);
    const char **v = xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < k && strcmp(v[j], c[i]->verb) != 0)
            j++;
        if (j == k)
            v[k++] = c[i]->verb;
    }
    qsort(v, k, sizeof *v, cmp_str);
    for (size_t i = 0; i < k; i++)
        q_add(q, "", v[i]);
    free(v);
}

/* Types valid for verb (all types when verb is NULL), alphabetically. */
static void q_types(question *q, const char *verb)
{
    size_t n;
    const gr_type *const *t = gr_types(&n);
    for (size_t i = 0; i < n; i++)
        if (!verb || gr_cmd_find(verb, t[i]->name))
            q_add(q, "", t[i]->name);
}

static void q_instance(question *q)
{
    q_add(q, "", "id=");
    q_add(q, "", "name=");
}

static void q_attrs(question *q, const gr_command *c)
{
    const gr_cmd *d = c->def;
    int edit = strcmp(c->verb, "edit") == 0;
    for (const gr_attr *const *a = d->attrs; *a; a++)
        if (gr_walk_accepts(c, *a))
            q_add(q, ((*a)->flags & GA_MANDATORY) && !edit ? "*" : "", (*a)->name);
    const char *kw = gr_parent_keyword(c->verb);
    for (const char *const *p = d->parents; !c->ptype && kw && p && *p; p++) {
        char *s = xasprintf("%s %s <instance>", kw, *p);
        q_add(q, d->parent_required ? "*" : "", s);
        free(s);
    }
}

static void q_value(question *q, const gr_attr *a)
{
    char *s = NULL;
    switch (a->vtype) {
    case VT_BOOL:
        q_add(q, "", "Yes");
        q_add(q, "", "No");
        return;
    case VT_ENUM:
    case VT_ENUMLIST:
        for (const char *const *e = a->enums; *e; e++)
            q_add(q, "", *e);
        return;
    case VT_INT: s = xasprintf("<integer %lld..%lld>", a->min, a->max); break;
    case VT_NUM:
        s = a->flags & GA_NUM_GT0 ? xasprintf("<number >%lld..%lld>", a->min, a->max)
                                  : xasprintf("<number %lld..%lld>", a->min, a->max);
        break;
    case VT_STR: s = xasprintf("<string of %lld to %zu bytes>", a->min,
                               a->max_len ? a->max_len : 256); break;
    case VT_REF: s = xasprintf("<name or id of a %s>", a->ref_type); break;
    case VT_REFLIST: s = xasprintf("<comma-separated names or ids of %s>", a->ref_type); break;
    case VT_STRLIST: s = xstrdup("<comma-separated list>"); break;
    case VT_IPV4: s = xstrdup("<IPv4 address>"); break;
    case VT_HOST: s = xstrdup("<IPv4 address or host name>"); break;
    case VT_MAC: s = xstrdup("<MAC address xx:xx:xx:xx:xx:xx>"); break;
    case VT_EVENTID: s = xstrdup("<13-digit event id>"); break;
    case VT_URL: s = xstrdup("<http, https or ftp URL>"); break;
    }
    if (s)
        q_add(q, "", s);
    free(s);
}

/* The last line for a form the Manager refuses, so that '?' does not
 * advertise it as working. */
static void q_refusal(question *q, const gr_cmd *c, const gr_type *type)
{
    char *why = gr_refusal(c, type);
    if (why)
        gr_lines_addf(&q->l, "%*sNot supported by this Manager: %s", (int)q->col, "", why);
    free(why);
}

/* The attribute whose value a '?' right after "key=" asks for: cur is that
 * token (nothing after the '=', no quote). *is_value says whether it is one. */
static const gr_attr *value_wanted(const gr_walk *w, const char *cur, int *is_value)
{
    const char *eq = strchr(cur, '=');
    *is_value = eq && eq > cur && !eq[1];
    if (!*is_value || w->where != GW_REST)
        return NULL;
    char *key = xstrndup(cur, (size_t)(eq - cur));
    const gr_attr *a = gr_cmd_attr(w->cmd.def, key);
    free(key);
    return a;
}

/* The lines for a walk that knows its form. */
static void q_form(question *q, const gr_walk *w, const gr_attr *value, int is_value)
{
    const gr_command *c = &w->cmd;
    if (is_value) {
        if (value)
            q_value(q, value);
    } else if (w->where == GW_INSTANCE || w->where == GW_PINSTANCE) {
        q_instance(q);
    } else if (w->where == GW_PTYPE) {
        for (const char *const *p = c->def->parents; *p; p++)
            q_add(q, "", *p);
    } else if (w->where == GW_REST) {
        q_attrs(q, c);
    }
    if (c->def->helptext && w->where != GW_INSTANCE)
        gr_lines_addf(&q->l, "%*sHelpText: %s", (int)q->col, "", c->def->helptext);
    q_refusal(q, c->def, c->type);
}

static void q_list(question *q, const gr_walk *w, const gr_attr *value, int is_value)
{
    const gr_command *c = &w->cmd;
    if (w->where == GW_END || (is_value && !value && w->where != GW_REST))
        return; /* a token did not fit; or the value of an instance: live names only */
    if (w->where == GW_VERB)
        q_verbs(q);
    else if (w->where == GW_TYPE)
        q_types(q, c->def && c->def->type_arg ? NULL : c->verb);
    else
        q_form(q, w, value, is_value);
}

/* The last token before the '?' (blanks between them do not count) is
 * walked too, unless it is the "key=" whose value the '?' asks for. */
size_t gr_question_lines(const char *before, size_t col, char ***out)
{
    question q = {{0}, col};
    gr_walk w;
    char *cur;
    size_t len = strlen(before);
    while (len && (before[len - 1] == ' ' || before[len - 1] == '\t'))
        len--;
    char *text = xstrndup(before, len);
    gr_walk_partial(text, &w, &cur);
    free(text);
    int is_value;
    const gr_attr *value = value_wanted(&w, cur, &is_value);
    gr_tokens t;
    char *err = NULL;
    if (*cur && !is_value) {
        if (gr_lex(cur, &t, &err) != 0)
            w.where = GW_END;
        for (size_t i = 0; w.where != GW_END && i < t.n; i++)
            gr_walk_token(&w, &t.v[i]);
        gr_tokens_free(&t);
        free(err);
    }
    q_list(&q, &w, value, is_value);
    gr_walk_free(&w);
    free(cur);
    *out = q.l.v;
    return q.l.n;
}
