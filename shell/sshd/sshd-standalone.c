/* ssh-standalone: runs the SSH front end alone against an engine socket,
 * for tests and benchmarks (ovmd runs the same sshd_run in its own child).
 *
 *   sshd-standalone --state-dir DIR [--socket PATH] [--log-file F] [-o key=value]...
 *   sshd-standalone --hash-password   (reads one line from stdin)
 *   sshd-standalone --state-dir DIR [-o key=value]... --unthrottle SPEC */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "lib/util.h"
#include "shell/sshd/sshd.h"

static volatile int stop_flag;

static void on_term(int sig)
{
    stop_flag = 1;
}

static int hash_from_stdin(void)
{
    char *line = NULL, *hash = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        fprintf(stderr, "sshd-standalone: no password on stdin\n");
        free(line);
        return 2;
    }
    line[strcspn(line, "\r\n")] = '\0';
    int rc = ovmd_hash_password(line, &hash);
    explicit_bzero(line, cap);
    free(line);
    if (rc != 0)
        return fprintf(stderr, "sshd-standalone: cannot hash\n"), 1;
    printf("%s\n", hash);
    free(hash);
    return 0;
}

/* Applies "key=value"; 0 or -1 (reported). */
static int apply_opt(sshd_config *c, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq)
        return fprintf(stderr, "sshd-standalone: -o wants key=value\n"), -1;
    char *key = xstrndup(kv, (size_t)(eq - kv)), *err = NULL;
    int rc = sshd_config_apply(c, key, eq + 1, &err);
    if (rc == 0)
        fprintf(stderr, "sshd-standalone: unknown key %s\n", key);
    else if (rc < 0)
        fprintf(stderr, "sshd-standalone: %s\n", err);
    free(key);
    free(err);
    return rc == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"state-dir", required_argument, NULL, 'd'}, {"socket", required_argument, NULL, 's'},
        {"log-file", required_argument, NULL, 'l'},  {"hash-password", no_argument, NULL, 'H'},
        {"unthrottle", required_argument, NULL, 'U'}, {NULL, 0, NULL, 0}};
    sshd_config c;
    sshd_config_defaults(&c);
    const char *state = NULL, *sock = NULL, *unthrottle = NULL;
    int ch, bad = 0;
    while (!bad && (ch = getopt_long(argc, argv, "o:", longs, NULL)) != -1) {
        switch (ch) {
        case 'd': state = optarg; break;
        case 's': sock = optarg; break;
        case 'l': log_set_file(optarg); break;
        case 'H': sshd_config_free(&c); return hash_from_stdin();
        case 'o': bad = apply_opt(&c, optarg) != 0; break;
        case 'U': unthrottle = optarg; break;
        default: bad = 1;
        }
    }
    if (bad || !state) {
        fprintf(stderr, "usage: sshd-standalone --state-dir DIR [--socket PATH] [--log-file F] [-o key=value]...\n");
        sshd_config_free(&c);
        return 2;
    }
    log_set_ident("ovmd-ssh");
    log_set_level(LOG_INFO_);
    sshd_config_finish(&c, state, sock);
    if (unthrottle) {
        int urc = sshd_unthrottle(&c, unthrottle, stdout, stderr);
        sshd_config_free(&c);
        return urc;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int rc = sshd_run(&c, &stop_flag);
    sshd_config_free(&c);
    return rc == 0 ? 0 : 1;
}
