/* Framing between a session (ovmsh, or an SSH session process) and the engine
 * on its local socket: 1 type byte, 4-byte big-endian length, payload. */
#ifndef OVM_PROTO_H
#define OVM_PROTO_H
#include <stddef.h>

enum proto_type {
    P_HELLO = 'I',      /* client -> engine: "user=<u>\n" [+ "interactive=1\n"] [+ "pipeline=1\n"
                           [+ "stop_on_error=1\n"]]: a pipelining client sends P_CMDs ahead of the
                           results; the engine ends the session after an exit, and after a failure
                           when stop_on_error=1, so that nothing sent after that point runs */
    P_CMD = 'C',        /* client -> engine: one command (already split at ';') */
    P_RESULT = 'R',     /* engine -> client: status byte + rendered bytes */
    P_COMPLETE = 'T',   /* client -> engine: line up to the cursor; reply P_LIST */
    P_HELP = 'H',       /* client -> engine: line up to the cursor before '?'; reply P_RESULT */
    P_LIST = 'L',       /* engine -> client: candidates, one per line */
    P_CANCEL = 'X',     /* client -> engine: stop waiting for the command in flight (Ctrl-C);
                           the engine answers it as in asynchronous mode, the job goes on */
    P_PROGRESS = 'P',   /* engine -> client, interactive sessions only: one line of progress
                           of the synchronous job being waited for (no EOL) */
};

/* Status byte that leads a P_RESULT payload. */
enum { PS_SUCCESS = '0', PS_FAILURE = '1', PS_EXIT = 'E' };

/* The largest frame either side accepts: bigger than a 1 MiB line plus slack. */
#define PROTO_MAX_FRAME (64u * 1024u * 1024u)

/* Sends one frame; 0 or -1 (errno set). */
int proto_send(int fd, char type, const void *buf, size_t len);
/* Sends a P_RESULT frame: the status byte, then buf (no copy of buf). A
 * result too big for a frame is replaced by a short Status: Failure. */
int proto_send_result(int fd, char status, const void *buf, size_t len);
/* Receives one frame into a new heap buffer (NUL-terminated, *len excludes it).
 * Returns 1 on a frame, 0 on clean EOF, -1 on error or oversize. */
int proto_recv(int fd, char *type, char **buf, size_t *len);
/* Connects to the engine's Unix socket; fd or -1. */
int proto_connect(const char *path);
#endif
