/* OVF descriptors (DMTF DSP0243 1.x and 2.0): References/File,
 * DiskSection/Disk, and every VirtualSystem (also inside a
 * VirtualSystemCollection) with the CPUs, memory, disks and NICs of its
 * VirtualHardwareSection. Elements and attributes are matched by local name
 * once the envelope's namespace is known to be OVF 1 or 2, so a prefix other
 * than ovf: or rasd: is fine. OVF 0.9 (VMware ESX 3.5) is refused, as Oracle
 * VM refuses it (Concepts Guide 000:1327). */
#include "agent/ovf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "lib/util.h"

#define NS_OVF1 "http://schemas.dmtf.org/ovf/envelope/1"
#define NS_OVF2 "http://schemas.dmtf.org/ovf/envelope/2"
#define OVF_MAX_ITEMS 256 /* files, disks, VMs: a bound against silly descriptors */

static int is(const xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, local);
}

/* An attribute by local name, whatever its prefix. Heap or NULL. */
static char *attr(const xmlNode *n, const char *local)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (!strcmp((const char *)a->name, local)) {
            xmlChar *v = xmlNodeGetContent((const xmlNode *)a);
            char *s = xstrdup(v ? (const char *)v : "");
            xmlFree(v);
            return s;
        }
    return NULL;
}

/* The text of the first child element named local, or NULL. Heap. */
static char *child_text(const xmlNode *n, const char *local)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (is(c, local)) {
            xmlChar *v = xmlNodeGetContent(c);
            char *s = xstrdup(v ? (const char *)v : "");
            xmlFree(v);
            return s;
        }
    return NULL;
}

static int64_t number(const char *s)
{
    if (!s || !*s)
        return -1;
    char *end;
    long long v = strtoll(s, &end, 10);
    return (*end || v < 0) ? -1 : v;
}

int64_t ovf_units(const char *units, int64_t dflt)
{
    if (!units || !*units)
        return dflt;
    if (!ovm_strcasecmp(units, "MegaBytes") || !ovm_strcasecmp(units, "MB"))
        return INT64_C(1) << 20;
    if (!ovm_strcasecmp(units, "GigaBytes") || !ovm_strcasecmp(units, "GB"))
        return INT64_C(1) << 30;
    int exp = 0;
    char rest[8];
    if (!strcmp(units, "byte") || !strcmp(units, "bytes"))
        return 1;
    if (sscanf(units, "byte * 2^%d%7s", &exp, rest) == 1 && exp >= 0 && exp <= 50)
        return INT64_C(1) << exp;
    return 0;
}

static int add_file(struct ovf *o, const xmlNode *n, char **why)
{
    char *id = attr(n, "id"), *href = attr(n, "href"), *size = attr(n, "size");
    int rc = 0;
    if (!id || !href) {
        *why = xstrdup("a File in References lacks ovf:id or ovf:href");
        rc = -1;
    } else {
        o->files = xrealloc(o->files, (o->nfiles + 1) * sizeof *o->files);
        o->files[o->nfiles++] = (struct ovf_file){id, href, size ? number(size) : -1};
        id = href = NULL;
    }
    free(id);
    free(href);
    free(size);
    return rc;
}

static int add_disk(struct ovf *o, const xmlNode *n, char **why)
{
    char *id = attr(n, "diskId"), *ref = attr(n, "fileRef"), *cap = attr(n, "capacity");
    char *units = attr(n, "capacityAllocationUnits");
    int64_t mul = ovf_units(units, 1), c = number(cap);
    int rc = -1;
    if (!id || !ref)
        *why = xasprintf("Disk %s has no ovf:diskId or ovf:fileRef (disks without a file are not supported)",
                         id ? id : "?");
    else if (c <= 0 || mul == 0 || c > INT64_MAX / mul)
        *why = xasprintf("Disk %s has no usable ovf:capacity", id);
    else if (!ovf_file_by_id(o, ref))
        *why = xasprintf("Disk %s refers to file %s, which References does not list", id, ref);
    else {
        o->disks = xrealloc(o->disks, (o->ndisks + 1) * sizeof *o->disks);
        o->disks[o->ndisks++] = (struct ovf_disk){id, ref, c * mul};
        id = ref = NULL;
        rc = 0;
    }
    free(id);
    free(ref);
    free(cap);
    free(units);
    return rc;
}

/* One rasd Item of a VirtualHardwareSection. */
static int add_item(struct ovf *o, struct ovf_vm *vm, const xmlNode *n, char **why)
{
    char *type = child_text(n, "ResourceType"), *qty = child_text(n, "VirtualQuantity");
    char *units = child_text(n, "AllocationUnits"), *host = child_text(n, "HostResource");
    int t = type ? atoi(type) : 0, rc = 0;
    int64_t q = number(qty);
    if (t == 3 && q > 0 && q <= 128)
        vm->cpus = (int)q;
    else if (t == 4) {
        int64_t mul = ovf_units(units, INT64_C(1) << 20);
        if (q <= 0 || mul == 0 || q > (INT64_C(1) << 50) / mul) {
            *why = xasprintf("VirtualSystem %s has no usable memory size", vm->name);
            rc = -1;
        } else
            vm->memory_mb = q * mul >> 20;
    } else if (t == 10)
        vm->nics++;
    else if (t == 17 && host) {
        const char *id = !strncmp(host, "ovf:/disk/", 10) ? host + 10 : !strncmp(host, "/disk/", 6) ? host + 6 : NULL;
        if (!id || !ovf_disk_by_id(o, id)) {
            *why = xasprintf("VirtualSystem %s uses disk %s, which DiskSection does not list", vm->name, host);
            rc = -1;
        } else {
            vm->disk_ids = xrealloc(vm->disk_ids, (vm->ndisks + 1) * sizeof *vm->disk_ids);
            vm->disk_ids[vm->ndisks++] = xstrdup(id);
        }
    }
    free(type);
    free(qty);
    free(units);
    free(host);
    return rc;
}

static int add_vm(struct ovf *o, const xmlNode *n, char **why)
{
    if (o->nvms >= OVF_MAX_ITEMS) {
        *why = xstrdup("the descriptor has too many VirtualSystems");
        return -1;
    }
    char *id = attr(n, "id"), *name = child_text(n, "Name");
    o->vms = xrealloc(o->vms, (o->nvms + 1) * sizeof *o->vms);
    struct ovf_vm *vm = &o->vms[o->nvms++];
    *vm = (struct ovf_vm){.name = xstrdup(name && *name ? name : id && *id ? id : "vm"), .cpus = 1,
                          .memory_mb = 512};
    free(id);
    free(name);
    for (const xmlNode *h = n->children; h; h = h->next)
        if (is(h, "VirtualHardwareSection"))
            for (const xmlNode *it = h->children; it; it = it->next)
                if (is(it, "Item") && add_item(o, vm, it, why) != 0)
                    return -1;
    return 0;
}

/* Walks the envelope: References before DiskSection before the systems, as
 * the standard orders them; a descriptor in another order fails plainly. */
static int walk(struct ovf *o, const xmlNode *n, char **why)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        int rc = 0;
        if ((o->nfiles >= OVF_MAX_ITEMS || o->ndisks >= OVF_MAX_ITEMS) && (is(c, "File") || is(c, "Disk"))) {
            *why = xstrdup("the descriptor lists too many files or disks");
            return -1;
        }
        if (is(c, "File"))
            rc = add_file(o, c, why);
        else if (is(c, "Disk"))
            rc = add_disk(o, c, why);
        else if (is(c, "VirtualSystem"))
            rc = add_vm(o, c, why);
        else if (is(c, "References") || is(c, "DiskSection") || is(c, "VirtualSystemCollection"))
            rc = walk(o, c, why);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* 0 if root is an OVF 1.x or 2.0 Envelope; notes the version. */
static int envelope_ok(struct ovf *o, const xmlNode *root, char **why)
{
    const char *ns = root && root->ns && root->ns->href ? (const char *)root->ns->href : "";
    if (!is(root, "Envelope")) {
        *why = xstrdup("the descriptor is not an OVF Envelope");
        return -1;
    }
    if (strcmp(ns, NS_OVF1) && strcmp(ns, NS_OVF2)) {
        *why = xasprintf("OVF namespace '%s' is not supported (OVF 1.x and 2.0 only; 0.9 is not)", ns);
        return -1;
    }
    snprintf(o->version, sizeof o->version, "%s", strcmp(ns, NS_OVF1) ? "2.0" : "1.x");
    return 0;
}

int ovf_parse(const char *path, struct ovf *o, char **why)
{
    memset(o, 0, sizeof *o);
    *why = NULL;
    const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    xmlDocPtr doc = xmlReadFile(path, NULL, opts);
    if (!doc) {
        const xmlError *err = xmlGetLastError();
        char *msg = xstrdup(err && err->message ? err->message : "unreadable");
        msg[strcspn(msg, "\n")] = '\0';
        *why = xasprintf("the OVF descriptor is not well-formed XML (line %d: %s)", err ? err->line : 0, msg);
        free(msg);
        return -1;
    }
    const xmlNode *root = xmlDocGetRootElement(doc);
    int rc = envelope_ok(o, root, why) == 0 ? walk(o, root, why) : -1;
    if (rc == 0 && o->nvms == 0) {
        *why = xstrdup("the descriptor has no VirtualSystem");
        rc = -1;
    }
    xmlFreeDoc(doc);
    if (rc != 0)
        ovf_free(o);
    return rc;
}

void ovf_free(struct ovf *o)
{
    for (size_t i = 0; i < o->nfiles; i++)
        free(o->files[i].id), free(o->files[i].href);
    for (size_t i = 0; i < o->ndisks; i++)
        free(o->disks[i].id), free(o->disks[i].file_ref);
    for (size_t i = 0; i < o->nvms; i++) {
        for (size_t k = 0; k < o->vms[i].ndisks; k++)
            free(o->vms[i].disk_ids[k]);
        free(o->vms[i].disk_ids);
        free(o->vms[i].name);
    }
    free(o->files);
    free(o->disks);
    free(o->vms);
    memset(o, 0, sizeof *o);
}

const struct ovf_file *ovf_file_by_id(const struct ovf *o, const char *id)
{
    for (size_t i = 0; i < o->nfiles; i++)
        if (!strcmp(o->files[i].id, id))
            return &o->files[i];
    return NULL;
}

const struct ovf_disk *ovf_disk_by_id(const struct ovf *o, const char *id)
{
    for (size_t i = 0; i < o->ndisks; i++)
        if (!strcmp(o->disks[i].id, id))
            return &o->disks[i];
    return NULL;
}
