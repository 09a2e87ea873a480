/* The engine's client for ovm-agentd / Oracle VM Agent (doc/agent-protocol.md §2-§3):
 * XML-RPC over HTTPS with libcurl's multi interface on one I/O thread, so
 * that many agents are served at once while job threads simply block. */
#ifndef OVM_AGENTC_H
#define OVM_AGENTC_H
#include <stddef.h>
#include "lib/xmlrpc.h"

/* Where and how to reach one agent. */
typedef struct agent_ep {
    char host[256];      /* IP address or host name */
    int port;            /* 8899 by default */
    char user[32];       /* "oracle" */
    char password[256];  /* agent password (may be empty after ownership) */
    char pin[128];       /* "sha256//<base64 SPKI hash>" recorded at discovery; "" = first contact */
    /* Mutual TLS after ownership (doc/agent-protocol.md §4 item 4). When ca_file is set
     * the pin is not used: the agent's certificate must chain to this CA and
     * its subject CN must equal peer_cn, and the Manager presents its client
     * certificate. */
    char ca_file[512];   /* Manager CA certificate (PEM) */
    char cert_file[512]; /* Manager client certificate (PEM) */
    char key_file[512];  /* its private key (PEM) */
    char peer_cn[128];   /* the server id */
} agent_ep;

/* Outcome of a call. */
enum {
    AGC_OK = 0,
    AGC_FAULT = 1,      /* XML-RPC fault: *err = faultString (newlines -> spaces, <= 1000 chars) */
    AGC_TRANSPORT = 2,  /* refused, timeout, TLS failure, malformed reply: *err = reason */
    AGC_AUTH = 3,       /* HTTP 401/403, certificate does not match the pin or the CA and
                         * server id, or the agent refused the Manager's certificate */
};

typedef struct agentc agentc;

/* Starts the client and its I/O thread. connect_timeout in seconds. */
agentc *agentc_new(long connect_timeout);
void agentc_free(agentc *c);

/* Calls method with params (not consumed) on ep and waits at most timeout_s.
 * On AGC_OK *result is the decoded value (caller frees). Otherwise *err is a
 * heap one-line reason. Safe to call from many threads at once; at most 4
 * calls run in flight per agent (doc/agent-protocol.md §2), the rest wait their turn. */
int agentc_call(agentc *c, const agent_ep *ep, const char *method,
                xr_value *const *params, size_t nparams, long timeout_s,
                xr_value **result, char **err);

/* First contact: connects over TLS without verifying, and writes the pin of
 * the agent's public key ("sha256//...") into pin. 0 ok, else AGC_* with *err. */
int agentc_fetch_pin(agentc *c, const agent_ep *ep, char *pin, size_t pinlen, char **err);
#endif
