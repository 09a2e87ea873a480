/* vm.cfg text (doc/agent-protocol.md §8): Python-style `key = value` lines whose values
 * are strings, numbers, True/False/None or lists of those. */
#ifndef OVM_AGENT_VMCFG_H
#define OVM_AGENT_VMCFG_H
#include "lib/strbuf.h"
#include "lib/xmlrpc.h"

/* Appends cfg (an XR_STRUCT) as vm.cfg text. -1 if a member cannot be
 * expressed (nested struct); err then names the key. */
int vmcfg_format(const xr_value *cfg, strbuf *out, char *err, size_t errlen);
/* Parses vm.cfg text into a new XR_STRUCT; NULL with a reason in err. */
xr_value *vmcfg_parse(const char *text, char *err, size_t errlen);
#endif
