/* The Manager's certificate authority (doc/agent-protocol.md §4): created on first
 * start in STATE_DIR/pki, it signs one certificate per owned server and the
 * Manager's own client certificate used for mutual TLS with the agents. */
#ifndef OVM_CA_H
#define OVM_CA_H

/* File names under STATE_DIR/pki. Keys are mode 0600. */
#define CA_CERT_FILE "ca-cert.pem"
#define CA_KEY_FILE "ca-key.pem"
#define CA_CLIENT_CERT_FILE "manager-cert.pem"
#define CA_CLIENT_KEY_FILE "manager-key.pem"

/* Paths of the trust material; all heap strings owned by the struct. */
typedef struct manager_ca {
    char *dir;          /* STATE_DIR/pki */
    char *ca_cert;      /* CA certificate (RSA 3072, SHA-256, 10 years, CN = Manager UUID) */
    char *ca_key;
    char *client_cert;  /* Manager client certificate (RSA 2048, 5 years, CN = Manager UUID) */
    char *client_key;
} manager_ca;

/* Loads the CA of state_dir, creating the CA and the client certificate
 * when missing (a new CA always gets a new client certificate). NULL with
 * *err (heap) on failure. */
manager_ca *ca_open(const char *state_dir, const char *manager_id, char **err);
void ca_close(manager_ca *ca);

/* Issues a server identity (RSA 2048, 5 years, CN = cn) signed by the CA:
 * *pem is the private key PEM followed by the certificate PEM (heap; the
 * caller wipes and frees it). 0, or -1 with *err (heap). */
int ca_issue_server(const manager_ca *ca, const char *cn, char **pem, char **err);

/* The CA certificate as PEM (heap), or NULL if it cannot be read. */
char *ca_cert_pem(const manager_ca *ca);

/* SHA-256 fingerprint "AA:BB:..." of the first certificate in pem into out
 * (at least 96 bytes). 0 or -1. */
int ca_fingerprint(const char *pem, char *out, unsigned outlen);
#endif
