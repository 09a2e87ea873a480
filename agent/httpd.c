/* libmicrohttpd front end. One thread per connection, so a call that hangs or
 * sleeps (fault injection, migration) never blocks the others. */
#include "agent/httpd.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "agent/dispatch.h"
#include "agent/faults.h"
#include "agent/sim.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define API_PATH "/api/3/"
/* TLS 1.2 and later only (agent-api.md §2). */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct httpd {
    struct MHD_Daemon *daemon;
    struct sim *sim;
    char *faults_path;
    /* MHD keeps pointers to the PEM strings for the daemon's lifetime. */
    char *key_pem;
    char *cert_pem;
};

/* Body of one request, collected across the upload callbacks. */
struct request {
    strbuf body;
    int too_big;
};

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status,
                                 const char *type, const char *text, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result send_status(struct MHD_Connection *conn, unsigned status, const char *msg)
{
    return send_text(conn, status, "text/plain", msg, strlen(msg));
}

static enum MHD_Result send_unauthorized(struct MHD_Connection *conn)
{
    static const char msg[] = "401 Unauthorized\n";
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    enum MHD_Result rc = MHD_queue_basic_auth_fail_response(conn, "ovs-agent", r);
    MHD_destroy_response(r);
    return rc;
}

static int authorized(struct httpd *h, struct MHD_Connection *conn)
{
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(conn, &pass);
    int ok = sim_check_password(h->sim, user, pass);
    if (pass) /* scrub: the buffer is ours to free */
        memset(pass, 0, strlen(pass));
    MHD_free(user);
    MHD_free(pass);
    return ok;
}

/* Declared size above the limit: refuse before reading anything. */
static int declared_too_big(struct MHD_Connection *conn)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    return cl && strtoull(cl, NULL, 10) > HTTPD_MAX_BODY;
}

/* First callback of a request: checks that need only the headers. */
static enum MHD_Result admit(struct httpd *h, struct MHD_Connection *conn, const char *url,
                             const char *method, void **con_cls)
{
    if (strcmp(url, API_PATH) != 0)
        return send_status(conn, MHD_HTTP_NOT_FOUND, "404 Not Found\n");
    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
        return send_status(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "405 Method Not Allowed\n");
    if (!authorized(h, conn))
        return send_unauthorized(conn);
    if (declared_too_big(conn))
        return send_status(conn, MHD_HTTP_CONTENT_TOO_LARGE, "413 Payload Too Large\n");
    struct request *req = xcalloc(1, sizeof *req);
    sb_init(&req->body);
    *con_cls = req;
    return MHD_YES;
}

static enum MHD_Result send_xml(struct MHD_Connection *conn, char *doc, size_t len)
{
    enum MHD_Result rc = send_text(conn, MHD_HTTP_OK, "text/xml", doc, len);
    free(doc);
    return rc;
}

/* Applies an injected behaviour. Returns 1 when the request is finished
 * (*rc set), 0 to go on with the real call. */
static int inject(struct httpd *h, struct MHD_Connection *conn, const char *method, enum MHD_Result *rc)
{
    struct fault_rule rule;
    faults_lookup(h->faults_path, method, &rule);
    int done = 1;
    size_t len;
    switch (rule.action) {
    case FA_NONE:
        done = 0;
        break;
    case FA_DELAY:
        log_info("%s: injected delay of %g s", method, rule.delay_s);
        done = sim_sleep(h->sim, rule.delay_s); /* interrupted by shutdown: drop */
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
        *rc = send_text(conn, MHD_HTTP_OK, "text/xml", junk, sizeof junk - 1);
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

static enum MHD_Result handle_call(struct httpd *h, struct MHD_Connection *conn, struct request *req)
{
    if (req->too_big)
        return send_status(conn, MHD_HTTP_CONTENT_TOO_LARGE, "413 Payload Too Large\n");
    char *method = NULL, err[256] = "";
    xr_value *params = NULL;
    size_t len;
    if (xr_decode_call(req->body.buf ? req->body.buf : "", req->body.len, &method, &params, err, sizeof err) != 0) {
        log_info("malformed call: %s", err);
        char *text = xasprintf("exceptions.ExpatError:%s", err);
        char *doc = xr_encode_fault(1, text, &len);
        free(text);
        return send_xml(conn, doc, len);
    }
    enum MHD_Result rc = MHD_NO;
    if (!inject(h, conn, method, &rc)) {
        char *doc = dispatch_call(h->sim, method, params, &len);
        rc = send_xml(conn, doc, len);
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
        return admit(h, conn, url, method, con_cls);
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
    struct request *req = *con_cls;
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

static struct MHD_Daemon *start_daemon(struct httpd *h, const char *listen, int port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_TLS | MHD_USE_ERROR_LOG;
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
    return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, h,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_HTTPS_MEM_KEY, h->key_pem,
                            MHD_OPTION_HTTPS_MEM_CERT, h->cert_pem,
                            MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                            MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h,
                            MHD_OPTION_END);
}

struct httpd *httpd_start(struct sim *sim, const char *listen, int port,
                          const char *key_pem, const char *cert_pem)
{
    struct httpd *h = xcalloc(1, sizeof *h);
    h->sim = sim;
    h->faults_path = xasprintf("%s/faults", sim->state_dir);
    h->key_pem = xstrdup(key_pem);
    h->cert_pem = xstrdup(cert_pem);
    h->daemon = start_daemon(h, listen, port);
    if (!h->daemon) {
        log_err("cannot listen on %s:%d", listen, port);
        httpd_stop(h);
        return NULL;
    }
    return h;
}

void httpd_stop(struct httpd *h)
{
    if (!h)
        return;
    h->sim->stopping = 1;
    if (h->daemon)
        MHD_stop_daemon(h->daemon);
    free(h->faults_path);
    if (h->key_pem)
        memset(h->key_pem, 0, strlen(h->key_pem));
    free(h->key_pem);
    free(h->cert_pem);
    free(h);
}
