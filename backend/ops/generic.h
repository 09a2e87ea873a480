/* Generic create/edit/delete plans shared by the area files: most objects are
 * created and edited by storing their validated attributes. */
#ifndef OVM_GENERIC_H
#define OVM_GENERIC_H
#include "backend/ops/ops.h"

typedef struct gplan {
    const char *type;
    char id[64];
    char *name;
    char **keys, **vals, **old;  /* old: values at prepare time (edit, stale check) */
    size_t n;
    int64_t version;             /* object version at prepare time (edit) */
} gplan;

gplan *gplan_new(const char *type, const char *id, const char *name);
void gplan_set(gplan *p, const char *key, const char *value);
void gplan_free(void *p);
/* Copies every command attribute except name into the plan. */
void gplan_take_attrs(gplan *p, const gr_command *cmd);
/* Creates g->type/g->id with its attributes for job j (write lock taken
 * inside); the created id becomes j's result. */
int gplan_store_create(job *j, gplan *g);
/* Applies the edit g for job j, refusing with the stale-object text when an
 * attribute it sets was changed by another job since the command was checked. */
int gplan_store_edit(job *j, gplan *g);
/* The same as job functions whose plan is the gplan. */
int gplan_run_create(job *j);
int gplan_run_edit(job *j);
/* Job function: deletes the object. */
int gplan_run_delete(job *j);
/* The edit plan for o from the command (NULL after result_fail). */
gplan *gplan_edit_plan(cmdctx *c, obj *o, int unique_name);
/* Prepares an edit of o (name uniqueness for unique types, create-only attrs). */
job *gplan_prepare_edit(cmdctx *c, obj *o, int unique_name);
/* A job that deletes o from the store and does nothing else (no agent work). */
job *gplan_delete_job(cmdctx *c, obj *o);
/* Operations of edit and delete forms that need no more: the command's
 * instance edited (names unique) or deleted. */
job *prepare_edit_unique(cmdctx *c);
job *prepare_delete_plain(cmdctx *c);
/* The plan of a create of the command's type whose names are unique
 * (a new id, the command's attributes), or NULL after failing c with
 * "A <type> named <name> already exists". */
gplan *gplan_create_unique(cmdctx *c);
/* The job storing the created object of plan p (consumed). */
job *gplan_create_job(cmdctx *c, gplan *p);
/* A job adding member's id to (add) or removing it from holder's list
 * attribute attr, and nothing else; spec's fn and plan_free are its own. */
job *member_list_job(cmdctx *c, const job_spec *spec, obj *holder, const char *attr, obj *member, int add);
/* Generates the id of a new object of type t. */
void new_object_id(const gr_type *t, char *buf, size_t len);
/* Applies plan attributes to o (write lock held). */
void gplan_apply(engine *e, gplan *p, obj *o);
#endif
