/* The Manager CA with OpenSSL (doc/agent-protocol.md §4 item 8). Nothing here is
 * hand-written crypto: keys, certificates and signatures are OpenSSL's. */
#include "backend/agentc/ca.h"
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"

#define DAY_S 86400L
#define CA_DAYS (10 * 365 + 2)
#define LEAF_DAYS (5 * 365 + 1)

enum cert_kind { CERT_CA, CERT_CLIENT, CERT_SERVER };

/* ------------------------------------------------------------ PEM I/O */

/* PEM of key (private) or cert, exactly one non-NULL; heap or NULL. */
static char *to_pem(EVP_PKEY *key, X509 *cert, size_t *len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return NULL;
    int ok = key ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) : PEM_write_bio_X509(bio, cert);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *out = ok && n > 0 ? xstrndup(data, (size_t)n) : NULL;
    if (out && len)
        *len = (size_t)n;
    if (data && n > 0)
        OPENSSL_cleanse(data, (size_t)n);
    BIO_free(bio);
    return out;
}

static X509 *read_cert(const char *path)
{
    FILE *fp = fopen(path, "r");
    X509 *x = fp ? PEM_read_X509(fp, NULL, NULL, NULL) : NULL;
    if (fp)
        fclose(fp);
    return x;
}

static EVP_PKEY *read_key(const char *path)
{
    FILE *fp = fopen(path, "r");
    EVP_PKEY *k = fp ? PEM_read_PrivateKey(fp, NULL, NULL, NULL) : NULL;
    if (fp)
        fclose(fp);
    return k;
}

/* Writes key (0600) and cert (0644) atomically. 0 or -1. */
static int save_pair(EVP_PKEY *key, X509 *cert, const char *key_path, const char *cert_path)
{
    size_t klen = 0, clen = 0;
    char *kpem = to_pem(key, NULL, &klen);
    char *cpem = kpem ? to_pem(NULL, cert, &clen) : NULL;
    int rc = cpem && ovm_write_file_atomic(key_path, kpem, klen, 0600) == 0 &&
                     ovm_write_file_atomic(cert_path, cpem, clen, 0644) == 0
                 ? 0
                 : -1;
    if (kpem)
        OPENSSL_cleanse(kpem, klen);
    free(kpem);
    free(cpem);
    return rc;
}

/* ------------------------------------------------------------ certificates */

static int set_serial(X509 *cert)
{
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return -1;
    raw[0] &= 0x7f; /* positive, and never zero in practice */
    raw[0] |= 0x01;
    BIGNUM *bn = BN_bin2bn(raw, sizeof raw, NULL);
    int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
    BN_free(bn);
    return ok ? 0 : -1;
}

static int add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ex = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    int ok = ex && X509_add_ext(cert, ex, -1);
    X509_EXTENSION_free(ex);
    return ok;
}

/* The extensions that make a CA, a TLS client or a TLS server certificate.
 * Server certificates also allow clientAuth: agents use them to call each
 * other during live migration (doc/agent-protocol.md §1). */
static int add_extensions(X509 *cert, X509 *issuer, enum cert_kind kind)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, NULL, NULL, 0);
    if (kind == CERT_CA)
        return add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:TRUE") &&
               add_ext(cert, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign") &&
               add_ext(cert, &ctx, NID_subject_key_identifier, "hash");
    return add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
           add_ext(cert, &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
           add_ext(cert, &ctx, NID_ext_key_usage, kind == CERT_SERVER ? "serverAuth,clientAuth" : "clientAuth") &&
           add_ext(cert, &ctx, NID_subject_key_identifier, "hash") &&
           add_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always");
}

static int set_subject(X509 *cert, const char *cn)
{
    X509_NAME *name = X509_get_subject_name(cert);
    return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Oracle VM Manager", -1, -1,
                                      0) &&
           X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
}

/* A certificate for key with subject CN=cn, signed by issuer_key (issuer
 * NULL = self-signed). NULL on failure. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, long days, enum cert_kind kind, X509 *issuer,
                       EVP_PKEY *issuer_key)
{
    X509 *cert = X509_new();
    if (!cert)
        return NULL;
    int ok = X509_set_version(cert, 2) && set_serial(cert) == 0 &&
             X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(cert), days * DAY_S) && X509_set_pubkey(cert, key) &&
             set_subject(cert, cn) &&
             X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(cert)) &&
             add_extensions(cert, issuer, kind) && X509_sign(cert, issuer_key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/* ------------------------------------------------------------ lifecycle */

static int create_ca(manager_ca *ca, const char *manager_id)
{
    log_info("creating the Manager certificate authority in %s", ca->dir);
    EVP_PKEY *key = EVP_RSA_gen(3072);
    X509 *cert = key ? make_cert(key, manager_id, CA_DAYS, CERT_CA, NULL, key) : NULL;
    int rc = cert ? save_pair(key, cert, ca->ca_key, ca->ca_cert) : -1;
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

static int create_client(manager_ca *ca, const char *manager_id)
{
    X509 *ca_cert = read_cert(ca->ca_cert);
    EVP_PKEY *ca_key = ca_cert ? read_key(ca->ca_key) : NULL;
    EVP_PKEY *key = ca_key ? EVP_RSA_gen(2048) : NULL;
    X509 *cert = key ? make_cert(key, manager_id, LEAF_DAYS, CERT_CLIENT, ca_cert, ca_key) : NULL;
    int rc = cert ? save_pair(key, cert, ca->client_key, ca->client_cert) : -1;
    X509_free(cert);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    X509_free(ca_cert);
    return rc;
}

static int exists(const char *path)
{
    return access(path, R_OK) == 0;
}

manager_ca *ca_open(const char *state_dir, const char *manager_id, char **err)
{
    manager_ca *ca = xcalloc(1, sizeof *ca);
    ca->dir = xasprintf("%s/pki", state_dir);
    ca->ca_cert = xasprintf("%s/" CA_CERT_FILE, ca->dir);
    ca->ca_key = xasprintf("%s/" CA_KEY_FILE, ca->dir);
    ca->client_cert = xasprintf("%s/" CA_CLIENT_CERT_FILE, ca->dir);
    ca->client_key = xasprintf("%s/" CA_CLIENT_KEY_FILE, ca->dir);
    int fresh = !exists(ca->ca_cert) || !exists(ca->ca_key);
    errno = 0;
    int rc = ovm_mkdir_p(ca->dir, 0700);
    if (rc == 0 && fresh)
        rc = create_ca(ca, manager_id);
    if (rc == 0 && (fresh || !exists(ca->client_cert) || !exists(ca->client_key)))
        rc = create_client(ca, manager_id);
    if (rc != 0) {
        *err = xasprintf("cannot set up the certificate authority in %s: %s", ca->dir,
                         errno ? strerror(errno) : "OpenSSL error");
        ca_close(ca);
        return NULL;
    }
    return ca;
}

void ca_close(manager_ca *ca)
{
    if (!ca)
        return;
    free(ca->dir);
    free(ca->ca_cert);
    free(ca->ca_key);
    free(ca->client_cert);
    free(ca->client_key);
    free(ca);
}

/* ------------------------------------------------------------ issuing */

/* Key PEM followed by certificate PEM; heap or NULL. */
static char *bundle(EVP_PKEY *key, X509 *cert)
{
    size_t klen = 0;
    char *kpem = to_pem(key, NULL, &klen);
    char *cpem = kpem ? to_pem(NULL, cert, NULL) : NULL;
    char *out = cpem ? xasprintf("%s%s", kpem, cpem) : NULL;
    if (kpem)
        OPENSSL_cleanse(kpem, klen);
    free(kpem);
    free(cpem);
    return out;
}

int ca_issue_server(const manager_ca *ca, const char *cn, char **pem, char **err)
{
    *pem = NULL;
    X509 *ca_cert = read_cert(ca->ca_cert);
    EVP_PKEY *ca_key = ca_cert ? read_key(ca->ca_key) : NULL;
    EVP_PKEY *key = ca_key ? EVP_RSA_gen(2048) : NULL;
    X509 *cert = key ? make_cert(key, cn, LEAF_DAYS, CERT_SERVER, ca_cert, ca_key) : NULL;
    if (cert)
        *pem = bundle(key, cert);
    if (!*pem)
        *err = xasprintf("cannot issue a certificate for %s: %s", cn,
                         !ca_key ? "the Manager CA cannot be read" : "OpenSSL error");
    X509_free(cert);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    X509_free(ca_cert);
    return *pem ? 0 : -1;
}

char *ca_cert_pem(const manager_ca *ca)
{
    return ovm_read_file(ca->ca_cert, NULL);
}

int ca_fingerprint(const char *pem, char *out, unsigned outlen)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    int rc = -1;
    if (x && X509_digest(x, EVP_sha256(), md, &n) == 1 && outlen >= 3 * n) {
        for (unsigned i = 0; i < n; i++)
            snprintf(out + 3 * i, outlen - 3 * i, "%02X%s", md[i], i + 1 < n ? ":" : "");
        rc = 0;
    }
    X509_free(x);
    BIO_free(bio);
    return rc;
}
