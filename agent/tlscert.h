/* The agent's own TLS identity: a self-signed RSA 2048 certificate created on
 * first start and reused afterwards. */
#ifndef OVM_AGENT_TLSCERT_H
#define OVM_AGENT_TLSCERT_H

/* Loads <dir>/agent-key.pem and <dir>/agent-cert.pem, generating them (key mode
 * 0600) when absent. *key_pem and *cert_pem are heap strings. 0 or -1 (logged). */
int tlscert_load_or_create(const char *dir, const char *common_name, char **key_pem, char **cert_pem);

/* Files written by take_ownership (doc/agent-protocol.md §4 item 3) in the state dir:
 * the Manager CA certificate and the signed server key + certificate. */
#define TLSCERT_CA_FILE "manager-ca.pem"
#define TLSCERT_SIGNED_FILE "server-signed.pem"

/* The identity a Manager handed over: 1 with heap PEM strings (key, the
 * certificate chain, the CA to trust for clients), 0 when there is none
 * (unowned, or owned without certificates), -1 when the files are unusable
 * (logged). */
int tlscert_load_owned(const char *dir, char **key_pem, char **cert_pem, char **ca_pem);
#endif
