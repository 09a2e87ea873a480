/* ovm-agentd: Oracle VM Agent-compatible XML-RPC daemon (drivers: driver.h). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>
#include "agent/agent.h"
#include "agent/driver.h"
#include "agent/httpd.h"
#include "agent/sim.h"
#include "agent/tlscert.h"
#include "lib/log.h"
#include "lib/util.h"

static void usage(FILE *fp)
{
    fputs("Usage: ovm-agentd --state-dir DIR (--password-file FILE | --password PW) [options]\n"
          "  --listen ADDR        address to listen on and report (default 0.0.0.0)\n"
          "  --port N             TCP port (default 8899)\n"
          "  --hostname NAME      host name to report (default derived from --listen)\n"
          "  --memory-mb N        simulated physical memory (default 65536)\n"
          "  --cpus N             simulated logical CPUs (default 8)\n"
          "  --nfs-root DIR       directory standing in for NFS servers (default DIR/exports)\n"
          "  --nfs-size-gb N      simulated size of every NFS export (default 1024)\n"
          "  --lun-fs-root DIR    directory holding the contents of OCFS2 file systems on LUNs\n"
          "                       (default DIR/lunfs; give every host of a pool the same one)\n"
          "  --cpu-family N       CPU family to report (default 6)\n"
          "  --cpu-model N        CPU model to report (default 79)\n"
          "  --ovm-version V      Oracle VM Server version to report (default 3.4.6-2105)\n"
          "  --xen-version X.Y.Z  Xen version to report (default 4.4.4OVM)\n", fp);
    /* Names only the drivers built in: tests read this to skip. */
    fprintf(fp, "  --driver NAME        one of: %s (default sim)\n", driver_names());
    fputs("  --libvirt-uri URI    libvirt connection (default qemu:///system)\n"
          "  --libvirt-domain-type qemu|kvm  domain type of started guests (default qemu)\n"
          "  --libvirt-migrate-uri URI  URI other agents' daemons reach this host's daemon at\n"
          "  --libvirt-migrate-unsafe   allow live migration with local (unshared) disks\n"
          "  --libvirt-shutdown-timeout N  seconds a graceful stop waits before destroying (default 60)\n"
          "  --libvirt-image-owner UID:GID  owner given to VM disks and console files (session daemons)\n"
          "  --libvirt-bridges      make Linux bridges for networks (needs CAP_NET_ADMIN)\n"
          "  --per-source-connections N  connections one client address may hold (default 32, 0 = no limit)\n"
          "  --connection-timeout S      close a connection idle for S seconds (default 60)\n"
          "  --header-timeout S          close a connection without a complete request head\n"
          "                              S seconds after it opened or got its last answer (default 20, 0 = none)\n"
          "  --import-max-mb N           largest file an import may store (default 65536; the\n"
          "                              repository's free space bounds it too)\n"
          "  --import-connect-timeout S  seconds an import waits to connect (default 30)\n"
          "  --import-stall-timeout S    abort an import slower than 1 KiB/s for S seconds (default 60)\n"
          "  --import-ca-file FILE       CA certificates that https imports trust instead of the system's\n"
          "  --foreground         do not detach\n"
          "  --pid-file FILE      write the daemon's pid\n"
          "  --log-file FILE      log there instead of stderr\n"
          "  --verbose            log every call\n"
          "  --help\n", fp);
}

static int parse_num(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_numeric_opt(int opt, const char *arg, struct agent_config *cfg)
{
    int64_t v;
    switch (opt) {
    case 'p':
        if (parse_num(arg, 1, 65535, &v))
            return -1;
        cfg->port = (int)v;
        return 0;
    case 'm':
        if (parse_num(arg, SIM_DOM0_MB + 1, INT64_C(1) << 32, &v))
            return -1;
        cfg->memory_mb = v;
        return 0;
    case 'c':
        if (parse_num(arg, 1, 4096, &v))
            return -1;
        cfg->cpus = (int)v;
        return 0;
    case 'z':
        if (parse_num(arg, 1, INT64_C(1) << 30, &v))
            return -1;
        cfg->nfs_size_gb = v;
        return 0;
    case 'T':
        if (parse_num(arg, 0, 3600, &v))
            return -1;
        cfg->libvirt_shutdown_timeout = (int)v;
        return 0;
    case 'F': case 'M':
        if (parse_num(arg, 0, 65535, &v))
            return -1;
        *(opt == 'F' ? &cfg->cpu_family : &cfg->cpu_model) = (int)v;
        return 0;
    case 'J':
        if (parse_num(arg, 1, INT64_C(1) << 32, &v))
            return -1;
        cfg->import_max_mb = v;
        return 0;
    case 'K': case 'S':
        if (parse_num(arg, 1, 86400, &v))
            return -1;
        *(opt == 'K' ? &cfg->import_connect_timeout : &cfg->import_stall_timeout) = (unsigned)v;
        return 0;
    case 'C': case 'I': case 'R':
        if (parse_num(arg, 0, opt == 'C' ? 100000 : 86400, &v))
            return -1;
        *(opt == 'C' ? &cfg->per_source_connections : opt == 'I' ? &cfg->connection_timeout : &cfg->header_timeout) =
            (unsigned)v;
        return 0;
    }
    return -1;
}

static const char *option_name(const struct option *opts, int val)
{
    for (; opts->name; opts++)
        if (opts->val == val)
            return opts->name;
    return "?";
}

/* A version the VMM Major/Minor/Extra split can carry: digits '.' digits, then
 * any printable rest without blanks or markup ("4.4.4OVM", "4.1.3"). */
static int valid_xen_version(const char *v)
{
    size_t maj = strspn(v, "0123456789");
    if (maj == 0 || v[maj] != '.' || strspn(v + maj + 1, "0123456789") == 0)
        return 0;
    for (; *v; v++)
        if (*v <= ' ' || *v > '~' || strchr("<>&\"'", *v))
            return 0;
    return 1;
}

/* The driver must exist in this build; libvirt options need the libvirt driver. */
static int check_driver(const struct agent_config *cfg)
{
    int built_in;
    const char *name = cfg->driver ? cfg->driver : "sim";
    if (!driver_find(name, &built_in)) {
        if (built_in)
            fprintf(stderr, "ovm-agentd: unknown driver: %s (built in: %s)\n", name, driver_names());
        else
            fprintf(stderr, "ovm-agentd: the %s driver is not built in (configure --with-libvirt)\n", name);
        return -1;
    }
    int lv_opts = cfg->libvirt_uri || cfg->libvirt_domain_type || cfg->libvirt_migrate_uri ||
                  cfg->libvirt_migrate_unsafe || cfg->libvirt_image_owner || cfg->libvirt_bridges || cfg->libvirt_shutdown_timeout != 60;
    if (lv_opts && strcmp(name, "libvirt") != 0) {
        fputs("ovm-agentd: --libvirt-* options need --driver libvirt\n", stderr);
        return -1;
    }
    return 0;
}

/* ovm-agentd's long options; ovm-agentd(8) documents each. */
static const struct option agent_options[] = {
    {"listen", required_argument, NULL, 'l'}, {"port", required_argument, NULL, 'p'},
    {"state-dir", required_argument, NULL, 's'}, {"password-file", required_argument, NULL, 'P'},
    {"password", required_argument, NULL, 'W'}, {"hostname", required_argument, NULL, 'H'},
    {"memory-mb", required_argument, NULL, 'm'}, {"cpus", required_argument, NULL, 'c'},
    {"nfs-root", required_argument, NULL, 'n'}, {"nfs-size-gb", required_argument, NULL, 'z'},
    {"lun-fs-root", required_argument, NULL, 'Q'},
    {"foreground", no_argument, NULL, 'f'}, {"pid-file", required_argument, NULL, 'i'},
    {"log-file", required_argument, NULL, 'L'}, {"verbose", no_argument, NULL, 'v'},
    {"cpu-family", required_argument, NULL, 'F'}, {"cpu-model", required_argument, NULL, 'M'},
    {"ovm-version", required_argument, NULL, 'O'}, {"xen-version", required_argument, NULL, 'X'},
    {"driver", required_argument, NULL, 'D'}, {"libvirt-uri", required_argument, NULL, 'U'},
    {"libvirt-domain-type", required_argument, NULL, 'Y'},
    {"libvirt-migrate-uri", required_argument, NULL, 'G'},
    {"libvirt-migrate-unsafe", no_argument, NULL, 'u'},
    {"per-source-connections", required_argument, NULL, 'C'},
    {"connection-timeout", required_argument, NULL, 'I'},
    {"header-timeout", required_argument, NULL, 'R'},
    {"libvirt-shutdown-timeout", required_argument, NULL, 'T'},
    {"libvirt-image-owner", required_argument, NULL, 'o'},
    {"libvirt-bridges", no_argument, NULL, 'b'},
    {"import-max-mb", required_argument, NULL, 'J'},
    {"import-connect-timeout", required_argument, NULL, 'K'},
    {"import-stall-timeout", required_argument, NULL, 'S'},
    {"import-ca-file", required_argument, NULL, 'A'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
};

/* 0 ok, 1 exit successfully (--help), -1 usage error. */
static int parse_args(int argc, char **argv, struct agent_config *cfg)
{
    int opt;
    while ((opt = getopt_long(argc, argv, "", agent_options, NULL)) != -1) {
        switch (opt) {
        case 'l': cfg->listen = optarg; break;
        case 's': cfg->state_dir = optarg; break;
        case 'P': cfg->password_file = optarg; break;
        case 'W': cfg->password = optarg; break;
        case 'H': cfg->hostname = optarg; break;
        case 'n': cfg->nfs_root = optarg; break;
        case 'Q': cfg->lun_fs_root = optarg; break;
        case 'A': cfg->import_ca_file = optarg; break;
        case 'f': cfg->foreground = 1; break;
        case 'i': cfg->pid_file = optarg; break;
        case 'L': cfg->log_file = optarg; break;
        case 'v': cfg->verbose = 1; break;
        case 'h': usage(stdout); return 1;
        case 'O': cfg->ovm_version = optarg; break;
        case 'D': cfg->driver = optarg; break;
        case 'U': cfg->libvirt_uri = optarg; break;
        case 'G': cfg->libvirt_migrate_uri = optarg; break;
        case 'u': cfg->libvirt_migrate_unsafe = 1; break;
        case 'b': cfg->libvirt_bridges = 1; break;
        case 'o': cfg->libvirt_image_owner = optarg; break;
        case 'Y':
            if (!strcmp(optarg, "qemu") || !strcmp(optarg, "kvm")) {
                cfg->libvirt_domain_type = optarg;
                break;
            }
            fprintf(stderr, "ovm-agentd: bad value for --libvirt-domain-type: %s (qemu or kvm)\n", optarg);
            return -1;
        case 'X':
            if (valid_xen_version(optarg)) {
                cfg->xen_version = optarg;
                break;
            }
            fprintf(stderr, "ovm-agentd: bad value for --xen-version: %s\n", optarg);
            return -1;
        case 'p': case 'm': case 'c': case 'z': case 'F': case 'M': case 'T': case 'C': case 'I': case 'R':
        case 'J': case 'K': case 'S':
            if (parse_numeric_opt(opt, optarg, cfg) == 0)
                break;
            fprintf(stderr, "ovm-agentd: bad value for --%s: %s\n", option_name(agent_options, opt), optarg);
            return -1;
        default: return -1;
        }
    }
    if (optind != argc || !cfg->state_dir || (!cfg->password && !cfg->password_file)) {
        fputs("ovm-agentd: --state-dir and a password are required\n", stderr);
        return -1;
    }
    if (cfg->password && !cfg->password_file)
        fputs("ovm-agentd: warning: --password shows the agent password to every local user (ps, /proc); "
              "use --password-file FILE\n", stderr);
    return check_driver(cfg);
}

/* Makes the path options absolute against the start-up directory, so that
 * nothing depends on the working directory later: a repository mount is a
 * symbolic link into the NFS root, and a relative target would point nowhere.
 * The copies go into keep[], which the caller keeps. 0, or -1 with a message. */
static int absolutize_paths(struct agent_config *cfg, char *keep[6])
{
    const char **fields[] = {&cfg->state_dir, &cfg->nfs_root, &cfg->password_file, &cfg->pid_file,
                             &cfg->log_file, &cfg->lun_fs_root};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (!*fields[i])
            continue;
        keep[i] = ovm_abs_path(*fields[i]);
        if (!keep[i]) {
            fprintf(stderr, "ovm-agentd: cannot resolve %s: %s\n", *fields[i], strerror(errno));
            return -1;
        }
        *fields[i] = keep[i];
    }
    return 0;
}

/* The password from the file (first line) or the option; heap or NULL. */
static char *load_password(const struct agent_config *cfg)
{
    if (!cfg->password_file)
        return xstrdup(cfg->password);
    char *buf = ovm_read_file(cfg->password_file, NULL);
    if (!buf) {
        fprintf(stderr, "ovm-agentd: cannot read %s: %s\n", cfg->password_file, strerror(errno));
        return NULL;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!*buf) {
        fprintf(stderr, "ovm-agentd: %s is empty\n", cfg->password_file);
        free(buf);
        return NULL;
    }
    return buf;
}

/* Detaches; the parent exits once the child reports readiness on the pipe. */
static int daemonize(int *ready_fd)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        close(fds[1]);
        char c = 0;
        ssize_t n = read(fds[0], &c, 1);
        if (n != 1 || c != 'R')
            fputs("ovm-agentd: start-up failed (details in the log file, if any)\n", stderr);
        _exit(n == 1 && c == 'R' ? 0 : 1);
    }
    close(fds[0]);
    if (setsid() < 0)
        return -1;
    *ready_fd = fds[1];
    return 0;
}

static void redirect_stdio(void)
{
    FILE *fp = freopen("/dev/null", "r", stdin);
    fp = fp ? freopen("/dev/null", "w", stdout) : NULL;
    if (fp)
        fp = freopen("/dev/null", "w", stderr);
    (void)fp;
}

static int write_pid_file(const char *path)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ovm_write_file_atomic(path, buf, (size_t)n, 0644) != 0) {
        log_err("cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int wait_for_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    int sig = 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
        log_info("SIGHUP ignored");
    return sig;
}

/* Blocks the stop signals in every thread, so that only sigwait sees them. */
static void block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int serve(const struct agent_config *cfg, struct sim *sim, int ready_fd)
{
    char *key = NULL, *cert = NULL;
    if (tlscert_load_or_create(cfg->state_dir, sim->hostname, &key, &cert) != 0)
        return 1;
    struct httpd *h = httpd_start(sim, cfg, key, cert);
    memset(key, 0, strlen(key));
    free(key);
    free(cert);
    if (!h)
        return 1;
    if (cfg->pid_file && write_pid_file(cfg->pid_file) != 0) {
        httpd_stop(h);
        return 1;
    }
    log_info("listening on https://%s:%d/api/3/ as %s", cfg->listen, cfg->port, sim->hostname);
    if (ready_fd >= 0 && (write(ready_fd, "R", 1) != 1 || close(ready_fd) != 0))
        log_warn("cannot notify the parent process");
    int sig = wait_for_signal();
    log_info("signal %d: shutting down", sig);
    httpd_stop(h);
    if (cfg->pid_file)
        unlink(cfg->pid_file);
    return 0;
}

int main(int argc, char **argv)
{
    struct agent_config cfg = {.listen = "0.0.0.0", .port = 8899, .memory_mb = 65536,
                               .cpus = 8, .nfs_size_gb = 1024, .cpu_family = 6, .cpu_model = 79,
                               .ovm_version = "3.4.6-2105", .xen_version = "4.4.4OVM",
                               .libvirt_shutdown_timeout = 60, .per_source_connections = 32,
                               .connection_timeout = 60, .header_timeout = 20};
    int rc = parse_args(argc, argv, &cfg);
    if (rc != 0) {
        if (rc < 0)
            usage(stderr);
        return rc < 0 ? 2 : 0;
    }
    /* static: reachable until exit on every return path below */
    static char *paths[6];
    if (absolutize_paths(&cfg, paths) != 0)
        return 1;
    log_set_ident("ovm-agentd");
    log_set_level(cfg.verbose ? LOG_DEBUG_ : LOG_INFO_);
    char *password = load_password(&cfg);
    if (!password)
        return 1;
    if (ovm_mkdir_p(cfg.state_dir, 0700) != 0) {
        fprintf(stderr, "ovm-agentd: cannot create %s: %s\n", cfg.state_dir, strerror(errno));
        free(password);
        return 1;
    }
    int ready_fd = -1;
    if (!cfg.foreground && daemonize(&ready_fd) != 0) {
        perror("ovm-agentd: fork");
        free(password);
        return 1;
    }
    if (cfg.log_file)
        log_set_file(cfg.log_file);
    if (!cfg.foreground)
        redirect_stdio();
    block_signals();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct sim *sim = sim_open(&cfg, password);
    memset(password, 0, strlen(password));
    free(password);
    rc = sim ? serve(&cfg, sim, ready_fd) : 1;
    sim_close(sim);
    curl_global_cleanup();
    return rc;
}
