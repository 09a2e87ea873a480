/* Work planned per server: how many jobs hold a plan whose agent calls go to
 * a server that was chosen among equals (the vm.cfg writes of a VM without a
 * host: vm_worker()). The choice takes the server with the least such work,
 * so a burst of creates is spread over the pool instead of queueing behind
 * one agent's limit of calls in flight (doc/agent-protocol.md §2); an idle
 * engine still chooses the first server, as before. In memory only. */
#ifndef OVM_FLOWS_SERVER_LOAD_H
#define OVM_FLOWS_SERVER_LOAD_H

typedef struct server_load server_load;

server_load *server_load_new(void);
/* Frees the table; every plan that counted on it must be gone. */
void server_load_free(server_load *l);
/* Jobs planned on server_id and not yet ended; 0 for an unknown id or l NULL. */
int server_load_get(server_load *l, const char *server_id);
/* Counts one more (delta 1) or one fewer (delta -1) job on server_id. */
void server_load_add(server_load *l, const char *server_id, int delta);
#endif
