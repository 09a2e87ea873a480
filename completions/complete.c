/* Completion engine: the grammar's partial parse (gr_walk_partial) says
 * where the cursor stands, this file offers what may go there (see
 * complete.h). */
#include "completions/complete.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "grammar/grammar.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define PROMPT_WIDTH 5 /* strlen("OVM> ") */

/* ---- string vectors ---- */

typedef struct strv {
    char **v;
    size_t n, cap;
} strv;

static void strv_push(strv *s, char *str)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = str;
}

void complete_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts, drops duplicates, hands the array to *out. */
static size_t strv_finish(strv *s, char ***out)
{
    if (s->n)
        qsort(s->v, s->n, sizeof *s->v, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (k && strcmp(s->v[k - 1], s->v[i]) == 0)
            free(s->v[i]);
        else
            s->v[k++] = s->v[i];
    }
    *out = s->v;
    return k;
}

/* ---- candidate generation ---- */

/* Key of a key=value word (heap) or NULL. */
static char *word_key(const char *w)
{
    const char *eq = strchr(w, '=');
    return eq ? xstrndup(w, (size_t)(eq - w)) : NULL;
}

static int prefix_icase(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (!*s || tolower((unsigned char)*s) != tolower((unsigned char)*prefix))
            return 0;
    return 1;
}

static int needs_quotes(const char *v)
{
    return !*v || strpbrk(v, " \t;\"'") != NULL;
}

/* v in double quotes with '"' written as the /" escape (§3.4). */
static char *quoted(const char *v)
{
    strbuf sb = STRBUF_INIT;
    sb_addc(&sb, '"');
    for (; *v; v++) {
        if (*v == '"')
            sb_addc(&sb, '/');
        sb_addc(&sb, *v);
    }
    sb_addc(&sb, '"');
    return sb_detach(&sb, NULL);
}

/* Adds prefix+value if it extends cur; a value with blanks is quoted, and
 * then also matches a cur typed without the quote. */
static void offer(strv *out, const char *cur, const char *prefix, const char *value)
{
    int q = needs_quotes(value) && *value;
    char *plain = xasprintf("%s%s", prefix, value);
    char *qv = q ? quoted(value) : NULL;
    char *full = q ? xasprintf("%s%s", prefix, qv) : xstrdup(plain);
    if (prefix_icase(full, cur) || (q && prefix_icase(plain, cur)))
        strv_push(out, full);
    else
        free(full);
    free(plain);
    free(qv);
}

static void offer_verbs(strv *out, const char *cur)
{
    size_t n;
    const gr_cmd *const *cmds = gr_cmds(&n);
    for (size_t i = 0; i < n; i++)
        offer(out, cur, "", cmds[i]->verb);
}

/* Types after the verb: those with a form for it, or all for showcustomcmds. */
static void offer_types(strv *out, const char *cur, const gr_command *c)
{
    size_t n;
    const gr_type *const *types = gr_types(&n);
    int any = c->def && c->def->type_arg;
    for (size_t i = 0; i < n; i++)
        if (types[i]->level != GT_PSEUDO && (any || gr_cmd_find(c->verb, types[i]->name)))
            offer(out, cur, "", types[i]->name);
}

static void offer_names(strv *out, const char *cur, const char *prefix, const char *query,
                        complete_names_fn names, void *ctx)
{
    if (!names)
        return;
    char **v = NULL;
    size_t n = names(ctx, query, &v);
    for (size_t i = 0; i < n; i++) {
        offer(out, cur, prefix, v[i]);
        free(v[i]);
    }
    free(v);
}

/* Values for the instance word cur ("id=..." or "name=...") of type t. */
static void offer_instance(strv *out, const char *cur, const gr_type *t, complete_names_fn names, void *ctx)
{
    char *key = word_key(cur);
    if (!key) {
        offer(out, cur, "", "id=");
        offer(out, cur, "", "name=");
        return;
    }
    int by_id = !ovm_strcasecmp(key, "id");
    if (by_id || !ovm_strcasecmp(key, "name")) {
        char *prefix = xasprintf("%s=", by_id ? "id" : "name");
        char *query = by_id ? xasprintf("id:%s", t->name) : xstrdup(t->name);
        offer_names(out, cur, prefix, query, names, ctx);
        free(prefix);
        free(query);
    }
    free(key);
}

/* The attributes the command takes and has not been given, and the parent
 * keyword while there is no parent clause. */
static void offer_attr_names(strv *out, const char *cur, const gr_command *c)
{
    for (const gr_attr *const *a = c->def->attrs; a && *a; a++) {
        if (!gr_walk_accepts(c, *a) || gr_get(c, (*a)->name))
            continue;
        char *w = xasprintf("%s=", (*a)->name);
        offer(out, cur, "", w);
        free(w);
    }
    const char *kw = gr_parent_keyword(c->verb);
    if (kw && c->def->parents && !c->ptype)
        offer(out, cur, "", kw);
}

/* For list-valued attributes the value completes after the last comma. */
static char *value_prefix(const char *cur, const gr_attr *a)
{
    const char *eq = strchr(cur, '=');
    const char *start = eq + 1;
    if (a->vtype == VT_ENUMLIST || a->vtype == VT_REFLIST) {
        const char *comma = strrchr(start, ',');
        if (comma)
            start = comma + 1;
    }
    return xasprintf("%s=%.*s", a->name, (int)(start - eq - 1), eq + 1);
}

static void offer_attr_value(strv *out, const char *cur, const gr_command *c, complete_names_fn names, void *ctx)
{
    char *key = word_key(cur);
    const gr_attr *a = gr_cmd_attr(c->def, key);
    free(key);
    if (!a)
        return;
    char *prefix = value_prefix(cur, a);
    if (a->vtype == VT_BOOL) {
        offer(out, cur, prefix, "Yes");
        offer(out, cur, prefix, "No");
    } else if ((a->vtype == VT_ENUM || a->vtype == VT_ENUMLIST) && a->enums) {
        for (const char *const *e = a->enums; *e; e++)
            offer(out, cur, prefix, *e);
    } else if ((a->vtype == VT_REF || a->vtype == VT_REFLIST) && a->ref_type) {
        offer_names(out, cur, prefix, a->ref_type, names, ctx);
    }
    free(prefix);
}

static void offer_at(strv *out, const char *cur, const gr_walk *w, complete_names_fn names, void *ctx)
{
    const gr_command *c = &w->cmd;
    switch (w->where) {
    case GW_VERB: offer_verbs(out, cur); break;
    case GW_TYPE: offer_types(out, cur, c); break;
    case GW_INSTANCE: offer_instance(out, cur, c->type, names, ctx); break;
    case GW_REST:
        if (strchr(cur, '='))
            offer_attr_value(out, cur, c, names, ctx);
        else
            offer_attr_names(out, cur, c);
        break;
    case GW_PTYPE:
        for (const char *const *p = c->def->parents; *p; p++)
            offer(out, cur, "", *p);
        break;
    case GW_PINSTANCE: offer_instance(out, cur, c->ptype, names, ctx); break;
    case GW_END: break;
    }
}

size_t complete_candidates(const char *before_cursor, complete_names_fn names, void *ctx, char ***out)
{
    gr_walk w;
    char *cur;
    gr_walk_partial(before_cursor ? before_cursor : "", &w, &cur);
    strv v = {0};
    offer_at(&v, cur, &w, names, ctx);
    free(cur);
    gr_walk_free(&w);
    return strv_finish(&v, out);
}

/* ---- ? help ---- */

/* Live names for a '?' typed right after "key=" of an instance or a ref. */
static void help_names(strv *lines, const char *cur, const gr_walk *w, complete_names_fn names, void *ctx,
                       size_t col)
{
    if (!strchr(cur, '='))
        return;
    const gr_command *c = &w->cmd;
    strv cands = {0};
    if (w->where == GW_INSTANCE || w->where == GW_PINSTANCE) {
        offer_instance(&cands, cur, w->where == GW_INSTANCE ? c->type : c->ptype, names, ctx);
    } else if (w->where == GW_REST) {
        char *key = word_key(cur);
        const gr_attr *a = gr_cmd_attr(c->def, key);
        free(key);
        if (a && (a->vtype == VT_REF || a->vtype == VT_REFLIST))
            offer_attr_value(&cands, cur, c, names, ctx);
    }
    char **v = NULL;
    size_t n = strv_finish(&cands, &v);
    size_t skip = (size_t)(strchr(cur, '=') - cur) + 1;
    for (size_t i = 0; i < n; i++) {
        /* list-valued refs keep what precedes the last comma out of the hint */
        const char *val = v[i] + skip;
        const char *comma = strrchr(cur + skip, ',');
        if (comma)
            val += (size_t)(comma - (cur + skip)) + 1;
        strv_push(lines, xasprintf("%*s%s", (int)col, "", val));
    }
    complete_free(v, n);
}

size_t complete_help(const char *before_q, complete_names_fn names, void *ctx, char ***lines)
{
    const char *text = before_q ? before_q : "";
    size_t col = PROMPT_WIDTH + strlen(text);
    char **g = NULL;
    size_t ng = gr_question_lines(text, col, &g);
    strv out = {g, ng, ng};
    gr_walk w;
    char *cur;
    gr_walk_partial(text, &w, &cur);
    if (w.cmd.def)
        help_names(&out, cur, &w, names, ctx, col);
    free(cur);
    gr_walk_free(&w);
    *lines = out.v;
    return out.n;
}
