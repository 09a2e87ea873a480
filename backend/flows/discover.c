#include "backend/flows/discover.h"
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/text.h"
#include "lib/util.h"

static xmlDocPtr parse(const char *xml, char **err)
{
    int len = (int)strlen(xml);
    xmlDocPtr doc = xmlReadMemory(xml, len, "discovery.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                                      XML_PARSE_NOWARNING);
    if (!doc)
        *err = xstrdup("malformed discovery document");
    return doc;
}

/* Text of the first node matching path, copied into buf ("" if none). */
static void text_at(xmlXPathContextPtr ctx, const char *path, char *buf, size_t len)
{
    buf[0] = '\0';
    xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)path, ctx);
    if (r && r->nodesetval && r->nodesetval->nodeNr > 0) {
        xmlChar *t = xmlNodeGetContent(r->nodesetval->nodeTab[0]);
        if (t) {
            /* character references can still carry what lib/text.c refuses */
            char *clean = ovm_text_from_peer((const char *)t);
            snprintf(buf, len, "%s", clean);
            free(clean);
            xmlFree(t);
        }
    }
    xmlXPathFreeObject(r);
}

static long long num_at(xmlXPathContextPtr ctx, const char *path)
{
    char buf[64];
    text_at(ctx, path, buf, sizeof buf);
    return strtoll(buf, NULL, 10);
}

static int with_doc(const char *xml, const char *root, char **err, void (*fn)(xmlXPathContextPtr, void *),
                    void *arg)
{
    xmlDocPtr doc = parse(xml, err);
    if (!doc)
        return -1;
    xmlNodePtr r = xmlDocGetRootElement(doc);
    if (!r || strcmp((const char *)r->name, root) != 0) {
        *err = xasprintf("unexpected discovery document (expected %s)", root);
        xmlFreeDoc(doc);
        return -1;
    }
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    fn(ctx, arg);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return 0;
}

#define T(path, field) text_at(ctx, path, f->field, sizeof f->field)

static void read_server(xmlXPathContextPtr ctx, void *arg)
{
    server_facts *f = arg;
    T("/*/Server/Unique_Id", unique_id);
    T("/*/Server/Hostname", hostname);
    T("/*/Server/Registered_IP", registered_ip);
    T("/*/Server/Boot_Time", boot_time);
    T("/*/Server/Agent_Version", agent_version);
    T("/*/Server/OVM_Version", ovm_version);
    T("/*/Server/CPU_Type", cpu_type);
    T("/*/Server/Manager_Unique_Id", manager_uuid);
    T("/*/Server/Pool_Unique_Id", pool_uuid);
    T("/*/Server/Membership_State", membership);
    T("/*/Server/Server_Roles", roles);
    char maj[16], min[16], extra[32];
    text_at(ctx, "/*/Server/VMM/Version/Major", maj, sizeof maj);
    text_at(ctx, "/*/Server/VMM/Version/Minor", min, sizeof min);
    text_at(ctx, "/*/Server/VMM/Version/Extra", extra, sizeof extra);
    if (*maj)
        snprintf(f->xen_version, sizeof f->xen_version, "%s.%s%s", maj, min, extra);
}

static void read_hardware(xmlXPathContextPtr ctx, void *arg)
{
    server_facts *f = arg;
    f->threads_per_core = num_at(ctx, "//VMM/PhysicalInfo/ThreadsPerCore");
    f->cores_per_socket = num_at(ctx, "//VMM/PhysicalInfo/CoresPerSocket");
    f->sockets = num_at(ctx, "//VMM/PhysicalInfo/SocketsPerNode");
    f->nodes = num_at(ctx, "//VMM/PhysicalInfo/Nodes");
    f->cpukhz = num_at(ctx, "//VMM/PhysicalInfo/CPUKHz");
    f->total_pages = num_at(ctx, "//VMM/PhysicalInfo/TotalPages");
    f->free_pages = num_at(ctx, "//VMM/PhysicalInfo/FreePages");
    T("//CPUInfo/Proc_Info/CPU[1]/Vendor", cpu_vendor);
    T("//CPUInfo/Proc_Info/CPU[1]/Family", cpu_family);
    T("//CPUInfo/Proc_Info/CPU[1]/Model", cpu_model);
    T("//DMTF/System/Manufacturer", manufacturer);
    T("//DMTF/System/Product_Name", product);
    T("//DMTF/System/Serial_Number", serial);
    T("//DMTF/System/BIOS_Version", bios_version);
    T("//DMTF/System/BIOS_Release_Date", bios_date);
}

/* Text of the child element name of node ("" if none). */
static void child_text(xmlNodePtr node, const char *name, char *buf, size_t len)
{
    buf[0] = '\0';
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, name) != 0)
            continue;
        xmlChar *t = xmlNodeGetContent(c);
        char *clean = ovm_text_from_peer(t ? (const char *)t : "");
        snprintf(buf, len, "%s", clean);
        free(clean);
        xmlFree(t);
        return;
    }
}

static long long child_num(xmlNodePtr node, const char *name, long long dflt)
{
    char buf[32];
    child_text(node, name, buf, sizeof buf);
    return *buf ? strtoll(buf, NULL, 10) : dflt;
}

static void read_device(xmlNodePtr node, net_device *d)
{
    xmlChar *name = xmlGetProp(node, (const xmlChar *)"Name");
    char *clean = ovm_text_from_peer(name ? (const char *)name : "");
    snprintf(d->name, sizeof d->name, "%s", clean);
    free(clean);
    xmlFree(name);
    child_text(node, "MAC", d->mac, sizeof d->mac);
    child_text(node, "Master", d->master, sizeof d->master);
    child_text(node, "Slaves", d->slaves, sizeof d->slaves);
    child_text(node, "Parent", d->parent, sizeof d->parent);
    d->mtu = child_num(node, "MTU", 1500);
    d->vlan_id = child_num(node, "VLAN_Id", 0);
    d->bond_mode = child_num(node, "Bonding_Mode", -1);
    for (xmlNodePtr c = node->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "Family")) {
            child_text(c, "Config_Type", d->addr_type, sizeof d->addr_type);
            child_text(c, "Address", d->ip, sizeof d->ip);
            child_text(c, "Netmask", d->netmask, sizeof d->netmask);
        }
}

static void read_network(xmlXPathContextPtr ctx, void *arg)
{
    server_facts *f = arg;
    T("//Network/Device[@Name='eth0']/MAC", eth0_mac);
    T("//Bridges/Device[1]/Family/Netmask", netmask);
    xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)"//Active/Network/Device", ctx);
    for (int i = 0; r && r->nodesetval && i < r->nodesetval->nodeNr && f->ndevs < NET_DEVICES_MAX; i++)
        read_device(r->nodesetval->nodeTab[i], &f->devs[f->ndevs++]);
    xmlXPathFreeObject(r);
}

int parse_discover_server(const char *xml, server_facts *f, char **err)
{
    int rc = with_doc(xml, "Discover_Server_Result", err, read_server, f);
    if (rc == 0 && !f->unique_id[0]) {
        *err = xstrdup("discovery document without Unique_Id");
        return -1;
    }
    return rc;
}

int parse_discover_hardware(const char *xml, server_facts *f, char **err)
{
    return with_doc(xml, "Discover_Hardware_Result", err, read_hardware, f);
}

int parse_discover_network(const char *xml, server_facts *f, char **err)
{
    return with_doc(xml, "Discover_Network_Result", err, read_network, f);
}

typedef struct repo_ctx {
    const char *repo_id;
    repo_files *out;
} repo_ctx;

static size_t collect(xmlXPathContextPtr ctx, const char *path, char ***out)
{
    *out = NULL;
    xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)path, ctx);
    size_t n = 0;
    if (r && r->nodesetval && r->nodesetval->nodeNr > 0) {
        *out = xmalloc((size_t)r->nodesetval->nodeNr * sizeof **out);
        for (int i = 0; i < r->nodesetval->nodeNr; i++) {
            xmlChar *t = xmlNodeGetContent(r->nodesetval->nodeTab[i]);
            if (t && *t)
                (*out)[n++] = ovm_text_from_peer((const char *)t);
            xmlFree(t);
        }
    }
    xmlXPathFreeObject(r);
    return n;
}

static void read_repo(xmlXPathContextPtr ctx, void *arg)
{
    repo_ctx *rc = arg;
    char *disks = xasprintf("//Repository[@Name='%s']/VirtualDisks/Disk", rc->repo_id);
    char *isos = xasprintf("//Repository[@Name='%s']/ISOs/ISO", rc->repo_id);
    rc->out->ndisks = collect(ctx, disks, &rc->out->disks);
    rc->out->nisos = collect(ctx, isos, &rc->out->isos);
    free(disks);
    free(isos);
}

int parse_discover_repositories(const char *xml, const char *repo_id, repo_files *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (strchr(repo_id, '\'')) {
        *err = xstrdup("invalid repository id");
        return -1;
    }
    repo_ctx rc = {repo_id, out};
    return with_doc(xml, "Discover_Repositories_Result", err, read_repo, &rc);
}

void repo_files_free(repo_files *r)
{
    for (size_t i = 0; i < r->ndisks; i++)
        free(r->disks[i]);
    for (size_t i = 0; i < r->nisos; i++)
        free(r->isos[i]);
    free(r->disks);
    free(r->isos);
    memset(r, 0, sizeof *r);
}
