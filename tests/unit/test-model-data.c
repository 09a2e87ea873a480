/* The object model's data against the grammar: the show tables
 * (backend/render/show_tables.c: one default per attribute, labels beside
 * their enums, tables for known types) and the relations table
 * (backend/flows/relations.c). */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "backend/flows/relations.h"
#include "backend/render/show_rows.h"
#include "grammar/grammar.h"

static int names_attr(const show_row *r)
{
    return r->kind == SR_VALUE || r->kind == SR_GIB || r->kind == SR_LIST || r->kind == SR_REF;
}

/* A row repeats no default: an attribute a command sets has its default in
 * the grammar only. */
static void test_one_default_per_attribute(void **state)
{
    (void)state;
    int bad = 0;
    for (const show_table *t = show_tables; t->type; t++)
        for (const show_row *r = t->rows; r->label || r->kind == SR_FN; r++) {
            const gr_attr *a = names_attr(r) ? gr_type_attr(t->type, r->attr) : NULL;
            if (r->deflt && gr_attr_value_default(a)) {
                print_message("# show %s row '%s' repeats the grammar's default of %s (%s)\n", t->type, r->label,
                              r->attr, gr_attr_value_default(a));
                bad++;
            }
        }
    assert_int_equal(bad, 0);
}

static size_t count(const char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

/* Every enum with labels has one label per value. */
static void test_labels_beside_enums(void **state)
{
    (void)state;
    size_t n, labelled = 0;
    const gr_cmd *const *cmds = gr_cmds(&n);
    for (size_t i = 0; i < n; i++)
        for (const gr_attr *const *a = cmds[i]->attrs; a && *a; a++) {
            if (!(*a)->labels)
                continue;
            labelled++;
            if (count((*a)->labels) != count((*a)->enums))
                print_message("# %s %s: %zu labels for %zu values\n", cmds[i]->verb, (*a)->name,
                              count((*a)->labels), count((*a)->enums));
            assert_int_equal(count((*a)->labels), count((*a)->enums));
        }
    assert_true(labelled > 0);
    const gr_attr *dom = gr_type_attr("Vm", "domainType");
    assert_string_equal(gr_enum_label(dom, "XEN_HVM_PV_DRIVERS"), "Xen HVM, PV Drivers");
    assert_string_equal(gr_enum_label(dom, "SOMETHING_ELSE"), "SOMETHING_ELSE");
}

/* Defaults show reads from the grammar: values, not rules ("= memory"). */
static void test_grammar_defaults(void **state)
{
    (void)state;
    assert_string_equal(gr_attr_value_default(gr_type_attr("ServerPool", "clusterTimeout")), "120");
    assert_string_equal(gr_attr_value_default(gr_type_attr("Server", "ntpServers")), "127.127.1.0");
    assert_null(gr_attr_value_default(gr_type_attr("Vm", "memoryLimit")));
    assert_null(gr_type_attr("Vm", "noSuchAttribute"));
}

/* The reference semantics of gr_type_attr, by a scan of every form: the
 * create form's attribute, else the first form of the type that has it. */
static const gr_attr *scan_type_attr(const char *type, const char *name)
{
    size_t n;
    const gr_cmd *const *cmds = gr_cmds(&n);
    const gr_cmd *c = gr_cmd_find("create", type);
    const gr_attr *a = c ? gr_cmd_attr(c, name) : NULL;
    for (size_t i = 0; !a && i < n; i++)
        if (cmds[i]->type && !strcmp(cmds[i]->type, type))
            a = gr_cmd_attr(cmds[i], name);
    return a;
}

/* The index behind gr_type_attr answers as the scan does for every
 * attribute of every form, in any case of its name, and not at all for a
 * name no form of the type has. */
static void test_type_attr_index(void **state)
{
    (void)state;
    size_t n, checked = 0;
    const gr_cmd *const *cmds = gr_cmds(&n);
    for (size_t i = 0; i < n; i++)
        for (const gr_attr *const *a = cmds[i]->attrs; cmds[i]->type && a && *a; a++, checked++) {
            const gr_attr *want = scan_type_attr(cmds[i]->type, (*a)->name);
            if (gr_type_attr(cmds[i]->type, (*a)->name) != want)
                print_message("# %s %s: index and scan differ\n", cmds[i]->type, (*a)->name);
            assert_ptr_equal(gr_type_attr(cmds[i]->type, (*a)->name), want);
            char *upper = strdup((*a)->name);
            for (char *p = upper; *p; p++)
                *p = (char)toupper((unsigned char)*p);
            assert_ptr_equal(gr_type_attr(cmds[i]->type, upper), want);
            free(upper);
        }
    assert_true(checked > 100);
    assert_null(gr_type_attr("NoSuchType", "name"));
    assert_null(gr_type_attr("Vm", ""));
    assert_null(gr_type_attr(NULL, "name"));
}

/* Every table is for a type the grammar knows, starts with Name (Id for
 * none), and every attribute row a command could set is spelt as the
 * grammar spells it. */
static void test_tables_match_grammar(void **state)
{
    (void)state;
    for (const show_table *t = show_tables; t->type; t++) {
        assert_non_null(gr_type_find(t->type));
        assert_int_equal(t->rows[0].kind, SR_NAME);
        for (const show_row *r = t->rows; r->label || r->kind == SR_FN; r++) {
            const gr_attr *a = names_attr(r) ? gr_type_attr(t->type, r->attr) : NULL;
            if (a)
                assert_string_equal(a->name, r->attr);
        }
    }
    assert_non_null(show_rows_of("Vm"));
    assert_int_equal(show_rows_of("NoSuchType")[1].kind, SR_ID);
}

/* Every relation joins types the grammar knows; where a form sets the
 * referring attribute it is a reference to the referred-to type; refusals
 * name their type once in a row (no type is both refused and cascaded by
 * the same referrer). */
static void test_relations_match_grammar(void **state)
{
    (void)state;
    size_t n = 0;
    for (const relation *r = relations; r->type; r++, n++) {
        assert_non_null(gr_type_find(r->type));
        assert_non_null(gr_type_find(r->by_type));
        const gr_attr *a = gr_type_attr(r->by_type, r->attr);
        if (a && a->ref_type) {
            if (strcmp(a->ref_type, r->type) != 0)
                print_message("# %s.%s refers to %s, not %s\n", r->by_type, r->attr, a->ref_type, r->type);
            assert_string_equal(a->ref_type, r->type);
            assert_int_equal(r->is_list, a->vtype == VT_REFLIST);
        }
        for (const relation *q = relations; q < r; q++)
            if (!strcmp(q->type, r->type) && !strcmp(q->by_type, r->by_type) && !strcmp(q->attr, r->attr)) {
                print_message("# %s by %s.%s twice\n", r->type, r->by_type, r->attr);
                fail();
            }
    }
    assert_true(n > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_default_per_attribute),
        cmocka_unit_test(test_labels_beside_enums),
        cmocka_unit_test(test_grammar_defaults),
        cmocka_unit_test(test_type_attr_index),
        cmocka_unit_test(test_tables_match_grammar),
        cmocka_unit_test(test_relations_match_grammar),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
