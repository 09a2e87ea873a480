/* The outcome of one agent call: transport, trust and fault errors as one-line
 * texts, or the decoded reply. */
#include "backend/agentc/agentc_impl.h"
#include "backend/agentc/agentc.h"
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "lib/strbuf.h"
#include "lib/util.h"

/* ------------------------------------------------------------ outcomes */

/* One line of at most AGC_ERR_MAX bytes, cut on a UTF-8 boundary. */
static char *one_line(const char *s)
{
    size_t n = strlen(s);
    if (n > AGC_ERR_MAX) {
        n = AGC_ERR_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    char *out = xstrndup(s, n);
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return out;
}

static char *connect_reason(agc_req *r)
{
    long os_errno = 0;
    curl_easy_getinfo(r->easy, CURLINFO_OS_ERRNO, &os_errno);
    if (os_errno == ECONNREFUSED)
        return xstrdup("connection refused");
    return xasprintf("cannot connect: %s", r->curl_err[0] ? r->curl_err : "unknown error");
}

static int is_tls_error(CURLcode cc)
{
    return cc == CURLE_SSL_CONNECT_ERROR || cc == CURLE_PEER_FAILED_VERIFICATION ||
           cc == CURLE_SSL_CERTPROBLEM || cc == CURLE_SSL_CIPHER ||
           cc == CURLE_SSL_ENGINE_NOTFOUND || cc == CURLE_SSL_ENGINE_SETFAILED ||
           cc == CURLE_SSL_ISSUER_ERROR || cc == CURLE_SSL_CACERT_BADFILE ||
           cc == CURLE_USE_SSL_FAILED;
}

/* A TLS alert by which the agent refuses the Manager's certificate. */
static int refused_our_certificate(const agc_req *r)
{
    static const char *const alerts[] = {"unknown ca", "bad certificate", "certificate required",
                                         "certificate unknown", "unsupported certificate",
                                         "certificate expired", "certificate revoked", "access denied"};
    if (!r->mutual || !strstr(r->curl_err, "alert"))
        return 0;
    for (size_t i = 0; i < sizeof alerts / sizeof *alerts; i++)
        if (strstr(r->curl_err, alerts[i]))
            return 1;
    return 0;
}

/* With mutual TLS, a certificate either side cannot verify is an
 * authentication failure (doc/agent-protocol.md §3 item 6, §4 item 5). */
static int trust_failure(agc_req *r, char **err)
{
    if (r->cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
        *err = xstrdup("certificate does not match the pinned key");
        return AGC_AUTH;
    }
    if (r->mutual && r->cc == CURLE_PEER_FAILED_VERIFICATION) {
        char *why = xasprintf("the agent's certificate is not one this Manager issued for server %s (%s)",
                              r->peer_cn, r->curl_err[0] ? r->curl_err : "verification failed");
        *err = one_line(why);
        free(why);
        return AGC_AUTH;
    }
    if (refused_our_certificate(r)) {
        char *why = xasprintf("the agent refused the Manager's certificate (%s)", r->curl_err);
        *err = one_line(why);
        free(why);
        return AGC_AUTH;
    }
    return 0;
}

/* Maps a failed transfer (cc != CURLE_OK) to AGC_TRANSPORT or AGC_AUTH. */
int agc_transfer_failure(agc_req *r, char **err)
{
    CURLcode cc = r->cc;
    const char *detail = r->curl_err[0] ? r->curl_err : curl_easy_strerror(cc);
    char *why;
    int auth = trust_failure(r, err);
    if (auth)
        return auth;
    if (r->expired || cc == CURLE_OPERATION_TIMEDOUT)
        why = xasprintf("timed out after %ld s", r->timeout_s);
    else if (cc == CURLE_COULDNT_CONNECT)
        why = connect_reason(r);
    else if (cc == CURLE_COULDNT_RESOLVE_HOST)
        why = xstrdup("cannot resolve the host name");
    else if (cc == CURLE_WRITE_ERROR && r->too_big)
        why = xasprintf("reply larger than %u MiB", AGC_MAX_REPLY / (1024u * 1024u));
    else if (cc == CURLE_ABORTED_BY_CALLBACK)
        why = xstrdup("agent client shut down");
    else if (cc == CURLE_GOT_NOTHING)
        why = xstrdup("connection closed without a reply");
    else if (is_tls_error(cc))
        why = xasprintf("TLS error: %s", detail);
    else
        why = xstrdup(detail);
    *err = one_line(why);
    free(why);
    return AGC_TRANSPORT;
}

static int decode_reply(agc_req *r, xr_value **result, char **err)
{
    char reason[256] = "";
    int code = 0;
    char *fault = NULL;
    int rc = xr_decode_response(r->reply.buf, r->reply.len, result, &code, &fault, reason,
                                sizeof reason);
    if (rc == 0)
        return AGC_OK;
    if (rc == 1) {
        *err = one_line(fault);
        free(fault);
        return AGC_FAULT;
    }
    char *why = xasprintf("malformed reply: %s", reason);
    *err = one_line(why);
    free(why);
    return AGC_TRANSPORT;
}

int agc_call_outcome(agc_req *r, xr_value **result, char **err)
{
    if (r->cc != CURLE_OK)
        return agc_transfer_failure(r, err);
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status == 401 || status == 403) {
        *err = xasprintf("authentication failed (HTTP %ld)", status);
        return AGC_AUTH;
    }
    if (status != 200) {
        *err = xasprintf("unexpected HTTP status %ld", status);
        return AGC_TRANSPORT;
    }
    return decode_reply(r, result, err);
}
