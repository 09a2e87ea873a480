/* Unit tests of the object store (backend/store/store.c) on a real sqlite file in a
 * fresh temporary directory per test, so that persistence is what is tested,
 * not an in-memory shortcut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "backend/store/store.h"
#include "lib/util.h"

typedef struct fixture {
    char dir[64];
    char *db;
    store *s;
} fixture;

static void rm_if(const char *dir, const char *name)
{
    char *p = xasprintf("%s/%s", dir, name);
    unlink(p);
    free(p);
}

static int setup(void **state)
{
    fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test-store.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->db = xasprintf("%s/ovmd.db", f->dir);
    char *err = NULL;
    f->s = store_open(f->db, &err);
    if (!f->s) {
        fprintf(stderr, "# store_open: %s\n", err);
        free(err);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->s);
    static const char *const files[] = {"ovmd.db", "ovmd.db-wal", "ovmd.db-shm", "junk.db", "file"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        rm_if(f->dir, files[i]);
    rmdir(f->dir);
    free(f->db);
    free(f);
    return 0;
}

/* Reopens the database file; the old handle is closed first so that the
 * second open really reads from disk. */
static void reopen(fixture *f)
{
    store_close(f->s);
    char *err = NULL;
    f->s = store_open(f->db, &err);
    if (!f->s)
        fprintf(stderr, "# reopen: %s\n", err);
    free(err);
    assert_non_null(f->s);
}

static obj *mk(store *s, const char *type, const char *id, const char *name)
{
    store_wrlock(s);
    obj *o = store_create(s, type, id, name);
    store_unlock(s);
    return o;
}

/* Asserts that list(type) yields exactly the ids in want, in order. */
static void expect_order(store *s, const char *type, const char *const *want, size_t nwant)
{
    obj **v;
    store_rdlock(s);
    size_t n = store_list(s, type, &v);
    store_unlock(s);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(v[i]->id, want[i]);
    free(v);
}

static long long sql_int(store *s, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    long long v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static char *sql_text(store *s, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

static void test_create_get(void **state)
{
    fixture *f = *state;
    obj *o = mk(f->s, "Vm", "0004fb0000060000aaaa", "web01");
    assert_string_equal(o->type, "Vm");
    store_rdlock(f->s);
    assert_ptr_equal(store_get(f->s, "0004fb0000060000aaaa"), o);
    assert_ptr_equal(store_get_typed(f->s, "Vm", "0004fb0000060000aaaa"), o);
    assert_null(store_get_typed(f->s, "Server", "0004fb0000060000aaaa"));
    assert_null(store_get(f->s, "nosuch"));
    assert_null(store_get(f->s, ""));
    assert_null(store_get(f->s, NULL));
    assert_int_equal(store_count(f->s, "Vm"), 1);
    assert_int_equal(store_count(f->s, "Server"), 0);
    store_unlock(f->s);
    /* an object created without a name is listed under its id (§7.3) */
    obj *anon = mk(f->s, "Vnic", "vnic-1", NULL);
    assert_string_equal(anon->name, "vnic-1");
}

/* doc/command-language.md §7.3: by name case-insensitively (bytes folded to lower case,
 * so '_' 0x5f sorts before letters), ties by id. */
static void test_list_order(void **state)
{
    fixture *f = *state;
    mk(f->s, "Vm", "id-5", "beta");
    mk(f->s, "Vm", "id-4", "Alpha");
    mk(f->s, "Vm", "id-2", "Zulu");
    mk(f->s, "Vm", "id-1", "alpha 2");
    mk(f->s, "Vm", "id-6", "_under");
    mk(f->s, "Vm", "id-7", "beta");
    mk(f->s, "Vm", "id-0", "beta");
    mk(f->s, "Server", "srv-1", "aaa");
    static const char *const want[] = {"id-6", "id-4", "id-1", "id-0", "id-5", "id-7", "id-2"};
    expect_order(f->s, "Vm", want, 7);
    obj **v;
    store_rdlock(f->s);
    assert_int_equal(store_list(f->s, "NoSuchType", &v), 0);
    assert_non_null(v); /* never NULL: callers may qsort or index an empty result */
    free(v);
    store_unlock(f->s);
}

/* Names equal but for case are a tie, which §7.3 breaks by id alone. */
static void test_list_order_case_ties(void **state)
{
    fixture *f = *state;
    mk(f->s, "Vm", "id-1", "web");
    mk(f->s, "Vm", "id-2", "WEB");
    mk(f->s, "Vm", "id-3", "Web");
    static const char *const want[] = {"id-1", "id-2", "id-3"};
    expect_order(f->s, "Vm", want, 3);
}

static void test_find_by(void **state)
{
    fixture *f = *state;
    obj *a = mk(f->s, "Vm", "a", "a");
    obj *b = mk(f->s, "Vm", "b", "b");
    mk(f->s, "Vm", "c", "c");
    obj *s1 = mk(f->s, "Server", "s", "s");
    store_wrlock(f->s);
    obj_set(f->s, a, "server", "s1");
    obj_set(f->s, b, "server", "s1");
    obj_set(f->s, s1, "server", "s1");
    store_unlock(f->s);
    obj **v;
    store_rdlock(f->s);
    size_t n = store_find_by(f->s, "Vm", "server", "s1", &v);
    assert_int_equal(n, 2);
    assert_true((v[0] == a && v[1] == b) || (v[0] == b && v[1] == a));
    free(v);
    /* "" matches the objects where the attribute is unset */
    n = store_find_by(f->s, "Vm", "server", "", &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0]->id, "c");
    free(v);
    assert_int_equal(store_find_by(f->s, "Vm", "server", "s2", &v), 0);
    free(v);
    store_unlock(f->s);
}

static void test_attrs(void **state)
{
    fixture *f = *state;
    obj *o = mk(f->s, "Vm", "v1", "web01");
    store_wrlock(f->s);
    int64_t v0 = o->version;
    obj_set(f->s, o, "memory", "1024");
    assert_string_equal(obj_get(o, "memory"), "1024");
    assert_int_equal(obj_get_int(o, "memory", -1), 1024);
    assert_true(o->version > v0);
    int64_t v1 = o->version;
    obj_set(f->s, o, "memory", "1024"); /* same value: no change, no bump */
    assert_int_equal(o->version, v1);
    obj_set(f->s, o, "memory", "2048");
    assert_string_equal(obj_get(o, "memory"), "2048");
    assert_true(o->version > v1);
    obj_setf(f->s, o, "cpus", "%d", 4);
    assert_int_equal(obj_get_int(o, "cpus", 0), 4);
    obj_set(f->s, o, "desc", "12abc");
    assert_int_equal(obj_get_int(o, "desc", -7), -7);
    assert_int_equal(obj_get_int(o, "unset", 42), 42);
    assert_true(obj_is(o, "memory", "2048"));
    assert_true(obj_is(o, "unset", ""));
    assert_true(obj_is(o, "unset", NULL));
    int64_t v2 = o->version;
    obj_unset(f->s, o, "memory");
    assert_null(obj_get(o, "memory"));
    assert_string_equal(obj_gets(o, "memory"), "");
    assert_true(o->version > v2);
    int64_t v3 = o->version;
    obj_unset(f->s, o, "memory"); /* already unset: nothing to do */
    assert_int_equal(o->version, v3);
    store_set_actor(f->s, 1710770739871LL);
    obj_set(f->s, o, "desc", "changed");
    assert_int_equal(o->changed_by, 1710770739871LL);
    store_set_actor(f->s, 0);
    store_unlock(f->s);
    reopen(f);
    store_rdlock(f->s);
    o = store_get(f->s, "v1");
    assert_non_null(o);
    assert_null(obj_get(o, "memory"));
    assert_string_equal(obj_get(o, "cpus"), "4");
    assert_string_equal(obj_get(o, "desc"), "changed");
    store_unlock(f->s);
}

static void test_rename_order(void **state)
{
    fixture *f = *state;
    obj *a = mk(f->s, "Vm", "1", "a");
    mk(f->s, "Vm", "2", "b");
    mk(f->s, "Vm", "3", "c");
    static const char *const before[] = {"1", "2", "3"};
    expect_order(f->s, "Vm", before, 3); /* builds the sorted cache */
    store_wrlock(f->s);
    int64_t v = a->version;
    obj_rename(f->s, a, "D");
    assert_true(a->version > v);
    store_unlock(f->s);
    static const char *const after[] = {"2", "3", "1"};
    expect_order(f->s, "Vm", after, 3);
    reopen(f);
    expect_order(f->s, "Vm", after, 3);
    store_rdlock(f->s);
    assert_string_equal(store_get(f->s, "1")->name, "D");
    store_unlock(f->s);
}

static size_t find_name(store *s, const char *type, const char *name, obj **one)
{
    store_rdlock(s);
    size_t n = store_find_name(s, type, name, one);
    store_unlock(s);
    return n;
}

/* The name index: exact (case-sensitive) names per type, duplicates counted,
 * kept up to date by rename and delete, rebuilt identically on reopen. */
static void test_find_name(void **state)
{
    fixture *f = *state;
    obj *one;
    assert_int_equal(find_name(f->s, "Vm", "web", &one), 0);
    assert_null(one);
    obj *a = mk(f->s, "Vm", "1", "web");
    obj *b = mk(f->s, "Vm", "2", "web"); /* Vm names may repeat */
    mk(f->s, "Vm", "3", "WEB");
    mk(f->s, "Tag", "4", "web");
    assert_int_equal(find_name(f->s, "Vm", "web", &one), 2);
    assert_true(one == a || one == b);
    assert_int_equal(find_name(f->s, "Vm", "WEB", &one), 1);
    assert_string_equal(one->id, "3");
    assert_int_equal(find_name(f->s, "Tag", "web", &one), 1);
    assert_string_equal(one->id, "4");
    assert_int_equal(find_name(f->s, "Vm", "we", &one), 0);
    store_wrlock(f->s);
    obj_rename(f->s, a, "db");
    store_unlock(f->s);
    assert_int_equal(find_name(f->s, "Vm", "web", &one), 1);
    assert_ptr_equal(one, b);
    assert_int_equal(find_name(f->s, "Vm", "db", &one), 1);
    assert_ptr_equal(one, a);
    store_wrlock(f->s);
    store_delete(f->s, b);
    store_unlock(f->s);
    assert_int_equal(find_name(f->s, "Vm", "web", &one), 0);
    reopen(f);
    assert_int_equal(find_name(f->s, "Vm", "db", &one), 1);
    assert_string_equal(one->id, "1");
    assert_int_equal(find_name(f->s, "Vm", "WEB", &one), 1);
    assert_int_equal(find_name(f->s, "Vm", "web", &one), 0);
}

/* cli-contract §7.3 list order, written out independently of the store. */
static int spec_cmp(const void *a, const void *b)
{
    const obj *x = *(obj *const *)a, *y = *(obj *const *)b;
    int c = ovm_strcasecmp(x->name, y->name);
    return c ? c : strcmp(x->id, y->id);
}

/* Compares list(type) and every name lookup with a sort and a count done
 * here from scratch over the objects the store lists. */
static void expect_consistent(store *s, const char *type, size_t want)
{
    obj **v;
    store_rdlock(s);
    size_t n = store_list(s, type, &v);
    assert_int_equal(n, want);
    obj **sorted = xmalloc((n ? n : 1) * sizeof *sorted);
    memcpy(sorted, v, n * sizeof *v);
    qsort(sorted, n, sizeof *sorted, spec_cmp);
    for (size_t i = 0; i < n; i++) {
        assert_ptr_equal(v[i], sorted[i]);
        size_t same = 0;
        for (size_t k = 0; k < n; k++)
            same += strcmp(v[k]->name, v[i]->name) == 0;
        obj *one;
        assert_int_equal(store_find_name(s, type, v[i]->name, &one), same);
        assert_string_equal(one->name, v[i]->name);
    }
    store_unlock(s);
    free(sorted);
    free(v);
}

/* Random creates, renames and deletes over a small pool of names that differ
 * only in case, so that ties on the case-insensitive name and duplicate
 * names are frequent: list order and name lookups stay right after each
 * step, and after a reopen. Seeded, so a failure reproduces. */
static void test_order_random(void **state)
{
    fixture *f = *state;
    static const char *const pool[] = {"a", "A", "b", "B", "ab", "Ab", "aB", "c", "web", "WEB", "web1", ""};
    const size_t npool = sizeof pool / sizeof *pool;
    obj *live[64];
    size_t nlive = 0, nextid = 0;
    unsigned seed = 20261204u;
    for (int step = 0; step < 600; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 8;
        const char *name = pool[r % npool];
        store_wrlock(f->s);
        if (nlive < 2 || (r % 3 == 0 && nlive < 64)) {
            char id[16];
            snprintf(id, sizeof id, "%02zx", (nextid++ * 37) % 256); /* not in creation order */
            if (!store_get(f->s, id))
                live[nlive++] = store_create(f->s, "Vm", id, *name ? name : "x");
        } else if (r % 3 == 1) {
            obj_rename(f->s, live[(r / 7) % nlive], *name ? name : "x");
        } else {
            size_t k = (r / 7) % nlive;
            store_delete(f->s, live[k]);
            live[k] = live[--nlive];
        }
        store_unlock(f->s);
        expect_consistent(f->s, "Vm", nlive);
    }
    reopen(f);
    expect_consistent(f->s, "Vm", nlive);
}

static void test_split_list(void **state)
{
    char **v;
    size_t n = split_list("a,bb,,c", &v);
    assert_int_equal(n, 3);
    assert_string_equal(v[0], "a");
    assert_string_equal(v[1], "bb");
    assert_string_equal(v[2], "c");
    free_list(v, n);
    assert_int_equal(split_list("", &v), 0);
    assert_null(v);
    assert_int_equal(split_list(NULL, &v), 0);
    n = split_list("only", &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "only");
    free_list(v, n);
}

static void test_comma_lists(void **state)
{
    fixture *f = *state;
    obj *o = mk(f->s, "Repository", "r", "repo");
    store_wrlock(f->s);
    obj_list_add(f->s, o, "servers", "abc");
    obj_list_add(f->s, o, "servers", "ab");
    obj_list_add(f->s, o, "servers", "abc"); /* duplicate ignored */
    assert_string_equal(obj_get(o, "servers"), "abc,ab");
    assert_true(obj_list_has(o, "servers", "ab"));
    assert_true(obj_list_has(o, "servers", "abc"));
    assert_false(obj_list_has(o, "servers", "a"));
    assert_false(obj_list_has(o, "servers", "bc"));
    assert_false(obj_list_has(o, "other", "ab"));
    obj_list_add(f->s, o, "servers", "x");
    obj_list_remove(f->s, o, "servers", "ab");
    assert_string_equal(obj_get(o, "servers"), "abc,x");
    obj_list_remove(f->s, o, "servers", "nosuch");
    assert_string_equal(obj_get(o, "servers"), "abc,x");
    obj_list_remove(f->s, o, "servers", "abc");
    obj_list_remove(f->s, o, "servers", "x");
    assert_null(obj_get(o, "servers")); /* an emptied list is unset, not "" */
    obj_list_add(f->s, o, "servers", "s1");
    store_unlock(f->s);
    reopen(f);
    store_rdlock(f->s);
    assert_string_equal(obj_get(store_get(f->s, "r"), "servers"), "s1");
    store_unlock(f->s);
}

static void test_delete(void **state)
{
    fixture *f = *state;
    mk(f->s, "Vm", "1", "a");
    obj *b = mk(f->s, "Vm", "2", "b");
    mk(f->s, "Vm", "3", "c");
    static const char *const all[] = {"1", "2", "3"};
    expect_order(f->s, "Vm", all, 3);
    store_wrlock(f->s);
    obj_set(f->s, b, "k", "v");
    store_delete(f->s, b);
    assert_null(store_get(f->s, "2"));
    assert_int_equal(store_count(f->s, "Vm"), 2);
    store_unlock(f->s);
    static const char *const left[] = {"1", "3"};
    expect_order(f->s, "Vm", left, 2);
    reopen(f);
    expect_order(f->s, "Vm", left, 2);
}

/* Foreign keys must be on: the attrs of a deleted object go with it. */
static void test_foreign_keys(void **state)
{
    fixture *f = *state;
    assert_int_equal(sql_int(f->s, "PRAGMA foreign_keys"), 1);
    obj *o = mk(f->s, "Vm", "fk", "fk");
    store_wrlock(f->s);
    obj_set(f->s, o, "a", "1");
    obj_set(f->s, o, "b", "2");
    store_unlock(f->s);
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM attrs WHERE obj = 'fk'"), 2);
    store_wrlock(f->s);
    store_delete(f->s, o);
    store_unlock(f->s);
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM attrs WHERE obj = 'fk'"), 0);
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM objects WHERE id = 'fk'"), 0);
}

static void test_schema_and_wal(void **state)
{
    fixture *f = *state;
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"),
                     1);
    assert_true(sql_int(f->s, "SELECT version FROM schema_version") >= 1);
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM schema_version"), 1);
    char *mode = sql_text(f->s, "PRAGMA journal_mode");
    assert_non_null(mode);
    assert_string_equal(mode, "wal");
    free(mode);
    long long v = sql_int(f->s, "SELECT version FROM schema_version");
    reopen(f); /* reopening must not migrate again */
    assert_int_equal(sql_int(f->s, "SELECT version FROM schema_version"), v);
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM schema_version"), 1);
}

/* Version 2 keeps a job's goal in its row; rows written by version 1 get
 * theirs from their names when the store is upgraded, and keep them. */
/* Version 6 makes the statistics archive a PeriodicTask: a new store has it
 * (interval 60 min, enabled), and an older one gets it with the interval
 * setArchiveConfig had set on the Manager, which the Manager then loses. */
static void test_archive_task_migrated(void **state)
{
    fixture *f = *state;
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM objects WHERE id = '" STORE_ARCHIVE_TASK_ID
                                   "' AND type = 'PeriodicTask'"), 1);
    char *iv = sql_text(f->s, "SELECT value FROM attrs WHERE obj = '" STORE_ARCHIVE_TASK_ID "' AND key = 'taskInterval'");
    assert_string_equal(iv ? iv : "(null)", "60");
    free(iv);
    const char *v5 = "DELETE FROM objects WHERE type = 'PeriodicTask';"
                     "INSERT INTO objects(id, type, name) VALUES('m1', 'Manager', 'OVM Manager');"
                     "INSERT INTO attrs(obj, key, value) VALUES('m1', 'archiveInterval', '15');"
                     "UPDATE schema_version SET version = 5;";
    assert_int_equal(sqlite3_exec(store_db(f->s), v5, NULL, NULL, NULL), SQLITE_OK);
    reopen(f);
    assert_int_equal(sql_int(f->s, "SELECT version FROM schema_version"), store_schema_max());
    obj *t = store_get(f->s, STORE_ARCHIVE_TASK_ID);
    assert_non_null(t);
    assert_string_equal(t->name, "Statistics Archive Task");
    assert_string_equal(obj_gets(t, "taskInterval"), "15");
    assert_string_equal(obj_gets(t, "enabled"), "Yes");
    assert_null(obj_get(store_get(f->s, "m1"), "archiveInterval"));
}

static void test_job_goals_migrated(void **state)
{
    fixture *f = *state;
    sqlite3 *db = store_db(f->s);
    const char *v1 =
        "ALTER TABLE jobs DROP COLUMN goal; ALTER TABLE jobs DROP COLUMN peer_uid; DROP TABLE vm_messages; DROP TABLE stats;"
        "UPDATE schema_version SET version = 1;"
        "INSERT INTO jobs(id, name, kind, run_state, user, start_ms) VALUES"
        " (1, 'Start VM: a', 'LEAF', 'In Progress', 'admin', 1), (2, 'Kill VM: b', 'LEAF', 'Success', 'admin', 1),"
        " (3, 'Create VM: c', 'LEAF', 'Failure', 'admin', 1), (4, 'Create Tag: d', 'LEAF', 'Success', 'admin', 1),"
        " (5, 'Suspend VM: e', 'LEAF', 'In Progress', 'admin', 1), (6, 'HA Restart VM: f', 'LEAF', 'Success', 'system', 1)";
    assert_int_equal(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK);
    reopen(f);
    assert_int_equal(sql_int(f->s, "SELECT version FROM schema_version"), store_schema_max());
    static const char *const want[] = {"status Running", "status Stopped", "created Vm", NULL, "status Suspended",
                                       "status Running"};
    for (int i = 0; i < 6; i++) {
        char *q = xasprintf("SELECT goal FROM jobs WHERE id = %d", i + 1);
        char *goal = sql_text(f->s, q);
        if (want[i])
            assert_string_equal(goal ? goal : "(null)", want[i]);
        else
            assert_null(goal);
        free(goal);
        free(q);
    }
}

/* A bound undo journal records every kind of change; undoing it brings the
 * store, in memory and in sqlite, back to what it was. Changes made while
 * no journal is bound are not recorded. */
static void test_journal_undo(void **state)
{
    fixture *f = *state;
    store *s = f->s;
    obj *keep = mk(s, "Vm", "j1", "keep");
    obj_set(s, keep, "memory", "512");
    obj_set(s, keep, "cpuCount", "1");
    obj *gone = mk(s, "VirtualDisk", "j2", "gone");
    obj_set(s, gone, "size", "1.0");
    obj_list_add(s, keep, "tags", "t1");
    char *before = store_dump(s);
    store_journal *jr = store_journal_new();
    assert_null(store_journal_bind(jr));
    store_begin(s);
    obj_set(s, keep, "memory", "1024");
    obj_unset(s, keep, "cpuCount");
    obj_set(s, keep, "description", "new");
    obj_rename(s, keep, "renamed");
    obj_list_add(s, keep, "tags", "t2");
    store_delete(s, gone);
    obj *made = mk(s, "Tag", "j3", "made");
    obj_set(s, made, "description", "x");
    store_commit(s);
    assert_ptr_equal(store_journal_bind(NULL), jr);
    obj_set(s, keep, "osType", "not journalled");
    assert_int_equal(store_journal_size(jr), 8);
    obj_unset(s, keep, "osType");
    assert_int_equal(store_journal_undo(s, jr), 8);
    assert_int_equal(store_journal_size(jr), 0);
    char *after = store_dump(s);
    assert_string_equal(after, before);
    free(after);
    reopen(f);
    after = store_dump(f->s);
    assert_string_equal(after, before);
    free(after);
    free(before);
    store_journal_free(jr);
}

/* A fact written under store_fact_wrlock while a journal is bound stays
 * out of it: undoing the journal reverts the job's change, not the fact. */
static void test_fact_outside_journal(void **state)
{
    fixture *f = *state;
    store *s = f->s;
    obj *vm = mk(s, "Vm", "f1", "vm");
    obj *srv = mk(s, "Server", "f2", "srv");
    store_journal *jr = store_journal_new();
    store_journal_bind(jr);
    obj_set(s, vm, "memory", "1024");
    store_fact_wrlock(s);
    obj_set(s, srv, "status", "Unknown");
    store_fact_unlock(s);
    obj_set(s, vm, "cpuCount", "2");
    assert_int_equal(store_journal_size(jr), 2);
    store_journal_bind(NULL);
    store_wrlock(s);
    assert_int_equal(store_journal_undo(s, jr), 2);
    store_unlock(s);
    assert_null(obj_get(vm, "memory"));
    assert_null(obj_get(vm, "cpuCount"));
    assert_string_equal(obj_get(srv, "status"), "Unknown");
    store_journal_free(jr);
}

static void test_newer_schema_refused(void **state)
{
    fixture *f = *state;
    assert_int_equal(sqlite3_exec(store_db(f->s), "UPDATE schema_version SET version = 9999", NULL, NULL, NULL),
                     SQLITE_OK);
    store_close(f->s);
    char *err = NULL;
    f->s = store_open(f->db, &err);
    assert_null(f->s);
    assert_non_null(err);
    assert_non_null(strstr(err, "9999"));
    free(err);
}

/* Populates a varied store, reopens it and compares the full dumps. */
static void test_reopen_identical(void **state)
{
    fixture *f = *state;
    char id[32], name[32];
    store_wrlock(f->s);
    store_begin(f->s);
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "0004fb00000600%06d", (i * 7919) % 1000);
        snprintf(name, sizeof name, i % 3 ? "vm %03d" : "VM (%d)", i % 50);
        obj *o = store_create(f->s, i % 5 ? "Vm" : "Server", id, name);
        obj_setf(f->s, o, "memory", "%d", 512 * (i % 8 + 1));
        obj_set(f->s, o, "desc", "with = and, comma and 'quotes' and \"dq\" and ünïcode");
        if (i % 4 == 0)
            obj_list_add(f->s, o, "tags", "t1");
    }
    assert_int_equal(store_commit(f->s), 0);
    obj *o = store_get(f->s, "0004fb00000600000000");
    assert_non_null(o);
    obj_rename(f->s, o, "renamed");
    obj_unset(f->s, o, "desc");
    store_unlock(f->s);
    char *before = store_dump(f->s);
    assert_non_null(strstr(before, "name=renamed"));
    /* the dump is sorted by type name: the migration's PeriodicTask, Server, Vm */
    assert_true(strncmp(before, "PeriodicTask ", 13) == 0);
    assert_true(strstr(before, "\nServer ") && strstr(before, "\nServer ") < strstr(before, "\nVm "));
    reopen(f);
    char *after = store_dump(f->s);
    assert_string_equal(before, after);
    assert_int_equal(store_count(f->s, "Vm") + store_count(f->s, "Server"), 300);
    free(before);
    free(after);
}

static void write_bytes(const char *path, const void *buf, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(buf, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void expect_open_fails(const char *path)
{
    char *err = NULL;
    store *s = store_open(path, &err);
    assert_null(s);
    assert_non_null(err);
    assert_true(strncmp(err, "store: ", 7) == 0);
    free(err);
}

static void test_not_sqlite(void **state)
{
    fixture *f = *state;
    char *p = xasprintf("%s/junk.db", f->dir);
    static const char text[] = "this is not a database, just text\n";
    char big[8192];
    memset(big, 'x', sizeof big);
    memcpy(big, text, sizeof text - 1);
    write_bytes(p, big, sizeof big);
    expect_open_fails(p);
    free(p);
}

/* A real store whose header has been overwritten: open must fail cleanly. */
static void test_corrupted(void **state)
{
    fixture *f = *state;
    mk(f->s, "Vm", "x", "x");
    store_close(f->s);
    f->s = NULL;
    size_t len;
    char *buf = ovm_read_file(f->db, &len);
    assert_non_null(buf);
    assert_true(len > 100);
    memset(buf, 0x5a, 100);
    write_bytes(f->db, buf, len);
    free(buf);
    expect_open_fails(f->db);
}

static void test_unwritable(void **state)
{
    fixture *f = *state;
    char *file = xasprintf("%s/file", f->dir);
    write_bytes(file, "x", 1);
    /* a path below a regular file cannot be created, even by root */
    char *p = xasprintf("%s/sub/ovmd.db", file);
    expect_open_fails(p);
    expect_open_fails("/nonexistent-ovm-dir/ovmd.db");
    free(p);
    free(file);
}

static void test_detached(void **state)
{
    obj *o = obj_detached("Vm", "tmp", NULL);
    obj_detached_set(o, "k", "v1");
    obj_detached_set(o, "k", "v2");
    assert_string_equal(obj_get(o, "k"), "v2");
    assert_string_equal(o->name, "tmp");
    assert_int_equal(o->nattrs, 1);
    obj_detached_free(o);
    obj_detached_free(NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_create_get),     T(test_list_order),  T(test_list_order_case_ties),        T(test_find_by),       T(test_attrs),
        T(test_rename_order),   cmocka_unit_test(test_split_list), T(test_comma_lists), T(test_delete),
        T(test_foreign_keys),   T(test_schema_and_wal),    T(test_newer_schema_refused), T(test_job_goals_migrated), T(test_archive_task_migrated), T(test_journal_undo), T(test_fact_outside_journal),
        T(test_reopen_identical), T(test_not_sqlite),      T(test_corrupted),     T(test_unwritable),
        cmocka_unit_test(test_detached), T(test_find_name), T(test_order_random),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
