/* The outcome of one command, independent of output mode; render.c turns it
 * into the bytes of doc/command-language.md §7 (Verbose, Sparse, Xml) or our Json. */
#ifndef OVM_RESULT_H
#define OVM_RESULT_H
#include <stddef.h>
#include <stdint.h>

typedef enum { RD_NONE, RD_LIST, RD_SHOW, RD_TEXT } rdata_kind;
typedef enum { OM_VERBOSE, OM_SPARSE, OM_XML, OM_JSON } output_mode;

typedef struct rpair {
    char *a;   /* RD_LIST: id;    RD_SHOW: label; RD_TEXT: line (indent removed) */
    char *b;   /* RD_LIST: name;  RD_SHOW: value; RD_TEXT: NULL */
} rpair;

typedef struct result {
    char *command;       /* the command as typed, trimmed */
    int ok;              /* Success / Failure */
    int64_t time_ms;     /* when the result was produced */
    char jobid[24];      /* "" when no job was created */
    char *errmsg;        /* Failure: one line */
    rdata_kind kind;     /* Success with data: RD_LIST, RD_SHOW, RD_TEXT; else RD_NONE */
    int has_data;        /* print "Data:" even when there are no items (empty list) */
    rpair *items;        /* their strings live in chunks, freed together */
    size_t n, cap;
    struct rchunk *chunks;
    int plain;           /* help, showversion: plain lines, no header, in every mode */
} result;

void result_init(result *r, const char *command);
void result_free(result *r);
/* Sets Failure with a formatted one-line message (newlines become spaces). */
void result_fail(result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Marks r as a list result, so an empty list still prints "Data: ". */
void result_list_begin(result *r);
void result_list_add(result *r, const char *id, const char *name);
void result_show_add(result *r, const char *label, const char *value);
void result_text_add(result *r, const char *line);

/* Renders r in mode with eol ("\r\n", "\r" or "\n"). alphabetize sorts show
 * labels case-insensitively, keeping indexed labels in index order. Returns a
 * heap buffer; *len gets its length. */
char *render_result(const result *r, output_mode mode, const char *eol, int alphabetize, size_t *len);
/* The same bytes appended to *sb. */
struct strbuf;
void render_result_into(struct strbuf *sb, const result *r, output_mode mode, const char *eol, int alphabetize);
#endif
