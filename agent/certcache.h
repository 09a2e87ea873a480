/* The client certificate last found to chain to the owning CA, so that the
 * calls of one Manager do not each verify its RSA signature again: that was
 * a fifth of the agent's CPU per call in bulk creates (bench/bulk-create.sh).
 * A peer chain byte-for-byte equal to the cached one, verified less
 * than CERTCACHE_TTL_MS ago under the same trust, is accepted. */
#ifndef OVM_AGENT_CERTCACHE_H
#define OVM_AGENT_CERTCACHE_H
#include <gnutls/gnutls.h>

#define CERTCACHE_TTL_MS 60000

struct certcache;
struct certcache *certcache_new(void);
void certcache_free(struct certcache *cc);
/* Forgets the cached certificate (the trusted CA changed). */
void certcache_clear(struct certcache *cc);
/* 1 if the session's peer presented an X.509 certificate that verifies
 * against the session's trust (gnutls_certificate_verify_peers2). Thread-safe. */
int certcache_verify(struct certcache *cc, gnutls_session_t s);
#endif
