/* ovmsh: the local OVM> shell. Connects to the engine's Unix socket and runs
 * an exec (-c), batch (stdin not a terminal) or interactive session. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "shell/client/client.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif
#define DEFAULT_SOCKET "/run/ovmd/engine.sock"

typedef struct options {
    const char *socket;
    const char *commands;   /* -c, or NULL */
    const char *user;
    int stop_on_error;
} options;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: ovmsh [OPTION]...\n"
            "The OVM> management shell: talks to the local ovmd engine.\n"
            "\n"
            "  -c, --command \"CMD1; CMD2\"  run the commands, print the transcript, exit\n"
            "  -S, --socket PATH          engine socket (default: $OVMD_SOCKET, else\n"
            "                             " DEFAULT_SOCKET ")\n"
            "  -u, --user USER            user name to report (default: login name)\n"
            "      --stop-on-error        stop at the first failing command\n"
            "  -h, --help                 show this help and exit\n"
            "  -V, --version              show the version and exit\n"
            "\n"
            "Without -c, commands are read from standard input: interactively with line\n"
            "editing on a terminal, else as a batch file. Exit status: 0 when every\n"
            "command succeeded, 1 when any failed, 2 when the engine is unreachable.\n");
}

static const char *login_name(void)
{
    const char *u = getlogin();
    if (u && *u)
        return u;
    struct passwd *pw = getpwuid(getuid());
    if (pw && pw->pw_name)
        return pw->pw_name;
    u = getenv("USER");
    return u && *u ? u : "admin";
}

static const char *default_socket(void)
{
    const char *s = getenv("OVMD_SOCKET");
    return s && *s ? s : DEFAULT_SOCKET;
}

/* Parses argv into *o. Returns -1 to continue, else an exit status. */
static int parse_options(int argc, char **argv, options *o)
{
    enum { OPT_STOP = 256 };
    static const struct option longs[] = {
        {"command", required_argument, NULL, 'c'}, {"socket", required_argument, NULL, 'S'},
        {"user", required_argument, NULL, 'u'},    {"stop-on-error", no_argument, NULL, OPT_STOP},
        {"help", no_argument, NULL, 'h'},          {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "c:S:u:hV", longs, NULL)) != -1) {
        switch (ch) {
        case 'c': o->commands = optarg; break;
        case 'S': o->socket = optarg; break;
        case 'u': o->user = optarg; break;
        case OPT_STOP: o->stop_on_error = 1; break;
        case 'h': usage(stdout); return OVMSH_OK;
        case 'V': printf("ovmsh %s\n", PACKAGE_VERSION); return OVMSH_OK;
        default: usage(stderr); return OVMSH_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ovmsh: unexpected argument '%s' (use -c \"COMMANDS\")\n", argv[optind]);
        return OVMSH_USAGE;
    }
    return -1;
}

int main(int argc, char **argv)
{
    options o = {default_socket(), NULL, NULL, 0};
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (!o.user)
        o.user = login_name();
    client c = {.fd = -1, .stop_on_error = o.stop_on_error};
    c.interactive = !o.commands && isatty(STDIN_FILENO);
    /* A batch on stdin is sent ahead of its results (client_batch.c). The
     * SSH front end's batch is not: it resumes after an engine restart with
     * the line after the one lost, which needs one command in flight. */
    c.pipeline = !o.commands && !c.interactive;
    if (client_open(&c, o.socket, o.user) != 0) {
        fprintf(stderr, "ovmsh: cannot reach the engine at %s: %s (is ovmd running? see -S)\n", o.socket,
                strerror(errno));
        return OVMSH_NO_ENGINE;
    }
    if (o.commands)
        rc = client_run_exec(&c, o.commands);
    else if (isatty(STDIN_FILENO))
        rc = client_run_interactive(&c);
    else
        rc = client_run_batch(&c, stdin);
    client_close(&c);
    return rc;
}
