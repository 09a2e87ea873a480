/* `show <Type>` data: the labels of doc/command-language.md §8 in their fixed order,
 * computed from the store (read lock held). */
#ifndef OVM_SHOW_H
#define OVM_SHOW_H
#include "backend/engine.h"
#include "backend/render/result.h"

/* Adds the show lines of o to r. */
void show_object(engine *e, const obj *o, result *r);
/* Adds the show lines of a job snapshot to r. */
void show_job(engine *e, const job *j, result *r);
/* Formats a GiB value like Java's Double.toString ("200.0", "12.5"). */
void fmt_gib(double v, char *buf, size_t len);
/* Objects of type whose attribute key (an id or an id list) names id, in creation order. */
size_t related(engine *e, const char *type, const char *key, const char *id, int is_list, obj ***out);
#endif
