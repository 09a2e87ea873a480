/* The client side of the engine protocol (lib/proto.h). */
#include "shell/client/client.h"
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <termios.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/proto.h"
#include "lib/strbuf.h"
#include "lib/util.h"

int client_open(client *c, const char *path, const char *user)
{
    int fd = proto_connect(path);
    return fd < 0 ? -1 : client_open_fd(c, fd, user);
}

int client_open_fd(client *c, int fd, const char *user)
{
    c->fd = fd;
    /* pipeline: the engine ends the session after an exit, and after a
     * failure under --stop-on-error, so that no command sent ahead runs. */
    char *hello = xasprintf("user=%s\n%s%s%s", user, c->interactive ? "interactive=1\n" : "",
                            c->pipeline ? "pipeline=1\n" : "",
                            c->pipeline && c->stop_on_error ? "stop_on_error=1\n" : "");
    int rc = proto_send(c->fd, P_HELLO, hello, strlen(hello));
    free(hello);
    if (rc != 0) {
        int e = errno;
        client_close(c);
        errno = e;
        return -1;
    }
    return 0;
}

void client_close(client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* Sends one request and waits for a reply of the expected type. Returns the
 * heap payload or NULL when the engine went away or answered nonsense. */
static char *request(client *c, char type, const char *buf, size_t len, char want, size_t *rlen)
{
    if (proto_send(c->fd, type, buf, len) != 0)
        return NULL;
    char rtype = 0;
    char *reply = NULL;
    if (proto_recv(c->fd, &rtype, &reply, rlen) != 1)
        return NULL;
    if (rtype != want) {
        free(reply);
        return NULL;
    }
    return reply;
}

/* Keys typed while a command runs: Ctrl-C (0x03) cancels the wait (the
 * engine then answers as in asynchronous mode); other keys go back to
 * readline. The terminal is put in raw mode for the wait so that Ctrl-C
 * arrives as a byte on a local terminal as it does over SSH. */
static void read_keys(client *c, int *cancelled)
{
    char buf[256];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == 3 && !*cancelled) {
            *cancelled = 1;
            proto_send(c->fd, P_CANCEL, "", 0);
        } else if (buf[i] != 3 && c->typeahead) {
            c->typeahead((unsigned char)buf[i]);
        }
    }
}

static void show_progress(const char *line, size_t len, int *shown)
{
    /* One line, redrawn in place and erased before the result (issue 3 item 4). */
    fputs("\r", stdout);
    fwrite(line, 1, len, stdout);
    fputs("\033[K", stdout);
    if (len == 0)
        fputs("\r", stdout);
    fflush(stdout);
    *shown = len > 0;
}

/* Waits for the P_RESULT of the command in flight, handling P_PROGRESS and
 * Ctrl-C in interactive sessions. Heap payload or NULL if the engine left. */
static char *await_result(client *c, size_t *rlen)
{
    struct termios saved, raw;
    int keys = c->interactive && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (keys) {
        raw = saved;
        raw.c_lflag &= (tcflag_t) ~(ICANON | ISIG | ECHO);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        keys = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    char *reply = NULL;
    int cancelled = 0, shown = 0;
    for (;;) {
        struct pollfd p[2] = {{c->fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        int n = poll(p, keys ? 2 : 1, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        if (keys && (p[1].revents & POLLIN))
            read_keys(c, &cancelled);
        if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        char type = 0;
        size_t len = 0;
        char *frame = NULL;
        if (proto_recv(c->fd, &type, &frame, &len) != 1)
            break;
        if (type == P_PROGRESS) {
            show_progress(frame, len, &shown);
            free(frame);
            continue;
        }
        if (type == P_RESULT) {
            reply = frame;
            *rlen = len;
        } else {
            free(frame);
        }
        break;
    }
    if (shown)
        show_progress("", 0, &shown);
    if (keys)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    return reply;
}

static client_status status_of(char byte)
{
    if (byte == PS_SUCCESS)
        return CR_SUCCESS;
    if (byte == PS_EXIT)
        return CR_EXIT;
    return CR_FAILURE;
}

int client_send_command(client *c, const char *cmd, size_t len, char echo)
{
    /* The engine refuses commands over GR_MAX_LINE bytes anyway; sending
     * only what it needs to see that keeps a giant one a normal failure with
     * a short echo rather than a huge frame. */
    if (len > CLIENT_LINE_KEEP)
        len = CLIENT_LINE_KEEP;
    char *payload = xmalloc(len + 1);
    payload[0] = echo;
    memcpy(payload + 1, cmd, len);
    int rc = proto_send(c->fd, P_CMD, payload, len + 1);
    free(payload);
    return rc;
}

client_status client_command(client *c, const char *cmd, size_t len, char echo, char **errmsg)
{
    if (errmsg)
        *errmsg = NULL;
    if (client_send_command(c, cmd, len, echo) != 0)
        return CR_LOST;
    return client_read_result(c, errmsg);
}

client_status client_read_result(client *c, char **errmsg)
{
    if (errmsg)
        *errmsg = NULL;
    size_t rlen = 0;
    char *reply = await_result(c, &rlen);
    if (!reply || rlen == 0) {
        free(reply);
        return CR_LOST;
    }
    client_status st = status_of(reply[0]);
    if (rlen > 1) {
        fwrite(reply + 1, 1, rlen - 1, stdout);
        /* stderr diagnostics must land after the transcript they refer to. */
        fflush(stdout);
    }
    if (st == CR_FAILURE && errmsg)
        *errmsg = client_error_text(reply + 1, rlen - 1);
    free(reply);
    return st;
}

size_t client_complete(client *c, const char *before, char ***out)
{
    *out = NULL;
    size_t rlen = 0;
    char *reply = request(c, P_COMPLETE, before, strlen(before), P_LIST, &rlen);
    if (!reply)
        return 0;
    size_t n = 0, cap = 0;
    char **v = NULL;
    for (char *line = reply, *end; *line; line = end + (*end != '\0')) {
        end = line + strcspn(line, "\n");
        if (end == line)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            v = xrealloc(v, cap * sizeof *v);
        }
        v[n++] = xstrndup(line, (size_t)(end - line));
    }
    free(reply);
    *out = v;
    return n;
}

char *client_help(client *c, const char *before, size_t *len)
{
    char *reply = request(c, P_HELP, before, strlen(before), P_RESULT, len);
    if (!reply)
        return NULL;
    if (*len == 0) {
        free(reply);
        return NULL;
    }
    /* Drop the status byte: the caller wants only the listing. */
    memmove(reply, reply + 1, *len);
    (*len)--;
    return reply;
}

/* ---- Error Msg extraction ---- */

static const char *find_line_start(const char *s, size_t len, const char *prefix)
{
    size_t pl = strlen(prefix);
    for (size_t i = 0; i + pl <= len; i++) {
        if ((i == 0 || s[i - 1] == '\n' || s[i - 1] == '\r') && memcmp(s + i, prefix, pl) == 0)
            return s + i + pl;
    }
    return NULL;
}

static const char *find_bytes(const char *s, size_t len, const char *needle)
{
    size_t nl = strlen(needle);
    return nl <= len ? memmem(s, len, needle, nl) : NULL;
}

static char *xml_unescape(const char *s, size_t n)
{
    static const struct { const char *ent; char c; } ents[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    strbuf sb = STRBUF_INIT;
    sb_add(&sb, "", 0);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < 5 && (strlen(ents[k].ent) > n - i || memcmp(s + i, ents[k].ent, strlen(ents[k].ent))))
            k++;
        if (k < 5) {
            sb_addc(&sb, ents[k].c);
            i += strlen(ents[k].ent) - 1;
        } else {
            sb_addc(&sb, s[i]);
        }
    }
    return sb_detach(&sb, NULL);
}

/* Decodes the JSON string body at s up to its closing quote. Escapes other
 * than the simple ones are kept literally: this text is only a diagnostic. */
static char *json_unescape(const char *s, const char *end)
{
    strbuf sb = STRBUF_INIT;
    sb_add(&sb, "", 0);
    for (; s < end && *s != '"'; s++) {
        if (*s != '\\' || s + 1 >= end) {
            sb_addc(&sb, *s);
            continue;
        }
        s++;
        switch (*s) {
        case 'n': case 'r': case 't': sb_addc(&sb, ' '); break;
        default: sb_addc(&sb, *s);
        }
    }
    return sb_detach(&sb, NULL);
}

char *client_error_text(const char *rendered, size_t len)
{
    const char *end = rendered + len, *p;
    if ((p = find_line_start(rendered, len, "Error Msg: ")) != NULL)
        return xstrndup(p, strcspn(p, "\r\n"));
    if ((p = find_bytes(rendered, len, "<ErrorMsg>")) != NULL) {
        p += strlen("<ErrorMsg>");
        const char *q = find_bytes(p, (size_t)(end - p), "</ErrorMsg>");
        return q ? xml_unescape(p, (size_t)(q - p)) : NULL;
    }
    if ((p = find_bytes(rendered, len, ",\"errorMsg\":\"")) != NULL)
        return json_unescape(p + strlen(",\"errorMsg\":\""), end);
    return NULL;
}
