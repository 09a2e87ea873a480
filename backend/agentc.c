/* The engine's agent client (doc/agent-protocol.md §2-§3). One I/O thread owns the
 * libcurl multi handle, so connections to every agent are kept alive and
 * driven together; job threads hand it requests and sleep on a condition
 * variable. All request lists and the done/cancel flags are guarded by
 * agentc.mu; the multi handle is touched only by the I/O thread (except
 * curl_multi_wakeup, which is thread-safe). */
#include "backend/agentc.h"
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
#include "lib/text.h"
#include "lib/util.h"

#define AGC_MAX_PER_AGENT 4          /* doc/agent-protocol.md §2 */
#define AGC_MAX_REPLY XR_MAX_DOC     /* larger replies are refused, not buffered */
#define AGC_ERR_MAX 1000             /* doc/agent-protocol.md §3 item 5 */
#define AGC_POLL_MS 1000

typedef struct agc_req agc_req;
struct agc_req {
    agc_req *next;             /* in agentc.pending or agentc.inflight */
    char key[300];             /* "host:port": unit of the per-agent limit */
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    strbuf reply;
    int too_big;               /* reply exceeded AGC_MAX_REPLY */
    int mutual;                /* presents the Manager client certificate */
    char peer_cn[128];         /* expected CN of the agent's certificate */
    char curl_err[CURL_ERROR_SIZE];
    long timeout_s;
    int64_t deadline_ms;       /* monotonic */
    CURLcode cc;
    int expired;               /* deadline passed before curl finished */
    int cancel;                /* set by the waiting caller */
    int done;                  /* set by the I/O thread; the caller then owns r */
    pthread_cond_t cv;
};

struct agentc {
    long connect_timeout;
    CURLM *multi;
    pthread_t io;
    pthread_mutex_t mu;
    agc_req *pending;          /* FIFO of requests not yet handed to curl */
    agc_req *inflight;         /* requests added to the multi handle */
    int stopping;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ req lists */

static void list_append(agc_req **head, agc_req *r)
{
    while (*head)
        head = &(*head)->next;
    r->next = NULL;
    *head = r;
}

static void list_remove(agc_req **head, agc_req *r)
{
    for (; *head; head = &(*head)->next) {
        if (*head == r) {
            *head = r->next;
            r->next = NULL;
            return;
        }
    }
}

static int inflight_for(const agentc *c, const char *key)
{
    int n = 0;
    for (const agc_req *r = c->inflight; r; r = r->next)
        n += strcmp(r->key, key) == 0;
    return n;
}

/* Marks r finished and wakes its caller. Called with c->mu held. */
static void complete(agc_req *r, CURLcode cc, int expired)
{
    r->cc = cc;
    r->expired = expired;
    r->done = 1;
    pthread_cond_signal(&r->cv);
}

/* ------------------------------------------------------------ I/O thread */

static void start_one(agentc *c, agc_req *r)
{
    int64_t left = r->deadline_ms - mono_ms();
    if (left <= 0) {
        complete(r, CURLE_OPERATION_TIMEDOUT, 1);
        return;
    }
    CURLMcode mc = CURLM_BAD_EASY_HANDLE;
    if (curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, (long)left) == CURLE_OK)
        mc = curl_multi_add_handle(c->multi, r->easy);
    if (mc != CURLM_OK) {
        snprintf(r->curl_err, sizeof r->curl_err, "%s", curl_multi_strerror(mc));
        complete(r, CURLE_FAILED_INIT, 0);
        return;
    }
    list_append(&c->inflight, r);
}

/* Hands queued requests to curl, oldest first, within the per-agent limit. */
static void start_ready(agentc *c)
{
    agc_req *r = c->pending;
    while (r) {
        agc_req *next = r->next;
        if (inflight_for(c, r->key) < AGC_MAX_PER_AGENT) {
            list_remove(&c->pending, r);
            start_one(c, r);
        }
        r = next;
    }
}

/* Finishes requests whose callers gave up waiting. */
static void drop_cancelled(agentc *c)
{
    for (agc_req *r = c->pending, *next; r; r = next) {
        next = r->next;
        if (r->cancel) {
            list_remove(&c->pending, r);
            complete(r, CURLE_OPERATION_TIMEDOUT, 1);
        }
    }
    for (agc_req *r = c->inflight, *next; r; r = next) {
        next = r->next;
        if (r->cancel) {
            list_remove(&c->inflight, r);
            curl_multi_remove_handle(c->multi, r->easy);
            complete(r, CURLE_OPERATION_TIMEDOUT, 1);
        }
    }
}

static void reap_finished(agentc *c)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(c->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode cc = msg->data.result;   /* msg is invalid after remove_handle */
        char *priv = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
        agc_req *r = (agc_req *)priv;
        curl_multi_remove_handle(c->multi, easy);
        pthread_mutex_lock(&c->mu);
        list_remove(&c->inflight, r);
        complete(r, cc, 0);
        pthread_mutex_unlock(&c->mu);
    }
}

/* At shutdown nobody may be left waiting forever. Called with c->mu held. */
static void finish_all(agentc *c)
{
    while (c->pending) {
        agc_req *r = c->pending;
        list_remove(&c->pending, r);
        complete(r, CURLE_ABORTED_BY_CALLBACK, 0);
    }
    while (c->inflight) {
        agc_req *r = c->inflight;
        list_remove(&c->inflight, r);
        curl_multi_remove_handle(c->multi, r->easy);
        complete(r, CURLE_ABORTED_BY_CALLBACK, 0);
    }
}

static void *io_main(void *arg)
{
    agentc *c = arg;
    pthread_mutex_lock(&c->mu);
    while (!c->stopping) {
        drop_cancelled(c);
        start_ready(c);
        pthread_mutex_unlock(&c->mu);
        int running = 0;
        curl_multi_perform(c->multi, &running);
        reap_finished(c);
        curl_multi_poll(c->multi, NULL, 0, AGC_POLL_MS, NULL);
        pthread_mutex_lock(&c->mu);
    }
    finish_all(c);
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* ------------------------------------------------------------ lifecycle */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

/* curl_global_init is process-wide and never undone: other agentc
 * instances may still be running. */
static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

agentc *agentc_new(long connect_timeout)
{
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return NULL;
    agentc *c = xcalloc(1, sizeof *c);
    c->connect_timeout = connect_timeout > 0 ? connect_timeout : 10;
    c->multi = curl_multi_init();
    if (!c->multi) {
        free(c);
        return NULL;
    }
    /* Keep one idle connection per agent between calls: by default the cache
     * follows the number of handles in flight, so a monitor round over many
     * agents would pay a TLS handshake per agent per poll. */
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, 4096L);
    pthread_mutex_init(&c->mu, NULL);
    if (pthread_create(&c->io, NULL, io_main, c) != 0) {
        pthread_mutex_destroy(&c->mu);
        curl_multi_cleanup(c->multi);
        free(c);
        return NULL;
    }
    return c;
}

void agentc_free(agentc *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stopping = 1;
    pthread_mutex_unlock(&c->mu);
    curl_multi_wakeup(c->multi);
    pthread_join(c->io, NULL);
    curl_multi_cleanup(c->multi);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* ------------------------------------------------------------ requests */

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
    agc_req *r = arg;
    size_t len = size * n;
    if (len > AGC_MAX_REPLY - r->reply.len) {
        r->too_big = 1;
        return 0;   /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    sb_add(&r->reply, data, len);
    return len;
}

static void req_free(agc_req *r)
{
    if (!r)
        return;
    curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    free(r->body);
    sb_free(&r->reply);
    pthread_cond_destroy(&r->cv);
    free(r);
}

static char *agent_url(const agent_ep *ep)
{
    int v6 = strchr(ep->host, ':') != NULL && ep->host[0] != '[';
    return xasprintf("https://%s%s%s:%d/api/3/", v6 ? "[" : "", ep->host, v6 ? "]" : "",
                     ep->port > 0 ? ep->port : 8899);
}

#define SETOPT(e, opt, val) \
    do { if (curl_easy_setopt((e), (opt), (val)) != CURLE_OK) goto fail; } while (0)

/* ------------------------------------------------------------ mutual TLS */

/* SSL_CTX ex_data slot holding the expected CN of the agent's certificate. */
static int cn_index = -1;
static pthread_once_t cn_once = PTHREAD_ONCE_INIT;

static void cn_index_init(void)
{
    cn_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* The agent's certificate names its server id instead of a host name, so the
 * host-name check is replaced by a CN check on the leaf (doc/agent-protocol.md §4.4). */
static int verify_cn(int ok, X509_STORE_CTX *store)
{
    if (!ok || X509_STORE_CTX_get_error_depth(store) != 0)
        return ok;
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    const char *want = ssl ? SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), cn_index) : NULL;
    char cn[256] = "";
    X509 *leaf = X509_STORE_CTX_get_current_cert(store);
    int n = leaf ? X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, cn, sizeof cn) : -1;
    if (want && n > 0 && (size_t)n == strlen(want) && strcmp(cn, want) == 0)
        return 1;
    X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
    return 0;
}

/* Called by curl for each new TLS context; userptr is the request. The CN
 * string lives in the request, which outlives the handshake. */
static CURLcode on_ssl_ctx(CURL *easy, void *sslctx, void *userptr)
{
    agc_req *r = userptr;
    SSL_CTX *ctx = sslctx;
    if (cn_index < 0 || !SSL_CTX_set_ex_data(ctx, cn_index, r->peer_cn))
        return CURLE_SSL_CERTPROBLEM;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cn);
    return CURLE_OK;
}

/* The Manager's client certificate; every new connection proves it again. */
static int setup_client_cert(const agent_ep *ep, agc_req *r)
{
    CURL *e = r->easy;
    r->mutual = 1;
    SETOPT(e, CURLOPT_SSLCERT, ep->cert_file);
    SETOPT(e, CURLOPT_SSLCERTTYPE, "PEM");
    SETOPT(e, CURLOPT_SSLKEY, ep->key_file);
    SETOPT(e, CURLOPT_SSLKEYTYPE, "PEM");
    SETOPT(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
    if (!ep->ca_file[0]) { /* pinned: not a connection opened without the certificate */
        SETOPT(e, CURLOPT_FRESH_CONNECT, 1L);
        SETOPT(e, CURLOPT_FORBID_REUSE, 1L);
    }
    return 0;
fail:
    return -1;
}

/* Client certificate, CA and peer check instead of the pin. */
static int setup_mutual_tls(const agent_ep *ep, agc_req *r)
{
    CURL *e = r->easy;
    pthread_once(&cn_once, cn_index_init);
    snprintf(r->peer_cn, sizeof r->peer_cn, "%s", ep->peer_cn);
    if (setup_client_cert(ep, r) < 0)
        return -1;
    SETOPT(e, CURLOPT_CAINFO, ep->ca_file);
    SETOPT(e, CURLOPT_CAPATH, NULL);
    SETOPT(e, CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(e, CURLOPT_SSL_VERIFYHOST, 0L);
    SETOPT(e, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    SETOPT(e, CURLOPT_SSL_CTX_DATA, r);
    return 0;
fail:
    return -1;
}

/* Options shared by calls and pin fetches. The peer is never verified
 * against a CA: agents use self-signed certificates, and the pin (set by
 * the caller) is the trust anchor. */
static int setup_easy(agentc *c, const agent_ep *ep, agc_req *r)
{
    CURL *e = r->easy;
    char *url = agent_url(ep);
    int rc = -1;
    SETOPT(e, CURLOPT_URL, url);
    SETOPT(e, CURLOPT_PROTOCOLS_STR, "https");
    SETOPT(e, CURLOPT_NOSIGNAL, 1L);
    SETOPT(e, CURLOPT_PRIVATE, (char *)r);
    SETOPT(e, CURLOPT_ERRORBUFFER, r->curl_err);
    SETOPT(e, CURLOPT_CONNECTTIMEOUT, c->connect_timeout);
    SETOPT(e, CURLOPT_TCP_KEEPALIVE, 1L);
    SETOPT(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    SETOPT(e, CURLOPT_SSL_VERIFYPEER, 0L);
    SETOPT(e, CURLOPT_SSL_VERIFYHOST, 0L);
    SETOPT(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    SETOPT(e, CURLOPT_USERNAME, ep->user);
    SETOPT(e, CURLOPT_PASSWORD, ep->password);
    SETOPT(e, CURLOPT_HTTPHEADER, r->headers);
    SETOPT(e, CURLOPT_POSTFIELDS, r->body);
    SETOPT(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(r->body));
    SETOPT(e, CURLOPT_WRITEFUNCTION, on_data);
    SETOPT(e, CURLOPT_WRITEDATA, r);
    rc = 0;
fail:
    free(url);
    return rc;
}

/* A request ready to queue, or NULL with *err set. */
static agc_req *req_new(agentc *c, const agent_ep *ep, char *body, long timeout_s, char **err)
{
    agc_req *r = xcalloc(1, sizeof *r);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    sb_init(&r->reply);
    r->body = body;
    r->timeout_s = timeout_s > 0 ? timeout_s : 120;
    snprintf(r->key, sizeof r->key, "%s:%d", ep->host, ep->port);
    r->easy = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: text/xml");
    r->headers = h ? curl_slist_append(h, "Expect:") : NULL;
    if (!r->headers)
        curl_slist_free_all(h);
    if (!r->easy || !r->headers || setup_easy(c, ep, r) < 0 ||
        (ep->ca_file[0] && setup_mutual_tls(ep, r) < 0) ||
        (!ep->ca_file[0] && ep->cert_file[0] && setup_client_cert(ep, r) < 0)) {
        *err = xstrdup("cannot set up the HTTP request");
        req_free(r);
        return NULL;
    }
    return r;
}

/* Queues r and sleeps until the I/O thread finishes it. After the deadline
 * the request is cancelled; the I/O thread acknowledges within one poll. */
static void run_req(agentc *c, agc_req *r)
{
    r->deadline_ms = mono_ms() + (int64_t)r->timeout_s * 1000;
    struct timespec until = {(time_t)(r->deadline_ms / 1000), (long)(r->deadline_ms % 1000) * 1000000};
    pthread_mutex_lock(&c->mu);
    if (c->stopping) {
        complete(r, CURLE_ABORTED_BY_CALLBACK, 0);
    } else {
        list_append(&c->pending, r);
        curl_multi_wakeup(c->multi);
    }
    while (!r->done) {
        if (pthread_cond_timedwait(&r->cv, &c->mu, &until) == ETIMEDOUT && !r->done) {
            r->cancel = 1;
            curl_multi_wakeup(c->multi);
            while (!r->done)
                pthread_cond_wait(&r->cv, &c->mu);
        }
    }
    pthread_mutex_unlock(&c->mu);
}

/* ------------------------------------------------------------ outcomes */

/* One line of at most AGC_ERR_MAX bytes, cut on a UTF-8 boundary, without
 * what could attack a terminal (lib/text.h): agents' texts are shown. */
static char *one_line(const char *text)
{
    char *s = ovm_text_from_peer(text ? text : "");
    size_t n = strlen(s);
    if (n > AGC_ERR_MAX) {
        n = AGC_ERR_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    s[n] = '\0';
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return s;
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
static int transfer_failure(agc_req *r, char **err)
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
    if (rc == 0) {
        xr_sanitize_strings(*result); /* host names, VM names, ... are stored and shown */
        return AGC_OK;
    }
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

static int call_outcome(agc_req *r, xr_value **result, char **err)
{
    if (r->cc != CURLE_OK)
        return transfer_failure(r, err);
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

int agentc_call(agentc *c, const agent_ep *ep, const char *method,
                xr_value *const *params, size_t nparams, long timeout_s,
                xr_value **result, char **err)
{
    *result = NULL;
    *err = NULL;
    if (!ep->pin[0] && !ep->ca_file[0]) {
        *err = xstrdup("no pinned certificate");
        return AGC_AUTH;
    }
    agc_req *r = req_new(c, ep, xr_encode_call(method, params, nparams, NULL), timeout_s, err);
    if (!r)
        return AGC_TRANSPORT;
    if (!ep->ca_file[0] && curl_easy_setopt(r->easy, CURLOPT_PINNEDPUBLICKEY, ep->pin) != CURLE_OK) {
        *err = xstrdup("cannot set the pinned key");
        req_free(r);
        return AGC_TRANSPORT;
    }
    run_req(c, r);
    int rc = call_outcome(r, result, err);
    req_free(r);
    return rc;
}

/* ------------------------------------------------------------ pinning */

/* "sha256//" + base64(SHA-256(DER SubjectPublicKeyInfo)), curl's pin format. */
static int pin_from_pem(const char *pem, char *pin, size_t pinlen)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    unsigned char *der = NULL;
    int n = x ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der) : -1;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    int rc = -1;
    if (n > 0 && EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) == 1) {
        unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
        EVP_EncodeBlock(b64, md, (int)mdlen);
        int w = snprintf(pin, pinlen, "sha256//%s", (const char *)b64);
        rc = w > 0 && (size_t)w < pinlen ? 0 : -1;
    }
    OPENSSL_free(der);
    X509_free(x);
    BIO_free(bio);
    return rc;
}

/* PEM of the server's own (first) certificate as curl recorded it. */
static const char *leaf_pem(CURL *easy)
{
    struct curl_certinfo *ci = NULL;
    if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
        return NULL;
    for (struct curl_slist *s = ci->certinfo[0]; s; s = s->next)
        if (strncmp(s->data, "Cert:", 5) == 0)
            return s->data + 5;
    return NULL;
}

/* First contact only: a fresh, unverified TLS connection whose certificate
 * is recorded; the HTTP answer itself does not matter. */
int agentc_fetch_pin(agentc *c, const agent_ep *ep, char *pin, size_t pinlen, char **err)
{
    *err = NULL;
    agc_req *r = req_new(c, ep, xr_encode_call("get_api_version", NULL, 0, NULL),
                         c->connect_timeout + 30, err);
    if (!r)
        return AGC_TRANSPORT;
    CURL *e = r->easy;
    if (curl_easy_setopt(e, CURLOPT_CERTINFO, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK) {
        *err = xstrdup("cannot request the certificate");
        req_free(r);
        return AGC_TRANSPORT;
    }
    run_req(c, r);
    const char *pem = leaf_pem(e);
    int rc = AGC_OK;
    if (!pem && r->cc != CURLE_OK)
        rc = transfer_failure(r, err);
    else if (!pem || pin_from_pem(pem, pin, pinlen) < 0)
        rc = AGC_TRANSPORT, *err = xstrdup("cannot read the agent's certificate");
    req_free(r);
    return rc;
}
