/* Turns a result into the bytes of doc/command-language.md §7 (Verbose, Sparse, Xml) and
 * §11.1 (Json). Every function here is pure: the only input is the result,
 * the mode, the EOL and the alphabetize flag, so tests can be byte-exact. */
#include "backend/render/result.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "lib/strbuf.h"
#include "lib/util.h"

/* ---- building results ---- */

static char *dup_trimmed(const char *s)
{
    if (!s)
        return xstrdup("");
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return xstrndup(s, n);
}

void result_init(result *r, const char *command)
{
    memset(r, 0, sizeof *r);
    r->command = dup_trimmed(command);
    r->ok = 1;
    r->time_ms = ovm_now_ms();
    r->kind = RD_NONE;
}

/* The items' strings are copied into chunks of at least 64 KiB that the
 * result frees at once: list Vm at 10,000 VMs made 20,000 mallocs. */
struct rchunk {
    struct rchunk *next;
    size_t used, cap;
    char data[];
};

static char *chunk_dup(result *r, const char *s)
{
    size_t n = strlen(s) + 1;
    struct rchunk *c = r->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = xmalloc(sizeof *c + cap);
        *c = (struct rchunk){.next = r->chunks, .cap = cap};
        r->chunks = c;
    }
    char *p = memcpy(c->data + c->used, s, n);
    c->used += n;
    return p;
}

void result_free(result *r)
{
    for (struct rchunk *c = r->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(r->items);
    free(r->command);
    free(r->errmsg);
    memset(r, 0, sizeof *r);
}

/* Appends s with newlines folded to single spaces (§7.1), a run without
 * newlines at a time. */
static void add_folded(strbuf *sb, const char *s)
{
    for (;;) {
        size_t run = strcspn(s, "\r\n");
        sb_add(sb, s, run);
        s += run;
        if (!*s)
            return;
        s += s[0] == '\r' && s[1] == '\n' ? 2 : 1;
        sb_addc(sb, ' ');
    }
}

/* Copies s with every CRLF, CR or LF replaced by one space (§7.1). */
static char *fold_newlines(const char *s)
{
    strbuf sb = STRBUF_INIT;
    sb_add(&sb, "", 0); /* sb_grow alone leaves a fresh buffer unterminated */
    add_folded(&sb, s);
    return sb_detach(&sb, NULL);
}

void result_fail(result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    free(r->errmsg);
    r->errmsg = fold_newlines(msg);
    free(msg);
    r->ok = 0;
}

static void add_item(result *r, rdata_kind kind, const char *a, const char *b)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->items = xrealloc(r->items, r->cap * sizeof *r->items);
    }
    r->items[r->n].a = chunk_dup(r, a ? a : "");
    r->items[r->n].b = kind == RD_TEXT ? NULL : chunk_dup(r, b ? b : "");
    r->n++;
    r->kind = kind;
    r->has_data = 1;
}

void result_list_begin(result *r)
{
    r->kind = RD_LIST;
    r->has_data = 1;
}

void result_list_add(result *r, const char *id, const char *name)
{
    add_item(r, RD_LIST, id, name);
}

void result_show_add(result *r, const char *label, const char *value)
{
    add_item(r, RD_SHOW, label, value);
}

void result_text_add(result *r, const char *line)
{
    add_item(r, RD_TEXT, line, NULL);
}

/* ---- AlphabetizeAttributes ---- */

typedef struct sort_key {
    const char *label;
    size_t base_len;   /* label without a trailing " <digits>" index */
    unsigned long idx; /* the index, 0 when the label is not indexed */
    size_t pos;        /* original position: keeps the sort stable */
} sort_key;

static sort_key make_key(const char *label, size_t pos)
{
    sort_key k = {label, strlen(label), 0, pos};
    size_t end = k.base_len, d = end;
    while (d > 0 && isdigit((unsigned char)label[d - 1]))
        d--;
    if (d < end && d > 1 && label[d - 1] == ' ' && end - d < 10) {
        k.base_len = d - 1;
        k.idx = strtoul(label + d, NULL, 10);
    }
    return k;
}

static int cmp_base(const sort_key *x, const sort_key *y)
{
    size_t n = x->base_len < y->base_len ? x->base_len : y->base_len;
    for (size_t i = 0; i < n; i++) {
        int a = tolower((unsigned char)x->label[i]), b = tolower((unsigned char)y->label[i]);
        if (a != b)
            return a - b;
    }
    return (x->base_len > y->base_len) - (x->base_len < y->base_len);
}

static int cmp_key(const void *pa, const void *pb)
{
    const sort_key *x = pa, *y = pb;
    int c = cmp_base(x, y);
    if (c)
        return c;
    if (x->idx != y->idx)
        return x->idx < y->idx ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* The order in which items are printed: a heap array of n indexes. */
static size_t *item_order(const result *r, int alphabetize)
{
    size_t *order = xcalloc(r->n ? r->n : 1, sizeof *order);
    if (!alphabetize || r->kind != RD_SHOW) {
        for (size_t i = 0; i < r->n; i++)
            order[i] = i;
        return order;
    }
    sort_key *keys = xcalloc(r->n ? r->n : 1, sizeof *keys);
    for (size_t i = 0; i < r->n; i++)
        keys[i] = make_key(r->items[i].a, i);
    qsort(keys, r->n, sizeof *keys, cmp_key);
    for (size_t i = 0; i < r->n; i++)
        order[i] = keys[i].pos;
    free(keys);
    return order;
}

/* ---- shared output helpers ---- */

typedef struct out {
    strbuf sb;
    const char *eol;
    const result *r;
    size_t *order;
} out;


/* XML 1.0 cannot carry C0 controls other than TAB, so they print as spaces
 * (newlines would anyway, §7.1); the rest is entity-escaped. */
static void add_xml_text(strbuf *sb, const char *s)
{
    char *folded = fold_newlines(s);
    for (char *p = folded; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\t')
            *p = ' ';
    sb_add_xml(sb, folded);
    free(folded);
}

static void add_json_text(strbuf *sb, const char *s)
{
    char *folded = fold_newlines(s);
    sb_add_json(sb, folded);
    free(folded);
}

static int has_data(const result *r)
{
    return r->ok && (r->has_data || r->n > 0);
}

static const rpair *item(const out *o, size_t i)
{
    return &o->r->items[o->order[i]];
}

/* ---- Verbose and Sparse ---- */

/* The data lines exactly as they follow "Data: " in Verbose mode. */
static void data_lines(out *o)
{
    for (size_t i = 0; i < o->r->n; i++) {
        const rpair *p = item(o, i);
        if (o->r->kind == RD_LIST) {
            sb_adds(&o->sb, "  id:");
            add_folded(&o->sb, p->a);
            sb_adds(&o->sb, "  name:");
            add_folded(&o->sb, p->b);
        } else if (o->r->kind == RD_SHOW) {
            sb_adds(&o->sb, "  ");
            add_folded(&o->sb, p->a);
            sb_adds(&o->sb, " = ");
            add_folded(&o->sb, p->b);
        } else {
            sb_adds(&o->sb, "  ");
            add_folded(&o->sb, p->a);
        }
        sb_adds(&o->sb, o->eol);
    }
}

static void header_line(out *o, const char *label, const char *value)
{
    sb_adds(&o->sb, label);
    add_folded(&o->sb, value);
    sb_adds(&o->sb, o->eol);
}

static void render_verbose(out *o)
{
    const result *r = o->r;
    char tbuf[64];
    ovm_time_header(r->time_ms, tbuf, sizeof tbuf);
    header_line(o, "Command: ", r->command ? r->command : "");
    header_line(o, "Status: ", r->ok ? "Success" : "Failure");
    header_line(o, "Time: ", tbuf);
    if (r->jobid[0])
        header_line(o, "JobId: ", r->jobid);
    if (!r->ok)
        header_line(o, "Error Msg: ", r->errmsg ? r->errmsg : "");
    if (has_data(r)) {
        header_line(o, "Data: ", "");
        data_lines(o);
    }
}

static void render_sparse(out *o)
{
    if (!o->r->ok)
        header_line(o, "Error Msg: ", o->r->errmsg ? o->r->errmsg : "");
    else
        data_lines(o);
}

/* ---- Xml (§7.7) ---- */

static void xml_elem(out *o, const char *name, const char *text)
{
    sb_addf(&o->sb, "<%s>", name);
    add_xml_text(&o->sb, text);
    sb_addf(&o->sb, "</%s>%s", name, o->eol);
}

static void xml_tag(out *o, const char *tag)
{
    sb_adds(&o->sb, tag);
    sb_adds(&o->sb, o->eol);
}

static void xml_data(out *o)
{
    static const char *const wrap[] = {"ListCommandResult", "ListCommandResult", "ShowCommandResult",
                                       "TextResult"};
    rdata_kind k = o->r->kind;
    sb_addf(&o->sb, "<CommandData>%s<%s>%s", o->eol, wrap[k], o->eol);
    for (size_t i = 0; i < o->r->n; i++) {
        const rpair *p = item(o, i);
        if (k == RD_SHOW) {
            xml_elem(o, "PropertyName", p->a);
            xml_elem(o, "PropertyValue", p->b);
        } else if (k == RD_TEXT) {
            xml_elem(o, "Line", p->a);
        } else {
            xml_elem(o, "Id", p->a);
            xml_elem(o, "Name", p->b);
        }
    }
    sb_addf(&o->sb, "</%s>%s</CommandData>%s", wrap[k], o->eol, o->eol);
}

static void render_xml(out *o)
{
    const result *r = o->r;
    char tbuf[64];
    ovm_time_header(r->time_ms, tbuf, sizeof tbuf);
    xml_tag(o, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>");
    xml_tag(o, "<Result>");
    xml_elem(o, "Command", r->command ? r->command : "");
    xml_elem(o, "Status", r->ok ? "Success" : "Failure");
    xml_elem(o, "Time", tbuf);
    if (r->jobid[0])
        xml_elem(o, "JobId", r->jobid);
    if (!r->ok)
        xml_elem(o, "ErrorMsg", r->errmsg ? r->errmsg : "");
    if (has_data(r))
        xml_data(o);
    xml_tag(o, "</Result>");
}

/* ---- Json (§11.1) ---- */

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static void json_data(out *o)
{
    rdata_kind k = o->r->kind;
    sb_addc(&o->sb, k == RD_SHOW ? '{' : '[');
    for (size_t i = 0; i < o->r->n; i++) {
        const rpair *p = item(o, i);
        if (i)
            sb_addc(&o->sb, ',');
        if (k == RD_SHOW) {
            add_json_text(&o->sb, p->a);
            sb_addc(&o->sb, ':');
            add_json_text(&o->sb, p->b);
        } else if (k == RD_TEXT) {
            add_json_text(&o->sb, p->a);
        } else {
            sb_adds(&o->sb, "{\"id\":");
            add_json_text(&o->sb, p->a);
            sb_adds(&o->sb, ",\"name\":");
            add_json_text(&o->sb, p->b);
            sb_addc(&o->sb, '}');
        }
    }
    sb_addc(&o->sb, k == RD_SHOW ? '}' : ']');
}

static void render_json(out *o)
{
    const result *r = o->r;
    char tbuf[64];
    ovm_time_header(r->time_ms, tbuf, sizeof tbuf);
    sb_adds(&o->sb, "{\"command\":");
    add_json_text(&o->sb, r->command ? r->command : "");
    sb_adds(&o->sb, r->ok ? ",\"status\":\"Success\",\"time\":" : ",\"status\":\"Failure\",\"time\":");
    add_json_text(&o->sb, tbuf);
    sb_adds(&o->sb, ",\"jobId\":");
    if (!r->jobid[0])
        sb_adds(&o->sb, "null");
    else if (all_digits(r->jobid))
        sb_adds(&o->sb, r->jobid);
    else
        add_json_text(&o->sb, r->jobid);
    sb_adds(&o->sb, ",\"errorMsg\":");
    if (r->ok)
        sb_adds(&o->sb, "null");
    else
        add_json_text(&o->sb, r->errmsg ? r->errmsg : "");
    sb_adds(&o->sb, ",\"data\":");
    if (has_data(r))
        json_data(o);
    else
        sb_adds(&o->sb, "null");
    sb_addc(&o->sb, '}');
    sb_adds(&o->sb, o->eol);
}

/* ---- entry point ---- */

/* help and showversion: the bare lines in every mode (§6). */
static void render_plain(out *o)
{
    for (size_t i = 0; i < o->r->n; i++) {
        add_folded(&o->sb, o->r->items[i].a);
        sb_adds(&o->sb, o->eol);
    }
}

/* A list line is some 60 bytes: reserving them up front spares the
 * reallocations (and page faults) of growing a large reply by doubling. */
static void reserve(strbuf *sb, const result *r)
{
    size_t per = r->kind == RD_LIST ? 64 : 48;
    sb_grow(sb, 256 + r->n * per);
}

void render_result_into(strbuf *sb, const result *r, output_mode mode, const char *eol, int alphabetize)
{
    out o = {*sb, eol ? eol : "\r\n", r, item_order(r, alphabetize)};
    reserve(&o.sb, r);
    sb_add(&o.sb, "", 0); /* terminated even when nothing is rendered */
    if (r->plain && r->ok)
        render_plain(&o);
    else if (mode == OM_SPARSE)
        render_sparse(&o);
    else if (mode == OM_XML)
        render_xml(&o);
    else if (mode == OM_JSON)
        render_json(&o);
    else
        render_verbose(&o);
    free(o.order);
    *sb = o.sb;
}

char *render_result(const result *r, output_mode mode, const char *eol, int alphabetize, size_t *len)
{
    strbuf sb = STRBUF_INIT;
    render_result_into(&sb, r, mode, eol, alphabetize);
    return sb_detach(&sb, len);
}
