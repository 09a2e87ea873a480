/* Texts agree with the tables: help (§6), showobjtypes, showcustomcmds,
 * showallcustomcmds, and the '?' listing (§11.3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>
#include "grammar/grammar.h"
#include "lib/strbuf.h"

static int has_line(char **v, size_t n, const char *line)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], line) == 0)
            return 1;
    return 0;
}

#define MARK "  (not supported by this Manager)"

/* The showcustomcmds line of a form: its syntax, marked when refused. */
static char *custom_line(const gr_cmd *c)
{
    char *why = gr_refusal(c, gr_type_find(c->type));
    char *line = malloc(strlen(c->syntax) + sizeof MARK);
    strcpy(line, c->syntax);
    if (why)
        strcat(line, MARK);
    free(why);
    return line;
}

static void test_help(void **state)
{
    char **v;
    size_t n = gr_help_lines(&v), nc, refused = 0;
    const gr_cmd *const *c = gr_cmds(&nc);
    for (size_t i = 0; i < nc; i++)
        refused += c[i]->refusal != NULL;
    /* the section exists only while any form is refused (none since issue 11 item 5) */
    assert_int_equal(n, 21 + (refused ? refused + 1 : 0));
    assert_false(has_line(v, n, "Not Supported by this Manager:") != (refused > 0));
    assert_false(has_line(v, n, "    start Server <instance>"));
    assert_false(has_line(v, n, "    refresh PhysicalDisk <instance>"));
    /* implemented since issue 11 (OCFS2 repositories on LUNs) */
    assert_false(has_line(v, n, "    takeOwnership Repository <instance> [serverPool=<ServerPool>]"));
    assert_false(has_line(v, n, "    start Vm <instance>"));
    assert_string_equal(v[0], "For Most Object Types:");
    assert_string_equal(v[3], "    create <objectType> [(attribute1)=\"value1\"] ... "
                              "[on <objectType> <instance>]");
    assert_string_equal(v[4], "    edit <objectType> <instance>  (attribute1)=\"value1\" ...");
    assert_string_equal(v[16], "    exit");
    assert_string_equal(v[20], "    showclisession");
    /* every verb the help names is a verb of the grammar */
    for (size_t i = 0; i < n; i++) {
        if (v[i][0] != ' ')
            continue;
        char word[64];
        assert_int_equal(sscanf(v[i], " %63[a-zA-Z]", word), 1);
        assert_true(gr_is_verb(word));
    }
    gr_free_strv(v, n);
}

static void test_showobjtypes(void **state)
{
    char **v;
    size_t n = gr_showobjtypes_lines(&v), nt;
    const gr_type *const *t = gr_types(&nt);
    assert_int_equal(n, nt);
    for (size_t i = 0; i < nt; i++)
        assert_true(has_line(v, n, t[i]->name));
    for (size_t i = 1; i < n; i++)
        assert_true(strcasecmp(v[i - 1], v[i]) < 0);
    assert_false(has_line(v, n, "SanServer"));
    gr_free_strv(v, n);
}

static void test_showcustomcmds(void **state)
{
    char **v;
    size_t n = gr_showcustomcmds_lines(gr_type_find("Vm"), &v);
    assert_int_equal(n, 15);
    assert_string_equal(v[0], "clearVmAllRcvdMessages Vm <instance>");
    assert_string_equal(v[2], "clone Vm <instance> destType=<Vm|VmTemplate> destName=<name> "
                              "[serverPool=<ServerPool>] [cloneCustomizer=<VmCloneCustomizer>] "
                              "[targetRepository=<Repository>]");
    assert_string_equal(v[3], "getVmCfgFileContent Vm <instance>");
    assert_string_equal(v[5], "getVmSentMessages Vm <instance>");
    assert_string_equal(v[6], "kill Vm <instance>");
    assert_string_equal(v[12], "start Vm <instance>");
    assert_string_equal(v[8], "moveVmToRepository Vm <instance> cloneCustomizer=<VmCloneCustomizer> "
                              "targetRepository=<Repository>");
    assert_string_equal(v[14], "suspend Vm <instance>");
    gr_free_strv(v, n);
    n = gr_showcustomcmds_lines(gr_type_find("Server"), &v);
    assert_int_equal(n, 11);
    assert_string_equal(v[0], "checkUpToDate Server <instance>");
    assert_string_equal(v[1], "kill Server <instance>");
    assert_string_equal(v[2], "refreshStorageLayer Server <instance>");
    assert_string_equal(v[3], "releaseOwnership Server <instance>");
    assert_string_equal(v[5], "setMaintenanceMode Server <instance> mode=<on|off>");
    assert_string_equal(v[6], "start Server <instance>");
    assert_string_equal(v[10], "upgrade Server <instance>");
    gr_free_strv(v, n);
    n = gr_showcustomcmds_lines(gr_type_find("Tag"), &v);
    assert_int_equal(n, 0);
    gr_free_strv(v, n);
}

/* A sample value that the attribute accepts. */
static const char *sample(const gr_attr *a)
{
    switch (a->vtype) {
    case VT_INT: { /* the smallest value allowed, at least 1 */
        static char buf[32];
        snprintf(buf, sizeof buf, "%lld", a->min > 1 ? (long long)a->min : 1LL);
        return buf;
    }
    case VT_NUM: return "1";
    case VT_BOOL: return "No";
    case VT_ENUM: case VT_ENUMLIST: return a->enums[0];
    case VT_IPV4: case VT_HOST: return "10.0.0.1";
    case VT_MAC: return "00:21:f6:00:00:01";
    case VT_EVENTID: return "1710770739871";
    case VT_URL: return "http://example.com/my.iso";
    default: return "x";
    }
}

/* Turns a syntax line into a command: <instance> -> name=x, [optional]
 * parts dropped, key=<placeholder> -> key=<sample value>, <objectType> -> Vm. */
static char *instantiate(const gr_cmd *c, const char *syntax)
{
    strbuf sb = STRBUF_INIT;
    char *copy = strdup(syntax), *save = NULL;
    int optional = 0;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(w, '=');
        optional |= w[0] == '[';
        if (optional) {
            optional = w[strlen(w) - 1] != ']';
            continue;
        }
        if (strcmp(w, "<instance>") == 0)
            sb_adds(&sb, " name=x");
        else if (strcmp(w, "<objectType>") == 0)
            sb_adds(&sb, " Vm");
        else if (eq && eq[1] == '<') {
            *eq = '\0';
            const gr_attr *a = gr_cmd_attr(c, w);
            assert_non_null(a);
            sb_addf(&sb, " %s=%s", w, sample(a));
        } else
            sb_addf(&sb, " %s", w);
    }
    free(copy);
    return sb_detach(&sb, NULL);
}

static void test_syntax_lines_parse(void **state)
{
    size_t n;
    const gr_cmd *const *c = gr_cmds(&n);
    int checked = 0;
    for (size_t i = 0; i < n; i++) {
        if (!c[i]->syntax || c[i]->one_of ||
            (c[i]->type && gr_type_find(c[i]->type)->level != GT_R1))
            continue;
        for (const gr_attr *const *a = c[i]->attrs; *a; a++)
            if (strcmp(c[i]->verb, "list") != 0 && strcmp(c[i]->verb, "create") != 0 &&
                strcmp(c[i]->verb, "discoverServer") != 0)
                assert_non_null(strstr(c[i]->syntax, (*a)->name));
        char *cmd = instantiate(c[i], c[i]->syntax), *err = NULL;
        gr_command pc;
        if (gr_parse(cmd, &pc, &err) != 0)
            fprintf(stderr, "# %s: %s\n", cmd, err);
        assert_null(err);
        assert_ptr_equal(pc.def, c[i]);
        gr_command_free(&pc);
        free(cmd);
        checked++;
    }
    assert_true(checked > 70);
}

static void test_showallcustomcmds(void **state)
{
    char **v;
    size_t n = gr_showallcustomcmds_lines(&v), nc;
    const gr_cmd *const *c = gr_cmds(&nc);
    size_t custom = 0;
    for (size_t i = 0; i < nc; i++) {
        int generic = 0;
        static const char *const g[] = {"list", "show", "create", "edit", "delete", "refresh",
                                        "add", "remove"};
        for (size_t j = 0; j < 8; j++)
            generic |= strcmp(c[i]->verb, g[j]) == 0;
        if (c[i]->type && generic)
            continue;
        char *line = custom_line(c[i]);
        assert_true(has_line(v, n, line));
        free(line);
        custom++;
    }
    assert_int_equal(n, custom);
    assert_string_equal(v[0], "embeddedCreate BondPort <instance> ipAddressConfig "
                              "ipAddressConfigType=<STATIC|DYNAMIC> [ipAddress=<ip>] [ipNetmask=<mask>]");
    assert_true(has_line(v, n, "addAdminServer FileServer <instance> server=<Server>"));
    assert_true(has_line(v, n, "abort Job <instance>"));
    assert_true(has_line(v, n, "addAccessHost StorageArray <instance> accessHost=<host> "
                               "[accessPort=<port>] [accessUsername=<user>] "
                               "[accessPassword=<password>]"));
    assert_true(has_line(v, n, "validate StorageArray <instance>"));
    assert_true(has_line(v, n, "refreshStorageLayer Server <instance>"));
    assert_true(has_line(v, n, "clone VirtualDisk <instance> target=<Repository> cloneType=<type> "
                               "[name=<name>]"));
    assert_string_equal(v[n - 1], "exit");
    gr_free_strv(v, n);
}

static void expect_q(const char *before, size_t col, const char *const *want, size_t nwant)
{
    char **v;
    size_t n = gr_question_lines(before, col, &v);
    if (n != nwant)
        for (size_t i = 0; i < n; i++)
            print_error("[%s]\n", v[i]);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(v[i], want[i]);
    gr_free_strv(v, n);
}

static void test_question(void **state)
{
    static const char *const vm_start[] = {"        id=", "        name="};
    expect_q("start Vm ", 9 - 1, vm_start, 2);
    static const char *const pd_copy[] = {"id=", "name="};
    expect_q("clonePdToPd PhysicalDisk", 0, pd_copy, 2);
    static const char *const pd_copy_i[] = {
        "*target", "*cloneType", "HelpText: a block copy through iSCSI onto a free LUN at least as big; THIN_CLONE is refused"};
    expect_q("clonePdToPd PhysicalDisk name=p1", 0, pd_copy_i, 3);
    static const char *const repo_own[] = {"serverPool"};
    expect_q("takeOwnership Repository name=r1", 0, repo_own, 1);
    static const char *const srv_start[] = {"id=", "name="};
    expect_q("start Server", 0, srv_start, 2);
    static const char *const sa[] = {"*accessHost", "accessPort", "accessUsername", "accessPassword"};
    expect_q("addAccessHost StorageArray name=a", 0, sa, 4);
    static const char *const stat[] = {
        "   *objType", "   *objId", "   *statType", "   *startTime", "   endTime",
        "   HelpText: Times are MM-dd-yyyy HH:mm or YYYY-MM-DD HH:MM[:SS], in Manager local time"};
    expect_q("getStatList ", 3, stat, 6);
    static const char *const cpu[] = {"<integer 1..128>"};
    expect_q("edit Vm name=x cpuCount=", 0, cpu, 1);
    static const char *const yn[] = {" Yes", " No"};
    expect_q("edit Vm name=x highAvailability=", 1, yn, 2);
    static const char *const par[] = {"FileSystem", "PhysicalDisk"};
    expect_q("create Repository name=r on", 0, par, 2);
    static const char *const tag[] = {"*name", "description"};
    expect_q("create Tag", 0, tag, 2);
    static const char *const aag[] = {"*name", "description", "*on ServerPool <instance>"};
    expect_q("create AntiAffinityGroup", 0, aag, 3);
    char **v;
    size_t n = gr_question_lines("", 0, &v);
    assert_true(has_line(v, n, "list"));
    assert_true(has_line(v, n, "sendVmMessage"));
    assert_true(has_line(v, n, "showversion"));
    gr_free_strv(v, n);
    n = gr_question_lines("refresh", 0, &v);
    assert_int_equal(n, 6);
    assert_true(has_line(v, n, "StorageArray"));
    assert_false(has_line(v, n, "Vm"));
    gr_free_strv(v, n);
    n = gr_question_lines("edit Vm name=x", 0, &v);
    assert_true(has_line(v, n, "memory"));
    assert_false(has_line(v, n, "repository")); /* create-only */
    assert_false(has_line(v, n, "*name"));
    gr_free_strv(v, n);
    n = gr_question_lines("nosuchverb", 0, &v);
    assert_int_equal(n, 0);
    gr_free_strv(v, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help),          cmocka_unit_test(test_showobjtypes),
        cmocka_unit_test(test_showcustomcmds), cmocka_unit_test(test_syntax_lines_parse),
        cmocka_unit_test(test_showallcustomcmds), cmocka_unit_test(test_question),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
