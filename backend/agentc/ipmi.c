/* IPMI power control with libfreeipmi (see ipmi.h). Cipher suite 3
 * (HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128), the suite every IPMI 2.0 BMC
 * offers, at ADMINISTRATOR privilege. The open-session-privilege workaround
 * is on: some BMCs (OpenIPMI's ipmi_sim among them) answer the RMCP+ Open
 * Session Request with a maximum privilege FreeIPMI otherwise refuses; the
 * privilege is still set by the session's Set Session Privilege command. */
#include "backend/agentc/ipmi.h"
#include <freeipmi/freeipmi.h>
#include <stdint.h>
#include <stdio.h>
#include "lib/util.h"

#define IPMI_CIPHER_SUITE 3

static void set_err(char **err, const char *host, const char *what, const char *why)
{
    if (err)
        *err = xasprintf("IPMI %s at %s failed: %s", what, host, why);
}

/* A session to ep; NULL with *err set. */
static ipmi_ctx_t open_session(const ipmi_endpoint *ep, const char *what, char **err)
{
    ipmi_ctx_t ctx = ipmi_ctx_create();
    if (!ctx) {
        set_err(err, ep->host, what, "out of memory");
        return NULL;
    }
    unsigned tmo = ep->timeout_ms > 0 ? (unsigned)ep->timeout_ms : 10000;
    unsigned retrans = tmo / 4 > 0 ? tmo / 4 : 1;
    if (ipmi_ctx_open_outofband_2_0(ctx, ep->host, ep->user, ep->password, NULL, 0, IPMI_PRIVILEGE_LEVEL_ADMIN,
                                    IPMI_CIPHER_SUITE, tmo, retrans,
                                    IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE,
                                    IPMI_FLAGS_DEFAULT) < 0) {
        /* FreeIPMI's texts: "connection timeout", "password invalid", ... */
        set_err(err, ep->host, what, ipmi_ctx_errormsg(ctx));
        ipmi_ctx_destroy(ctx);
        return NULL;
    }
    return ctx;
}

static void close_session(ipmi_ctx_t ctx)
{
    ipmi_ctx_close(ctx);
    ipmi_ctx_destroy(ctx);
}

int ipmi_power_status(const ipmi_endpoint *ep, ipmi_power *on, char **err)
{
    ipmi_ctx_t ctx = open_session(ep, "get chassis status", err);
    if (!ctx)
        return -1;
    int rc = -1;
    fiid_obj_t rs = fiid_obj_create(tmpl_cmd_get_chassis_status_rs);
    uint64_t v = 0;
    if (!rs)
        set_err(err, ep->host, "get chassis status", "out of memory");
    else if (ipmi_cmd_get_chassis_status(ctx, rs) < 0)
        set_err(err, ep->host, "get chassis status", ipmi_ctx_errormsg(ctx));
    else if (fiid_obj_get(rs, "current_power_state.power_is_on", &v) < 0)
        set_err(err, ep->host, "get chassis status", fiid_obj_errormsg(rs));
    else {
        *on = v ? IPMI_POWER_ON : IPMI_POWER_OFF;
        rc = 0;
    }
    fiid_obj_destroy(rs);
    close_session(ctx);
    return rc;
}

static int chassis_control(const ipmi_endpoint *ep, uint8_t control, const char *what, char **err)
{
    ipmi_ctx_t ctx = open_session(ep, what, err);
    if (!ctx)
        return -1;
    int rc = -1;
    fiid_obj_t rs = fiid_obj_create(tmpl_cmd_chassis_control_rs);
    if (!rs)
        set_err(err, ep->host, what, "out of memory");
    else if (ipmi_cmd_chassis_control(ctx, control, rs) < 0)
        set_err(err, ep->host, what, ipmi_ctx_errormsg(ctx));
    else
        rc = 0;
    fiid_obj_destroy(rs);
    close_session(ctx);
    return rc;
}

int ipmi_power_on(const ipmi_endpoint *ep, char **err)
{
    return chassis_control(ep, IPMI_CHASSIS_CONTROL_POWER_UP, "power on", err);
}

int ipmi_power_off(const ipmi_endpoint *ep, char **err)
{
    return chassis_control(ep, IPMI_CHASSIS_CONTROL_POWER_DOWN, "power off", err);
}

int ipmi_power_soft(const ipmi_endpoint *ep, char **err)
{
    return chassis_control(ep, IPMI_CHASSIS_CONTROL_INITIATE_SOFT_SHUTDOWN, "soft shutdown", err);
}
