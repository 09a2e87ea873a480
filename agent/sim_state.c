/* Sim state: lifetime and small helpers (persistence: sim_persist.c).
 *
 * s->st is one XR_STRUCT, saved after every call that changes it:
 *   unique_id, boot_time, manager_uuid, manager_event_url, manager_statistic_url,
 *   roles, pool {uuid alias virtual_ip node_number members[]},
 *   mounts {mount_point: fs_location}, repos {uuid: {fs_location mount_point alias manager_uuid}},
 *   domains {vm_id: domain record}, next_domid, bridges {bridge: port},
 *   ntp_servers[], ntp_running, stats_interval.
 * VM configurations and disks are not in st: they live in the repositories. */
#include "agent/sim.h"
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"

static void make_unique_id(char *buf, size_t len)
{
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        abort();
    size_t off = 0;
    for (size_t i = 0; i < sizeof raw && off + 3 < len; i++)
        off += (size_t)snprintf(buf + off, len - off, i ? ":%02x" : "%02x", raw[i]);
}

/* Fills in members a fresh or older state file lacks, so code can rely on them. */
static void fill_defaults(struct sim *s)
{
    xr_value *st = s->st;
    if (!xr_get_str(xr_struct_get(st, "unique_id"))) {
        char id[64];
        make_unique_id(id, sizeof id);
        xr_struct_set(st, "unique_id", xr_string(id));
    }
    if (!xr_struct_get(st, "boot_time"))
        xr_struct_set(st, "boot_time", xr_int((int64_t)time(NULL)));
    if (!xr_struct_get(st, "manager_uuid"))
        xr_struct_set(st, "manager_uuid", xr_string(""));
    if (!xr_struct_get(st, "roles"))
        xr_struct_set(st, "roles", xr_string("xen,utility"));
    if (!xr_struct_get(st, "next_domid"))
        xr_struct_set(st, "next_domid", xr_int(1));
    if (!xr_struct_get(st, "stats_interval"))
        xr_struct_set(st, "stats_interval", xr_int(20));
    if (!xr_struct_get(st, "ntp_running"))
        xr_struct_set(st, "ntp_running", xr_bool(0));
    sim_member(st, "mounts", XR_STRUCT);
    sim_member(st, "repos", XR_STRUCT);
    sim_member(st, "repo_exports", XR_STRUCT);
    sim_member(st, "domains", XR_STRUCT);
    sim_member(st, "bridges", XR_STRUCT);
    sim_member(st, "ntp_servers", XR_ARRAY);
}

static char *default_hostname(const char *listen)
{
    if (!strcmp(listen, "0.0.0.0") || !strcmp(listen, "::")) {
        char h[256];
        if (gethostname(h, sizeof h) == 0) {
            h[sizeof h - 1] = '\0';
            return xstrdup(h);
        }
        return xstrdup("ovs");
    }
    char *name = xasprintf("ovs-%s", listen);
    for (char *p = name; *p; p++)
        if (*p == '.' || *p == ':')
            *p = '-';
    return name;
}

static int make_dirs(struct sim *s)
{
    char *repos = xasprintf("%s/OVS/Repositories", s->state_dir);
    int rc = ovm_mkdir_p(repos, 0755);
    if (rc == 0)
        rc = ovm_mkdir_p(s->nfs_root, 0755);
    if (rc != 0)
        log_err("cannot create %s or %s: %s", repos, s->nfs_root, strerror(errno));
    free(repos);
    return rc;
}

struct sim *sim_open(const struct agent_config *cfg, const char *password)
{
    struct sim *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->pw_lock, NULL);
    s->state_dir = xstrdup(cfg->state_dir);
    s->nfs_root = cfg->nfs_root ? xstrdup(cfg->nfs_root) : xasprintf("%s/exports", cfg->state_dir);
    s->lun_fs_root = cfg->lun_fs_root ? xstrdup(cfg->lun_fs_root) : xasprintf("%s/lunfs", cfg->state_dir);
    s->listen = xstrdup(cfg->listen);
    s->hostname = cfg->hostname ? xstrdup(cfg->hostname) : default_hostname(cfg->listen);
    s->password = xstrdup(password);
    s->password_file = cfg->password_file ? xstrdup(cfg->password_file) : NULL;
    s->port = cfg->port;
    s->cpus = cfg->cpus;
    s->memory_mb = cfg->memory_mb;
    s->nfs_size_gb = cfg->nfs_size_gb;
    /* Import limits (ovm-agentd(8), IMPORTS); 0 means the option's default. */
    s->import_max_bytes = (cfg->import_max_mb ? cfg->import_max_mb : 65536) << 20;
    s->import_connect_timeout = cfg->import_connect_timeout ? (long)cfg->import_connect_timeout : 30;
    s->import_stall_timeout = cfg->import_stall_timeout ? (long)cfg->import_stall_timeout : 60;
    s->import_ca_file = cfg->import_ca_file ? xstrdup(cfg->import_ca_file) : NULL;
    /* Callers that build a config by hand (tests, fuzzers) may leave the
     * reported identity unset: it defaults to what ovm-agentd's options do. */
    s->cpu_family = cfg->cpu_family ? cfg->cpu_family : 6;
    s->cpu_model = cfg->cpu_model ? cfg->cpu_model : 79;
    s->ovm_version = xstrdup(cfg->ovm_version ? cfg->ovm_version : "3.4.6-2105");
    s->xen_version = xstrdup(cfg->xen_version ? cfg->xen_version : "4.4.4OVM");
    int built_in;
    s->drv = driver_find(cfg->driver ? cfg->driver : "sim", &built_in);
    if (!s->drv) {
        log_err("driver %s is %s", cfg->driver, built_in ? "unknown" : "not built in");
        sim_close(s);
        return NULL;
    }
    if (make_dirs(s) != 0 || sim_load(s) != 0) {
        sim_close(s);
        return NULL;
    }
    fill_defaults(s);
    sim_update_seed(s);
    if (sim_save(s) != 0 || s->drv->open(s, cfg) != 0) {
        sim_close(s);
        return NULL;
    }
    return s;
}

void sim_close(struct sim *s)
{
    if (!s)
        return;
    if (s->drv && s->drv->close)
        s->drv->close(s);
    xr_free(s->st);
    xr_free(s->dirty);
    free(s->host_doc);
    free(s->state_dir);
    free(s->nfs_root);
    free(s->lun_fs_root);
    free(s->listen);
    free(s->hostname);
    free(s->ovm_version);
    free(s->xen_version);
    free(s->password);
    free(s->password_file);
    free(s->import_ca_file);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->pw_lock);
    free(s);
}

int sim_check_password(struct sim *s, const char *user, const char *password)
{
    if (!user || !password || strcmp(user, "oracle") != 0)
        return 0;
    pthread_mutex_lock(&s->pw_lock);
    size_t a = strlen(s->password), b = strlen(password);
    /* Constant-time over the stored password's length. */
    unsigned diff = (unsigned)(a ^ b);
    for (size_t i = 0; i < a; i++)
        diff |= (unsigned char)s->password[i] ^ (unsigned char)(i < b ? password[i] : 0);
    pthread_mutex_unlock(&s->pw_lock);
    return diff == 0;
}

char *sim_password(struct sim *s)
{
    pthread_mutex_lock(&s->pw_lock);
    char *p = xstrdup(s->password);
    pthread_mutex_unlock(&s->pw_lock);
    return p;
}

int sim_sleep(struct sim *s, double secs)
{
    int64_t end = ovm_now_ms() + (int64_t)(secs * 1000.0);
    while (!s->stopping) {
        int64_t left = end - ovm_now_ms();
        if (left <= 0)
            return 0;
        struct timespec ts = {0, (long)(left > 100 ? 100 : left) * 1000000L};
        nanosleep(&ts, NULL);
    }
    return 1;
}

xr_value *sim_member(xr_value *st, const char *key, xr_type t)
{
    xr_value *v = xr_struct_get(st, key);
    if (v && v->type == t)
        return v;
    v = t == XR_ARRAY ? xr_array() : xr_struct();
    xr_struct_set(st, key, v);
    return v;
}

void sim_struct_del(xr_value *st, const char *key)
{
    for (size_t i = 0; i < st->n; i++) {
        if (strcmp(st->keys[i], key) != 0)
            continue;
        xr_free(st->items[i]);
        free(st->keys[i]);
        memmove(st->items + i, st->items + i + 1, (st->n - i - 1) * sizeof *st->items);
        memmove(st->keys + i, st->keys + i + 1, (st->n - i - 1) * sizeof *st->keys);
        st->n--;
        return;
    }
}

const char *sim_str(const xr_value *st, const char *key, const char *dflt)
{
    const char *v = xr_get_str(xr_struct_get(st, key));
    return v ? v : dflt;
}

int64_t sim_int(const xr_value *st, const char *key, int64_t dflt)
{
    int64_t v;
    return xr_get_int64(xr_struct_get(st, key), &v) == 0 ? v : dflt;
}

int sim_valid_name(const char *id)
{
    if (!id || !*id || !strcmp(id, ".") || !strcmp(id, "..") || strlen(id) > 255)
        return 0;
    return strchr(id, '/') == NULL;
}

char *sim_host_path(struct sim *s, const char *agent_path)
{
    if (!agent_path || strncmp(agent_path, "/OVS/", 5) != 0)
        return NULL;
    for (const char *p = agent_path; (p = strstr(p, "..")) != NULL; p += 2)
        if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0'))
            return NULL;
    return xasprintf("%s%s", s->state_dir, agent_path);
}

char *sim_repo_dir(struct sim *s, const char *repo_id)
{
    return xasprintf("%s/OVS/Repositories/%s", s->state_dir, repo_id);
}

char *sim_vm_dir(struct sim *s, const char *repo_id, const char *vm_id)
{
    return xasprintf("%s/OVS/Repositories/%s/VirtualMachines/%s", s->state_dir, repo_id, vm_id);
}

int64_t sim_free_mb(struct sim *s)
{
    const xr_value *doms = xr_struct_get(s->st, "domains");
    int64_t used = SIM_DOM0_MB;
    for (size_t i = 0; doms && i < doms->n; i++)
        used += sim_int(doms->items[i], "memory", 0);
    return s->memory_mb > used ? s->memory_mb - used : 0;
}

const xr_value *sim_domain_find(const struct sim *s, const char *vm_id)
{
    return xr_struct_get(xr_struct_get(s->st, "domains"), vm_id);
}

xr_value *sim_domain(struct sim *s, const char *vm_id)
{
    xr_value *dom = xr_struct_get(xr_struct_get(s->st, "domains"), vm_id);
    if (dom)
        sim_domain_dirty(s, vm_id);
    return dom;
}

int sim_mount_busy(struct sim *s, const char *mount_point)
{
    const xr_value *doms = xr_struct_get(s->st, "domains");
    for (size_t i = 0; doms && i < doms->n; i++) {
        char *mp = xasprintf("/OVS/Repositories/%s", sim_str(doms->items[i], "repo_id", ""));
        int same = strcmp(mp, mount_point) == 0;
        free(mp);
        if (same)
            return 1;
    }
    return 0;
}

int sim_rm_rf(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(sb.st_mode))
        return unlink(path);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *child = xasprintf("%s/%s", path, e->d_name);
        rc = sim_rm_rf(child);
        free(child);
    }
    closedir(d);
    return rc == 0 ? rmdir(path) : rc;
}

void sim_xml_el(strbuf *sb, const char *name, const char *value)
{
    sb_addf(sb, "<%s>", name);
    sb_add_xml(sb, value ? value : "");
    sb_addf(sb, "</%s>", name);
}

void sim_xml_elf(strbuf *sb, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = xvasprintf(fmt, ap);
    va_end(ap);
    sim_xml_el(sb, name, v);
    free(v);
}

xr_value *sim_xml_result(strbuf *sb)
{
    xr_value *v = xr_stringn(sb->buf ? sb->buf : "", sb->len);
    sb_free(sb);
    return v;
}
