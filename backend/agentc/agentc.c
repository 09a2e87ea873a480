/* The engine's agent client (doc/agent-protocol.md §2-§3). One I/O thread owns the
 * libcurl multi handle, so connections to every agent are kept alive and
 * driven together; job threads hand it requests and sleep on a condition
 * variable. All request lists and the done/cancel flags are guarded by
 * agentc.mu; the multi handle is touched only by the I/O thread (except
 * curl_multi_wakeup, which is thread-safe). */
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

void agc_req_free(agc_req *r)
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
agc_req *agc_req_new(agentc *c, const agent_ep *ep, char *body, long timeout_s, char **err)
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
        (ep->ca_file[0] && agc_setup_mutual_tls(ep, r) < 0)) {
        *err = xstrdup("cannot set up the HTTP request");
        agc_req_free(r);
        return NULL;
    }
    return r;
}

/* Queues r and sleeps until the I/O thread finishes it. After the deadline
 * the request is cancelled; the I/O thread acknowledges within one poll. */
void agc_run_req(agentc *c, agc_req *r)
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
    agc_req *r = agc_req_new(c, ep, xr_encode_call(method, params, nparams, NULL), timeout_s, err);
    if (!r)
        return AGC_TRANSPORT;
    if (!ep->ca_file[0] && curl_easy_setopt(r->easy, CURLOPT_PINNEDPUBLICKEY, ep->pin) != CURLE_OK) {
        *err = xstrdup("cannot set the pinned key");
        agc_req_free(r);
        return AGC_TRANSPORT;
    }
    agc_run_req(c, r);
    int rc = agc_call_outcome(r, result, err);
    agc_req_free(r);
    return rc;
}
