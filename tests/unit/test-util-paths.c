/* Unit tests of ovm_abs_path (lib/util.c): relative command-line paths made
 * absolute once, before a daemon detaches (issue 7). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "lib/util.h"

static void expect_abs(const char *in, const char *want)
{
    char *got = ovm_abs_path(in);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_absolute_kept(void **state)
{
    (void)state;
    expect_abs("/var/lib/ovmd", "/var/lib/ovmd");
    expect_abs("/", "/");
    expect_abs("//a///b/", "/a/b");
    expect_abs("/a/./b/.", "/a/b");
    expect_abs("/a/../b", "/a/../b"); /* ".." is left to the kernel: symlinks */
}

static void test_relative_joined(void **state)
{
    (void)state;
    char *tmpl = strdup("/tmp/ovm-abs.XXXXXX");
    assert_non_null(mkdtemp(tmpl));
    char *old = getcwd(NULL, 0);
    assert_int_equal(chdir(tmpl), 0);
    char *cwd = getcwd(NULL, 0); /* /tmp may itself be a link */
    char *want = xasprintf("%s/build/demo", cwd);
    expect_abs("build/demo", want);
    expect_abs("./build//demo/", want);
    free(want);
    expect_abs(".", cwd);
    want = xasprintf("%s/pw", cwd);
    expect_abs("pw", want);
    free(want);
    assert_int_equal(chdir(old), 0);
    rmdir(tmpl);
    free(cwd);
    free(old);
    free(tmpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_absolute_kept),
        cmocka_unit_test(test_relative_joined),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
