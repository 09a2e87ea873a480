#include "backend/render/show.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/jobs/jobs.h"
#include "backend/flows/model.h"
#include "backend/render/show_rows.h"
#include "grammar/grammar.h"
#include "lib/util.h"

void fmt_gib(double v, char *buf, size_t len)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, len, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (strchr(buf, 'e')) {
        snprintf(buf, len, "%.1f", v);
        return;
    }
    if (!strchr(buf, '.'))
        strncat(buf, ".0", len - strlen(buf) - 1);
}

static void add(result *r, const char *label, const char *value)
{
    result_show_add(r, label, value ? value : "");
}

static void addi(result *r, const char *label, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    add(r, label, buf);
}

static void addgib(result *r, const char *label, const char *v)
{
    char buf[64] = "";
    if (v && *v)
        fmt_gib(strtod(v, NULL), buf, sizeof buf);
    add(r, label, buf);
}

static void addref(engine *e, result *r, const char *label, const char *id)
{
    obj *o = id && *id ? store_get(e->st, id) : NULL;
    char *t = o ? ref_text(o) : xstrdup(id && *id ? id : "");
    add(r, label, t);
    free(t);
}

static void addidx(result *r, const char *base, size_t i, const char *value)
{
    char label[96];
    snprintf(label, sizeof label, "%s %zu", base, i + 1);
    add(r, label, value);
}

static void addrefs(engine *e, result *r, const char *base, obj **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *t = ref_text(v[i]);
        addidx(r, base, i, t);
        free(t);
    }
}

static int created_cmp(const void *a, const void *b)
{
    const obj *x = *(obj *const *)a, *y = *(obj *const *)b;
    long long cx = obj_get_int(x, "created", 0), cy = obj_get_int(y, "created", 0);
    if (cx != cy)
        return cx < cy ? -1 : 1;
    return strcmp(x->id, y->id);
}

size_t related(engine *e, const char *type, const char *key, const char *id, int is_list, obj ***out)
{
    size_t n;
    if (!is_list) {
        n = store_find_by(e->st, type, key, id, out);
    } else {
        obj **all;
        size_t na = store_list(e->st, type, &all);
        *out = xmalloc((na ? na : 1) * sizeof **out);
        n = 0;
        for (size_t i = 0; i < na; i++)
            if (obj_list_has(all[i], key, id))
                (*out)[n++] = all[i];
        free(all);
    }
    if (n > 1)
        qsort(*out, n, sizeof **out, created_cmp);
    return n;
}

/* Objects whose ids are listed in o's attribute key, in list order. */
static size_t listed(engine *e, const obj *o, const char *key, obj ***out)
{
    char **ids;
    size_t n = split_list(obj_get(o, key), &ids), k = 0;
    *out = xmalloc((n ? n : 1) * sizeof **out);
    for (size_t i = 0; i < n; i++) {
        obj *x = store_get(e->st, ids[i]);
        if (x)
            (*out)[k++] = x;
    }
    free_list(ids, n);
    return k;
}

static void add_related(engine *e, result *r, const char *label, const char *type, const char *key,
                        const char *id, int is_list)
{
    obj **v;
    size_t n = related(e, type, key, id, is_list, &v);
    addrefs(e, r, label, v, n);
    free(v);
}

static void add_listed(engine *e, result *r, const char *label, const obj *o, const char *key)
{
    obj **v;
    size_t n = listed(e, o, key, &v);
    addrefs(e, r, label, v, n);
    free(v);
}

/* The attribute of o's type in the grammar (for its default and labels). */
static const gr_attr *attr_of(const obj *o, const char *key)
{
    return gr_type_attr(o->type, key);
}

/* The stored value, else the row's own default, else the grammar's. */
static const char *value_of(const obj *o, const show_row *row)
{
    const char *v = obj_get(o, row->attr);
    if (!v)
        v = row->deflt ? row->deflt : gr_attr_value_default(attr_of(o, row->attr));
    return v;
}

static void add_list(const obj *o, const show_row *row, result *r)
{
    char **items;
    const gr_attr *a = attr_of(o, row->attr);
    size_t n = split_list(value_of(o, row), &items);
    for (size_t i = 0; i < n; i++)
        addidx(r, row->label, i, gr_enum_label(a, items[i]));
    free_list(items, n);
}

static void show_row_add(engine *e, const obj *o, const show_row *row, result *r)
{
    switch (row->kind) {
    case SR_NAME: add(r, row->label, o->name); break;
    case SR_ID: add(r, row->label, o->id); break;
    case SR_STATUS: add(r, row->label, status_of(o)); break;
    case SR_LOCKED: add(r, row->label, o->lock_job ? "true" : "false"); break;
    case SR_VALUE: add(r, row->label, gr_enum_label(attr_of(o, row->attr), value_of(o, row))); break;
    case SR_GIB: addgib(r, row->label, value_of(o, row)); break;
    case SR_REF: addref(e, r, row->label, obj_get(o, row->attr)); break;
    case SR_LIST: add_list(o, row, r); break;
    case SR_RELATED: add_related(e, r, row->label, row->type, row->attr, o->id, row->is_list); break;
    case SR_LISTED: add_listed(e, r, row->label, o, row->attr); break;
    case SR_CONST: add(r, row->label, row->attr); break;
    case SR_FN: row->fn(e, o, r); break;
    }
}

void show_object(engine *e, const obj *o, result *r)
{
    r->kind = RD_SHOW;
    r->has_data = 1;
    for (const show_row *row = show_rows_of(o->type); row->label || row->kind == SR_FN; row++)
        show_row_add(e, o, row, r);
}

/* ---- rows that are computed (SR_FN rows of show_tables.c) ---- */

void show_vm_config_path(engine *e, const obj *o, result *r)
{
    (void)e;
    char *cfg = xasprintf("/OVS/Repositories/%s/%s/%s/vm.cfg", obj_gets(o, "repository"),
                          status_get(o) == ST_TEMPLATE ? "Templates" : "VirtualMachines", o->id);
    add(r, "Config File Mounted Path", cfg);
    free(cfg);
}

static int slot_cmp(const void *a, const void *b)
{
    long long x = obj_get_int(*(obj *const *)a, "slot", 0), y = obj_get_int(*(obj *const *)b, "slot", 0);
    return x < y ? -1 : x > y;
}

void show_vm_mappings(engine *e, const obj *o, result *r)
{
    obj **maps;
    size_t n = store_find_by(e->st, "VmDiskMapping", "vm", o->id, &maps);
    qsort(maps, n, sizeof *maps, slot_cmp);
    for (size_t i = 0; i < n; i++) {
        const char *disk = obj_get(maps[i], "virtualDisk");
        if (!disk)
            disk = obj_get(maps[i], "physicalDisk");
        if (!disk)
            disk = obj_get(maps[i], "virtualCdrom");
        char *v = xasprintf("%s  [Mapping for disk Id (%s)]", maps[i]->id, disk ? disk : "EMPTY_CDROM");
        addidx(r, "VmDiskMapping", i, v);
        free(v);
    }
    free(maps);
}

void show_usable_memory(engine *e, const obj *o, result *r)
{
    addi(r, "Usable Memory (MB)", server_usable_memory(e, o));
}

static void add_repo_path(const obj *o, const char *dir, result *r)
{
    char *p = xasprintf("/OVS/Repositories/%s/%s/%s", obj_gets(o, "repository"), dir, o->id);
    add(r, "Mounted Path", p);
    free(p);
}

void show_disk_path(engine *e, const obj *o, result *r)
{
    (void)e;
    add_repo_path(o, "VirtualDisks", r);
}

void show_iso_path(engine *e, const obj *o, result *r)
{
    (void)e;
    add_repo_path(o, "ISOs", r);
}

void show_mapped_disk(engine *e, const obj *o, result *r)
{
    if (obj_get(o, "virtualDisk"))
        addref(e, r, "Virtual Disk", obj_get(o, "virtualDisk"));
    else if (obj_get(o, "physicalDisk"))
        addref(e, r, "Physical Disk", obj_get(o, "physicalDisk"));
    else if (obj_get(o, "virtualCdrom"))
        addref(e, r, "Virtual Cdrom", obj_get(o, "virtualCdrom"));
    else
        add(r, "Virtual Cdrom", "EMPTY_CDROM");
}

void show_manager_uuid(engine *e, const obj *o, result *r)
{
    (void)e;
    add(r, "Manager UUID", o->id);
}

void show_mac_range(engine *e, const obj *o, result *r)
{
    (void)e;
    char *range = xasprintf("%s-%s", obj_gets(o, "macStart"), obj_gets(o, "macEnd"));
    add(r, "MAC Range", range);
    free(range);
}

/* cli-contract §8.5: "VolumeGroup" is "<name>  [<description>]", "San Server" the array's name. */
void show_pdisk_san(engine *e, const obj *o, result *r)
{
    const obj *vg = store_get(e->st, obj_gets(o, "volumeGroup"));
    const obj *array = store_get(e->st, obj_gets(o, "storageArray"));
    char *vgtext = vg ? xasprintf("%s  [%s]", vg->name, obj_gets(vg, "description")) : xstrdup("");
    add(r, "VolumeGroup", vgtext);
    add(r, "San Server", array ? array->name : "");
    free(vgtext);
}

/* An OCFS2 file system on a LUN: its disk, type and owner; NFS ones show none of these. */
void show_fs_ocfs2(engine *e, const obj *o, result *r)
{
    if (!obj_is(o, "fsType", "OCFS2"))
        return;
    addref(e, r, "Physical Disk", obj_get(o, "physicalDisk"));
    add(r, "File System Type", "OCFS2");
    add(r, "Manager UUID", obj_gets(o, "managerUuid"));
}

static void add_time(result *r, const char *label, int64_t ms)
{
    char buf[64] = "";
    if (ms)
        ovm_time_header(ms, buf, sizeof buf);
    add(r, label, buf);
}

void show_job(engine *e, const job *j, result *r)
{
    char id[32];
    r->kind = RD_SHOW;
    r->has_data = 1;
    snprintf(id, sizeof id, "%lld", (long long)j->id);
    add(r, "Id", id);
    add(r, "Name", j->name);
    add(r, "Description", j->description ? j->description : "");
    add(r, "Summary State", job_summary_state(j->run_state));
    add(r, "Summary Done", j->finished ? "Yes" : "No");
    add(r, "Run State", j->run_state);
    add(r, "Progress Message", j->progress ? j->progress : "");
    add_time(r, "Start Time", j->start_ms);
    add_time(r, "End Time", j->end_ms);
    store_rdlock(e->st);
    addref(e, r, "Result Object", j->result_obj ? j->result_obj : j->target);
    store_unlock(e->st);
    add(r, "Error", j->error ? j->error : "");
    add(r, "User", j->user);
    for (size_t i = 0; i < j->nchildren; i++) {
        job *c = jobs_snapshot(e->js, j->children[i]);
        char *v = c ? xasprintf("%lld  [%s]", (long long)c->id, c->name) : xasprintf("%lld", (long long)j->children[i]);
        addidx(r, "Child Job", i, v);
        free(v);
        job_snapshot_free(c);
    }
}

/* The embedded IP address configuration of a Port, BondPort or VlanInterface,
 * as Oracle VM 3.4 shows it (index 1: a device has at most one). */
void show_ip_config(engine *e, const obj *o, result *r)
{
    (void)e;
    const char *type = obj_gets(o, "addressType");
    if (strcmp(type, "STATIC") != 0 && strcmp(type, "DHCP") != 0)
        return;
    add(r, "Ip Address Config 1 - Address Type", "Ipv4");
    add(r, "Ip Address Config 1 - Config Type", !strcmp(type, "STATIC") ? "Static" : "Dynamic");
    if (!strcmp(type, "STATIC")) {
        add(r, "Ip Address Config 1 - Address", obj_gets(o, "ipAddress"));
        add(r, "Ip Address Config 1 - Netmask", obj_gets(o, "netmask"));
    }
}
