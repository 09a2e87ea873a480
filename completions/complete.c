/* Completion engine: reads the words already typed against the grammar
 * tables to decide what the current word can be (see complete.h). */
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

/* ---- splitting the typed text ---- */

/* Quote state after s[0..n): 0, '"' or '\'' (with the /" escape of §3.4). */
static char quote_state(const char *s, size_t n)
{
    char q = 0;
    for (size_t i = 0; i < n; i++) {
        if (q && s[i] == '/' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\''))
            i++;
        else if (q && s[i] == q)
            q = 0;
        else if (!q && (s[i] == '"' || s[i] == '\''))
            q = s[i];
    }
    return q;
}

/* Words of the last command in text: *done gets the finished words, the
 * return value is the (possibly empty) word under the cursor. */
static char *split_words(const char *text, strv *done)
{
    size_t n = strlen(text), start = 0;
    for (size_t i = 0; i < n; i++) {
        int sep = text[i] == ' ' || text[i] == '\t' || text[i] == ';';
        if (!sep || quote_state(text, i))
            continue;
        if (text[i] == ';') {
            for (size_t k = 0; k < done->n; k++)
                free(done->v[k]);
            done->n = 0;
        } else if (i > start) {
            strv_push(done, xstrndup(text + start, i - start));
        }
        start = i + 1;
    }
    return xstrdup(text + start);
}

/* ---- where the cursor is in the grammar ---- */

typedef enum {
    AT_VERB,        /* first word */
    AT_TYPE,        /* object type after a verb (or attributes of its manager form) */
    AT_INSTANCE,    /* id=/name= of the object */
    AT_ATTR,        /* attributes, parent keyword */
    AT_PTYPE,       /* type after on/to/from */
    AT_PINSTANCE,   /* id=/name= of the parent */
    AT_END,         /* nothing more can follow */
} position;

typedef struct state {
    position pos;
    const char *verb;       /* canonical verb, once known */
    const gr_cmd *form;     /* the command form, once known */
    const gr_cmd *mgr_form; /* AT_TYPE: the verb's form without a type, if any */
    const gr_type *type;
    const gr_type *ptype;
    strv given;             /* attribute keys typed so far */
} state;

static const char *parent_keyword(const char *verb)
{
    if (!ovm_strcasecmp(verb, "create"))
        return "on";
    if (!ovm_strcasecmp(verb, "add"))
        return "to";
    if (!ovm_strcasecmp(verb, "remove"))
        return "from";
    return NULL;
}

/* The canonical spelling of verb (as in the command table) or NULL. */
static const char *canonical_verb(const char *word)
{
    size_t n;
    const gr_cmd *const *cmds = gr_cmds(&n);
    for (size_t i = 0; i < n; i++)
        if (!ovm_strcasecmp(cmds[i]->verb, word))
            return cmds[i]->verb;
    return NULL;
}

static int verb_has_types(const char *verb)
{
    size_t n;
    const gr_cmd *const *cmds = gr_cmds(&n);
    for (size_t i = 0; i < n; i++)
        if (cmds[i]->type && !ovm_strcasecmp(cmds[i]->verb, verb))
            return 1;
    return 0;
}

/* Key of a key=value word (heap) or NULL. */
static char *word_key(const char *w)
{
    const char *eq = strchr(w, '=');
    return eq ? xstrndup(w, (size_t)(eq - w)) : NULL;
}

static int is_instance_word(const char *w)
{
    char *k = word_key(w);
    int r = k && (!ovm_strcasecmp(k, "id") || !ovm_strcasecmp(k, "name"));
    free(k);
    return r;
}

static void after_form(state *st)
{
    st->pos = st->form->takes_instance ? AT_INSTANCE : AT_ATTR;
}

static void step_attr(state *st, const char *w);

static void step_type(state *st, const char *w)
{
    const gr_type *t = gr_type_find(w);
    const gr_cmd *f = t ? gr_cmd_find(st->verb, t->name) : NULL;
    if (f) {
        st->type = t;
        st->form = f;
        after_form(st);
    } else if (st->mgr_form) {
        st->form = st->mgr_form;
        st->pos = AT_ATTR;
        step_attr(st, w);
    } else {
        st->pos = AT_END;
    }
}

static void step_attr(state *st, const char *w)
{
    const char *kw = parent_keyword(st->verb);
    if (kw && st->form->parents && !ovm_strcasecmp(w, kw)) {
        st->pos = AT_PTYPE;
        return;
    }
    char *k = word_key(w);
    if (k)
        strv_push(&st->given, k);
}

static void step_ptype(state *st, const char *w)
{
    st->pos = AT_END;
    for (const char *const *p = st->form->parents; p && *p; p++)
        if (!ovm_strcasecmp(*p, w)) {
            st->ptype = gr_type_find(*p);
            st->pos = st->ptype ? AT_PINSTANCE : AT_END;
        }
}

/* Advances the state over one finished word. */
static void step(state *st, const char *w)
{
    switch (st->pos) {
    case AT_VERB:
        st->verb = canonical_verb(w);
        st->mgr_form = st->verb ? gr_cmd_find(st->verb, NULL) : NULL;
        if (!st->verb)
            st->pos = AT_END;
        else if (verb_has_types(st->verb))
            st->pos = AT_TYPE;
        else
            st->form = st->mgr_form, st->pos = st->form ? AT_ATTR : AT_END;
        break;
    case AT_TYPE: step_type(st, w); break;
    case AT_INSTANCE:
        /* without an instance the words are still attributes, and the
         * instance stays what can come next */
        if (is_instance_word(w))
            st->pos = AT_ATTR;
        else
            step_attr(st, w);
        break;
    case AT_ATTR: step_attr(st, w); break;
    case AT_PTYPE: step_ptype(st, w); break;
    case AT_PINSTANCE: st->pos = is_instance_word(w) ? AT_END : AT_PINSTANCE; break;
    case AT_END: break;
    }
}

static char *analyse(const char *text, state *st)
{
    strv words = {0};
    char *cur = split_words(text, &words);
    memset(st, 0, sizeof *st);
    st->pos = AT_VERB;
    for (size_t i = 0; i < words.n; i++)
        step(st, words.v[i]);
    complete_free(words.v, words.n);
    return cur;
}

static void state_free(state *st)
{
    complete_free(st->given.v, st->given.n);
}

/* ---- candidate generation ---- */

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

static void offer_types(strv *out, const char *cur, const char *verb)
{
    size_t n;
    const gr_type *const *types = gr_types(&n);
    for (size_t i = 0; i < n; i++)
        if (types[i]->level != GT_PSEUDO && gr_cmd_find(verb, types[i]->name))
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

static int already_given(const state *st, const char *name)
{
    for (size_t i = 0; i < st->given.n; i++)
        if (!ovm_strcasecmp(st->given.v[i], name))
            return 1;
    return 0;
}

static void offer_attr_names(strv *out, const char *cur, const state *st)
{
    for (const gr_attr *const *a = st->form->attrs; a && *a; a++) {
        if (already_given(st, (*a)->name))
            continue;
        char *w = xasprintf("%s=", (*a)->name);
        offer(out, cur, "", w);
        free(w);
    }
    const char *kw = parent_keyword(st->verb);
    if (kw && st->form->parents)
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

static void offer_attr_value(strv *out, const char *cur, const state *st, complete_names_fn names, void *ctx)
{
    char *key = word_key(cur);
    const gr_attr *a = gr_cmd_attr(st->form, key);
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

static void offer_at(strv *out, const char *cur, state *st, complete_names_fn names, void *ctx)
{
    switch (st->pos) {
    case AT_VERB: offer_verbs(out, cur); break;
    case AT_TYPE:
        offer_types(out, cur, st->verb);
        if (st->mgr_form) {
            st->form = st->mgr_form;
            offer_attr_names(out, cur, st);
        }
        break;
    case AT_INSTANCE:
        offer_instance(out, cur, st->type, names, ctx);
        break;
    case AT_ATTR:
        if (strchr(cur, '='))
            offer_attr_value(out, cur, st, names, ctx);
        else
            offer_attr_names(out, cur, st);
        break;
    case AT_PTYPE:
        for (const char *const *p = st->form->parents; p && *p; p++)
            offer(out, cur, "", *p);
        break;
    case AT_PINSTANCE: offer_instance(out, cur, st->ptype, names, ctx); break;
    case AT_END: break;
    }
}

size_t complete_candidates(const char *before_cursor, complete_names_fn names, void *ctx, char ***out)
{
    state st;
    char *cur = analyse(before_cursor ? before_cursor : "", &st);
    strv v = {0};
    offer_at(&v, cur, &st, names, ctx);
    free(cur);
    state_free(&st);
    return strv_finish(&v, out);
}

/* ---- ? help ---- */

/* Live names for a '?' typed right after "key=" of an instance or a ref. */
static void help_names(strv *lines, const char *cur, state *st, complete_names_fn names, void *ctx, size_t col)
{
    if (!strchr(cur, '='))
        return;
    strv cands = {0};
    if (st->pos == AT_INSTANCE || st->pos == AT_PINSTANCE) {
        offer_instance(&cands, cur, st->pos == AT_INSTANCE ? st->type : st->ptype, names, ctx);
    } else if (st->pos == AT_ATTR) {
        char *key = word_key(cur);
        const gr_attr *a = gr_cmd_attr(st->form, key);
        free(key);
        if (a && (a->vtype == VT_REF || a->vtype == VT_REFLIST))
            offer_attr_value(&cands, cur, st, names, ctx);
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
    const char *seg = text;
    for (size_t i = 0; text[i]; i++)
        if (text[i] == ';' && !quote_state(text, i))
            seg = text + i + 1;
    char **g = NULL;
    size_t ng = gr_question_lines(seg, col, &g);
    strv out = {g, ng, ng};
    state st;
    char *cur = analyse(text, &st);
    if (st.form || st.type)
        help_names(&out, cur, &st, names, ctx, col);
    free(cur);
    state_free(&st);
    *lines = out.v;
    return out.n;
}
