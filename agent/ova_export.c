/* export_virtual_appliance: stopped VMs written as one OVA into the
 * repository's Assemblies/<id>/package.ova, as Oracle VM 3.4 exports
 * (Concepts Guide 000:1346-1355): an OVF 1.1 descriptor first, a SHA256
 * manifest, the disks as stream-optimized VMDK, no ISOs. The package is then
 * unpacked beside itself like an imported one (agent/appliance.c), so the
 * new VirtualAppliance can make VMs at once and the engine learns its
 * contents from the same description. Built in Assemblies/.export-<id>.d,
 * renamed into place only when whole. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "agent/dispatch.h"
#include "agent/ova.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define OVF_HEAD \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
    "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"" \
    " xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\"" \
    " xmlns:rasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData\"" \
    " xmlns:vssd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData\"" \
    " ovf:version=\"1.1\">\n"
#define VMDK_FORMAT "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"

/* One exported disk: its file in the package and its capacity. */
struct xdisk {
    char file[48];
    int64_t capacity, bytes;
};

static void rasd_item(strbuf *sb, int id, int type, const char *what, const char *extra)
{
    sb_addf(sb, "      <Item><rasd:ElementName>%s</rasd:ElementName><rasd:InstanceID>%d</rasd:InstanceID>"
                "<rasd:ResourceType>%d</rasd:ResourceType>%s</Item>\n", what, id, type, extra);
}

/* The descriptor for vms, whose disks are xd (in VM order). */
static char *descriptor(const xr_value *vms, const struct xdisk *xd, size_t nd, const char *name)
{
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, OVF_HEAD "  <References>\n");
    for (size_t i = 0; i < nd; i++)
        sb_addf(&sb, "    <File ovf:id=\"file%zu\" ovf:href=\"%s\" ovf:size=\"%lld\"/>\n", i, xd[i].file,
                (long long)xd[i].bytes);
    sb_adds(&sb, "  </References>\n  <DiskSection>\n    <Info>Virtual disks</Info>\n");
    for (size_t i = 0; i < nd; i++)
        sb_addf(&sb, "    <Disk ovf:diskId=\"disk%zu\" ovf:fileRef=\"file%zu\" ovf:capacity=\"%lld\" "
                     "ovf:format=\"" VMDK_FORMAT "\"/>\n", i, i, (long long)xd[i].capacity);
    sb_adds(&sb, "  </DiskSection>\n  <VirtualSystemCollection ovf:id=\"");
    sb_add_xml(&sb, name);
    sb_adds(&sb, "\">\n    <Info>Exported by ovmsh</Info>\n");
    size_t disk = 0;
    for (size_t v = 0; v < vms->n; v++) {
        const xr_value *vm = vms->items[v], *disks = xr_struct_get(vm, "disks");
        int64_t cpus = 1, mem = 512;
        xr_get_int64(xr_struct_get(vm, "cpus"), &cpus);
        xr_get_int64(xr_struct_get(vm, "memory"), &mem);
        sb_addf(&sb, "  <VirtualSystem ovf:id=\"vm%zu\">\n    <Info>A virtual machine</Info>\n    <Name>", v);
        sb_add_xml(&sb, xr_get_str(xr_struct_get(vm, "name")));
        sb_adds(&sb, "</Name>\n    <VirtualHardwareSection>\n      <Info>Virtual hardware</Info>\n");
        char extra[160];
        snprintf(extra, sizeof extra, "<rasd:VirtualQuantity>%lld</rasd:VirtualQuantity>", (long long)cpus);
        rasd_item(&sb, 1, 3, "CPUs", extra);
        snprintf(extra, sizeof extra, "<rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>"
                 "<rasd:VirtualQuantity>%lld</rasd:VirtualQuantity>", (long long)mem);
        rasd_item(&sb, 2, 4, "Memory", extra);
        for (size_t k = 0; disks && k < disks->n; k++, disk++) {
            snprintf(extra, sizeof extra, "<rasd:HostResource>ovf:/disk/disk%zu</rasd:HostResource>", disk);
            rasd_item(&sb, (int)(10 + k), 17, "Disk", extra);
        }
        sb_adds(&sb, "    </VirtualHardwareSection>\n  </VirtualSystem>\n");
    }
    sb_adds(&sb, "  </VirtualSystemCollection>\n</Envelope>\n");
    return sb_detach(&sb, NULL);
}

static int write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    int rc = fputs(text, fp) < 0 ? -1 : 0;
    return fclose(fp) != 0 ? -1 : rc;
}

/* Converts every VM's disks into out/. NULL, or why (heap). */
static char *export_disks(struct sim *s, const xr_value *vms, const char *out, struct xdisk **xd, size_t *nd)
{
    for (size_t v = 0; v < vms->n; v++) {
        const xr_value *disks = xr_struct_get(vms->items[v], "disks");
        for (size_t k = 0; disks && disks->type == XR_ARRAY && k < disks->n; k++) {
            const char *apath = xr_get_str(disks->items[k]);
            char *src = apath ? sim_host_path(s, apath) : NULL;
            if (!src)
                return xasprintf("bad disk path %s", apath ? apath : "(none)");
            *xd = xrealloc(*xd, (*nd + 1) * sizeof **xd);
            struct xdisk *d = &(*xd)[(*nd)++];
            snprintf(d->file, sizeof d->file, "disk%zu.vmdk", *nd - 1);
            char *dst = xasprintf("%s/%s", out, d->file);
            d->capacity = ova_disk_size(src);
            char *why = d->capacity < 0 ? xasprintf("cannot read disk %s", apath) : ova_disk_export(src, dst);
            struct stat st;
            if (!why && stat(dst, &st) != 0)
                why = xasprintf("cannot read %s: %s", dst, strerror(errno));
            d->bytes = why ? 0 : (int64_t)st.st_size;
            free(src);
            free(dst);
            if (why)
                return why;
        }
    }
    return NULL;
}

/* Writes descriptor and manifest into out, then the OVA ova. NULL or why. */
static char *pack(const xr_value *vms, const struct xdisk *xd, size_t nd, const char *name, const char *out,
                  const char *ova)
{
    char *text = descriptor(vms, xd, nd, name), *ovf = xasprintf("%s/appliance.ovf", out);
    char *why = write_text(ovf, text) != 0 ? xasprintf("cannot write the descriptor: %s", strerror(errno)) : NULL;
    free(text);
    free(ovf);
    strbuf mf = STRBUF_INIT;
    for (size_t i = 0; !why && i <= nd; i++) {
        char *line = ova_manifest_line(out, i == 0 ? "appliance.ovf" : xd[i - 1].file);
        if (line)
            sb_adds(&mf, line);
        else
            why = xstrdup("cannot checksum the package's files");
        free(line);
    }
    char *mfpath = xasprintf("%s/appliance.mf", out);
    if (!why && write_text(mfpath, mf.buf ? mf.buf : "") != 0)
        why = xasprintf("cannot write the manifest: %s", strerror(errno));
    sb_free(&mf);
    free(mfpath);
    int fd = why ? -1 : open(ova, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (!why && fd < 0)
        why = xasprintf("cannot create %s: %s", ova, strerror(errno));
    for (size_t i = 0; !why && i <= nd + 1; i++) {
        const char *n = i == 0 ? "appliance.ovf" : i == 1 ? "appliance.mf" : xd[i - 2].file;
        char *path = xasprintf("%s/%s", out, n);
        if (ustar_add(fd, n, path) != 0)
            why = xasprintf("cannot pack %s: %s", n, strerror(errno));
        free(path);
    }
    if (!why && (ustar_finish(fd) != 0 || fsync(fd) != 0))
        why = xasprintf("cannot write %s: %s", ova, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && !why)
        why = xasprintf("cannot write %s: %s", ova, strerror(errno));
    return why;
}

/* Builds the package in work; the description, or NULL with *why. */
static xr_value *export_into(struct sim *s, const xr_value *vms, const char *name, const char *work, char **why)
{
    char *out = xasprintf("%s/out", work), *ova = xasprintf("%s/package.ova", work);
    struct xdisk *xd = NULL;
    size_t nd = 0;
    xr_value *res = NULL;
    if (mkdir(work, 0755) != 0 || mkdir(out, 0755) != 0)
        *why = xasprintf("cannot create %s: %s", work, strerror(errno));
    else if (!(*why = export_disks(s, vms, out, &xd, &nd)) && !(*why = pack(vms, xd, nd, name, out, ova)))
        res = ova_unpack(ova, work, why);
    sim_rm_rf(out);
    free(xd);
    free(out);
    free(ova);
    return res;
}

SIM_HANDLER(h_export_virtual_appliance)
{
    (void)argc;
    const char *repo = xr_get_str(argv[0]), *id = xr_get_str(argv[1]), *name = xr_get_str(argv[2]);
    const xr_value *vms = argv[3];
    if (!sim_valid_name(id) || !sim_valid_name(repo) || id[0] == '.')
        return call_fault(c, "exceptions.ValueError:invalid appliance or repository id: '%s' '%s'", id, repo);
    for (size_t i = 0; i < vms->n; i++)
        if (vms->items[i]->type != XR_STRUCT || !xr_get_str(xr_struct_get(vms->items[i], "name")))
            return call_fault(c, "exceptions.ValueError:vms[%zu] is not a struct with a name", i);
    char *dir = xasprintf("%s/OVS/Repositories/%s/Assemblies", c->sim->state_dir, repo);
    char *work = xasprintf("%s/.export-%s.d", dir, id), *final = xasprintf("%s/%s", dir, id), *why = NULL;
    xr_value *res = NULL;
    if (access(dir, F_OK) != 0)
        why = xasprintf("Repository %s not found", repo);
    else if (access(final, F_OK) == 0)
        why = xasprintf("%s already exists in the repository", id);
    else if ((res = export_into(c->sim, vms, name, work, &why)) && rename(work, final) != 0)
        why = xasprintf("cannot store %s: %s", id, strerror(errno));
    if (why) {
        if (access(dir, F_OK) == 0 && access(work, F_OK) == 0)
            sim_rm_rf(work);
        xr_free(res);
        res = NULL;
        call_fault(c, "exceptions.RuntimeError:export of %s failed: %s", name, why);
    } else
        log_info("exported appliance %s into %s", name, final);
    free(why);
    free(dir);
    free(work);
    free(final);
    return res;
}
