/* Migration between simulated hosts: the source hands the domain record to the
 * destination agent over HTTPS (agent-to-agent, as the real agents do) and drops
 * it locally only once the destination has accepted it. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent/sim.h"
#include "agent/sim_driver.h"
#include "agent/tlscert.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define MIGRATE_TIMEOUT_S 900L
#define MIGRATE_CONNECT_S 10L

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
    strbuf *sb = arg;
    if (sb->len + size * n > XR_MAX_DOC)
        return 0;
    sb_add(sb, data, size * n);
    return size * n;
}

/* "ip" or "ip:port" (IPv4) -> URL of its agent; the port defaults to ours. */
static char *dest_url(struct sim *s, const char *dest)
{
    if (strchr(dest, '/') || strchr(dest, '@') || strchr(dest, '['))
        return NULL;
    return strchr(dest, ':') ? xasprintf("https://%s/api/3/", dest)
                             : xasprintf("https://%s:%d/api/3/", dest, s->port);
}

/* Between agents owned with certificates, the source presents its own signed
 * certificate and checks that the destination's chains to the same Manager
 * CA (doc/agent-protocol.md §4): the password alone no longer opens an owned agent. */
static void use_owner_trust(struct sim *s, CURL *h, char **cert, char **ca)
{
    *cert = xasprintf("%s/" TLSCERT_SIGNED_FILE, s->state_dir);
    *ca = xasprintf("%s/" TLSCERT_CA_FILE, s->state_dir);
    if (access(*cert, R_OK) != 0 || access(*ca, R_OK) != 0) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        return;
    }
    curl_easy_setopt(h, CURLOPT_SSLCERT, *cert);
    curl_easy_setopt(h, CURLOPT_SSLKEY, *cert);
    curl_easy_setopt(h, CURLOPT_CAINFO, *ca);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
}

/* POSTs body to url; the reply in *reply. 0, or -1 with a reason in err. */
static int post(struct sim *s, const char *url, const char *body, size_t len, strbuf *reply,
                char *err, size_t errlen)
{
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(err, errlen, "cannot initialise libcurl");
        return -1;
    }
    char *pw = sim_password(s);
    char cerr[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: text/xml");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_USERNAME, "oracle");
    curl_easy_setopt(h, CURLOPT_PASSWORD, pw);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
    /* The peer's certificate names its server id, not its address. */
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    char *cert = NULL, *ca = NULL;
    use_owner_trust(s, h, &cert, &ca);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, MIGRATE_CONNECT_S);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, MIGRATE_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, reply);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    free(cert);
    free(ca);
    memset(pw, 0, strlen(pw));
    free(pw);
    if (rc != CURLE_OK)
        snprintf(err, errlen, "%s", *cerr ? cerr : curl_easy_strerror(rc));
    else if (status != 200)
        snprintf(err, errlen, "HTTP status %ld", status);
    return rc == CURLE_OK && status == 200 ? 0 : -1;
}

xr_value *sim_peer_call(struct call_ctx *c, const char *dest, const char *vm, const char *method,
                        xr_value **params, size_t n)
{
    char *url = dest_url(c->sim, dest);
    if (!url)
        return call_fault(c, "exceptions.ValueError:invalid migration target: '%s'", dest);
    size_t len;
    char *body = xr_encode_call(method, params, n, &len);
    strbuf reply = STRBUF_INIT;
    char err[256] = "";
    xr_value *res = NULL;
    int rc = post(c->sim, url, body, len, &reply, err, sizeof err);
    if (rc == 0) {
        int code = 0;
        char *fs = NULL;
        int d = xr_decode_response(reply.buf ? reply.buf : "", reply.len, &res, &code, &fs, err, sizeof err);
        if (d == 1)
            snprintf(err, sizeof err, "%s", fs);
        rc = d == 0 ? 0 : -1;
        free(fs);
    }
    if (rc != 0) {
        xr_free(res);
        res = NULL;
        call_fault(c, "exceptions.RuntimeError:migration of %s to %s failed: %s", vm, dest, err);
    }
    sb_free(&reply);
    free(body);
    free(url);
    return res;
}

/* Calls sim_receive_domain on dest. 0, or -1 after a fault on c. */
static int send_domain(struct call_ctx *c, const char *dest, const char *repo, const char *vm, xr_value *rec)
{
    xr_value *params[3] = {xr_string(repo), xr_string(vm), rec};
    xr_value *res = sim_peer_call(c, dest, vm, "sim_receive_domain", params, 3);
    xr_free(params[0]);
    xr_free(params[1]);
    if (!res)
        return -1;
    xr_free(res);
    return 0;
}

xr_value *simdrv_migrate(struct call_ctx *c, const char *repo, const char *vm, const char *dest, int live, int ssl)
{
    struct sim *s = c->sim;
    (void)live; /* a simulated move is always "live"; the agents' link is always TLS, ssl is only logged, for tests */
    pthread_mutex_lock(&s->lock);
    const xr_value *dom = sim_domain_find(s, vm);
    xr_value *rec = dom ? xr_copy(dom) : NULL;
    pthread_mutex_unlock(&s->lock);
    if (!rec)
        return call_fault(c, "exceptions.RuntimeError:Domain '%s' does not exist.", vm);
    /* The lock is not held across the peer call: the peer may be this agent. */
    int rc = send_domain(c, dest, repo, vm, rec);
    xr_free(rec);
    if (rc != 0)
        return NULL;
    pthread_mutex_lock(&s->lock);
    sim_domain_del(s, vm);
    if (sim_save(s) != 0)
        call_fault(c, "exceptions.IOError:cannot save the agent state");
    pthread_mutex_unlock(&s->lock);
    log_info("migrated %s to %s%s", vm, dest, ssl ? " using SSL" : "");
    return c->fault ? NULL : xr_nil();
}

xr_value *simdrv_receive(struct call_ctx *c, const char *repo, const char *vm, const xr_value *rec)
{
    struct sim *s = c->sim;
    const xr_value *dom = sim_domain_find(s, vm);
    if (dom)
        return call_fault(c, "exceptions.RuntimeError:Domain '%s' already exists with ID '%lld'", vm,
                          (long long)sim_int(dom, "domid", 0));
    xr_value *cfg = sim_read_vmcfg(c, repo, vm);   /* the repository must be presented here */
    if (!cfg)
        return NULL;
    xr_free(cfg);
    int64_t mem = sim_int(rec, "memory", 0), free_mb = sim_free_mb(s);
    if (mem > free_mb)
        return call_fault(c, "exceptions.RuntimeError:Not enough free memory to receive VM %s: "
                          "%lld MB needed, %lld MB free", vm, (long long)mem, (long long)free_mb);
    xr_value *d = xr_copy(rec);
    int64_t domid = sim_int(s->st, "next_domid", 1);
    xr_struct_set(s->st, "next_domid", xr_int(domid + 1));
    xr_struct_set(d, "domid", xr_int(domid));
    xr_struct_set(d, "repo_id", xr_string(repo));
    sim_domain_put(s, vm, d);
    return xr_nil();
}
