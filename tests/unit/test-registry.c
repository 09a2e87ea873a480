/* The command registry (backend/ops/registry.c): every grammar form has exactly
 * one engine operation, or is refused by the grammar and has none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "backend/ops/ops.h"

static void test_every_form_bound_once(void **state)
{
    (void)state;
    char *report = NULL;
    int bad = registry_check(&report);
    for (char *line = report, *nl; bad && *line; line = nl + 1) {
        nl = strchr(line, '\n');
        print_message("# %.*s\n", (int)(nl - line), line);
    }
    assert_int_equal(bad, 0);
    assert_string_equal(report, "");
    free(report);
}

/* A form's refusal, as the parser gives it (NULL when accepted). */
static char *refusal_of(gr_form_id id)
{
    const gr_cmd *c = gr_cmd_by_id(id);
    assert_non_null(c);
    assert_int_equal(c->id, id);
    return gr_refusal(c, gr_type_find(c->type));
}

static void expect_refused(gr_form_id id, const char *text)
{
    char *why = refusal_of(id);
    assert_non_null(why);
    assert_string_equal(why, text);
    assert_null(registry_op(id));
    free(why);
}

static void expect_bound(gr_form_id id)
{
    char *why = refusal_of(id);
    assert_null(why);
    assert_non_null(registry_op(id));
}

/* The forms that drifted before the registry (issue 9 item 1). */
static void test_former_drift(void **state)
{
    (void)state;
    expect_bound(GR_F_delete_FileSystem);
    expect_bound(GR_F_start_Server); /* issue 12: power through a ServerController */
    expect_bound(GR_F_stop_Server); /* issue 12: power through a ServerController */
    expect_bound(GR_F_kill_Server); /* issue 12: power through a ServerController */
    expect_bound(GR_F_restart_Server); /* issue 12: power through a ServerController */
    expect_bound(GR_F_refresh_PhysicalDisk);
    expect_bound(GR_F_takeOwnership_Repository); /* issue 11: OCFS2 repositories on LUNs */
    expect_bound(GR_F_create_FileSystem);
    expect_bound(GR_F_moveVmToRepository_Vm);
    expect_bound(GR_F_exportVirtualAppliance_Repository); /* implemented since (issue 11) */
}

/* Recognised-only types: list works, everything else is refused by type. */
static void test_recognised_types(void **state)
{
    (void)state;
    expect_bound(GR_F_list_Cpu);
    expect_refused(GR_F_show_Cpu, "Object type Cpu is not supported by this Manager");
    expect_bound(GR_F_show_PeriodicTask); /* issue 12: the Manager's recurring jobs */
    expect_bound(GR_F_edit_PeriodicTask);
    expect_bound(GR_F_show_BondPort); /* issue 12: bonds and VLAN interfaces */
    expect_bound(GR_F_embeddedCreate_VlanInterface);
    expect_bound(GR_F_list_StorageArray);
    expect_bound(GR_F_show_StorageArray);
    expect_bound(GR_F_refresh_StorageArray);
    expect_bound(GR_F_create_VmCloneCustomizer); /* issue 11: clone customizers */
    expect_bound(GR_F_clonePdToRepo_PhysicalDisk); /* issue 11 item 5: disk copies with LUNs */
    expect_bound(GR_F_show_Vm);
    expect_bound(GR_F_showcustomcmds);
}

static void test_lookup_out_of_range(void **state)
{
    (void)state;
    assert_null(registry_op(GR_NFORMS));
    assert_null(gr_cmd_by_id(GR_NFORMS));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_form_bound_once),
        cmocka_unit_test(test_former_drift),
        cmocka_unit_test(test_recognised_types),
        cmocka_unit_test(test_lookup_out_of_range),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
