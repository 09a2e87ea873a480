/* Unit tests of the agent's pure parts: vm.cfg codec and fault-file lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "agent/authlimit.h"
#include "agent/faults.h"
#include "agent/rpmver.h"
#include "agent/vmcfg.h"

static const char oracle_cfg[] =
    "vif = ['mac=00:21:f6:5b:b5:f7,bridge=10238073c2']\n"
    "OVM_simple_name = 'web01'\n"
    "disk = ['file:/OVS/Repositories/r/VirtualDisks/d.img,xvda,w',\n"
    "        'file:/OVS/Repositories/r/ISOs/i.iso,xvdb:cdrom,r']\n"
    "vncunused = 1\n"
    "OVM_high_availability = False\n"
    "OVM_description = ''\n"
    "cpu_weight = 27500\n";

static void parses_oracle_layout(void **state)
{
    char err[128];
    xr_value *cfg = vmcfg_parse(oracle_cfg, err, sizeof err);
    assert_non_null(cfg);
    assert_string_equal(xr_get_str(xr_struct_get(cfg, "OVM_simple_name")), "web01");
    const xr_value *disk = xr_struct_get(cfg, "disk");
    assert_int_equal(disk->type, XR_ARRAY);
    assert_int_equal(disk->n, 2);
    assert_string_equal(xr_get_str(disk->items[1]), "file:/OVS/Repositories/r/ISOs/i.iso,xvdb:cdrom,r");
    assert_int_equal(xr_struct_get(cfg, "OVM_high_availability")->type, XR_BOOL);
    assert_int_equal(xr_struct_get(cfg, "cpu_weight")->i, 27500);
    assert_string_equal(xr_get_str(xr_struct_get(cfg, "OVM_description")), "");
    xr_free(cfg);
}

static void round_trips(void **state)
{
    xr_value *cfg = xr_struct();
    xr_struct_set(cfg, "name", xr_string("it's \\ odd\n"));
    xr_struct_set(cfg, "memory", xr_int(-5));
    xr_struct_set(cfg, "ratio", xr_double(0.25));
    xr_struct_set(cfg, "none", xr_nil());
    xr_value *l = xr_array();
    xr_array_add(l, xr_string("a,b"));
    xr_array_add(l, xr_int(7));
    xr_struct_set(cfg, "list", l);
    strbuf sb = STRBUF_INIT;
    char err[128];
    assert_int_equal(vmcfg_format(cfg, &sb, err, sizeof err), 0);
    xr_value *back = vmcfg_parse(sb.buf, err, sizeof err);
    assert_non_null(back);
    assert_string_equal(xr_get_str(xr_struct_get(back, "name")), "it's \\ odd\n");
    assert_int_equal(xr_struct_get(back, "memory")->i, -5);
    assert_true(xr_struct_get(back, "ratio")->d == 0.25);
    assert_int_equal(xr_struct_get(back, "none")->type, XR_NIL);
    assert_int_equal(xr_struct_get(back, "list")->n, 2);
    assert_int_equal(xr_struct_get(back, "list")->items[1]->i, 7);
    sb_free(&sb);
    xr_free(back);
    xr_free(cfg);
}

static void refuses_bad_input(void **state)
{
    static const char *const bad[] = {"x = 'open\n", "= 3\n", "x 3\n", "x = [1, 2\n", "x = 3 4\n", "x = @\n"};
    char err[128];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        xr_value *v = vmcfg_parse(bad[i], err, sizeof err);
        assert_null(v);
        assert_true(strlen(err) > 0);
    }
    xr_value *nested = xr_struct();
    xr_struct_set(nested, "s", xr_struct());
    strbuf sb = STRBUF_INIT;
    assert_int_equal(vmcfg_format(nested, &sb, err, sizeof err), -1);
    sb_free(&sb);
    xr_free(nested);
}

static void fault_lines(void **state)
{
    struct fault_rule r = {0};
    assert_int_equal(faults_parse_line("start_vm fault exceptions.X:bad thing  \n", "start_vm", &r), 1);
    assert_int_equal(r.action, FA_FAULT);
    assert_string_equal(r.text, "exceptions.X:bad thing");
    fault_rule_clear(&r);
    assert_int_equal(faults_parse_line("start_vm fault x", "stop_vm", &r), 0);
    assert_int_equal(faults_parse_line("# start_vm hang", "start_vm", &r), 0);
    assert_int_equal(faults_parse_line("list_* delay 0.5", "list_vms", &r), 1);
    assert_int_equal(r.action, FA_DELAY);
    assert_true(r.delay_s == 0.5);
    assert_int_equal(faults_parse_line("configure_vm hold 120", "configure_vm", &r), 1);
    assert_int_equal(r.action, FA_HOLD);
    assert_true(r.delay_s == 120);
    assert_int_equal(faults_parse_line("echo hold -1", "echo", &r), 0);
    assert_int_equal(faults_parse_line("echo delay soon", "echo", &r), 0);
    assert_int_equal(faults_parse_line("* drop", "echo", &r), 1);
    assert_int_equal(r.action, FA_DROP);
    assert_int_equal(faults_parse_line("echo explode", "echo", &r), 0);
    fault_rule_clear(&r);
}

/* agent/authlimit.c: free failures, doubling refusals, per address, reset. */
static void login_throttle(void **state)
{
    (void)state;
    authlimit *a = authlimit_new();
    unsigned n = 0;
    for (int i = 1; i <= AUTHLIMIT_FREE; i++) {
        assert_int_equal(authlimit_failed(a, "10.0.0.1", 1000, &n), 0);
        assert_int_equal(n, (unsigned)i);
    }
    assert_int_equal(authlimit_wait(a, "10.0.0.1", 1000), 0);
    assert_int_equal(authlimit_failed(a, "10.0.0.1", 1000, &n), AUTHLIMIT_FIRST_S);
    assert_int_equal(authlimit_wait(a, "10.0.0.1", 1000), AUTHLIMIT_FIRST_S);
    assert_int_equal(authlimit_wait(a, "10.0.0.2", 1000), 0); /* other addresses untouched */
    assert_int_equal(authlimit_wait(a, "10.0.0.1", 1000 + AUTHLIMIT_FIRST_S * 1000), 0);
    assert_int_equal(authlimit_failed(a, "10.0.0.1", 7000, &n), 2 * AUTHLIMIT_FIRST_S);
    for (int i = 0; i < 20; i++)
        authlimit_failed(a, "10.0.0.1", 8000, &n);
    assert_int_equal(authlimit_wait(a, "10.0.0.1", 8000), AUTHLIMIT_MAX_S);
    authlimit_succeeded(a, "10.0.0.1");
    assert_int_equal(authlimit_wait(a, "10.0.0.1", 8000), 0);
    assert_int_equal(authlimit_failed(a, "10.0.0.1", 8000, &n), 0);
    assert_int_equal(n, 1);
    /* a flood of addresses evicts the stalest, never grows */
    char addr[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(addr, sizeof addr, "10.1.%d.%d", i / 256, i % 256);
        authlimit_failed(a, addr, 9000 + i, &n);
    }
    assert_int_equal(n, 1);
    authlimit_free(a);
}

/* rpmvercmp's rules, with cases from rpm's own test suite. */
static void rpm_versions(void **state)
{
    (void)state;
    static const struct { const char *a, *b; int want; } v[] = {
        {"1.0", "1.0", 0}, {"1.0", "2.0", -1}, {"2.0", "1.0", 1}, {"2.0.1", "2.0.1", 0},
        {"2.0", "2.0.1", -1}, {"2.0.1a", "2.0.1", 1}, {"5.5p1", "5.5p2", -1}, {"5.5p10", "5.5p1", 1},
        {"10xyz", "10.1xyz", -1}, {"xyz10", "xyz10.1", -1}, {"1.0aa", "1.0a", 1}, {"10.0001", "10.1", 0},
        {"10.0001", "10.0039", -1}, {"4.999.9", "5.0", -1}, {"20101121", "20101122", -1}, {"2_0", "2_0", 0},
        {"2.0", "2_0", 0}, {"a", "a", 0}, {"a+", "a_", 0}, {"+", "_", 0}, {"1.0~rc1", "1.0", -1},
        {"1.0~rc1", "1.0~rc2", -1}, {"1.0~rc1~git123", "1.0~rc1", -1}, {"1.0^", "1.0", 1},
        {"1.0^git1", "1.0.1", -1}, {"1.0^git1", "1.0^git2", -1}, {"1a", "1.0", -1}, {"1.0", "1a", 1},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_int_equal(rpm_vercmp(v[i].a, v[i].b), v[i].want);
        assert_int_equal(rpm_vercmp(v[i].b, v[i].a), -v[i].want);
    }
    assert_int_equal(rpm_evrcmp("1:1.0-1", "2.0-1"), 1);
    assert_int_equal(rpm_evrcmp("0:3.4.6-2105", "3.4.7-1"), -1);
    assert_int_equal(rpm_evrcmp("3.4.6-2105", "3.4.6-2106"), -1);
    assert_int_equal(rpm_evrcmp("3.4.6-2105.el6", "3.4.6-2105.el6"), 0);
    assert_int_equal(rpm_evrcmp("3.4.6", "3.4.6-9"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_oracle_layout),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(refuses_bad_input),
        cmocka_unit_test(fault_lines),
        cmocka_unit_test(login_throttle),
        cmocka_unit_test(rpm_versions),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
