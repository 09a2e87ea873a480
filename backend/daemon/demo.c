#include "backend/daemon/demo.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "backend/ops/ops.h"
#include "lib/log.h"
#include "lib/proto.h"
#include "lib/util.h"
#include "shell/sshd/sshd.h"

extern char **environ;

static char *read_or_make_secret(const char *path)
{
    char *s = ovm_read_file(path, NULL);
    if (s) {
        s[strcspn(s, "\r\n")] = '\0';
        if (*s)
            return s;
        free(s);
    }
    char rnd[17];
    ovm_random_hex(rnd, 16);
    char *line = xasprintf("%s\n", rnd);
    if (ovm_write_file_atomic(path, line, strlen(line), 0600) != 0)
        log_warn("demo: cannot keep %s: %s", path, strerror(errno));
    free(line);
    return xstrdup(rnd);
}

static int apply(engine_config *cfg, const char *key, const char *value)
{
    char *err = NULL;
    if (sshd_config_apply(cfg->ssh, key, value, &err) != 1) {
        fprintf(stderr, "ovmd: demo: %s\n", err ? err : key);
        free(err);
        return -1;
    }
    return 0;
}

int demo_configure(demo *d, engine_config *cfg, const char *state_dir, const char *listen)
{
    memset(d, 0, sizeof *d);
    /* Absolute, so that every path handed to the simulated hosts is too. */
    d->dir = ovm_abs_path(state_dir ? state_dir : "ovmd-demo");
    if (!d->dir || ovm_mkdir_p(d->dir, 0700) != 0) {
        fprintf(stderr, "ovmd: demo: cannot create %s: %s\n", state_dir ? state_dir : "ovmd-demo",
                strerror(errno));
        return -1;
    }
    free(cfg->state_dir);
    cfg->state_dir = xstrdup(d->dir);
    d->listen = xstrdup("0.0.0.0");
    d->port = 10000;
    if (listen) {
        const char *colon = strrchr(listen, ':');
        free(d->listen);
        d->listen = colon ? xstrndup(listen, (size_t)(colon - listen)) : xstrdup(listen);
        if (colon)
            d->port = atoi(colon + 1);
        if (d->port <= 0 || d->port > 65535) {
            fprintf(stderr, "ovmd: demo: bad --listen '%s'; expected ADDR:PORT\n", listen);
            return -1;
        }
    }
    const char *env = getenv("OVMD_DEMO_PASSWORD");
    char *ppath = xasprintf("%s/admin-password", d->dir);
    d->password = env && *env ? xstrdup(env) : read_or_make_secret(ppath);
    free(ppath);
    char *apath = xasprintf("%s/agent-password", d->dir);
    d->agent_password = read_or_make_secret(apath);
    free(apath);
    char *hash = NULL;
    if (ovmd_hash_password(d->password, &hash) != 0)
        return -1;
    char port[16];
    snprintf(port, sizeof port, "%d", d->port);
    int rc = apply(cfg, "ssh.listen", d->listen) || apply(cfg, "ssh.port", port) ||
             apply(cfg, "auth.users.admin", hash);
    free(hash);
    d->agent_port = cfg->agent_port;
    cfg->poll_interval = cfg->poll_interval ? cfg->poll_interval : 10;
    return rc ? -1 : 0;
}

static char *agent_binary(const char *self_exe)
{
    char *dir = xstrdup(self_exe);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        char *p = xasprintf("%s/ovm-agentd", dir);
        free(dir);
        if (access(p, X_OK) == 0)
            return p;
        free(p);
    } else {
        free(dir);
    }
    return xstrdup("ovm-agentd");
}

/* 1 if something already listens on ip:port (or binding fails otherwise). */
static int address_taken(const char *ip, int port, int *err)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
        *err = errno;
        if (fd >= 0)
            close(fd);
        return 1;
    }
    int one = 1; /* as the agent binds: TIME_WAIT leftovers are not "taken" */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int taken = bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0;
    *err = errno;
    close(fd);
    return taken;
}

static void agent_ip(int n, char *ip, size_t len)
{
    snprintf(ip, len, "127.0.0.%d", n + 2);
}

/* 0 if simulated host n's address is free, else -1 (logged). */
static int check_address(const demo *d, int n)
{
    char ip[32];
    agent_ip(n, ip, sizeof ip);
    int err;
    if (!address_taken(ip, d->agent_port, &err))
        return 0;
    log_err("demo: cannot use %s:%d for simulated host ovs%02d: %s; another demo or agent may be running "
            "(choose another port with 'agent: port:' in ovmd.yaml)",
            ip, d->agent_port, n + 1, strerror(err));
    return -1;
}

/* Starts simulated host n without waiting for it; its pid, or -1 (logged). */
static pid_t spawn_agent(const demo *d, const char *bin, int n)
{
    char ip[32], host[32], port[16];
    agent_ip(n, ip, sizeof ip);
    snprintf(host, sizeof host, "ovs%02d", n + 1);
    snprintf(port, sizeof port, "%d", d->agent_port);
    char *state = xasprintf("%s/agents/%s", d->dir, host);
    char *nfs = xasprintf("%s/nfs", d->dir);
    char *pidf = xasprintf("%s/agents/%s.pid", d->dir, host);
    char *logf = xasprintf("%s/agents/%s.log", d->dir, host);
    char *pwf = xasprintf("%s/agent-password", d->dir);
    ovm_mkdir_p(state, 0700);
    char *argv[] = {(char *)bin, "--listen", ip, "--port", port, "--state-dir", state, "--password-file", pwf,
                    "--nfs-root", nfs, "--hostname", host, "--memory-mb", "32768", "--pid-file", pidf,
                    "--log-file", logf, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, bin, NULL, NULL, argv, environ);
    if (rc != 0)
        log_err("demo: cannot start %s on %s:%s: %s", bin, ip, port, strerror(rc));
    free(state);
    free(nfs);
    free(pidf);
    free(logf);
    free(pwf);
    return rc == 0 ? pid : -1;
}

/* Waits for simulated host n, which detaches once it listens. 0 or -1 (logged). */
static int wait_agent(const demo *d, const char *bin, int n, pid_t pid)
{
    int status = 0;
    if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    char ip[32];
    agent_ip(n, ip, sizeof ip);
    log_err("demo: cannot start %s on %s:%d (see %s/agents/ovs%02d.log)", bin, ip, d->agent_port, d->dir, n + 1);
    return -1;
}

/* All hosts start at once, and the engine opens (and creates its CA) while
 * they do: each generates a TLS key on its first start, and one after the
 * other those waits added up to seconds (issue 10 item 11). */
int demo_start_agents(demo *d, const char *self_exe)
{
    char *bin = agent_binary(self_exe);
    char *export = xasprintf("%s/nfs/127.0.0.1/demo", d->dir);
    ovm_mkdir_p(export, 0755);
    free(export);
    int rc = 0;
    for (int i = 0; i < DEMO_HOSTS && rc == 0; i++)
        rc = check_address(d, i);
    for (int i = 0; i < DEMO_HOSTS && rc == 0; i++)
        if ((d->pids[i] = spawn_agent(d, bin, i)) <= 0)
            rc = -1;
    d->agent_bin = bin;
    d->started = 1;
    return rc;
}

int demo_wait_agents(demo *d)
{
    int rc = 0;
    for (int i = 0; i < DEMO_HOSTS; i++) {
        if (d->pids[i] > 0 && wait_agent(d, d->agent_bin, i, d->pids[i]) != 0)
            rc = -1;
        d->pids[i] = 0;
    }
    return rc;
}

/* The Error Msg line of a rendered failure, or the whole output (heap). */
static char *error_msg(const char *out, size_t len)
{
    const char *m = memmem(out, len, "Error Msg: ", 11);
    if (!m)
        return xstrndup(out, len);
    m += 11;
    return xstrndup(m, strcspn(m, "\r\n"));
}

/* Runs one set-up step. On failure logs it as shown (shown masks secrets:
 * the log must never hold the agent password) with its Error Msg. 0 or -1. */
static int run_step(session *ses, const char *cmd, const char *shown)
{
    char *out;
    size_t len;
    int st = dispatch_command(ses, cmd, strlen(cmd), 0, &out, &len);
    if (st != PS_SUCCESS) {
        char *msg = error_msg(out, len);
        log_err("demo: step '%s' failed: %s", shown, msg);
        free(msg);
    }
    free(out);
    return st == PS_SUCCESS ? 0 : -1;
}

static const char *const demo_setup[] = {
    "create ServerPool name=pool1 clusterEnable=No description=\"Demo pool\"",
    "add Server name=ovs01 to ServerPool name=pool1",
    "add Server name=ovs02 to ServerPool name=pool1",
    "add Server name=ovs03 to ServerPool name=pool1",
    "create FileServer name=nfs1 accessHost=127.0.0.1 adminServers=ovs01",
    "refresh FileServer name=nfs1",
    "create Repository name=repo1 on FileSystem name=nfs:/demo",
    "add ServerPool name=pool1 to Repository name=repo1",
    "create VirtualDisk name=web01-boot size=20 sparse=Yes shareable=No on Repository name=repo1",
    "create VirtualDisk name=db01-boot size=40 sparse=Yes shareable=No on Repository name=repo1",
    "create Vm name=web01 repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=2048 cpuCount=2 "
    "osType=\"Oracle Linux 7\" on ServerPool name=pool1",
    "create Vm name=web02 repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=2048 cpuCount=2 on ServerPool name=pool1",
    "create Vm name=db01 repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=4096 cpuCount=4 on ServerPool name=pool1",
    "create VmDiskMapping slot=0 virtualDisk=web01-boot emulatedBlockDevice=No on Vm name=web01",
    "create VmDiskMapping slot=0 virtualDisk=db01-boot emulatedBlockDevice=No on Vm name=db01",
    "create Vnic name=web01-eth0 network=127.0.0.0 on Vm name=web01",
    "create Vnic name=db01-eth0 network=127.0.0.0 on Vm name=db01",
    "create Tag name=production description=\"Production VMs\"",
    "add Tag name=production to Vm name=db01",
    "start Vm name=web01",
    NULL,
};

/* What the banner promises; checked on every start, also of a kept state. */
static const char *const demo_promises[] = {
    "show ServerPool name=pool1", "show Repository name=repo1", "show Vm name=web01",
    "show Vm name=web02",         "show Vm name=db01",          NULL,
};

typedef struct discovery {
    engine *e;
    const demo *d;
    int n;
    int rc;
} discovery;

static void *discover_one(void *arg)
{
    discovery *x = arg;
    session ses;
    session_init(&ses, x->e, "admin");
    char *cmd = xasprintf("discoverServer ipAddress=127.0.0.%d password=%s", x->n + 2, x->d->agent_password);
    char *shown = xasprintf("discoverServer ipAddress=127.0.0.%d password=******", x->n + 2);
    x->rc = run_step(&ses, cmd, shown);
    free(cmd);
    free(shown);
    return NULL;
}

/* The hosts are discovered at once, each on its own session as concurrent
 * users would: a discovery mostly waits (for its agent's restart after
 * take_ownership), so four in a row took four times as long. */
static int discover_hosts(engine *e, const demo *d)
{
    discovery x[DEMO_HOSTS];
    pthread_t t[DEMO_HOSTS];
    int started[DEMO_HOSTS], rc = 0;
    for (int i = 0; i < DEMO_HOSTS; i++) {
        x[i] = (discovery){.e = e, .d = d, .n = i, .rc = -1};
        started[i] = pthread_create(&t[i], NULL, discover_one, &x[i]) == 0;
        if (!started[i])
            discover_one(&x[i]); /* no thread: do it here, in turn */
    }
    for (int i = 0; i < DEMO_HOSTS; i++) {
        if (started[i])
            pthread_join(t[i], NULL);
        rc |= x[i].rc;
    }
    return rc;
}

int demo_populate(demo *d, engine *e)
{
    if (demo_wait_agents(d) != 0)
        return -1;
    store_rdlock(e->st);
    size_t known = store_count(e->st, "Server");
    store_unlock(e->st);
    session ses;
    session_init(&ses, e, "admin");
    int rc = 0;
    if (!known) { /* a restarted demo keeps what it has */
        rc = discover_hosts(e, d);
        for (const char *const *c = demo_setup; *c && rc == 0; c++)
            rc = run_step(&ses, *c, *c);
    }
    for (const char *const *c = demo_promises; *c && rc == 0; c++)
        rc = run_step(&ses, *c, *c);
    if (rc != 0 && known)
        log_err("demo: %s holds an incomplete demo from an earlier run; remove it to start afresh", d->dir);
    return rc;
}

void demo_banner(const demo *d)
{
    const char *host = !strcmp(d->listen, "0.0.0.0") ? "localhost" : d->listen;
    printf("ovmsh demo is running (state in %s).\n"
           "  user:     admin\n"
           "  password: %s\n"
           "  connect:  ssh -p %d admin@%s\n"
           "  local:    ovmsh -S %s/engine.sock\n"
           "Simulated hosts ovs01..ovs04 listen on 127.0.0.2..127.0.0.5. Stop with Ctrl-C.\n",
           d->dir, d->password, d->port, host, d->dir);
    fflush(stdout);
}

/* Sends SIGTERM to simulated host n; its pid, or 0 when it is not running.
 * Not our child: it detached. */
static pid_t signal_agent(const demo *d, int n)
{
    char *pidf = xasprintf("%s/agents/ovs%02d.pid", d->dir, n + 1);
    char *s = ovm_read_file(pidf, NULL);
    free(pidf);
    if (!s)
        return 0;
    pid_t pid = (pid_t)atol(s);
    free(s);
    return pid > 1 && kill(pid, SIGTERM) == 0 ? pid : 0;
}

/* Waits (bounded) until every signalled host is gone, so that the demo never
 * leaves hosts behind; they stop side by side (one after another took some
 * 8 s for the four). */
static void reap_agents(const pid_t *pids, int n)
{
    for (int round = 0; round < 100; round++) {
        int alive = 0;
        for (int i = 0; i < n; i++)
            alive += pids[i] && kill(pids[i], 0) == 0;
        if (!alive)
            return;
        usleep(50000);
    }
    for (int i = 0; i < n; i++)
        if (pids[i] && kill(pids[i], 0) == 0) {
            log_warn("demo: simulated host ovs%02d (pid %d) ignored SIGTERM; killing it", i + 1, (int)pids[i]);
            kill(pids[i], SIGKILL);
        }
}

void demo_stop(demo *d)
{
    if (d->started) {
        demo_wait_agents(d); /* a host still starting has no pid file yet */
        pid_t pids[DEMO_HOSTS];
        for (int i = 0; i < DEMO_HOSTS; i++)
            pids[i] = signal_agent(d, i);
        reap_agents(pids, DEMO_HOSTS);
    }
    free(d->agent_bin);
    free(d->dir);
    free(d->password);
    free(d->agent_password);
    free(d->listen);
    memset(d, 0, sizeof *d);
}
