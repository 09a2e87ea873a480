/* XML-RPC values (doc/agent-protocol.md §2-§3): constructors, struct and
 * array access, copies, and the lenient readers that accept what real agents
 * send. The encoder is xmlrpc_encode.c, the decoder xmlrpc_decode.c. */
#include "lib/xmlrpc.h"
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include "lib/strbuf.h"
#include "lib/text.h"
#include "lib/util.h"
#include "lib/xmlrpc_impl.h"

/* ---------------------------------------------------------------- values */

xr_value *xr_new(xr_type type)
{
    xr_value *v = xcalloc(1, sizeof *v);
    v->type = type;
    return v;
}

xr_value *xr_nil(void)
{
    return xr_new(XR_NIL);
}

xr_value *xr_bool(int b)
{
    xr_value *v = xr_new(XR_BOOL);
    v->i = b ? 1 : 0;
    return v;
}

xr_value *xr_int(int64_t i)
{
    xr_value *v = xr_new(XR_INT);
    v->i = i;
    return v;
}

xr_value *xr_double(double d)
{
    xr_value *v = xr_new(XR_DOUBLE);
    v->d = d;
    return v;
}

xr_value *xr_string(const char *s)
{
    return xr_stringn(s ? s : "", s ? strlen(s) : 0);
}

xr_value *xr_stringn(const char *s, size_t n)
{
    xr_value *v = xr_new(XR_STRING);
    v->s = xstrndup(s ? s : "", s ? n : 0);
    return v;
}

xr_value *xr_array(void)
{
    return xr_new(XR_ARRAY);
}

xr_value *xr_struct(void)
{
    return xr_new(XR_STRUCT);
}

static void xr_reserve(xr_value *c)
{
    if (c->n < c->cap)
        return;
    c->cap = c->cap ? c->cap * 2 : 4;
    c->items = xrealloc(c->items, c->cap * sizeof *c->items);
    if (c->type == XR_STRUCT)
        c->keys = xrealloc(c->keys, c->cap * sizeof *c->keys);
}

void xr_array_add(xr_value *arr, xr_value *v)
{
    if (!arr || arr->type != XR_ARRAY) {
        xr_free(v);   /* misuse: do not leak what we were given */
        return;
    }
    xr_reserve(arr);
    arr->items[arr->n++] = v ? v : xr_nil();
}

/* Appends a member without looking for an existing key: the decoder uses it
 * so that huge structs stay linear; lookups then take the last match. */
void xr_struct_append(xr_value *st, char *key, xr_value *v)
{
    xr_reserve(st);
    st->keys[st->n] = key;
    st->items[st->n++] = v;
}

static ssize_t xr_struct_find(const xr_value *st, const char *key)
{
    for (size_t i = st->n; i > 0; i--)
        if (strcmp(st->keys[i - 1], key) == 0)
            return (ssize_t)(i - 1);
    return -1;
}

void xr_struct_set(xr_value *st, const char *key, xr_value *v)
{
    if (!st || st->type != XR_STRUCT || !key) {
        xr_free(v);
        return;
    }
    ssize_t at = xr_struct_find(st, key);
    if (at >= 0) {
        xr_free(st->items[at]);
        st->items[at] = v ? v : xr_nil();
        return;
    }
    xr_struct_append(st, xstrdup(key), v ? v : xr_nil());
}

xr_value *xr_struct_get(const xr_value *st, const char *key)
{
    if (!st || st->type != XR_STRUCT || !key)
        return NULL;
    ssize_t at = xr_struct_find(st, key);
    return at >= 0 ? st->items[at] : NULL;
}

xr_value *xr_copy(const xr_value *v)
{
    if (!v)
        return NULL;
    xr_value *c = xr_new(v->type);
    c->i = v->i;
    c->d = v->d;
    if (v->s)
        c->s = xstrdup(v->s);
    for (size_t k = 0; k < v->n; k++) {
        if (v->type == XR_STRUCT)
            xr_struct_append(c, xstrdup(v->keys[k]), xr_copy(v->items[k]));
        else
            xr_array_add(c, xr_copy(v->items[k]));
    }
    return c;
}

void xr_free(xr_value *v)
{
    if (!v)
        return;
    for (size_t k = 0; k < v->n; k++) {
        xr_free(v->items[k]);
        if (v->keys)
            free(v->keys[k]);
    }
    free(v->items);
    free(v->keys);
    free(v->s);
    free(v);
}

static void replace_peer_text(char **s)
{
    char *clean = ovm_text_from_peer(*s);
    free(*s);
    *s = clean;
}

void xr_sanitize_strings(xr_value *v)
{
    if (!v)
        return;
    if (v->s)
        replace_peer_text(&v->s);
    for (size_t k = 0; k < v->n; k++) {
        xr_sanitize_strings(v->items[k]);
        if (v->keys && v->keys[k])
            replace_peer_text(&v->keys[k]);
    }
}

/* -------------------------------------------------------- lenient readers */

/* Number parsing must not depend on the program's LC_NUMERIC (the shell may
 * call setlocale), so both directions use a private "C" locale. */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

locale_t xr_c_locale(void)
{
    pthread_once(&c_locale_once, c_locale_init);
    return c_locale;
}

int xr_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Parses a whole decimal integer, surrounding whitespace allowed. */
int xr_parse_int64(const char *s, int64_t *out)
{
    while (xr_is_space(*s))
        s++;
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s)
        return -1;
    while (xr_is_space(*end))
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

int xr_parse_double(const char *s, double *out)
{
    while (xr_is_space(*s))
        s++;
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    locale_t loc = xr_c_locale();
    double d = loc ? strtod_l(s, &end, loc) : strtod(s, &end);
    if (end == s || (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL)))
        return -1;
    while (xr_is_space(*end))
        end++;
    if (*end)
        return -1;
    *out = d;
    return 0;
}

/* Truncates toward zero; -1 if d has no int64 value. */
static int double_to_int64(double d, int64_t *out)
{
    if (!isfinite(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
        return -1;
    *out = (int64_t)d;
    return 0;
}

int xr_get_int64(const xr_value *v, int64_t *out)
{
    if (!v || !out)
        return -1;
    double d;
    switch (v->type) {
    case XR_INT:
    case XR_BOOL:
        *out = v->i;
        return 0;
    case XR_DOUBLE:
        return double_to_int64(v->d, out);
    case XR_STRING:
        if (xr_parse_int64(v->s, out) == 0)
            return 0;
        if (xr_parse_double(v->s, &d) == 0)
            return double_to_int64(d, out);
        return -1;
    default:
        return -1;
    }
}

int xr_parse_bool_word(const char *s, int *out)
{
    while (xr_is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && xr_is_space(s[n - 1]))
        n--;
    if ((n == 4 && strncasecmp(s, "true", 4) == 0) || (n == 1 && *s == '1'))
        *out = 1;
    else if ((n == 5 && strncasecmp(s, "false", 5) == 0) || (n == 1 && *s == '0'))
        *out = 0;
    else
        return -1;
    return 0;
}

int xr_get_bool(const xr_value *v, int *out)
{
    if (!v || !out)
        return -1;
    switch (v->type) {
    case XR_BOOL:
    case XR_INT:
        *out = v->i != 0;
        return 0;
    case XR_STRING:
        return xr_parse_bool_word(v->s, out);
    default:
        return -1;
    }
}

const char *xr_get_str(const xr_value *v)
{
    return v && v->type == XR_STRING ? v->s : NULL;
}
