/* The cross-attribute rules of command forms (gr_cmd.check): what a
 * single attribute's type cannot say. Each gives the Error Msg of its rule. */
#include <stdlib.h>
#include <string.h>
#include "grammar/internal.h"
#include "lib/util.h"

int check_vm_message(const gr_command *c, char **err)
{
    /* MSG-2, MSG-3 (doc/object-model.md §6.15): the limits and texts of the rules,
     * not the generic string-length text. */
    const char *key = gr_get(c, "key");
    const char *msg = gr_get(c, "message");
    const char *log = gr_get(c, "log");
    size_t limit = log && strcmp(log, "No") == 0 ? 8192 : 1024;
    if (key && !*key) {
        *err = xstrdup("Invalid value for key; expected a string of 1 to 256 bytes");
        return -1;
    }
    if (key && strlen(key) > 256) {
        *err = xasprintf("Key is %zu bytes; the limit is 256", strlen(key));
        return -1;
    }
    if (msg && strlen(msg) > limit) {
        *err = xasprintf("Message is %zu bytes; the limit is 1024 with log=Yes and 8192 with log=No", strlen(msg));
        return -1;
    }
    return 0;
}

/* objType and the object(s) it qualifies come together (Oracle: "must be used with"). */
static int check_pair(const gr_command *c, const char *a, const char *b, char **err)
{
    int has_a = gr_get(c, a) != NULL, has_b = gr_get(c, b) != NULL;
    if (has_a == has_b)
        return 0;
    *err = xasprintf("Missing mandatory attribute: %s", has_a ? b : a);
    return -1;
}

int check_events(const gr_command *c, char **err)
{
    return check_pair(c, "objType", "objId", err);
}

int check_events_query(const gr_command *c, char **err)
{
    if (check_pair(c, "objType", "objIds", err))
        return -1;
    if (gr_get(c, "severityEqualityType") && !gr_get(c, "severity")) {
        *err = xstrdup("severityEqualityType needs severity");
        return -1;
    }
    if (gr_get(c, "eventEqualityType") && !gr_get(c, "eventTypes")) {
        *err = xstrdup("eventEqualityType needs eventTypes");
        return -1;
    }
    return 0;
}
