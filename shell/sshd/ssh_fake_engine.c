/* ssh-fake-engine: a stand-in for the ovmd engine on its Unix socket, used
 * only by the SSH tests and benchmark while they run without ovmd. It
 * speaks lib/proto.h and renders a Verbose-like transcript: enough to check
 * what the SSH front end owns (echo, byte transport, exit status, line
 * endings, completion and help plumbing), nothing about the command set.
 *
 * Commands: list/show/set/start/stop/help/showversion succeed; "sleep N"
 * waits N seconds; "lines N" prints N data lines; "exit" ends; anything else
 * fails with "Error Msg: Invalid command". "set EndLineChars=LF|CR|CRLF"
 * changes the session EOL. One process per connection. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/proto.h"
#include "lib/strbuf.h"
#include "lib/util.h"

static const char *verbs[] = {"list", "show", "set", "start", "stop", "help", "showversion", "sleep", "lines", "exit"};
#define NVERBS (sizeof verbs / sizeof verbs[0])

typedef struct fsession {
    const char *eol;
    char *user;
} fsession;

static int known_verb(const char *cmd)
{
    size_t n = strcspn(cmd, " \t");
    for (size_t i = 0; i < NVERBS; i++)
        if (strlen(verbs[i]) == n && strncasecmp(cmd, verbs[i], n) == 0)
            return 1;
    return 0;
}

static void set_eol(fsession *s, const char *cmd)
{
    const char *v = strcasestr(cmd, "EndLineChars=");
    if (!v)
        return;
    v += strlen("EndLineChars=");
    s->eol = !strcasecmp(v, "LF") ? "\n" : !strcasecmp(v, "CR") ? "\r" : "\r\n";
}

/* Renders cmd into out; returns the status byte. */
static char run(fsession *s, const char *cmd, strbuf *out)
{
    if (!strcasecmp(cmd, "exit"))
        return PS_EXIT;
    int ok = known_verb(cmd);
    if (ok && !strncasecmp(cmd, "set ", 4))
        set_eol(s, cmd);
    if (ok && !strncasecmp(cmd, "sleep ", 6))
        sleep((unsigned)atoi(cmd + 6));
    sb_addf(out, "Command: %s%sStatus: %s%sTime: 2026-01-01 00:00:00,000 UTC%s", cmd, s->eol,
            ok ? "Success" : "Failure", s->eol, s->eol);
    if (!ok) {
        sb_addf(out, "Error Msg: Invalid command: %.*s%s", (int)strcspn(cmd, " "), cmd, s->eol);
        return PS_FAILURE;
    }
    sb_addf(out, "JobId: 1%sData: %s  user = %s%s", s->eol, s->eol, s->user ? s->user : "?", s->eol);
    long lines = !strncasecmp(cmd, "lines ", 6) ? atol(cmd + 6) : 0;
    for (long i = 0; i < lines; i++)
        sb_addf(out, "  id:%08ld  name:vm%ld%s", i, i, s->eol);
    return PS_SUCCESS;
}

static void reply_cmd(fsession *s, int fd, const char *payload, size_t len)
{
    strbuf out = STRBUF_INIT;
    sb_addc(&out, PS_SUCCESS);
    if (len && payload[0] == 'E')
        sb_addf(&out, "OVM> %s%s", payload + 1, s->eol);
    char st = run(s, len ? payload + 1 : "", &out); /* may move out.buf */
    out.buf[0] = st;
    proto_send(fd, P_RESULT, out.buf, out.len);
    sb_free(&out);
}

static void reply_complete(int fd, const char *before)
{
    strbuf out = STRBUF_INIT;
    sb_adds(&out, "");
    if (!strchr(before, ' '))
        for (size_t i = 0; i < NVERBS; i++)
            if (!strncasecmp(verbs[i], before, strlen(before)))
                sb_addf(&out, "%s\n", verbs[i]);
    proto_send(fd, P_LIST, out.buf, out.len);
    sb_free(&out);
}

static void reply_help(fsession *s, int fd)
{
    strbuf out = STRBUF_INIT;
    sb_addc(&out, PS_SUCCESS);
    for (size_t i = 0; i < NVERBS; i++)
        sb_addf(&out, "  %s%s", verbs[i], s->eol);
    proto_send(fd, P_RESULT, out.buf, out.len);
    sb_free(&out);
}

static void serve(int fd)
{
    fsession s = {"\r\n", NULL};
    char type, *buf;
    size_t len;
    while (proto_recv(fd, &type, &buf, &len) == 1) {
        if (type == P_HELLO && !strncmp(buf, "user=", 5))
            s.user = xstrndup(buf + 5, strcspn(buf + 5, "\n"));
        else if (type == P_CMD)
            reply_cmd(&s, fd, buf, len);
        else if (type == P_COMPLETE)
            reply_complete(fd, buf);
        else if (type == P_HELP)
            reply_help(&s, fd);
        free(buf);
    }
    free(s.user);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ssh-fake-engine SOCKET\n");
        return 2;
    }
    signal(SIGCHLD, SIG_IGN); /* no zombies: nobody waits for sessions */
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
    unlink(argv[1]);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 512) != 0) {
        perror("ssh-fake-engine");
        return 1;
    }
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0 && errno == EINTR)
            continue;
        if (fd < 0)
            return 1;
        if (fork() == 0) {
            /* A killed engine takes its sessions with it, as ovmd's threads go. */
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            close(lfd);
            serve(fd);
            _exit(0);
        }
        close(fd);
    }
}
