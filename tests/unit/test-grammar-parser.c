/* Parser and validator tests: doc/command-language.md §2, §4, §5, §7.5. */
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

static void parse_ok(const char *cmd, gr_command *c)
{
    char *err = NULL;
    int rc = gr_parse(cmd, c, &err);
    if (rc != 0)
        print_error("%s: %s\n", cmd, err);
    assert_int_equal(rc, 0);
    assert_null(err);
}

static void parse_err(const char *cmd, const char *msg)
{
    gr_command c;
    char *err = NULL;
    assert_int_equal(gr_parse(cmd, &c, &err), -1);
    assert_non_null(err);
    if (strcmp(err, msg) != 0)
        print_error("%s\n got: %s\nwant: %s\n", cmd, err, msg);
    assert_string_equal(err, msg);
    assert_null(c.text);
    free(err);
}

/* Parses cmd and checks attribute name's canonical value. */
static void value_is(const char *cmd, const char *name, const char *want)
{
    gr_command c;
    parse_ok(cmd, &c);
    assert_string_equal(gr_get(&c, name), want);
    gr_command_free(&c);
}

static void test_instance_rule(void **state)
{
    gr_command c;
    parse_ok("edit Vm name=old name=new", &c);
    assert_string_equal(c.instance.key, "name");
    assert_string_equal(c.instance.value, "old");
    assert_int_equal(c.nattrs, 1);
    assert_string_equal(gr_get(&c, "name"), "new");
    gr_command_free(&c);
    parse_ok("exportVirtualAppliance Repository name=repo name=bk vms=vm1,vm2", &c);
    assert_string_equal(c.instance.value, "repo");
    assert_string_equal(gr_get(&c, "name"), "bk");
    assert_string_equal(gr_get(&c, "vms"), "vm1,vm2");
    gr_command_free(&c);
    parse_ok("show Vm ID=0004fb0000060000c5fee5922b83ac28", &c);
    assert_string_equal(c.instance.key, "id");
    assert_null(c.def->attrs[0]);
    gr_command_free(&c);
}

static void test_case_insensitive(void **state)
{
    gr_command c;
    parse_ok("SENDVMMESSAGE vm NAME=x KEY=k Message=M log=no", &c);
    assert_string_equal(c.verb, "sendVmMessage");
    assert_string_equal(c.type->name, "Vm");
    assert_string_equal(gr_get(&c, "key"), "k");
    assert_string_equal(gr_get(&c, "message"), "M");
    assert_string_equal(gr_get(&c, "log"), "No");
    assert_string_equal(c.text, "SENDVMMESSAGE vm NAME=x KEY=k Message=M log=no");
    gr_command_free(&c);
    value_is("edit vm name=x memorylimit=4096", "memoryLimit", "4096");
    value_is("edit vm name=x networkInstallpath=nfs:/a", "networkInstallPath", "nfs:/a");
    value_is("create VirtualDisk name=d size=1 sparse=TRUE shareable=false ON repository "
             "name=r", "sparse", "Yes");
}

static void test_last_duplicate_wins(void **state)
{
    gr_command c;
    parse_ok("edit Vm name=x memory=1024 cpuCount=2 memory=2048", &c);
    assert_int_equal(c.nattrs, 2);
    assert_string_equal(c.attrs[0].key, "memory");
    assert_string_equal(c.attrs[0].value, "2048");
    assert_string_equal(c.attrs[1].key, "cpuCount");
    gr_command_free(&c);
}

static void test_parents(void **state)
{
    gr_command c;
    parse_ok("create VirtualDisk name=d1 size=10 sparse=Yes shareable=No on Repository "
             "name=repo1", &c);
    assert_string_equal(c.ptype->name, "Repository");
    assert_string_equal(c.pinstance.key, "name");
    assert_string_equal(c.pinstance.value, "repo1");
    gr_command_free(&c);
    parse_ok("create Vm name=v repository=r domainType=XEN_HVM", &c);
    assert_null(c.ptype);
    gr_command_free(&c);
    parse_ok("add Tag name=t to Vm name=v", &c);
    assert_string_equal(c.type->name, "Tag");
    assert_string_equal(c.ptype->name, "Vm");
    gr_command_free(&c);
    parse_ok("remove Server name=s FROM ServerPool id=p", &c);
    assert_string_equal(c.pinstance.key, "id");
    gr_command_free(&c);
    parse_ok("create Repository name=r on PhysicalDisk name=d serverPool=p", &c);
    assert_string_equal(gr_get(&c, "serverPool"), "p");
    gr_command_free(&c);
    parse_err("create Vnic name=v network=n", "Missing parent: expected 'on Vm <instance>'");
    parse_err("add Server name=s", "Missing parent: expected 'to ServerPool <instance>'");
    parse_err("remove Vm name=v", "Missing parent: expected 'from AntiAffinityGroup <instance>'");
    parse_err("add Tag name=t to Job id=1",
              "Object type Job is not a valid parent for add Tag; expected one of: Vm, Server, "
              "ServerPool, Repository, VirtualDisk, Network");
    parse_err("create Tag name=t on Vm name=v", "Syntax error: unexpected 'on' at column 19");
    parse_err("add Tag name=t to Vm", "Missing instance: expected id=<value> or name=<value> "
              "after Vm");
    parse_err("add Tag name=t to", "Missing object type: expected to <objectType>");
}

static void test_every_verb_form(void **state)
{
    static const char *const ok[] = {
        "list Vm", "list AccessGroup", "list SanServer", "show Job id=1710770739871",
        "create AntiAffinityGroup name=a on ServerPool name=p",
        "create FileServer name=f accessHost=nfs.example.com adminServers=s1,s2",
        "create Network name=n roles=VIRTUAL_MACHINE,storage",
        "create Repository name=r on FileSystem name=fs", "create ServerPool name=p clusterEnable=No",
        "create Tag name=t", "create VmDiskMapping slot=0 virtualCdrom=EMPTY_CDROM on Vm name=v",
        "create Vnic name=v network=n macAddress=00:21:F6:00:00:01 on Vm name=v",
        "edit Server name=s maintenanceMode=yes roles=VM ntpServers=pool.ntp.org,10.0.0.1",
        "edit Server name=s ntpServers=", "edit FileSystem name=f description=x",
        "edit PhysicalDisk id=d name=y", "edit VirtualCdrom name=c name=d", "edit Manager id=m name=n",
        "delete Job id=1710770739871", "delete VirtualCdrom name=c", "delete Server name=s",
        "refresh FileServer name=f", "refresh Repository name=r", "add Server name=s to Repository name=r",
        "add ServerPool name=p to Repository name=r", "add Port id=p to Network name=n",
        "add Vnic name=v to Network name=n", "add Vm name=v to AntiAffinityGroup name=a",
        "start Vm name=v", "stop Vm name=v", "kill Vm name=v", "restart Vm name=v",
        "suspend Vm name=v", "resume Vm name=v", "migrate Vm name=v", "migrate Vm name=v destServer=s",
        "clone Vm name=x destType=vmtemplate destName=y serverPool=p cloneCustomizer=c",
        "moveVmToRepository Vm name=y CloneCustomizer=c targetRepository=r",
        "start Server name=s", "takeOwnership Server name=s password=secret",
        "releaseOwnership Server name=s", "updateAgentPassword Server name=s password=x",
        "addPolicyServer ServerPool name=p server=s", "takeOwnership Repository name=r",
        "clone VirtualDisk name=d target=r cloneType=THIN_CLONE", "abort Job id=1710770739871",
        "discoverServer ipAddress=192.168.1.10 password=p takeOwnership=No port=8899 username=oracle",
        "ackEvent eventId=1710770739871", "getEvents", "getEvents objType=Vm objId=x acknowledged=No",
        "getManagerTime", "getStatList objType=Server objId=s statType=cpu_utilization "
        "startTime=\"2024-03-18 10:00:00\"",
        "getVnicMacAddrRange", "setVnicMacAddrRange start=00:21:f6:00:00:00 end=00:21:f6:ff:ff:ff",
        "set CommandTimeout=43200", "showclisession", "showversion", "showobjtypes",
        "showcustomcmds Server", "showallcustomcmds", "help", "exit",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        gr_command c;
        parse_ok(ok[i], &c);
        assert_non_null(c.def);
        gr_command_free(&c);
    }
}

static void test_canonical_values(void **state)
{
    value_is("clone VirtualDisk name=d target=r cloneType=Sparse", "cloneType", "SPARSE_COPY");
    value_is("clone VirtualDisk name=d target=r cloneType=NONSPARSE", "cloneType",
             "NON_SPARSE_COPY");
    value_is("edit Vm name=x keymapName=NO", "keymapName", "no");
    value_is("edit Vm name=x bootOrder=cdrom,Disk", "bootOrder", "CDROM,DISK");
    value_is("edit Vm name=x mouseType=usb_tablet", "mouseType", "USB_TABLET");
    value_is("create Vnic name=v network=n macAddress=00:21:F6:AB:CD:EF on Vm name=v",
             "macAddress", "00:21:f6:ab:cd:ef");
    value_is("set OutputMode=xml", "OutputMode", "Xml");
    value_is("set AlphabetizeAttributes=true", "AlphabetizeAttributes", "Yes");
    value_is("edit Vm name=x description=\"Mixed Case\"", "description", "Mixed Case");
    value_is("edit Vm name=x memory=+0064", "memory", "64");
}

static void test_unknown_words(void **state)
{
    parse_err("list Vms", "Unknown object type: Vms; did you mean: Vm, Vnic");
    parse_err("lst Vm", "Unknown command: lst; did you mean: list, set");
    parse_err("frobnicate Vm", "Unknown command: frobnicate");
    parse_err("sh Vm name=x", "Unknown command: sh; did you mean: set, show, stop");
    parse_err("list Zebra", "Unknown object type: Zebra");
    parse_err("list VirtualD", "Unknown object type: VirtualD; did you mean: VirtualDisk");
    parse_err("edit Vm name=x memorylimt=4",
              "Invalid attribute 'memorylimt' for edit Vm; did you mean: memoryLimit");
    parse_err("edit Vm name=x memory_limit=4",
              "Invalid attribute 'memory_limit' for edit Vm; did you mean: memoryLimit");
    parse_err("start Vm name=x force=yes", "Invalid attribute 'force' for start Vm");
    parse_err("set OutputMod=Xml",
              "Invalid attribute 'OutputMod' for set; did you mean: OutputMode");
    parse_err("list", "Missing object type: expected list <objectType>");
    parse_err("name=x", "Unknown command: name=x");
}

static void test_verb_type_errors(void **state)
{
    gr_command c;
    parse_err("create Server name=s", "Command 'create' is not supported for object type Server");
    parse_err("start Repository name=r",
              "Command 'start' is not supported for object type Repository");
    parse_ok("show AccessGroup name=a", &c);
    gr_command_free(&c);
    parse_err("start Cpu name=b", "Object type Cpu is not supported by this Manager");
    parse_ok("refresh SanServer name=s", &c);
    assert_string_equal(c.type->name, "StorageArray");
    gr_command_free(&c);
    parse_err("create VmCloneStorageMapping cloneType=THIN_CLONE vmDiskMapping=m repository=r "
              "on VmCloneCustomizer name=c",
              "Missing mandatory attribute: name");
    parse_err("create VmCloneStorageMapping cloneType=FAST vmDiskMapping=m repository=r "
              "on VmCloneCustomizer name=c",
              "Invalid value 'FAST' for cloneType; expected one of: SPARSE_COPY, "
              "NON_SPARSE_COPY, THIN_CLONE");
    parse_err("create VmCloneNetworkMapping name=n vnic=v on VmCloneCustomizer name=c",
              "Missing mandatory attribute: network");
}

static void test_missing(void **state)
{
    parse_err("show Vm", "Missing instance: expected id=<value> or name=<value> after Vm");
    parse_err("start Vm web01", "Missing instance: expected id=<value> or name=<value> after Vm");
    parse_err("delete Vm name=", "Missing instance: expected id=<value> or name=<value> after Vm");
    parse_err("create Vm name=x repository=r",
              "Missing mandatory attribute: domainType");
    parse_err("create Vm repository=r domainType=XEN_PVM", "Missing mandatory attribute: name");
    parse_err("moveVmToRepository Vm name=y targetRepository=r",
              "Missing mandatory attribute: cloneCustomizer");
    parse_err("exportVirtualAppliance Repository name=repo vms=a",
              "Missing mandatory attribute: name");
    parse_err("edit Vm name=x", "At least one attribute must be specified");
    parse_err("create VmDiskMapping slot=1 on Vm name=v",
              "Missing mandatory attribute: one of virtualDisk, physicalDisk, virtualCdrom");
    parse_err("create VmDiskMapping slot=1 virtualDisk=a physicalDisk=b on Vm name=v",
              "Only one of virtualDisk, physicalDisk, virtualCdrom may be specified");
    parse_err("set", "Missing mandatory attribute: one of OutputMode, EndLineChars, "
              "CommandMode, CommandTimeout, AlphabetizeAttributes");
    parse_err("set OutputMode=Xml CommandMode=Asynchronous",
              "Only one of OutputMode, EndLineChars, CommandMode, CommandTimeout, "
              "AlphabetizeAttributes may be specified");
    parse_err("getEvents objId=x", "Missing mandatory attribute: objType");
    parse_err("showcustomcmds", "Missing object type: expected showcustomcmds <objectType>");
    parse_err("", "Syntax error: empty command");
    parse_err("edit Vm name=x repository=r",
              "repository of Vm can only be set when the object is created");
    parse_err("edit VirtualDisk name=d sparse=No",
              "sparse of VirtualDisk can only be set when the object is created");
    parse_err("start Vm name=x extra", "Syntax error: unexpected 'extra' at column 17");
    parse_err("show Vm name=\"x", "Syntax error: unterminated quote at column 14");
}

static void test_int_ranges(void **state)
{
    value_is("edit Vm name=x cpuCount=1", "cpuCount", "1");
    value_is("edit Vm name=x cpuCount=128", "cpuCount", "128");
    parse_err("edit Vm name=x cpuCount=0",
              "Invalid value '0' for cpuCount; expected an integer from 1 to 128");
    parse_err("edit Vm name=x cpuCount=129",
              "Invalid value '129' for cpuCount; expected an integer from 1 to 128");
    parse_err("edit Vm name=x cpuCount=2x",
              "Invalid value '2x' for cpuCount; expected an integer from 1 to 128");
    parse_err("edit Vm name=x cpuCount=", 
              "Invalid value '' for cpuCount; expected an integer from 1 to 128");
    parse_err("edit Vm name=x memory=99999999999999999999999",
              "Invalid value '99999999999999999999999' for memory; expected an integer from 32 "
              "to 2000000");
    parse_err("edit Vm name=x cpuUtilizationCap=9",
              "Invalid value '9' for cpuUtilizationCap; expected an integer from 10 to 100");
    parse_err("set CommandTimeout=43201",
              "Invalid value '43201' for CommandTimeout; expected an integer from 1 to 43200");
    parse_err("create VmDiskMapping slot=104 virtualDisk=d on Vm name=v",
              "Invalid value '104' for slot; expected an integer from 0 to 103");
    parse_err("discoverServer ipAddress=h password=p port=22",
              "Invalid value '22' for port; expected an integer from 8899 to 8899");
    value_is("edit ServerPool name=p policyCpuThreshold=0", "policyCpuThreshold", "0");
}

static void test_numbers(void **state)
{
    value_is("edit VirtualDisk name=d size=12.5", "size", "12.5");
    value_is("edit VirtualDisk name=d size=1000000", "size", "1000000");
    value_is("edit VirtualDisk name=d size=0.001", "size", "0.001");
    static const char *const bad[] = {"0", "0.0", "1000000.5", "-1", "1e3", "1.2.3", "", "."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char cmd[64], msg[160];
        snprintf(cmd, sizeof cmd, "edit VirtualDisk name=d size=%s", bad[i]);
        snprintf(msg, sizeof msg, "Invalid value '%s' for size; expected a number greater "
                 "than 0 and at most 1000000", bad[i]);
        parse_err(cmd, msg);
    }
}

static void test_bools_enums(void **state)
{
    value_is("edit Vm name=x highAvailability=YES", "highAvailability", "Yes");
    value_is("edit Vm name=x highAvailability=False", "highAvailability", "No");
    parse_err("edit Vm name=x highAvailability=maybe",
              "Invalid value 'maybe' for highAvailability; expected one of: Yes, No");
    parse_err("sendVmMessage Vm name=x key=k message=m log=1",
              "Invalid value '1' for log; expected one of: Yes, No");
    parse_err("create ServerPool name=p clusterEnable=",
              "Invalid value '' for clusterEnable; expected one of: Yes, No");
    parse_err("edit Vm name=x domainType=HVM",
              "Invalid value 'HVM' for domainType; expected one of: XEN_HVM, "
              "XEN_HVM_PV_DRIVERS, XEN_PVM, LDOMS_PVM, UNKNOWN");
    parse_err("set OutputMode=Html",
              "Invalid value 'Html' for OutputMode; expected one of: Verbose, Sparse, Xml, Json");
    parse_err("set EndLineChars=CRCR",
              "Invalid value 'CRCR' for EndLineChars; expected one of: CRLF, CR, LF");
    parse_err("edit Vm name=x bootOrder=DISK,FLOPPY",
              "Invalid value 'FLOPPY' for bootOrder; expected one of: PXE, DISK, CDROM");
    parse_err("edit Vm name=x bootOrder=DISK,disk",
              "Invalid value 'DISK,disk' for bootOrder; values must not repeat");
    parse_err("edit Vm name=x bootOrder=DISK,",
              "Invalid value '' for bootOrder; expected one of: PXE, DISK, CDROM");
    parse_err("edit Server name=s roles=VM,HYPERVISOR",
              "Invalid value 'HYPERVISOR' for roles; expected one of: VM, UTILITY");
    parse_err("clone Vm name=x destType=Template destName=y",
              "Invalid value 'Template' for destType; expected one of: Vm, VmTemplate");
    parse_err("discoverServer ipAddress=h password=p username=root",
              "Invalid value 'root' for username; expected one of: oracle");
    parse_err("getStatList objType=Vms objId=x statType=CPU_COUNT startTime=t",
              "Invalid value 'Vms' for objType; expected one of: AccessGroup, "
              "AntiAffinityGroup, BondPort, ControlDomain, Cpu, CpuCompatibilityGroup, "
              "FileServer, FileServerPlugin, FileSystem, Job, Manager, Network, PeriodicTask, "
              "PhysicalDisk, Port, Repository, RepositoryExport, Server, ServerController, "
              "ServerPool, ServerPoolNetworkPolicy, ServerUpdateGroup, ServerUpdateRepository, "
              "StorageArray, StorageArrayPlugin, StorageInitiator, Tag, VirtualAppliance, "
              "VirtualApplianceVirtualDisk, VirtualApplianceVm, VirtualCdrom, VirtualDisk, "
              "VlanInterface, Vm, VmCloneCustomizer, VmCloneNetworkMapping, "
              "VmCloneStorageMapping, VmDiskMapping, Vnic, VolumeGroup");
}

/* "sendVmMessage Vm name=x key=k <log> message=<len bytes of 'm'>" */
static char *message_cmd(const char *log, size_t len)
{
    char *prefix = NULL;
    size_t n = (size_t)asprintf(&prefix, "sendVmMessage Vm name=x key=k %s message=", log);
    char *cmd = malloc(n + len + 1);
    memcpy(cmd, prefix, n);
    memset(cmd + n, 'm', len);
    cmd[n + len] = '\0';
    free(prefix);
    return cmd;
}

static void test_strings(void **state)
{
    gr_command c;
    char *cmd = message_cmd("log=No", 8192);
    parse_ok(cmd, &c);
    assert_int_equal(strlen(gr_get(&c, "message")), 8192);
    gr_command_free(&c);
    free(cmd);
    cmd = message_cmd("log=no", 8193);
    /* MSG-3 (doc/object-model.md §6.15) */
    parse_err(cmd, "Message is 8193 bytes; the limit is 1024 with log=Yes and 8192 with log=No");
    free(cmd);
    cmd = message_cmd("log=Yes", 1024);
    parse_ok(cmd, &c);
    gr_command_free(&c);
    free(cmd);
    cmd = message_cmd("log=Yes", 1025);
    parse_err(cmd, "Message is 1025 bytes; the limit is 1024 with log=Yes and 8192 with log=No");
    free(cmd);
    cmd = message_cmd("", 1025); /* log defaults to Yes */
    parse_err(cmd, "Message is 1025 bytes; the limit is 1024 with log=Yes and 8192 with log=No");
    free(cmd);
    parse_err("edit Vm name=x name=", "Invalid value for name; expected a string of 1 to 256 bytes");
    value_is("edit Vm name=x description=", "description", "");
    parse_err("sendVmMessage Vm name=x key= message=m",
              "Invalid value for key; expected a string of 1 to 256 bytes");
}

static void test_addresses(void **state)
{
    value_is("discoverServer ipAddress=10.0.0.255 password=p", "ipAddress", "10.0.0.255");
    value_is("discoverServer ipAddress=ovs-01.example.com password=p", "ipAddress",
             "ovs-01.example.com");
    static const char *const bad_hosts[] = {"10.0.0.256", "1.2.3", "-bad.example", "a_b", "",
                                            "1.2.3.4.5", "host..x"};
    for (size_t i = 0; i < sizeof bad_hosts / sizeof bad_hosts[0]; i++) {
        char cmd[96], msg[160];
        snprintf(cmd, sizeof cmd, "discoverServer ipAddress=%s password=p", bad_hosts[i]);
        snprintf(msg, sizeof msg, "Invalid value '%s' for ipAddress; expected an IPv4 address "
                 "or host name", bad_hosts[i]);
        parse_err(cmd, msg);
    }
    value_is("edit ServerPool name=p virtualIP=192.168.0.1", "virtualIP", "192.168.0.1");
    parse_err("edit ServerPool name=p virtualIP=pool.example.com",
              "Invalid value 'pool.example.com' for virtualIP; expected an IPv4 address");
    parse_err("setVnicMacAddrRange start=00:21:f6:00:00 end=00:21:f6:ff:ff:ff",
              "Invalid value '00:21:f6:00:00' for start; expected a MAC address xx:xx:xx:xx:xx:xx");
    parse_err("setVnicMacAddrRange start=00:21:f6:00:00:0g end=00:21:f6:ff:ff:ff",
              "Invalid value '00:21:f6:00:00:0g' for start; expected a MAC address "
              "xx:xx:xx:xx:xx:xx");
    parse_err("ackEvent eventId=171077073987",
              "Invalid value '171077073987' for eventId; expected a 13-digit event id");
    parse_err("ackEvent eventId=171077073987x",
              "Invalid value '171077073987x' for eventId; expected a 13-digit event id");
    parse_err("edit Server name=s ntpServers=a.example,bad_host",
              "Invalid value 'bad_host' for ntpServers; expected an IPv4 address or host name");
    parse_err("edit Server name=s ntpServers=a,b,c,d,e,f,g,h,i",
              "Invalid value 'a,b,c,d,e,f,g,h,i' for ntpServers; expected at most 8 values");
    parse_err("exportVirtualAppliance Repository name=r name=b vms=a,,b",
              "Invalid value '' for vms; expected the name or id of a Vm");
    parse_err("create Vm name=x repository= domainType=XEN_HVM",
              "Invalid value '' for repository; expected the name or id of a Repository");
}

/* Import URLs (doc/command-language.md §4.4, Imports): Oracle's doubled
 * slashes are undone, only for a URL that starts "scheme:////". */
static void test_urls(void **state)
{
    (void)state;
    const char *cd = "importVirtualCdrom Repository name=r url=";
    char buf[256];
#define URL_IS(in, want) (snprintf(buf, sizeof buf, "%s%s", cd, in), value_is(buf, "url", want))
    URL_IS("\"http:////example.com//myiso.iso\"", "http://example.com/myiso.iso");
    URL_IS("'ftp:////h:2121//pub//a.iso'", "ftp://h:2121/pub/a.iso");
    URL_IS("http://example.com//a//b.iso", "http://example.com//a//b.iso");
    URL_IS("HTTPS://example.com/b.iso?x=1#y", "HTTPS://example.com/b.iso?x=1#y");
#undef URL_IS
    parse_err("importVirtualDisk Repository name=r url=file:///etc/passwd",
              "Invalid value 'file:///etc/passwd' for url; expected an http://, https:// or ftp:// URL");
    parse_err("importVirtualDisk Repository name=r url=http://h",
              "Invalid value 'http://h' for url; expected a URL that ends in a file name");
    parse_err("importVirtualDisk Repository name=r url=\"http://h/a b.img\"",
              "Invalid value 'http://h/a b.img' for url; expected a URL with a host and no spaces");
    value_is("importVirtualDisk Repository name=r url=http://h/d.img proxy=p:3128", "proxy", "p:3128");
}

static void test_help_request(void **state)
{
    gr_command c;
    parse_ok("create Vm ?", &c);
    assert_int_equal(c.help, 1);
    assert_string_equal(c.type->name, "Vm");
    gr_command_free(&c);
    parse_ok("?", &c);
    assert_int_equal(c.help, 1);
    assert_null(c.verb);
    gr_command_free(&c);
    parse_ok("frob ?", &c);
    assert_int_equal(c.help, 1);
    gr_command_free(&c);
    parse_ok("edit Vm name=x memory=64 ? cpuCount=2", &c);
    assert_int_equal(c.help, 1);
    assert_string_equal(gr_get(&c, "memory"), "64");
    assert_null(gr_get(&c, "cpuCount")); /* '?' ends the command */
    gr_command_free(&c);
    parse_ok("create Vm name=x ?", &c); /* incomplete, still no error */
    assert_int_equal(c.help, 1);
    gr_command_free(&c);
    parse_ok("create Tag name=\"?\"", &c);
    assert_int_equal(c.help, 0);
    gr_command_free(&c);
}

static void test_tables(void **state)
{
    size_t n;
    const gr_type *const *t = gr_types(&n);
    assert_int_equal(n, 40);
    int r1 = 0;
    for (size_t i = 0; i < n; i++) {
        r1 += t[i]->level == GT_R1;
        assert_true(i == 0 || strcasecmp(t[i - 1]->name, t[i]->name) < 0);
        assert_ptr_equal(gr_type_find(t[i]->name), t[i]);
        assert_non_null(gr_cmd_find("list", t[i]->name));
        assert_non_null(gr_cmd_find("show", t[i]->name));
    }
    assert_int_equal(r1, 38); /* RepositoryExport, ServerUpdateGroup, ServerUpdateRepository, ServerPoolNetworkPolicy, PeriodicTask since issues 11, 12 */
    assert_string_equal(gr_type_find("vm")->show_name, "VM");
    assert_string_equal(gr_type_find("VirtualDisk")->code, "0012");
    assert_string_equal(gr_type_find("VirtualDisk")->show_name, "Virtual Disk");
    assert_string_equal(gr_type_find("ServerPool")->show_name, "Server Pool");
    assert_string_equal(gr_type_find("sanserver")->name, "StorageArray");
    assert_string_equal(gr_type_find("Assembly")->name, "VirtualAppliance");
    assert_null(gr_type_find("Vms"));
    assert_true(gr_is_verb("SHOWVERSION"));
    assert_false(gr_is_verb("sh"));
    const gr_cmd *c = gr_cmd_find("add", "Tag");
    assert_int_equal(c->parent_required, 1);
    assert_string_equal(c->parents[5], "Network");
    assert_ptr_equal(gr_cmd_attr(gr_cmd_find("edit", "Vm"), "MEMORYLIMIT")->name,
                     gr_cmd_attr(gr_cmd_find("create", "Vm"), "memoryLimit")->name);
    assert_null(gr_cmd_find("create", "Server"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instance_rule),   cmocka_unit_test(test_case_insensitive),
        cmocka_unit_test(test_last_duplicate_wins), cmocka_unit_test(test_parents),
        cmocka_unit_test(test_every_verb_form), cmocka_unit_test(test_canonical_values),
        cmocka_unit_test(test_unknown_words),   cmocka_unit_test(test_verb_type_errors),
        cmocka_unit_test(test_missing),         cmocka_unit_test(test_int_ranges),
        cmocka_unit_test(test_numbers),         cmocka_unit_test(test_bools_enums),
        cmocka_unit_test(test_strings),         cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_help_request),    cmocka_unit_test(test_tables),
        cmocka_unit_test(test_urls),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
