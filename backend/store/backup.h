/* Store backups (ovmd(8), BACKUP AND RESTORE): copies of the live sqlite
 * store taken with sqlite's online backup API on a schedule, and
 * `ovmd --restore FILE` to bring one back. */
#ifndef OVM_BACKUP_H
#define OVM_BACKUP_H

struct engine;
typedef struct backup_sched backup_sched;

/* Copies the database at db_path into dir as ovmd-<UTC time>.db (through a
 * temporary name, so a backup file is always complete), then deletes the
 * oldest ovmd-*.db files beyond keep. Sets *made (heap, may be NULL) to the
 * file written. 0, or -1 with *err (heap). */
int backup_take(const char *db_path, const char *dir, int keep, char **made, char **err);

/* Starts a thread that calls backup_take every cfg.backup_interval seconds
 * (none when the interval is 0: returns NULL). */
backup_sched *backup_start(struct engine *e);
/* Stops and frees the thread (NULL is fine). */
void backup_stop(backup_sched *b);

/* 0 if file is a readable, intact ovmsh store whose schema version is at
 * most max_schema; else -1 with *err. */
int backup_validate(const char *file, int max_schema, char **err);

/* ovmd --restore: validates file, refuses when an engine answers on
 * socket_path, keeps the current store as <db_path>.before-restore and
 * installs a copy of file as db_path. 0, or -1 with *err. */
int backup_restore(const char *file, const char *db_path, const char *socket_path, int max_schema, char **err);
#endif
