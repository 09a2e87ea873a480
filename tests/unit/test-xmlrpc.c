/* Unit tests of the XML-RPC codec (lib/xmlrpc.c): round trips, wire format,
 * lenient readers, faults and hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib/strbuf.h"
#include "lib/util.h"
#include "lib/xmlrpc.h"

/* Encodes v as a response, decodes it again and returns the result. */
static xr_value *round_trip(const xr_value *v)
{
    size_t len = 0;
    char *xml = xr_encode_response(v, &len);
    assert_int_equal(len, strlen(xml));
    xr_value *out = NULL;
    char err[200] = "";
    int rc = xr_decode_response(xml, len, &out, NULL, NULL, err, sizeof err);
    if (rc != 0)
        fail_msg("decode failed: %s\n%s", err, xml);
    free(xml);
    return out;
}

/* Deep equality; doubles compared bit for bit through ==. */
static int xr_equal(const xr_value *a, const xr_value *b)
{
    if (a->type != b->type || a->n != b->n)
        return 0;
    switch (a->type) {
    case XR_NIL: return 1;
    case XR_BOOL:
    case XR_INT: return a->i == b->i;
    case XR_DOUBLE: return a->d == b->d;
    case XR_STRING: return strcmp(a->s, b->s) == 0;
    default: break;
    }
    for (size_t k = 0; k < a->n; k++) {
        if (a->type == XR_STRUCT && strcmp(a->keys[k], b->keys[k]) != 0)
            return 0;
        if (!xr_equal(a->items[k], b->items[k]))
            return 0;
    }
    return 1;
}

static void assert_round_trip(xr_value *v)
{
    xr_value *back = round_trip(v);
    assert_true(xr_equal(v, back));
    xr_free(back);
    xr_free(v);
}

static void test_scalars(void **state)
{
    assert_round_trip(xr_nil());
    assert_round_trip(xr_bool(1));
    assert_round_trip(xr_bool(0));
    assert_round_trip(xr_int(0));
    assert_round_trip(xr_int(-2147483648LL));
    assert_round_trip(xr_int(INT64_MAX));
    assert_round_trip(xr_int(INT64_MIN));
    assert_round_trip(xr_double(0.1));
    assert_round_trip(xr_double(-1.0 / 3.0));
    assert_round_trip(xr_double(1e300));
    assert_round_trip(xr_double(5e-324));
    assert_round_trip(xr_string(""));
    assert_round_trip(xr_string("plain"));
    assert_round_trip(xr_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
}

static void test_escaping(void **state)
{
    const char *nasty = "<a href=\"x\">&amp; 'q' ]]> </a>\r\n\ttab";
    xr_value *v = xr_string(nasty);
    size_t len;
    char *xml = xr_encode_response(v, &len);
    assert_null(strstr(xml, "<a href"));
    assert_null(strstr(xml, "]]>"));
    free(xml);
    assert_round_trip(v);
}

static void test_unrepresentable_bytes(void **state)
{
    /* XML 1.0 cannot carry C0 controls or invalid UTF-8: they become U+FFFD
     * and the document stays decodable. */
    xr_value *v = xr_string("a\x01z\xff!");
    xr_value *back = round_trip(v);
    assert_string_equal(back->s, "a\xef\xbf\xbdz\xef\xbf\xbd!");
    xr_free(back);
    xr_free(v);
}

static xr_value *sample_tree(void)
{
    xr_value *inner = xr_array();
    xr_array_add(inner, xr_int(1));
    xr_array_add(inner, xr_string("two"));
    xr_array_add(inner, xr_nil());
    xr_value *st = xr_struct();
    xr_struct_set(st, "list", inner);
    xr_struct_set(st, "flag", xr_bool(1));
    xr_struct_set(st, "size", xr_int(10737418240LL));
    xr_struct_set(st, "name & <key>", xr_string("v"));
    xr_struct_set(st, "empty", xr_struct());
    xr_value *top = xr_array();
    xr_array_add(top, st);
    xr_array_add(top, xr_array());
    xr_array_add(top, xr_double(2.5));
    return top;
}

static void test_nested(void **state)
{
    assert_round_trip(sample_tree());
}

static void test_struct_set_replaces(void **state)
{
    xr_value *st = xr_struct();
    xr_struct_set(st, "k", xr_int(1));
    xr_struct_set(st, "k", xr_int(2));
    assert_int_equal(st->n, 1);
    assert_int_equal(xr_struct_get(st, "k")->i, 2);
    assert_null(xr_struct_get(st, "missing"));
    assert_null(xr_struct_get(xr_struct_get(st, "k"), "k"));
    xr_free(st);
}

static void test_copy(void **state)
{
    xr_value *v = sample_tree();
    xr_value *c = xr_copy(v);
    assert_true(xr_equal(v, c));
    assert_ptr_not_equal(v->items[0], c->items[0]);
    xr_free(v);
    xr_free(c);
}

static void test_call_round_trip(void **state)
{
    xr_value *p[3] = {xr_string("0004fb0000030000598e525857751f9a"), sample_tree(), xr_nil()};
    size_t len;
    char *xml = xr_encode_call("start_vm", p, 3, &len);
    assert_true(strncmp(xml, "<?xml version=\"1.0\"?>\n<methodCall>", 34) == 0);
    char *method = NULL;
    xr_value *params = NULL;
    char err[200] = "";
    assert_int_equal(xr_decode_call(xml, len, &method, &params, err, sizeof err), 0);
    assert_string_equal(method, "start_vm");
    assert_int_equal(params->type, XR_ARRAY);
    assert_int_equal(params->n, 3);
    for (size_t k = 0; k < 3; k++) {
        assert_true(xr_equal(p[k], params->items[k]));
        xr_free(p[k]);
    }
    free(method);
    xr_free(params);
    free(xml);
}

static void test_call_without_params(void **state)
{
    const char *xml = "<?xml version=\"1.0\"?><methodCall><methodName> list_vms </methodName>"
                      "</methodCall>";
    char *method = NULL;
    xr_value *params = NULL;
    char err[200] = "";
    assert_int_equal(xr_decode_call(xml, strlen(xml), &method, &params, err, sizeof err), 0);
    assert_string_equal(method, "list_vms");
    assert_int_equal(params->n, 0);
    free(method);
    xr_free(params);
}

/* The examples of doc/agent-protocol.md §2, verbatim. */
static const char NIL_REPLY[] =
    "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n"
    "<value><nil/></value></param>\n</params>\n</methodResponse>\n";
static const char FAULT_REPLY[] =
    "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n"
    "<member><name>faultCode</name><value><int>1</int></value></member>\n"
    "<member><name>faultString</name><value><string>exceptions.OSError:[Errno 17] File exists: "
    "'/OVS/Repositories/0004fb0000030000598e525857751f9a/VirtualDisks/"
    "0004fb0000120000c444117fd87ea251.img'</string></value></member>\n"
    "</struct></value>\n</fault>\n</methodResponse>\n";

static void test_spec_examples(void **state)
{
    xr_value *res = NULL;
    int code = 0;
    char *fs = NULL;
    char err[200] = "";
    assert_int_equal(xr_decode_response(NIL_REPLY, strlen(NIL_REPLY), &res, &code, &fs, err,
                                        sizeof err), 0);
    assert_int_equal(res->type, XR_NIL);
    xr_free(res);
    assert_int_equal(xr_decode_response(FAULT_REPLY, strlen(FAULT_REPLY), &res, &code, &fs, err,
                                        sizeof err), 1);
    assert_int_equal(code, 1);
    assert_true(strncmp(fs, "exceptions.OSError:[Errno 17] File exists: '/OVS/", 49) == 0);
    free(fs);
}

static void test_encode_formats(void **state)
{
    size_t len;
    xr_value *nil = xr_nil();
    char *xml = xr_encode_response(nil, &len);
    assert_string_equal(xml, "<?xml version=\"1.0\"?>\n<methodResponse>\n<params>\n<param>\n"
                             "<value><nil/></value></param>\n</params>\n</methodResponse>\n");
    free(xml);
    xr_free(nil);
    xml = xr_encode_fault(17, "bad <thing>", &len);
    assert_non_null(strstr(xml, "<member><name>faultCode</name><value><int>17</int></value>"));
    assert_non_null(strstr(xml, "<value><string>bad &lt;thing&gt;</string></value>"));
    int code = 0;
    char *fs = NULL;
    assert_int_equal(xr_decode_response(xml, len, NULL, &code, &fs, NULL, 0), 1);
    assert_int_equal(code, 17);
    assert_string_equal(fs, "bad <thing>");
    free(fs);
    free(xml);
    xr_value *d = xr_double(0.1);
    xml = xr_encode_response(d, NULL);
    assert_non_null(strstr(xml, "<double>0.10000000000000001</double>"));
    free(xml);
    xr_free(d);
    xr_value *big = xr_int(4294967296LL);
    xml = xr_encode_response(big, NULL);
    assert_non_null(strstr(xml, "<i8>4294967296</i8>"));
    free(xml);
    xr_free(big);
}

/* Decodes a response expected to succeed; the caller frees the value. */
static xr_value *decode_ok(const char *xml)
{
    xr_value *v = NULL;
    char err[200] = "";
    int rc = xr_decode_response(xml, strlen(xml), &v, NULL, NULL, err, sizeof err);
    if (rc != 0)
        fail_msg("rc %d: %s", rc, err);
    return v;
}

static char *wrap_value(const char *inner)
{
    return xasprintf("<?xml version=\"1.0\"?><methodResponse><params><param><value>%s</value>"
                     "</param></params></methodResponse>", inner);
}

static xr_value *decode_value_text(const char *inner)
{
    char *xml = wrap_value(inner);
    xr_value *v = decode_ok(xml);
    free(xml);
    return v;
}

static void test_decode_types(void **state)
{
    xr_value *v = decode_value_text("bare text");
    assert_int_equal(v->type, XR_STRING);
    assert_string_equal(v->s, "bare text");
    xr_free(v);
    v = decode_value_text("");
    assert_string_equal(xr_get_str(v), "");
    xr_free(v);
    v = decode_value_text("<i4> -42 </i4>");
    assert_int_equal(v->type, XR_INT);
    assert_int_equal(v->i, -42);
    xr_free(v);
    v = decode_value_text("<i8>9007199254740993</i8>");
    assert_int_equal(v->i, 9007199254740993LL);
    xr_free(v);
    v = decode_value_text("<boolean>1</boolean>");
    assert_int_equal(v->type, XR_BOOL);
    assert_int_equal(v->i, 1);
    xr_free(v);
    v = decode_value_text("<double>-1.5e3</double>");
    assert_true(v->type == XR_DOUBLE && v->d == -1500.0);
    xr_free(v);
    v = decode_value_text("<base64>aGVsbG8=</base64>");
    assert_string_equal(xr_get_str(v), "aGVsbG8=");
    xr_free(v);
    v = decode_value_text("<dateTime.iso8601>20140214T08:30:38</dateTime.iso8601>");
    assert_string_equal(xr_get_str(v), "20140214T08:30:38");
    xr_free(v);
    v = decode_value_text("<string><![CDATA[a<b]]>&amp;&#233;</string>");
    assert_string_equal(xr_get_str(v), "a<b&\xc3\xa9");
    xr_free(v);
    v = decode_value_text("\n  <!-- c --> <struct> <member> <name>a</name>\n"
                          "<value><int>1</int></value></member></struct>\n");
    assert_int_equal(v->type, XR_STRUCT);
    assert_int_equal(xr_struct_get(v, "a")->i, 1);
    xr_free(v);
}

static void test_discovery_string(void **state)
{
    /* Discovery methods answer an XML document escaped inside a string. */
    xr_value *v = decode_value_text(
        "<string>&lt;?xml version=\"1.0\" ?&gt;&lt;Discover_Server_Result&gt;&lt;Server&gt;"
        "&lt;Hostname&gt;ovm-1&lt;/Hostname&gt;&lt;/Server&gt;&lt;/Discover_Server_Result&gt;"
        "</string>");
    assert_string_equal(xr_get_str(v), "<?xml version=\"1.0\" ?><Discover_Server_Result><Server>"
                                       "<Hostname>ovm-1</Hostname></Server>"
                                       "</Discover_Server_Result>");
    xr_free(v);
}

static void test_duplicate_member_last_wins(void **state)
{
    xr_value *v = decode_value_text("<struct><member><name>k</name><value>1</value></member>"
                                    "<member><name>k</name><value>2</value></member></struct>");
    assert_string_equal(xr_get_str(xr_struct_get(v, "k")), "2");
    xr_struct_set(v, "k", xr_int(3));
    assert_int_equal(xr_struct_get(v, "k")->i, 3);
    xr_free(v);
}

static void test_lenient_int(void **state)
{
    int64_t out = 0;
    struct { xr_value *v; int rc; int64_t want; } cases[] = {
        {xr_int(7), 0, 7},
        {xr_double(1073741824.0), 0, 1073741824},
        {xr_double(12.9), 0, 12},
        {xr_string(" 10737418240 "), 0, 10737418240LL},
        {xr_string("4096.0"), 0, 4096},
        {xr_string("12abc"), -1, 0},
        {xr_string(""), -1, 0},
        {xr_double(NAN), -1, 0},
        {xr_double(1e30), -1, 0},
        {xr_nil(), -1, 0},
        {xr_array(), -1, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        out = -99;
        assert_int_equal(xr_get_int64(cases[k].v, &out), cases[k].rc);
        if (cases[k].rc == 0)
            assert_int_equal(out, cases[k].want);
        xr_free(cases[k].v);
    }
    assert_int_equal(xr_get_int64(NULL, &out), -1);
}

static void test_lenient_bool(void **state)
{
    struct { xr_value *v; int rc; int want; } cases[] = {
        {xr_bool(1), 0, 1}, {xr_int(0), 0, 0}, {xr_int(5), 0, 1},
        {xr_string("True"), 0, 1}, {xr_string("FALSE"), 0, 0}, {xr_string("1"), 0, 1},
        {xr_string("yes please"), -1, 0}, {xr_double(1.0), -1, 0}, {xr_nil(), -1, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int out = -1;
        assert_int_equal(xr_get_bool(cases[k].v, &out), cases[k].rc);
        if (cases[k].rc == 0)
            assert_int_equal(out, cases[k].want);
        xr_free(cases[k].v);
    }
    xr_value *i = xr_int(1);
    assert_null(xr_get_str(i));
    xr_free(i);
}

/* Each malformed reply must give -1 with a one-line reason and leave the
 * outputs untouched. */
static void expect_bad_response(const char *buf, size_t len, const char *reason_part)
{
    xr_value *res = NULL;
    char *fs = NULL;
    int code = 0;
    char err[200] = "";
    assert_int_equal(xr_decode_response(buf, len, &res, &code, &fs, err, sizeof err), -1);
    assert_null(res);
    assert_null(fs);
    assert_true(err[0] != '\0');
    assert_null(strchr(err, '\n'));
    if (reason_part && !strstr(err, reason_part))
        fail_msg("reason \"%s\" lacks \"%s\"", err, reason_part);
}

static void expect_bad_call(const char *buf, const char *reason_part)
{
    char *method = NULL;
    xr_value *params = NULL;
    char err[200] = "";
    assert_int_equal(xr_decode_call(buf, strlen(buf), &method, &params, err, sizeof err), -1);
    assert_null(method);
    assert_null(params);
    assert_null(strchr(err, '\n'));
    if (!strstr(err, reason_part))
        fail_msg("reason \"%s\" lacks \"%s\"", err, reason_part);
}

static void test_malformed(void **state)
{
    expect_bad_response("", 0, "empty");
    expect_bad_response("garbage", 7, "XML error");
    expect_bad_response(NIL_REPLY, strlen(NIL_REPLY) - 30, "XML error");
    expect_bad_response("<methodCall/>", 13, "root element");
    expect_bad_response("<methodResponse/>", 17, "without <params> or <fault>");
    char *bad[][2] = {
        {wrap_value("<int>12x</int>"), "bad <int>"},
        {wrap_value("<boolean>2</boolean>"), "bad <boolean>"},
        {wrap_value("<double>one</double>"), "bad <double>"},
        {wrap_value("<int>99999999999999999999</int>"), "bad <int>"},
        {wrap_value("<float>1</float>"), "unknown value type"},
        {wrap_value("<array><value>1</value></array>"), "without <data>"},
        {wrap_value("<struct><member><name>a</name></member></struct>"), "without <value>"},
        {wrap_value("<struct><member><value>1</value></member></struct>"), "without <name>"},
        {wrap_value("<struct><x/></struct>"), "unexpected <x>"},
        {wrap_value("<array><data><value>1</value><i4>2</i4></data></array>"), "unexpected <i4>"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        expect_bad_response(bad[k][0], strlen(bad[k][0]), bad[k][1]);
        free(bad[k][0]);
    }
    const char bad_utf8[] = "<methodResponse><params><param><value>\xff\xfe</value></param>"
                            "</params></methodResponse>";
    expect_bad_response(bad_utf8, sizeof bad_utf8 - 1, NULL);
    const char *two = "<methodResponse><params><param><value>1</value></param>"
                      "<param><value>2</value></param></params></methodResponse>";
    expect_bad_response(two, strlen(two), "expected one");
}

static void test_fault_incomplete(void **state)
{
    const char *no_string = "<methodResponse><fault><value><struct><member><name>faultCode</name>"
                            "<value><int>1</int></value></member></struct></value></fault>"
                            "</methodResponse>";
    expect_bad_response(no_string, strlen(no_string), "faultString");
    const char *no_code = "<methodResponse><fault><value><struct><member><name>faultString</name>"
                          "<value>x</value></member></struct></value></fault></methodResponse>";
    expect_bad_response(no_code, strlen(no_code), "faultCode");
    const char *not_struct = "<methodResponse><fault><value>x</value></fault></methodResponse>";
    expect_bad_response(not_struct, strlen(not_struct), "not a struct");
}

static void test_entity_bomb(void **state)
{
    const char *bomb =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
        "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
        "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
        "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
        "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n]>\n"
        "<methodResponse><params><param><value><string>&lol9;</string></value></param></params>"
        "</methodResponse>";
    expect_bad_response(bomb, strlen(bomb), "DTD");
    const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                      "<methodCall><methodName>&x;</methodName></methodCall>";
    expect_bad_call(xxe, "DTD");
    const char *bare = "<!DOCTYPE methodCall><methodCall><methodName>a</methodName></methodCall>";
    expect_bad_call(bare, "DTD");
}

static char *nested_arrays(int depth)
{
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<methodResponse><params><param>");
    for (int k = 0; k < depth; k++)
        sb_adds(&sb, "<value><array><data>");
    sb_adds(&sb, "<value>x</value>");
    for (int k = 0; k < depth; k++)
        sb_adds(&sb, "</data></array></value>");
    sb_adds(&sb, "</param></params></methodResponse>");
    return sb_detach(&sb, NULL);
}

static void test_depth_limit(void **state)
{
    char *ok = nested_arrays(XR_MAX_DEPTH - 1);   /* plus the innermost value */
    xr_value *v = decode_ok(ok);
    int levels = 0;
    for (xr_value *p = v; p->type == XR_ARRAY; p = p->items[0])
        levels++;
    assert_int_equal(levels, XR_MAX_DEPTH - 1);
    xr_free(v);
    free(ok);
    char *deep = nested_arrays(XR_MAX_DEPTH);
    expect_bad_response(deep, strlen(deep), "nested deeper");
    free(deep);
    char *very = nested_arrays(200);
    expect_bad_response(very, strlen(very), NULL);
    free(very);
}

static void test_size_limit(void **state)
{
    /* 100 MiB of a valid-looking document: refused before any parsing. */
    size_t len = 100u * 1024u * 1024u;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, ' ', len);
    memcpy(big, "<methodResponse>", 16);
    expect_bad_response(big, len, "limit");
    free(big);
}

static void test_bad_calls(void **state)
{
    expect_bad_call("<methodCall><params/></methodCall>", "without <methodName>");
    expect_bad_call("<methodCall><methodName> </methodName></methodCall>", "empty <methodName>");
    expect_bad_call("<methodResponse/>", "root element");
    expect_bad_call("<methodCall><methodName>a</methodName><params><param/></params></methodCall>",
                    "<param> without <value>");
    expect_bad_call("<methodCall><methodName>a</methodName", "XML error");
}

static void test_null_err_buffer(void **state)
{
    xr_value *res = NULL;
    assert_int_equal(xr_decode_response("junk", 4, &res, NULL, NULL, NULL, 0), -1);
    assert_null(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_unrepresentable_bytes),
        cmocka_unit_test(test_nested),
        cmocka_unit_test(test_struct_set_replaces),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_call_round_trip),
        cmocka_unit_test(test_call_without_params),
        cmocka_unit_test(test_spec_examples),
        cmocka_unit_test(test_encode_formats),
        cmocka_unit_test(test_decode_types),
        cmocka_unit_test(test_discovery_string),
        cmocka_unit_test(test_duplicate_member_last_wins),
        cmocka_unit_test(test_lenient_int),
        cmocka_unit_test(test_lenient_bool),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_fault_incomplete),
        cmocka_unit_test(test_entity_bomb),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_bad_calls),
        cmocka_unit_test(test_null_err_buffer),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
