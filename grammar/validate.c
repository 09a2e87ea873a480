/* Value classes of doc/command-language.md §5: checking and canonical spelling. Error
 * texts follow §7.5 ("Invalid value '<v>' for <key>; expected ..."). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "grammar/internal.h"
#include "lib/strbuf.h"
#include "lib/util.h"

static size_t str_limit(const gr_attr *a)
{
    return a->max_len ? a->max_len : 256;
}

static char *join_enums(const char *const *e)
{
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; e[i]; i++)
        sb_addf(&sb, "%s%s", i ? ", " : "", e[i]);
    return sb_detach(&sb, NULL);
}

static char *bad_enum(const gr_attr *a, const char *v, char **err)
{
    char *list = join_enums(a->enums);
    *err = xasprintf("Invalid value '%s' for %s; expected one of: %s", v, a->name, list);
    free(list);
    return NULL;
}

static const char *enum_match(const gr_attr *a, const char *v)
{
    for (const char *const *e = a->enums; e && *e; e++)
        if (ovm_strcasecmp(*e, v) == 0)
            return *e;
    for (const char *const *p = a->aliases; p && p[0] && p[1]; p += 2)
        if (ovm_strcasecmp(p[0], v) == 0)
            return p[1];
    return NULL;
}

static char *check_str(const gr_attr *a, const char *v, char **err)
{
    size_t n = strlen(v);
    if (n < (size_t)a->min || n > str_limit(a)) {
        *err = xasprintf("Invalid value for %s; expected a string of %lld to %zu bytes", a->name,
                         a->min, str_limit(a));
        return NULL;
    }
    return xstrdup(v);
}

/* Strict decimal integer: optional sign, digits only. */
static int parse_int(const char *v, long long *out)
{
    const char *p = v + (*v == '-' || *v == '+');
    if (!*p)
        return -1;
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q))
            return -1;
    errno = 0;
    *out = strtoll(v, NULL, 10);
    return errno ? -1 : 0;
}

static char *check_int(const gr_attr *a, const char *v, char **err)
{
    long long n;
    if (parse_int(v, &n) != 0 || n < a->min || n > a->max) {
        *err = xasprintf("Invalid value '%s' for %s; expected an integer from %lld to %lld", v,
                         a->name, a->min, a->max);
        return NULL;
    }
    return xasprintf("%lld", n);
}

/* Plain decimal: digits with at most one '.', no exponent, no sign. */
static int parse_num(const char *v, double *out)
{
    int digits = 0, dots = 0;
    for (const char *p = v; *p; p++) {
        if (*p == '.')
            dots++;
        else if (isdigit((unsigned char)*p))
            digits++;
        else
            return -1;
    }
    if (!digits || dots > 1)
        return -1;
    *out = strtod(v, NULL);
    return 0;
}

static char *check_num(const gr_attr *a, const char *v, char **err)
{
    double d;
    int gt0 = (a->flags & GA_NUM_GT0) != 0;
    if (parse_num(v, &d) == 0 && (gt0 ? d > (double)a->min : d >= (double)a->min) &&
        d <= (double)a->max)
        return xstrdup(v);
    if (gt0)
        *err = xasprintf("Invalid value '%s' for %s; expected a number greater than %lld and "
                         "at most %lld", v, a->name, a->min, a->max);
    else
        *err = xasprintf("Invalid value '%s' for %s; expected a number from %lld to %lld", v,
                         a->name, a->min, a->max);
    return NULL;
}

static char *check_bool(const gr_attr *a, const char *v, char **err)
{
    if (ovm_strcasecmp(v, "yes") == 0 || ovm_strcasecmp(v, "true") == 0)
        return xstrdup("Yes");
    if (ovm_strcasecmp(v, "no") == 0 || ovm_strcasecmp(v, "false") == 0)
        return xstrdup("No");
    *err = xasprintf("Invalid value '%s' for %s; expected one of: Yes, No", v, a->name);
    return NULL;
}

static char *check_enum(const gr_attr *a, const char *v, char **err)
{
    const char *m = enum_match(a, v);
    return m ? xstrdup(m) : bad_enum(a, v, err);
}

static int is_ipv4(const char *v)
{
    int parts = 0;
    const char *p = v;
    for (;;) {
        int digits = 0, val = 0;
        while (isdigit((unsigned char)*p) && digits < 4)
            val = val * 10 + (*p++ - '0'), digits++;
        if (!digits || digits > 3 || val > 255)
            return 0;
        parts++;
        if (*p == '\0')
            return parts == 4;
        if (*p != '.' || parts == 4)
            return 0;
        p++;
    }
}

/* RFC 1123 host name: labels of letters, digits and '-', not starting or
 * ending with '-', at most 63 bytes each, 253 in all. */
static int is_hostname(const char *v)
{
    size_t n = strlen(v), label = 0;
    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i <= n; i++) {
        char ch = v[i];
        if (ch == '.' || ch == '\0') {
            if (label == 0 || v[i - 1] == '-')
                return 0;
            label = 0;
            continue;
        }
        if (!isalnum((unsigned char)ch) && ch != '-')
            return 0;
        if (label == 0 && ch == '-')
            return 0;
        if (++label > 63)
            return 0;
    }
    return 1;
}

static int is_host(const char *v)
{
    return is_ipv4(v) || (is_hostname(v) && !isdigit((unsigned char)v[strlen(v) - 1]));
}

static char *check_ipv4(const gr_attr *a, const char *v, char **err)
{
    if (is_ipv4(v))
        return xstrdup(v);
    *err = xasprintf("Invalid value '%s' for %s; expected an IPv4 address", v, a->name);
    return NULL;
}

static char *check_host(const gr_attr *a, const char *v, char **err)
{
    if (is_host(v))
        return xstrdup(v);
    *err = xasprintf("Invalid value '%s' for %s; expected an IPv4 address or host name", v,
                     a->name);
    return NULL;
}

static char *check_mac(const gr_attr *a, const char *v, char **err)
{
    int ok = strlen(v) == 17;
    for (size_t i = 0; ok && i < 17; i++)
        ok = i % 3 == 2 ? v[i] == ':' : isxdigit((unsigned char)v[i]) != 0;
    if (!ok) {
        *err = xasprintf("Invalid value '%s' for %s; expected a MAC address xx:xx:xx:xx:xx:xx",
                         v, a->name);
        return NULL;
    }
    char *m = xstrdup(v);
    for (char *p = m; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return m;
}

static char *check_eventid(const gr_attr *a, const char *v, char **err)
{
    int ok = strlen(v) == 13;
    for (size_t i = 0; ok && i < 13; i++)
        ok = isdigit((unsigned char)v[i]) != 0;
    if (ok)
        return xstrdup(v);
    *err = xasprintf("Invalid value '%s' for %s; expected a 13-digit event id", v, a->name);
    return NULL;
}

/* Oracle's CLI treats '/' as its escape character, so its documented
 * examples double every slash of a URL (url="http:////host//my.iso"). Our
 * lexer keeps '/' literal (doc/command-language.md §3.4), so the doubling is
 * undone here, for URL values only: "scheme:////" is never a usable http or
 * ftp URL, so the two readings cannot be confused. Heap. */
static char *undouble_slashes(const char *v)
{
    const char *colon = strchr(v, ':');
    if (!colon || strncmp(colon, ":////", 5) != 0 || colon[5] == '/')
        return xstrdup(v);
    char *out = xmalloc(strlen(v) + 1), *o = out;
    for (const char *p = v; *p; p++) {
        *o++ = *p;
        if (p[0] == '/' && p[1] == '/')
            p++;
    }
    *o = '\0';
    return out;
}

static int url_scheme_ok(const char *u, size_t *after)
{
    static const char *const schemes[] = {"http://", "https://", "ftp://", NULL};
    for (const char *const *s = schemes; *s; s++)
        if (ovm_strncasecmp(u, *s, strlen(*s)) == 0) {
            *after = strlen(*s);
            return 1;
        }
    return 0;
}

/* An http, https or ftp URL with a host and a file name at the end of its
 * path: the file name becomes the new object's name. */
static char *check_url(const gr_attr *a, const char *v, char **err)
{
    char *u = undouble_slashes(v);
    size_t host = 0, n = strlen(u);
    const char *why = NULL;
    if (!url_scheme_ok(u, &host))
        why = "an http://, https:// or ftp:// URL";
    else if (n > str_limit(a))
        why = "a URL of at most 2000 bytes";
    else if (strcspn(u, " \t\"<>\\") != n || u[host] == '/' || !u[host])
        why = "a URL with a host and no spaces";
    else if (!strchr(u + host, '/') || u[strcspn(u, "?#") - 1] == '/')
        why = "a URL that ends in a file name";
    if (!why)
        return u;
    free(u);
    *err = xasprintf("Invalid value '%s' for %s; expected %s", v, a->name, why);
    return NULL;
}

static char *check_ref(const gr_attr *a, const char *v, char **err)
{
    if (*v && strlen(v) <= str_limit(a))
        return xstrdup(v);
    *err = xasprintf("Invalid value '%s' for %s; expected the name or id of a %s", v, a->name,
                     a->ref_type);
    return NULL;
}

/* Checks one list element; heap canonical element or NULL with *err. */
static char *check_elem(const gr_attr *a, const char *e, char **err)
{
    switch (a->vtype) {
    case VT_ENUMLIST:
        return check_enum(a, e, err);
    case VT_REFLIST:
        return check_ref(a, e, err);
    default:
        if (a->elem == VT_HOST)
            return check_host(a, e, err);
        if (!*e || strlen(e) > 256) {
            *err = xasprintf("Invalid value '%s' for %s; expected a comma-separated list", e,
                             a->name);
            return NULL;
        }
        return xstrdup(e);
    }
}

static int list_has(const strbuf *sb, const char *e)
{
    size_t n = strlen(e);
    for (const char *p = sb->buf; p && *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && memcmp(p, e, n) == 0)
            return 1;
        p = c ? c + 1 : p + len;
    }
    return 0;
}

static char *check_list(const gr_attr *a, const char *v, char **err)
{
    strbuf sb = STRBUF_INIT;
    unsigned items = 0;
    if (!*v && a->vtype == VT_STRLIST)
        return xstrdup("");
    for (const char *p = v;;) {
        const char *comma = strchr(p, ',');
        char *e = comma ? xstrndup(p, (size_t)(comma - p)) : xstrdup(p);
        char *c = check_elem(a, e, err);
        free(e);
        if (!c)
            goto fail;
        int dup = a->vtype == VT_ENUMLIST && list_has(&sb, c);
        sb_addf(&sb, "%s%s", items++ ? "," : "", c);
        free(c);
        if (dup) {
            *err = xasprintf("Invalid value '%s' for %s; values must not repeat", v, a->name);
            goto fail;
        }
        if (a->max_items && items > a->max_items) {
            *err = xasprintf("Invalid value '%s' for %s; expected at most %u values", v, a->name,
                             a->max_items);
            goto fail;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return sb_detach(&sb, NULL);
fail:
    sb_free(&sb);
    return NULL;
}

char *gr_check_value(const gr_attr *a, const char *v, char **err)
{
    switch (a->vtype) {
    case VT_STR: return check_str(a, v, err);
    case VT_INT: return check_int(a, v, err);
    case VT_NUM: return check_num(a, v, err);
    case VT_BOOL: return check_bool(a, v, err);
    case VT_ENUM: return check_enum(a, v, err);
    case VT_REF: return check_ref(a, v, err);
    case VT_IPV4: return check_ipv4(a, v, err);
    case VT_HOST: return check_host(a, v, err);
    case VT_MAC: return check_mac(a, v, err);
    case VT_EVENTID: return check_eventid(a, v, err);
    case VT_URL: return check_url(a, v, err);
    case VT_ENUMLIST:
    case VT_REFLIST:
    case VT_STRLIST: return check_list(a, v, err);
    }
    *err = xasprintf("Invalid value '%s' for %s", v, a->name);
    return NULL;
}

char *gr_attr_describe(const gr_attr *a)
{
    char *list = a->enums ? join_enums(a->enums) : NULL, *s;
    switch (a->vtype) {
    case VT_STR: s = xasprintf("str(%zu)", str_limit(a)); break;
    case VT_INT: s = xasprintf("int %lld..%lld", a->min, a->max); break;
    case VT_NUM:
        s = a->flags & GA_NUM_GT0 ? xasprintf("num >%lld..%lld", a->min, a->max)
                                  : xasprintf("num %lld..%lld", a->min, a->max);
        break;
    case VT_BOOL: s = xstrdup("Yes|No"); break;
    case VT_ENUM: s = xasprintf("one of: %s", list); break;
    case VT_ENUMLIST: s = xasprintf("list of: %s", list); break;
    case VT_REF: s = xasprintf("ref %s", a->ref_type); break;
    case VT_REFLIST: s = xasprintf("list of ref %s", a->ref_type); break;
    case VT_STRLIST:
        s = a->elem == VT_HOST ? xstrdup("list of hosts") : xstrdup("list of str");
        break;
    case VT_IPV4: s = xstrdup("IPv4 address"); break;
    case VT_HOST: s = xstrdup("IPv4 address or host name"); break;
    case VT_MAC: s = xstrdup("MAC address"); break;
    case VT_EVENTID: s = xstrdup("13-digit event id"); break;
    case VT_URL: s = xstrdup("http, https or ftp URL"); break;
    default: s = xstrdup("value"); break;
    }
    free(list);
    return s;
}
