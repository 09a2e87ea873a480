/* HTTPS front of the agent: POST /api/3/ with HTTP Basic auth, body limit,
 * fault injection, then dispatch. */
#ifndef OVM_AGENT_HTTPD_H
#define OVM_AGENT_HTTPD_H
#include <stddef.h>

struct sim;
struct httpd;
struct agent_config;

/* Largest accepted request body; larger ones get 413. */
#define HTTPD_MAX_BODY (16u * 1024u * 1024u)

/* Starts the server on cfg's listen:port, with its connection limits,
 * serving the given PEM identity. Returns NULL on failure (logged). */
struct httpd *httpd_start(struct sim *sim, const struct agent_config *cfg,
                          const char *key_pem, const char *cert_pem);
/* Stops accepting, wakes hanging calls and joins every connection thread. */
void httpd_stop(struct httpd *h);
#endif
