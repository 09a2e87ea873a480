/* Parser and validator (doc/command-language.md §2, §5, §7.5): tokens -> gr_command.
 * The walk (walk.c) reads the structure and checks each value; this file adds
 * the checks that need the whole command. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "grammar/internal.h"
#include "lib/strbuf.h"
#include "lib/util.h"

static int check_mandatory(gr_walk *w)
{
    const gr_command *c = &w->cmd;
    if (strcmp(c->verb, "edit") == 0)
        return 0;
    for (const gr_attr *const *a = c->def->attrs; *a; a++)
        if (((*a)->flags & GA_MANDATORY) && !gr_get(c, (*a)->name))
            return gr_walk_fail(w, "Missing mandatory attribute: %s", (*a)->name);
    return 0;
}

static int check_one_of(gr_walk *w)
{
    const gr_command *c = &w->cmd;
    size_t given = 0;
    if (!c->def->one_of)
        return 0;
    for (const char *const *k = c->def->one_of; *k; k++)
        given += gr_get(c, *k) != NULL;
    int is_edit = strcmp(c->verb, "edit") == 0;
    if (given == 1 || (given == 0 && is_edit))
        return 0;
    char *list = gr_join(c->def->one_of, ", ");
    if (given == 0)
        gr_walk_fail(w, "Missing mandatory attribute: one of %s", list);
    else
        gr_walk_fail(w, "Only one of %s may be specified", list);
    free(list);
    return -1;
}

static int check_complete(gr_walk *w)
{
    gr_command *c = &w->cmd;
    const gr_cmd *d = c->def;
    if (d->parent_required && !c->ptype)
        return gr_walk_fail(w, "Missing parent: expected '%s %s <instance>'", gr_parent_keyword(c->verb),
                            d->parents[0]);
    if (check_mandatory(w) != 0 || check_one_of(w) != 0)
        return -1;
    if (strcmp(c->verb, "edit") == 0 && c->nattrs == 0)
        return gr_walk_fail(w, "At least one attribute must be specified");
    if (d->check && d->check(c, &w->err) != 0)
        return -1;
    /* Forms refused by the registry (gr_cmd.refusal) parse: the engine
     * refuses them; recognised-only types are refused here. */
    char *why = gr_type_refusal(d, c->type);
    if (why)
        gr_walk_fail(w, "%s", why);
    free(why);
    return why ? -1 : 0;
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

/* Walks the tokens before any '?'; with a '?' the walk may stop early
 * without an error: help needs only what was typed. */
static void walk_all(gr_walk *w, const gr_tokens *toks)
{
    size_t n = help_index(toks);
    w->cmd.help = n < toks->n;
    w->cmd.help_off = w->cmd.help ? toks->v[n].off : 0;
    if (n == 0 && !w->cmd.help)
        gr_walk_fail(w, "Syntax error: empty command");
    for (size_t i = 0; i < n && !w->err; i++)
        gr_walk_token(w, &toks->v[i]);
    if (n > 0 && !w->err && !w->cmd.help && gr_walk_end(w) == 0)
        check_complete(w);
    if (w->err && w->cmd.help) {
        free(w->err);
        w->err = NULL;
    }
}

int gr_parse(const char *cmd, gr_command *out, char **err)
{
    gr_tokens toks;
    gr_walk w;
    gr_walk_init(&w, 1);
    w.cmd.text = trim_copy(cmd);
    if (gr_lex(w.cmd.text, &toks, err) != 0) {
        gr_walk_free(&w);
        memset(out, 0, sizeof *out);
        return -1;
    }
    walk_all(&w, &toks);
    gr_tokens_free(&toks);
    *err = w.err;
    w.err = NULL;
    if (*err)
        gr_command_free(&w.cmd); /* a failed parse leaves nothing to free */
    *out = w.cmd;
    return *err ? -1 : 0;
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
