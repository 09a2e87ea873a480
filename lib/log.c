#include "lib/log.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lib/util.h"
#include <stdlib.h>

/* Process-wide logging configuration: set once at start-up, before threads. */
static int log_level = LOG_INFO_;
static FILE *log_fp;
static char log_ident[32] = "ovm";
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

void log_set_level(int level)
{
    log_level = level;
}

void log_set_ident(const char *ident)
{
    snprintf(log_ident, sizeof log_ident, "%s", ident);
}

void log_set_file(const char *path)
{
    FILE *fp = path ? fopen(path, "ae") : NULL;
    pthread_mutex_lock(&log_mu);
    if (log_fp)
        fclose(log_fp);
    log_fp = fp;
    if (log_fp)
        setvbuf(log_fp, NULL, _IOLBF, 0);
    pthread_mutex_unlock(&log_mu);
}

void log_msg(int level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    if (level > log_level)
        return;
    char when[64];
    ovm_time_header(ovm_now_ms(), when, sizeof when);
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&log_mu);
    FILE *fp = log_fp ? log_fp : stderr;
    fprintf(fp, "%s %s[%ld] %s: %s\n", when, log_ident, (long)getpid(), names[level], msg);
    fflush(fp);
    pthread_mutex_unlock(&log_mu);
    free(msg);
}
