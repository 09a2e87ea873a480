/* Repositories: simulated NFS mounts (a symlink from <state>/OVS/Repositories/<id>
 * to the export's directory under the shared NFS root), the .ovsrepo marker
 * (doc/agent-protocol.md §9) and repository discovery. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "agent/sim.h"
#include "agent/vmcfg.h"
#include "lib/log.h"
#include "lib/util.h"

#define MIN_REPO_GB 10
#define MP_PREFIX "/OVS/Repositories/"

static const char *const repo_subdirs[] = {"VirtualMachines", "VirtualDisks", "ISOs", "Templates", "Assemblies"};

#define LUN_DEV_PREFIX "/dev/mapper/"

/* "host:/export/path" -> <nfs_root>/host/export/path; an OCFS2 file system on
 * a LUN, "/dev/mapper/<page83 id>" -> <lun_fs_root>/<page83 id>, the directory
 * every host given the same --lun-fs-root sees as that file system (heap),
 * NULL if malformed. */
static char *export_dir(struct sim *s, const char *fs_location)
{
    if (!strncmp(fs_location, LUN_DEV_PREFIX, strlen(LUN_DEV_PREFIX))) {
        const char *lun = fs_location + strlen(LUN_DEV_PREFIX);
        return sim_valid_name(lun) ? xasprintf("%s/%s", s->lun_fs_root, lun) : NULL;
    }
    const char *colon = strchr(fs_location, ':');
    if (!colon || colon == fs_location || colon[1] != '/')
        return NULL;
    char *host = xstrndup(fs_location, (size_t)(colon - fs_location));
    const char *path = colon + 1;
    size_t n = strlen(path);
    int ok = sim_valid_name(host) && !strstr(path, "/../") && !(n >= 3 && !strcmp(path + n - 3, "/.."));
    char *dir = ok ? xasprintf("%s/%s%s", s->nfs_root, host, path) : NULL;
    free(host);
    return dir;
}

/* The repository id of a mount point /OVS/Repositories/<id>, or NULL. */
static const char *mount_id(const char *mount_point)
{
    if (strncmp(mount_point, MP_PREFIX, strlen(MP_PREFIX)) != 0)
        return NULL;
    const char *id = mount_point + strlen(MP_PREFIX);
    return sim_valid_name(id) ? id : NULL;
}

/* Reads the .ovsrepo marker of a mounted repository into a struct; NULL if absent. */
static xr_value *read_marker(struct sim *s, const char *repo_id)
{
    char *path = xasprintf("%s/OVS/Repositories/%s/.ovsrepo", s->state_dir, repo_id);
    char *text = ovm_read_file(path, NULL);
    free(path);
    if (!text)
        return NULL;
    xr_value *m = xr_struct();
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        xr_struct_set(m, line, xr_string(eq + 1));
    }
    free(text);
    return m;
}

/* Creates the marker exclusively: two agents racing on one export cannot both win. */
static int write_marker(struct sim *s, const char *repo_id, const char *alias, const char *mgr)
{
    char *path = xasprintf("%s/OVS/Repositories/%s/.ovsrepo", s->state_dir, repo_id);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    free(path);
    if (fd < 0)
        return -1;
    char *text = xasprintf("OVS_REPO_UUID=%s\nOVS_REPO_ALIAS=%s\nOVS_REPO_MGR_UUID=%s\nOVS_REPO_VERSION=3.0\n",
                           repo_id, alias, mgr);
    size_t len = strlen(text);
    int rc = write(fd, text, len) == (ssize_t)len ? 0 : -1;
    free(text);
    return close(fd) == 0 ? rc : -1;
}

static int is_mounted(struct sim *s, const char *mount_point)
{
    return xr_struct_get(xr_struct_get(s->st, "mounts"), mount_point) != NULL;
}

static int replace_link(const char *target, const char *link)
{
    struct stat sb;
    if (lstat(link, &sb) == 0 && (S_ISLNK(sb.st_mode) ? unlink(link) : rmdir(link)) != 0)
        return -1;
    return symlink(target, link);
}

SIM_HANDLER(h_mount_repository_fs)
{
    struct sim *s = c->sim;
    const char *loc = xr_get_str(argv[0]), *mp = xr_get_str(argv[1]);
    xr_value *mounts = xr_struct_get(s->st, "mounts");
    const char *id = mount_id(mp);
    char *dir = export_dir(s, loc);
    if (!dir || !id) {
        free(dir);
        return call_fault(c, "exceptions.RuntimeError:mount: invalid NFS location, device or mount point: '%s' '%s'", loc, mp);
    }
    const char *cur = xr_get_str(xr_struct_get(mounts, mp));
    if (cur && strcmp(cur, loc) != 0)
        call_fault(c, "exceptions.RuntimeError:mount: %s is already mounted from %s", mp, cur);
    char *link = sim_host_path(s, mp);
    if (!c->fault && ovm_mkdir_p(dir, 0755) != 0)
        call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", errno, strerror(errno), loc);
    else if (!c->fault && replace_link(dir, link) != 0)
        call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", errno, strerror(errno), mp);
    else if (!c->fault)
        xr_struct_set(mounts, mp, xr_string(loc));
    free(link);
    free(dir);
    return c->fault ? NULL : xr_nil();
}

/* Forgets the mount and every repository registered on it. */
static void drop_mount(struct sim *s, const char *mount_point)
{
    char *link = sim_host_path(s, mount_point);
    if (link && unlink(link) != 0 && errno != ENOENT)
        log_warn("cannot remove %s: %s", link, strerror(errno));
    free(link);
    xr_value *repos = xr_struct_get(s->st, "repos");
    for (size_t i = repos->n; i-- > 0;)
        if (!strcmp(sim_str(repos->items[i], "mount_point", ""), mount_point))
            sim_struct_del(repos, repos->keys[i]);
    sim_struct_del(xr_struct_get(s->st, "mounts"), mount_point);
}

SIM_HANDLER(h_unmount_repository_fs)
{
    const char *mp = xr_get_str(argv[0]);
    if (!is_mounted(c->sim, mp))
        return call_fault(c, "exceptions.RuntimeError:umount: %s: not mounted", mp);
    if (c->sim->drv->repo_busy(c->sim, mp))
        return call_fault(c, "exceptions.RuntimeError:umount: %s: device is busy (running VMs use the repository)", mp);
    drop_mount(c->sim, mp);
    return xr_nil();
}

static void register_repo(struct sim *s, const char *id, const char *loc, const char *mp,
                          const char *alias, const char *mgr)
{
    xr_value *r = xr_struct();
    xr_struct_set(r, "fs_location", xr_string(loc));
    xr_struct_set(r, "mount_point", xr_string(mp));
    xr_struct_set(r, "alias", xr_string(alias));
    xr_struct_set(r, "manager_uuid", xr_string(mgr));
    xr_struct_set(xr_struct_get(s->st, "repos"), id, r);
}

/* Checks shared by create_repository and add_repository: the id of the mount. */
static const char *mounted_id(struct call_ctx *c, const char *loc, const char *mp)
{
    const char *id = mount_id(mp);
    const char *cur = xr_get_str(xr_struct_get(xr_struct_get(c->sim->st, "mounts"), mp));
    if (!id)
        call_fault(c, "exceptions.ValueError:invalid mount point: '%s'", mp);
    else if (!cur || strcmp(cur, loc) != 0)
        call_fault(c, "exceptions.RuntimeError:%s is not mounted at %s", loc, mp);
    return c->fault ? NULL : id;
}

static int make_subdirs(struct sim *s, const char *id)
{
    for (size_t i = 0; i < sizeof repo_subdirs / sizeof *repo_subdirs; i++) {
        char *d = xasprintf("%s/OVS/Repositories/%s/%s", s->state_dir, id, repo_subdirs[i]);
        int rc = mkdir(d, 0755) == 0 || errno == EEXIST ? 0 : -1;
        free(d);
        if (rc)
            return -1;
    }
    return 0;
}

SIM_HANDLER(h_create_repository)
{
    struct sim *s = c->sim;
    const char *loc = xr_get_str(argv[0]), *mp = xr_get_str(argv[1]);
    const char *uuid = xr_get_str(argv[2]), *alias = xr_get_str(argv[3]);
    const char *id = mounted_id(c, loc, mp);
    if (!id)
        return NULL;
    if (strcmp(id, uuid) != 0)
        return call_fault(c, "exceptions.ValueError:mount point %s does not match repository %s", mp, uuid);
    if (s->nfs_size_gb < MIN_REPO_GB)
        return call_fault(c, "exceptions.RuntimeError:file system %s is too small for a repository: %lld GB, "
                          "at least %d GB needed", loc, (long long)s->nfs_size_gb, MIN_REPO_GB);
    const char *mgr = sim_str(s->st, "manager_uuid", "");
    if (write_marker(s, uuid, alias, mgr) != 0)
        return call_fault(c, errno == EEXIST ? "exceptions.RuntimeError:Repository already exists in %s"
                                             : "exceptions.OSError:cannot create a repository in %s", loc);
    if (make_subdirs(s, uuid) != 0)
        return call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", errno, strerror(errno), mp);
    register_repo(s, uuid, loc, mp, alias, mgr);
    return xr_nil();
}

SIM_HANDLER(h_add_repository)
{
    struct sim *s = c->sim;
    const char *loc = xr_get_str(argv[0]), *mp = xr_get_str(argv[1]);
    const char *id = mounted_id(c, loc, mp);
    if (!id)
        return NULL;
    xr_value *m = read_marker(s, id);
    if (!m)
        return call_fault(c, "exceptions.RuntimeError:No repository found in %s", loc);
    if (strcmp(sim_str(m, "OVS_REPO_UUID", ""), id) != 0)
        call_fault(c, "exceptions.RuntimeError:Repository in %s is %s, not %s", loc,
                   sim_str(m, "OVS_REPO_UUID", ""), id);
    else
        register_repo(s, id, loc, mp, sim_str(m, "OVS_REPO_ALIAS", ""), sim_str(m, "OVS_REPO_MGR_UUID", ""));
    xr_free(m);
    return c->fault ? NULL : xr_nil();
}

/* Empties the export directory (the whole repository file system). */
static int erase_contents(struct sim *s, const char *id)
{
    char *dir = sim_repo_dir(s, id);
    DIR *d = opendir(dir);
    int rc = d ? 0 : -1;
    struct dirent *e;
    while (d && rc == 0 && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *child = xasprintf("%s/%s", dir, e->d_name);
        rc = sim_rm_rf(child);
        free(child);
    }
    if (d)
        closedir(d);
    free(dir);
    return rc;
}

SIM_HANDLER(h_delete_repository)
{
    struct sim *s = c->sim;
    const char *uuid = xr_get_str(argv[0]);
    int erase = 0;
    if (argc > 1)
        xr_get_bool(argv[1], &erase);
    const xr_value *r = xr_struct_get(xr_struct_get(s->st, "repos"), uuid);
    if (!r)
        return call_fault(c, "exceptions.RuntimeError:Repository %s not found", uuid);
    char *mp = xstrdup(sim_str(r, "mount_point", ""));
    if (s->drv->repo_busy(s, mp))
        call_fault(c, "exceptions.RuntimeError:Repository %s is in use by running VMs", uuid);
    else if (erase && erase_contents(s, uuid) != 0)
        call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", errno, strerror(errno), mp);
    else
        drop_mount(s, mp);
    free(mp);
    return c->fault ? NULL : xr_nil();
}

SIM_HANDLER(h_discover_repository_db)
{
    struct sim *s = c->sim;
    const xr_value *repos = xr_struct_get(s->st, "repos");
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Discover_Repository_Db_Result><RepositoryDbList>");
    for (size_t i = 0; i < repos->n; i++) {
        const xr_value *r = repos->items[i];
        const char *mp = sim_str(r, "mount_point", "");
        sb_adds(&sb, "<Repository Uuid=\"");
        sb_add_xml(&sb, repos->keys[i]);
        sb_adds(&sb, "\">");
        sim_xml_el(&sb, "Fs_location", sim_str(r, "fs_location", ""));
        sim_xml_el(&sb, "Mount_point", mp);
        sim_xml_el(&sb, "Filesystem_type", "nfs");
        sim_xml_el(&sb, "Version", "3.0");
        sim_xml_el(&sb, "Alias", sim_str(r, "alias", ""));
        sim_xml_el(&sb, "Manager_uuid", sim_str(r, "manager_uuid", ""));
        sim_xml_el(&sb, "Status", is_mounted(s, mp) ? "Mounted" : "Unmounted");
        sb_adds(&sb, "</Repository>");
    }
    sb_adds(&sb, "</RepositoryDbList></Discover_Repository_Db_Result>\n");
    return sim_xml_result(&sb);
}

/* Sorted entry names of a directory (heap array of heap strings, NULL-terminated). */
static char **list_dir(const char *dir)
{
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    char **names = xcalloc((size_t)(n > 0 ? n : 0) + 1, sizeof *names);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        if (ents[i]->d_name[0] != '.')
            names[k++] = xstrdup(ents[i]->d_name);
        free(ents[i]);
    }
    free(ents);
    return names;
}

static void free_names(char **names)
{
    for (char **p = names; *p; p++)
        free(*p);
    free(names);
}

static void add_vms(struct sim *s, strbuf *sb, const char *id, const char *sub, const char *el)
{
    char *dir = xasprintf("%s/OVS/Repositories/%s/%s", s->state_dir, id, sub);
    char **names = list_dir(dir);
    sb_addf(sb, "<%ss>", el);
    for (char **p = names; *p; p++) {
        char *cfgpath = xasprintf("%s/%s/vm.cfg", dir, *p);
        char *text = ovm_read_file(cfgpath, NULL);
        char err[128];
        xr_value *cfg = text ? vmcfg_parse(text, err, sizeof err) : NULL;
        sb_addf(sb, "<%s Name=\"", el);
        sb_add_xml(sb, *p);
        sb_adds(sb, "\">");
        sim_xml_el(sb, "File", "vm.cfg");
        if (cfg)
            sim_xml_el(sb, "Simple_Name", sim_str(cfg, "OVM_simple_name", ""));
        sb_addf(sb, "</%s>", el);
        xr_free(cfg);
        free(text);
        free(cfgpath);
    }
    sb_addf(sb, "</%ss>", el);
    free_names(names);
    free(dir);
}

static void add_files(struct sim *s, strbuf *sb, const char *id, const char *sub, const char *el)
{
    char *dir = xasprintf("%s/OVS/Repositories/%s/%s", s->state_dir, id, sub);
    char **names = list_dir(dir);
    sb_addf(sb, "<%s>", sub);
    for (char **p = names; *p; p++) {
        char *path = xasprintf("%s/%s", dir, *p);
        struct stat st;
        long long size = stat(path, &st) == 0 ? (long long)st.st_size : 0;
        sb_addf(sb, "<%s Size=\"%lld\">", el, size);
        sb_add_xml(sb, *p);
        sb_addf(sb, "</%s>", el);
        free(path);
    }
    sb_addf(sb, "</%s>", sub);
    free_names(names);
    free(dir);
}

SIM_HANDLER(h_discover_repositories)
{
    struct sim *s = c->sim;
    const char *id = xr_get_str(argv[0]);
    if (!sim_valid_name(id) || !xr_struct_get(xr_struct_get(s->st, "repos"), id))
        return call_fault(c, "exceptions.RuntimeError:Repository %s not found", id);
    xr_value *m = read_marker(s, id);
    if (!m)
        return call_fault(c, "exceptions.RuntimeError:Repository %s is not accessible", id);
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Discover_Repositories_Result><RepositoryList>");
    sb_adds(&sb, "<Repository Name=\"");
    sb_add_xml(&sb, id);
    sb_adds(&sb, "\">");
    sim_xml_el(&sb, "Repository_UUID", sim_str(m, "OVS_REPO_UUID", id));
    sim_xml_el(&sb, "Version", sim_str(m, "OVS_REPO_VERSION", "3.0"));
    sim_xml_el(&sb, "Repository_Alias", sim_str(m, "OVS_REPO_ALIAS", ""));
    sim_xml_el(&sb, "Manager_UUID", sim_str(m, "OVS_REPO_MGR_UUID", ""));
    add_vms(s, &sb, id, "Templates", "Template");
    add_vms(s, &sb, id, "VirtualMachines", "VirtualMachine");
    add_files(s, &sb, id, "VirtualDisks", "Disk");
    add_files(s, &sb, id, "ISOs", "ISO");
    sb_adds(&sb, "</Repository></RepositoryList></Discover_Repositories_Result>\n");
    xr_free(m);
    return sim_xml_result(&sb);
}

SIM_HANDLER(h_discover_mounted_file_systems)
{
    const char *type = argc > 0 ? xr_get_str(argv[0]) : "nfs";
    const xr_value *mounts = xr_struct_get(c->sim->st, "mounts");
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Discover_Mounted_File_Systems_Result>");
    sb_adds(&sb, "<Filesystem Type=\"");
    sb_add_xml(&sb, type);
    sb_adds(&sb, "\">");
    for (size_t i = 0; !strcmp(type, "nfs") && i < mounts->n; i++) {
        sb_adds(&sb, "<Mount Dir=\"");
        sb_add_xml(&sb, mounts->keys[i]);
        sb_adds(&sb, "\">");
        sim_xml_el(&sb, "Device", xr_get_str(mounts->items[i]));
        sim_xml_el(&sb, "Mount_Options", "rw,relatime,vers=3,rsize=1048576,wsize=1048576,hard,proto=tcp");
        sb_adds(&sb, "</Mount>");
    }
    sb_adds(&sb, "</Filesystem></Discover_Mounted_File_Systems_Result>\n");
    return sim_xml_result(&sb);
}
