/* Verified client certificates (certcache.h). */
#include "agent/certcache.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"

struct certcache {
    pthread_mutex_t mu;
    unsigned char *der;     /* the last verified certificate, or NULL */
    size_t len;
    int64_t at_ms;          /* when it was verified */
};

struct certcache *certcache_new(void)
{
    struct certcache *cc = xcalloc(1, sizeof *cc);
    pthread_mutex_init(&cc->mu, NULL);
    return cc;
}

void certcache_clear(struct certcache *cc)
{
    pthread_mutex_lock(&cc->mu);
    free(cc->der);
    cc->der = NULL;
    cc->len = 0;
    pthread_mutex_unlock(&cc->mu);
}

void certcache_free(struct certcache *cc)
{
    if (!cc)
        return;
    certcache_clear(cc);
    pthread_mutex_destroy(&cc->mu);
    free(cc);
}

/* The peer's chain as one buffer (heap): the cache key. */
static unsigned char *join_chain(const gnutls_datum_t *chain, unsigned n, size_t *len)
{
    size_t total = 0;
    for (unsigned i = 0; i < n; i++)
        total += chain[i].size;
    unsigned char *buf = xmalloc(total ? total : 1), *p = buf;
    for (unsigned i = 0; i < n; i++) {
        memcpy(p, chain[i].data, chain[i].size);
        p += chain[i].size;
    }
    *len = total;
    return buf;
}

static int cached(struct certcache *cc, const unsigned char *key, size_t len)
{
    pthread_mutex_lock(&cc->mu);
    int hit = cc->der && cc->len == len && !memcmp(cc->der, key, len) && ovm_now_ms() - cc->at_ms < CERTCACHE_TTL_MS;
    pthread_mutex_unlock(&cc->mu);
    return hit;
}

/* Takes key. */
static void remember(struct certcache *cc, unsigned char *key, size_t len)
{
    pthread_mutex_lock(&cc->mu);
    free(cc->der);
    cc->der = key;
    cc->len = len;
    cc->at_ms = ovm_now_ms();
    pthread_mutex_unlock(&cc->mu);
}

int certcache_verify(struct certcache *cc, gnutls_session_t s)
{
    unsigned n = 0, status = 1;
    if (!s || gnutls_certificate_type_get(s) != GNUTLS_CRT_X509)
        return 0;
    const gnutls_datum_t *chain = gnutls_certificate_get_peers(s, &n);
    if (!chain || n == 0)
        return 0;
    size_t len;
    unsigned char *key = join_chain(chain, n, &len);
    if (cached(cc, key, len)) {
        free(key);
        return 1;
    }
    if (gnutls_certificate_verify_peers2(s, &status) != 0 || status != 0) {
        free(key);
        return 0;
    }
    remember(cc, key, len);
    return 1;
}
