/* ovmd: the engine process (doc/architecture.md). It owns the store, runs jobs on
 * worker threads, talks to agents, and serves sessions on a local socket.
 * It never forks after its threads start. */
#include "backend/daemon/config.h"
#include "backend/ops/ops.h"
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "backend/store/backup.h"
#include "lib/crashpoint.h"
#include "backend/daemon/demo.h"
#include "backend/daemon/listener.h"
#include "backend/monitor/monitor.h"
#include "backend/flows/recover.h"
#include "backend/flows/server_load.h"
#include "lib/fsmode.h"
#include "lib/log.h"
#include "lib/util.h"

#define DEFAULT_CONFIG "/etc/ovmd/ovmd.yaml"

typedef struct options {
    const char *config;
    int config_given;
    const char *state_dir;
    const char *socket;
    const char *log_file;
    const char *listen;
    int verbose;
    int demo;
    int hash_password;
    int print_config;      /* --print-config */
    const char *restore;   /* --restore FILE */
    const char *unthrottle; /* --unthrottle SPEC */
} options;

static void usage(FILE *fp)
{
    fputs("Usage: ovmd [OPTION]...\n"
          "Oracle VM-style manager engine: serves the OVM> shell to ovmsh and SSH sessions.\n\n"
          "  -f, --config FILE     configuration file (default " DEFAULT_CONFIG ")\n"
          "      --state-dir DIR   keep the store, socket and keys in DIR\n"
          "      --socket PATH     local session socket (default STATE_DIR/engine.sock)\n"
          "      --log-file FILE   log to FILE instead of standard error\n"
          "  -v, --verbose         log debug messages\n"
          "      --demo            start a local demo: SSH on port 10000 and four simulated hosts\n"
          "      --listen ADDR:PORT  with --demo: where the SSH server listens\n"
          "      --hash-password   read a password on standard input, print its hash for ovmd.yaml\n"
          "  -T, --print-config    print the effective configuration (every ovmd.yaml key), then exit\n"
          "      --restore FILE    replace the store by the backup FILE (engine stopped), then exit\n"
          "      --unthrottle SPEC clear SSH password throttling (all, USER, USER@ADDR, @ADDR), then exit\n"
          "  -h, --help            show this help\n"
          "  -V, --version         show the version\n\n"
          "See ovmd(8) and ovmd.yaml(5).\n",
          fp);
}

static int parse_args(int argc, char **argv, options *o)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'f'}, {"state-dir", required_argument, NULL, 's'},
        {"socket", required_argument, NULL, 'S'}, {"log-file", required_argument, NULL, 'l'},
        {"verbose", no_argument, NULL, 'v'},      {"help", no_argument, NULL, 'h'},
        {"demo", no_argument, NULL, 'D'},         {"listen", required_argument, NULL, 'L'},
        {"hash-password", no_argument, NULL, 'H'}, {"restore", required_argument, NULL, 'R'},
        {"version", no_argument, NULL, 'V'},      {"print-config", no_argument, NULL, 'T'},
        {"unthrottle", required_argument, NULL, 'U'}, {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->config = DEFAULT_CONFIG;
    for (int ch; (ch = getopt_long(argc, argv, "f:vhVT", longopts, NULL)) != -1;) {
        switch (ch) {
        case 'f': o->config = optarg; o->config_given = 1; break;
        case 's': o->state_dir = optarg; break;
        case 'S': o->socket = optarg; break;
        case 'l': o->log_file = optarg; break;
        case 'v': o->verbose = 1; break;
        case 'D': o->demo = 1; break;
        case 'L': o->listen = optarg; break;
        case 'H': o->hash_password = 1; break;
        case 'R': o->restore = optarg; break;
        case 'T': o->print_config = 1; break;
        case 'U': o->unthrottle = optarg; break;
        case 'h': usage(stdout); exit(0);
        case 'V': puts("ovmd " PACKAGE_VERSION); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ovmd: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

static int configure(engine *e, const options *o)
{
    char *err = NULL;
    engine_config_defaults(&e->cfg);
    if (engine_config_load(&e->cfg, o->config, !o->config_given, &err) != 0) {
        fprintf(stderr, "ovmd: %s\n", err);
        free(err);
        return -1;
    }
    if (o->state_dir) {
        free(e->cfg.state_dir);
        e->cfg.state_dir = xstrdup(o->state_dir);
    }
    if (o->socket) {
        free(e->cfg.socket_path);
        e->cfg.socket_path = xstrdup(o->socket);
    }
    if (o->log_file) {
        free(e->cfg.log_file);
        e->cfg.log_file = xstrdup(o->log_file);
    }
    if (!e->cfg.socket_path)
        e->cfg.socket_path = xasprintf("%s/engine.sock", e->cfg.state_dir);
    if (!e->cfg.db_path)
        e->cfg.db_path = xasprintf("%s/ovmd.db", e->cfg.state_dir);
    if (!e->cfg.backup_dir)
        e->cfg.backup_dir = xasprintf("%s/backups", e->cfg.state_dir);
    return 0;
}

/* The Manager UUID lives in the state directory, not only in the database,
 * so that a rebuilt store can still reclaim its servers (doc/agent-protocol.md §4.7). */
static int load_manager_uuid(engine *e)
{
    char *path = xasprintf("%s/manager-uuid", e->cfg.state_dir);
    char *id = ovm_read_file(path, NULL);
    if (id) {
        id[strcspn(id, "\r\n")] = '\0';
        snprintf(e->manager_id, sizeof e->manager_id, "%s", id);
        free(id);
    } else {
        ovm_new_id("0001", "", e->manager_id, sizeof e->manager_id);
        char *line = xasprintf("%s\n", e->manager_id);
        if (ovm_write_file_atomic(path, line, strlen(line), 0600) != 0) {
            log_err("cannot write %s: %s", path, strerror(errno));
            free(line);
            free(path);
            return -1;
        }
        free(line);
    }
    free(path);
    return 0;
}

static void ensure_manager_object(engine *e)
{
    store_wrlock(e->st);
    if (!store_get(e->st, e->manager_id)) {
        char host[256] = "ovm-manager";
        gethostname(host, sizeof host - 1);
        obj *m = store_create(e->st, "Manager", e->manager_id, "OVM Manager");
        obj_set(e->st, m, "hostname", host);
        obj_set(e->st, m, "macStart", "00:21:f6:00:00:00");
        obj_set(e->st, m, "macEnd", "00:21:f6:ff:ff:ff");
    }
    ensure_update_group(e);
    store_unlock(e->st);
}

/* Tightens a state directory open to others, or refuses one another user
 * owns (issue 10 item 7; ovmd(8) FILES). 0 or -1 (logged). */
static int state_dir_private(const char *dir)
{
    char *err = NULL;
    if (fs_private_dir(dir, &err) == 0)
        return 0;
    log_err("%s", err);
    free(err);
    return -1;
}

static int open_everything(engine *e)
{
    char *err = NULL;
    if (ovm_mkdir_p(e->cfg.state_dir, 0700) != 0) {
        log_err("cannot create %s: %s", e->cfg.state_dir, strerror(errno));
        return -1;
    }
    if (load_manager_uuid(e) != 0)
        return -1;
    e->ca = ca_open(e->cfg.state_dir, e->manager_id, &err);
    if (!e->ca) {
        log_err("%s", err);
        free(err);
        return -1;
    }
    e->st = store_open(e->cfg.db_path, &err);
    if (!e->st) {
        log_err("%s", err);
        free(err);
        return -1;
    }
    ensure_manager_object(e);
    e->ac = agentc_new(e->cfg.agent_connect_timeout);
    if (!e->ac) {
        log_err("cannot start the agent client");
        return -1;
    }
    e->load = server_load_new();
    e->js = jobs_start(e, e->cfg.workers);
    return 0;
}

static void close_everything(engine *e)
{
    jobs_stop(e->js); /* frees the queued plans, which count in e->load */
    server_load_free(e->load);
    agentc_free(e->ac);
    store_close(e->st);
    ca_close(e->ca);
}

static int hash_password_main(void)
{
    char buf[1024];
    if (isatty(STDIN_FILENO))
        fputs("Password: ", stderr);
    if (!fgets(buf, sizeof buf, stdin)) {
        fputs("ovmd: no password on standard input\n", stderr);
        return 2;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    char *hash = NULL;
    int rc = ovmd_hash_password(buf, &hash);
    memset(buf, 0, sizeof buf);
    if (rc != 0) {
        fputs("ovmd: cannot hash the password\n", stderr);
        return 1;
    }
    printf("%s\n", hash);
    free(hash);
    return 0;
}

/* The SSH listener runs in a child forked before the engine starts any
 * thread (doc/architecture.md §1: the engine never forks once threaded). */
static volatile int ssh_stop;

static void on_ssh_signal(int sig)
{
    (void)sig;
    ssh_stop = 1;
}

static pid_t start_ssh_listener(const sshd_config *ssh)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    log_set_ident("ovmd-ssh");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_ssh_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    _exit(sshd_run(ssh, &ssh_stop) == 0 ? 0 : 1);
}

static void stop_ssh_listener(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 50; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        usleep(100000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* ovmd --restore FILE: exit status 0 restored, 1 refused. */
static int restore_main(engine *e, const char *file)
{
    char *err = NULL;
    if (backup_restore(file, e->cfg.db_path, e->cfg.socket_path, store_schema_max(), &err) != 0) {
        fprintf(stderr, "ovmd: restore refused: %s\n", err);
        free(err);
        engine_config_free(&e->cfg);
        return 1;
    }
    printf("ovmd: store %s restored from %s; the previous store is %s.before-restore\n", e->cfg.db_path, file,
           e->cfg.db_path);
    engine_config_free(&e->cfg);
    return 0;
}

static char *self_exe(const char *argv0)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = '\0';
        return xstrdup(buf);
    }
    return xstrdup(argv0);
}

/* ovmd --print-config: the configuration as the engine would run with it,
 * derived paths filled in, like sshd -T. */
static int print_config_main(engine *e)
{
    sshd_config_finish(e->cfg.ssh, e->cfg.state_dir, e->cfg.socket_path);
    engine_config_print(&e->cfg, stdout);
    engine_config_free(&e->cfg);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ovmd --unthrottle SPEC: clears password throttling in the running SSH
 * listener of this configuration (the local, trusted way). */
static int unthrottle_main(engine *e, const char *spec)
{
    sshd_config_finish(e->cfg.ssh, e->cfg.state_dir, e->cfg.socket_path);
    int rc = sshd_unthrottle(e->cfg.ssh, spec, stdout, stderr);
    engine_config_free(&e->cfg);
    return rc;
}

/* Sets the demo up (d non-NULL), then serves until SIGTERM or SIGINT. A demo
 * whose set-up failed stops at once: it never announces itself half-built.
 * 0, or 1 after a failed demo set-up. */
static int serve_until_signal(engine *e, demo *d, const sigset_t *sigs)
{
    if (d && demo_populate(d, e) != 0) {
        log_err("demo: set-up failed; stopping");
        return 1;
    }
    if (d)
        demo_banner(d);
    int sig = 0;
    while (sig != SIGTERM && sig != SIGINT)
        sigwait(sigs, &sig);
    log_info("signal %d: shutting down", sig);
    return 0;
}

/* --demo keeps the socket and the store in the demo's own state directory. */
static void demo_engine_paths(engine_config *cfg)
{
    free(cfg->socket_path);
    free(cfg->db_path);
    cfg->socket_path = xasprintf("%s/engine.sock", cfg->state_dir);
    cfg->db_path = xasprintf("%s/ovmd.db", cfg->state_dir);
}

/* The log goes where ovmd.yaml says before anything is logged; the state
 * directory exists and is private before the store or a socket is opened. */
static int open_log_and_state_dir(engine *e, const options *o)
{
    log_set_ident("ovmd");
    if (e->cfg.log_file)
        log_set_file(e->cfg.log_file);
    if (o->verbose)
        log_set_level(LOG_DEBUG_);
    if (ovm_mkdir_p(e->cfg.state_dir, 0700) != 0) {
        log_err("cannot create %s: %s", e->cfg.state_dir, strerror(errno));
        return 1;
    }
    return state_dir_private(e->cfg.state_dir) != 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    options o;
    engine e;
    demo d;
    memset(&e, 0, sizeof e);
    memset(&d, 0, sizeof d);
    if (parse_args(argc, argv, &o) != 0)
        return 2;
    if (o.hash_password)
        return hash_password_main();
    if (configure(&e, &o) != 0)
        return 2;
    if (o.print_config)
        return print_config_main(&e);
    if (o.unthrottle)
        return unthrottle_main(&e, o.unthrottle);
    if (o.restore)
        return restore_main(&e, o.restore);
    crash_points_init();
    if (o.demo && demo_configure(&d, &e.cfg, o.state_dir, o.listen) != 0)
        return 2;
    if (o.demo)
        demo_engine_paths(&e.cfg);
    if (open_log_and_state_dir(&e, &o) != 0)
        return 1;
    sshd_config_finish(e.cfg.ssh, e.cfg.state_dir, e.cfg.socket_path);
    char *exe = self_exe(argv[0]);
    if (o.demo && demo_start_agents(&d, exe) != 0) {
        log_err("demo: not every simulated host started; stopping");
        free(exe);
        demo_stop(&d);
        return 1;
    }
    free(exe);
    pid_t ssh_pid = e.cfg.ssh->enabled ? start_ssh_listener(e.cfg.ssh) : 0;
    /* Signals are taken synchronously by the main thread only. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (open_everything(&e) != 0) {
        stop_ssh_listener(ssh_pid);
        return 1;
    }
    char *err = NULL;
    int64_t settle_ms = ovm_now_ms();
    monitor *mon = monitor_start(&e);
    jobs_settle_interrupted(e.js);
    recover_interrupted_creates(&e, settle_ms);
    backup_sched *backups = backup_start(&e);
    listener *l = listener_start(&e, e.cfg.socket_path, &err);
    if (!l) {
        log_err("%s", err);
        free(err);
        backup_stop(backups);
        monitor_stop(mon);
        close_everything(&e);
        stop_ssh_listener(ssh_pid);
        return 1;
    }
    log_info("engine ready: manager %s, socket %s, store %s", e.manager_id, e.cfg.socket_path, e.cfg.db_path);
    int rc = serve_until_signal(&e, o.demo ? &d : NULL, &sigs);
    e.stopping = 1;
    stop_ssh_listener(ssh_pid);
    listener_stop(l);
    backup_stop(backups);
    monitor_stop(mon);
    close_everything(&e);
    if (o.demo)
        demo_stop(&d);
    engine_config_free(&e.cfg);
    log_info("stopped");
    return rc;
}
