/* The SSH listener: host keys, the bound socket, one process per
 * connection (key exchange in the child, doc/architecture.md §1: sessions are
 * processes), and reaping. A connection process that crashes takes only
 * its own client with it. */
#include "shell/sshd.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include "lib/log.h"
#include "lib/util.h"
#include "shell/ssh_lockout.h"
#include "shell/ssh_session.h"

/* Exit status of a connection process killed by its login grace alarm. */
#define GRACE_EXPIRED 3

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
     * listen(2) on a listening socket just raises it. */
    if (listen(ssh_bind_get_fd(b), 512) != 0)
        log_warn("ssh: cannot raise the listen backlog: %s", strerror(errno));
    log_info("ssh: listening on %s port %d", c->listen ? c->listen : "*", port);
    return b;
}

static void on_grace_alarm(int sig)
{
    _exit(GRACE_EXPIRED);
}

/* Runs in the connection process; never returns. */
static void connection_main(const sshd_shared *sh, ssh_bind b, ssh_session s, pid_t listener)
{
    /* When ovmd stops the listener, its sessions end with it. */
    prctl(PR_SET_PDEATHSIG, SIGHUP);
    if (getppid() != listener)
        _exit(1);
    ssh_bind_free(b);
    signal(SIGALRM, on_grace_alarm);
    signal(SIGPIPE, SIG_IGN);
    if (sh->cfg->login_grace > 0)
        alarm((unsigned)sh->cfg->login_grace);
    _exit(ssh_session_serve(sh, s));
}

static void accept_one(const sshd_shared *sh, ssh_bind b)
{
    ssh_session s = ssh_new();
    if (!s)
        return;
    if (ssh_bind_accept(b, s) != SSH_OK) {
        log_warn("ssh: accept failed: %s", ssh_get_error(b));
        ssh_free(s);
        return;
    }
    pid_t self = getpid(), pid = fork();
    if (pid == 0)
        connection_main(sh, b, s, self);
    if (pid < 0)
        log_err("ssh: cannot fork for a connection: %s", strerror(errno));
    ssh_free(s); /* the parent's copy: closes its socket, sends nothing */
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

static void serve(const sshd_shared *sh, ssh_bind b, volatile int *stop)
{
    struct pollfd p = {ssh_bind_get_fd(b), POLLIN, 0};
    while (!*stop) {
        int n = poll(&p, 1, 500);
        int poll_errno = errno; /* reap's waitpid sets errno (ECHILD) */
        reap();
        if (n < 0 && poll_errno != EINTR) {
            log_err("ssh: poll: %s", strerror(poll_errno));
            break;
        }
        if (n > 0 && (p.revents & POLLIN))
            accept_one(sh, b);
    }
}

int sshd_run(const sshd_config *c, volatile int *stop)
{
    if (!c->host_key_dir || !c->authorized_keys || !c->engine_socket) {
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
    ssh_lockout *lock = b ? ssh_lockout_new(c->nusers) : NULL;
    int rc = -1;
    if (lock) {
        sshd_shared sh = {c, lock, dummy};
        serve(&sh, b, stop);
        rc = 0;
    }
    ssh_lockout_free(lock);
    if (b)
        ssh_bind_free(b);
    ssh_finalize();
    free(dummy);
    return rc;
}
