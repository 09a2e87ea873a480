/* The agent's XML-RPC methods (lib/agent_methods.h) bound to handlers:
 * argument checking and Python-style faults. */
#ifndef OVM_AGENT_DISPATCH_H
#define OVM_AGENT_DISPATCH_H
#include <stddef.h>
#include "lib/xmlrpc.h"

struct sim;

/* One call in progress. A handler that fails sets the fault through call_fault. */
struct call_ctx {
    struct sim *sim;
    const char *method;
    char *fault;        /* heap; NULL unless the call failed */
    int certified;      /* the caller presented a client certificate of the owning CA */
};

/* Records a fault text (printf style) on c and returns NULL, so handlers can
 * write `return call_fault(c, ...)`. The first fault recorded wins. */
xr_value *call_fault(struct call_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs method with params (an XR_ARRAY) against sim and returns the encoded
 * methodResponse (heap, length in *len): a result or a fault. Never NULL.
 * certified: the caller presented a client certificate signed by the owning
 * Manager's CA (what ownership changes of an owned agent require). */
char *dispatch_call(struct sim *sim, const char *method, const xr_value *params, int certified, size_t *len);

/* 1 if the agent serves the method (used by tests of the table itself). */
int dispatch_known(const char *method);
/* The first method of lib/agent_methods.h without a handler, or NULL. */
const char *dispatch_unbound(void);
#endif
