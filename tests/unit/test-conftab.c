/* Unit tests of lib/conftab.c: configuration keys as data — defaults,
 * typed parsing with ranges, ".*" keys, printing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib/conftab.h"
#include "lib/util.h"

typedef struct demo_cfg {
    char *path;
    int n;
    long big;
    int on;
    char *last_user;
} demo_cfg;

static int parse_user(void *obj, const char *key, const char *value, char **err)
{
    demo_cfg *c = obj;
    if (!strcmp(value, "bad") || !key[strlen("users.")])
        return *err = xasprintf("%s: bad user", key), -1;
    free(c->last_user);
    c->last_user = xstrdup(key + strlen("users."));
    return 0;
}

static void print_user(const void *obj, const conf_key *k, FILE *fp)
{
    (void)k;
    const demo_cfg *c = obj;
    fprintf(fp, "users.%s\n", c->last_user ? c->last_user : "-");
}

#define O(f) offsetof(demo_cfg, f)
static const conf_key table[] = {
    {"path", CT_STR, O(path), 0, 0, "/srv", NULL, NULL, NULL},
    {"x.n", CT_INT, O(n), -1, 10, "3", NULL, NULL, NULL},
    {"x.big", CT_LONG, O(big), 0, 100000, NULL, "derived", NULL, NULL},
    {"x.on", CT_BOOL, O(on), 0, 0, "yes", NULL, NULL, NULL},
    {"users.*", CT_CUSTOM, 0, 0, 0, NULL, NULL, parse_user, print_user},
};
#define N (sizeof table / sizeof table[0])

static void test_defaults(void **state)
{
    (void)state;
    demo_cfg c = {0};
    conftab_defaults(table, N, &c);
    assert_string_equal(c.path, "/srv");
    assert_int_equal(c.n, 3);
    assert_int_equal(c.big, 0);
    assert_int_equal(c.on, 1);
    free(c.path);
}

static int apply(demo_cfg *c, const char *k, const char *v, char **err)
{
    *err = NULL;
    return conftab_apply(table, N, c, k, v, err);
}

static void test_apply_ranges(void **state)
{
    (void)state;
    demo_cfg c = {0};
    char *err;
    assert_int_equal(apply(&c, "x.n", "-1", &err), 1);
    assert_int_equal(c.n, -1);
    assert_int_equal(apply(&c, "x.n", "11", &err), -1);
    assert_string_equal(err, "x.n: expected an integer from -1 to 10, got '11'");
    free(err);
    assert_int_equal(c.n, -1); /* a bad value leaves the setting as it was */
    for (const char *const *bad = (const char *const[]){"", " 5", "5x", "0x5", "1e3", "99999999999999999999", NULL}; *bad; bad++) {
        assert_int_equal(apply(&c, "x.big", *bad, &err), -1);
        free(err);
    }
    assert_int_equal(apply(&c, "x.big", "100000", &err), 1);
    assert_int_equal(c.big, 100000);
    assert_int_equal(apply(&c, "x.on", "OFF", &err), 1);
    assert_int_equal(c.on, 0);
    assert_int_equal(apply(&c, "x.on", "maybe", &err), -1);
    assert_string_equal(err, "x.on: expected true or false, got 'maybe'");
    free(err);
    assert_int_equal(apply(&c, "path", "", &err), -1);
    free(err);
    assert_int_equal(apply(&c, "x.missing", "1", &err), 0);
    assert_null(err);
}

static void test_pattern_keys(void **state)
{
    (void)state;
    demo_cfg c = {0};
    char *err;
    assert_int_equal(apply(&c, "users.ops", "h", &err), 1);
    assert_string_equal(c.last_user, "ops");
    assert_int_equal(apply(&c, "users.ops", "bad", &err), -1);
    assert_string_equal(err, "users.ops: bad user");
    free(err);
    assert_int_equal(apply(&c, "users.", "h", &err), -1);    /* no name: the parser refuses */
    free(err);
    assert_int_equal(apply(&c, "users.a.b", "h", &err), 0);  /* one level only */
    assert_int_equal(apply(&c, "usersX", "h", &err), 0);
    free(c.last_user);
}

static void test_print(void **state)
{
    (void)state;
    demo_cfg c = {0};
    conftab_defaults(table, N, &c);
    char buf[512] = "";
    FILE *fp = fmemopen(buf, sizeof buf, "w");
    assert_non_null(fp);
    conftab_print(table, N, &c, fp);
    fclose(fp);
    assert_string_equal(buf, "path /srv\nx.n 3\nx.big 0\nx.on true\nusers.-\n");
    free(c.path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_apply_ranges),
        cmocka_unit_test(test_pattern_keys),
        cmocka_unit_test(test_print),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
