/* Self-signed identity with OpenSSL. GnuTLS (inside libmicrohttpd) serves it;
 * both read the same PEM files. */
#include "agent/tlscert.h"
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define CERT_DAYS (5 * 365)

/* PEM text of key or certificate (exactly one of them non-NULL); heap or NULL. */
static char *to_pem(EVP_PKEY *key, X509 *cert, size_t *len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return NULL;
    int ok = key ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)
                 : PEM_write_bio_X509(bio, cert);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *out = ok && n > 0 ? xstrndup(data, (size_t)n) : NULL;
    if (out)
        *len = (size_t)n;
    BIO_free(bio);
    return out;
}

static int set_serial(X509 *cert)
{
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return -1;
    raw[0] &= 0x7f; /* positive */
    BIGNUM *bn = BN_bin2bn(raw, sizeof raw, NULL);
    int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
    BN_free(bn);
    return ok ? 0 : -1;
}

static X509 *make_cert(EVP_PKEY *key, const char *cn)
{
    X509 *cert = X509_new();
    if (!cert)
        return NULL;
    X509_NAME *name = X509_get_subject_name(cert);
    int ok = X509_set_version(cert, 2) && set_serial(cert) == 0 &&
             X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(cert), (long)CERT_DAYS * 86400) &&
             X509_set_pubkey(cert, key) &&
             X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"ovm-agentd", -1, -1, 0) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) &&
             X509_set_issuer_name(cert, name) && X509_sign(cert, key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

static int generate(const char *key_path, const char *cert_path, const char *cn)
{
    EVP_PKEY *key = EVP_RSA_gen(2048);
    X509 *cert = key ? make_cert(key, cn) : NULL;
    size_t klen = 0, clen = 0;
    char *kpem = cert ? to_pem(key, NULL, &klen) : NULL;
    char *cpem = kpem ? to_pem(NULL, cert, &clen) : NULL;
    int rc = -1;
    if (!cpem)
        log_err("cannot generate the TLS certificate (OpenSSL)");
    else if (ovm_write_file_atomic(key_path, kpem, klen, 0600) != 0 ||
             ovm_write_file_atomic(cert_path, cpem, clen, 0644) != 0)
        log_err("cannot write %s or %s: %s", key_path, cert_path, strerror(errno));
    else
        rc = 0;
    if (kpem)
        OPENSSL_cleanse(kpem, klen);
    free(kpem);
    free(cpem);
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

int tlscert_load_or_create(const char *dir, const char *common_name, char **key_pem, char **cert_pem)
{
    char *key_path = xasprintf("%s/agent-key.pem", dir);
    char *cert_path = xasprintf("%s/agent-cert.pem", dir);
    size_t len;
    *key_pem = ovm_read_file(key_path, &len);
    *cert_pem = *key_pem ? ovm_read_file(cert_path, &len) : NULL;
    if (!*key_pem || !*cert_pem) {
        free(*key_pem);
        free(*cert_pem);
        *key_pem = *cert_pem = NULL;
        log_info("generating a self-signed certificate in %s", dir);
        if (generate(key_path, cert_path, common_name) == 0) {
            *key_pem = ovm_read_file(key_path, &len);
            *cert_pem = ovm_read_file(cert_path, &len);
        }
    }
    int rc = *key_pem && *cert_pem ? 0 : -1;
    if (rc != 0) {
        log_err("no usable TLS identity in %s", dir);
        free(*key_pem);
        free(*cert_pem);
        *key_pem = *cert_pem = NULL;
    }
    free(key_path);
    free(cert_path);
    return rc;
}

/* The PEM blocks of bundle whose label contains what ("PRIVATE KEY",
 * "CERTIFICATE"), concatenated; heap or NULL when there is none. */
static char *pem_blocks(const char *bundle, const char *what)
{
    strbuf sb = STRBUF_INIT;
    for (const char *p = strstr(bundle, "-----BEGIN "); p; p = strstr(p, "-----BEGIN ")) {
        const char *eol = strstr(p + 11, "-----");
        const char *end = eol ? strstr(eol + 5, "-----END ") : NULL;
        const char *stop = end ? strstr(end + 9, "-----") : NULL;
        if (!stop)
            break;
        stop += 5;
        if (memmem(p, (size_t)(eol - p), what, strlen(what))) {
            sb_add(&sb, p, (size_t)(stop - p));
            sb_addc(&sb, '\n');
        }
        p = stop;
    }
    if (sb.len == 0) {
        sb_free(&sb);
        return NULL;
    }
    return sb_detach(&sb, NULL);
}

static void wipe_free(char *s)
{
    if (s)
        OPENSSL_cleanse(s, strlen(s));
    free(s);
}

int tlscert_load_owned(const char *dir, char **key_pem, char **cert_pem, char **ca_pem)
{
    char *ca_path = xasprintf("%s/" TLSCERT_CA_FILE, dir);
    char *signed_path = xasprintf("%s/" TLSCERT_SIGNED_FILE, dir);
    char *bundle = ovm_read_file(signed_path, NULL);
    *ca_pem = bundle ? ovm_read_file(ca_path, NULL) : NULL;
    *key_pem = *cert_pem = NULL;
    int rc = 0;
    if (bundle && *ca_pem) {
        *key_pem = pem_blocks(bundle, "PRIVATE KEY");
        *cert_pem = pem_blocks(bundle, "CERTIFICATE");
        rc = *key_pem && *cert_pem && strstr(*ca_pem, "CERTIFICATE") ? 1 : -1;
    }
    if (rc != 1) {
        if (rc < 0)
            log_err("%s or %s is not a usable identity", signed_path, ca_path);
        wipe_free(*key_pem);
        free(*cert_pem);
        free(*ca_pem);
        *key_pem = *cert_pem = *ca_pem = NULL;
    }
    wipe_free(bundle);
    free(ca_path);
    free(signed_path);
    return rc;
}
