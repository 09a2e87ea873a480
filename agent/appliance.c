/* import_virtual_appliance and delete_virtual_appliance: an OVA downloaded
 * (agent/import.c's download: limits, temporary file) into a repository's
 * Assemblies/<id>/, checked and unpacked there into raw images <n>.img and
 * its descriptor package.ovf (doc/agent-protocol.md, "Virtual appliances").
 * Everything happens in the hidden folder Assemblies/.import-<id>.d, which
 * becomes Assemblies/<id> only when the whole package passed; any failure
 * removes it, so a lying or broken package leaves nothing behind. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "agent/dispatch.h"
#include "agent/ova.h"
#include "lib/log.h"
#include "lib/util.h"

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a > b && !ovm_strcasecmp(s + a - b, tail);
}

/* The one descriptor and the manifest (if any) among the package's files.
 * NULL, or why (heap). */
static char *find_descriptor(const char *pkg, char **ovf, char **mf)
{
    DIR *d = opendir(pkg);
    if (!d)
        return xasprintf("cannot read the unpacked package: %s", strerror(errno));
    char *why = NULL;
    for (struct dirent *e; !why && (e = readdir(d));) {
        char **slot = ends_with(e->d_name, ".ovf") ? ovf : ends_with(e->d_name, ".mf") ? mf : NULL;
        if (slot && *slot)
            why = xasprintf("the package holds more than one %s file", slot == ovf ? ".ovf" : ".mf");
        else if (slot)
            *slot = xstrdup(e->d_name);
    }
    closedir(d);
    if (!why && !*ovf)
        why = xstrdup("the package holds no .ovf descriptor");
    return why;
}

/* Every File of References is in the package with its declared size. */
static char *check_files(const struct ovf *o, const char *pkg)
{
    for (size_t i = 0; i < o->nfiles; i++) {
        const struct ovf_file *f = &o->files[i];
        char *path = xasprintf("%s/%s", pkg, f->href);
        struct stat st;
        int there = ustar_name_ok(f->href) && stat(path, &st) == 0 && S_ISREG(st.st_mode);
        free(path);
        if (!there)
            return xasprintf("the OVF references file %s, which the package lacks", f->href);
        if (f->size >= 0 && f->size != (int64_t)st.st_size)
            return xasprintf("file %s is %lld bytes, not the %lld bytes the OVF declares", f->href,
                             (long long)st.st_size, (long long)f->size);
    }
    return NULL;
}

/* The description the engine stores (doc/agent-protocol.md). */
static xr_value *describe(const struct ovf *o)
{
    xr_value *res = xr_struct(), *disks = xr_array(), *vms = xr_array();
    xr_struct_set(res, "ovf_version", xr_string(o->version));
    for (size_t i = 0; i < o->ndisks; i++) {
        xr_value *d = xr_struct();
        char file[32];
        snprintf(file, sizeof file, "%zu.img", i);
        xr_struct_set(d, "file", xr_string(file));
        xr_struct_set(d, "name", xr_string(ovf_file_by_id(o, o->disks[i].file_ref)->href));
        xr_struct_set(d, "size", xr_int(o->disks[i].capacity));
        xr_array_add(disks, d);
    }
    for (size_t i = 0; i < o->nvms; i++) {
        const struct ovf_vm *v = &o->vms[i];
        xr_value *vm = xr_struct(), *files = xr_array();
        xr_struct_set(vm, "name", xr_string(v->name));
        xr_struct_set(vm, "cpus", xr_int(v->cpus));
        xr_struct_set(vm, "memory", xr_int(v->memory_mb));
        xr_struct_set(vm, "nics", xr_int(v->nics));
        for (size_t k = 0; k < v->ndisks; k++)
            for (size_t n = 0; n < o->ndisks; n++)
                if (!strcmp(o->disks[n].id, v->disk_ids[k])) {
                    char file[32];
                    snprintf(file, sizeof file, "%zu.img", n);
                    xr_array_add(files, xr_string(file));
                }
        xr_struct_set(vm, "disks", files);
        xr_array_add(vms, vm);
    }
    xr_struct_set(res, "disks", disks);
    xr_struct_set(res, "vms", vms);
    return res;
}

/* Checks and converts the package unpacked in pkg into work. */
static xr_value *convert_package(const char *pkg, const char *work, char **why)
{
    char *ovf_name = NULL, *mf = NULL;
    struct ovf o = {0};
    xr_value *res = NULL;
    *why = find_descriptor(pkg, &ovf_name, &mf);
    if (!*why && mf)
        *why = ova_manifest_check(pkg, mf);
    char *ovf_path = ovf_name ? xasprintf("%s/%s", pkg, ovf_name) : NULL;
    if (!*why && ovf_parse(ovf_path, &o, why) == 0 && !(*why = check_files(&o, pkg))) {
        for (size_t i = 0; !*why && i < o.ndisks; i++) {
            const struct ovf_file *f = ovf_file_by_id(&o, o.disks[i].file_ref);
            char *src = xasprintf("%s/%s", pkg, f->href), *dst = xasprintf("%s/%zu.img", work, i);
            *why = ova_disk_convert(src, f->href, dst, o.disks[i].capacity);
            free(src);
            free(dst);
        }
        char *keep = xasprintf("%s/package.ovf", work);
        if (!*why && rename(ovf_path, keep) != 0)
            *why = xasprintf("cannot keep the descriptor: %s", strerror(errno));
        free(keep);
        if (!*why)
            res = describe(&o);
    }
    ovf_free(&o);
    free(ovf_path);
    free(ovf_name);
    free(mf);
    return res;
}

xr_value *ova_unpack(const char *ova, const char *work, char **why)
{
    char *pkg = xasprintf("%s/pkg", work);
    xr_value *res = NULL;
    size_t n = 0;
    *why = NULL;
    if (mkdir(pkg, 0755) != 0)
        *why = xasprintf("cannot unpack: %s", strerror(errno));
    else if (!(*why = ustar_extract(ova, pkg, &n)))
        res = convert_package(pkg, work, why);
    sim_rm_rf(pkg);
    free(pkg);
    return res;
}

/* <repo>/Assemblies (heap). */
static char *assemblies(struct sim *s, const char *repo)
{
    return xasprintf("%s/OVS/Repositories/%s/Assemblies", s->state_dir, repo);
}

/* Downloads and unpacks into work; the description or NULL with *why. */
static xr_value *fetch_into(struct sim *s, const char *url, const char *proxy, const char *work, int64_t limit,
                            char **why)
{
    if (mkdir(work, 0755) != 0) {
        *why = xasprintf("cannot create %s: %s", work, strerror(errno));
        return NULL;
    }
    *why = sim_import_to(s, url, proxy, work, "package.ova", limit);
    if (*why)
        return NULL;
    char *ova = xasprintf("%s/package.ova", work);
    xr_value *res = ova_unpack(ova, work, why);
    unlink(ova); /* the unpacked images are what the appliance keeps */
    free(ova);
    return res;
}

SIM_HANDLER(h_import_virtual_appliance)
{
    const char *url = xr_get_str(argv[0]), *id = xr_get_str(argv[1]), *repo = xr_get_str(argv[2]);
    const char *proxy = argc > 3 ? xr_get_str(argv[3]) : NULL;
    if (sim_import_args_ok(c, url, id, repo) != 0)
        return NULL;
    char *dir = assemblies(c->sim, repo), *final = xasprintf("%s/%s", dir, id);
    char *work = xasprintf("%s/.import-%s.d", dir, id), *why = NULL;
    xr_value *res = NULL;
    int64_t room = sim_import_room(c->sim, repo, dir);
    if (room < 0)
        why = xasprintf("Repository %s not found", repo);
    else if (access(final, F_OK) == 0)
        why = xasprintf("%s already exists in the repository", id);
    else
        res = fetch_into(c->sim, url, proxy && *proxy ? proxy : NULL, work,
                         room < c->sim->import_max_bytes ? room : c->sim->import_max_bytes, &why);
    if (res && rename(work, final) != 0)
        why = xasprintf("cannot store %s: %s", id, strerror(errno));
    if (why) {
        if (room >= 0 && access(work, F_OK) == 0)
            sim_rm_rf(work); /* nothing of a failed import stays */
        xr_free(res);
        res = NULL;
        call_fault(c, "exceptions.RuntimeError:import of %s failed: %s", url, why);
    } else
        log_info("imported appliance %s into %s", url, final);
    free(why);
    free(dir);
    free(final);
    free(work);
    return res;
}

SIM_HANDLER(h_delete_virtual_appliance)
{
    (void)argc;
    const char *repo = xr_get_str(argv[0]), *id = xr_get_str(argv[1]);
    if (!sim_valid_name(id) || !sim_valid_name(repo) || id[0] == '.')
        return call_fault(c, "exceptions.ValueError:invalid appliance or repository id: '%s' '%s'", id, repo);
    char *dir = assemblies(c->sim, repo), *path = xasprintf("%s/%s", dir, id);
    /* Gone already is fine: the call also undoes a failed import or export. */
    if (access(path, F_OK) == 0 && sim_rm_rf(path) != 0)
        call_fault(c, "exceptions.OSError:cannot remove %s: %s", path, strerror(errno));
    free(dir);
    free(path);
    return c->fault ? NULL : xr_nil();
}
