/* The agent client's private state, shared by agentc.c (the I/O thread and
 * requests), agentc_tls.c (mutual TLS and pinning) and agentc_outcome.c (errors
 * and replies turned into the texts of doc/agent-protocol.md §3). */
#ifndef OVM_AGENTC_IMPL_H
#define OVM_AGENTC_IMPL_H
#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include "backend/agentc/agentc.h"
#include "lib/strbuf.h"

#define AGC_MAX_PER_AGENT 4          /* doc/agent-protocol.md §2 */
#define AGC_MAX_REPLY XR_MAX_DOC     /* larger replies are refused, not buffered */
#define AGC_ERR_MAX 1000             /* doc/agent-protocol.md §3 item 5 */
#define AGC_POLL_MS 1000

typedef struct agc_req agc_req;
struct agc_req {
    agc_req *next;             /* in agentc.pending or agentc.inflight */
    char key[300];             /* "host:port": unit of the per-agent limit */
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    strbuf reply;
    int too_big;               /* reply exceeded AGC_MAX_REPLY */
    int mutual;                /* mutual TLS against the Manager CA */
    char peer_cn[128];         /* expected CN of the agent's certificate */
    char curl_err[CURL_ERROR_SIZE];
    long timeout_s;
    int64_t deadline_ms;       /* monotonic */
    CURLcode cc;
    int expired;               /* deadline passed before curl finished */
    int cancel;                /* set by the waiting caller */
    int done;                  /* set by the I/O thread; the caller then owns r */
    pthread_cond_t cv;
};

struct agentc {
    long connect_timeout;
    CURLM *multi;
    pthread_t io;
    pthread_mutex_t mu;
    agc_req *pending;          /* FIFO of requests not yet handed to curl */
    agc_req *inflight;         /* requests added to the multi handle */
    int stopping;
};

/* Every curl_easy_setopt is checked; failures jump to the caller's fail label. */
#define SETOPT(e, opt, val) \
    do { if (curl_easy_setopt((e), (opt), (val)) != CURLE_OK) goto fail; } while (0)

void agc_req_free(agc_req *r);
/* A request ready to queue, or NULL with *err set. */
agc_req *agc_req_new(agentc *c, const agent_ep *ep, char *body, long timeout_s, char **err);
/* Queues r and sleeps until the I/O thread finishes it. After the deadline
 * the request is cancelled; the I/O thread acknowledges within one poll. */
void agc_run_req(agentc *c, agc_req *r);
/* Client certificate, CA and peer check instead of the pin. */
int agc_setup_mutual_tls(const agent_ep *ep, agc_req *r);
/* Maps a failed transfer (cc != CURLE_OK) to AGC_TRANSPORT or AGC_AUTH. */
int agc_transfer_failure(agc_req *r, char **err);
int agc_call_outcome(agc_req *r, xr_value **result, char **err);
#endif
