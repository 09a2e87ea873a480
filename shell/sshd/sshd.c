/* The SSH listener: host keys, the bound socket, one process per
 * connection (key exchange in the child, doc/architecture.md §1: sessions are
 * processes), and reaping. A connection process that crashes takes only
 * its own client with it. */
#include "shell/sshd/sshd.h"
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include "lib/log.h"
#include "lib/util.h"
#include "shell/sshd/ssh_lockout.h"
#include "shell/sshd/ssh_session.h"

/* Exit status of a connection process killed by its login grace alarm. */
#define GRACE_EXPIRED 3
/* Lines before login, from all connection processes together (ovmd(8)). */
#define PREAUTH_LOG_PER_SEC 10
#define PREAUTH_LOG_BURST 20

static void log_fingerprint(const char *path, ssh_key key)
{
    unsigned char *hash = NULL;
    size_t hlen = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0)
        return;
    char *fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
    log_info("ssh: host key %s %s %s", path, ssh_key_type_to_char(ssh_key_type(key)), fp ? fp : "?");
    ssh_string_free_char(fp);
    ssh_clean_pubkey_hash(&hash);
}

/* Loads the host key at path, generating it (mode 0600) when missing. */
static int host_key(ssh_bind b, const char *path, enum ssh_keytypes_e type, int bits)
{
    ssh_key key = NULL;
    if (access(path, F_OK) != 0) {
        if (ssh_pki_generate(type, bits, &key) != SSH_OK) {
            log_err("ssh: cannot generate host key %s", path);
            return -1;
        }
        mode_t old = umask(077);
        int rc = ssh_pki_export_privkey_file(key, NULL, NULL, NULL, path);
        umask(old);
        ssh_key_free(key);
        key = NULL;
        if (rc != SSH_OK || chmod(path, 0600) != 0) {
            log_err("ssh: cannot write host key %s", path);
            return -1;
        }
        log_info("ssh: generated host key %s", path);
    }
    if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK) {
        log_err("ssh: cannot read host key %s", path);
        return -1;
    }
    log_fingerprint(path, key);
    ssh_key_free(key);
    if (ssh_bind_options_set(b, SSH_BIND_OPTIONS_HOSTKEY, path) != SSH_OK) {
        log_err("ssh: cannot use host key %s: %s", path, ssh_get_error(b));
        return -1;
    }
    return 0;
}

static int setup_host_keys(ssh_bind b, const char *dir)
{
    if (ovm_mkdir_p(dir, 0700) != 0) {
        log_err("ssh: cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    char *ed = xasprintf("%s/ssh_host_ed25519_key", dir);
    char *rsa = xasprintf("%s/ssh_host_rsa_key", dir);
    /* Only the Ed25519 key is generated: it takes milliseconds where RSA 3072
     * took seconds before the first login could start. An RSA key already
     * there (earlier versions made one) is still offered, so that clients
     * that pinned it keep connecting. */
    int rc = host_key(b, ed, SSH_KEYTYPE_ED25519, 0) == 0 &&
                     (access(rsa, F_OK) != 0 || host_key(b, rsa, SSH_KEYTYPE_RSA, 0) == 0)
                 ? 0
                 : -1;
    free(ed);
    free(rsa);
    return rc;
}

static ssh_bind make_bind(const sshd_config *c)
{
    ssh_bind b = ssh_bind_new();
    if (!b)
        return NULL;
    int port = c->port, verbosity = SSH_LOG_NOLOG;
    ssh_bind_options_set(b, SSH_BIND_OPTIONS_LOG_VERBOSITY, &verbosity);
    if (ssh_bind_options_set(b, SSH_BIND_OPTIONS_BINDPORT, &port) != SSH_OK ||
        (c->listen && ssh_bind_options_set(b, SSH_BIND_OPTIONS_BINDADDR, c->listen) != SSH_OK) ||
        setup_host_keys(b, c->host_key_dir) != 0) {
        ssh_bind_free(b);
        return NULL;
    }
    if (ssh_bind_listen(b) != SSH_OK) {
        log_err("ssh: cannot listen on %s port %d: %s", c->listen ? c->listen : "*", port, ssh_get_error(b));
        ssh_bind_free(b);
        return NULL;
    }
    /* libssh listens with a backlog of 10: too few for a burst of logins.
     * listen(2) on a listening socket just raises it. Non-blocking: the
     * listener takes every pending connection at once (accept_some). */
    int lfd = ssh_bind_get_fd(b);
    if (listen(lfd, 512) != 0)
        log_warn("ssh: cannot raise the listen backlog: %s", strerror(errno));
    if (fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK) != 0) {
        log_err("ssh: cannot make the listening socket non-blocking: %s", strerror(errno));
        ssh_bind_free(b);
        return NULL;
    }
    log_info("ssh: listening on %s port %d", c->listen ? c->listen : "*", port);
    return b;
}

static void on_grace_alarm(int sig)
{
    _exit(GRACE_EXPIRED);
}

/* The authorized_keys files of every configured user, read while the
 * process still sees the file system. */
static void take_keys(const sshd_config *c, ssh_keys_snapshot *keys)
{
    const char **names = xcalloc(c->nusers ? c->nusers : 1, sizeof *names);
    for (size_t i = 0; i < c->nusers; i++)
        names[i] = c->users[i].name;
    ssh_keys_snapshot_take(keys, c->authorized_keys, names, c->nusers);
    free(names);
}

/* Runs in the connection process; never returns. auth_fd is the write end
 * of its startups pipe (ssh_startups.h), broker_fd its end of the broker. */
static void connection_main(const sshd_shared *sh, ssh_bind b, ssh_session s, pid_t listener, int auth_fd,
                            int broker_fd)
{
    /* When ovmd stops the listener, its sessions end with it: by SIGHUP,
     * which a daemon started under nohup inherits ignored. */
    signal(SIGHUP, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGHUP);
    if (getppid() != listener)
        _exit(1);
    ssh_bind_free(b);
    ssh_startups_close_inherited(sh->startups);
    ssh_broker_close_inherited(sh->broker);
    ssh_keys_snapshot keys;
    take_keys(sh->cfg, &keys);
    /* Before the first byte of key exchange (ssh_privsep.h). */
    if (ssh_privsep_enter(sh->privsep) != 0)
        _exit(1);
    sshd_shared mine = *sh;
    mine.startups = NULL;
    mine.broker = NULL;
    mine.auth_fd = auth_fd;
    mine.broker_fd = broker_fd;
    mine.keys = &keys;
    signal(SIGALRM, on_grace_alarm);
    signal(SIGPIPE, SIG_IGN);
    if (sh->cfg->login_grace > 0)
        alarm((unsigned)sh->cfg->login_grace);
    _exit(ssh_session_serve(&mine, s));
}

/* Refused connections are logged at most once a second, with the number
 * refused since the last line: a flood must not flood the log too. */
typedef struct refusals {
    int64_t last_ms;
    unsigned since;
} refusals;

static void log_refusal(refusals *r, const char *addr, su_verdict v, size_t unauth)
{
    static const char *const why[] = {"", "ssh.max_startups reached", "random early drop (ssh.max_startups)",
                                      "ssh.per_source_max_startups reached"};
    int64_t now = ovm_now_ms();
    r->since++;
    if (now - r->last_ms < 1000)
        return;
    log_warn("ssh: refused a connection from %s before login: %s, %zu unauthenticated (%u refused since the last "
             "message)",
             addr, why[v], unauth, r->since);
    r->last_ms = now;
    r->since = 0;
}

/* Forks the connection process for the accepted fd of addr; the listener
 * tracks it until it logs in or ends. */
static void start_connection(const sshd_shared *sh, ssh_bind b, int fd, const char *addr)
{
    int p[2], broker = -1;
    ssh_session s = ssh_new();
    if (!s || pipe2(p, O_CLOEXEC) != 0) {
        log_err("ssh: cannot start a connection from %s: %s", addr, s ? strerror(errno) : "out of memory");
        ssh_free(s);
        close(fd);
        return;
    }
    if (ssh_broker_pair(sh->broker, &broker) != 0 || ssh_bind_accept_fd(b, s, fd) != SSH_OK) {
        log_warn("ssh: accept failed: %s", broker < 0 ? strerror(errno) : ssh_get_error(b));
        ssh_free(s); /* closes fd */
        close(p[0]), close(p[1]);
        if (broker >= 0)
            close(broker); /* the listener's end sees EOF */
        else
            close(fd);
        return;
    }
    pid_t self = getpid(), pid = fork();
    if (pid == 0) {
        close(p[0]);
        connection_main(sh, b, s, self, p[1], broker);
    }
    close(p[1]);
    close(broker);
    if (pid < 0) {
        log_err("ssh: cannot fork for a connection: %s", strerror(errno));
        close(p[0]);
    } else if (fcntl(p[0], F_SETFL, O_NONBLOCK) != 0 || ssh_startups_add(sh->startups, addr, p[0]) != 0) {
        log_err("ssh: cannot track the connection process %d", (int)pid); /* add closed p[0] */
    }
    ssh_free(s); /* the parent's copy: closes its socket, sends nothing */
}

/* Takes the pending connections, at most a batch per wakeup so that
 * logins and reaping go on during a flood. */
static void accept_some(const sshd_shared *sh, ssh_bind b, refusals *r)
{
    for (int i = 0; i < 64; i++) {
        int fd = accept4(ssh_bind_get_fd(b), NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                log_warn("ssh: accept: %s", strerror(errno));
            return;
        }
        char addr[INET6_ADDRSTRLEN];
        ssh_peer_address(fd, addr, sizeof addr);
        su_verdict v = ssh_startups_admit(sh->startups, addr, arc4random());
        if (v != SU_ACCEPT) {
            close(fd);
            log_refusal(r, addr, v, ssh_startups_count(sh->startups));
            continue;
        }
        start_connection(sh, b, fd, addr);
    }
}

static void reap(void)
{
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        if (WIFEXITED(st) && WEXITSTATUS(st) == GRACE_EXPIRED)
            log_warn("ssh: connection process %d dropped: login grace time exceeded", (int)pid);
        else if (WIFSIGNALED(st))
            log_err("ssh: connection process %d died of signal %d", (int)pid, WTERMSIG(st));
    }
}

/* Polls the listening socket, the startups pipes of the connection
 * processes not yet logged in (at most ssh.max_startups' full of them) and
 * the broker sockets of all of them. */
static void serve(const sshd_shared *sh, ssh_bind b, volatile int *stop)
{
    size_t cap = 0;
    struct pollfd *p = NULL;
    refusals r = {0, 0};
    while (!*stop) {
        size_t want = 1 + (size_t)sh->cfg->startups.full + ssh_broker_count(sh->broker);
        if (want > cap) {
            cap = 2 * want;
            p = xrealloc(p, cap * sizeof *p);
        }
        p[0] = (struct pollfd){ssh_bind_get_fd(b), POLLIN, 0};
        size_t nsu = ssh_startups_pollfds(sh->startups, p + 1, cap - 1);
        size_t n = 1 + nsu + ssh_broker_pollfds(sh->broker, p + 1 + nsu, cap - 1 - nsu);
        int rc = poll(p, (nfds_t)n, 500);
        int poll_errno = errno; /* reap's waitpid sets errno (ECHILD) */
        reap();
        if (rc < 0 && poll_errno != EINTR) {
            log_err("ssh: poll: %s", strerror(poll_errno));
            break;
        }
        for (size_t i = 1; rc > 0 && i < n; i++)
            if (p[i].revents && i <= nsu)
                ssh_startups_event(sh->startups, p[i].fd);
            else if (p[i].revents)
                ssh_broker_event(sh->broker, p[i].fd, p[i].revents);
        if (rc > 0 && (p[0].revents & POLLIN))
            accept_some(sh, b, &r);
    }
    free(p);
}

/* How long one password check takes here, in microseconds. */
static long time_check(const char *hash)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    ovmd_check_password("ovmd-timing-probe", hash);
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (long)((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000);
}

static ssh_lockout *open_throttle(const sshd_config *c)
{
    ssh_lockout_policy pol = {c->lockout_failures, c->lockout_minutes * 60, c->unknown_hashes};
    char *path = sshd_throttle_path(c);
    ssh_lockout *l = ssh_lockout_create(path, &pol);
    if (!l)
        log_err("ssh: cannot create the password throttle table %s: %s", path, strerror(errno));
    free(path);
    return l;
}

int sshd_run(const sshd_config *c, volatile int *stop)
{
    if (!c->host_key_dir || !c->authorized_keys || !c->engine_socket || !c->privsep_dir) {
        log_err("ssh: configuration incomplete (call sshd_config_finish)");
        return -1;
    }
    char *dummy = NULL;
    if (ovmd_hash_password("ovmd-unknown-user", &dummy) != 0) {
        log_err("ssh: crypt(3) cannot hash passwords");
        return -1;
    }
    ssh_init();
    ssh_bind b = make_bind(c);
    ssh_lockout *lock = b ? open_throttle(c) : NULL;
    ssh_startups *su = lock ? ssh_startups_new(&c->startups) : NULL;
    int rc = -1;
    log_rate *lr = su ? log_rate_new(PREAUTH_LOG_PER_SEC, PREAUTH_LOG_BURST, "ssh: pre-authentication") : NULL;
    ssh_privsep ps;
    ssh_broker *broker = lr && ssh_privsep_prepare(c, &ps) == 0 ? ssh_broker_new(c->engine_socket) : NULL;
    if (broker) {
        sshd_shared sh = {c, lock, dummy, time_check(dummy), su, -1, lr, &ps, broker, -1, NULL};
        serve(&sh, b, stop);
        rc = 0;
    }
    ssh_broker_free(broker);
    log_rate_free(lr);
    ssh_startups_free(su);
    ssh_lockout_free(lock);
    if (b)
        ssh_bind_free(b);
    ssh_finalize();
    free(dummy);
    return rc;
}
