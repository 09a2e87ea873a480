/* The sandbox of a connection process (ssh_privsep.h). */
#include "shell/sshd/ssh_privsep.h"
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <seccomp.h>
#include "lib/log.h"
#include "lib/util.h"

/* The system calls a connection process and its session process make after
 * the sandbox closes: the pumping of the channel (libssh, poll), password
 * hashing, fork of the session process, its pty, readline, the fds passed
 * by the listener, and what the sanitizers' runtime uses (mmap, madvise,
 * sigaltstack, prctl, readlink). Names this architecture lacks are skipped.
 * Not here, hence refused: open, socket, connect, execve, ptrace, mount,
 * chroot, setuid and the rest. */
static const char *const allowed[] = {
    "read", "write", "readv", "writev", "pread64", "pwrite64", "close", "close_range", "lseek", "fstat",
    "newfstatat", "statx", "fcntl", "ioctl", "dup", "dup2", "dup3", "pipe", "pipe2", "poll", "ppoll",
    "select", "pselect6", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "sendto", "recvfrom",
    "sendmsg", "recvmsg", "shutdown", "getsockopt", "setsockopt", "getpeername", "getsockname", "brk", "mmap",
    "munmap", "mremap", "mprotect", "madvise", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
    "alarm", "setitimer", "getitimer", "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres",
    "gettimeofday", "time", "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid",
    "getresuid", "getresgid", "getpgrp", "getpgid", "getsid", "setsid", "fork", "wait4", "waitid", "kill",
    "tgkill", "tkill", "exit", "exit_group", "futex", "set_robust_list", "get_robust_list", "rseq",
    "set_tid_address", "sched_yield", "sched_getaffinity", "getrandom", "prctl", "prlimit64", "getrlimit",
    "uname", "umask", "restart_syscall", "readlink", "readlinkat", "getcwd", "sysinfo", "membarrier",
};

/* Namespaces would give the process a root of its own. */
#define CLONE_NAMESPACES                                                                                         \
    (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)

/* Refused calls fail with EPERM (and are logged by the kernel's audit where
 * it can) rather than killing: a call we missed then costs one feature of
 * one session, not the session, and the sanitizers' runtime survives. */
static int load_filter(void)
{
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!f)
        return -1;
    int rc = 0;
    seccomp_attr_set(f, SCMP_FLTATR_CTL_LOG, 1); /* where the kernel cannot log, no matter */
    for (size_t i = 0; rc == 0 && i < sizeof allowed / sizeof allowed[0]; i++) {
        int nr = seccomp_syscall_resolve_name(allowed[i]);
        if (nr != __NR_SCMP_ERROR)
            rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0);
    }
    /* fork() is clone() without namespace flags; clone3 hides its flags in
     * memory, so it answers ENOSYS and glibc falls back to clone. */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NAMESPACES, 0));
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (rc == 0)
        rc = seccomp_load(f);
    seccomp_release(f);
    return rc == 0 ? 0 : -1;
}

/* An empty folder of root's that nobody else may write. */
static int check_empty_dir(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
        log_err("ssh: %s (ssh.privsep_dir) must be a folder of root's that only root may write", dir);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        log_err("ssh: cannot read %s (ssh.privsep_dir): %s", dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int entries = 0;
    while ((e = readdir(d)) != NULL)
        entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    if (entries) {
        log_err("ssh: %s (ssh.privsep_dir) must be empty", dir);
        return -1;
    }
    return 0;
}

int ssh_privsep_prepare(const sshd_config *c, ssh_privsep *ps)
{
    memset(ps, 0, sizeof *ps);
    ps->dir = c->privsep_dir;
    ps->as_root = geteuid() == 0;
    if (!ps->as_root) {
        log_info("ssh: not running as root: connection processes keep uid %d, without chroot", (int)geteuid());
        return 0;
    }
    struct passwd *pw = getpwnam(c->privsep_user);
    if (!pw || pw->pw_uid == 0) {
        log_err("ssh: ssh.privsep_user %s: %s", c->privsep_user, pw ? "must not be root" : "no such user");
        return -1;
    }
    ps->uid = pw->pw_uid;
    ps->gid = pw->pw_gid;
    mode_t old = umask(022);
    int rc = ovm_mkdir_p(c->privsep_dir, 0755);
    umask(old);
    if (rc != 0) {
        log_err("ssh: cannot create %s: %s", c->privsep_dir, strerror(errno));
        return -1;
    }
    if (check_empty_dir(c->privsep_dir) != 0)
        return -1;
    log_info("ssh: connection processes run as %s (uid %d) in %s", c->privsep_user, (int)ps->uid, ps->dir);
    return 0;
}

/* chroot, then every id to the unprivileged user; then proves that root
 * cannot be had back. */
static int drop_root(const ssh_privsep *ps)
{
    if (chroot(ps->dir) != 0 || chdir("/") != 0) {
        log_err("ssh: cannot chroot to %s: %s", ps->dir, strerror(errno));
        return -1;
    }
    if (setgroups(0, NULL) != 0 || setresgid(ps->gid, ps->gid, ps->gid) != 0 ||
        setresuid(ps->uid, ps->uid, ps->uid) != 0) {
        log_err("ssh: cannot drop to uid %d: %s", (int)ps->uid, strerror(errno));
        return -1;
    }
    uid_t r, e, s;
    if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0 || getresuid(&r, &e, &s) != 0 || r != ps->uid ||
        e != ps->uid || s != ps->uid || getegid() != ps->gid) {
        log_err("ssh: dropping root did not hold");
        return -1;
    }
    return 0;
}

int ssh_privsep_enter(const ssh_privsep *ps)
{
    tzset(); /* log lines keep their time zone without /etc/localtime */
    pid_t parent = getppid();
    if (ps->as_root && drop_root(ps) != 0)
        return -1;
    /* A change of uid clears the parent-death signal: set it again. */
    if (prctl(PR_SET_PDEATHSIG, SIGHUP) != 0 || getppid() != parent) {
        log_err("ssh: the listener is gone");
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        log_err("ssh: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
        return -1;
    }
    if (load_filter() != 0) {
        log_err("ssh: cannot load the seccomp filter");
        return -1;
    }
    return 0;
}
