/* Tests of the completion engine against the real grammar tables and a fake
 * source of live object names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "completions/complete.h"
#include "grammar/grammar.h"
#include "lib/util.h"

/* Fake live objects: names per type, ids under "id:<Type>". */
typedef struct fake {
    int calls;
    char last[64];
} fake;

static size_t fake_names(void *ctx, const char *type, char ***out)
{
    static const char *const vms[] = {"web01", "web02", "My VM", "db \"x\"", NULL};
    static const char *const vm_ids[] = {"0004fb00000600001111111111111111", "0004fb00000600002222222222222222", NULL};
    static const char *const repos[] = {"repo1", "repo2", NULL};
    static const char *const none[] = {NULL};
    fake *f = ctx;
    f->calls++;
    snprintf(f->last, sizeof f->last, "%s", type);
    const char *const *src = !strcmp(type, "Vm") ? vms : !strcmp(type, "id:Vm") ? vm_ids
                           : !strcmp(type, "Repository") ? repos : none;
    size_t n = 0;
    while (src[n])
        n++;
    *out = xcalloc(n + 1, sizeof **out);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = xstrdup(src[i]);
    return n;
}

static int has(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return 1;
    return 0;
}

/* Candidates for text; the caller frees with complete_free. */
static size_t cands(const char *text, fake *f, char ***v)
{
    return complete_candidates(text, fake_names, f, v);
}

static void verbs(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("li", &f, &v);
    assert_true(has(v, n, "list"));
    assert_false(has(v, n, "show"));
    complete_free(v, n);
    n = cands("SH", &f, &v);
    assert_true(has(v, n, "show"));
    assert_true(has(v, n, "showversion"));
    assert_false(has(v, n, "list"));
    complete_free(v, n);
    assert_int_equal(f.calls, 0);
}

static void candidates_sorted_unique(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("", &f, &v);
    assert_true(n > 10);
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(v[i - 1], v[i]) < 0);
    complete_free(v, n);
}

static void types_for_verb(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("show V", &f, &v);
    assert_true(has(v, n, "Vm"));
    assert_true(has(v, n, "Vnic"));
    assert_true(has(v, n, "VirtualDisk"));
    assert_false(has(v, n, "Server"));
    complete_free(v, n);
    n = cands("start V", &f, &v);
    assert_true(has(v, n, "Vm"));
    assert_false(has(v, n, "Vnic"));
    complete_free(v, n);
}

static void instance_keys(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("show Vm ", &f, &v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "id=");
    assert_string_equal(v[1], "name=");
    complete_free(v, n);
}

static void object_names(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("show Vm name=w", &f, &v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "name=web01");
    assert_string_equal(v[1], "name=web02");
    assert_string_equal(f.last, "Vm");
    complete_free(v, n);
}

static void object_ids(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("show vm id=0004fb00000600002", &f, &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "id=0004fb00000600002222222222222222");
    assert_string_equal(f.last, "id:Vm");
    complete_free(v, n);
}

static void quoted_name_with_space(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("start Vm name=My", &f, &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "name=\"My VM\"");
    complete_free(v, n);
    n = cands("start Vm name=\"My V", &f, &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "name=\"My VM\"");
    complete_free(v, n);
    n = cands("start Vm name=db", &f, &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "name=\"db /\"x/\"\"");
    complete_free(v, n);
}

static void attributes(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("create Vm name=x dom", &f, &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "domainType=");
    complete_free(v, n);
    n = cands("create Vm name=x memory=512 mem", &f, &v);
    assert_true(has(v, n, "memoryLimit="));
    assert_false(has(v, n, "memory="));
    complete_free(v, n);
}

static void enum_values(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("create Vm domainType=XEN_HVM", &f, &v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "domainType=XEN_HVM");
    assert_string_equal(v[1], "domainType=XEN_HVM_PV_DRIVERS");
    complete_free(v, n);
    n = cands("create vm domaintype=xen_p", &f, &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "domainType=XEN_PVM");
    complete_free(v, n);
}

static void bool_values(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("create VirtualDisk sparse=", &f, &v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "sparse=No");
    assert_string_equal(v[1], "sparse=Yes");
    complete_free(v, n);
}

static void ref_values(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("create Vm name=a repository=", &f, &v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "repository=repo1");
    assert_string_equal(v[1], "repository=repo2");
    assert_string_equal(f.last, "Repository");
    complete_free(v, n);
}

static void parents_on(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("create VirtualDisk name=d size=1 o", &f, &v);
    assert_true(has(v, n, "on"));
    complete_free(v, n);
    n = cands("create VirtualDisk name=d on ", &f, &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "Repository");
    complete_free(v, n);
    n = cands("create VirtualDisk name=d on Repository ", &f, &v);
    assert_true(has(v, n, "name="));
    complete_free(v, n);
    n = cands("create VirtualDisk name=d on repository name=repo", &f, &v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "name=repo1");
    complete_free(v, n);
}

static void parents_to(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("add Tag name=t ", &f, &v);
    assert_true(has(v, n, "to"));
    assert_false(has(v, n, "on"));
    complete_free(v, n);
    n = cands("add Tag name=t to V", &f, &v);
    assert_true(has(v, n, "Vm"));
    assert_true(has(v, n, "VirtualDisk"));
    complete_free(v, n);
    n = cands("remove Tag name=t fr", &f, &v);
    assert_true(has(v, n, "from"));
    complete_free(v, n);
}

static void last_segment_only(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("list Vm; show Vm name=\"a;b\"; li", &f, &v);
    assert_true(has(v, n, "list"));
    complete_free(v, n);
}

static void unknown_verb_gives_nothing(void **s)
{
    fake f = {0};
    char **v;
    size_t n = cands("frobnicate V", &f, &v);
    assert_int_equal(n, 0);
    complete_free(v, n);
}

static void help_adds_live_names(void **s)
{
    fake f = {0};
    char **v;
    size_t n = complete_help("show Vm name=", fake_names, &f, &v);
    /* '?' sits at column 5 + 13 on "OVM> show Vm name=?" */
    assert_true(n >= 4);
    assert_true(has(v, n, "                  web01"));
    assert_true(has(v, n, "                  \"My VM\""));
    complete_free(v, n);
}

static void help_without_names_for_plain_attrs(void **s)
{
    fake f = {0};
    char **v;
    size_t n = complete_help("start Vm ", fake_names, &f, &v);
    assert_int_equal(f.calls, 0);
    complete_free(v, n);
    n = complete_help("list Vm; create Vm repository=r", fake_names, &f, &v);
    assert_true(has(v, n, "                                    repo1"));
    assert_false(has(v, n, "                                    web01"));
    complete_free(v, n);
}

/* ---- '?' and TAB agree with execution on quoting (issue 9 item 7) ---- */

/* 1 if the command parses (values checked, names not resolved). */
static int parses(const char *cmd)
{
    gr_command c;
    char *err = NULL;
    int ok = gr_parse(cmd, &c, &err) == 0;
    gr_command_free(&c);
    free(err);
    return ok;
}

/* A quote inside a word is an ordinary character (§3): the word is finished
 * at the blank, so the next word is an attribute. */
static void quote_inside_word(void **s)
{
    fake f = {0};
    char **v;
    assert_true(parses("create Tag name=a\"b description=x"));
    size_t n = cands("create Tag name=a\"b d", &f, &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "description=");
    complete_free(v, n);
    n = complete_help("create Tag name=a\"b ", fake_names, &f, &v);
    assert_true(has(v, n, "                         description")); /* at 5 + 20 */
    complete_free(v, n);
}

/* Blanks and ';' inside a quoted value stay in it. */
static void blank_and_semicolon_in_quotes(void **s)
{
    fake f = {0};
    char **v;
    assert_true(parses("create Tag name=\"a b;c\" description=x"));
    size_t n = cands("create Tag name=\"a b;c\" d", &f, &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "description=");
    complete_free(v, n);
    n = cands("create Tag name=\"a b;c", &f, &v); /* still inside the value */
    assert_int_equal(n, 0);
    complete_free(v, n);
}

/* Text after a closing quote is a syntax error when run, so '?' and TAB
 * offer nothing after it. */
static void text_after_closing_quote(void **s)
{
    fake f = {0};
    char **v;
    assert_false(parses("create Tag name=\"a\"b description=x"));
    size_t n = cands("create Tag name=\"a\"b d", &f, &v);
    assert_int_equal(n, 0);
    complete_free(v, n);
    n = complete_help("create Tag name=\"a\"b ", fake_names, &f, &v);
    assert_int_equal(n, 0);
    complete_free(v, n);
}

/* Attributes may follow the parent clause when run; TAB offers them too. */
static void attributes_after_parent(void **s)
{
    fake f = {0};
    char **v;
    assert_true(parses("create Vm name=\"x y\" on ServerPool name=p repository=r domainType=XEN_PVM"));
    size_t n = cands("create Vm name=\"x y\" on ServerPool name=p rep", &f, &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "repository=");
    complete_free(v, n);
    n = cands("create Vm name=x on ServerPool name=p on", &f, &v); /* one parent clause */
    assert_int_equal(n, 0);
    complete_free(v, n);
}

/* The /" escape keeps a quoted value open across its quote. */
static void escaped_quote(void **s)
{
    fake f = {0};
    char **v;
    assert_true(parses("create Tag name=\"a/\" b\" description=x"));
    size_t n = cands("create Tag name=\"a/\" b\" d", &f, &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "description=");
    complete_free(v, n);
    n = cands("create Tag name=\"a/\" d", &f, &v);
    assert_int_equal(n, 0);
    complete_free(v, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verbs),          cmocka_unit_test(candidates_sorted_unique),
        cmocka_unit_test(types_for_verb), cmocka_unit_test(instance_keys),
        cmocka_unit_test(object_names),   cmocka_unit_test(object_ids),
        cmocka_unit_test(quoted_name_with_space), cmocka_unit_test(attributes),
        cmocka_unit_test(enum_values),    cmocka_unit_test(bool_values),
        cmocka_unit_test(ref_values),     cmocka_unit_test(parents_on),
        cmocka_unit_test(parents_to),     cmocka_unit_test(last_segment_only),
        cmocka_unit_test(unknown_verb_gives_nothing), cmocka_unit_test(help_adds_live_names),
        cmocka_unit_test(help_without_names_for_plain_attrs),
        cmocka_unit_test(quote_inside_word), cmocka_unit_test(blank_and_semicolon_in_quotes),
        cmocka_unit_test(text_after_closing_quote), cmocka_unit_test(attributes_after_parent),
        cmocka_unit_test(escaped_quote),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
