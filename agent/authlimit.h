/* Failed Basic-auth logins per client address (ovm-agentd(8), issue 10
 * item 6): after AUTHLIMIT_FREE failures from one address, password logins
 * from there are refused, without checking, for 5, 10, 20, ... seconds (at
 * most AUTHLIMIT_MAX_S). Other addresses, and callers with a valid client
 * certificate, are never affected. Thread-safe; nothing sleeps. */
#ifndef OVM_AGENT_AUTHLIMIT_H
#define OVM_AGENT_AUTHLIMIT_H
#include <stdint.h>

#define AUTHLIMIT_FREE 5
#define AUTHLIMIT_FIRST_S 5
#define AUTHLIMIT_MAX_S 300

typedef struct authlimit authlimit;

authlimit *authlimit_new(void);
void authlimit_free(authlimit *a);

/* Seconds addr must still wait before its next password is checked; 0 if
 * it may try now. */
long authlimit_wait(authlimit *a, const char *addr, int64_t now_ms);
/* A failed password from addr: returns the new wait in seconds (0 while
 * within the free failures) and the failure count in *failures. */
long authlimit_failed(authlimit *a, const char *addr, int64_t now_ms, unsigned *failures);
/* A good password from addr: its failures are forgotten. */
void authlimit_succeeded(authlimit *a, const char *addr);
#endif
