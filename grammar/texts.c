/* Texts generated from the tables (cli-contract §6, §11.3): help,
 * showobjtypes, showcustomcmds, showallcustomcmds and the '?' listing. Data
 * lines carry no indentation; the renderer adds the two spaces of §7. */
#include <stdlib.h>
#include <string.h>
#include "grammar/internal.h"
#include "lib/util.h"

static const char *const help_text[] = {
    "For Most Object Types:",
    "    list <objectType>",
    "    show <objectType> <instance>",
    "    create <objectType> [(attribute1)=\"value1\"] ... [on <objectType> <instance>]",
    "    edit <objectType> <instance>  (attribute1)=\"value1\" ...",
    "    delete <objectType> <instance>",
    "For Most Object Types with Children:",
    "    add <objectType> <instance> to <objectType> <instance>",
    "    remove <objectType> <instance> from <objectType> <instance>",
    "Client Session Commands:",
    "    set outputMode=[Verbose,XML,Sparse]",
    "    set endLineChars=[CRLF,CR,LF]",
    "    showobjtypes",
    "    showallcustomcmds",
    "    showcustomcmds <objectType>",
    "    showversion",
    "    exit",
    "    set commandMode=[Synchronous,Asynchronous]",
    "    set commandTimeout=[1-43200]",
    "    set alphabetizeAttributes=[Yes,No]",
    "    showclisession",
};

/* Marks a refused form in showcustomcmds and showallcustomcmds. */
#define REFUSED_MARK "  (not supported by this Manager)"

/* The syntax line of a form; generic forms have none in the table. Heap. */
static char *form_syntax(const gr_cmd *c)
{
    if (c->syntax)
        return xstrdup(c->syntax);
    return xasprintf("%s %s%s", c->verb, c->type ? c->type : "", c->takes_instance ? " <instance>" : "");
}

/* Oracle's text, then the forms of implemented types that the engine always
 * refuses (recognised-only types are refused as a whole). */
size_t gr_help_lines(char ***out)
{
    gr_lines l = {0};
    size_t n;
    const gr_cmd *const *c = gr_cmds(&n);
    for (size_t i = 0; i < sizeof help_text / sizeof help_text[0]; i++)
        gr_lines_add(&l, xstrdup(help_text[i]));
    gr_lines_add(&l, xstrdup("Not Supported by this Manager:"));
    for (size_t i = 0; i < n; i++) {
        if (!c[i]->refusal)
            continue;
        char *syn = form_syntax(c[i]);
        gr_lines_addf(&l, "    %s", syn);
        free(syn);
    }
    *out = l.v;
    return l.n;
}

size_t gr_showobjtypes_lines(char ***out)
{
    gr_lines l = {0};
    size_t n;
    const gr_type *const *t = gr_types(&n);
    for (size_t i = 0; i < n; i++)
        gr_lines_add(&l, xstrdup(t[i]->name));
    *out = l.v;
    return l.n;
}

static int is_custom(const gr_cmd *c)
{
    return c->type && !gr_verb_is_generic(c->verb);
}

static int cmp_custom(const void *x, const void *y)
{
    const gr_cmd *a = *(const gr_cmd *const *)x, *b = *(const gr_cmd *const *)y;
    int r = ovm_strcasecmp(a->type, b->type);
    return r ? r : ovm_strcasecmp(a->verb, b->verb);
}

/* The showcustomcmds line of a form: its syntax, marked when refused. */
static void add_custom_line(gr_lines *l, const gr_cmd *c)
{
    char *why = gr_refusal(c, gr_type_find(c->type));
    gr_lines_addf(l, "%s%s", c->syntax, why ? REFUSED_MARK : "");
    free(why);
}

/* Custom command forms of type t (all types when t is NULL), sorted by type
 * then verb; heap array of borrowed pointers. */
static const gr_cmd **custom_forms(const gr_type *t, size_t *k)
{
    size_t n;
    const gr_cmd *const *c = gr_cmds(&n);
    const gr_cmd **v = xcalloc(n, sizeof *v);
    *k = 0;
    for (size_t i = 0; i < n; i++)
        if (is_custom(c[i]) && (!t || strcmp(c[i]->type, t->name) == 0))
            v[(*k)++] = c[i];
    qsort(v, *k, sizeof *v, cmp_custom);
    return v;
}

size_t gr_showcustomcmds_lines(const gr_type *t, char ***out)
{
    gr_lines l = {0};
    size_t k;
    const gr_cmd **v = custom_forms(t, &k);
    for (size_t i = 0; t && i < k; i++)
        add_custom_line(&l, v[i]);
    free(v);
    *out = l.v;
    return l.n;
}

size_t gr_showallcustomcmds_lines(char ***out)
{
    gr_lines l = {0};
    size_t k, n;
    const gr_cmd **v = custom_forms(NULL, &k);
    for (size_t i = 0; i < k; i++)
        add_custom_line(&l, v[i]);
    free(v);
    const gr_cmd *const *c = gr_cmds(&n);
    for (size_t i = 0; i < n; i++)
        if (!c[i]->type)
            gr_lines_add(&l, xstrdup(c[i]->syntax));
    *out = l.v;
    return l.n;
}

/* ---- '?' listing ---- */

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

static int q_accepts(const char *verb, const gr_attr *a)
{
    if (strcmp(verb, "create") == 0)
        return (a->flags & GA_CREATE) != 0;
    if (strcmp(verb, "edit") == 0)
        return (a->flags & GA_EDIT) != 0;
    return 1;
}

static void q_attrs(question *q, const gr_cmd *c, int want_parent)
{
    int edit = strcmp(c->verb, "edit") == 0;
    for (const gr_attr *const *a = c->attrs; *a; a++)
        if (q_accepts(c->verb, *a))
            q_add(q, ((*a)->flags & GA_MANDATORY) && !edit ? "*" : "", (*a)->name);
    const char *kw = gr_parent_keyword(c->verb);
    for (const char *const *p = c->parents; want_parent && kw && p && *p; p++) {
        char *s = xasprintf("%s %s <instance>", kw, *p);
        q_add(q, c->parent_required ? "*" : "", s);
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
    }
    if (s)
        q_add(q, "", s);
    free(s);
}

static int is_instance_tok(const gr_token *t)
{
    return t->key && (ovm_strcasecmp(t->key, "id") == 0 || ovm_strcasecmp(t->key, "name") == 0);
}

/* The tokens after "verb [Type [instance]]": parent clause, attributes, or
 * the value of a trailing "key=". */
static void q_rest(question *q, const gr_cmd *c, const gr_token *t, size_t n)
{
    const char *kw = gr_parent_keyword(c->verb);
    for (size_t i = 0; i < n; i++) {
        if (t[i].key || !kw || ovm_strcasecmp(t[i].text, kw) != 0)
            continue;
        if (i + 1 == n) {
            for (const char *const *p = c->parents; p && *p; p++)
                q_add(q, "", *p);
            return;
        }
        if (i + 2 == n) {
            q_instance(q);
            return;
        }
    }
    if (n && t[n - 1].key && !*t[n - 1].value && !t[n - 1].quoted) {
        const gr_attr *a = gr_cmd_attr(c, t[n - 1].key);
        if (a)
            q_value(q, a);
        return;
    }
    int has_parent = 0;
    for (size_t i = 0; i < n; i++)
        has_parent |= !t[i].key && kw && ovm_strcasecmp(t[i].text, kw) == 0;
    q_attrs(q, c, !has_parent);
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

static void q_walk(question *q, const gr_token *t, size_t n)
{
    if (n == 0 || t[0].key) {
        if (n == 0)
            q_verbs(q);
        return;
    }
    const char *verb = gr_verb_canonical(t[0].text);
    if (!verb)
        return;
    const gr_cmd *c = gr_verb_is_typed(verb) ? NULL : gr_cmd_find(verb, NULL);
    const gr_type *type = n > 1 && !t[1].key ? gr_type_find(t[1].text) : NULL;
    size_t used = 1;
    if (c && c->type_arg) {
        if (n == 1)
            q_types(q, NULL);
        return;
    }
    if (!c) {
        if (n == 1) {
            q_types(q, verb);
            return;
        }
        if (!type || !(c = gr_cmd_find(verb, type->name)))
            return;
        used = 2;
        if (c->takes_instance && n == 2) {
            q_instance(q);
            q_refusal(q, c, type);
            return;
        }
        used += c->takes_instance && is_instance_tok(&t[2]);
    }
    q_rest(q, c, t + used, n - used);
    if (c->helptext)
        gr_lines_addf(&q->l, "%*sHelpText: %s", (int)q->col, "", c->helptext);
    q_refusal(q, c, type);
}

size_t gr_question_lines(const char *before, size_t col, char ***out)
{
    question q = {{0}, col};
    gr_tokens t;
    char *err = NULL;
    *out = NULL;
    if (gr_lex(before, &t, &err) != 0) {
        free(err);
        return 0;
    }
    q_walk(&q, t.v, t.n);
    gr_tokens_free(&t);
    *out = q.l.v;
    return q.l.n;
}
