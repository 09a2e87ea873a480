/* Relations between object types, as one table (relations.c): who refers to
 * whom, and what deleting the referred-to object does to the referrers. */
#ifndef OVM_RELATIONS_H
#define OVM_RELATIONS_H
#include "backend/engine.h"

typedef enum rel_action {
    REL_REFUSE,  /* delete is refused while a referrer exists: "it is in use by ..." */
    REL_CASCADE, /* the referrers are deleted with it */
    REL_DETACH,  /* the reference is removed from the referrers */
} rel_action;

typedef struct relation {
    const char *type;    /* the referred-to type */
    const char *by_type; /* the type that refers */
    const char *attr;    /* by_type's attribute holding the id (a list of ids: is_list) */
    int is_list;
    rel_action on_delete;
    const char *via;     /* REL_REFUSE: name the object the referrer's via attribute
                            names (a mapping's Vm), the first by name; NULL: the referrer */
} relation;

/* The table, ending with a NULL type. */
extern const relation relations[];

/* The object a refusal of deleting o names, or NULL: the first REL_REFUSE
 * relation of o's type, in table order, that has referrers. *user_type gets
 * the named object's type. Read lock held. */
obj *relation_user(engine *e, const obj *o, const char **user_type);
/* Applies o's REL_CASCADE and REL_DETACH relations (before o is deleted).
 * Write lock held, inside the caller's transaction. */
void relations_on_delete(engine *e, const obj *o);
#endif
