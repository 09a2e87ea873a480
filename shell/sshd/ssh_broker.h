/* The broker: what a sandboxed connection process (ssh_privsep.h) can no
 * longer open itself, the listener opens for it. Each connection process
 * gets one end of a SOCK_SEQPACKET pair at fork; it sends one request byte
 * and receives an errno value (0: done) with the fds in SCM_RIGHTS:
 *   'E'  a new connection to the engine socket (sessions, and reconnecting
 *        after an engine restart);
 *   'P'  a pty pair, master then slave (interactive sessions).
 * The listener answers each request at once and never blocks on it. */
#ifndef OVM_SHELL_SSH_BROKER_H
#define OVM_SHELL_SSH_BROKER_H
#include <poll.h>
#include <stddef.h>

#define BROKER_ENGINE 'E'
#define BROKER_PTY 'P'

typedef struct ssh_broker ssh_broker;

/* ---- the listener's side ---- */
/* An empty table; engine_socket is the path the engine listens on. */
ssh_broker *ssh_broker_new(const char *engine_socket);
void ssh_broker_free(ssh_broker *b);
/* Makes the pair for a new connection process: 0 with *child_end (for the
 * child) and the listener's end tracked, or -1 (errno). */
int ssh_broker_pair(ssh_broker *b, int *child_end);
size_t ssh_broker_count(const ssh_broker *b);
/* Fills up to max pollfds with the tracked fds; returns how many. */
size_t ssh_broker_pollfds(const ssh_broker *b, struct pollfd *out, size_t max);
/* fd polled with revents: answers its request, or forgets it at EOF. */
void ssh_broker_event(ssh_broker *b, int fd, short revents);
/* In a freshly forked connection process: closes the other connections' ends. */
void ssh_broker_close_inherited(const ssh_broker *b);

/* ---- the connection process's side ---- */
/* Asks over fd for a connected engine socket: the fd, or -1 with errno. */
int ssh_broker_engine(int fd);
/* Asks over fd for a pty pair: 0 with *master and *slave, or -1 with errno. */
int ssh_broker_pty(int fd, int *master, int *slave);
#endif
