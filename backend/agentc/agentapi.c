/* The typed agent calls, generated from lib/agent_methods.h, and the one
 * place that turns them into XML-RPC calls by name. */
#include "backend/agentc/agentapi.h"
#include <stdlib.h>
#include "lib/crashpoint.h"

agent_ctx *agent_within(agent_ctx *c, long timeout_s)
{
    c->timeout_s = timeout_s;
    return c;
}

int agent_invoke(agent_ctx *c, enum agent_method_id id, xr_value **params, xr_value **result)
{
    const agent_method *m = &agent_methods[id];
    size_t n = 0;
    while (n < m->nargs && params[n])
        n++;
    long timeout = c->timeout_s > 0 ? c->timeout_s : c->wait[m->wait];
    xr_value *res = NULL;
    char *err = NULL;
    c->method = m->name;
    crash_point2("before", m->name);
    int rc = agentc_call(c->ac, c->ep, m->name, params, n, timeout, &res, &err);
    if (rc == AGC_OK)
        crash_point2("after", m->name); /* the agent acted; the store does not know yet */
    for (size_t k = 0; k < m->nargs; k++)
        if (m->args[k].owned)
            xr_free(params[k]);
    if (rc == AGC_OK && result)
        *result = res;
    else
        xr_free(res);
    if (rc != AGC_OK && c->failed)
        rc = c->failed(c, rc, err);
    if (c->err) {
        free(*c->err);
        *c->err = err;
    } else {
        free(err);
    }
    return rc;
}

#define AGENT_WRAP_string(v) xr_string(v)
#define AGENT_WRAP_integer(v) xr_int(v)
#define AGENT_WRAP_boolean(v) xr_bool(v)
/* The caller's values are sent as they are, not copied (agentc_call does
 * not change them). */
#define AGENT_WRAP_dict(v) ((xr_value *)(v))
#define AGENT_WRAP_list(v) ((xr_value *)(v))
#define AGENT_WRAP_any(v) ((xr_value *)(v))
#define AGENT_WRAP_any_string(v) xr_string(v)
#define AGENT_WRAP_opt_string(v) ((v) ? xr_string(v) : NULL)
#define AGENT_WRAP_opt_boolean(v) ((v) >= 0 ? xr_bool(v) : NULL)
#define AGENT__WRAP_A(t, n) AGENT_WRAP_##t(n), AGENT__WRAP_B
#define AGENT__WRAP_B(t, n) AGENT_WRAP_##t(n), AGENT__WRAP_A
#define AGENT__WRAP_A_END
#define AGENT__WRAP_B_END

#define AGENT__DEF(name_, wait_, res_, args_) \
    int agent_##name_(agent_ctx *c AGENT__EACH(AGENT__PARAM, args_), xr_value **result) \
    { \
        xr_value *agent__p[] = {AGENT__EACH(AGENT__WRAP, args_) NULL}; \
        return agent_invoke(c, AM_##name_, agent__p, result); \
    }
AGENT_METHODS(AGENT__DEF)
