/* Non-interactive sessions: `ovmsh -c "cmd1; cmd2"` (doc/command-language.md §1.3) and
 * piped batch input (§1.4). stdout carries exactly the transcript the SSH
 * front end would print; diagnostics go to stderr. */
#include "shell/client/client.h"
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "grammar/grammar.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* A byte absent from buf that gr_split_commands treats as an ordinary
 * character, to stand in for NUL while splitting. */
static unsigned char pick_sentinel(const char *buf, size_t len)
{
    unsigned char seen[256] = {0};
    for (size_t i = 0; i < len; i++)
        seen[(unsigned char)buf[i]] = 1;
    for (int c = 0xff; c >= 0x80; c--)
        if (!seen[c])
            return (unsigned char)c;
    for (int c = 1; c < 0x20; c++)
        if (!seen[c] && c != '\t' && c != '\n' && c != '\r')
            return (unsigned char)c;
    return 0xff; /* every byte value present: NULs become 0xff (lossy) */
}

static void replace_byte(char *s, size_t len, char from, char to)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == from)
            s[i] = to;
}

static size_t overlong_segment(const char *buf, char ***segs, size_t **lens)
{
    *segs = xcalloc(1, sizeof **segs);
    *lens = xcalloc(1, sizeof **lens);
    (*segs)[0] = xmalloc(CLIENT_LINE_KEEP + 1);
    memcpy((*segs)[0], buf, CLIENT_LINE_KEEP);
    (*segs)[0][CLIENT_LINE_KEEP] = '\0';
    (*lens)[0] = CLIENT_LINE_KEEP;
    return 1;
}

size_t client_split(const char *buf, size_t len, char ***segs, size_t **lens)
{
    if (len > GR_MAX_LINE)
        return overlong_segment(buf, segs, lens);
    int has_nul = memchr(buf, '\0', len) != NULL;
    char sentinel = has_nul ? (char)pick_sentinel(buf, len) : '\0';
    char *copy = xmalloc(len + 1);
    memcpy(copy, buf, len);
    copy[len] = '\0';
    if (has_nul)
        replace_byte(copy, len, '\0', sentinel);
    size_t n = gr_split_commands(copy, segs);
    free(copy);
    *lens = xcalloc(n ? n : 1, sizeof **lens);
    for (size_t i = 0; i < n; i++) {
        (*lens)[i] = strlen((*segs)[i]);
        if (has_nul)
            replace_byte((*segs)[i], (*lens)[i], sentinel, '\0');
    }
    return n;
}

/* 1 when the session goes no further after a command with status st. */
static int ends_batch(const client *c, client_status st)
{
    return st == CR_EXIT || st == CR_LOST || (st == CR_FAILURE && c->stop_on_error);
}

/* The stderr diagnostic of a failed command of input line lineno. */
static void report_failure(size_t lineno, const char *err)
{
    fprintf(stderr, "ovmsh: line %zu: %s\n", lineno, err ? err : "command failed");
}

/* Runs the commands of one input line. Returns CR_SUCCESS, CR_FAILURE (some
 * command failed), CR_EXIT or CR_LOST. lineno 0 means "no line numbers". */
static client_status run_line(client *c, const char *line, size_t len, size_t lineno)
{
    char **segs = NULL;
    size_t *lens = NULL;
    size_t n = client_split(line, len, &segs, &lens);
    client_status worst = CR_SUCCESS;
    for (size_t i = 0; i < n; i++) {
        char *err = NULL;
        client_status st = client_command(c, segs[i], lens[i], 'E', &err);
        if (st == CR_FAILURE) {
            worst = CR_FAILURE;
            if (lineno)
                report_failure(lineno, err);
        }
        free(err);
        if (ends_batch(c, st)) {
            worst = st == CR_FAILURE ? CR_FAILURE : st;
            break;
        }
    }
    gr_free_strv(segs, n);
    free(lens);
    return worst;
}

static int lost_engine(void)
{
    fflush(stdout);
    fprintf(stderr, "ovmsh: lost the connection to the engine\n");
    return OVMSH_NO_ENGINE;
}

int client_run_exec(client *c, const char *commands)
{
    client_status st = run_line(c, commands, strlen(commands), 0);
    if (st == CR_LOST)
        return lost_engine();
    return st == CR_FAILURE ? OVMSH_FAILED : OVMSH_OK;
}

static int blank_or_comment(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i == len || s[i] == '#';
}

/* Reads one physical line into out (without its LF), keeping at most
 * CLIENT_LINE_KEEP bytes in all: the rest of an over-long line is read and
 * dropped, so no input makes the session grow. 1 on a line, 0 at EOF. */
static int read_physical(FILE *in, strbuf *out)
{
    int ch, any = 0;
    while ((ch = getc_unlocked(in)) != EOF) {
        any = 1;
        if (ch == '\n')
            return 1;
        if (out->len < CLIENT_LINE_KEEP)
            sb_addc(out, (char)ch);
    }
    return any;
}

static void set_len(strbuf *sb, size_t len)
{
    sb->len = len;
    sb->buf[len] = '\0';
}

/* Reads one logical line into out: joins lines ending in "<blank>\" and skips
 * blank and comment lines (only where a logical line could start, as in sh).
 * *lineno counts physical lines; *first gets the number of the first one.
 * Returns 1 on a line, 0 at end of input. */
static int read_logical(FILE *in, strbuf *out, size_t *lineno, size_t *first)
{
    int continuing = 0;
    sb_reset(out);
    sb_grow(out, 0); /* out->buf is never NULL below */
    for (;;) {
        size_t start = out->len;
        if (!read_physical(in, out))
            return continuing;
        (*lineno)++;
        size_t n = out->len - start;
        const char *p = out->buf + start;
        if (n && p[n - 1] == '\r')
            n--;
        if (!continuing && blank_or_comment(p, n)) {
            set_len(out, start);
            continue;
        }
        if (!continuing)
            *first = *lineno;
        continuing = n >= 2 && p[n - 1] == '\\' && (p[n - 2] == ' ' || p[n - 2] == '\t');
        set_len(out, start + (continuing ? n - 1 : n));
        if (!continuing)
            return 1;
    }
}

static int run_batch_serial(client *c, FILE *in)
{
    strbuf line = STRBUF_INIT;
    size_t lineno = 0, first = 0;
    int failed = 0;
    client_status st = CR_SUCCESS;
    while (read_logical(in, &line, &lineno, &first)) {
        st = run_line(c, line.buf, line.len, first);
        if (st == CR_FAILURE)
            failed = 1;
        if (ends_batch(c, st))
            break;
    }
    sb_free(&line);
    if (st == CR_LOST)
        return lost_engine();
    return failed ? OVMSH_FAILED : OVMSH_OK;
}

/* ---- pipelined batch (c->pipeline, ovmsh's own batch mode) ----
 * Commands are sent ahead of the replies to earlier ones, so that the engine
 * runs a batch back to back instead of waiting for the client between
 * commands. The engine ends the session after an exit, and after a failure
 * under --stop-on-error (the hello says so), so nothing sent after that point
 * runs; the output is the serial batch's, byte for byte. The window keeps the
 * unanswered bytes far below a socket buffer, so that a send never blocks
 * while the engine is blocked sending a large reply. Input is read ahead only
 * while it is already there: a program that writes the next line only after
 * it has read the last result is answered, not waited for. */
#define PIPE_MAX_CMDS 32
#define PIPE_MAX_BYTES (16u * 1024u)

typedef struct in_flight {
    size_t lineno[PIPE_MAX_CMDS]; /* ring: line of each unanswered command */
    size_t len[PIPE_MAX_CMDS];
    size_t head, n, bytes;
} in_flight;

static int window_has_room(const in_flight *w, size_t len)
{
    return w->n == 0 || (w->n < PIPE_MAX_CMDS && w->bytes + len <= PIPE_MAX_BYTES);
}

/* 1 when reading the next line cannot wait for the writer: bytes are in the
 * stdio buffer (glibc's FILE fields) or readable, or the input has ended. */
static int input_ready(FILE *in)
{
    if (in->_IO_read_ptr < in->_IO_read_end)
        return 1;
    struct pollfd p = {fileno(in), POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}

/* Reads the oldest reply and prints it (and its diagnostic). */
static client_status read_oldest(client *c, in_flight *w)
{
    char *err = NULL;
    client_status st = client_read_result(c, &err);
    size_t lineno = w->lineno[w->head];
    w->bytes -= w->len[w->head];
    w->head = (w->head + 1) % PIPE_MAX_CMDS;
    w->n--;
    if (st == CR_FAILURE)
        report_failure(lineno, err);
    free(err);
    return st;
}

typedef struct batch_input {
    FILE *in;
    strbuf line;
    size_t lineno, first;
    char **segs;
    size_t *lens, nseg, next;
    int eof;
} batch_input;

static void next_line(batch_input *b)
{
    gr_free_strv(b->segs, b->nseg);
    free(b->lens);
    b->segs = NULL;
    b->lens = NULL;
    b->nseg = b->next = 0;
    if (!read_logical(b->in, &b->line, &b->lineno, &b->first))
        b->eof = 1;
    else
        b->nseg = client_split(b->line.buf, b->line.len, &b->segs, &b->lens);
}

static int run_batch_pipelined(client *c, FILE *in)
{
    batch_input b = {.in = in, .line = STRBUF_INIT};
    in_flight w = {0};
    client_status st = CR_SUCCESS;
    int failed = 0, unsendable = 0;
    for (;;) {
        if (unsendable && w.n == 0) {
            st = CR_LOST;
            break;
        }
        if (!unsendable && b.next == b.nseg && !b.eof && (w.n == 0 || input_ready(in))) {
            next_line(&b);
        } else if (!unsendable && b.next < b.nseg && window_has_room(&w, b.lens[b.next])) {
            /* A send refused after the engine ended the session: the replies
             * already sent say why (an exit, a failure, the engine gone). */
            if (client_send_command(c, b.segs[b.next], b.lens[b.next], 'E') != 0) {
                unsendable = 1;
                continue;
            }
            size_t slot = (w.head + w.n++) % PIPE_MAX_CMDS;
            w.lineno[slot] = b.first;
            w.len[slot] = b.lens[b.next];
            w.bytes += b.lens[b.next++];
        } else if (w.n > 0) {
            st = read_oldest(c, &w);
            failed |= st == CR_FAILURE;
            if (ends_batch(c, st))
                break;
        } else if (b.eof) {
            break;
        }
    }
    gr_free_strv(b.segs, b.nseg);
    free(b.lens);
    sb_free(&b.line);
    if (st == CR_LOST)
        return lost_engine();
    return failed ? OVMSH_FAILED : OVMSH_OK;
}

int client_run_batch(client *c, FILE *in)
{
    return c->pipeline ? run_batch_pipelined(c, in) : run_batch_serial(c, in);
}
