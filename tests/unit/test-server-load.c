/* Unit tests of the per-server count of planned jobs (backend/flows/server_load.c):
 * counts per id, removal at zero, ids that share a bucket, a NULL table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>
#include "backend/flows/server_load.h"

static void counts_per_server(void **state)
{
    (void)state;
    server_load *l = server_load_new();
    assert_int_equal(server_load_get(l, "s1"), 0);
    server_load_add(l, "s1", 1);
    server_load_add(l, "s1", 1);
    server_load_add(l, "s2", 1);
    assert_int_equal(server_load_get(l, "s1"), 2);
    assert_int_equal(server_load_get(l, "s2"), 1);
    server_load_add(l, "s1", -1);
    assert_int_equal(server_load_get(l, "s1"), 1);
    server_load_add(l, "s1", -1);
    assert_int_equal(server_load_get(l, "s1"), 0);
    server_load_add(l, "s1", -1); /* an extra drop never goes below zero */
    assert_int_equal(server_load_get(l, "s1"), 0);
    server_load_add(l, "s1", 1);
    assert_int_equal(server_load_get(l, "s1"), 1);
    server_load_free(l);
}

/* 1,000 ids over 256 buckets: chains are walked and unlinked correctly. */
static void many_servers(void **state)
{
    (void)state;
    server_load *l = server_load_new();
    char id[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof id, "srv-%d", i);
        for (int k = 0; k <= i % 3; k++)
            server_load_add(l, id, 1);
    }
    for (int i = 0; i < 1000; i += 2) {
        snprintf(id, sizeof id, "srv-%d", i);
        server_load_add(l, id, -1);
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof id, "srv-%d", i);
        assert_int_equal(server_load_get(l, id), i % 3 + 1 - (i % 2 == 0));
    }
    server_load_free(l);
}

static void null_table(void **state)
{
    (void)state;
    server_load_add(NULL, "s1", 1);
    assert_int_equal(server_load_get(NULL, "s1"), 0);
    server_load *l = server_load_new();
    server_load_add(l, "", 1);
    server_load_add(l, NULL, 1);
    assert_int_equal(server_load_get(l, ""), 0);
    assert_int_equal(server_load_get(l, NULL), 0);
    server_load_free(l);
    server_load_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_per_server),
        cmocka_unit_test(many_servers),
        cmocka_unit_test(null_table),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
