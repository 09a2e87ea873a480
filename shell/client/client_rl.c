/* Interactive ovmsh on a terminal: GNU readline with the `OVM> ` prompt,
 * history, TAB completion and `?` help served by the engine (doc/command-language.md
 * §1.2, §11.3). */
#include "shell/client/client.h"
#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <readline/readline.h>
#include <readline/history.h>
#include "grammar/grammar.h"
#include "lib/util.h"

#define PROMPT "OVM> "

/* Readline's callbacks take no context argument, so the session they serve
 * has to live here; only this file sees it. */
static client *rl_session;
static volatile sig_atomic_t got_sigint;

/* 1 if the text s[0..n) ends inside a quoted value. */
static int inside_quotes(const char *s, size_t n)
{
    char *before = xstrndup(s, n);
    gr_cursor cur;
    gr_scan_cursor(before, &cur);
    free(before);
    return cur.open_quote;
}

/* Offset where the token under the cursor at the end of s starts. */
static size_t token_start(const char *s)
{
    gr_cursor cur;
    gr_scan_cursor(s, &cur);
    return cur.tok;
}

static int help_key(int count, int key)
{
    if (inside_quotes(rl_line_buffer, (size_t)rl_point))
        return rl_insert_text("?") >= 0 ? 0 : 1;
    char *before = xstrndup(rl_line_buffer, (size_t)rl_point);
    size_t len = 0;
    char *listing = client_help(rl_session, before, &len);
    free(before);
    rl_crlf();
    if (listing)
        fwrite(listing, 1, len, rl_outstream ? rl_outstream : stdout);
    else
        fputs("ovmsh: no help from the engine\r\n", stderr);
    free(listing);
    fflush(rl_outstream ? rl_outstream : stdout);
    rl_on_new_line();
    rl_redisplay();
    return 0;
}

static int prefix_icase(const char *s, const char *prefix, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!s[i] || tolower((unsigned char)s[i]) != tolower((unsigned char)prefix[i]))
            return 0;
    return 1;
}

/* Longest common prefix of v[0..n), at least as long as typed. */
static char *common_prefix(char **v, size_t n, const char *typed)
{
    size_t l = strlen(v[0]);
    for (size_t i = 1; i < n; i++) {
        size_t k = 0;
        while (k < l && v[i][k] == v[0][k])
            k++;
        l = k;
    }
    return l < strlen(typed) ? xstrdup(typed) : xstrndup(v[0], l);
}

/* Keeps candidates that extend the typed token and cuts off the part before
 * readline's word start (it splits "name=\"My VM\"" at the blank). */
static size_t filter_candidates(char **cands, size_t n, const char *token, size_t toklen, size_t cut)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (prefix_icase(cands[i], token, toklen) && strlen(cands[i]) >= cut) {
            char *s = xstrdup(cands[i] + cut);
            free(cands[i]);
            cands[kept++] = s;
        } else {
            free(cands[i]);
        }
    }
    return kept;
}

static char **attempt_completion(const char *text, int start, int end)
{
    rl_attempted_completion_over = 1;
    char *before = xstrndup(rl_line_buffer, (size_t)end);
    size_t tok = token_start(before);
    size_t cut = (size_t)start > tok ? (size_t)start - tok : 0;
    char **cands = NULL;
    size_t n = client_complete(rl_session, before, &cands);
    n = filter_candidates(cands, n, before + tok, (size_t)end - tok, cut);
    free(before);
    if (n == 0) {
        free(cands);
        return NULL;
    }
    char **m = xcalloc(n + 2, sizeof *m);
    m[0] = n == 1 ? xstrdup(cands[0]) : common_prefix(cands, n, text);
    for (size_t i = 0; n > 1 && i < n; i++)
        m[i + 1] = cands[i];
    if (n == 1)
        free(cands[0]);
    free(cands);
    size_t l0 = strlen(m[0]);
    /* "name=" and friends want their value right after the '='. */
    rl_completion_suppress_append = n == 1 && l0 && m[0][l0 - 1] == '=';
    return m;
}

static void on_sigint(int sig)
{
    got_sigint = 1;
}

/* Ctrl-C discards the line being typed (§1.2). */
static int signal_hook(void)
{
    if (!got_sigint)
        return 0;
    got_sigint = 0;
    rl_replace_line("", 0);
    rl_crlf();
    rl_on_new_line();
    rl_redisplay();
    return 0;
}

static char *history_path(void)
{
    const char *home = getenv("HOME");
    return home && *home ? xasprintf("%s/.ovmsh_history", home) : NULL;
}

static void setup_readline(void)
{
    static char breaks[] = " \t;";
    rl_readline_name = "ovmsh";
    rl_attempted_completion_function = attempt_completion;
    rl_completer_word_break_characters = breaks;
    rl_completer_quote_characters = NULL;
    rl_signal_event_hook = signal_hook;
    rl_bind_key('?', help_key);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL); /* no SA_RESTART: readline must see EINTR */
    using_history();
    stifle_history(1000);
}

/* Runs one typed line; the first command is not echoed (the terminal shows
 * it already), later ones are (§1.2). */
static client_status run_typed(client *c, const char *line)
{
    char **segs = NULL;
    size_t *lens = NULL;
    size_t n = client_split(line, strlen(line), &segs, &lens);
    client_status st = CR_SUCCESS;
    for (size_t i = 0; i < n && st != CR_EXIT && st != CR_LOST; i++)
        st = client_command(c, segs[i], lens[i], i == 0 ? 'N' : 'E', NULL);
    gr_free_strv(segs, n);
    free(lens);
    return st;
}

static void stuff_key(int ch)
{
    rl_stuff_char(ch);
}

int client_run_interactive(client *c)
{
    rl_session = c;
    c->typeahead = stuff_key;
    setup_readline();
    char *hist = history_path();
    if (hist)
        read_history(hist); /* a missing file is normal */
    client_status st = CR_SUCCESS;
    for (;;) {
        got_sigint = 0;
        char *line = readline(PROMPT);
        if (!line)
            break; /* Ctrl-D on an empty line ends the session silently */
        if (*line)
            add_history(line);
        st = run_typed(c, line);
        free(line);
        if (st == CR_EXIT || st == CR_LOST)
            break;
    }
    if (hist)
        write_history(hist);
    free(hist);
    rl_session = NULL;
    if (st == CR_LOST) {
        fprintf(stderr, "ovmsh: lost the connection to the engine\n");
        return OVMSH_NO_ENGINE;
    }
    return OVMSH_OK;
}
