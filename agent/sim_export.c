/* Repository exports (doc/agent-protocol.md §5.5): NFS exports of OCFS2
 * repositories for third-party backup tools, as Oracle VM Servers keep them
 * in /etc/exports. The simulated host records them in its state, keyed by
 * repository and client, and writes them as exports(5) lines to
 * <state-dir>/etc/exports so that they can be read as a real host's would. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/sim.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define OCFS2_DEV "/dev/mapper/"

static char *export_key(const char *repo, const char *client)
{
    return xasprintf("%s %s", repo, client);
}

/* Rewrites <state-dir>/etc/exports from the recorded exports: 0, or -1 (errno). */
static int write_exports(struct sim *s)
{
    xr_value *ex = sim_member(s->st, "repo_exports", XR_STRUCT);
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "# written by ovm-agentd: repository exports (do not edit)\n");
    for (size_t i = 0; i < ex->n; i++) {
        const xr_value *e = ex->items[i];
        sb_addf(&sb, "/OVS/Repositories/%s %s(%s)\n", sim_str(e, "repo_uuid", ""), sim_str(e, "client", ""),
                sim_str(e, "options", ""));
    }
    size_t len = 0;
    char *text = sb_detach(&sb, &len);
    char *dir = xasprintf("%s/etc", s->state_dir), *path = xasprintf("%s/exports", dir);
    int rc = ovm_mkdir_p(dir, 0755) == 0 ? ovm_write_file_atomic(path, text, len, 0644) : -1;
    free(text);
    free(dir);
    free(path);
    return rc;
}

/* Only a repository this host has, on an OCFS2 file system, is exported. */
static int check_repo(struct call_ctx *c, const char *repo)
{
    const xr_value *r = xr_struct_get(xr_struct_get(c->sim->st, "repos"), repo);
    if (!r) {
        call_fault(c, "exceptions.RuntimeError:repository %s is not known to this server", repo);
        return -1;
    }
    if (strncmp(sim_str(r, "fs_location", ""), OCFS2_DEV, strlen(OCFS2_DEV)) != 0) {
        call_fault(c, "exceptions.RuntimeError:repository %s is not on an OCFS2 file system; export it from its "
                      "NFS server", repo);
        return -1;
    }
    return 0;
}

/* Creates the export of repo to client, or replaces its name and options. */
SIM_HANDLER(h_create_repository_export)
{
    (void)argc;
    const char *repo = xr_get_str(argv[0]), *name = xr_get_str(argv[1]);
    const char *client = xr_get_str(argv[2]), *options = xr_get_str(argv[3]);
    if (check_repo(c, repo) != 0)
        return NULL;
    if (!*client || strpbrk(client, " \t\n()")) /* the engine checks hosts; one line must stay one entry */
        return call_fault(c, "exceptions.ValueError:invalid export client: '%s'", client);
    if (strpbrk(options, " \t\n()"))
        return call_fault(c, "exceptions.ValueError:invalid export options: '%s'", options);
    xr_value *e = xr_struct();
    xr_struct_set(e, "repo_uuid", xr_string(repo));
    xr_struct_set(e, "name", xr_string(name));
    xr_struct_set(e, "client", xr_string(client));
    xr_struct_set(e, "options", xr_string(*options ? options : "rw,sync,no_root_squash"));
    char *key = export_key(repo, client);
    xr_struct_set(sim_member(c->sim->st, "repo_exports", XR_STRUCT), key, e);
    free(key);
    if (write_exports(c->sim) != 0)
        return call_fault(c, "exceptions.OSError:[Errno %d] %s: '/etc/exports'", errno, strerror(errno));
    return xr_nil();
}

SIM_HANDLER(h_delete_repository_export)
{
    (void)argc;
    const char *repo = xr_get_str(argv[0]), *client = xr_get_str(argv[1]);
    xr_value *ex = sim_member(c->sim->st, "repo_exports", XR_STRUCT);
    char *key = export_key(repo, client);
    int known = xr_struct_get(ex, key) != NULL;
    if (known)
        sim_struct_del(ex, key);
    free(key);
    if (!known)
        return call_fault(c, "exceptions.RuntimeError:repository %s is not exported to %s", repo, client);
    if (write_exports(c->sim) != 0)
        return call_fault(c, "exceptions.OSError:[Errno %d] %s: '/etc/exports'", errno, strerror(errno));
    return xr_nil();
}

/* Every export of the host: structs repo_uuid, name, client, options, path. */
SIM_HANDLER(h_list_repository_exports)
{
    (void)argv, (void)argc;
    xr_value *ex = sim_member(c->sim->st, "repo_exports", XR_STRUCT), *list = xr_array();
    for (size_t i = 0; i < ex->n; i++) {
        xr_value *e = xr_copy(ex->items[i]);
        char *path = xasprintf("/OVS/Repositories/%s", sim_str(e, "repo_uuid", ""));
        xr_struct_set(e, "path", xr_string(path));
        free(path);
        xr_array_add(list, e);
    }
    return list;
}
