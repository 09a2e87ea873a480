/* What `show <Type>` prints, as data: one table of rows per object type
 * (show_tables.c), read by show.c. A row names its label, the attribute it
 * prints and how; an attribute's default comes from the grammar (the form
 * that sets it), so a row states a default only for an attribute no command
 * sets (tests/unit/test-show-rows.c checks both). Enum values print as the
 * grammar's labels for them. */
#ifndef OVM_SHOW_ROWS_H
#define OVM_SHOW_ROWS_H
#include "backend/engine.h"
#include "backend/render/result.h"

typedef enum sr_kind {
    SR_NAME,    /* the object's name */
    SR_ID,      /* its id */
    SR_STATUS,  /* status_of() */
    SR_LOCKED,  /* true while a job holds it */
    SR_VALUE,   /* attr, its default, shown through the grammar's enum labels */
    SR_GIB,     /* attr as GiB ("12.5", "200.0") */
    SR_REF,     /* attr names an object: "id  [name]" */
    SR_LIST,    /* attr is a comma list: "Label 1", "Label 2", ... */
    SR_RELATED, /* objects of type whose attr (an id, or an id list: is_list) names this one */
    SR_LISTED,  /* objects whose ids attr lists */
    SR_CONST,   /* the text in attr */
    SR_FN,      /* rows computed by fn */
} sr_kind;

typedef struct show_row {
    sr_kind kind;
    const char *label;
    const char *attr;
    const char *deflt;   /* default of an attribute no command sets, or NULL */
    const char *type;    /* SR_RELATED: the referring type */
    int is_list;         /* SR_RELATED: attr is a list of ids */
    void (*fn)(engine *e, const obj *o, result *r); /* SR_FN */
} show_row;

#define ROW_NAME {SR_NAME, "Name", NULL, NULL, NULL, 0, NULL}
#define ROW_ID {SR_ID, "Id", NULL, NULL, NULL, 0, NULL}
#define ROW_STATUS {SR_STATUS, "Status", NULL, NULL, NULL, 0, NULL}
#define ROW_LOCKED {SR_LOCKED, "Locked", NULL, NULL, NULL, 0, NULL}
#define ROW_DESC {SR_VALUE, "Description", "description", NULL, NULL, 0, NULL}
#define VAL(l, a) {SR_VALUE, l, a, NULL, NULL, 0, NULL}
#define VALD(l, a, d) {SR_VALUE, l, a, d, NULL, 0, NULL}
#define GIB(l, a) {SR_GIB, l, a, NULL, NULL, 0, NULL}
#define GIBD(l, a, d) {SR_GIB, l, a, d, NULL, 0, NULL}
#define REF(l, a) {SR_REF, l, a, NULL, NULL, 0, NULL}
#define LIST(l, a) {SR_LIST, l, a, NULL, NULL, 0, NULL}
#define RELATED(l, t, a) {SR_RELATED, l, a, NULL, t, 0, NULL}
#define RELATED_IN(l, t, a) {SR_RELATED, l, a, NULL, t, 1, NULL}
#define LISTED(l, a) {SR_LISTED, l, a, NULL, NULL, 0, NULL}
#define CONSTANT(l, v) {SR_CONST, l, v, NULL, NULL, 0, NULL}
#define ROWS_FN(f) {SR_FN, NULL, NULL, NULL, NULL, 0, f}
#define ROW_END {SR_NAME, NULL, NULL, NULL, NULL, 0, NULL}

typedef struct show_table {
    const char *type;
    const show_row *rows; /* ends with ROW_END (label NULL) */
} show_table;

/* The tables, ending with {NULL, NULL}. */
extern const show_table show_tables[];
/* The rows of type, or NULL. */
const show_row *show_rows_of(const char *type);

/* Row functions of show_tables.c's SR_FN rows (show.c). */
void show_vm_config_path(engine *e, const obj *o, result *r);
void show_vm_mappings(engine *e, const obj *o, result *r);
void show_usable_memory(engine *e, const obj *o, result *r);
void show_disk_path(engine *e, const obj *o, result *r);
void show_iso_path(engine *e, const obj *o, result *r);
void show_mapped_disk(engine *e, const obj *o, result *r);
void show_manager_uuid(engine *e, const obj *o, result *r);
void show_mac_range(engine *e, const obj *o, result *r);
void show_pdisk_san(engine *e, const obj *o, result *r);
void show_ip_config(engine *e, const obj *o, result *r);
void show_fs_ocfs2(engine *e, const obj *o, result *r);
#endif
