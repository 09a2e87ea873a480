/* Private files and directories (issue 10 item 7): what the daemons create
 * is no more open than it must be, and what they find too open is tightened
 * with a warning naming the old and new modes, rather than trusted. */
#ifndef OVM_FSMODE_H
#define OVM_FSMODE_H
#include <sys/types.h>

/* Removes from the open file fd (named path, for the warning) every
 * permission bit that max does not have. 0, or -1 with errno. */
int fs_tighten_fd(int fd, const char *path, mode_t max);
/* The same for the regular file at path (not following a final symlink);
 * a missing file is created empty with mode max when create is set, else
 * left missing. 0, or -1 with errno (EINVAL: not a regular file). */
int fs_private_file(const char *path, mode_t max, int create);
/* A daemon's state directory: refused when another user than this one or
 * root owns it (they could replace what is in it); group write and every
 * permission of others are removed. 0, or -1 with *err (heap). */
int fs_private_dir(const char *path, char **err);
#endif
