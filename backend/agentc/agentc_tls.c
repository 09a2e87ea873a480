/* Mutual TLS with the agents and certificate pinning (doc/agent-protocol.md §4). */
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

/* Client certificate, CA and peer check instead of the pin. */
int agc_setup_mutual_tls(const agent_ep *ep, agc_req *r)
{
    CURL *e = r->easy;
    pthread_once(&cn_once, cn_index_init);
    snprintf(r->peer_cn, sizeof r->peer_cn, "%s", ep->peer_cn);
    r->mutual = 1;
    SETOPT(e, CURLOPT_SSLCERT, ep->cert_file);
    SETOPT(e, CURLOPT_SSLCERTTYPE, "PEM");
    SETOPT(e, CURLOPT_SSLKEY, ep->key_file);
    SETOPT(e, CURLOPT_SSLKEYTYPE, "PEM");
    SETOPT(e, CURLOPT_CAINFO, ep->ca_file);
    SETOPT(e, CURLOPT_CAPATH, NULL);
    SETOPT(e, CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(e, CURLOPT_SSL_VERIFYHOST, 0L);
    /* Every new connection proves both identities again. */
    SETOPT(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
    SETOPT(e, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    SETOPT(e, CURLOPT_SSL_CTX_DATA, r);
    return 0;
fail:
    return -1;
}

/* Options shared by calls and pin fetches. The peer is never verified
 * against a CA: agents use self-signed certificates, and the pin (set by
 * the caller) is the trust anchor. */
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
    agc_req *r = agc_req_new(c, ep, xr_encode_call("get_api_version", NULL, 0, NULL),
                         c->connect_timeout + 30, err);
    if (!r)
        return AGC_TRANSPORT;
    CURL *e = r->easy;
    if (curl_easy_setopt(e, CURLOPT_CERTINFO, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK) {
        *err = xstrdup("cannot request the certificate");
        agc_req_free(r);
        return AGC_TRANSPORT;
    }
    agc_run_req(c, r);
    const char *pem = leaf_pem(e);
    int rc = AGC_OK;
    if (!pem && r->cc != CURLE_OK)
        rc = agc_transfer_failure(r, err);
    else if (!pem || pin_from_pem(pem, pin, pinlen) < 0)
        rc = AGC_TRANSPORT, *err = xstrdup("cannot read the agent's certificate");
    agc_req_free(r);
    return rc;
}
