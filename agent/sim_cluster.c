/* Cluster and pool file system methods (doc/agent-protocol.md §5.4) of the simulated
 * host. State, persisted in st as "cluster": poolfs_uuid, fs_type, fs_target,
 * cluster_name, pool_uuid, created (this host created the cluster),
 * configured, joined, o2cb_heartbeat_threshold, o2cb_idle_timeout_ms,
 * cluster_conf. The pool file system counts as mounted while the host is
 * joined and the NFS export directory exists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "agent/sim.h"
#include "lib/log.h"
#include "lib/util.h"

#define LUN_DEV "/dev/mapper/"

/* "host:/export/path" -> <nfs_root>/host/export/path; an OCFS2 pool file
 * system on a LUN, "/dev/mapper/<page83 id>" -> <lun_fs_root>/<page83 id>
 * (heap), NULL if malformed. */
static char *poolfs_dir(struct sim *s, const char *target)
{
    if (!strncmp(target, LUN_DEV, strlen(LUN_DEV)))
        return sim_valid_name(target + strlen(LUN_DEV)) ? xasprintf("%s/%s", s->lun_fs_root,
                                                                    target + strlen(LUN_DEV))
                                                         : NULL;
    const char *colon = strchr(target, ':');
    if (!colon || colon == target || colon[1] != '/' || strstr(target, "/.."))
        return NULL;
    char *host = xstrndup(target, (size_t)(colon - target));
    char *dir = sim_valid_name(host) ? xasprintf("%s/%s%s", s->nfs_root, host, colon + 1) : NULL;
    free(host);
    return dir;
}

/* 0 when the export behind target can be mounted, else -1 after a mount fault. */
static int check_mountable(struct call_ctx *c, const char *target)
{
    char *dir = poolfs_dir(c->sim, target);
    struct stat sb;
    int rc = 0;
    /* The Manager formatted the LUN: its file system is there for every host to mount. */
    if (dir && !strncmp(target, LUN_DEV, strlen(LUN_DEV)) && ovm_mkdir_p(dir, 0755) != 0) {
        call_fault(c, "exceptions.OSError:[Errno %d] %s: '%s'", errno, strerror(errno), target);
        rc = -1;
    } else if (!dir) {
        call_fault(c, "exceptions.RuntimeError:mount.nfs: invalid pool file system location '%s'", target);
        rc = -1;
    } else if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        call_fault(c, "exceptions.RuntimeError:mount.nfs: mounting %s failed, reason given by server: No such "
                      "file or directory", target);
        rc = -1;
    }
    free(dir);
    return rc;
}

static xr_value *cluster_state(struct sim *s)
{
    return xr_struct_get(s->st, "cluster");
}

/* The cluster record for poolfs_uuid, or NULL after a fault. */
static xr_value *cluster_for(struct call_ctx *c, const char *uuid)
{
    xr_value *cl = cluster_state(c->sim);
    if (!cl)
        return call_fault(c, "exceptions.RuntimeError:No cluster is configured on this server");
    if (strcmp(sim_str(cl, "poolfs_uuid", ""), uuid) != 0)
        return call_fault(c, "exceptions.RuntimeError:Pool file system %s is not configured here (have %s)", uuid,
                          sim_str(cl, "poolfs_uuid", ""));
    return cl;
}

static int online(struct sim *s)
{
    xr_value *cl = cluster_state(s);
    if (!cl || !sim_int(cl, "joined", 0))
        return 0;
    char *dir = poolfs_dir(s, sim_str(cl, "fs_target", ""));
    struct stat sb;
    int ok = dir && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
    free(dir);
    return ok;
}

/* Any record for this uuid, created empty when the host has none. */
static xr_value *cluster_record(struct call_ctx *c, const char *uuid)
{
    xr_value *cl = cluster_state(c->sim);
    if (cl && strcmp(sim_str(cl, "poolfs_uuid", ""), uuid) != 0 && sim_int(cl, "joined", 0))
        return call_fault(c, "exceptions.RuntimeError:Server already belongs to cluster %s",
                          sim_str(cl, "cluster_name", ""));
    if (!cl || strcmp(sim_str(cl, "poolfs_uuid", ""), uuid) != 0) {
        cl = xr_struct();
        xr_struct_set(cl, "poolfs_uuid", xr_string(uuid));
        xr_struct_set(c->sim->st, "cluster", cl);
    }
    return cl;
}

SIM_HANDLER(h_create_pool_filesystem)
{
    const char *type = xr_get_str(argv[0]), *target = xr_get_str(argv[1]);
    if (strcmp(type, "nfs") != 0 && strcmp(type, "ocfs2") != 0)
        return call_fault(c, "exceptions.RuntimeError:Pool file system type %s is not supported by the simulator",
                          type);
    if (check_mountable(c, target) != 0)
        return NULL;
    xr_value *cl = cluster_record(c, xr_get_str(argv[3]));
    if (!cl)
        return NULL;
    xr_struct_set(cl, "fs_type", xr_copy(argv[0]));
    xr_struct_set(cl, "fs_target", xr_copy(argv[1]));
    xr_struct_set(cl, "cluster_name", xr_copy(argv[2]));
    xr_struct_set(cl, "pool_uuid", xr_copy(argv[6]));
    xr_struct_set(cl, "manager_uuid", xr_copy(argv[5]));
    log_info("pool file system %s created on %s", xr_get_str(argv[3]), target);
    return xr_nil();
}

SIM_HANDLER(h_destroy_pool_filesystem)
{
    xr_value *cl = cluster_for(c, xr_get_str(argv[2]));
    if (!cl)
        return NULL;
    if (sim_int(cl, "joined", 0))
        return call_fault(c, "exceptions.RuntimeError:Pool file system %s is in use by the cluster",
                          xr_get_str(argv[2]));
    sim_struct_del(c->sim->st, "cluster");
    return xr_nil();
}

SIM_HANDLER(h_discover_pool_filesystem)
{
    xr_value *cl = cluster_state(c->sim);
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Discover_Pool_Filesystem_Result>");
    if (cl && *sim_str(cl, "fs_target", "")) {
        sb_adds(&sb, "<Pool_Filesystem>");
        sim_xml_el(&sb, "Uuid", sim_str(cl, "poolfs_uuid", ""));
        sim_xml_el(&sb, "Type", sim_str(cl, "fs_type", "nfs"));
        sim_xml_el(&sb, "Target", sim_str(cl, "fs_target", ""));
        sim_xml_el(&sb, "Mounted", online(c->sim) ? "True" : "False");
        sb_adds(&sb, "</Pool_Filesystem>");
    }
    sb_adds(&sb, "</Discover_Pool_Filesystem_Result>\n");
    return sim_xml_result(&sb);
}

SIM_HANDLER(h_create_cluster)
{
    xr_value *cl = cluster_for(c, xr_get_str(argv[0]));
    if (!cl)
        return NULL;
    xr_struct_set(cl, "created", xr_int(1));
    return xr_nil();
}

SIM_HANDLER(h_destroy_cluster)
{
    xr_value *cl = cluster_for(c, xr_get_str(argv[0]));
    if (!cl)
        return NULL;
    if (sim_int(cl, "joined", 0))
        return call_fault(c, "exceptions.RuntimeError:Cannot destroy the cluster: this server is still a member");
    xr_struct_set(cl, "created", xr_int(0));
    return xr_nil();
}

/* o2cb_conf: struct with o2cb_heartbeat_threshold and o2cb_idle_timeout_ms. */
static int take_o2cb(struct call_ctx *c, xr_value *cl, const xr_value *conf)
{
    int64_t thr = 0, idle = 0;
    if (xr_get_int64(xr_struct_get(conf, "o2cb_heartbeat_threshold"), &thr) != 0 ||
        xr_get_int64(xr_struct_get(conf, "o2cb_idle_timeout_ms"), &idle) != 0 || thr < 2 || idle < 1000) {
        call_fault(c, "exceptions.ValueError:invalid o2cb configuration");
        return -1;
    }
    xr_struct_set(cl, "o2cb_heartbeat_threshold", xr_int(thr));
    xr_struct_set(cl, "o2cb_idle_timeout_ms", xr_int(idle));
    return 0;
}

SIM_HANDLER(h_configure_server_for_cluster)
{
    const char *type = xr_get_str(argv[2]), *target = xr_get_str(argv[3]);
    if (strcmp(type, "nfs") != 0 && strcmp(type, "ocfs2") != 0)
        return call_fault(c, "exceptions.RuntimeError:Pool file system type %s is not supported by the simulator",
                          type);
    if (check_mountable(c, target) != 0)
        return NULL;
    xr_value *cl = cluster_record(c, xr_get_str(argv[4]));
    if (!cl || take_o2cb(c, cl, argv[0]) != 0)
        return NULL;
    xr_struct_set(cl, "cluster_conf", argv[1]->type == XR_STRING ? xr_copy(argv[1]) : xr_string(""));
    xr_struct_set(cl, "fs_type", xr_copy(argv[2]));
    xr_struct_set(cl, "fs_target", xr_copy(argv[3]));
    xr_struct_set(cl, "configured", xr_int(1));
    return xr_nil();
}

SIM_HANDLER(h_deconfigure_server_for_cluster)
{
    xr_value *cl = cluster_for(c, xr_get_str(argv[0]));
    if (!cl)
        return NULL;
    if (sim_int(cl, "joined", 0))
        return call_fault(c, "exceptions.RuntimeError:Leave the cluster before deconfiguring it");
    xr_struct_set(cl, "configured", xr_int(0));
    return xr_nil();
}

SIM_HANDLER(h_join_cluster)
{
    xr_value *cl = cluster_for(c, xr_get_str(argv[0]));
    if (!cl)
        return NULL;
    if (!sim_int(cl, "configured", 0))
        return call_fault(c, "exceptions.RuntimeError:Server is not configured for cluster %s",
                          xr_get_str(argv[0]));
    if (check_mountable(c, sim_str(cl, "fs_target", "")) != 0)
        return NULL;
    xr_struct_set(cl, "joined", xr_int(1));
    return xr_nil();
}

SIM_HANDLER(h_leave_cluster)
{
    xr_value *cl = cluster_for(c, xr_get_str(argv[0]));
    if (!cl)
        return NULL;
    xr_struct_set(cl, "joined", xr_int(0));
    return xr_nil();
}

SIM_HANDLER(h_update_clusterConfiguration)
{
    xr_value *cl = cluster_state(c->sim);
    if (!cl)
        return call_fault(c, "exceptions.RuntimeError:No cluster is configured on this server");
    xr_struct_set(cl, "cluster_conf", argv[0]->type == XR_STRING ? xr_copy(argv[0]) : xr_string(""));
    return xr_nil();
}

SIM_HANDLER(h_discover_cluster)
{
    xr_value *cl = cluster_state(c->sim);
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Discover_Cluster_Result>");
    if (cl) {
        sb_adds(&sb, "<O2CB_Cluster>");
        sim_xml_el(&sb, "Cluster_Name", sim_str(cl, "cluster_name", ""));
        sim_xml_el(&sb, "Pool_Filesystem_Uuid", sim_str(cl, "poolfs_uuid", ""));
        sim_xml_elf(&sb, "O2CB_Heartbeat_Threshold", "%lld",
                    (long long)sim_int(cl, "o2cb_heartbeat_threshold", 0));
        sim_xml_elf(&sb, "O2CB_Idle_Timeout_Ms", "%lld", (long long)sim_int(cl, "o2cb_idle_timeout_ms", 0));
        sim_xml_el(&sb, "Status", online(c->sim) ? "DLM_READY" : sim_int(cl, "joined", 0) ? "HEARTBEATING"
                                                                                        : "OFFLINE");
        sb_adds(&sb, "</O2CB_Cluster>");
    }
    sb_adds(&sb, "</Discover_Cluster_Result>\n");
    return sim_xml_result(&sb);
}

SIM_HANDLER(h_is_cluster_online)
{
    return xr_bool(online(c->sim));
}
