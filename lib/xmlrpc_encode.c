/* XML-RPC encoder: calls, responses and faults as text (doc/agent-protocol.md §3). */
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

/* ---------------------------------------------------------------- encoder */

/* XML text escaping. What XML 1.0 cannot carry at all (C0 controls other
 * than TAB/LF/CR, invalid UTF-8, noncharacters such as U+FFFE) becomes
 * U+FFFD so the document stays well-formed; CR is a character reference so
 * parsers do not fold it. */
static void add_text(strbuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp = 0;
        /* 4: decoding stops at the terminating NUL, which is no continuation byte */
        size_t n = ovm_utf8_decode((const char *)p, 4, &cp);
        if (n == 0 || (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') ||
            ovm_text_class_of(cp) == OVM_TEXT_NONCHAR) {
            sb_adds(sb, "\xef\xbf\xbd");
            p++;
            continue;
        }
        switch (*p) {
        case '&': sb_adds(sb, "&amp;"); break;
        case '<': sb_adds(sb, "&lt;"); break;
        case '>': sb_adds(sb, "&gt;"); break;
        case '\r': sb_adds(sb, "&#13;"); break;
        default: sb_add(sb, p, n);
        }
        p += n;
    }
}

static void add_double(strbuf *sb, double d)
{
    char buf[64];
    locale_t loc = xr_c_locale();
    locale_t old = loc ? uselocale(loc) : (locale_t)0;
    snprintf(buf, sizeof buf, "%.17g", d);
    if (loc)
        uselocale(old);
    sb_adds(sb, buf);
}

static void add_value(strbuf *sb, const xr_value *v);

static void add_members(strbuf *sb, const xr_value *v)
{
    for (size_t k = 0; k < v->n; k++) {
        sb_adds(sb, "<member><name>");
        add_text(sb, v->keys[k]);
        sb_adds(sb, "</name>");
        add_value(sb, v->items[k]);
        sb_adds(sb, "</member>\n");
    }
}

static void add_value(strbuf *sb, const xr_value *v)
{
    sb_adds(sb, "<value>");
    switch (v ? v->type : XR_NIL) {
    case XR_NIL: sb_adds(sb, "<nil/>"); break;
    case XR_BOOL: sb_addf(sb, "<boolean>%d</boolean>", v->i ? 1 : 0); break;
    case XR_INT:
        if (v->i >= INT32_MIN && v->i <= INT32_MAX)
            sb_addf(sb, "<int>%lld</int>", (long long)v->i);
        else
            sb_addf(sb, "<i8>%lld</i8>", (long long)v->i);
        break;
    case XR_DOUBLE:
        sb_adds(sb, "<double>");
        add_double(sb, v->d);
        sb_adds(sb, "</double>");
        break;
    case XR_STRING:
        sb_adds(sb, "<string>");
        add_text(sb, v->s);
        sb_adds(sb, "</string>");
        break;
    case XR_ARRAY:
        sb_adds(sb, "<array><data>\n");
        for (size_t k = 0; k < v->n; k++) {
            add_value(sb, v->items[k]);
            sb_adds(sb, "\n");
        }
        sb_adds(sb, "</data></array>");
        break;
    case XR_STRUCT:
        sb_adds(sb, "<struct>\n");
        add_members(sb, v);
        sb_adds(sb, "</struct>");
        break;
    }
    sb_adds(sb, "</value>");
}

char *xr_encode_call(const char *method, xr_value *const *params, size_t nparams, size_t *len)
{
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\"?>\n<methodCall><methodName>");
    add_text(&sb, method ? method : "");
    sb_adds(&sb, "</methodName><params>\n");
    for (size_t k = 0; k < nparams; k++) {
        sb_adds(&sb, "<param>");
        add_value(&sb, params[k]);
        sb_adds(&sb, "</param>\n");
    }
    sb_adds(&sb, "</params></methodCall>\n");
    return sb_detach(&sb, len);
}

char *xr_encode_response(const xr_value *result, size_t *len)
{
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\"?>\n<methodResponse>\n<params>\n<param>\n");
    add_value(&sb, result);
    sb_adds(&sb, "</param>\n</params>\n</methodResponse>\n");
    return sb_detach(&sb, len);
}

char *xr_encode_fault(int code, const char *fault_string, size_t *len)
{
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\"?>\n<methodResponse>\n<fault>\n<value><struct>\n");
    sb_addf(&sb, "<member><name>faultCode</name><value><int>%d</int></value></member>\n", code);
    sb_adds(&sb, "<member><name>faultString</name><value><string>");
    add_text(&sb, fault_string ? fault_string : "");
    sb_adds(&sb, "</string></value></member>\n</struct></value>\n</fault>\n</methodResponse>\n");
    return sb_detach(&sb, len);
}
