/* Virtual appliances on the agent: OVA packages unpacked into and written
 * from a repository's Assemblies/ (agent/appliance.c, agent/ova_disk.c,
 * agent/ova_export.c). */
#ifndef OVM_AGENT_OVA_H
#define OVM_AGENT_OVA_H
#include <stdint.h>
#include "agent/ovf.h"
#include "agent/sim.h"
#include "agent/ustar.h"

/* Converts the disk image src (named name in the package) into the raw
 * image dst of capacity bytes. NULL, or why (heap): unreadable, a backing
 * file, larger than capacity, conversion failed. */
char *ova_disk_convert(const char *src, const char *name, const char *dst, int64_t capacity);
/* The virtual size in bytes of the image at path (qemu-img info), or -1. */
int64_t ova_disk_size(const char *path);
/* Writes src as the stream-optimized VMDK dst. NULL, or why (heap). */
char *ova_disk_export(const char *src, const char *dst);
/* Checks every SHA1(file)= / SHA256(file)= line of the manifest dir/mf
 * against the files in dir. NULL, or why (heap). */
char *ova_manifest_check(const char *dir, const char *mf);
/* "SHA256(name)= <hex>\n" for dir/name (heap), or NULL. */
char *ova_manifest_line(const char *dir, const char *name);
/* Unpacks the OVA at ova into the new folder work: raw images <n>.img and
 * the descriptor package.ovf. The appliance's description (doc/agent-protocol.md,
 * import_virtual_appliance) or NULL with *why (heap). */
xr_value *ova_unpack(const char *ova, const char *work, char **why);
#endif
