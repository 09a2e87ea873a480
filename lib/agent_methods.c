/* The agent API table, generated from the list in lib/agent_methods.h. */
#include "lib/agent_methods.h"
#include <string.h>
#include "lib/xmlrpc.h"

/* One argument array per method; a method without arguments gets an empty
 * one (a lone NULL-named entry, not counted). */
#define AGENT__ARGS(name, wait, result, args) \
    static const agent_arg args_##name[] = {AGENT__EACH(AGENT__DESC, args){NULL, AT_ANY, 0, 0}};
AGENT_METHODS(AGENT__ARGS)
#undef AGENT__ARGS

const agent_method agent_methods[AM_COUNT] = {
#define AGENT__ROW(name, wait, result, args) \
    [AM_##name] = {#name, AGENT_WAIT_##wait, AGENT_AR_##result, args_##name, \
                   0 AGENT__EACH(AGENT__COUNT, args), 0 AGENT__EACH(AGENT__REQ, args)},
    AGENT_METHODS(AGENT__ROW)
#undef AGENT__ROW
};

const agent_method *agent_method_find(const char *name)
{
    for (size_t i = 0; i < AM_COUNT; i++)
        if (!strcmp(agent_methods[i].name, name))
            return &agent_methods[i];
    return NULL;
}

const char *agent_type_word(agent_type t)
{
    switch (t) {
    case AT_STRING: return "string";
    case AT_INTEGER: return "integer";
    case AT_BOOLEAN: return "boolean";
    case AT_DICT: return "dict";
    case AT_LIST: return "list";
    case AT_ANY: break;
    }
    return "object";
}

int agent_result_ok(agent_result r, int xr_type)
{
    switch (r) {
    case AR_NIL: return xr_type == XR_NIL;
    case AR_STRING:
    case AR_XML: return xr_type == XR_STRING;
    case AR_DICT: return xr_type == XR_STRUCT;
    case AR_DICT_OR_NIL: return xr_type == XR_STRUCT || xr_type == XR_NIL;
    case AR_LIST: return xr_type == XR_ARRAY;
    case AR_BOOLEAN: return xr_type == XR_BOOL;
    case AR_ANY: break;
    }
    return 1;
}
