/* RPM version comparison (rpmvercmp's rules), for the sim's package updates
 * (agent/yum.c, agent/sim_update.c). */
#ifndef OVM_AGENT_RPMVER_H
#define OVM_AGENT_RPMVER_H

/* Compares two version (or release) strings as rpmvercmp does: segments of
 * digits or of letters, separators ignored, digits newer than letters, '~'
 * older than anything, '^' newer than the end. -1, 0 or 1. */
int rpm_vercmp(const char *a, const char *b);
/* Compares "[epoch:]version[-release]" strings: the epoch (missing = 0) as a
 * number, then the version, then the release when both have one. -1, 0 or 1. */
int rpm_evrcmp(const char *a, const char *b);
#endif
