/* XML-RPC decoder (doc/agent-protocol.md §2-§3). It trusts nothing: size and
 * depth are bounded and DTDs are refused outright, so entity tricks never
 * reach libxml2's entity machinery. */
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
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "lib/strbuf.h"
#include "lib/text.h"
#include "lib/util.h"
#include "lib/xmlrpc_impl.h"

/* ---------------------------------------------------------------- decoder */

/* Where a decoder reports its one-line reason. */
typedef struct xr_err {
    char *buf;
    size_t len;
} xr_err;

static void set_err(xr_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(xr_err *e, const char *fmt, ...)
{
    if (!e->buf || e->len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->buf, e->len, fmt, ap);
    va_end(ap);
    for (char *p = e->buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

/* libxml2 2.9 wants its globals set up once before threads parse. */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

/* SAX hook: any DOCTYPE stops the parse before its internal subset (and so
 * any <!ENTITY>) is read. ctxt->_private points at the caller's flag. */
static void refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    xmlParserCtxtPtr ctxt = ctx;
    *(int *)ctxt->_private = 1;
    xmlStopParser(ctxt);
}

/* Some libxml2 errors (encoding conversion) bypass the parser context and
 * go to the thread's generic handler, which prints to stderr; a hostile
 * peer must not be able to fill our logs, and the reason is reported
 * through err anyway. */
static void silent(void *ctx, const char *msg, ...)
{
}

static void report_parse_error(xmlParserCtxtPtr ctxt, xr_err *e)
{
    xmlErrorPtr xe = xmlCtxtGetLastError(ctxt);
    if (!xe || !xe->message) {
        set_err(e, "not a well-formed XML document");
        return;
    }
    char msg[200];
    snprintf(msg, sizeof msg, "%s", xe->message);
    size_t n = strlen(msg);
    while (n > 0 && xr_is_space(msg[n - 1]))
        msg[--n] = '\0';
    set_err(e, "XML error at line %d: %s", xe->line, msg);
}

static xmlDocPtr parse_doc(const char *buf, size_t len, xr_err *e)
{
    if (!buf || len == 0) {
        set_err(e, "empty document");
        return NULL;
    }
    if (len > XR_MAX_DOC) {
        set_err(e, "document of %zu bytes exceeds the %u byte limit", len, XR_MAX_DOC);
        return NULL;
    }
    pthread_once(&xml_once, xml_init);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        set_err(e, "out of memory");
        return NULL;
    }
    int dtd_seen = 0;
    ctxt->_private = &dtd_seen;
    ctxt->sax->internalSubset = refuse_dtd;
    /* No XML_PARSE_NOENT (no substitution), no XML_PARSE_HUGE (keeps
     * libxml2's own depth and text limits), no DTD loading. */
    int opts = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
               XML_PARSE_COMPACT;
    xmlGenericErrorFunc old_handler = xmlGenericError;
    void *old_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, silent);
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL, opts);
    xmlSetGenericErrorFunc(old_ctx, old_handler);
    if (dtd_seen || (doc && (doc->intSubset || doc->extSubset))) {
        set_err(e, "DTDs and entity declarations are not allowed");
        xmlFreeDoc(doc);
        doc = NULL;
    } else if (!doc) {
        report_parse_error(ctxt, e);
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

static int is_elem(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* First element at or after n among siblings; text and comments between
 * elements are ignored (whitespace layout varies between implementations). */
static xmlNodePtr next_elem(xmlNodePtr n)
{
    while (n && n->type != XML_ELEMENT_NODE)
        n = n->next;
    return n;
}

static xmlNodePtr child_elem(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr n = next_elem(parent->children); n; n = next_elem(n->next))
        if (is_elem(n, name))
            return n;
    return NULL;
}

/* Text content of an element as a heap string (never NULL). */
static char *node_text(xmlNodePtr n)
{
    xmlChar *t = xmlNodeGetContent(n);
    char *s = xstrdup(t ? (const char *)t : "");
    xmlFree(t);
    return s;
}

static xr_value *decode_value(xmlNodePtr value, int depth, xr_err *e);

static xr_value *decode_array(xmlNodePtr arr, int depth, xr_err *e)
{
    xmlNodePtr data = child_elem(arr, "data");
    if (!data) {
        set_err(e, "<array> without <data>");
        return NULL;
    }
    xr_value *out = xr_array();
    for (xmlNodePtr n = next_elem(data->children); n; n = next_elem(n->next)) {
        xr_value *item = is_elem(n, "value") ? decode_value(n, depth + 1, e) : NULL;
        if (!item) {
            if (!is_elem(n, "value"))
                set_err(e, "unexpected <%.40s> in <data>", (const char *)n->name);
            xr_free(out);
            return NULL;
        }
        xr_array_add(out, item);
    }
    return out;
}

static int decode_member(xmlNodePtr m, xr_value *st, int depth, xr_err *e)
{
    xmlNodePtr name = child_elem(m, "name");
    xmlNodePtr value = child_elem(m, "value");
    if (!name || !value) {
        set_err(e, "<member> without <%s>", name ? "value" : "name");
        return -1;
    }
    xr_value *v = decode_value(value, depth + 1, e);
    if (!v)
        return -1;
    xr_struct_append(st, node_text(name), v);
    return 0;
}

static xr_value *decode_struct(xmlNodePtr node, int depth, xr_err *e)
{
    xr_value *out = xr_struct();
    for (xmlNodePtr n = next_elem(node->children); n; n = next_elem(n->next)) {
        if (!is_elem(n, "member")) {
            set_err(e, "unexpected <%.40s> in <struct>", (const char *)n->name);
            xr_free(out);
            return NULL;
        }
        if (decode_member(n, out, depth, e) < 0) {
            xr_free(out);
            return NULL;
        }
    }
    return out;
}

static xr_value *decode_number(xmlNodePtr t, xr_err *e)
{
    const char *name = (const char *)t->name;
    char *text = node_text(t);
    xr_value *v = NULL;
    int64_t i;
    double d;
    int b;
    if (strcmp(name, "double") == 0) {
        if (xr_parse_double(text, &d) == 0)
            v = xr_double(d);
    } else if (strcmp(name, "boolean") == 0) {
        if (xr_parse_bool_word(text, &b) == 0)
            v = xr_bool(b);
    } else if (xr_parse_int64(text, &i) == 0) {
        v = xr_int(i);
    }
    if (!v)
        set_err(e, "bad <%s> value \"%.40s\"", name, text);
    free(text);
    return v;
}

static int is_string_type(const char *name)
{
    return strcmp(name, "string") == 0 || strcmp(name, "base64") == 0 ||
           strcmp(name, "dateTime.iso8601") == 0;
}

static int is_number_type(const char *name)
{
    return strcmp(name, "int") == 0 || strcmp(name, "i4") == 0 || strcmp(name, "i8") == 0 ||
           strcmp(name, "boolean") == 0 || strcmp(name, "double") == 0;
}

static xr_value *decode_typed(xmlNodePtr t, int depth, xr_err *e)
{
    const char *name = (const char *)t->name;
    if (is_string_type(name)) {
        char *s = node_text(t);
        xr_value *v = xr_new(XR_STRING);
        v->s = s;
        return v;
    }
    if (is_number_type(name))
        return decode_number(t, e);
    if (strcmp(name, "nil") == 0)
        return xr_nil();
    if (strcmp(name, "array") == 0)
        return decode_array(t, depth, e);
    if (strcmp(name, "struct") == 0)
        return decode_struct(t, depth, e);
    set_err(e, "unknown value type <%.40s>", name);
    return NULL;
}

/* depth counts <value> levels, the outermost being 1. */
static xr_value *decode_value(xmlNodePtr value, int depth, xr_err *e)
{
    if (depth > XR_MAX_DEPTH) {
        set_err(e, "values nested deeper than %d levels", XR_MAX_DEPTH);
        return NULL;
    }
    xmlNodePtr t = next_elem(value->children);
    if (!t) {   /* <value>text</value> is a string (XML-RPC spec) */
        xr_value *v = xr_new(XR_STRING);
        v->s = node_text(value);
        return v;
    }
    return decode_typed(t, depth, e);
}

static xmlNodePtr root_named(xmlDocPtr doc, const char *name, xr_err *e)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!is_elem(root, name)) {
        set_err(e, "root element is <%.40s>, expected <%s>",
                root ? (const char *)root->name : "", name);
        return NULL;
    }
    return root;
}

/* The value of one <param>. */
static xr_value *decode_param(xmlNodePtr param, xr_err *e)
{
    xmlNodePtr value = child_elem(param, "value");
    if (!value) {
        set_err(e, "<param> without <value>");
        return NULL;
    }
    return decode_value(value, 1, e);
}

static xr_value *decode_params(xmlNodePtr params, xr_err *e)
{
    xr_value *out = xr_array();
    if (!params)
        return out;
    for (xmlNodePtr n = next_elem(params->children); n; n = next_elem(n->next)) {
        xr_value *v = is_elem(n, "param") ? decode_param(n, e) : NULL;
        if (!v) {
            if (!is_elem(n, "param"))
                set_err(e, "unexpected <%.40s> in <params>", (const char *)n->name);
            xr_free(out);
            return NULL;
        }
        xr_array_add(out, v);
    }
    return out;
}

static char *decode_method_name(xmlNodePtr root, xr_err *e)
{
    xmlNodePtr mn = child_elem(root, "methodName");
    if (!mn) {
        set_err(e, "<methodCall> without <methodName>");
        return NULL;
    }
    char *raw = node_text(mn);
    const char *s = raw;
    while (xr_is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && xr_is_space(s[n - 1]))
        n--;
    char *name = n ? xstrndup(s, n) : NULL;
    free(raw);
    if (!name)
        set_err(e, "empty <methodName>");
    return name;
}

int xr_decode_call(const char *buf, size_t len, char **method, xr_value **params,
                   char *err, size_t errlen)
{
    xr_err e = {err, errlen};
    xmlDocPtr doc = parse_doc(buf, len, &e);
    if (!doc)
        return -1;
    int rc = -1;
    xmlNodePtr root = root_named(doc, "methodCall", &e);
    char *name = root ? decode_method_name(root, &e) : NULL;
    xr_value *args = name ? decode_params(child_elem(root, "params"), &e) : NULL;
    if (args) {
        rc = 0;
        if (method)
            *method = name, name = NULL;
        if (params)
            *params = args, args = NULL;
    }
    free(name);
    xr_free(args);
    xmlFreeDoc(doc);
    return rc;
}

/* Splits a fault struct into code and string; -1 if either is missing. */
static int decode_fault(xmlNodePtr fault, int *code, char **str, xr_err *e)
{
    xmlNodePtr value = child_elem(fault, "value");
    xr_value *v = value ? decode_value(value, 1, e) : NULL;
    if (!v) {
        if (!value)
            set_err(e, "<fault> without <value>");
        return -1;
    }
    int64_t c = 0;
    const char *s = xr_get_str(xr_struct_get(v, "faultString"));
    int rc = -1;
    if (v->type != XR_STRUCT)
        set_err(e, "<fault> value is not a struct");
    else if (xr_get_int64(xr_struct_get(v, "faultCode"), &c) < 0)
        set_err(e, "fault without an integer faultCode");
    else if (!s)
        set_err(e, "fault without a faultString");
    else
        rc = 0;
    if (rc == 0) {
        if (code)
            *code = c < INT32_MIN ? INT32_MIN : c > INT32_MAX ? INT32_MAX : (int)c;
        if (str)
            *str = xstrdup(s);
    }
    xr_free(v);
    return rc;
}

/* A reply's single result; an empty <params> counts as nil. */
static xr_value *decode_result(xmlNodePtr params, xr_err *e)
{
    xr_value *all = decode_params(params, e);
    if (!all)
        return NULL;
    if (all->n > 1) {
        set_err(e, "<methodResponse> with %zu params, expected one", all->n);
        xr_free(all);
        return NULL;
    }
    xr_value *v = all->n ? all->items[0] : xr_nil();
    all->n = 0;
    xr_free(all);
    return v;
}

int xr_decode_response(const char *buf, size_t len, xr_value **result,
                       int *fault_code, char **fault_string, char *err, size_t errlen)
{
    xr_err e = {err, errlen};
    xmlDocPtr doc = parse_doc(buf, len, &e);
    if (!doc)
        return -1;
    int rc = -1;
    xmlNodePtr root = root_named(doc, "methodResponse", &e);
    xmlNodePtr body = root ? next_elem(root->children) : NULL;
    if (root && is_elem(body, "fault")) {
        rc = decode_fault(body, fault_code, fault_string, &e) == 0 ? 1 : -1;
    } else if (root && is_elem(body, "params")) {
        xr_value *v = decode_result(body, &e);
        rc = v ? 0 : -1;
        if (v && result)
            *result = v;
        else
            xr_free(v);
    } else if (root) {
        set_err(&e, "<methodResponse> without <params> or <fault>");
    }
    xmlFreeDoc(doc);
    return rc;
}
