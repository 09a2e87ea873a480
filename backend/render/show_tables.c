/* The rows of `show <Type>`, type by type, in the order of
 * doc/command-language.md §8 (show_rows.h explains the row kinds). */
#include "backend/render/show_rows.h"
#include <string.h>

static const show_row vm_rows[] = {
    ROW_NAME, ROW_ID, ROW_STATUS,
    VAL("Memory (MB)", "memory"), VAL("Max. Memory (MB)", "memoryLimit"),
    VAL("Processors", "cpuCount"), VAL("Max. Processors", "cpuCountLimit"),
    VAL("Priority", "cpuPriority"), VAL("Processor Cap", "cpuUtilizationCap"),
    VAL("High Availability", "highAvailability"), VAL("Operating System", "osType"),
    VAL("Mouse Type", "mouseType"), VAL("Domain Type", "domainType"), VAL("Keymap", "keymapName"),
    VAL("Start Policy", "startPolicy"), VAL("Huge Pages Enabled", "hugePagesEnabled"),
    VAL("Network Install Path", "networkInstallPath"), ROW_LOCKED, ROW_DESC,
    ROWS_FN(show_vm_config_path),
    REF("Server Pool", "serverPool"), REF("Server", "server"), REF("Repository", "repository"),
    LIST("Boot Order", "bootOrder"), RELATED("Vnic", "Vnic", "vm"), ROWS_FN(show_vm_mappings),
    RELATED_IN("tag", "Tag", "members"), ROW_END,
};

static const show_row server_rows[] = {
    ROW_NAME, ROW_ID, ROW_STATUS, ROW_LOCKED,
    VAL("Hostname", "hostname"), VAL("IP Address", "ipAddress"), ROW_DESC,
    REF("Server Pool", "serverPool"), VALD("Ownership", "ownership", "Unowned"),
    VAL("Manager UUID", "managerUuid"), VAL("Maintenance Mode", "maintenanceMode"),
    VAL("Inbound Migration Locked", "inboundMigrationLocked"), LIST("Role", "roles"),
    REF("Cpu Compatibility Group", "cpuCompatibilityGroup"), VAL("Processor Type", "processorType"),
    VAL("Processors", "processors"), VAL("Processor Sockets Populated", "socketsPopulated"),
    VAL("Cores Per Processor Socket", "coresPerSocket"), VAL("Threads Per Core", "threadsPerCore"),
    GIB("Processor Speed (GHz)", "processorSpeed"), VAL("Memory (MB)", "memory"),
    ROWS_FN(show_usable_memory), VALD("Hypervisor Type", "hypervisorType", "Xen"),
    VAL("Hypervisor Version", "xenVersion"), VAL("OVM Version", "ovmVersion"), VAL("Up To Date", "upToDate"),
    LIST("Update Available", "updatesAvailable"),
    VAL("Agent Version", "agentVersion"), VAL("Manufacturer", "manufacturer"),
    VAL("Product Name", "productName"), VAL("Serial Number", "serialNumber"),
    VAL("BIOS Version", "biosVersion"), VAL("BIOS Release Date", "biosReleaseDate"),
    LIST("NTP Server", "ntpServers"), RELATED("Ethernet Port", "Port", "server"),
    RELATED("Storage Initiator", "StorageInitiator", "server"), RELATED("Vm", "Vm", "server"), ROW_END,
};

static const show_row pool_rows[] = {
    ROW_NAME, ROW_ID, ROW_LOCKED, ROW_DESC, VAL("Virtual IP", "virtualIP"),
    VALD("Clustered", "clusterEnable", "No"), VAL("Cluster Timeout (sec)", "clusterTimeout"),
    REF("Pool File System", "fileSystem"), VAL("Start Policy", "startPolicy"), VAL("Keymap", "keymapName"),
    VAL("Secure VM Migrate", "migrateUsingSsl"), VAL("Policy Mode", "policyMode"),
    RELATED("Server", "Server", "serverPool"), RELATED("Vm", "Vm", "serverPool"),
    RELATED("Anti-Affinity Group", "AntiAffinityGroup", "serverPool"),
    RELATED("Network Policy", "ServerPoolNetworkPolicy", "serverPool"), ROW_END,
};

/* "File System Free (GiB)" is what Oracle VM scripts read (verified:
 * doc/command-language.md §8); "File System Total (GiB)" is inferred. */
static const show_row repository_rows[] = {
    ROW_NAME, ROW_ID, ROW_LOCKED, ROW_DESC, REF("File System", "fileSystem"),
    VAL("Manager UUID", "managerUuid"), GIB("File System Total (GiB)", "size"), GIB("File System Free (GiB)", "free"),
    LISTED("Presented Server", "presentedServers"), RELATED("Vm", "Vm", "repository"),
    RELATED("VirtualDisk", "VirtualDisk", "repository"), RELATED("VirtualCdrom", "VirtualCdrom", "repository"),
    RELATED("Virtual Appliance", "VirtualAppliance", "repository"), ROW_END,
};

static const show_row vdisk_rows[] = {
    ROW_NAME, ROW_ID, ROW_LOCKED, ROW_DESC, GIB("Max (GiB)", "size"), GIBD("Used (GiB)", "usedSize", "0"),
    VAL("Shareable", "shareable"), VAL("Sparse", "sparse"), REF("Repository Id", "repository"),
    ROWS_FN(show_disk_path), ROW_END,
};

static const show_row cdrom_rows[] = {
    ROW_NAME, ROW_ID, ROW_LOCKED, ROW_DESC, GIB("Size (GiB)", "size"), REF("Repository Id", "repository"),
    ROWS_FN(show_iso_path), ROW_END,
};

static const show_row mapping_rows[] = {
    ROW_NAME, ROW_ID, VAL("Slot", "slot"), VAL("Emulated Block Device", "emulatedBlockDevice"),
    ROWS_FN(show_mapped_disk), REF("Vm", "vm"), ROW_END,
};

static const show_row pdisk_rows[] = {
    ROW_NAME, ROW_ID, GIB("Size (GiB)", "size"), VAL("Shareable", "shareable"),
    VAL("Page83 ID", "page83Id"), VAL("Thin Provision", "thinProvision"),
    ROWS_FN(show_pdisk_san), ROW_END,
};

/* SAN storage arrays (doc/object-model.md §3) */
static const show_row sarray_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, VAL("Storage Type", "storageType"), VAL("Plugin", "plugin"),
    VAL("Storage Name", "storageName"), VAL("Access Host", "accessHost"), VAL("Access Port", "accessPort"),
    VAL("Use Chap", "useChap"), VAL("Access Username", "accessUsername"), VAL("Admin Host", "adminHost"),
    LISTED("Admin Server", "adminServers"), RELATED("Volume Group", "VolumeGroup", "storageArray"),
    RELATED("Access Group", "AccessGroup", "storageArray"), ROW_END,
};

static const show_row vgroup_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, REF("Storage Array", "storageArray"), GIB("Size (GiB)", "size"),
    GIB("Free (GiB)", "free"), RELATED("Physical Disk", "PhysicalDisk", "volumeGroup"), ROW_END,
};

static const show_row agroup_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, REF("Storage Array", "storageArray"),
    LISTED("Storage Initiator", "storageInitiators"), LISTED("Physical Disk", "physicalDisks"), ROW_END,
};

static const show_row initiator_rows[] = {
    ROW_NAME, ROW_ID, VALD("Type", "type", "ISCSI"), REF("Server", "server"),
    RELATED_IN("Access Group", "AccessGroup", "storageInitiators"), ROW_END,
};

static const show_row vnic_rows[] = {
    ROW_NAME, ROW_ID, VAL("Mac Address", "macAddress"), REF("Network", "network"), REF("Vm", "vm"), ROW_DESC,
    ROW_END,
};

/* The password is never shown (it is a GA_SECRET attribute, kept in the store only). */
static const show_row sctl_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, VAL("IP Address", "ipAddress"), VAL("Port", "port"),
    VAL("User Name", "userName"), REF("Server", "server"), ROW_END,
};

static const show_row sug_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, REF("Server Pool", "serverPool"),
    RELATED("Server Update Repository", "ServerUpdateRepository", "serverUpdateGroup"), ROW_END,
};

static const show_row sur_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, VAL("Repository Name", "repositoryName"), VAL("URL", "url"),
    VAL("Enabled", "enabled"), VAL("Package Signature Type", "pkgSignatureType"),
    VAL("Package Signature Key", "pkgSignatureKey"), REF("Server Update Group", "serverUpdateGroup"), ROW_END,
};

static const show_row netpol_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, REF("Server Pool", "serverPool"), REF("Network", "network"),
    VAL("Policy Enabled", "policyEnable"), VAL("Policy Threshold (%)", "policyThreshold"),
    VAL("Direction", "direction"), ROW_END,
};

static const show_row ptask_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, VAL("Interval (Minutes)", "taskInterval"), VAL("Enabled", "enabled"), ROW_END,
};

static const show_row network_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, LIST("Role", "roles"), RELATED("Port", "Port", "network"),
    RELATED("Bond Port", "BondPort", "network"), RELATED("Vlan Interface", "VlanInterface", "network"),
    RELATED("Vnic", "Vnic", "network"), ROW_END,
};

static const show_row port_rows[] = {
    ROW_NAME, ROW_ID, REF("Server", "server"), VAL("Interface Name", "device"), VAL("Mac Address", "macAddress"),
    VAL("MTU", "mtu"), VALD("Link Status", "linkStatus", "UP"), ROWS_FN(show_ip_config),
    REF("Network", "network"),
    REF("Bond Port", "bondPort"), RELATED("Vlan Interface", "VlanInterface", "parent"), ROW_END,
};

static const show_row bond_rows[] = {
    ROW_NAME, ROW_ID, REF("Server", "server"), VAL("Interface Name", "device"), VAL("Mode", "mode"),
    VAL("MTU", "mtu"), RELATED("Ethernet Port", "Port", "bondPort"),
    ROWS_FN(show_ip_config),
    REF("Network", "network"), RELATED("Vlan Interface", "VlanInterface", "parent"), ROW_DESC, ROW_END,
};

static const show_row vlan_rows[] = {
    ROW_NAME, ROW_ID, REF("Server", "server"), VAL("Interface Name", "device"), VAL("Vlan Id", "vlanId"),
    REF("Port", "parent"), VAL("MTU", "mtu"), ROWS_FN(show_ip_config), REF("Network", "network"),
    ROW_DESC, ROW_END,
};

static const show_row tag_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, LISTED("Member", "members"), ROW_END,
};

static const show_row aag_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, REF("Server Pool", "serverPool"), LISTED("Vm", "vms"), ROW_END,
};

static const show_row cpugroup_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, VALD("Default", "default", "No"),
    RELATED("Server", "Server", "cpuCompatibilityGroup"), LISTED("Server", "servers"), ROW_END,
};

static const show_row fileserver_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, VAL("Access Host", "accessHost"), CONSTANT("Plugin", "Oracle Generic NFS Plugin"),
    CONSTANT("Uniform Exports", "Yes"), LISTED("Admin Server", "adminServers"),
    RELATED("File System", "FileSystem", "fileServer"), ROW_END,
};

static const show_row filesystem_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, REF("File Server", "fileServer"), VAL("Path", "path"), GIB("Size (GiB)", "size"),
    GIB("Free (GiB)", "free"), VALD("Usage", "usage", "NONE"), ROWS_FN(show_fs_ocfs2), ROW_END,
};

static const show_row rexport_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, REF("Repository", "repository"), REF("Server", "server"),
    VAL("Client Host Name", "clientHostName"), VAL("Options", "options"), ROW_END,
};

static const show_row manager_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, ROWS_FN(show_manager_uuid), CONSTANT("Run State", "RUNNING"),
    ROWS_FN(show_mac_range), VALD("File System Statistics", "fsStatisticsEnabled", "No"), ROW_END,
};

/* Virtual appliances: labels inferred from Oracle VM Manager's UI (Virtual
 * Appliances tab), not established from a 3.4 CLI transcript. */
static const show_row appliance_rows[] = {
    ROW_NAME, ROW_ID, ROW_LOCKED, ROW_DESC, REF("Repository", "repository"), VAL("Origin", "origin"),
    VAL("OVF Version", "ovfVersion"), RELATED("Virtual Appliance Vm", "VirtualApplianceVm", "virtualAppliance"),
    RELATED("Virtual Appliance Virtual Disk", "VirtualApplianceVirtualDisk", "virtualAppliance"), ROW_END,
};

static const show_row appliance_vm_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, REF("Virtual Appliance", "virtualAppliance"), VAL("Memory (MB)", "memory"),
    VAL("Processors", "cpuCount"), VAL("Network Interfaces", "nics"),
    LISTED("Virtual Appliance Virtual Disk", "virtualApplianceVirtualDisks"), ROW_END,
};

static const show_row appliance_disk_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, GIB("Max (GiB)", "size"), REF("Virtual Appliance", "virtualAppliance"), ROW_END,
};

static const show_row customizer_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, REF("Vm", "vm"),
    RELATED("Storage Mapping", "VmCloneStorageMapping", "customizer"),
    RELATED("Network Mapping", "VmCloneNetworkMapping", "customizer"), ROW_END,
};

static const show_row clone_storage_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, VAL("Clone Type", "cloneType"), REF("Vm Disk Mapping", "vmDiskMapping"),
    REF("Repository", "repository"), REF("Vm Clone Customizer", "customizer"), ROW_END,
};

static const show_row clone_network_rows[] = {
    ROW_NAME, ROW_ID, ROW_DESC, REF("Vnic", "vnic"), REF("Network", "network"),
    REF("Vm Clone Customizer", "customizer"), ROW_END,
};

/* Types without a table show Name and Id. */
static const show_row plain_rows[] = {ROW_NAME, ROW_ID, ROW_END};

const show_table show_tables[] = {
    {"Vm", vm_rows},
    {"Server", server_rows},
    {"ServerPool", pool_rows},
    {"Repository", repository_rows},
    {"VirtualDisk", vdisk_rows},
    {"VirtualCdrom", cdrom_rows},
    {"VirtualAppliance", appliance_rows},
    {"VirtualApplianceVm", appliance_vm_rows},
    {"VirtualApplianceVirtualDisk", appliance_disk_rows},
    {"VmDiskMapping", mapping_rows},
    {"PhysicalDisk", pdisk_rows},
    {"Vnic", vnic_rows},
    {"ServerController", sctl_rows},
    {"ServerUpdateGroup", sug_rows},
    {"ServerUpdateRepository", sur_rows},
    {"ServerPoolNetworkPolicy", netpol_rows},
    {"PeriodicTask", ptask_rows},
    {"Network", network_rows},
    {"Port", port_rows},
    {"BondPort", bond_rows},
    {"VlanInterface", vlan_rows},
    {"Tag", tag_rows},
    {"AntiAffinityGroup", aag_rows},
    {"CpuCompatibilityGroup", cpugroup_rows},
    {"FileServer", fileserver_rows},
    {"FileSystem", filesystem_rows},
    {"RepositoryExport", rexport_rows},
    {"Manager", manager_rows},
    {"StorageArray", sarray_rows},
    {"VolumeGroup", vgroup_rows},
    {"AccessGroup", agroup_rows},
    {"StorageInitiator", initiator_rows},
    {"VmCloneCustomizer", customizer_rows},
    {"VmCloneStorageMapping", clone_storage_rows},
    {"VmCloneNetworkMapping", clone_network_rows},
    {NULL, NULL},
};

const show_row *show_rows_of(const char *type)
{
    for (const show_table *t = show_tables; t->type; t++)
        if (!strcmp(t->type, type))
            return t->rows;
    return plain_rows;
}
