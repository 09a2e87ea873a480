/* Admission to the agent's API: the path and method, the caller's client
 * certificate or password (throttled per address, failures logged at a
 * bounded rate), and the declared body size, all before a byte of the body
 * is read (doc/agent-protocol.md §4). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "agent/certcache.h"
#include "agent/httpd.h"
#include "agent/httpd_impl.h"
#include "agent/sim.h"
#include "lib/log.h"
#include "lib/text.h"
#include "lib/util.h"

enum MHD_Result httpd_send_text(struct MHD_Connection *conn, unsigned status, const char *type, const char *text, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

enum MHD_Result httpd_send_status(struct MHD_Connection *conn, unsigned status, const char *msg)
{
    return httpd_send_text(conn, status, "text/plain", msg, strlen(msg));
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

/* The client's address as text ("unknown" without one). */
static void client_address(struct MHD_Connection *conn, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    snprintf(out, len, "unknown");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)len);
}

/* Counts a failed password from addr and logs it (user escaped, rate-limited). */
static void login_failed(struct httpd *h, const char *addr, const char *user)
{
    unsigned failures = 0;
    long wait = authlimit_failed(h->logins, addr, ovm_now_ms(), &failures);
    char u[100];
    ovm_text_log_escape(user ? user : "", user ? strnlen(user, sizeof u) : 0, u, sizeof u);
    log_rate_msg(h->auth_log, LOG_WARN_, "failed login for user '%s' from %s (%u failure%s)", u, addr, failures,
                 failures == 1 ? "" : "s");
    if (wait > 0)
        log_rate_msg(h->auth_log, LOG_WARN_, "passwords from %s refused for %ld s after %u failures", addr, wait,
                     failures);
}

/* Basic credentials: ACCESS_FULL-worthy (1), wrong or absent (0), or not
 * checked because the address is throttled (-1). Absent credentials are no
 * login attempt and are not counted. */
static int password_ok(struct httpd *h, struct MHD_Connection *conn)
{
    char addr[INET6_ADDRSTRLEN];
    client_address(conn, addr, sizeof addr);
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(conn, &pass);
    int ok = 0;
    if (user && authlimit_wait(h->logins, addr, ovm_now_ms()) > 0)
        ok = -1;
    else if (user && sim_check_password(h->sim, user, pass))
        ok = 1;
    else if (user)
        login_failed(h, addr, user);
    if (ok == 1)
        authlimit_succeeded(h->logins, addr);
    if (pass) /* scrub: the buffer is ours to free */
        memset(pass, 0, strlen(pass));
    MHD_free(user);
    MHD_free(pass);
    return ok;
}

gnutls_session_t httpd_tls_session(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    return ci ? (gnutls_session_t)ci->tls_session : NULL;
}

/* The client presented a certificate that chains to the owning CA. Also
 * checked here, not only in the handshake, because a resumed session
 * skips the handshake's certificate exchange. */
static int client_cert_ok(struct httpd *h, struct MHD_Connection *conn)
{
    return certcache_verify(h->verified, httpd_tls_session(conn));
}

/* A valid client certificate is checked first: it is never throttled. */
static enum access access_of(struct httpd *h, struct MHD_Connection *conn)
{
    if (h->id.trust_pem && client_cert_ok(h, conn))
        return ACCESS_FULL;
    int ok = password_ok(h, conn);
    if (ok <= 0)
        return ok < 0 ? ACCESS_THROTTLED : ACCESS_NONE;
    return h->id.trust_pem ? ACCESS_PASSWORD : ACCESS_FULL;
}

static enum MHD_Result send_throttled(struct MHD_Connection *conn)
{
    static const char msg[] = "429 Too Many Requests: too many failed logins from this address\n";
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_TOO_MANY_REQUESTS, r);
    MHD_destroy_response(r);
    return rc;
}

/* The guard entry of conn (NULL without --header-timeout). */
connguard_entry *httpd_guard_entry(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* What a caller with only the password may still do on an owned agent. */
int httpd_password_method(const char *method)
{
    static const char *const allowed[] = {"get_api_version", "discover_server", "discover_hardware",
                                          "discover_network", "take_ownership"};
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        if (strcmp(method, allowed[i]) == 0)
            return 1;
    return 0;
}

/* Declared size above the limit: refuse before reading anything. */
static int declared_too_big(struct MHD_Connection *conn)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    return cl && strtoull(cl, NULL, 10) > HTTPD_MAX_BODY;
}

/* First callback of a request: checks that need only the headers. */
enum MHD_Result httpd_admit(struct httpd *h, struct MHD_Connection *conn, const char *url, const char *method,
                            void **con_cls)
{
    connguard_head_done(h->guard, httpd_guard_entry(conn));
    if (strcmp(url, API_PATH) != 0)
        return httpd_send_status(conn, MHD_HTTP_NOT_FOUND, "404 Not Found\n");
    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
        return httpd_send_status(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "405 Method Not Allowed\n");
    enum access access = access_of(h, conn);
    if (access == ACCESS_THROTTLED)
        return send_throttled(conn);
    if (access == ACCESS_NONE)
        return send_unauthorized(conn);
    if (declared_too_big(conn))
        return httpd_send_status(conn, MHD_HTTP_CONTENT_TOO_LARGE, "413 Payload Too Large\n");
    struct request *req = xcalloc(1, sizeof *req);
    sb_init(&req->body);
    req->access = access;
    *con_cls = req;
    return MHD_YES;
}
