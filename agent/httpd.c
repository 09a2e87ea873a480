/* libmicrohttpd front end. One thread per connection, so a call that hangs or
 * sleeps (fault injection, migration) never blocks the others.
 *
 * Trust (doc/agent-protocol.md §4): unowned, the agent serves its self-signed
 * certificate and authenticates callers with the password. Once a Manager
 * has handed over its CA and a signed certificate (take_ownership), the
 * daemon is restarted to serve that certificate and to request client
 * certificates: a certificate not signed by the owning CA fails the TLS
 * handshake, and a caller without one gets only the read-only discovery
 * calls and take_ownership (partial discovery by other Managers, and the
 * way back with the password after a certificate failure). */
#include "agent/httpd.h"
#include "agent/httpd_impl.h"
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "agent/agent.h"
#include "agent/authlimit.h"
#include "agent/certcache.h"
#include "agent/connguard.h"
#include "agent/dispatch.h"
#include "agent/faults.h"
#include "agent/sim.h"
#include "agent/tlscert.h"
#include "lib/log.h"
#include "lib/lograte.h"
#include "lib/strbuf.h"
#include "lib/text.h"
#include "lib/util.h"

/* TLS 1.2 and later only (doc/agent-protocol.md §2). */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/* Pause before the restart that follows an ownership change, so that the
 * answer to take_ownership / release_ownership leaves first. */
#define RELOAD_DELAY_US 300000
#define RESTART_TRIES 50
/* Failed logins logged at most this often (lines a second, at once). */
#define AUTH_LOG_PER_SEC 5
#define AUTH_LOG_BURST 20
/* Bound on draining a refused client: LINGER_POLLS x LINGER_POLL_MS. */
#define LINGER_POLLS 10
#define LINGER_POLL_MS 100

/* The answer to an ownership change closes its connection, so that the
 * client's next call meets the new TLS identity. */
static enum MHD_Result send_xml_closing(struct MHD_Connection *conn, char *doc, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, doc, MHD_RESPMEM_MUST_COPY);
    free(doc);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/xml");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result send_xml(struct MHD_Connection *conn, char *doc, size_t len)
{
    enum MHD_Result rc = httpd_send_text(conn, MHD_HTTP_OK, "text/xml", doc, len);
    free(doc);
    return rc;
}

/* FA_HOLD: waits up to secs while the faults file still holds method; a
 * test releases the call by removing the rule, so the hold lasts as long as
 * the test needs it on a slow machine and no longer. 1 when the daemon stops. */
static int hold(struct httpd *h, const char *method, double secs)
{
    for (double left = secs; left > 0; left -= 0.2) {
        if (sim_sleep(h->sim, left < 0.2 ? left : 0.2))
            return 1;
        struct fault_rule rule;
        faults_lookup(h->faults_path, method, &rule);
        enum fault_action a = rule.action;
        fault_rule_clear(&rule);
        if (a != FA_HOLD)
            return 0;
    }
    return 0;
}

/* Applies an injected behaviour. Returns 1 when the request is finished
 * (*rc set), 0 to go on with the real call, whose answer then waits *late_s. */
static int inject(struct httpd *h, struct MHD_Connection *conn, const char *method, enum MHD_Result *rc,
                  double *late_s)
{
    struct fault_rule rule;
    faults_lookup(h->faults_path, method, &rule);
    int done = 1;
    size_t len;
    *late_s = 0;
    switch (rule.action) {
    case FA_NONE:
        done = 0;
        break;
    case FA_LATE:
        log_info("%s: answer held back %g s", method, rule.delay_s);
        *late_s = rule.delay_s;
        done = 0;
        break;
    case FA_DELAY:
        log_info("%s: injected delay of %g s", method, rule.delay_s);
        done = sim_sleep(h->sim, rule.delay_s); /* interrupted by shutdown: drop */
        *rc = MHD_NO;
        break;
    case FA_HOLD:
        log_info("%s: held up to %g s, or until the rule goes", method, rule.delay_s);
        done = hold(h, method, rule.delay_s);
        *rc = MHD_NO;
        break;
    case FA_HANG:
        log_info("%s: injected hang", method);
        while (!sim_sleep(h->sim, 3600))
            ;
        *rc = MHD_NO;
        break;
    case FA_DROP:
        log_info("%s: injected connection drop", method);
        *rc = MHD_NO;
        break;
    case FA_GARBAGE: {
        static const char junk[] = "\x01<methodResponse><params><param><value><struct>\xff\xfe garbage";
        log_info("%s: injected garbage", method);
        *rc = httpd_send_text(conn, MHD_HTTP_OK, "text/xml", junk, sizeof junk - 1);
        break;
    }
    case FA_IGNORE: {
        /* success without effect: a guest that ignores the shutdown request (L-5) */
        log_info("%s: injected ignore", method);
        xr_value *nil = xr_nil();
        char *doc = xr_encode_response(nil, &len);
        xr_free(nil);
        *rc = send_xml(conn, doc, len);
        break;
    }
    case FA_FAULT: {
        log_info("%s: injected fault: %s", method, rule.text);
        char *doc = xr_encode_fault(1, rule.text, &len);
        *rc = send_xml(conn, doc, len);
        break;
    }
    }
    fault_rule_clear(&rule);
    return done;
}

/* Called in the connection thread that changed ownership, before its answer
 * leaves: from now on new connections queue until the restart. */
static void request_reload(struct httpd *h)
{
    pthread_mutex_lock(&h->mu);
    if (h->listen_fd == MHD_INVALID_SOCKET && h->daemon)
        h->listen_fd = MHD_quiesce_daemon(h->daemon);
    h->sim->tls_changed = 0;
    h->reload_wanted = 1;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

static enum MHD_Result handle_call(struct httpd *h, struct MHD_Connection *conn, struct request *req)
{
    if (req->too_big)
        return httpd_send_status(conn, MHD_HTTP_CONTENT_TOO_LARGE, "413 Payload Too Large\n");
    char *method = NULL, err[256] = "";
    xr_value *params = NULL;
    size_t len;
    double late_s = 0;
    if (xr_decode_call(req->body.buf ? req->body.buf : "", req->body.len, &method, &params, err, sizeof err) != 0) {
        log_info("malformed call: %s", err);
        char *text = xasprintf("exceptions.ExpatError:%s", err);
        char *doc = xr_encode_fault(1, text, &len);
        free(text);
        return send_xml(conn, doc, len);
    }
    enum MHD_Result rc = MHD_NO;
    if (req->access != ACCESS_FULL && !httpd_password_method(method)) {
        log_info("%s refused: no client certificate signed by the owning Manager", method);
        rc = httpd_send_status(conn, MHD_HTTP_FORBIDDEN,
                         "403 Forbidden: this agent is owned; a client certificate signed by its Manager is required\n");
    } else if (!inject(h, conn, method, &rc, &late_s)) {
        char *doc = dispatch_call(h->sim, method, params, req->access == ACCESS_FULL && h->id.trust_pem, &len);
        if (late_s > 0)
            sim_sleep(h->sim, late_s);
        int changed = h->sim->tls_changed;
        if (changed)
            request_reload(h);
        rc = changed ? send_xml_closing(conn, doc, len) : send_xml(conn, doc, len);
    }
    free(method);
    xr_free(params);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct httpd *h = cls;
    struct request *req = *con_cls;
    if (!req)
        return httpd_admit(h, conn, url, method, con_cls);
    if (*upload_size) {
        if (req->body.len + *upload_size > HTTPD_MAX_BODY)
            req->too_big = 1;
        else
            sb_add(&req->body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return handle_call(h, conn, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct httpd *h = cls;
    struct request *req = *con_cls;
    connguard_answered(h->guard, httpd_guard_entry(conn));
    if (!req)
        return;
    sb_free(&req->body);
    free(req);
    *con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char *msg = xvasprintf(fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    log_debug("httpd: %s", msg);
    free(msg);
}

/* With TLS 1.3 the client sends its request right after its certificate;
 * closing on it would reset the connection and lose the alert. Half-close
 * and drain (bounded) until the client hangs up. */
static void linger_for_alert(int fd)
{
    if (fd < 0 || shutdown(fd, SHUT_WR) != 0)
        return;
    char buf[4096];
    for (int i = 0; i < LINGER_POLLS; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, LINGER_POLL_MS) <= 0 || read(fd, buf, sizeof buf) <= 0)
            return;
    }
}

/* Handshake-time check: no certificate is left to the per-call rules; a
 * certificate that does not chain to the owning CA ends the handshake. */
static int verify_client(gnutls_session_t s)
{
    unsigned n = 0, status = 1;
    if (!gnutls_certificate_get_peers(s, &n) || n == 0)
        return 0;
    if (gnutls_certificate_verify_peers2(s, &status) == 0 && status == 0)
        return 0;
    log_info("TLS handshake refused: the client certificate is not signed by the owning Manager");
    /* MHD closes silently after a failed handshake; the alert tells the
     * client why (doc/agent-protocol.md §4 item 5). */
    gnutls_alert_send(s, GNUTLS_AL_FATAL, GNUTLS_A_UNKNOWN_CA);
    linger_for_alert((int)(intptr_t)gnutls_session_get_ptr(s));
    return -1;
}

/* Every connection is watched for its request head (--header-timeout). On
 * an owned agent a client certificate, when presented, is verified in the
 * handshake itself: a Manager with the wrong CA cannot even connect. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct httpd *h = cls;
    if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        connguard_close(h->guard, *socket_context);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    *socket_context = connguard_open(h->guard, ci ? ci->connect_fd : -1);
    gnutls_session_t s = httpd_tls_session(conn);
    if (!h->id.trust_pem || !s)
        return;
    /* The session's user pointer carries the socket for linger_for_alert(). */
    gnutls_session_set_ptr(s, (void *)(intptr_t)(ci ? ci->connect_fd : -1));
    gnutls_session_set_verify_function(s, verify_client);
}

static struct MHD_Daemon *start_daemon(struct httpd *h, const char *listen, int port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_TLS | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, listen, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, listen, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        flags |= MHD_USE_IPv6;
    } else {
        log_err("--listen %s is not a numeric IPv4 or IPv6 address", listen);
        return NULL;
    }
    int reuse = h->listen_fd != MHD_INVALID_SOCKET;
    struct MHD_OptionItem extra[] = {
        {reuse ? MHD_OPTION_LISTEN_SOCKET : MHD_OPTION_SOCK_ADDR, reuse ? (intptr_t)h->listen_fd : 0,
         reuse ? NULL : (void *)&ss},
        {h->id.trust_pem ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, h->id.trust_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, h,
                            MHD_OPTION_ARRAY, extra,
                            MHD_OPTION_HTTPS_MEM_KEY, h->id.key_pem,
                            MHD_OPTION_HTTPS_MEM_CERT, h->id.cert_pem,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
                            MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
                            MHD_OPTION_CONNECTION_TIMEOUT, h->connection_timeout,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, h->per_source_connections,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                            MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h,
                            MHD_OPTION_END);
}

static void wipe_free(char *s)
{
    if (s)
        memset(s, 0, strlen(s));
    free(s);
}

static void identity_clear(struct identity *id)
{
    wipe_free(id->key_pem);
    free(id->cert_pem);
    free(id->trust_pem);
    memset(id, 0, sizeof *id);
}

/* The owning Manager's identity when there is one, else our own. */
static void identity_load(struct httpd *h)
{
    struct identity *id = &h->id;
    identity_clear(id);
    certcache_clear(h->verified);
    if (tlscert_load_owned(h->sim->state_dir, &id->key_pem, &id->cert_pem, &id->trust_pem) == 1) {
        log_info("serving the certificate signed by the owning Manager; client certificates required");
        return;
    }
    id->key_pem = xstrdup(h->own_key_pem);
    id->cert_pem = xstrdup(h->own_cert_pem);
    log_info("serving the agent's own certificate; password authentication");
}

/* Stops the daemon (waking hanging calls) and starts it again with the
 * identity now on disk. */
static void restart(struct httpd *h)
{
    log_info("ownership changed: restarting the HTTPS service");
    h->sim->stopping = 1;
    MHD_stop_daemon(h->daemon);
    h->daemon = NULL;
    h->sim->stopping = 0;
    identity_load(h);
    pthread_mutex_lock(&h->mu);
    for (int i = 0; i < RESTART_TRIES && !h->daemon; i++) {
        h->daemon = start_daemon(h, h->listen, h->port);
        if (!h->daemon && h->listen_fd != MHD_INVALID_SOCKET) {
            close(h->listen_fd); /* bind afresh */
            h->listen_fd = MHD_INVALID_SOCKET;
        } else if (!h->daemon) {
            usleep(100000);
        }
    }
    h->listen_fd = MHD_INVALID_SOCKET; /* now the new daemon's */
    pthread_mutex_unlock(&h->mu);
    if (!h->daemon)
        log_err("cannot listen on %s:%d after the ownership change", h->listen, h->port);
}

static void *reloader_main(void *arg)
{
    struct httpd *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->quit) {
        if (!h->reload_wanted) {
            pthread_cond_wait(&h->cv, &h->mu);
            continue;
        }
        h->reload_wanted = 0;
        pthread_mutex_unlock(&h->mu);
        usleep(RELOAD_DELAY_US);
        restart(h);
        pthread_mutex_lock(&h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

struct httpd *httpd_start(struct sim *sim, const struct agent_config *cfg,
                          const char *key_pem, const char *cert_pem)
{
    struct httpd *h = xcalloc(1, sizeof *h);
    const char *listen = cfg->listen;
    int port = cfg->port;
    h->sim = sim;
    h->faults_path = xasprintf("%s/faults", sim->state_dir);
    h->listen = xstrdup(listen);
    h->port = port;
    h->per_source_connections = cfg->per_source_connections;
    h->connection_timeout = cfg->connection_timeout;
    h->logins = authlimit_new();
    h->auth_log = log_rate_new(AUTH_LOG_PER_SEC, AUTH_LOG_BURST, "failed logins");
    h->guard = connguard_new(cfg->header_timeout);
    h->own_key_pem = xstrdup(key_pem);
    h->own_cert_pem = xstrdup(cert_pem);
    h->listen_fd = MHD_INVALID_SOCKET;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    h->verified = certcache_new();
    identity_load(h);
    h->daemon = start_daemon(h, listen, port);
    if (!h->daemon || pthread_create(&h->reloader, NULL, reloader_main, h) != 0) {
        log_err("cannot listen on %s:%d", listen, port);
        if (h->daemon)
            MHD_stop_daemon(h->daemon);
        h->daemon = NULL;
        h->quit = -1; /* no reloader thread to join */
        httpd_stop(h);
        return NULL;
    }
    return h;
}

void httpd_stop(struct httpd *h)
{
    if (!h)
        return;
    if (h->quit == 0) {
        pthread_mutex_lock(&h->mu);
        h->quit = 1;
        pthread_cond_signal(&h->cv);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->reloader, NULL);
    }
    h->sim->stopping = 1;
    if (h->daemon)
        MHD_stop_daemon(h->daemon);
    if (h->listen_fd != MHD_INVALID_SOCKET)
        close(h->listen_fd);
    connguard_free(h->guard);
    authlimit_free(h->logins);
    log_rate_free(h->auth_log);
    free(h->faults_path);
    free(h->listen);
    wipe_free(h->own_key_pem);
    free(h->own_cert_pem);
    identity_clear(&h->id);
    certcache_free(h->verified);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
}
