/* ustar archives for OVA packages (agent/ustar.c). */
#ifndef OVM_AGENT_USTAR_H
#define OVM_AGENT_USTAR_H
#include <stddef.h>

/* 1 if name may be a file of an OVA: flat, no leading dot, under 100 bytes. */
int ustar_name_ok(const char *name);
/* Extracts the regular files of tar into the existing folder dir (none may
 * exist there yet). NULL, or why (heap) with whatever was written left for
 * the caller to remove; *nfiles counts the files extracted. */
char *ustar_extract(const char *tar, const char *dir, size_t *nfiles);
/* Appends the file at path to the archive open on out as name; 0 or -1 (errno). */
int ustar_add(int out, const char *name, const char *path);
/* Writes the two zero blocks that end an archive; 0 or -1 (errno). */
int ustar_finish(int out);
#endif
