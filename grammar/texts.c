/* Texts generated from the tables (doc/command-language.md §6): help, showobjtypes,
 * showcustomcmds and showallcustomcmds (the '?' listing is in question.c).
 * Data lines carry no indentation; the renderer adds the two spaces of §7. */
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
 * refuses (recognised-only types are refused as a whole): a section only
 * while any form is refused. */
size_t gr_help_lines(char ***out)
{
    gr_lines l = {0};
    size_t n;
    const gr_cmd *const *c = gr_cmds(&n);
    for (size_t i = 0; i < sizeof help_text / sizeof help_text[0]; i++)
        gr_lines_add(&l, xstrdup(help_text[i]));
    for (size_t i = 0; i < n; i++) {
        if (!c[i]->refusal)
            continue;
        if (l.n == sizeof help_text / sizeof help_text[0])
            gr_lines_add(&l, xstrdup("Not Supported by this Manager:"));
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
