/* Small helpers shared by every ovmsh program: checked allocation, strings,
 * identifiers and the contract's time format. */
#ifndef OVM_UTIL_H
#define OVM_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <time.h>

/* Allocation that aborts on exhaustion: callers never see NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new heap string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* ASCII case-insensitive compare; NULL-safe (NULL sorts first). */
int ovm_strcasecmp(const char *a, const char *b);
/* ASCII case-insensitive compare of at most n bytes. */
int ovm_strncasecmp(const char *a, const char *b, size_t n);
/* Levenshtein distance on ASCII-lowercased strings, capped at cap+1. */
int ovm_edit_distance(const char *a, const char *b, int cap);
/* Shell-style match supporting only '*', case-sensitive. */
int ovm_glob_match(const char *pattern, const char *s);
/* 1 if s is valid UTF-8 without C0 controls other than TAB. */
int ovm_utf8_valid(const char *s, size_t len);

/* Milliseconds since the epoch. */
int64_t ovm_now_ms(void);
/* The CLOCK_REALTIME time ms milliseconds from now: the absolute deadline
 * pthread_cond_timedwait takes. */
struct timespec ovm_deadline_ms(int ms);
/* Parses a Manager local time as the CLI takes it: "YYYY-MM-DD HH:MM:SS",
 * "YYYY-MM-DD HH:MM" or Oracle's "MM-dd-yyyy HH:mm". 0 with *out_ms, or -1. */
int ovm_parse_local_time(const char *s, int64_t *out_ms);
/* How error messages name the forms ovm_parse_local_time takes. */
#define OVM_LOCAL_TIME_FORMS "MM-dd-yyyy HH:mm or YYYY-MM-DD HH:MM[:SS]"
/* Formats t_ms as "YYYY-MM-DD HH:MM:SS,mmm TZ" in local time (doc/command-language.md §7.2). */
void ovm_time_header(int64_t t_ms, char *buf, size_t len);

/* New object id: "0004fb00" + 4-hex type code + "0000" + 16 random hex + suffix
 * (doc/command-language.md §9); the random part comes from getrandom(2). */
void ovm_new_id(const char *type_code, const char *suffix, char *buf, size_t len);
/* Random hex string of n characters (n < len). */
void ovm_random_hex(char *buf, size_t n);
/* Dashed 8-4-4-4-12 form of a 32-hex id (suffix ignored). */
void ovm_dashed_id(const char *id, char *buf, size_t len);
/* Unique 13-digit millisecond id: now, or last+1 on collision. Thread-safe. */
int64_t ovm_unique_ms_id(void);

/* Read a whole file (NUL-terminated); NULL with errno on failure. */
char *ovm_read_file(const char *path, size_t *len);
/* Write a file atomically (temp + rename) with the given mode. 0 or -1. */
int ovm_write_file_atomic(const char *path, const void *buf, size_t len, int mode);
/* mkdir -p with mode. 0 or -1. */
int ovm_mkdir_p(const char *path, int mode);
/* path made absolute against the current directory, with "." components
 * and repeated slashes dropped (heap); NULL with errno when the current
 * directory cannot be read. Symbolic links are kept: a daemon resolves its
 * relative command-line paths once, before it detaches. */
char *ovm_abs_path(const char *path);
#endif
