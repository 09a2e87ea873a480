/* Private to grammar/: small helpers shared by the grammar's files. The type
 * catalogue and the command forms are X-macros in grammar/forms.h. */
#ifndef OVM_GRAMMAR_INTERNAL_H
#define OVM_GRAMMAR_INTERNAL_H
#include "grammar/grammar.h"

/* NULL-terminated canonical type names, for objType= enums. */
extern const char *const gr_type_names[];

/* Heap array of heap strings that grows one line at a time. */
typedef struct gr_lines {
    char **v;
    size_t n, cap;
} gr_lines;
void gr_lines_add(gr_lines *l, char *line); /* takes ownership of line */
void gr_lines_addf(gr_lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1 if the command form is a verb-level form on an object (not manager). */
static inline int gr_cmd_is_typed(const gr_cmd *c) { return c->type != NULL; }
/* 1 if verb is one of the generic verbs of §4.2/§4.3 (not a custom command). */
int gr_verb_is_generic(const char *verb);
/* Canonical spelling of a known verb, or NULL. */
const char *gr_verb_canonical(const char *word);
/* 1 if any form of verb takes an object type. */
int gr_verb_is_typed(const char *verb);
/* Records the first error of a walk (heap copy of the message), ends it; -1. */
int gr_walk_fail(gr_walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* v joined with sep (v NULL-terminated, may be NULL). Heap string. */
char *gr_join(const char *const *v, const char *sep);
/* Validates and canonicalises one value: heap canonical value or NULL with *err. */
char *gr_check_value(const gr_attr *a, const char *v, char **err);
/* Cross-attribute rules of forms (checks.c): 0, or -1 with *err (heap). */
int check_vm_message(const gr_command *c, char **err);
int check_events(const gr_command *c, char **err);
int check_events_query(const gr_command *c, char **err);
#endif
