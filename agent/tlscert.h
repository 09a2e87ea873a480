/* The agent's own TLS identity: a self-signed RSA 2048 certificate created on
 * first start and reused afterwards. */
#ifndef OVM_AGENT_TLSCERT_H
#define OVM_AGENT_TLSCERT_H

/* Loads <dir>/agent-key.pem and <dir>/agent-cert.pem, generating them (key mode
 * 0600) when absent. *key_pem and *cert_pem are heap strings. 0 or -1 (logged). */
int tlscert_load_or_create(const char *dir, const char *common_name, char **key_pem, char **cert_pem);
#endif
