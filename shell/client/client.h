/* ovmsh, the local client: talks to the engine over its Unix socket
 * (lib/proto.h) and runs one of three session loops (doc/command-language.md §1.2-§1.4). */
#ifndef OVM_SHELL_CLIENT_H
#define OVM_SHELL_CLIENT_H
#include <stddef.h>
#include <stdio.h>
#include "grammar/grammar.h"

/* The most bytes of one input line a session keeps: one more than the
 * grammar allows (cli-contract §3), so that an over-long line still reaches
 * the engine as one and gets its usual error, with an echo cut to this size;
 * the rest of such a line is dropped as it arrives, never buffered. */
#define CLIENT_LINE_KEEP ((size_t)GR_MAX_LINE + 1)

/* Outcome of one command as the engine reported it. */
typedef enum { CR_SUCCESS, CR_FAILURE, CR_EXIT, CR_LOST } client_status;

/* Exit statuses of ovmsh (see man/ovmsh.1). */
enum { OVMSH_OK = 0, OVMSH_FAILED = 1, OVMSH_NO_ENGINE = 2, OVMSH_USAGE = 2 };

typedef struct client {
    int fd;              /* connected engine socket */
    int stop_on_error;   /* batch: stop at the first failure */
    int interactive;     /* set before client_open: progress lines, Ctrl-C cancels a wait */
    void (*typeahead)(int ch); /* gets keys typed while a command runs (readline's rl_stuff_char) */
    int pipeline;        /* set before client_open: a batch sends commands ahead of their replies */
} client;

/* Connects to path and sends P_HELLO for user. 0, or -1 with errno set. */
int client_open(client *c, const char *path, const char *user);
/* As client_open on fd, already connected (c owns it from now on). */
int client_open_fd(client *c, int fd, const char *user);
void client_close(client *c);

/* Sends one command (len bytes, may contain NULs), echo 'E' or 'N'; writes
 * the rendered reply to stdout. When errmsg is not NULL and the command
 * failed, *errmsg gets the Error Msg text (heap) or NULL. */
client_status client_command(client *c, const char *cmd, size_t len, char echo, char **errmsg);
/* client_command in two halves, for a pipelined batch: the send (0, or -1
 * when the engine is gone), and the wait for the oldest reply not yet read. */
int client_send_command(client *c, const char *cmd, size_t len, char echo);
client_status client_read_result(client *c, char **errmsg);
/* Candidates for the token before the cursor (P_COMPLETE): heap array of heap
 * strings, count returned; 0 on error or none. */
size_t client_complete(client *c, const char *before, char ***out);
/* The '?' listing for the text before the '?' (P_HELP): heap bytes or NULL. */
char *client_help(client *c, const char *before, size_t *len);

/* Extracts the Error Msg text from a rendered failure in any output mode
 * (Verbose/Sparse "Error Msg: ", Xml <ErrorMsg>, Json "errorMsg"). rendered
 * must be NUL-terminated at rendered[len]. Heap or NULL. */
char *client_error_text(const char *rendered, size_t len);

/* Splits buf (len bytes, NULs allowed) at ';' outside quotes, like
 * gr_split_commands; segment lengths go to *lens. Returns the count. A line
 * longer than GR_MAX_LINE is not split: none of its commands may run, so it
 * is one segment of its first CLIENT_LINE_KEEP bytes, which the engine
 * refuses as over-long. */
size_t client_split(const char *buf, size_t len, char ***segs, size_t **lens);

/* Session loops; each returns the process exit status. */
int client_run_exec(client *c, const char *commands);
/* Batch: reads lines from in (§1.4); diagnostics name lines from 1. */
int client_run_batch(client *c, FILE *in);
/* Interactive readline loop on the terminal (§1.2, §11.3). */
int client_run_interactive(client *c);
#endif
