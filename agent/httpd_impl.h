/* Internal to the agent's HTTPS front (httpd.c: daemon, TLS, calls, reload;
 * httpd_admit.c: who may call, decided from the headers alone). */
#ifndef OVM_AGENT_HTTPD_IMPL_H
#define OVM_AGENT_HTTPD_IMPL_H
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stddef.h>
#include "agent/authlimit.h"
#include "agent/connguard.h"
#include "lib/lograte.h"
#include "lib/strbuf.h"

#define API_PATH "/api/3/"

/* What the daemon serves. MHD keeps pointers to these PEM strings for the
 * daemon's lifetime, so they change only while no daemon runs. */
struct identity {
    char *key_pem;
    char *cert_pem;
    char *trust_pem;   /* the owning Manager's CA; NULL = password mode */
};

struct httpd {
    struct MHD_Daemon *daemon;
    struct sim *sim;
    char *faults_path;
    char *listen;
    int port;
    unsigned per_source_connections;  /* MHD_OPTION_PER_IP_CONNECTION_LIMIT */
    unsigned connection_timeout;      /* MHD_OPTION_CONNECTION_TIMEOUT */
    authlimit *logins;                /* failed passwords per client address */
    log_rate *auth_log;
    connguard *guard;                 /* --header-timeout */
    struct certcache *verified;       /* the Manager's certificate, verified */
    char *own_key_pem;   /* the agent's self-signed identity */
    char *own_cert_pem;
    struct identity id;
    /* Listening socket kept across a restart: connections made after an
     * ownership change wait in its backlog for the new identity. */
    MHD_socket listen_fd;
    pthread_t reloader;  /* restarts the daemon after ownership changes */
    pthread_mutex_t mu;  /* guards reload_wanted and quit */
    pthread_cond_t cv;
    int reload_wanted;
    int quit;
};

/* How far a caller is trusted. */
enum access {
    ACCESS_NONE,      /* neither a valid client certificate nor the password */
    ACCESS_THROTTLED, /* too many failed passwords from its address: not checked */
    ACCESS_PASSWORD,  /* password only, on an agent that requires certificates */
    ACCESS_FULL,
};

/* Body of one request, collected across the upload callbacks. */
struct request {
    strbuf body;
    int too_big;
    enum access access;
};

enum MHD_Result httpd_send_text(struct MHD_Connection *conn, unsigned status, const char *type, const char *text,
                                size_t len);
enum MHD_Result httpd_send_status(struct MHD_Connection *conn, unsigned status, const char *msg);
gnutls_session_t httpd_tls_session(struct MHD_Connection *conn);
/* The guard entry of conn (NULL without --header-timeout). */
connguard_entry *httpd_guard_entry(struct MHD_Connection *conn);
/* What a caller with only the password may still do on an owned agent. */
int httpd_password_method(const char *method);
/* First callback of a request: path, method, credentials and declared size.
 * Either answers (refusal) or sets *con_cls to a new struct request. */
enum MHD_Result httpd_admit(struct httpd *h, struct MHD_Connection *conn, const char *url, const char *method,
                            void **con_cls);
#endif
