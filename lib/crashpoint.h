/* Crash points: a test facility (ovmd(8), CRASH SAFETY). With
 * OVMD_CRASH_AT=<name>[:<n>] in the environment, the engine SIGKILLs itself
 * the n-th time (default 1) it reaches the point called <name>, so tests can
 * check recovery after a crash at a chosen place. Without the variable every
 * call is a cheap no-op. Names are listed in ovmd(8). */
#ifndef OVM_CRASHPOINT_H
#define OVM_CRASHPOINT_H

/* Reads OVMD_CRASH_AT once; call at start-up before threads start (later
 * calls do nothing). crash_point also does it on first use. */
void crash_points_init(void);

/* Dies by SIGKILL when name is the armed point and this is its n-th hit. */
void crash_point(const char *name);

/* The same for the point "<prefix>:<detail>" (e.g. "after:migrate_vm"). */
void crash_point2(const char *prefix, const char *detail);
#endif
