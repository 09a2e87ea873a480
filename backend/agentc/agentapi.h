/* The engine's typed agent calls: one function agent_<method>(ctx, args...,
 * &result) per method of lib/agent_methods.h, generated from that list, so
 * that the engine never names a method with a string nor counts its
 * arguments. The context says whom to call and what a failure means. */
#ifndef OVM_AGENTAPI_H
#define OVM_AGENTAPI_H
#include <stdint.h>
#include "backend/agentc/agentc.h"
#include "lib/agent_methods.h"
#include "lib/xmlrpc.h"

typedef struct agent_ctx agent_ctx;
struct agent_ctx {
    agentc *ac;
    const agent_ep *ep;
    long wait[2];         /* seconds for AGENT_WAIT_CALL and AGENT_WAIT_LONG methods */
    long timeout_s;       /* > 0: this instead of the method's wait */
    char **err;           /* NULL, or where the reason of a failed call goes (heap;
                           * NULL after a success; a previous reason is freed) */
    const char *method;   /* the method called last */
    /* NULL, or run after a failed call with its AGC_* code and reason: what
     * it returns, the call returns (otherwise the AGC_* code). */
    int (*failed)(agent_ctx *c, int rc, const char *err);
    void *owner;          /* the failed hook's data */
};

/* Sets c's timeout for every call made with it; returns c. */
agent_ctx *agent_within(agent_ctx *c, long timeout_s);

/* The typed calls. Each returns AGC_OK (0) on success and stores the result
 * (caller frees) in *result when result is not NULL; on failure, see
 * agent_ctx.failed. Strings, integers and booleans are sent as given;
 * xr_value arguments (dict, list, any) stay the caller's. An opt_string
 * argument given as NULL, or an opt_boolean one given as -1, is left out,
 * and so is every argument after it. */
#define AGENT_CTYPE_string const char *
#define AGENT_CTYPE_integer int64_t
#define AGENT_CTYPE_boolean int
#define AGENT_CTYPE_dict const xr_value *
#define AGENT_CTYPE_list const xr_value *
#define AGENT_CTYPE_any const xr_value *
#define AGENT_CTYPE_any_string const char *
#define AGENT_CTYPE_opt_string const char *
#define AGENT_CTYPE_opt_boolean int
#define AGENT__PARAM_A(t, n) , AGENT_CTYPE_##t n AGENT__PARAM_B
#define AGENT__PARAM_B(t, n) , AGENT_CTYPE_##t n AGENT__PARAM_A
#define AGENT__PARAM_A_END
#define AGENT__PARAM_B_END
/* agent_<method>_fn: the function type, for a caller choosing between two
 * methods with the same arguments. */
#define AGENT__DECL(name_, wait_, res_, args_) \
    typedef int agent_##name_##_fn(agent_ctx *c AGENT__EACH(AGENT__PARAM, args_), xr_value **result); \
    agent_##name_##_fn agent_##name_;
AGENT_METHODS(AGENT__DECL)
#undef AGENT__DECL

/* What the typed calls share: calls method id with params (one per argument
 * of the method, NULL for one left out); frees the values the list marks
 * owned. */
int agent_invoke(agent_ctx *c, enum agent_method_id id, xr_value **params, xr_value **result);
#endif
