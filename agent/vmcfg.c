/* vm.cfg reader and writer. The grammar is the subset of Python literals that
 * Oracle VM writes: quoted strings, integers, floats, True/False/None and flat
 * lists of those, one `key = value` per statement, lists may span lines. */
#include "agent/vmcfg.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"

static void format_scalar(const xr_value *v, strbuf *out)
{
    switch (v->type) {
    case XR_NIL: sb_adds(out, "None"); break;
    case XR_BOOL: sb_adds(out, v->i ? "True" : "False"); break;
    case XR_INT: sb_addf(out, "%lld", (long long)v->i); break;
    case XR_DOUBLE: sb_addf(out, "%.17g", v->d); break;
    case XR_STRING:
        sb_addc(out, '\'');
        for (const char *p = v->s; *p; p++) {
            if (*p == '\'' || *p == '\\')
                sb_addc(out, '\\');
            if (*p == '\n')
                sb_adds(out, "\\n");
            else
                sb_addc(out, *p);
        }
        sb_addc(out, '\'');
        break;
    default: break;
    }
}

static int format_value(const xr_value *v, strbuf *out)
{
    if (v->type == XR_STRUCT)
        return -1;
    if (v->type != XR_ARRAY) {
        format_scalar(v, out);
        return 0;
    }
    sb_addc(out, '[');
    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i]->type == XR_ARRAY || v->items[i]->type == XR_STRUCT)
            return -1;
        if (i)
            sb_adds(out, ", ");
        format_scalar(v->items[i], out);
    }
    sb_addc(out, ']');
    return 0;
}

static int valid_key(const char *k)
{
    if (!k || !(isalpha((unsigned char)*k) || *k == '_'))
        return 0;
    for (; *k; k++)
        if (!isalnum((unsigned char)*k) && *k != '_')
            return 0;
    return 1;
}

int vmcfg_format(const xr_value *cfg, strbuf *out, char *err, size_t errlen)
{
    for (size_t i = 0; i < cfg->n; i++) {
        if (!valid_key(cfg->keys[i])) {
            snprintf(err, errlen, "invalid key '%s'", cfg->keys[i]);
            return -1;
        }
        sb_addf(out, "%s = ", cfg->keys[i]);
        if (format_value(cfg->items[i], out) != 0) {
            snprintf(err, errlen, "unsupported value for '%s'", cfg->keys[i]);
            return -1;
        }
        sb_addc(out, '\n');
    }
    return 0;
}

/* Parser state: a cursor over the text plus the first error. */
struct cursor {
    const char *p;
    int line;
    char *err;
    size_t errlen;
};

static void *perr(struct cursor *c, const char *what)
{
    if (!*c->err)
        snprintf(c->err, c->errlen, "line %d: %s", c->line, what);
    return NULL;
}

/* Skips blanks, comments and (inside lists) newlines. */
static void skip_space(struct cursor *c, int newlines)
{
    for (;;) {
        if (*c->p == '#')
            c->p += strcspn(c->p, "\n");
        if (*c->p == '\n' && newlines)
            c->line++;
        else if (*c->p != ' ' && *c->p != '\t' && *c->p != '\r' && !(*c->p == '\\' && c->p[1] == '\n'))
            return;
        c->p += *c->p == '\\' ? 2 : 1;
    }
}

static xr_value *parse_string(struct cursor *c)
{
    char q = *c->p++;
    strbuf sb = STRBUF_INIT;
    for (; *c->p && *c->p != q && *c->p != '\n'; c->p++) {
        if (*c->p == '\\' && c->p[1]) {
            c->p++;
            sb_addc(&sb, *c->p == 'n' ? '\n' : *c->p == 't' ? '\t' : *c->p);
        } else {
            sb_addc(&sb, *c->p);
        }
    }
    if (*c->p != q) {
        sb_free(&sb);
        return perr(c, "unterminated string");
    }
    c->p++;
    xr_value *v = xr_stringn(sb.buf ? sb.buf : "", sb.len);
    sb_free(&sb);
    return v;
}

static xr_value *parse_word(struct cursor *c)
{
    size_t n = 0;
    while (isalnum((unsigned char)c->p[n]) || strchr("+-._", c->p[n]))
        n++;
    char *w = xstrndup(c->p, n);
    c->p += n;
    xr_value *v = NULL;
    char *end;
    if (!strcmp(w, "True") || !strcmp(w, "False")) {
        v = xr_bool(w[0] == 'T');
    } else if (!strcmp(w, "None")) {
        v = xr_nil();
    } else if (n > 0) {
        long long i = strtoll(w, &end, 0);
        if (!*end)
            v = xr_int(i);
        else if (strtod(w, &end), !*end)
            v = xr_double(strtod(w, NULL));
    }
    free(w);
    return v ? v : perr(c, "bad value");
}

static xr_value *parse_scalar(struct cursor *c)
{
    if (*c->p == '\'' || *c->p == '"')
        return parse_string(c);
    return parse_word(c);
}

static xr_value *parse_list(struct cursor *c)
{
    c->p++;
    xr_value *arr = xr_array();
    for (;;) {
        skip_space(c, 1);
        if (*c->p == ']') {
            c->p++;
            return arr;
        }
        xr_value *item = parse_scalar(c);
        if (!item)
            break;
        xr_array_add(arr, item);
        skip_space(c, 1);
        if (*c->p == ',')
            c->p++;
        else if (*c->p != ']')
            break;
    }
    xr_free(arr);
    return perr(c, "bad list");
}

static int parse_statement(struct cursor *c, xr_value *cfg)
{
    size_t n = 0;
    while (isalnum((unsigned char)c->p[n]) || c->p[n] == '_')
        n++;
    if (n == 0 || isdigit((unsigned char)*c->p))
        return perr(c, "expected a key"), -1;
    char *key = xstrndup(c->p, n);
    c->p += n;
    skip_space(c, 0);
    xr_value *v = NULL;
    if (*c->p == '=') {
        c->p++;
        skip_space(c, 0);
        v = *c->p == '[' ? parse_list(c) : parse_scalar(c);
    } else {
        perr(c, "expected '='");
    }
    skip_space(c, 0);
    if (v && *c->p && *c->p != '\n' && *c->p != ';') {
        xr_free(v);
        v = perr(c, "trailing characters");
    }
    if (v)
        xr_struct_set(cfg, key, v);
    free(key);
    return v ? 0 : -1;
}

xr_value *vmcfg_parse(const char *text, char *err, size_t errlen)
{
    struct cursor c = {text, 1, err, errlen};
    err[0] = '\0';
    xr_value *cfg = xr_struct();
    for (;;) {
        skip_space(&c, 1);
        if (*c.p == ';') {
            c.p++;
            continue;
        }
        if (!*c.p)
            return cfg;
        if (parse_statement(&c, cfg) != 0) {
            xr_free(cfg);
            return NULL;
        }
    }
}
