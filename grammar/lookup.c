/* Lookups over the command forms of grammar/commands.c: by verb and type,
 * attributes by type and name, verbs, refusals, enum labels. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "grammar/internal.h"
#include "lib/util.h"

static size_t cmd_count(void)
{
    size_t n;
    gr_cmds(&n);
    return n;
}

static const gr_cmd *cmd_at(size_t i)
{
    size_t n;
    return gr_cmds(&n)[i];
}

static const char *const generic_verbs[] = {"list", "show", "create", "edit", "delete",
                                            "refresh", "add", "remove", NULL};

char *gr_type_refusal(const gr_cmd *c, const gr_type *t)
{
    if (t && t->level != GT_R1 && strcmp(c->verb, "list") != 0)
        return xasprintf("Object type %s is not supported by this Manager", t->name);
    return NULL;
}

char *gr_refusal(const gr_cmd *c, const gr_type *t)
{
    return c->refusal ? xstrdup(c->refusal) : gr_type_refusal(c, t);
}

const gr_cmd *gr_cmd_find(const char *verb, const char *type)
{
    for (size_t i = 0; i < cmd_count(); i++) {
        const gr_cmd *c = cmd_at(i);
        if (ovm_strcasecmp(c->verb, verb) != 0)
            continue;
        if (!type ? !c->type : (c->type && ovm_strcasecmp(c->type, type) == 0))
            return c;
    }
    return NULL;
}

const gr_attr *gr_cmd_attr(const gr_cmd *c, const char *name)
{
    for (const gr_attr *const *a = c->attrs; a && *a; a++)
        if (ovm_strcasecmp((*a)->name, name) == 0)
            return *a;
    return NULL;
}

/* The attribute of a type by name: the create form's, else the first form of
 * the type (in table order) that has it. show looks one up per row of every
 * object it renders, so the answer comes from an index sorted by (type,
 * name), built once, rather than a scan of every form's table. */
typedef struct {
    const char *type;
    const gr_attr *attr;
    size_t seq; /* rank of the form: the first wins among equal keys */
} type_attr;

static type_attr *type_attrs;
static size_t n_type_attrs;
static pthread_once_t type_attrs_once = PTHREAD_ONCE_INIT;

static int type_attr_cmp(const char *type, const char *name, const type_attr *b)
{
    int c = strcmp(type, b->type);
    return c ? c : ovm_strcasecmp(name, b->attr->name);
}

static int type_attr_sort(const void *pa, const void *pb)
{
    const type_attr *a = pa, *b = pb;
    int c = type_attr_cmp(a->type, a->attr->name, b);
    return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

/* The create forms rank before every other form of their type. */
static size_t form_rank(size_t i)
{
    return (strcmp(cmd_at(i)->verb, "create") ? 1 : 0) * (cmd_count()) + i;
}

static void type_attrs_build(void)
{
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < cmd_count(); i++)
        for (const gr_attr *const *a = cmd_at(i)->attrs; cmd_at(i)->type && a && *a; a++) {
            if (n == cap)
                type_attrs = xrealloc(type_attrs, (cap = cap ? 2 * cap : 256) * sizeof *type_attrs);
            type_attrs[n++] = (type_attr){cmd_at(i)->type, *a, form_rank(i)};
        }
    qsort(type_attrs, n, sizeof *type_attrs, type_attr_sort);
    size_t kept = 0; /* keep the first of each (type, name) */
    for (size_t i = 0; i < n; i++)
        if (!kept || type_attr_cmp(type_attrs[i].type, type_attrs[i].attr->name, &type_attrs[kept - 1]))
            type_attrs[kept++] = type_attrs[i];
    n_type_attrs = kept;
}

const gr_attr *gr_type_attr(const char *type, const char *name)
{
    pthread_once(&type_attrs_once, type_attrs_build);
    size_t lo = 0, hi = n_type_attrs;
    while (type && name && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = type_attr_cmp(type, name, &type_attrs[mid]);
        if (!c)
            return type_attrs[mid].attr;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *gr_attr_value_default(const gr_attr *a)
{
    return a && a->deflt && a->deflt[0] != '=' ? a->deflt : NULL;
}

const char *gr_enum_label(const gr_attr *a, const char *v)
{
    for (size_t i = 0; v && a && a->enums && a->labels && a->enums[i]; i++)
        if (!strcmp(a->enums[i], v))
            return a->labels[i];
    return v;
}

const char *gr_verb_canonical(const char *word)
{
    for (size_t i = 0; word && i < cmd_count(); i++)
        if (ovm_strcasecmp(cmd_at(i)->verb, word) == 0)
            return cmd_at(i)->verb;
    return NULL;
}

int gr_is_verb(const char *word)
{
    return gr_verb_canonical(word) != NULL;
}

int gr_verb_is_typed(const char *verb)
{
    for (size_t i = 0; i < cmd_count(); i++)
        if (cmd_at(i)->type && ovm_strcasecmp(cmd_at(i)->verb, verb) == 0)
            return 1;
    return 0;
}

int gr_verb_is_generic(const char *verb)
{
    for (const char *const *g = generic_verbs; *g; g++)
        if (ovm_strcasecmp(*g, verb) == 0)
            return 1;
    return 0;
}

const char *gr_parent_keyword(const char *verb)
{
    if (ovm_strcasecmp(verb, "create") == 0)
        return "on";
    if (ovm_strcasecmp(verb, "add") == 0)
        return "to";
    if (ovm_strcasecmp(verb, "remove") == 0)
        return "from";
    return NULL;
}
