/* The object type catalogue (doc/command-language.md §4.1, §9; doc/object-model.md §1). */
#include <string.h>
#include "grammar/internal.h"
#include "lib/util.h"

#define TYPE_DEF(n, code, lvl, label) static const gr_type t_##n = {#n, code, lvl, label};
GR_TYPE_LIST(TYPE_DEF)
#undef TYPE_DEF

#define TYPE_PTR(n, code, lvl, label) &t_##n,
static const gr_type *const all_types[] = {GR_TYPE_LIST(TYPE_PTR)};
#undef TYPE_PTR

#define TYPE_NAME(n, code, lvl, label) #n,
const char *const gr_type_names[] = {GR_TYPE_LIST(TYPE_NAME) NULL};
#undef TYPE_NAME

/* Input aliases of doc/object-model.md §1: accepted, never printed. */
static const struct {
    const char *alias;
    const gr_type *type;
} aliases[] = {
    {"SanServer", &t_StorageArray},
    {"Assembly", &t_VirtualAppliance},
    {"AssemblyVm", &t_VirtualApplianceVm},
    {"AssemblyVirtualDisk", &t_VirtualApplianceVirtualDisk},
};

const gr_type *gr_type_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof all_types / sizeof all_types[0]; i++)
        if (ovm_strcasecmp(all_types[i]->name, name) == 0)
            return all_types[i];
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (ovm_strcasecmp(aliases[i].alias, name) == 0)
            return aliases[i].type;
    return NULL;
}

const gr_type *const *gr_types(size_t *n)
{
    *n = sizeof all_types / sizeof all_types[0];
    return all_types;
}
