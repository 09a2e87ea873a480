/* The tgt provisioning plug-in (doc/agent-protocol.md §5.9): LUNs that the
 * Manager creates, grows and deletes on a Linux SCSI target (tgtd) running
 * on the admin server itself, as file-backed logical units made with tgtadm.
 * Which tgtd, target and folder come from the array's plugin_private string,
 * "control=<N>;tid=<T>;dir=<absolute folder>". Discovery, validation and
 * block I/O are the generic iSCSI code's (agent/san.c). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "agent/san.h"
#include "agent/san_tgt.h"
#include "agent/sim.h"
#include "lib/util.h"

extern char **environ;

/* Parses ss.plugin_private; 0, or -1 after a fault. */
int tgt_conf_of(struct call_ctx *c, const xr_value *ss, tgt_conf *t)
{
    const char *p = sim_str(ss, "plugin_private", "");
    long control = -1, tid = -1;
    char dir[512] = "";
    if (sscanf(p, "control=%ld;tid=%ld;dir=%511[^;]", &control, &tid, dir) != 3 || control < 0 ||
        tid <= 0 || dir[0] != '/' || strstr(dir, "..")) {
        call_fault(c, "exceptions.RuntimeError:plugin_private must read control=<N>;tid=<T>;dir=<absolute folder>");
        return -1;
    }
    snprintf(t->control, sizeof t->control, "%ld", control);
    snprintf(t->tid, sizeof t->tid, "%ld", tid);
    t->dir = xstrdup(dir);
    return 0;
}

/* Runs tgtadm -C <control> --lld iscsi <args...>; its stdout in *out when
 * out is not NULL (heap). The exit status, or -1 when it could not run. */
int tgtadm(const tgt_conf *t, const char *const *args, char **out)
{
    const char *argv[24] = {"tgtadm", "-C", t->control, "--lld", "iscsi"};
    size_t n = 5;
    for (; *args && n < 23; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    pid_t pid;
    int rc = posix_spawnp(&pid, "tgtadm", &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    strbuf sb = STRBUF_INIT;
    char buf[4096];
    for (ssize_t k; rc == 0 && (k = read(fds[0], buf, sizeof buf)) != 0;) {
        if (k > 0)
            sb_add(&sb, buf, (size_t)k);
        else if (errno != EINTR)
            break;
    }
    close(fds[0]);
    int status = 0;
    while (rc == 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    char *text = sb_detach(&sb, NULL);
    if (out)
        *out = text ? text : xstrdup("");
    else
        free(text);
    return rc != 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The lowest LUN number above 0 that no target of the array uses (its own
 * and those of its access groups, san_tgt_acl.c, since a LUN keeps its number
 * when it moves between them); -1 after a fault. */
static int free_lun(struct call_ctx *c, const tgt_conf *t)
{
    for (int lun = 1; lun < 256; lun++) {
        int used = tgt_lun_used(t, lun);
        if (used < 0) {
            call_fault(c, "exceptions.RuntimeError:tgtadm -C %s cannot list target %s", t->control, t->tid);
            return -1;
        }
        if (!used)
            return lun;
    }
    call_fault(c, "exceptions.RuntimeError:target %s has no free LUN number", t->tid);
    return -1;
}

/* The element the array now reports for (target, lun), through iSCSI. */
static xr_value *element_at(struct call_ctx *c, const xr_value *ss, int lun)
{
    xr_value *all = san_iscsi_elements(c, ss, SAN_TGT_ADMIN_IQN), *found = NULL;
    for (size_t i = 0; all && i < all->n && !found; i++)
        if (sim_int(all->items[i], "lun", -1) == lun)
            found = xr_copy(all->items[i]);
    xr_free(all);
    if (!found && !c->fault)
        call_fault(c, "exceptions.RuntimeError:LUN %d does not show on the array", lun);
    return found;
}

/* Adds the file at path as LUN lun of target t->tid. A LUN that lives in an
 * access group's target (san_tgt_acl.c) gets the SCSI id and serial tgtd
 * gave it in the array's target base, so that its page 0x83 id stays. 0, or
 * -1 after a fault. */
static int add_lun(struct call_ctx *c, const tgt_conf *t, int lun, const char *path, const char *base)
{
    char lunbuf[16], params[96];
    snprintf(lunbuf, sizeof lunbuf, "%d", lun);
    snprintf(params, sizeof params, "scsi_id=IET     %04x%04x,scsi_sn=beaf%s%d", atoi(base), lun, base, lun);
    const char *const args[] = {"--op", "new", "--mode", "logicalunit", "--tid", t->tid, "--lun", lunbuf,
                                "-b", path, NULL};
    const char *const ids[] = {"--op", "update", "--mode", "logicalunit", "--tid", t->tid, "--lun", lunbuf,
                               "--params", params, NULL};
    if (tgtadm(t, args, NULL) == 0 && (!strcmp(t->tid, base) || tgtadm(t, ids, NULL) == 0))
        return 0;
    call_fault(c, "exceptions.RuntimeError:tgtadm could not add %s as LUN %d of target %s", path, lun, t->tid);
    return -1;
}

static int del_lun(const tgt_conf *t, int lun)
{
    char lunbuf[16];
    snprintf(lunbuf, sizeof lunbuf, "%d", lun);
    const char *const args[] = {"--op", "delete", "--mode", "logicalunit", "--tid", t->tid, "--lun", lunbuf, NULL};
    return tgtadm(t, args, NULL);
}

/* <dir>/<name>.img, name being one path component (the disk's id). */
static char *backing_path(struct call_ctx *c, const tgt_conf *t, const char *name)
{
    if (!sim_valid_name(name)) {
        call_fault(c, "exceptions.RuntimeError:invalid LUN name: '%s'", name);
        return NULL;
    }
    return xasprintf("%s/%s.img", t->dir, name);
}

/* Points t at the target that holds LUN lun now (an access group may have
 * moved it, san_tgt_acl.c); the array's own tid in base. */
static void lun_home(tgt_conf *t, int64_t lun, char *base, size_t len)
{
    snprintf(base, len, "%s", t->tid);
    char home[24];
    if (tgt_lun_home(t, (int)lun, home, sizeof home) == 0)
        snprintf(t->tid, sizeof t->tid, "%s", home);
}

/* What every provisioning call starts with: the plug-in checked, the tgtd
 * settings of ss (argv[1]) in *t and the backing file of the LUN named
 * argv[2]. The path (heap), or NULL after a fault; t->dir is the caller's. */
static char *tgt_begin(struct call_ctx *c, xr_value *const *argv, tgt_conf *t)
{
    if (san_check_tgt(c, xr_get_str(argv[0]), argv[1]) != 0 || tgt_conf_of(c, argv[1], t) != 0)
        return NULL;
    return backing_path(c, t, xr_get_str(argv[2]));
}

SIM_HANDLER(h_storage_plugin_createSE)
{
    (void)argc;
    tgt_conf t = {0};
    int64_t size = 0;
    xr_get_int64(argv[3], &size);
    char *path = tgt_begin(c, argv, &t);
    int lun = path ? free_lun(c, &t) : -1, fd = -1;
    if (lun > 0 && (fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
        call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", errno, strerror(errno), path);
    int ok = fd >= 0 && ftruncate(fd, (off_t)size) == 0;
    int thin = 1;
    xr_get_bool(argv[4], &thin);
    if (ok && !thin)
        ok = posix_fallocate(fd, 0, (off_t)size) == 0;
    if (fd >= 0)
        close(fd);
    if (fd >= 0 && !ok)
        call_fault(c, "exceptions.OSError:cannot size '%s' to %lld bytes", path, (long long)size);
    xr_value *se = NULL;
    if (ok && add_lun(c, &t, lun, path, t.tid) == 0 && !(se = element_at(c, argv[1], lun)))
        del_lun(&t, lun);
    if (!se && fd >= 0)
        unlink(path); /* nothing of a failed create is left */
    free(path);
    free(t.dir);
    return se;
}

/* Grows the backing file, then re-adds the LUN under the same number so that
 * tgtd reads the new size (it sizes a LUN when it is added), in the target
 * that holds it; its page 0x83 id follows from its SCSI id, which add_lun
 * keeps, so the disk keeps it. */
SIM_HANDLER(h_storage_plugin_resizeSE)
{
    (void)argc;
    tgt_conf t = {0};
    int64_t lun = 0, size = 0;
    xr_get_int64(argv[3], &lun);
    xr_get_int64(argv[4], &size);
    char *path = tgt_begin(c, argv, &t), base[24];
    struct stat st;
    xr_value *se = NULL;
    if (path)
        lun_home(&t, lun, base, sizeof base);
    if (path && stat(path, &st) != 0)
        call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", errno, strerror(errno), path);
    else if (path && size < (int64_t)st.st_size)
        call_fault(c, "exceptions.ValueError:cannot shrink LUN %lld from %lld to %lld bytes", (long long)lun,
                   (long long)st.st_size, (long long)size);
    else if (path && truncate(path, (off_t)size) != 0)
        call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", errno, strerror(errno), path);
    else if (path && (del_lun(&t, (int)lun) != 0 || add_lun(c, &t, (int)lun, path, base) != 0))
        call_fault(c, "exceptions.RuntimeError:tgtadm could not re-add LUN %lld", (long long)lun);
    else if (path)
        se = element_at(c, argv[1], (int)lun);
    free(path);
    free(t.dir);
    return se;
}

SIM_HANDLER(h_storage_plugin_destroySE)
{
    (void)argc;
    tgt_conf t = {0};
    int64_t lun = 0;
    xr_get_int64(argv[3], &lun);
    char *path = tgt_begin(c, argv, &t), base[24];
    if (path)
        lun_home(&t, lun, base, sizeof base);
    if (path && del_lun(&t, (int)lun) != 0)
        call_fault(c, "exceptions.RuntimeError:tgtadm could not delete LUN %lld of target %s", (long long)lun, t.tid);
    else if (path && unlink(path) != 0 && errno != ENOENT)
        call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", errno, strerror(errno), path);
    free(path);
    free(t.dir);
    return c->fault ? NULL : xr_nil();
}
