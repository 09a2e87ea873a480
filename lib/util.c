#include "lib/util.h"
#include "lib/strbuf.h"
#include "lib/text.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
    fputs("ovmsh: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0)
        oom();
    char *p = xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

int ovm_strcasecmp(const char *a, const char *b)
{
    if (!a || !b)
        return a ? 1 : (b ? -1 : 0);
    for (;; a++, b++) {
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
        if (ca != cb || !ca)
            return ca - cb;
    }
}

int ovm_edit_distance(const char *a, const char *b, int cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return cap + 1;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0], best;
        row[0] = (int)i;
        best = row[0];
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int v = prev + cost;
            if (row[j] + 1 < v)
                v = row[j] + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            prev = cur;
            if (v < best)
                best = v;
        }
        if (best > cap)
            return cap + 1;
    }
    return row[lb] > cap ? cap + 1 : row[lb];
}

int ovm_glob_match(const char *p, const char *s)
{
    const char *star = NULL, *ss = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            ss = s;
        } else if (*p == *s) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++ss;
        } else {
            return 0;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

int ovm_utf8_valid(const char *str, size_t len)
{
    for (size_t i = 0, n; i < len; i += n) {
        uint32_t cp;
        n = ovm_utf8_decode(str + i, len - i, &cp);
        if (n == 0 || (cp < 0x20 && cp != '\t') || cp == 0x7f)
            return 0;
    }
    return 1;
}

int64_t ovm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct timespec ovm_deadline_ms(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

void ovm_time_header(int64_t t_ms, char *buf, size_t len)
{
    time_t t = (time_t)(t_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    char date[32], zone[32];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
    strftime(zone, sizeof zone, "%Z", &tm);
    if (!zone[0] || zone[0] == '+' || zone[0] == '-') {
        long off = tm.tm_gmtoff;
        char sign = off < 0 ? '-' : '+';
        if (off < 0)
            off = -off;
        snprintf(zone, sizeof zone, "GMT%c%02ld:%02ld", sign, off / 3600, (off % 3600) / 60);
    }
    snprintf(buf, len, "%s,%03d %s", date, (int)(t_ms % 1000), zone);
}

void ovm_random_hex(char *buf, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[64];
    size_t done = 0;
    while (done < n) {
        size_t want = (n - done + 1) / 2;
        if (want > sizeof raw)
            want = sizeof raw;
        ssize_t got = getrandom(raw, want, 0);
        if (got <= 0) {
            if (errno == EINTR)
                continue;
            abort();
        }
        for (ssize_t i = 0; i < got && done < n; i++) {
            buf[done++] = hex[raw[i] >> 4];
            if (done < n)
                buf[done++] = hex[raw[i] & 15];
        }
    }
    buf[n] = '\0';
}

void ovm_new_id(const char *type_code, const char *suffix, char *buf, size_t len)
{
    char rnd[17];
    ovm_random_hex(rnd, 16);
    snprintf(buf, len, "0004fb00%s0000%s%s", type_code, rnd, suffix ? suffix : "");
}

void ovm_dashed_id(const char *id, char *buf, size_t len)
{
    snprintf(buf, len, "%.8s-%.4s-%.4s-%.4s-%.12s", id, id + 8, id + 12, id + 16, id + 20);
}

int64_t ovm_unique_ms_id(void)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static int64_t last;
    pthread_mutex_lock(&mu);
    int64_t id = ovm_now_ms();
    if (id <= last)
        id = last + 1;
    last = id;
    pthread_mutex_unlock(&mu);
    return id;
}

char *ovm_read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap)
            buf = xrealloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int ovm_write_file_atomic(const char *path, const void *buf, size_t len, int mode)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    const char *p = buf;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        fd = -1;
        goto fail;
    }
    free(tmp);
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    return -1;
}

int ovm_mkdir_p(const char *path, int mode)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
                free(p);
                return -1;
            }
            *s = '/';
        }
    }
    int rc = mkdir(p, (mode_t)mode);
    free(p);
    return (rc == 0 || errno == EEXIST) ? 0 : -1;
}

/* Appends path's components to sb, skipping empty and "." ones. */
static void add_components(strbuf *sb, const char *path)
{
    const char *p = path;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n && !(n == 1 && p[0] == '.')) {
            if (!sb->len || sb->buf[sb->len - 1] != '/')
                sb_addc(sb, '/');
            sb_add(sb, p, n);
        }
        p += n;
        p += strspn(p, "/");
    }
}

char *ovm_abs_path(const char *path)
{
    strbuf sb = STRBUF_INIT;
    if (path[0] != '/') {
        char *cwd = getcwd(NULL, 0);
        if (!cwd)
            return NULL;
        add_components(&sb, cwd);
        free(cwd);
    }
    add_components(&sb, path);
    if (!sb.len)
        sb_addc(&sb, '/');
    return sb_detach(&sb, NULL);
}

int ovm_strncasecmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = tolower((unsigned char)a[i]), cb = tolower((unsigned char)b[i]);
        if (ca != cb || !ca)
            return ca - cb;
    }
    return 0;
}

int ovm_parse_local_time(const char *s, int64_t *out_ms)
{
    static const char *const formats[] = {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m-%d-%Y %H:%M"};
    for (size_t i = 0; s && i < sizeof formats / sizeof *formats; i++) {
        struct tm tm = {0};
        const char *end = strptime(s, formats[i], &tm);
        if (!end || *end)
            continue;
        tm.tm_isdst = -1;
        time_t t = mktime(&tm);
        if (t == (time_t)-1)
            return -1;
        *out_ms = (int64_t)t * 1000;
        return 0;
    }
    return -1;
}
