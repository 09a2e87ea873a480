/* Growable byte buffer; always NUL-terminated. */
#ifndef OVM_STRBUF_H
#define OVM_STRBUF_H
#include <stddef.h>
#include <stdarg.h>

typedef struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
} strbuf;

#define STRBUF_INIT {NULL, 0, 0}
void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_reset(strbuf *sb);
void sb_grow(strbuf *sb, size_t extra);
void sb_add(strbuf *sb, const void *data, size_t len);
void sb_adds(strbuf *sb, const char *s);
void sb_addc(strbuf *sb, char c);
void sb_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(strbuf *sb, const char *fmt, va_list ap);
/* Appends s with XML escaping (& < > " '). */
void sb_add_xml(strbuf *sb, const char *s);
/* Appends s as a JSON string literal including the quotes. */
void sb_add_json(strbuf *sb, const char *s);
/* Detaches the buffer: the caller owns the returned string, sb is reset. */
char *sb_detach(strbuf *sb, size_t *len);
#endif
