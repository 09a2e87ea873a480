#include "lib/log.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lib/fsmode.h"
#include "lib/text.h"
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

/* Logs are 0640 at most (issue 10 item 7): readable by the group that
 * reads logs, never by everyone; an existing looser log is tightened. */
void log_set_file(const char *path)
{
    int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640) : -1;
    FILE *fp = fd >= 0 ? fdopen(fd, "a") : NULL;
    if (fd >= 0 && !fp)
        close(fd);
    pthread_mutex_lock(&log_mu);
    if (log_fp)
        fclose(log_fp);
    log_fp = fp;
    if (log_fp)
        setvbuf(log_fp, NULL, _IOLBF, 0);
    pthread_mutex_unlock(&log_mu);
    if (fp)
        fs_tighten_fd(fd, path, 0640);
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
    char *raw = xvasprintf(fmt, ap);
    va_end(ap);
    /* One line per message, nothing a terminal acts on: peers' texts (client
     * banners, user names, agents' faults) end up in these lines. */
    char *msg = ovm_text_log_escaped(raw);
    free(raw);
    pthread_mutex_lock(&log_mu);
    FILE *fp = log_fp ? log_fp : stderr;
    fprintf(fp, "%s %s[%ld] %s: %s\n", when, log_ident, (long)getpid(), names[level], msg);
    fflush(fp);
    pthread_mutex_unlock(&log_mu);
    free(msg);
}
