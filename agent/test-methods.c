/* The agent's method table against the list it is derived from
 * (lib/agent_methods.h): every method has a handler, the arguments the
 * dispatcher checks are those of the list (count and type of each, seen in
 * the faults it answers), and the methods that can run on a fresh simulated
 * host return the result type the list says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "agent/agent.h"
#include "agent/dispatch.h"
#include "agent/sim.h"
#include "lib/agent_methods.h"
#include "lib/log.h"
#include "lib/util.h"

static struct sim *sim;
static char dir[64];

static int setup(void **state)
{
    (void)state;
    log_set_level(LOG_ERR_ - 1);
    snprintf(dir, sizeof dir, "/tmp/test-methods-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    struct agent_config cfg = {.listen = "127.0.0.1", .port = 8899, .state_dir = dir,
                               .memory_mb = 65536, .cpus = 8, .nfs_size_gb = 100};
    sim = sim_open(&cfg, "test-methods-password");
    if (!sim)
        return -1;
    sim->stopping = 1; /* sleep returns at once */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sim_close(sim);
    return sim_rm_rf(dir);
}

/* A value the agent accepts as an argument of type t (good) or refuses (bad). */
static xr_value *value_of(agent_type t, int good)
{
    switch (t) {
    case AT_STRING: return good ? xr_string("x") : xr_int(1);
    case AT_INTEGER: return good ? xr_int(1) : xr_string("x");
    case AT_BOOLEAN: return good ? xr_bool(1) : xr_array();
    case AT_DICT: return good ? xr_struct() : xr_string("x");
    case AT_LIST: return good ? xr_array() : xr_string("x");
    case AT_ANY: break;
    }
    return xr_string("x");
}

/* Calls name with params (consumed); the fault text (heap), or NULL and the
 * result in *res (may be NULL). */
static char *call(const char *name, xr_value *params, xr_value **res)
{
    size_t len = 0;
    char *out = dispatch_call(sim, name, params, 1, &len);
    xr_free(params);
    xr_value *r = NULL;
    int code = 0;
    char *fault = NULL, err[256];
    int rc = xr_decode_response(out, len, &r, &code, &fault, err, sizeof err);
    free(out);
    assert_true(rc == 0 || rc == 1);
    if (res)
        *res = r;
    else
        xr_free(r);
    return fault;
}

/* The first n arguments of m, all good but the one at bad (or none: -1). */
static xr_value *args_of(const agent_method *m, size_t n, long bad)
{
    xr_value *p = xr_array();
    for (size_t k = 0; k < n; k++)
        xr_array_add(p, value_of(k < m->nargs ? m->args[k].type : AT_STRING, (long)k != bad));
    return p;
}

static void every_method_has_a_handler(void **state)
{
    (void)state;
    assert_null(dispatch_unbound());
    for (size_t i = 0; i < AM_COUNT; i++) {
        assert_true(dispatch_known(agent_methods[i].name));
        assert_ptr_equal(agent_method_find(agent_methods[i].name), &agent_methods[i]);
    }
    assert_false(dispatch_known("no_such_method"));
}

static void argument_counts_follow_the_list(void **state)
{
    (void)state;
    for (size_t i = 0; i < AM_COUNT; i++) {
        const agent_method *m = &agent_methods[i];
        char want[160];
        snprintf(want, sizeof want, "exceptions.TypeError:%s() takes %s %zu argument%s (%zu given)", m->name,
                 m->required == m->nargs ? "exactly" : "at most", m->nargs, m->nargs == 1 ? "" : "s", m->nargs + 1);
        char *fault = call(m->name, args_of(m, m->nargs + 1, -1), NULL);
        assert_non_null(fault);
        assert_string_equal(fault, want);
        free(fault);
        if (!m->required)
            continue;
        snprintf(want, sizeof want, "exceptions.TypeError:%s() takes %s %zu argument%s (0 given)", m->name,
                 m->required == m->nargs ? "exactly" : "at least", m->required, m->required == 1 ? "" : "s");
        fault = call(m->name, xr_array(), NULL);
        assert_non_null(fault);
        assert_string_equal(fault, want);
        free(fault);
    }
}

static void argument_types_follow_the_list(void **state)
{
    (void)state;
    for (size_t i = 0; i < AM_COUNT; i++) {
        const agent_method *m = &agent_methods[i];
        for (size_t k = 0; k < m->nargs; k++) {
            if (m->args[k].type == AT_ANY)
                continue;
            size_t n = k + 1 > m->required ? k + 1 : m->required;
            char *fault = call(m->name, args_of(m, n, (long)k), NULL);
            char want[160];
            snprintf(want, sizeof want, "exceptions.TypeError:%s() argument %zu must be %s, not ", m->name, k + 1,
                     agent_type_word(m->args[k].type));
            assert_non_null(fault);
            if (strncmp(fault, want, strlen(want)) != 0)
                fail_msg("%s: got \"%s\", want \"%s...\"", m->name, fault, want);
            free(fault);
        }
    }
}

/* Methods that answer on a fresh host without arguments of consequence. */
static void results_follow_the_list(void **state)
{
    (void)state;
    static const char *const names[] = {
        "get_api_version", "echo", "sleep", "discover_server", "discover_hardware", "discover_network",
        "discover_storage_plugins", "discover_mounted_file_systems", "discover_repository_db",
        "discover_server_pool", "get_last_boot_time", "get_timezone", "get_ntp", "list_vms",
        "discover_pool_filesystem", "discover_cluster", "is_cluster_online", "set_statistics_interval",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const agent_method *m = agent_method_find(names[i]);
        assert_non_null(m);
        xr_value *res = NULL;
        char *fault = call(m->name, args_of(m, m->required, -1), &res);
        if (fault)
            fail_msg("%s: fault %s", m->name, fault);
        assert_non_null(res);
        if (!agent_result_ok(m->result, res->type))
            fail_msg("%s: result of XML-RPC type %d", m->name, (int)res->type);
        xr_free(res);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_method_has_a_handler),
        cmocka_unit_test(argument_counts_follow_the_list),
        cmocka_unit_test(argument_types_follow_the_list),
        cmocka_unit_test(results_follow_the_list),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, setup, teardown);
}
