/* Lexical rules of doc/command-language.md §3. Columns in messages are 1-based byte
 * positions within the command as typed (trimmed), the text that the
 * "Command:" line repeats. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "grammar/internal.h"
#include "lib/strbuf.h"
#include "lib/text.h"
#include "lib/util.h"

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static int is_quote(char ch)
{
    return ch == '"' || ch == '\'';
}

/* doc/command-language.md §3 item 8: the refused code points are those of
 * lib/text.c's table; the classes users already knew keep their texts. */
int gr_check_line(const char *line, size_t len, char **err)
{
    ovm_text_bad bad;
    if (len > GR_MAX_LINE) {
        *err = xasprintf("Syntax error: line is longer than %d bytes", GR_MAX_LINE);
        return -1;
    }
    if (ovm_text_check(line, len, &bad) == 0)
        return 0;
    if (ovm_text_class_shows_cp(bad.cls))
        *err = xasprintf("Syntax error: %s U+%04X at column %zu", ovm_text_class_name(bad.cls), (unsigned)bad.cp,
                         bad.off + 1);
    else
        *err = xasprintf("Syntax error: %s at column %zu", ovm_text_class_name(bad.cls), bad.off + 1);
    return -1;
}

/* Scans the quoted value whose opening quote is at s[q]. Appends the
 * unescaped text to sb and returns the index after the closing quote, or 0
 * when the quote is unterminated. */
static size_t scan_quoted(const char *s, size_t q, strbuf *sb)
{
    char open = s[q];
    for (size_t i = q + 1; s[i]; i++) {
        if (s[i] == '/' && is_quote(s[i + 1])) {
            sb_addc(sb, s[i + 1]);
            i++;
        } else if (s[i] == open) {
            return i + 1;
        } else {
            sb_addc(sb, s[i]);
        }
    }
    return 0;
}

/* Index just past the token starting at s[i], honouring quotes; stops at a
 * blank, at the end, or (when semi) at ';'. Sets *unterminated when a quote
 * never closes (the token then runs to the end). */
static size_t token_end(const char *s, size_t i, int semi, int *unterminated)
{
    int seen_eq = 0;
    *unterminated = 0;
    while (s[i] && !is_blank(s[i]) && !(semi && s[i] == ';')) {
        if (s[i] == '=' && !seen_eq) {
            seen_eq = 1;
            if (is_quote(s[i + 1])) {
                strbuf sb = STRBUF_INIT;
                size_t e = scan_quoted(s, i + 1, &sb);
                sb_free(&sb);
                if (!e) {
                    *unterminated = 1;
                    return strlen(s);
                }
                i = e;
                continue;
            }
        }
        i++;
    }
    return i;
}

static char *trimmed(const char *s, size_t a, size_t b)
{
    while (a < b && (is_blank(s[a]) || s[a] == '\r' || s[a] == '\n'))
        a++;
    while (b > a && (is_blank(s[b - 1]) || s[b - 1] == '\r' || s[b - 1] == '\n'))
        b--;
    return a < b ? xstrndup(s + a, b - a) : NULL;
}

size_t gr_split_commands(const char *line, char ***out)
{
    gr_lines l = {0};
    size_t start = 0, i = 0;
    for (;;) {
        while (is_blank(line[i]))
            i++;
        if (line[i] == ';' || !line[i]) {
            char *seg = trimmed(line, start, i);
            if (seg)
                gr_lines_add(&l, seg);
            if (!line[i])
                break;
            start = ++i;
            continue;
        }
        int unterminated;
        i = token_end(line, i, 1, &unterminated);
    }
    *out = l.v;
    return l.n;
}

void gr_scan_cursor(const char *s, gr_cursor *out)
{
    size_t i = 0;
    memset(out, 0, sizeof *out);
    for (;;) {
        while (is_blank(s[i]))
            i++;
        out->tok = i;
        if (!s[i])
            return;
        if (s[i] == ';') {
            out->seg = ++i;
            continue;
        }
        int unterminated;
        i = token_end(s, i, 1, &unterminated);
        if (!s[i]) {
            out->open_quote = unterminated;
            return;
        }
    }
}

void gr_free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static gr_token *push_token(gr_tokens *t)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->v = xrealloc(t->v, t->cap * sizeof *t->v);
    }
    gr_token *tok = &t->v[t->n++];
    memset(tok, 0, sizeof *tok);
    return tok;
}

/* Lexes one token starting at s[i]; returns the index after it or 0 with *err. */
static size_t lex_token(const char *s, size_t i, gr_tokens *t, char **err)
{
    gr_token *tok = push_token(t);
    strbuf sb = STRBUF_INIT;
    size_t key_end = 0;
    int has_key = 0;
    tok->off = i;
    while (s[i] && !is_blank(s[i])) {
        if (s[i] == ';') {
            *err = xasprintf("Syntax error: unexpected ';' at column %zu", i + 1);
            goto fail;
        }
        if (s[i] == '=' && !has_key) {
            has_key = 1;
            key_end = sb.len;
            sb_addc(&sb, '=');
            tok->voff = i + 1;
            if (is_quote(s[i + 1])) {
                size_t e = scan_quoted(s, i + 1, &sb);
                if (!e) {
                    *err = xasprintf("Syntax error: unterminated quote at column %zu", i + 2);
                    goto fail;
                }
                if (s[e] && !is_blank(s[e])) {
                    *err = xasprintf("Syntax error: text after closing quote at column %zu",
                                     e + 1);
                    goto fail;
                }
                tok->quoted = 1;
                tok->voff = i + 2;
                i = e;
                continue;
            }
        } else {
            sb_addc(&sb, s[i]);
        }
        i++;
    }
    tok->text = sb_detach(&sb, NULL);
    if (has_key) {
        tok->key = xstrndup(tok->text, key_end);
        tok->value = xstrdup(tok->text + key_end + 1);
    }
    return i;
fail:
    sb_free(&sb);
    t->n--;
    return 0;
}

int gr_lex(const char *cmd, gr_tokens *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (gr_check_line(cmd, strlen(cmd), err) != 0)
        return -1;
    for (size_t i = 0;;) {
        while (is_blank(cmd[i]))
            i++;
        if (!cmd[i])
            return 0;
        i = lex_token(cmd, i, out, err);
        if (!i) {
            gr_tokens_free(out);
            return -1;
        }
    }
}

void gr_tokens_free(gr_tokens *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].text);
        free(t->v[i].key);
        free(t->v[i].value);
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}

void gr_lines_add(gr_lines *l, char *line)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = line;
}

void gr_lines_addf(gr_lines *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gr_lines_add(l, xvasprintf(fmt, ap));
    va_end(ap);
}
