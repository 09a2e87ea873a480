/* Reading the agents' discovery documents (doc/agent-protocol.md §6): XML carried
 * inside an XML-RPC string, parsed here with libxml2 (no network, no entities). */
#ifndef OVM_DISCOVER_H
#define OVM_DISCOVER_H
#include <stddef.h>

/* One device of Discover_Network_Result's active network (a port, a bond or
 * a VLAN interface); strings "" when the agent did not say. */
typedef struct net_device {
    char name[32], mac[32], master[32], slaves[160], parent[32];
    char addr_type[16], ip[48], netmask[48];
    long long mtu, vlan_id, bond_mode; /* bond_mode: Linux mode number, -1 if not a bond */
} net_device;
#define NET_DEVICES_MAX 32

typedef struct server_facts {
    char unique_id[64], hostname[256], registered_ip[64], boot_time[32];
    char agent_version[64], ovm_version[64], xen_version[64], cpu_type[32];
    char manager_uuid[64], pool_uuid[64], membership[32], roles[64];
    long long threads_per_core, cores_per_socket, sockets, nodes, cpukhz, total_pages, free_pages;
    char cpu_vendor[64], cpu_family[16], cpu_model[16];
    char manufacturer[128], product[128], serial[128], bios_version[64], bios_date[64];
    char eth0_mac[32], netmask[32];
    net_device devs[NET_DEVICES_MAX];
    size_t ndevs;
} server_facts;

/* Each returns 0, or -1 with a one-line reason in *err (heap). */
int parse_discover_server(const char *xml, server_facts *f, char **err);
int parse_discover_hardware(const char *xml, server_facts *f, char **err);
int parse_discover_network(const char *xml, server_facts *f, char **err);

/* Files of one repository from Discover_Repositories_Result: names of
 * VirtualDisks/Disk and ISOs/ISO entries (heap arrays of heap strings). */
typedef struct repo_files {
    char **disks;
    size_t ndisks;
    char **isos;
    size_t nisos;
} repo_files;
int parse_discover_repositories(const char *xml, const char *repo_id, repo_files *out, char **err);
void repo_files_free(repo_files *r);

/* Exports of an NFS server from storage_plugin_listFileSystems-style data is
 * an XML-RPC value, not XML; see backend/ops/ops_storage_fileserver.c. */
#endif
