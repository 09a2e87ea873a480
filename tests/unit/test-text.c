/* Unit tests of lib/text.c: the one table of refused code points, the
 * replacement of what agents send, and the escaping of log lines (issue 10
 * item 4, doc/command-language.md §3 item 8). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib/text.h"
#include "lib/xmlrpc.h"

#define FFFD "\xef\xbf\xbd"

static void test_classes(void **state)
{
    (void)state;
    assert_int_equal(ovm_text_class_of('\t'), OVM_TEXT_OK);
    assert_int_equal(ovm_text_class_of('a'), OVM_TEXT_OK);
    assert_int_equal(ovm_text_class_of(0), OVM_TEXT_NUL);
    assert_int_equal(ovm_text_class_of(0x1b), OVM_TEXT_CONTROL);
    assert_int_equal(ovm_text_class_of(0x7f), OVM_TEXT_CONTROL);
    assert_int_equal(ovm_text_class_of(0x80), OVM_TEXT_C1);
    assert_int_equal(ovm_text_class_of(0x9f), OVM_TEXT_C1);
    assert_int_equal(ovm_text_class_of(0xa0), OVM_TEXT_OK);
    assert_int_equal(ovm_text_class_of(0xfdd0), OVM_TEXT_NONCHAR);
    assert_int_equal(ovm_text_class_of(0xfdef), OVM_TEXT_NONCHAR);
    assert_int_equal(ovm_text_class_of(0xfdf0), OVM_TEXT_OK);
    assert_int_equal(ovm_text_class_of(0x1fffe), OVM_TEXT_NONCHAR);
    assert_int_equal(ovm_text_class_of(0x10ffff), OVM_TEXT_NONCHAR);
    assert_int_equal(ovm_text_class_of(0xfffd), OVM_TEXT_OK);
    assert_int_equal(ovm_text_class_of(0x202e), OVM_TEXT_BIDI);
    assert_int_equal(ovm_text_class_of(0x2069), OVM_TEXT_BIDI);
    assert_int_equal(ovm_text_class_of(0x2065), OVM_TEXT_OK);
    assert_int_equal(ovm_text_class_of(0x200b), OVM_TEXT_INVISIBLE);
    assert_int_equal(ovm_text_class_of(0xfeff), OVM_TEXT_INVISIBLE);
    assert_int_equal(ovm_text_class_of(0x2029), OVM_TEXT_LINESEP);
}

static void test_check(void **state)
{
    (void)state;
    ovm_text_bad bad;
    assert_int_equal(ovm_text_check("caf\xc3\xa9\t", 6, &bad), 0);
    assert_int_equal(ovm_text_check("ab\xe2\x80\xae", 5, &bad), -1);
    assert_int_equal(bad.cls, OVM_TEXT_BIDI);
    assert_int_equal(bad.off, 2);
    assert_int_equal(bad.cp, 0x202e);
    assert_int_equal(ovm_text_check("a\xe2\x80", 3, &bad), -1);
    assert_int_equal(bad.cls, OVM_TEXT_BAD_UTF8);
    assert_int_equal(bad.off, 1);
    assert_string_equal(ovm_text_class_name(OVM_TEXT_C1), "C1 control character");
    assert_true(ovm_text_class_shows_cp(OVM_TEXT_NONCHAR));
    assert_false(ovm_text_class_shows_cp(OVM_TEXT_CONTROL));
}

static void expect_peer(const char *in, const char *want)
{
    char *got = ovm_text_from_peer(in);
    assert_string_equal(got, want);
    free(got);
}

static void test_from_peer(void **state)
{
    (void)state;
    expect_peer("host\x1b]0;pwned\x07", "host" FFFD "]0;pwned" FFFD);
    expect_peer("a\xc2\x9b" "31mb", "a" FFFD "31mb");
    expect_peer("ovs\xe2\x80\xae" "10", "ovs" FFFD "10");
    expect_peer("x\xef\xbf\xbfy\xff", "x" FFFD "y" FFFD);
    expect_peer("line1\nline2\tend\r", "line1\nline2\tend\r");
    expect_peer("caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80");
    assert_null(ovm_text_from_peer(NULL));
    char *q = ovm_text_sanitize("a\tb\x01\n", 5, "?", 0);
    assert_string_equal(q, "a\tb??");
    free(q);
}

static void test_log_escape(void **state)
{
    (void)state;
    char *e = ovm_text_log_escaped("SSH-2.0-\x1b[31mevil\r\n");
    assert_string_equal(e, "SSH-2.0-\\x1b[31mevil\\x0d\\x0a");
    free(e);
    e = ovm_text_log_escaped("caf\xc3\xa9 \xe2\x80\xae \xc2\x9b \xff");
    assert_string_equal(e, "caf\xc3\xa9 \\xe2\\x80\\xae \\xc2\\x9b \\xff");
    free(e);
    char small[8];
    ovm_text_log_escape("ab\x1b\x1b", 4, small, sizeof small);
    assert_string_equal(small, "ab\\x1b"); /* cut before a partial escape */
}

static void test_xr_sanitize(void **state)
{
    (void)state;
    xr_value *st = xr_struct();
    xr_value *arr = xr_array();
    xr_array_add(arr, xr_string("vm\x1b[2J"));
    xr_struct_set(st, "names", arr);
    xr_struct_set(st, "k\xc2\x85", xr_string("ok"));
    xr_sanitize_strings(st);
    assert_string_equal(xr_get_str(xr_struct_get(st, "names")->items[0]), "vm" FFFD "[2J");
    assert_string_equal(st->keys[1], "k" FFFD);
    xr_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),     cmocka_unit_test(test_check),
        cmocka_unit_test(test_from_peer),   cmocka_unit_test(test_log_escape),
        cmocka_unit_test(test_xr_sanitize),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
