/* Sim state on disk, written incrementally.
 *
 *   <state_dir>/agent-state.xml          st without its domains member: the
 *                                        host-wide part (pool, repos, mounts,
 *                                        bridges, ntp, next_domid, ...)
 *   <state_dir>/domains/<vm_id>.xml      one running domain: [vm_id, record]
 *
 * Both are XML-RPC response documents written atomically (tmp + fsync +
 * rename, ovm_write_file_atomic). A save writes only the domains marked
 * dirty (sim_domain_dirty) and agent-state.xml only when its bytes changed,
 * so one VM's change costs O(1) bytes however many domains the host runs:
 * before, every change rewrote every domain in one document.
 *
 * Order: domain files first, then agent-state.xml. A crash in between leaves
 * next_domid behind the domains on disk; the load raises it past them.
 * Directories are not fsynced (as before): a crash of the machine, not of
 * the agent, may lose the last renames; the engine's reconciliation then
 * sees the domain as stopped, as after a host reboot.
 *
 * A state file of the old format (domains inside agent-state.xml) is
 * migrated at start: its domains are written as files and agent-state.xml is
 * rewritten without them. Until that rewrite, the old document stays the
 * authority, so a crash during the migration only repeats it. */
#include "agent/sim.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"

#define DOM_SUFFIX ".xml"

static char *state_file(const struct sim *s)
{
    return xasprintf("%s/agent-state.xml", s->state_dir);
}

static char *domains_dir(const struct sim *s)
{
    return xasprintf("%s/domains", s->state_dir);
}

/* A VM id as one file name: [A-Za-z0-9_-] kept, anything else (and a
 * leading '.') as %XX, so that no id can escape the directory. */
static char *dom_file(const struct sim *s, const char *vm_id)
{
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%s/domains/", s->state_dir);
    for (const unsigned char *p = (const unsigned char *)vm_id; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
            *p == '-')
            sb_addf(&sb, "%c", *p);
        else
            sb_addf(&sb, "%%%02X", *p);
    }
    sb_addf(&sb, "%s", DOM_SUFFIX);
    return sb.buf;
}

void sim_domain_dirty(struct sim *s, const char *vm_id)
{
    if (!s->dirty)
        s->dirty = xr_struct();
    if (!xr_struct_get(s->dirty, vm_id))
        xr_struct_set(s->dirty, vm_id, xr_bool(1));
}

void sim_domain_put(struct sim *s, const char *vm_id, xr_value *dom)
{
    xr_struct_set(sim_member(s->st, "domains", XR_STRUCT), vm_id, dom);
    sim_domain_dirty(s, vm_id);
}

void sim_domain_del(struct sim *s, const char *vm_id)
{
    sim_struct_del(sim_member(s->st, "domains", XR_STRUCT), vm_id);
    sim_domain_dirty(s, vm_id);
}

void sim_domains_clear(struct sim *s)
{
    xr_value *doms = sim_member(s->st, "domains", XR_STRUCT);
    for (size_t i = 0; i < doms->n; i++)
        sim_domain_dirty(s, doms->keys[i]);
    xr_struct_set(s->st, "domains", xr_struct());
}

/* Writes or removes the file of one domain. 0 or -1 (logged). */
static int save_domain(struct sim *s, const char *vm_id)
{
    char *path = dom_file(s, vm_id);
    const xr_value *dom = sim_domain_find(s, vm_id);
    int rc = 0;
    if (!dom) {
        rc = unlink(path) == 0 || errno == ENOENT ? 0 : -1;
    } else {
        xr_value *rec = xr_array();
        xr_array_add(rec, xr_string(vm_id));
        xr_array_add(rec, xr_copy(dom));
        size_t len;
        char *doc = xr_encode_response(rec, &len);
        xr_free(rec);
        rc = ovm_write_file_atomic(path, doc, len, 0600);
        if (rc == 0)
            s->saved_bytes += len;
        free(doc);
    }
    if (rc != 0)
        log_err("cannot %s %s: %s", dom ? "write" : "remove", path, strerror(errno));
    free(path);
    return rc;
}

/* st without its domains, encoded (the domains member is swapped out for
 * the time of the encoding, not copied). */
static char *encode_host_part(struct sim *s, size_t *len)
{
    xr_value *doms = xr_struct_get(s->st, "domains");
    size_t at = 0;
    while (doms && s->st->items[at] != doms)
        at++;
    xr_value *empty = xr_struct();
    if (doms)
        s->st->items[at] = empty;
    char *doc = xr_encode_response(s->st, len);
    if (doms)
        s->st->items[at] = doms;
    xr_free(empty);
    return doc;
}

static int save_host_part(struct sim *s)
{
    size_t len;
    char *doc = encode_host_part(s, &len);
    if (s->host_doc && s->host_len == len && !memcmp(s->host_doc, doc, len)) {
        free(doc);
        return 0;
    }
    char *path = state_file(s);
    int rc = ovm_write_file_atomic(path, doc, len, 0600);
    if (rc != 0) {
        log_err("cannot write %s: %s", path, strerror(errno));
        free(doc);
    } else {
        free(s->host_doc);
        s->host_doc = doc;
        s->host_len = len;
        s->saved_bytes += len;
    }
    free(path);
    return rc;
}

int sim_save(struct sim *s)
{
    s->saved_bytes = 0;
    int rc = 0;
    size_t n = s->dirty ? s->dirty->n : 0;
    if (n) {
        char *dir = domains_dir(s);
        if (ovm_mkdir_p(dir, 0700) != 0) {
            log_err("cannot create %s: %s", dir, strerror(errno));
            rc = -1;
        }
        free(dir);
    }
    /* A domain that failed to save stays dirty, to be retried by the next save. */
    xr_value *left = xr_struct();
    for (size_t i = 0; i < n; i++)
        if (rc != 0 || save_domain(s, s->dirty->keys[i]) != 0) {
            xr_struct_set(left, s->dirty->keys[i], xr_bool(1));
            rc = -1;
        }
    xr_free(s->dirty);
    s->dirty = left;
    if (rc == 0)
        rc = save_host_part(s);
    log_debug("state saved: %zu bytes (%zu domain files)", s->saved_bytes, n);
    return rc;
}

/* Decodes one XML-RPC response document of path. NULL if missing (errno
 * ENOENT) or bad (logged). */
static xr_value *read_doc(const char *path)
{
    size_t len;
    char *buf = ovm_read_file(path, &len);
    if (!buf) {
        if (errno != ENOENT)
            log_err("cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    int code = 0;
    char *fstr = NULL, err[256] = "";
    xr_value *v = NULL;
    int rc = xr_decode_response(buf, len, &v, &code, &fstr, err, sizeof err);
    free(buf);
    free(fstr);
    if (rc != 0) {
        log_err("corrupt state file %s: %s", path, err);
        errno = EINVAL;
        return NULL;
    }
    return v;
}

static int by_domid(const void *a, const void *b)
{
    const xr_value *const *x = a, *const *y = b;
    int64_t p = sim_int((*x)->items[1], "domid", 0), q = sim_int((*y)->items[1], "domid", 0);
    return p < q ? -1 : p > q;
}

/* Reads one domain file into recs ([vm_id, record] arrays); a leftover
 * temporary file of an interrupted write is removed. 0 or -1 (logged). */
static int load_one(const char *dir, const char *name, xr_value *recs)
{
    char *path = xasprintf("%s/%s", dir, name);
    size_t nl = strlen(name), sl = strlen(DOM_SUFFIX);
    int rc = 0;
    if (strstr(name, DOM_SUFFIX ".tmp.")) {
        unlink(path);
    } else if (nl > sl && !strcmp(name + nl - sl, DOM_SUFFIX)) {
        xr_value *rec = read_doc(path);
        if (!rec || rec->type != XR_ARRAY || rec->n != 2 || !xr_get_str(rec->items[0]) ||
            rec->items[1]->type != XR_STRUCT) {
            if (rec)
                log_err("corrupt state file %s: not [vm_id, domain]", path);
            xr_free(rec);
            rc = -1;
        } else {
            xr_array_add(recs, rec);
        }
    }
    free(path);
    return rc;
}

/* The domain files, in domid order (the order they were started in). */
static int load_domains(struct sim *s, xr_value *into)
{
    char *dir = domains_dir(s);
    DIR *d = opendir(dir);
    if (!d) {
        int missing = errno == ENOENT;
        if (!missing)
            log_err("cannot read %s: %s", dir, strerror(errno));
        free(dir);
        return missing ? 0 : -1;
    }
    xr_value *recs = xr_array();
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            rc = load_one(dir, e->d_name, recs);
    closedir(d);
    free(dir);
    if (recs->n > 1) /* items is NULL when empty */
        qsort(recs->items, recs->n, sizeof *recs->items, by_domid);
    for (size_t i = 0; rc == 0 && i < recs->n; i++)
        xr_struct_set(into, xr_get_str(recs->items[i]->items[0]), xr_copy(recs->items[i]->items[1]));
    xr_free(recs);
    return rc;
}

/* next_domid past every loaded domain (see the order note at the top). */
static void fix_next_domid(xr_value *st, const xr_value *doms)
{
    int64_t next = sim_int(st, "next_domid", 1);
    for (size_t i = 0; i < doms->n; i++) {
        int64_t id = sim_int(doms->items[i], "domid", 0);
        if (id >= next)
            next = id + 1;
    }
    xr_struct_set(st, "next_domid", xr_int(next));
}

/* Old format: the document's domains are the truth; every file not among
 * them is marked dirty, so the first save removes it. */
static int migrate_old(struct sim *s, const xr_value *old_doms)
{
    xr_value *files = xr_struct();
    int rc = load_domains(s, files);
    for (size_t i = 0; i < files->n; i++)
        if (!xr_struct_get(old_doms, files->keys[i]))
            sim_domain_dirty(s, files->keys[i]);
    xr_free(files);
    for (size_t i = 0; i < old_doms->n; i++)
        sim_domain_dirty(s, old_doms->keys[i]);
    log_info("migrating %zu domains of agent-state.xml to %s/domains/", old_doms->n, s->state_dir);
    return rc;
}

int sim_load(struct sim *s)
{
    char *path = state_file(s);
    s->st = read_doc(path);
    int missing = !s->st && errno == ENOENT;
    if (!s->st && !missing) {
        free(path);
        return -1;
    }
    if (s->st && s->st->type != XR_STRUCT) {
        log_err("corrupt state file %s: not a struct", path);
        free(path);
        return -1;
    }
    free(path);
    if (!s->st)
        s->st = xr_struct();
    const xr_value *old = xr_struct_get(s->st, "domains");
    int rc;
    if (old && old->type == XR_STRUCT && old->n)
        rc = migrate_old(s, old);
    else
        rc = load_domains(s, sim_member(s->st, "domains", XR_STRUCT));
    fix_next_domid(s->st, sim_member(s->st, "domains", XR_STRUCT));
    return rc;
}
