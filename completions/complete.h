/* TAB completion and `?` help for the OVM> language (doc/command-language.md §11.3):
 * the grammar tables plus live object names from the engine. Pure functions:
 * the engine passes a callback for the names, tests pass a fake. */
#ifndef OVM_COMPLETE_H
#define OVM_COMPLETE_H
#include <stddef.h>

/* Live objects of a type, as a heap array of heap strings (the caller frees
 * them); returns the count. type is a canonical type name ("Vm") for object
 * names, or "id:" + the type name ("id:Vm") for object ids. */
typedef size_t (*complete_names_fn)(void *ctx, const char *type, char ***out);

/* The full-token candidates for the token under the cursor, i.e. the text
 * after the last blank or ';' outside quotes in before_cursor: verbs, types
 * for the verb, id=/name=, names after name= (quoted with " when they hold a
 * blank), attributes with '=', enum/bool values, names of a ref type,
 * on/to/from and the parent types after them. Only candidates that extend the
 * typed token (ASCII case-insensitively) are returned, sorted and unique.
 * *out is a heap array of heap strings (free with complete_free); returns n. */
size_t complete_candidates(const char *before_cursor, complete_names_fn names, void *ctx, char ***out);

/* The `?` listing for the text before the '?': grammar's gr_question_lines
 * for the last command of the line, indented to the '?' column on a line that
 * starts with the prompt "OVM> ", then the live names (same indent) where a
 * value of an instance or a reference is expected. Returns the line count;
 * *lines as for complete_candidates. */
size_t complete_help(const char *before_q, complete_names_fn names, void *ctx, char ***lines);

/* Frees an array returned by the functions above. */
void complete_free(char **v, size_t n);
#endif
