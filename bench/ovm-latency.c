/* ovm-latency: times round trips of OVM> commands on ONE engine session, so
 * that the figures are the engine's, not a shell's start-up cost.
 *
 *   ovm-latency -S SOCKET [-u USER] (-f FILE | CMD...)
 *
 * Sends each command (the arguments, or the lines of FILE) in order on one
 * connection and prints "<microseconds> <status> <command>" per command,
 * status 0 for success and 1 for failure; then on stderr
 * "median_us=... p90_us=... n=... failures=...". Exit 0, or 2 when the
 * engine is unreachable or the session is lost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lib/proto.h"
#include "lib/strbuf.h"
#include "lib/util.h"

typedef struct opts {
    const char *sock;
    const char *user;
    const char *file;
} opts;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Splits buf at newlines into heap strings, skipping empty lines. */
static size_t split_lines(const char *buf, char ***out)
{
    size_t n = 0, cap = 0;
    char **v = NULL;
    for (const char *p = buf; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len) {
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                v = xrealloc(v, cap * sizeof *v);
            }
            v[n++] = xstrndup(p, len);
        }
        p += len + (nl != NULL);
    }
    *out = v;
    return n;
}

/* One round trip: 0 success, 1 failure, -1 lost session; *bytes is the
 * size of the rendered reply. */
static int round_trip(int fd, const char *cmd, size_t *bytes)
{
    size_t len = strlen(cmd);
    char *payload = xmalloc(len + 1);
    payload[0] = 'N';
    memcpy(payload + 1, cmd, len);
    int rc = proto_send(fd, P_CMD, payload, len + 1);
    free(payload);
    if (rc != 0)
        return -1;
    char type = 0;
    char *reply = NULL;
    size_t rlen = 0;
    if (proto_recv(fd, &type, &reply, &rlen) != 1 || type != P_RESULT || rlen == 0) {
        free(reply);
        return -1;
    }
    int st = reply[0] == PS_SUCCESS ? 0 : 1;
    *bytes = rlen - 1;
    free(reply);
    return st;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void summary(double *t, size_t n, long failures)
{
    if (!n)
        return;
    qsort(t, n, sizeof *t, cmp_double);
    fprintf(stderr, "median_us=%.1f p90_us=%.1f n=%zu failures=%ld\n", t[n / 2], t[(n * 9) / 10], n, failures);
}

static int run(const opts *o, char **cmds, size_t n)
{
    int fd = proto_connect(o->sock);
    if (fd < 0) {
        perror("ovm-latency: connect");
        return 2;
    }
    char *hello = xasprintf("user=%s\n", o->user);
    int rc = proto_send(fd, P_HELLO, hello, strlen(hello)) ? 2 : 0;
    free(hello);
    double *t = xmalloc((n ? n : 1) * sizeof *t);
    long failures = 0;
    size_t done = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        double t0 = now_us();
        size_t bytes = 0;
        int st = round_trip(fd, cmds[i], &bytes);
        double dt = now_us() - t0;
        if (st < 0) {
            fprintf(stderr, "ovm-latency: session lost at: %s\n", cmds[i]);
            rc = 2;
            break;
        }
        t[done++] = dt;
        failures += st;
        printf("%.1f %d %zu %s\n", dt, st, bytes, cmds[i]);
    }
    close(fd);
    summary(t, done, failures);
    free(t);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: ovm-latency -S SOCKET [-u USER] (-f FILE | CMD...)\n");
}

int main(int argc, char **argv)
{
    opts o = {NULL, "admin", NULL};
    int c;
    while ((c = getopt(argc, argv, "S:u:f:")) != -1) {
        switch (c) {
        case 'S': o.sock = optarg; break;
        case 'u': o.user = optarg; break;
        case 'f': o.file = optarg; break;
        default: usage(); return 2;
        }
    }
    if (!o.sock || (!o.file) == (optind >= argc)) {
        usage();
        return 2;
    }
    if (!o.file)
        return run(&o, argv + optind, (size_t)(argc - optind));
    size_t len;
    char *buf = ovm_read_file(o.file, &len);
    if (!buf) {
        fprintf(stderr, "ovm-latency: cannot read %s\n", o.file);
        return 2;
    }
    char **cmds;
    size_t n = split_lines(buf, &cmds);
    free(buf);
    int rc = run(&o, cmds, n);
    for (size_t i = 0; i < n; i++)
        free(cmds[i]);
    free(cmds);
    return rc;
}
