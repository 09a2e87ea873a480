/* OVF 1.x and 2.0 descriptors, read with libxml2 (agent/ovf.c). */
#ifndef OVM_AGENT_OVF_H
#define OVM_AGENT_OVF_H
#include <stddef.h>
#include <stdint.h>

struct ovf_file {
    char *id, *href;
    int64_t size; /* ovf:size, -1 when absent */
};
struct ovf_disk {
    char *id, *file_ref;
    int64_t capacity; /* bytes */
};
struct ovf_vm {
    char *name;
    int cpus;
    int64_t memory_mb;
    int nics;
    char **disk_ids; /* ovf:/disk/<id> of its disk Items, in order */
    size_t ndisks;
};
struct ovf {
    char version[4]; /* "1.x" or "2.0" */
    struct ovf_file *files;
    size_t nfiles;
    struct ovf_disk *disks;
    size_t ndisks;
    struct ovf_vm *vms;
    size_t nvms;
};

/* Parses the descriptor at path into o (zeroed first). 0, or -1 and *why
 * (heap): bad XML, not an OVF 1.x/2.0 envelope, no VirtualSystem, a disk
 * without a known file or capacity. No network access, no entities. */
int ovf_parse(const char *path, struct ovf *o, char **why);
void ovf_free(struct ovf *o);
/* The file with that ovf:id, or NULL. */
const struct ovf_file *ovf_file_by_id(const struct ovf *o, const char *id);
const struct ovf_disk *ovf_disk_by_id(const struct ovf *o, const char *id);
/* "byte * 2^20" and the like as a multiplier; 0 if not understood. */
int64_t ovf_units(const char *units, int64_t dflt);
#endif
