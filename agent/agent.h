/* ovm-agentd: command-line configuration shared by the daemon's parts. */
#ifndef OVM_AGENT_AGENT_H
#define OVM_AGENT_AGENT_H
#include <stdint.h>

struct agent_config {
    const char *listen;         /* address to bind, also Registered_IP */
    int port;
    const char *state_dir;      /* required; holds state, TLS material, OVS/ */
    const char *password_file;  /* preferred source of the agent password */
    const char *password;       /* tests only: visible in ps(1) */
    const char *hostname;       /* NULL: derived from listen */
    const char *nfs_root;       /* NULL: <state_dir>/exports */
    const char *lun_fs_root;    /* NULL: <state_dir>/lunfs (OCFS2 file systems on LUNs) */
    const char *pid_file;
    const char *log_file;
    int64_t memory_mb;
    int cpus;
    int64_t nfs_size_gb;
    int cpu_family;             /* reported CPUInfo Family (CpuCompatibilityGroup) */
    int cpu_model;              /* reported CPUInfo Model */
    const char *ovm_version;    /* reported OVM_Version */
    const char *xen_version;    /* reported VMM Version "Major.Minor<Extra>" */
    const char *driver;         /* NULL or "sim": the simulator (driver.h) */
    const char *libvirt_uri;
    const char *libvirt_domain_type;   /* "qemu" or "kvm" */
    const char *libvirt_migrate_uri;   /* NULL: derived (drv_libvirt_migrate.c) */
    const char *libvirt_image_owner;   /* "UID:GID" or NULL */
    int libvirt_migrate_unsafe;
    int libvirt_bridges;               /* make Linux bridges for networks */
    int libvirt_shutdown_timeout;      /* seconds before a graceful stop destroys */
    unsigned per_source_connections;  /* --per-source-connections, 0 = no limit */
    unsigned connection_timeout;      /* --connection-timeout: idle seconds */
    unsigned header_timeout;          /* --header-timeout: seconds for a request head, 0 = none */
    int64_t import_max_mb;            /* --import-max-mb: largest import, 0 = the default */
    unsigned import_connect_timeout;  /* --import-connect-timeout: seconds, 0 = the default */
    unsigned import_stall_timeout;    /* --import-stall-timeout: seconds under 1 KiB/s, 0 = the default */
    const char *import_ca_file;       /* --import-ca-file: CAs https imports trust, NULL = the system's */
    int foreground;
    int verbose;
};
#endif
