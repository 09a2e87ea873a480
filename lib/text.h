/* Text that cannot attack a terminal or a parser (doc/command-language.md §3
 * item 8): one table of the code points ovmsh refuses in what users type and
 * replaces in what agents send, and the escaping of log lines. */
#ifndef OVM_TEXT_H
#define OVM_TEXT_H
#include <stddef.h>
#include <stdint.h>

/* Why a code point (or byte) is refused. OVM_TEXT_OK is 0. */
typedef enum ovm_text_class {
    OVM_TEXT_OK = 0,
    OVM_TEXT_NUL,        /* U+0000 */
    OVM_TEXT_CONTROL,    /* C0 controls (TAB excepted) and DEL */
    OVM_TEXT_BAD_UTF8,   /* a byte that starts no valid UTF-8 sequence */
    OVM_TEXT_C1,         /* U+0080-U+009F */
    OVM_TEXT_NONCHAR,    /* U+FDD0-U+FDEF and U+xxFFFE/U+xxFFFF */
    OVM_TEXT_BIDI,       /* bidirectional formatting controls */
    OVM_TEXT_INVISIBLE,  /* zero-width and invisible characters */
    OVM_TEXT_LINESEP,    /* U+2028, U+2029 */
} ovm_text_class;

/* The first refused code point of a text. */
typedef struct ovm_text_bad {
    ovm_text_class cls;
    size_t off;          /* byte offset, 0-based */
    uint32_t cp;         /* the code point (the byte for NUL, CONTROL, BAD_UTF8) */
} ovm_text_bad;

/* Decodes the UTF-8 sequence at s (at most n bytes, n >= 1): its length with
 * *cp, or 0 if it is not valid UTF-8 (overlong, surrogate, > U+10FFFF, cut). */
size_t ovm_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* The class of a code point; TAB is OVM_TEXT_OK. */
ovm_text_class ovm_text_class_of(uint32_t cp);

/* Human words for a class ("bidirectional control"), for messages. */
const char *ovm_text_class_name(ovm_text_class cls);
/* 1 if messages name the code point of this class (U+XXXX). */
int ovm_text_class_shows_cp(ovm_text_class cls);

/* 0 if the len bytes at s hold nothing refused; else -1 with *bad set. */
int ovm_text_check(const char *s, size_t len, ovm_text_bad *bad);

/* ovm_text_sanitize() keeps LF and CR (TAB is always kept). */
enum { OVM_TEXT_KEEP_NEWLINES = 1 };

/* A copy of the len bytes at s (heap, NUL-terminated) in which every refused
 * code point, and every byte of invalid UTF-8, is replaced by repl (e.g.
 * "\xef\xbf\xbd" for U+FFFD, or "?"). keep: 0 or OVM_TEXT_KEEP_NEWLINES. */
char *ovm_text_sanitize(const char *s, size_t len, const char *repl, unsigned keep);
/* ovm_text_sanitize() of a NUL-terminated string with U+FFFD, keeping TAB
 * and newlines: for text that agents send (NULL stays NULL). */
char *ovm_text_from_peer(const char *s);

/* Escapes for one log line, into out (always NUL-terminated, cut at outlen):
 * C0 controls, DEL, invalid UTF-8 and every refused code point become \xNN
 * per byte; printable UTF-8 stays. */
void ovm_text_log_escape(const char *s, size_t len, char *out, size_t outlen);
/* The same into a new heap string. */
char *ovm_text_log_escaped(const char *s);
#endif
