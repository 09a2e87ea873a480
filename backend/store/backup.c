/* Store backups with sqlite3_backup_*: the copy is read through its own
 * read-only connection, which in WAL mode sees one consistent snapshot while
 * the engine keeps writing, so no store lock is taken. */
#include "backend/store/backup.h"
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "backend/engine.h"
#include "lib/log.h"
#include "lib/util.h"

/* Copies database src_path into dst_path (created or replaced) page by page. */
static int copy_db(const char *src_path, const char *dst_path, char **err)
{
    sqlite3 *src = NULL, *dst = NULL;
    int rc = sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_open_v2(dst_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(src, 5000);
        sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
        if (!b) {
            rc = sqlite3_errcode(dst);
        } else {
            /* Steps of 256 pages, so writers are only briefly held up. */
            while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                if (rc != SQLITE_OK)
                    sqlite3_sleep(50);
            rc = sqlite3_backup_finish(b) == SQLITE_OK && rc == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        }
    }
    if (rc != SQLITE_OK)
        *err = xasprintf("cannot copy %s to %s: %s", src_path, dst_path,
                         dst ? sqlite3_errmsg(dst) : src ? sqlite3_errmsg(src) : "out of memory");
    sqlite3_close(src);
    sqlite3_close(dst);
    return rc == SQLITE_OK ? 0 : -1;
}

static int is_backup_name(const char *n)
{
    size_t len = strlen(n);
    return !strncmp(n, "ovmd-", 5) && len > 8 && !strcmp(n + len - 3, ".db");
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Deletes the oldest backups (names sort by time) beyond keep. */
static void prune(const char *dir, int keep)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;)
        if (is_backup_name(de->d_name)) {
            names = xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = xstrdup(de->d_name);
        }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (i + (size_t)keep < n) {
            char *p = xasprintf("%s/%s", dir, names[i]);
            if (unlink(p) != 0)
                log_warn("backup: cannot remove %s: %s", p, strerror(errno));
            free(p);
        }
        free(names[i]);
    }
    free(names);
}

int backup_take(const char *db_path, const char *dir, int keep, char **made, char **err)
{
    if (made)
        *made = NULL;
    if (ovm_mkdir_p(dir, 0700) != 0) {
        *err = xasprintf("cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    int64_t ms = ovm_now_ms();
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    char stamp[32];
    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
    char *final = xasprintf("%s/ovmd-%s.%03dZ.db", dir, stamp, (int)(ms % 1000));
    char *tmp = xasprintf("%s.part", final);
    unlink(tmp);
    int rc = copy_db(db_path, tmp, err);
    if (rc == 0 && rename(tmp, final) != 0) {
        *err = xasprintf("cannot rename %s: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        unlink(tmp);
    else
        prune(dir, keep);
    free(tmp);
    if (rc == 0 && made)
        *made = final;
    else
        free(final);
    return rc;
}

/* ---- schedule ---- */

struct backup_sched {
    engine *eng;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
};

static void *backup_main(void *arg)
{
    backup_sched *b = arg;
    const engine_config *cfg = &b->eng->cfg;
    pthread_mutex_lock(&b->mu);
    while (!b->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += cfg->backup_interval;
        while (!b->stop && pthread_cond_timedwait(&b->cv, &b->mu, &ts) != ETIMEDOUT)
            ;
        if (b->stop)
            break;
        pthread_mutex_unlock(&b->mu);
        char *err = NULL, *made = NULL;
        if (backup_take(cfg->db_path, cfg->backup_dir, cfg->backup_keep, &made, &err) == 0)
            log_info("backup: store copied to %s", made);
        else
            log_err("backup: %s", err);
        free(made);
        free(err);
        pthread_mutex_lock(&b->mu);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

backup_sched *backup_start(engine *e)
{
    if (e->cfg.backup_interval <= 0)
        return NULL;
    backup_sched *b = xcalloc(1, sizeof *b);
    b->eng = e;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    if (pthread_create(&b->thread, NULL, backup_main, b) != 0) {
        log_err("backup: cannot start the backup thread");
        pthread_mutex_destroy(&b->mu);
        pthread_cond_destroy(&b->cv);
        free(b);
        return NULL;
    }
    return b;
}

void backup_stop(backup_sched *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    b->stop = 1;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->thread, NULL);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    free(b);
}

/* ---- restore ---- */

/* One integer from a query, or -1. */
static int query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int quick_check_ok(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int ok = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        ok = !strcmp((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    return ok;
}

int backup_validate(const char *file, int max_schema, char **err)
{
    *err = NULL;
    if (access(file, R_OK) != 0) {
        *err = xasprintf("%s: %s", file, strerror(errno));
        return -1;
    }
    sqlite3 *db = NULL;
    char *uri = xasprintf("file:%s?mode=ro", file);
    int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    free(uri);
    int ok = rc == SQLITE_OK && quick_check_ok(db);
    int tables = ok ? query_int(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                                    "name IN ('schema_version','objects','jobs')") : -1;
    int version = tables == 3 ? query_int(db, "SELECT max(version) FROM schema_version") : -1;
    sqlite3_close(db);
    if (!ok)
        *err = xasprintf("%s: not an intact sqlite database", file);
    else if (tables != 3 || version < 1)
        *err = xasprintf("%s: not an ovmsh store (no schema_version, objects and jobs tables)", file);
    else if (version > max_schema)
        *err = xasprintf("%s: store schema version %d is newer than this ovmd (%d)", file, version, max_schema);
    return *err ? -1 : 0;
}

/* 1 when something accepts connections on the engine socket. */
static int engine_answers(const char *socket_path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof sa.sun_path)
        return 0;
    memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    int up = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return up;
}

/* Removes db_path and its WAL side files. */
static void remove_db(const char *db_path)
{
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
        char *p = xasprintf("%s%s", db_path, sfx[i]);
        unlink(p);
        free(p);
    }
}

int backup_restore(const char *file, const char *db_path, const char *socket_path, int max_schema, char **err)
{
    *err = NULL;
    if (backup_validate(file, max_schema, err) != 0)
        return -1;
    if (engine_answers(socket_path)) {
        *err = xasprintf("an engine is running on %s: stop it before restoring", socket_path);
        return -1;
    }
    char *keep = xasprintf("%s.before-restore", db_path);
    char *tmp = xasprintf("%s.restore-tmp", db_path);
    int rc = 0;
    unlink(tmp);
    /* The current store goes through the backup API too, so that committed
     * transactions still in its WAL are kept in the saved copy. */
    if (access(db_path, F_OK) == 0) {
        unlink(keep);
        rc = copy_db(db_path, keep, err);
    }
    if (rc == 0)
        rc = copy_db(file, tmp, err);
    if (rc == 0) {
        remove_db(db_path);
        if (rename(tmp, db_path) != 0) {
            *err = xasprintf("cannot install %s: %s", db_path, strerror(errno));
            rc = -1;
        }
    }
    unlink(tmp);
    free(tmp);
    free(keep);
    return rc;
}
