/* Lexer tests: doc/command-language.md §3 (quotes, escapes, empty values, equals in
 * values, offsets, ';' splitting, errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "grammar/grammar.h"

static void lex_ok(const char *cmd, gr_tokens *t)
{
    char *err = NULL;
    assert_int_equal(gr_lex(cmd, t, &err), 0);
    assert_null(err);
}

static void lex_err(const char *cmd, const char *msg)
{
    gr_tokens t;
    char *err = NULL;
    assert_int_equal(gr_lex(cmd, &t, &err), -1);
    assert_string_equal(err, msg);
    assert_int_equal(t.n, 0);
    free(err);
}

static void test_plain_tokens(void **state)
{
    gr_tokens t;
    lex_ok("  list\tVm   name=web*  ", &t);
    assert_int_equal(t.n, 3);
    assert_string_equal(t.v[0].text, "list");
    assert_null(t.v[0].key);
    assert_int_equal(t.v[0].off, 2);
    assert_string_equal(t.v[1].text, "Vm");
    assert_int_equal(t.v[1].off, 7);
    assert_string_equal(t.v[2].key, "name");
    assert_string_equal(t.v[2].value, "web*");
    assert_int_equal(t.v[2].off, 12);
    assert_int_equal(t.v[2].voff, 17);
    assert_int_equal(t.v[2].quoted, 0);
    gr_tokens_free(&t);
}

static void test_quotes(void **state)
{
    gr_tokens t;
    lex_ok("create Vm name=\"My VM\" description='a \"b\"; c=d'", &t);
    assert_int_equal(t.n, 4);
    assert_string_equal(t.v[2].value, "My VM");
    assert_int_equal(t.v[2].quoted, 1);
    assert_int_equal(t.v[2].voff, 16);
    assert_string_equal(t.v[2].text, "name=My VM");
    assert_string_equal(t.v[3].value, "a \"b\"; c=d");
    gr_tokens_free(&t);
}

static void test_escapes(void **state)
{
    gr_tokens t;
    lex_ok("create Tag name=MyTag description=\"HR/'s VMs\" x='/\"q/'' p=\"nfs:/mnt/vol1\" "
           "u=a/\"b",
           &t);
    assert_string_equal(t.v[3].value, "HR's VMs");
    assert_string_equal(t.v[4].value, "\"q'");
    assert_string_equal(t.v[5].value, "nfs:/mnt/vol1");
    assert_string_equal(t.v[6].value, "a/\"b"); /* outside quotes '/' is literal */
    gr_tokens_free(&t);
}

static void test_empty_values(void **state)
{
    gr_tokens t;
    lex_ok("edit Vm name=x description= a=\"\" b=''", &t);
    assert_int_equal(t.n, 6);
    assert_string_equal(t.v[3].value, "");
    assert_string_equal(t.v[4].value, "");
    assert_int_equal(t.v[4].quoted, 1);
    assert_string_equal(t.v[5].value, "");
    gr_tokens_free(&t);
}

static void test_equals_in_value(void **state)
{
    gr_tokens t;
    lex_ok("sendVmMessage Vm name=x key=k message=a=b=c", &t);
    assert_string_equal(t.v[4].key, "message");
    assert_string_equal(t.v[4].value, "a=b=c");
    gr_tokens_free(&t);
    lex_ok("x k=a\"b", &t); /* a quote not right after '=' is literal */
    assert_string_equal(t.v[1].value, "a\"b");
    gr_tokens_free(&t);
}

static void test_question_token(void **state)
{
    gr_tokens t;
    lex_ok("create Vm ? name=\"?\"", &t);
    assert_int_equal(t.n, 4);
    assert_string_equal(t.v[2].text, "?");
    assert_null(t.v[2].key);
    assert_string_equal(t.v[3].value, "?");
    gr_tokens_free(&t);
}

static void test_errors(void **state)
{
    lex_err("show Vm name=\"abc", "Syntax error: unterminated quote at column 14");
    lex_err("show Vm name='abc\"", "Syntax error: unterminated quote at column 14");
    lex_err("show Vm name=\"a\"b", "Syntax error: text after closing quote at column 17");
    lex_err("list Vm; list Server", "Syntax error: unexpected ';' at column 8");
    lex_err("list \x01Vm", "Syntax error: control character at column 6");
    lex_err("list Vm name=\xc3", "Syntax error: invalid UTF-8 at column 14");
    lex_err("list \xed\xa0\x80", "Syntax error: invalid UTF-8 at column 6");
    lex_err("list \xc0\xaf", "Syntax error: invalid UTF-8 at column 6");
    char *big = malloc(GR_MAX_LINE + 2);
    memset(big, 'a', GR_MAX_LINE + 1);
    big[GR_MAX_LINE + 1] = '\0';
    lex_err(big, "Syntax error: line is longer than 16384 bytes");
    big[GR_MAX_LINE] = '\0';
    gr_tokens t;
    lex_ok(big, &t);
    assert_int_equal(t.n, 1);
    gr_tokens_free(&t);
    free(big);
}

static void test_check_line(void **state)
{
    char *err = NULL;
    assert_int_equal(gr_check_line("list\0Vm", 7, &err), -1);
    assert_string_equal(err, "Syntax error: NUL byte at column 5");
    free(err);
    assert_int_equal(gr_check_line("show Vm name=caf\xc3\xa9\t", 19, &err), 0);
    assert_int_equal(gr_check_line("a\x7f", 2, &err), -1);
    assert_string_equal(err, "Syntax error: control character at column 2");
    free(err);
}

/* doc/command-language.md §3 item 8: code points that can attack a terminal or
 * a parser are refused anywhere in a line, named with their offset. */
static void test_refused_code_points(void **state)
{
    lex_err("create Tag name=a\xc2\x9b""31m", "Syntax error: C1 control character U+009B at column 18");
    lex_err("create Tag name=x\xc2\x85", "Syntax error: C1 control character U+0085 at column 18");
    lex_err("create Tag name=\xef\xbf\xbe", "Syntax error: noncharacter U+FFFE at column 17");
    lex_err("create Tag name=\xef\xbf\xbf", "Syntax error: noncharacter U+FFFF at column 17");
    lex_err("create Tag name=\xf4\x8f\xbf\xbf", "Syntax error: noncharacter U+10FFFF at column 17");
    lex_err("create Tag name=\xef\xb7\x90", "Syntax error: noncharacter U+FDD0 at column 17");
    lex_err("create Tag name=\"abc\xe2\x80\xaegpj.exe\"",
            "Syntax error: bidirectional control U+202E at column 21");
    lex_err("create Tag description=\xe2\x81\xa6x", "Syntax error: bidirectional control U+2066 at column 24");
    lex_err("create Tag name=a\xe2\x80\x8f""b", "Syntax error: bidirectional control U+200F at column 18");
    lex_err("create Tag name=a\xd8\x9c", "Syntax error: bidirectional control U+061C at column 18");
    lex_err("create Tag name=ad\xe2\x80\x8bmin", "Syntax error: invisible character U+200B at column 19");
    lex_err("create Tag name=\xef\xbb\xbfx", "Syntax error: invisible character U+FEFF at column 17");
    lex_err("create Tag name=a\xe2\x81\xa0", "Syntax error: invisible character U+2060 at column 18");
    lex_err("create Tag name=a\xe2\x80\xa8", "Syntax error: line separator U+2028 at column 18");
    /* the first offender wins, whatever its class */
    lex_err("create Tag name=\x1b[31m\xc2\x9b", "Syntax error: control character at column 17");
    /* neighbours of the refused ranges stay valid */
    gr_tokens t;
    lex_ok("create Tag name=\xc2\xa0\xe2\x80\x90\xef\xbf\xbd\xef\xbf\xbc\xd8\x9b", &t);
    gr_tokens_free(&t);
}

static void test_utf8_values(void **state)
{
    gr_tokens t;
    lex_ok("create Tag name=\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", &t);
    assert_string_equal(t.v[2].value, "caf\xc3\xa9 \xf0\x9f\x98\x80");
    gr_tokens_free(&t);
}

static void test_split(void **state)
{
    char **v;
    size_t n = gr_split_commands(" show Vm name=a;show Vm name=\"b;c\" ; ;list Vm;", &v);
    assert_int_equal(n, 3);
    assert_string_equal(v[0], "show Vm name=a");
    assert_string_equal(v[1], "show Vm name=\"b;c\"");
    assert_string_equal(v[2], "list Vm");
    gr_free_strv(v, n);
    n = gr_split_commands("a x='1;2';b y=\"3;4", &v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "a x='1;2'");
    assert_string_equal(v[1], "b y=\"3;4");
    gr_free_strv(v, n);
    n = gr_split_commands("  ;  ; ", &v);
    assert_int_equal(n, 0);
    gr_free_strv(v, n);
    n = gr_split_commands("x m=a\"b;c", &v); /* quote not after '=' opens nothing */
    assert_int_equal(n, 2);
    assert_string_equal(v[1], "c");
    gr_free_strv(v, n);
}

/* The cursor scan for '?' and TAB follows the lexer's quoting (§3). */
static void cursor_is(const char *text, size_t seg, size_t tok, int open)
{
    gr_cursor c;
    gr_scan_cursor(text, &c);
    if (c.seg != seg || c.tok != tok || c.open_quote != open)
        print_error("%s: seg %zu tok %zu open %d\n", text, c.seg, c.tok, c.open_quote);
    assert_int_equal(c.seg, seg);
    assert_int_equal(c.tok, tok);
    assert_int_equal(c.open_quote, open);
}

static void test_cursor(void **state)
{
    cursor_is("", 0, 0, 0);
    cursor_is("show Vm ", 0, 8, 0);
    cursor_is("show Vm name=w", 0, 8, 0);
    cursor_is("show Vm name=\"My V", 0, 8, 1);
    cursor_is("show Vm name=a\"b c", 0, 17, 0);   /* a quote inside a word is text */
    cursor_is("show Vm name='a;b' ; li", 20, 21, 0);
    cursor_is("x name=\"a;b", 0, 2, 1);
    cursor_is("x name=\"a/\" b", 0, 2, 1);       /* /" does not close */
    cursor_is("list Vm;", 8, 8, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_tokens),  cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_escapes),       cmocka_unit_test(test_empty_values),
        cmocka_unit_test(test_equals_in_value), cmocka_unit_test(test_question_token),
        cmocka_unit_test(test_errors),        cmocka_unit_test(test_check_line),
        cmocka_unit_test(test_refused_code_points),
        cmocka_unit_test(test_utf8_values),   cmocka_unit_test(test_split),
        cmocka_unit_test(test_cursor),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
