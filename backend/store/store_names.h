/* The store's index of objects by (type, exact name), so that resolving
 * name= and checking that a name is free cost the same at 100,000 objects
 * of a type as at 100 (issue 10 item 9). Internal to backend/store/ (store.c, store_index.c): it
 * holds pointers to the store's objects and is updated with every create,
 * rename and delete under the store's write lock. */
#ifndef OVM_STORE_NAMES_H
#define OVM_STORE_NAMES_H
#include <stddef.h>
#include "backend/store/store.h"

typedef struct name_index name_index;

name_index *names_new(void);
/* Frees the index, not the objects. */
void names_free(name_index *ni);
/* Indexes o under its current type and name. */
void names_add(name_index *ni, obj *o);
/* Removes o, indexed under its current type and name (call before a rename
 * changes o->name, and names_add after). */
void names_remove(name_index *ni, const obj *o);
/* Number of objects of type named exactly name; *one is one of them (NULL
 * when there is none). */
size_t names_find(const name_index *ni, const char *type, const char *name, obj **one);
#endif
