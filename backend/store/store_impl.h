/* The store's private state, shared by store.c (the database: schema, load,
 * transactions), store_index.c (the in-memory indexes and lookups) and store_obj.c
 * (object attributes and mutations). Nothing outside backend/store/ includes it. */
#ifndef OVM_STORE_IMPL_H
#define OVM_STORE_IMPL_H
#include <pthread.h>
#include <sqlite3.h>
#include "backend/store/store.h"
#include "backend/store/store_names.h"

#define HASH_BUCKETS 65536u

typedef struct hnode {
    obj *o;
    struct hnode *next;
} hnode;

/* The objects of one type, kept in list order (cli-contract §7.3) as they
 * change: a create, rename or delete moves one slot by binary search, so
 * nothing is re-sorted after a change and `list` only copies the array. */
typedef struct tlist {
    const char *type;
    obj **v;
    size_t n, cap;
} tlist;

/* Secondary index on the reference attributes that ops and show query by
 * value (store_find_by), so that "VMs of this server" does not scan every VM. */
typedef struct inode {
    const char *key;    /* one of indexed_keys */
    const char *value;  /* the object's attribute value (owned by the object) */
    obj *o;
    struct inode *next;
} inode;


struct store {
    sqlite3 *db;
    inode *ibuckets[HASH_BUCKETS];
    pthread_rwlock_t rw;
    hnode *buckets[HASH_BUCKETS];
    name_index *names;
    int loading;        /* load_all appends unsorted and sorts once at the end */
    tlist *types;
    size_t ntypes;
    int txdepth;
    int64_t actor;
    sqlite3_stmt *st_ins_obj, *st_upd_name, *st_del_obj, *st_set, *st_unset;
    /* Prepared on first use and kept: parsing them again for every job was
     * a sixth of the engine's CPU in bulk creates (bench/bulk-create.sh). */
    sqlite3_stmt *st_job_save, *st_begin, *st_commit;
};

void store_step_reset(store *s, sqlite3_stmt *st);
void store_idx_add(store *s, obj *o, const char *key, const char *value);
void store_idx_remove(store *s, obj *o, const char *key, const char *value);
/* List order: by name case-insensitively, ties by id (unique), so a total order. */
int store_list_cmp(const void *a, const void *b);
void store_order_insert(tlist *t, obj *o, int append);
/* o must be at its place for its current name. */
void store_order_remove(tlist *t, const obj *o);
tlist *store_tlist_get(store *s, const char *type, int create);
void store_index_add(store *s, obj *o);
void store_index_remove(store *s, obj *o);
void store_obj_attr_put(obj *o, const char *key, const char *value);
obj *store_obj_new(const char *type, const char *id, const char *name);
void store_obj_free(obj *o);
/* Records of the bound undo journal (store_journal.c), made before the change. */
void store_journal_note_set(const obj *o, const char *key, const char *old);
void store_journal_note_create(const obj *o);
void store_journal_note_rename(const obj *o, const char *old_name);
void store_journal_note_delete(const obj *o);
#endif
