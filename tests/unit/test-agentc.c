/* Tests of the engine's agent client (backend/agentc/agentc.c) against a tiny
 * HTTPS XML-RPC server on 127.0.0.1 (libmicrohttpd) whose self-signed
 * certificate is made with OpenSSL when the test starts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "backend/agentc/agentapi.h"
#include "backend/agentc/agentc.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define USER "oracle"
#define PASSWORD "s3cret"
#define HANG_MS 3000
#define SLOW_MS 200

/* ------------------------------------------------------------ key material */

typedef struct tls_material {
    char *cert_pem;
    char *key_pem;
    char pin[128];      /* computed here from the key, independently of agentc */
    char other_pin[128];
} tls_material;

static char *bio_string(BIO *bio)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *s = xstrndup(data, (size_t)n);
    BIO_free(bio);
    return s;
}

static void pin_of_key(EVP_PKEY *key, char *pin, size_t len)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(key, &der);
    assert_true(n > 0);
    unsigned char md[EVP_MAX_MD_SIZE], b64[64];
    unsigned mdlen = 0;
    assert_int_equal(EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL), 1);
    EVP_EncodeBlock(b64, md, (int)mdlen);
    snprintf(pin, len, "sha256//%s", (const char *)b64);
    OPENSSL_free(der);
}

static X509 *self_signed(EVP_PKEY *key)
{
    X509 *x = X509_new();
    assert_non_null(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1,
                               -1, 0);
    X509_set_issuer_name(x, name);
    assert_int_equal(X509_set_pubkey(x, key), 1);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    return x;
}

static void make_material(tls_material *m)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    EVP_PKEY *other = EVP_EC_gen("P-256");
    assert_non_null(key);
    assert_non_null(other);
    X509 *x = self_signed(key);
    BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_X509(cb, x), 1);
    assert_int_equal(PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL), 1);
    m->cert_pem = bio_string(cb);
    m->key_pem = bio_string(kb);
    pin_of_key(key, m->pin, sizeof m->pin);
    pin_of_key(other, m->other_pin, sizeof m->other_pin);
    X509_free(x);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other);
}

/* ------------------------------------------------------------ test server */

typedef struct server {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t mu;
    int active;            /* requests being answered now */
    int max_active;
    int connections;       /* TCP connections accepted */
    volatile int stopping;
} server;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void note_active(server *s, int delta)
{
    pthread_mutex_lock(&s->mu);
    s->active += delta;
    if (s->active > s->max_active)
        s->max_active = s->active;
    pthread_mutex_unlock(&s->mu);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        pthread_mutex_lock(&s->mu);
        s->connections++;
        pthread_mutex_unlock(&s->mu);
    }
}

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status, char *body)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", "text/xml");
    enum MHD_Result rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static int authorized(struct MHD_Connection *conn)
{
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(conn, &pass);
    int ok = user && pass && strcmp(user, USER) == 0 && strcmp(pass, PASSWORD) == 0;
    MHD_free(user);
    MHD_free(pass);
    return ok;
}

/* The agent's methods: echo, fail (fault with the given text), hang (and
 * sleep), slow (echo after SLOW_MS), garbage and http500; the methods of
 * the typed-call test answer with the list of arguments they got. */
static enum MHD_Result dispatch(server *s, struct MHD_Connection *conn, const char *method,
                                xr_value *params)
{
    xr_value *arg = params->n ? params->items[0] : NULL;
    if (strcmp(method, "fail") == 0)
        return send_text(conn, 200, xr_encode_fault(1, xr_get_str(arg), NULL));
    if (strcmp(method, "garbage") == 0)
        return send_text(conn, 200, xstrdup("<methodResponse><params><param>"));
    if (strcmp(method, "http500") == 0)
        return send_text(conn, 500, xstrdup("oops"));
    if (!strcmp(method, "update_agent_password") || !strcmp(method, "stop_vm"))
        return send_text(conn, 200, xr_encode_response(params, NULL));
    if (strcmp(method, "hang") == 0 || strcmp(method, "sleep") == 0)
        for (int t = 0; t < HANG_MS && !s->stopping; t += 50)
            sleep_ms(50);
    if (strcmp(method, "slow") == 0) {
        note_active(s, 1);
        sleep_ms(SLOW_MS);
        note_active(s, -1);
    }
    if (strcmp(method, "get_api_version") == 0 || strcmp(method, "hang") == 0) {
        xr_value *three = xr_int(3);
        char *body = xr_encode_response(three, NULL);
        xr_free(three);
        return send_text(conn, 200, body);
    }
    return send_text(conn, 200, xr_encode_response(arg, NULL));
}

static enum MHD_Result answer(server *s, struct MHD_Connection *conn, strbuf *body)
{
    if (!authorized(conn)) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        enum MHD_Result rc = MHD_queue_basic_auth_fail_response(conn, "agent", resp);
        MHD_destroy_response(resp);
        return rc;
    }
    char *method = NULL;
    xr_value *params = NULL;
    char err[200];
    if (xr_decode_call(body->buf, body->len, &method, &params, err, sizeof err) < 0)
        return send_text(conn, 400, xstrdup(err));
    enum MHD_Result rc = dispatch(s, conn, method, params);
    free(method);
    xr_free(params);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **ctx)
{
    strbuf *body = *ctx;
    if (!body) {
        body = xcalloc(1, sizeof *body);
        *ctx = body;
        return MHD_YES;
    }
    if (*data_size) {
        sb_add(body, data, *data_size);
        *data_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "POST") != 0 || strcmp(url, "/api/3/") != 0)
        return send_text(conn, 404, xstrdup("not found"));
    return answer(cls, conn, body);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    strbuf *body = *ctx;
    if (body) {
        sb_free(body);
        free(body);
    }
    *ctx = NULL;
}

static void server_start(server *s, const tls_material *m)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                                MHD_USE_TLS,
                            0, NULL, NULL, on_request, s,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                            MHD_OPTION_HTTPS_MEM_KEY, m->key_pem,
                            MHD_OPTION_HTTPS_MEM_CERT, m->cert_pem,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_END);
    assert_non_null(s->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    s->port = info->port;
}

static int server_connections(server *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->connections;
    pthread_mutex_unlock(&s->mu);
    return n;
}

static void server_stop(server *s)
{
    s->stopping = 1;
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->mu);
}

/* ------------------------------------------------------------ fixtures */

typedef struct fixture {
    tls_material m;
    server srv;
    agentc *c;
    agent_ep ep;       /* right password and pin */
} fixture;

static int setup(void **state)
{
    fixture *f = xcalloc(1, sizeof *f);
    make_material(&f->m);
    server_start(&f->srv, &f->m);
    f->c = agentc_new(5);
    assert_non_null(f->c);
    snprintf(f->ep.host, sizeof f->ep.host, "127.0.0.1");
    f->ep.port = f->srv.port;
    snprintf(f->ep.user, sizeof f->ep.user, USER);
    snprintf(f->ep.password, sizeof f->ep.password, PASSWORD);
    snprintf(f->ep.pin, sizeof f->ep.pin, "%s", f->m.pin);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    agentc_free(f->c);
    server_stop(&f->srv);
    free(f->m.cert_pem);
    free(f->m.key_pem);
    free(f);
    return 0;
}

/* Calls method with one string argument (or none if arg is NULL). */
static int call1(fixture *f, const agent_ep *ep, const char *method, const char *arg,
                 long timeout_s, xr_value **result, char **err)
{
    xr_value *p = arg ? xr_string(arg) : NULL;
    int rc = agentc_call(f->c, ep, method, &p, arg ? 1 : 0, timeout_s, result, err);
    xr_free(p);
    return rc;
}

static void expect_failure(fixture *f, const agent_ep *ep, const char *method, const char *arg,
                           long timeout_s, int want_rc, const char *reason_part)
{
    xr_value *res = NULL;
    char *err = NULL;
    int rc = call1(f, ep, method, arg, timeout_s, &res, &err);
    assert_null(res);
    assert_non_null(err);
    if (rc != want_rc || !strstr(err, reason_part))
        fail_msg("%s: rc %d (want %d), err \"%s\" (want \"%s\")", method, rc, want_rc, err,
                 reason_part);
    assert_null(strchr(err, '\n'));
    free(err);
}

/* ------------------------------------------------------------ tests */

static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);   /* bound but never listening, and now released */
    return ntohs(sa.sin_port);
}


static void test_no_pin_refused(void **state)
{
    fixture *f = *state;
    agent_ep ep = f->ep;
    ep.pin[0] = '\0';
    int before = server_connections(&f->srv);
    expect_failure(f, &ep, "echo", "x", 5, AGC_AUTH, "no pinned certificate");
    assert_int_equal(server_connections(&f->srv), before);
}

static void test_fetch_pin_then_call(void **state)
{
    fixture *f = *state;
    agent_ep ep = f->ep;
    ep.pin[0] = '\0';
    char *err = NULL;
    assert_int_equal(agentc_fetch_pin(f->c, &ep, ep.pin, sizeof ep.pin, &err), AGC_OK);
    assert_null(err);
    assert_string_equal(ep.pin, f->m.pin);
    xr_value *res = NULL;
    assert_int_equal(call1(f, &ep, "echo", "hello <agent> & co", 5, &res, &err), AGC_OK);
    assert_null(err);
    assert_string_equal(xr_get_str(res), "hello <agent> & co");
    xr_free(res);
}

static void test_fetch_pin_refused(void **state)
{
    fixture *f = *state;
    agent_ep ep = f->ep;
    ep.port = closed_port();
    char pin[128] = "";
    char *err = NULL;
    assert_int_equal(agentc_fetch_pin(f->c, &ep, pin, sizeof pin, &err), AGC_TRANSPORT);
    assert_non_null(err);
    assert_string_equal(pin, "");
    free(err);
}

static void test_structured_echo(void **state)
{
    fixture *f = *state;
    xr_value *st = xr_struct();
    xr_struct_set(st, "size", xr_int(10737418240LL));
    xr_struct_set(st, "ok", xr_bool(1));
    xr_value *res = NULL;
    char *err = NULL;
    assert_int_equal(agentc_call(f->c, &f->ep, "echo", &st, 1, 5, &res, &err), AGC_OK);
    int64_t size = 0;
    assert_int_equal(xr_get_int64(xr_struct_get(res, "size"), &size), 0);
    assert_int_equal(size, 10737418240LL);
    xr_free(res);
    xr_free(st);
}

static void test_fault(void **state)
{
    fixture *f = *state;
    expect_failure(f, &f->ep, "fail", "exceptions.OSError:[Errno 17] File exists\nline two", 5,
                   AGC_FAULT, "exceptions.OSError:[Errno 17] File exists line two");
    char *longtext = xmalloc(5001);
    memset(longtext, 'x', 5000);
    longtext[5000] = '\0';
    xr_value *res = NULL;
    char *err = NULL;
    assert_int_equal(call1(f, &f->ep, "fail", longtext, 5, &res, &err), AGC_FAULT);
    assert_int_equal(strlen(err), 1000);
    free(err);
    free(longtext);
}

static void test_wrong_password(void **state)
{
    fixture *f = *state;
    agent_ep ep = f->ep;
    snprintf(ep.password, sizeof ep.password, "wrong");
    expect_failure(f, &ep, "echo", "x", 5, AGC_AUTH, "HTTP 401");
}

static void test_wrong_pin(void **state)
{
    fixture *f = *state;
    xr_value *res = NULL;
    char *err = NULL;
    /* A kept-alive connection verified with the right pin must not let a
     * call with another pin through. */
    assert_int_equal(call1(f, &f->ep, "echo", "warm", 5, &res, &err), AGC_OK);
    xr_free(res);
    agent_ep ep = f->ep;
    snprintf(ep.pin, sizeof ep.pin, "%s", f->m.other_pin);
    expect_failure(f, &ep, "echo", "x", 5, AGC_AUTH, "pinned key");
}

static void test_timeout(void **state)
{
    fixture *f = *state;
    int64_t t0 = ovm_now_ms();
    expect_failure(f, &f->ep, "hang", NULL, 1, AGC_TRANSPORT, "timed out after 1 s");
    int64_t took = ovm_now_ms() - t0;
    assert_true(took >= 900 && took < HANG_MS);
}

/* A typed call's context for f's server: its wait classes in seconds. */
static agent_ctx typed_ctx(fixture *f, long call_s, long long_s, char **err)
{
    agent_ctx c = {.ac = f->c, .ep = &f->ep, .err = err};
    c.wait[AGENT_WAIT_CALL] = call_s;
    c.wait[AGENT_WAIT_LONG] = long_s;
    return c;
}

/* The typed calls (backend/agentc/agentapi.c) send the method's name and
 * arguments, leave out optional ones given as NULL or -1, and leave the
 * caller's xr_value arguments alone. */
static void test_typed_calls(void **state)
{
    fixture *f = *state;
    char *err = NULL;
    agent_ctx c = typed_ctx(f, 5, 5, &err);
    xr_value *st = xr_struct(), *res = NULL;
    xr_struct_set(st, "k", xr_string("v"));
    assert_int_equal(agent_echo(&c, st, &res), AGC_OK);
    assert_string_equal(xr_get_str(xr_struct_get(res, "k")), "v");
    assert_string_equal(xr_get_str(xr_struct_get(st, "k")), "v");
    xr_free(res);
    xr_free(st);
    assert_int_equal(agent_update_agent_password(&c, "oracle", "new", NULL, &res), AGC_OK);
    assert_int_equal(res->n, 2);
    assert_string_equal(xr_get_str(res->items[1]), "new");
    xr_free(res);
    assert_int_equal(agent_update_agent_password(&c, "oracle", "new", "old", &res), AGC_OK);
    assert_int_equal(res->n, 3);
    assert_string_equal(xr_get_str(res->items[2]), "old");
    xr_free(res);
    assert_int_equal(agent_stop_vm(&c, "repo", "vm", -1, &res), AGC_OK);
    assert_int_equal(res->n, 2);
    xr_free(res);
    assert_int_equal(agent_stop_vm(&c, "repo", "vm", 1, &res), AGC_OK);
    assert_int_equal(res->n, 3);
    assert_int_equal(res->items[2]->type, XR_BOOL);
    assert_string_equal(c.method, "stop_vm");
    xr_free(res);
    assert_null(err);
}

/* The method's wait class picks the timeout unless the context sets one. */
static void test_typed_timeouts(void **state)
{
    fixture *f = *state;
    char *err = NULL;
    agent_ctx c = typed_ctx(f, 1, 30, &err);
    int64_t t0 = ovm_now_ms();
    assert_int_equal(agent_sleep(&c, 10, NULL), AGC_TRANSPORT);
    assert_true(ovm_now_ms() - t0 < HANG_MS);
    assert_non_null(strstr(err, "timed out after 1 s"));
    c = typed_ctx(f, 30, 30, &err);
    t0 = ovm_now_ms();
    assert_int_equal(agent_sleep(agent_within(&c, 1), 10, NULL), AGC_TRANSPORT);
    assert_true(ovm_now_ms() - t0 < HANG_MS);
    assert_non_null(strstr(err, "timed out after 1 s"));
    free(err);
}

static int failed_calls;
static int count_failure(agent_ctx *c, int rc, const char *err)
{
    assert_int_equal(rc, AGC_TRANSPORT);
    assert_non_null(err);
    assert_string_equal(c->method, "get_api_version");
    failed_calls++;
    return -7;
}

/* A failure runs the context's hook, whose answer the call returns. */
static void test_typed_failure_hook(void **state)
{
    fixture *f = *state;
    agent_ep ep = f->ep;
    ep.port = closed_port();
    char *err = NULL;
    agent_ctx c = typed_ctx(f, 5, 5, &err);
    c.ep = &ep;
    c.failed = count_failure;
    assert_int_equal(agent_get_api_version(&c, NULL), -7);
    assert_int_equal(failed_calls, 1);
    assert_non_null(err);
    c.ep = &f->ep;
    assert_int_equal(agent_get_api_version(&c, NULL), AGC_OK);
    assert_null(err); /* the previous reason was freed */
    assert_int_equal(failed_calls, 1);
}

static void test_connection_refused(void **state)
{
    fixture *f = *state;
    agent_ep ep = f->ep;
    ep.port = closed_port();
    expect_failure(f, &ep, "echo", "x", 5, AGC_TRANSPORT, "connection refused");
}

static void test_garbage(void **state)
{
    fixture *f = *state;
    expect_failure(f, &f->ep, "garbage", NULL, 5, AGC_TRANSPORT, "malformed reply: XML error");
}

static void test_http_status(void **state)
{
    fixture *f = *state;
    expect_failure(f, &f->ep, "http500", NULL, 5, AGC_TRANSPORT, "HTTP status 500");
}

static void test_keep_alive(void **state)
{
    fixture *f = *state;
    int before = server_connections(&f->srv);
    for (int k = 0; k < 5; k++) {
        xr_value *res = NULL;
        char *err = NULL;
        assert_int_equal(call1(f, &f->ep, "echo", "again", 5, &res, &err), AGC_OK);
        xr_free(res);
    }
    assert_true(server_connections(&f->srv) - before <= 1);
}

typedef struct worker {
    fixture *f;
    int index;
    int rc;
    int echoed;      /* the reply carried this worker's own text */
    pthread_t th;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    char text[32];
    snprintf(text, sizeof text, "worker-%d", w->index);
    xr_value *res = NULL;
    char *err = NULL;
    w->rc = call1(w->f, &w->f->ep, "slow", text, 30, &res, &err);
    w->echoed = res && xr_get_str(res) && strcmp(xr_get_str(res), text) == 0;
    xr_free(res);
    free(err);
    return NULL;
}

static void test_concurrent(void **state)
{
    fixture *f = *state;
    enum { N = 20 };
    worker w[N];
    f->srv.max_active = 0;
    for (int k = 0; k < N; k++) {
        w[k] = (worker){.f = f, .index = k, .rc = -1};
        assert_int_equal(pthread_create(&w[k].th, NULL, worker_main, &w[k]), 0);
    }
    for (int k = 0; k < N; k++) {
        pthread_join(w[k].th, NULL);
        assert_int_equal(w[k].rc, AGC_OK);
        assert_true(w[k].echoed);
    }
    /* Parallel, but never more than 4 at once on one agent (doc/agent-protocol.md §2). */
    assert_true(f->srv.max_active >= 2);
    assert_true(f->srv.max_active <= 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_pin_refused),
        cmocka_unit_test(test_fetch_pin_then_call),
        cmocka_unit_test(test_fetch_pin_refused),
        cmocka_unit_test(test_structured_echo),
        cmocka_unit_test(test_fault),
        cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_wrong_pin),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_connection_refused),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_http_status),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_typed_calls),
        cmocka_unit_test(test_typed_timeouts),
        cmocka_unit_test(test_typed_failure_hook),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    alarm(120);   /* a hung client must fail the test, not the build */
    return cmocka_run_group_tests(tests, setup, teardown);
}
