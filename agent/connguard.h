/* Header timeout of ovm-agentd (ovm-agentd(8) --header-timeout): a
 * connection must deliver a complete request head (TLS handshake and HTTP
 * headers) within the timeout of being opened, and each further request
 * within the timeout of the previous answer, or it is shut down. The idle
 * timeout of libmicrohttpd restarts with every byte, so a caller trickling
 * one byte at a time would otherwise hold its connection forever. */
#ifndef OVM_AGENT_CONNGUARD_H
#define OVM_AGENT_CONNGUARD_H

typedef struct connguard connguard;
typedef struct connguard_entry connguard_entry;

/* Starts the watchdog thread; timeout_s 0 turns the guard off (NULL is then
 * returned and every call below accepts NULL). NULL also when the thread
 * cannot start (logged). */
connguard *connguard_new(unsigned timeout_s);
void connguard_free(connguard *g);

/* A connection was opened on fd: its request head is now awaited. */
connguard_entry *connguard_open(connguard *g, int fd);
/* Its request head is complete: no deadline while the request runs. */
void connguard_head_done(connguard *g, connguard_entry *e);
/* Its answer is sent: the next request head is awaited. */
void connguard_answered(connguard *g, connguard_entry *e);
/* The connection is closed (before its socket is): forget e. */
void connguard_close(connguard *g, connguard_entry *e);
#endif
