/* The libvirt driver: real QEMU/KVM guests through the libvirt C API. Its
 * row of operations, its options, and disk images made with qemu-img (the
 * image tool, run as a child process; raw images are sparse files, as with
 * the simulator). */
#include "agent/lv.h"
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "agent/sim.h"
#include "agent/sim_driver.h"
#include "lib/log.h"
#include "lib/util.h"

extern char **environ;

static int parse_owner(struct lv *lv, const char *spec)
{
    unsigned long uid, gid;
    char extra;
    if (sscanf(spec, "%lu:%lu%c", &uid, &gid, &extra) != 2) {
        log_err("--libvirt-image-owner wants UID:GID, not '%s'", spec);
        return -1;
    }
    lv->owner_uid = (uid_t)uid;
    lv->owner_gid = (gid_t)gid;
    lv->have_owner = 1;
    return 0;
}

static int lv_drv_open(struct sim *s, const struct agent_config *cfg)
{
    struct lv *lv = xcalloc(1, sizeof *lv);
    pthread_mutex_init(&lv->conn_lock, NULL);
    lv->wake_timer = -1;
    lv->uri = xstrdup(cfg->libvirt_uri ? cfg->libvirt_uri : "qemu:///system");
    lv->domain_type = xstrdup(cfg->libvirt_domain_type ? cfg->libvirt_domain_type : "qemu");
    lv->migrate_uri = cfg->libvirt_migrate_uri ? xstrdup(cfg->libvirt_migrate_uri) : NULL;
    lv->migrate_unsafe = cfg->libvirt_migrate_unsafe;
    lv->shutdown_timeout = cfg->libvirt_shutdown_timeout;
    lv->make_bridges = cfg->libvirt_bridges;
    s->drv_priv = lv;
    if (cfg->libvirt_image_owner && parse_owner(lv, cfg->libvirt_image_owner) != 0)
        return -1;
    if (lv_open(lv) != 0)
        return -1;
    virConnectPtr conn = lv_conn_get(lv);
    if (!conn) /* not fatal: the daemon may come later; every call retries */
        log_warn("libvirt at %s is not reachable yet: %s", lv->uri, virGetLastErrorMessage());
    else
        virConnectClose(conn);
    log_info("libvirt driver: %s, domain type %s%s", lv->uri, lv->domain_type,
             lv->migrate_unsafe ? ", unsafe migration allowed (test switch)" : "");
    return 0;
}

static void lv_drv_close(struct sim *s)
{
    struct lv *lv = s->drv_priv;
    if (!lv)
        return;
    lv_close(lv);
    pthread_mutex_destroy(&lv->conn_lock);
    free(lv->uri);
    free(lv->domain_type);
    free(lv->migrate_uri);
    free(lv);
    s->drv_priv = NULL;
}

/* Runs qemu-img with argv; 0, or -1 with errno (EIO when it failed). */
static int qemu_img(char *const argv[])
{
    pid_t pid;
    int rc = posix_spawnp(&pid, "qemu-img", NULL, NULL, argv, environ);
    if (rc != 0) {
        log_warn("cannot run qemu-img: %s", strerror(rc));
        errno = rc;
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    log_warn("qemu-img %s failed (status %d)", argv[1], status);
    errno = EIO;
    return -1;
}

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}

/* A disk whose name ends in .qcow2 is a qcow2 image; anything else raw. */
static int lv_disk_create(struct sim *s, const char *path, int64_t size)
{
    (void)s;
    if (!ends_with(path, ".qcow2"))
        return disk_create_sparse(path, size);
    if (access(path, F_OK) == 0) {
        errno = EEXIST;
        return -1;
    }
    char bytes[32];
    snprintf(bytes, sizeof bytes, "%lld", (long long)size);
    char *argv[] = {"qemu-img", "create", "-q", "-f", "qcow2", (char *)path, bytes, NULL};
    return qemu_img(argv);
}

/* qcow2 sources are converted (sparse: only allocated clusters; non-sparse:
 * fully preallocated); raw ones copied extent by extent like the sim does. */
static int lv_disk_copy(struct sim *s, const char *src, const char *dst, int sparse)
{
    (void)s;
    if (access(src, R_OK) != 0)
        return -1;
    if (strcmp(lvx_image_format(src), "qcow2") != 0)
        return disk_copy_extents(src, dst, sparse);
    if (access(dst, F_OK) == 0) {
        errno = EEXIST;
        return -2;
    }
    char *argv[] = {"qemu-img", "convert", "-q", "-f", "qcow2", "-O", "qcow2", "-o",
                    sparse ? "preallocation=off" : "preallocation=full", (char *)src, (char *)dst, NULL};
    if (qemu_img(argv) == 0)
        return 0;
    int e = errno;
    unlink(dst);
    errno = e;
    return -2;
}

/* qcow2 images grow through qemu-img (its virtual size lives in the header);
 * raw ones are sparse files that simply get longer. */
static int lv_disk_resize(struct sim *s, const char *path, int64_t size)
{
    (void)s;
    if (strcmp(lvx_image_format(path), "qcow2") != 0)
        return disk_grow_raw(path, size);
    char bytes[32];
    snprintf(bytes, sizeof bytes, "%lld", (long long)size);
    char *argv[] = {"qemu-img", "resize", "-q", "-f", "qcow2", (char *)path, bytes, NULL};
    return qemu_img(argv);
}

const struct driver libvirt_driver = {
    .name = "libvirt",
    .open = lv_drv_open,
    .close = lv_drv_close,
    .host_facts = lv_host_facts,
    .vm_running = lv_vm_running,
    .repo_busy = lv_repo_busy,
    .start = lv_start,
    .stop = lv_stop,
    .reboot = lv_reboot,
    .pause = lv_pause,
    .save = lv_save,
    .restore = lv_restore,
    .list_vm = lv_list_vm,
    .list_vms = lv_list_vms,
    .set_vcpus = lv_set_vcpus,
    .migrate = lv_migrate,
    .migration_target = lv_migration_target,
    .disk_create = lv_disk_create,
    .disk_copy = lv_disk_copy,
    .disk_resize = lv_disk_resize,
    .bridge = lv_bridge,
};
