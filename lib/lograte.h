/* A log budget: at most `per_sec` lines a second on average, `burst` at once,
 * for lines an unauthenticated peer can cause (issue 10 item 4). Lines over
 * the budget are counted, and the next line that passes is preceded by
 * "<what>: N messages suppressed". */
#ifndef OVM_LOGRATE_H
#define OVM_LOGRATE_H

typedef struct log_rate log_rate;

/* A budget in memory shared with the processes forked after it (the SSH
 * listener's connection processes draw on one budget), or NULL with errno.
 * what names the lines in the suppression message ("ssh: pre-authentication"). */
log_rate *log_rate_new(unsigned per_sec, unsigned burst, const char *what);
void log_rate_free(log_rate *r);

/* log_msg() of lib/log.h when r allows a line (always when r is NULL). */
void log_rate_msg(log_rate *r, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#endif
