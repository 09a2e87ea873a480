/* Byte-exact tests of the renderers (doc/command-language.md §6, §7, §11.1). Time is
 * pinned to 2024-03-18 14:09:10,401 UTC so every expectation is literal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "backend/render/result.h"

#define T_MS 1710770950401LL
#define TIME "2024-03-18 14:09:10,401 UTC"
#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"

static void expect_render(const result *r, output_mode m, const char *eol, int alpha, const char *want)
{
    size_t len = 12345;
    char *got = render_result(r, m, eol, alpha, &len);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    free(got);
}

static void mk(result *r, const char *cmd)
{
    result_init(r, cmd);
    r->time_ms = T_MS;
}

/* create Vm example of §7.2: one list line and a job id. */
static void mk_create(result *r)
{
    mk(r, "create Vm name=web02 on ServerPool name=pool1");
    strcpy(r->jobid, "1710770739871");
    result_list_add(r, "0004fb00000600005d2e9c1f4a7b3e80", "web02");
}

static void mk_show(result *r)
{
    mk(r, "show Vm name=web01");
    result_show_add(r, "Name", "web01");
    result_show_add(r, "Id", "0004fb0000060000c5fee5922b83ac28");
    result_show_add(r, "Description", "");
    result_show_add(r, "Server Pool", "0004fb0000020000d2ee5d9394b371c5  [pool1]");
}

static void mk_text(result *r)
{
    mk(r, "showobjtypes");
    result_text_add(r, "AccessGroup");
    result_text_add(r, "Vm");
}

static void mk_fail(result *r)
{
    mk(r, "start Vm name=nosuch");
    result_list_add(r, "x", "must not print");
    result_fail(r, "Cannot find %s with %s: %s", "Vm", "name", "nosuch");
}

static void mk_none(result *r)
{
    mk(r, "set OutputMode=Verbose");
}

/* ---- Verbose ---- */

static void verbose_list_job(void **s)
{
    result r;
    mk_create(&r);
    expect_render(&r, OM_VERBOSE, "\r\n", 0,
                  "Command: create Vm name=web02 on ServerPool name=pool1\r\n"
                  "Status: Success\r\n"
                  "Time: " TIME "\r\n"
                  "JobId: 1710770739871\r\n"
                  "Data: \r\n"
                  "  id:0004fb00000600005d2e9c1f4a7b3e80  name:web02\r\n");
    result_free(&r);
}

static void verbose_list_empty(void **s)
{
    result r;
    mk(&r, "list Vm");
    result_list_begin(&r);
    expect_render(&r, OM_VERBOSE, "\r\n", 0,
                  "Command: list Vm\r\nStatus: Success\r\nTime: " TIME "\r\nData: \r\n");
    result_free(&r);
}

static void verbose_list_names_verbatim(void **s)
{
    result r;
    mk(&r, "list PhysicalDisk");
    result_list_add(&r, "0004fb00001800008188f5f91b172e9d", "DGC (1)");
    result_list_add(&r, "0004fb0000180000aaaaaaaaaaaaaaaa", "a:b  c");
    expect_render(&r, OM_VERBOSE, "\n", 0,
                  "Command: list PhysicalDisk\nStatus: Success\nTime: " TIME "\nData: \n"
                  "  id:0004fb00001800008188f5f91b172e9d  name:DGC (1)\n"
                  "  id:0004fb0000180000aaaaaaaaaaaaaaaa  name:a:b  c\n");
    result_free(&r);
}

static void verbose_show(void **s)
{
    result r;
    mk_show(&r);
    expect_render(&r, OM_VERBOSE, "\r\n", 0,
                  "Command: show Vm name=web01\r\nStatus: Success\r\nTime: " TIME "\r\nData: \r\n"
                  "  Name = web01\r\n"
                  "  Id = 0004fb0000060000c5fee5922b83ac28\r\n"
                  "  Description = \r\n"
                  "  Server Pool = 0004fb0000020000d2ee5d9394b371c5  [pool1]\r\n");
    result_free(&r);
}

static void verbose_text(void **s)
{
    result r;
    mk_text(&r);
    expect_render(&r, OM_VERBOSE, "\r", 0,
                  "Command: showobjtypes\rStatus: Success\rTime: " TIME "\rData: \r  AccessGroup\r  Vm\r");
    result_free(&r);
}

static void verbose_failure(void **s)
{
    result r;
    mk_fail(&r);
    expect_render(&r, OM_VERBOSE, "\r\n", 0,
                  "Command: start Vm name=nosuch\r\nStatus: Failure\r\nTime: " TIME "\r\n"
                  "Error Msg: Cannot find Vm with name: nosuch\r\n");
    result_free(&r);
}

static void verbose_failure_job(void **s)
{
    result r;
    mk(&r, "start Vm name=web01");
    strcpy(r.jobid, "1710770739871");
    result_fail(&r, "Job failed on Server %s: %s", "ovs01", "boom");
    expect_render(&r, OM_VERBOSE, "\n", 0,
                  "Command: start Vm name=web01\nStatus: Failure\nTime: " TIME "\n"
                  "JobId: 1710770739871\nError Msg: Job failed on Server ovs01: boom\n");
    result_free(&r);
}

static void verbose_no_data(void **s)
{
    result r;
    mk_none(&r);
    expect_render(&r, OM_VERBOSE, "\r\n", 0,
                  "Command: set OutputMode=Verbose\r\nStatus: Success\r\nTime: " TIME "\r\n");
    result_free(&r);
}

static void command_is_trimmed(void **s)
{
    result r;
    mk(&r, "  \tlist Vm \t");
    assert_string_equal(r.command, "list Vm");
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.kind, RD_NONE);
    result_free(&r);
}

/* ---- Sparse ---- */

static void sparse_list_no_jobid(void **s)
{
    result r;
    mk_create(&r);
    expect_render(&r, OM_SPARSE, "\r\n", 0, "  id:0004fb00000600005d2e9c1f4a7b3e80  name:web02\r\n");
    result_free(&r);
}

static void sparse_show(void **s)
{
    result r;
    mk_show(&r);
    expect_render(&r, OM_SPARSE, "\n", 0,
                  "  Name = web01\n  Id = 0004fb0000060000c5fee5922b83ac28\n  Description = \n"
                  "  Server Pool = 0004fb0000020000d2ee5d9394b371c5  [pool1]\n");
    result_free(&r);
}

static void sparse_text(void **s)
{
    result r;
    mk_text(&r);
    expect_render(&r, OM_SPARSE, "\r\n", 0, "  AccessGroup\r\n  Vm\r\n");
    result_free(&r);
}

static void sparse_failure(void **s)
{
    result r;
    mk_fail(&r);
    strcpy(r.jobid, "1710770739871");
    expect_render(&r, OM_SPARSE, "\r", 0, "Error Msg: Cannot find Vm with name: nosuch\r");
    result_free(&r);
}

static void sparse_no_data_is_empty(void **s)
{
    result r;
    mk_none(&r);
    strcpy(r.jobid, "1710770739871");
    expect_render(&r, OM_SPARSE, "\r\n", 0, "");
    result_free(&r);
}

/* ---- Xml ---- */

static void xml_no_data(void **s)
{
    result r;
    mk(&r, "set OutputMode=Xml");
    expect_render(&r, OM_XML, "\r\n", 0,
                  XMLDECL "\r\n<Result>\r\n<Command>set OutputMode=Xml</Command>\r\n"
                  "<Status>Success</Status>\r\n<Time>" TIME "</Time>\r\n</Result>\r\n");
    result_free(&r);
}

static void xml_list_job(void **s)
{
    result r;
    mk_create(&r);
    result_list_add(&r, "0004fb0000060000c5fee5922b83ac28", "web01");
    expect_render(&r, OM_XML, "\n", 0,
                  XMLDECL "\n<Result>\n<Command>create Vm name=web02 on ServerPool name=pool1</Command>\n"
                  "<Status>Success</Status>\n<Time>" TIME "</Time>\n<JobId>1710770739871</JobId>\n"
                  "<CommandData>\n<ListCommandResult>\n"
                  "<Id>0004fb00000600005d2e9c1f4a7b3e80</Id>\n<Name>web02</Name>\n"
                  "<Id>0004fb0000060000c5fee5922b83ac28</Id>\n<Name>web01</Name>\n"
                  "</ListCommandResult>\n</CommandData>\n</Result>\n");
    result_free(&r);
}

static void xml_list_empty(void **s)
{
    result r;
    mk(&r, "list Vm");
    result_list_begin(&r);
    expect_render(&r, OM_XML, "\n", 0,
                  XMLDECL "\n<Result>\n<Command>list Vm</Command>\n<Status>Success</Status>\n"
                  "<Time>" TIME "</Time>\n<CommandData>\n<ListCommandResult>\n"
                  "</ListCommandResult>\n</CommandData>\n</Result>\n");
    result_free(&r);
}

static void xml_show(void **s)
{
    result r;
    mk_show(&r);
    expect_render(&r, OM_XML, "\r\n", 0,
                  XMLDECL "\r\n<Result>\r\n<Command>show Vm name=web01</Command>\r\n"
                  "<Status>Success</Status>\r\n<Time>" TIME "</Time>\r\n"
                  "<CommandData>\r\n<ShowCommandResult>\r\n"
                  "<PropertyName>Name</PropertyName>\r\n<PropertyValue>web01</PropertyValue>\r\n"
                  "<PropertyName>Id</PropertyName>\r\n"
                  "<PropertyValue>0004fb0000060000c5fee5922b83ac28</PropertyValue>\r\n"
                  "<PropertyName>Description</PropertyName>\r\n<PropertyValue></PropertyValue>\r\n"
                  "<PropertyName>Server Pool</PropertyName>\r\n"
                  "<PropertyValue>0004fb0000020000d2ee5d9394b371c5  [pool1]</PropertyValue>\r\n"
                  "</ShowCommandResult>\r\n</CommandData>\r\n</Result>\r\n");
    result_free(&r);
}

static void xml_text(void **s)
{
    result r;
    mk_text(&r);
    expect_render(&r, OM_XML, "\r", 0,
                  XMLDECL "\r<Result>\r<Command>showobjtypes</Command>\r<Status>Success</Status>\r"
                  "<Time>" TIME "</Time>\r<CommandData>\r<TextResult>\r<Line>AccessGroup</Line>\r"
                  "<Line>Vm</Line>\r</TextResult>\r</CommandData>\r</Result>\r");
    result_free(&r);
}

static void xml_failure(void **s)
{
    result r;
    mk_fail(&r);
    strcpy(r.jobid, "1710770739871");
    expect_render(&r, OM_XML, "\r\n", 0,
                  XMLDECL "\r\n<Result>\r\n<Command>start Vm name=nosuch</Command>\r\n"
                  "<Status>Failure</Status>\r\n<Time>" TIME "</Time>\r\n<JobId>1710770739871</JobId>\r\n"
                  "<ErrorMsg>Cannot find Vm with name: nosuch</ErrorMsg>\r\n</Result>\r\n");
    result_free(&r);
}

static void xml_escaping(void **s)
{
    result r;
    mk(&r, "show Tag name=\"a&b\"");
    result_show_add(&r, "Description", "<HR's \"VMs\"> & more\x01");
    expect_render(&r, OM_XML, "\n", 0,
                  XMLDECL "\n<Result>\n<Command>show Tag name=&quot;a&amp;b&quot;</Command>\n"
                  "<Status>Success</Status>\n<Time>" TIME "</Time>\n<CommandData>\n<ShowCommandResult>\n"
                  "<PropertyName>Description</PropertyName>\n"
                  "<PropertyValue>&lt;HR&apos;s &quot;VMs&quot;&gt; &amp; more </PropertyValue>\n"
                  "</ShowCommandResult>\n</CommandData>\n</Result>\n");
    result_free(&r);
}

/* ---- Json ---- */

static void json_list_job(void **s)
{
    result r;
    mk_create(&r);
    expect_render(&r, OM_JSON, "\r\n", 0,
                  "{\"command\":\"create Vm name=web02 on ServerPool name=pool1\",\"status\":\"Success\","
                  "\"time\":\"" TIME "\",\"jobId\":1710770739871,\"errorMsg\":null,"
                  "\"data\":[{\"id\":\"0004fb00000600005d2e9c1f4a7b3e80\",\"name\":\"web02\"}]}\r\n");
    result_free(&r);
}

static void json_list_empty(void **s)
{
    result r;
    mk(&r, "list Vm");
    result_list_begin(&r);
    expect_render(&r, OM_JSON, "\n", 0,
                  "{\"command\":\"list Vm\",\"status\":\"Success\",\"time\":\"" TIME "\",\"jobId\":null,"
                  "\"errorMsg\":null,\"data\":[]}\n");
    result_free(&r);
}

static void json_show(void **s)
{
    result r;
    mk_show(&r);
    expect_render(&r, OM_JSON, "\n", 0,
                  "{\"command\":\"show Vm name=web01\",\"status\":\"Success\",\"time\":\"" TIME "\","
                  "\"jobId\":null,\"errorMsg\":null,\"data\":{\"Name\":\"web01\","
                  "\"Id\":\"0004fb0000060000c5fee5922b83ac28\",\"Description\":\"\","
                  "\"Server Pool\":\"0004fb0000020000d2ee5d9394b371c5  [pool1]\"}}\n");
    result_free(&r);
}

static void json_text(void **s)
{
    result r;
    mk_text(&r);
    expect_render(&r, OM_JSON, "\r", 0,
                  "{\"command\":\"showobjtypes\",\"status\":\"Success\",\"time\":\"" TIME "\","
                  "\"jobId\":null,\"errorMsg\":null,\"data\":[\"AccessGroup\",\"Vm\"]}\r");
    result_free(&r);
}

static void json_none(void **s)
{
    result r;
    mk_none(&r);
    expect_render(&r, OM_JSON, "\r\n", 0,
                  "{\"command\":\"set OutputMode=Verbose\",\"status\":\"Success\",\"time\":\"" TIME "\","
                  "\"jobId\":null,\"errorMsg\":null,\"data\":null}\r\n");
    result_free(&r);
}

static void json_failure(void **s)
{
    result r;
    mk_fail(&r);
    expect_render(&r, OM_JSON, "\n", 0,
                  "{\"command\":\"start Vm name=nosuch\",\"status\":\"Failure\",\"time\":\"" TIME "\","
                  "\"jobId\":null,\"errorMsg\":\"Cannot find Vm with name: nosuch\",\"data\":null}\n");
    result_free(&r);
}

static void json_escaping(void **s)
{
    result r;
    mk(&r, "show Tag name=\"x\\y\"");
    result_show_add(&r, "Description", "tab\there \"q\" \x02");
    expect_render(&r, OM_JSON, "\n", 0,
                  "{\"command\":\"show Tag name=\\\"x\\\\y\\\"\",\"status\":\"Success\",\"time\":\"" TIME "\","
                  "\"jobId\":null,\"errorMsg\":null,"
                  "\"data\":{\"Description\":\"tab\\there \\\"q\\\" \\u0002\"}}\n");
    result_free(&r);
}

/* ---- plain (help, showversion) ---- */

static void plain_every_mode(void **s)
{
    static const output_mode modes[] = {OM_VERBOSE, OM_SPARSE, OM_XML, OM_JSON};
    result r;
    mk(&r, "showversion");
    r.plain = 1;
    result_text_add(&r, "3.4.6.0");
    for (size_t i = 0; i < 4; i++) {
        expect_render(&r, modes[i], "\r\n", 0, "3.4.6.0\r\n");
        expect_render(&r, modes[i], "\n", 1, "3.4.6.0\n");
    }
    result_free(&r);
}

static void plain_help_lines(void **s)
{
    result r;
    mk(&r, "help");
    r.plain = 1;
    result_text_add(&r, "For Most Object Types:");
    result_text_add(&r, "    list <objectType>");
    expect_render(&r, OM_XML, "\r", 0, "For Most Object Types:\r    list <objectType>\r");
    result_free(&r);
}

/* ---- AlphabetizeAttributes ---- */

static void mk_indexed(result *r)
{
    mk(r, "show Vm name=a");
    result_show_add(r, "Name", "a");
    result_show_add(r, "tag 1", "t1");
    result_show_add(r, "Vnic 1", "v1");
    result_show_add(r, "Vnic 2", "v2");
    result_show_add(r, "Vnic 10", "v10");
    result_show_add(r, "Id", "i");
    result_show_add(r, "Vm", "x");
    result_show_add(r, "Boot Order 1", "Disk");
    result_show_add(r, "VmDiskMapping 1", "m");
    result_show_add(r, "Max. Memory (MB)", "4");
    result_show_add(r, "Memory (MB)", "4");
}

static void alphabetize_sorts(void **s)
{
    result r;
    mk_indexed(&r);
    expect_render(&r, OM_SPARSE, "\n", 1,
                  "  Boot Order 1 = Disk\n  Id = i\n  Max. Memory (MB) = 4\n  Memory (MB) = 4\n"
                  "  Name = a\n  tag 1 = t1\n  Vm = x\n  VmDiskMapping 1 = m\n"
                  "  Vnic 1 = v1\n  Vnic 2 = v2\n  Vnic 10 = v10\n");
    result_free(&r);
}

static void alphabetize_off_keeps_order(void **s)
{
    result r;
    mk_indexed(&r);
    expect_render(&r, OM_SPARSE, "\n", 0,
                  "  Name = a\n  tag 1 = t1\n  Vnic 1 = v1\n  Vnic 2 = v2\n  Vnic 10 = v10\n  Id = i\n"
                  "  Vm = x\n  Boot Order 1 = Disk\n  VmDiskMapping 1 = m\n  Max. Memory (MB) = 4\n"
                  "  Memory (MB) = 4\n");
    result_free(&r);
}

static void alphabetize_xml_and_json(void **s)
{
    result r;
    mk(&r, "show Vnic name=n");
    result_show_add(&r, "Vnic 10", "b");
    result_show_add(&r, "vnic 9", "a");
    result_show_add(&r, "Id", "i");
    expect_render(&r, OM_JSON, "\n", 1,
                  "{\"command\":\"show Vnic name=n\",\"status\":\"Success\",\"time\":\"" TIME "\","
                  "\"jobId\":null,\"errorMsg\":null,\"data\":{\"Id\":\"i\",\"vnic 9\":\"a\",\"Vnic 10\":\"b\"}}\n");
    expect_render(&r, OM_XML, "\n", 1,
                  XMLDECL "\n<Result>\n<Command>show Vnic name=n</Command>\n<Status>Success</Status>\n"
                  "<Time>" TIME "</Time>\n<CommandData>\n<ShowCommandResult>\n"
                  "<PropertyName>Id</PropertyName>\n<PropertyValue>i</PropertyValue>\n"
                  "<PropertyName>vnic 9</PropertyName>\n<PropertyValue>a</PropertyValue>\n"
                  "<PropertyName>Vnic 10</PropertyName>\n<PropertyValue>b</PropertyValue>\n"
                  "</ShowCommandResult>\n</CommandData>\n</Result>\n");
    result_free(&r);
}

static void alphabetize_ignores_lists(void **s)
{
    result r;
    mk(&r, "list Vm");
    result_list_add(&r, "2", "b");
    result_list_add(&r, "1", "a");
    expect_render(&r, OM_SPARSE, "\n", 1, "  id:2  name:b\n  id:1  name:a\n");
    result_free(&r);
}

/* ---- newline folding (§7.1) ---- */

static void newlines_fold_to_space(void **s)
{
    result r;
    mk(&r, "show Tag name=t");
    result_show_add(&r, "Description", "one\ntwo\r\nthree\rfour");
    expect_render(&r, OM_SPARSE, "\r\n", 0, "  Description = one two three four\r\n");
    expect_render(&r, OM_XML, "\n", 0,
                  XMLDECL "\n<Result>\n<Command>show Tag name=t</Command>\n<Status>Success</Status>\n"
                  "<Time>" TIME "</Time>\n<CommandData>\n<ShowCommandResult>\n"
                  "<PropertyName>Description</PropertyName>\n<PropertyValue>one two three four</PropertyValue>\n"
                  "</ShowCommandResult>\n</CommandData>\n</Result>\n");
    expect_render(&r, OM_JSON, "\n", 0,
                  "{\"command\":\"show Tag name=t\",\"status\":\"Success\",\"time\":\"" TIME "\","
                  "\"jobId\":null,\"errorMsg\":null,\"data\":{\"Description\":\"one two three four\"}}\n");
    result_free(&r);
}

static void newlines_in_errors_and_lists(void **s)
{
    result r;
    mk(&r, "list Vm");
    result_list_add(&r, "id\n1", "na\nme");
    expect_render(&r, OM_SPARSE, "\n", 0, "  id:id 1  name:na me\n");
    result_fail(&r, "bad\nthing %s", "x\r\ny");
    assert_string_equal(r.errmsg, "bad thing x y");
    expect_render(&r, OM_SPARSE, "\n", 0, "Error Msg: bad thing x y\n");
    result_free(&r);
}

static void fail_twice_keeps_last(void **s)
{
    result r;
    mk(&r, "x");
    result_fail(&r, "first");
    result_fail(&r, "second");
    assert_string_equal(r.errmsg, "second");
    assert_int_equal(r.ok, 0);
    result_free(&r);
}

static void many_items_grow(void **s)
{
    result r;
    mk(&r, "list Vm");
    for (int i = 0; i < 1000; i++)
        result_list_add(&r, "i", "n");
    size_t len = 0;
    char *got = render_result(&r, OM_SPARSE, "\n", 0, &len);
    assert_int_equal(len, 1000 * strlen("  id:i  name:n\n"));
    free(got);
    result_free(&r);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verbose_list_job),       cmocka_unit_test(verbose_list_empty),
        cmocka_unit_test(verbose_list_names_verbatim), cmocka_unit_test(verbose_show),
        cmocka_unit_test(verbose_text),           cmocka_unit_test(verbose_failure),
        cmocka_unit_test(verbose_failure_job),    cmocka_unit_test(verbose_no_data),
        cmocka_unit_test(command_is_trimmed),     cmocka_unit_test(sparse_list_no_jobid),
        cmocka_unit_test(sparse_show),            cmocka_unit_test(sparse_text),
        cmocka_unit_test(sparse_failure),         cmocka_unit_test(sparse_no_data_is_empty),
        cmocka_unit_test(xml_no_data),            cmocka_unit_test(xml_list_job),
        cmocka_unit_test(xml_list_empty),         cmocka_unit_test(xml_show),
        cmocka_unit_test(xml_text),               cmocka_unit_test(xml_failure),
        cmocka_unit_test(xml_escaping),           cmocka_unit_test(json_list_job),
        cmocka_unit_test(json_list_empty),        cmocka_unit_test(json_show),
        cmocka_unit_test(json_text),              cmocka_unit_test(json_none),
        cmocka_unit_test(json_failure),           cmocka_unit_test(json_escaping),
        cmocka_unit_test(plain_every_mode),       cmocka_unit_test(plain_help_lines),
        cmocka_unit_test(alphabetize_sorts),      cmocka_unit_test(alphabetize_off_keeps_order),
        cmocka_unit_test(alphabetize_xml_and_json), cmocka_unit_test(alphabetize_ignores_lists),
        cmocka_unit_test(newlines_fold_to_space), cmocka_unit_test(newlines_in_errors_and_lists),
        cmocka_unit_test(fail_twice_keeps_last),  cmocka_unit_test(many_items_grow),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
