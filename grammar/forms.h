/* The command forms and object types as X-macros: the one list from which
 * the grammar's tables (grammar/commands.c, grammar/types.c) and the form ids
 * (gr_form_id in grammar/grammar.h) are derived. The engine binds one
 * operation to every form id that is not refused (backend/ops/registry.c).
 *
 * GR_FORMS(X) calls X(id, initialisers...) per form; the initialisers name
 * attribute tables and helper macros (INST, CREATE, PAIR, MGR, REFUSED_*)
 * that only grammar/commands.c defines, so only it expands them. The list
 * and show forms of every type come from GR_TYPE_LIST. A form with
 * .refusal is parsed and always fails with that text (and every listing
 * says so); forms on recognised-only types are refused by their type. */
#ifndef OVM_GRAMMAR_FORMS_H
#define OVM_GRAMMAR_FORMS_H

/* X(name, id type code, level, job-name label), alphabetical
 * (doc/command-language.md §4.1 and §9; doc/object-model.md §1). */
#define GR_TYPE_LIST(X) \
    X(AccessGroup, "000c", GT_R1, "Access Group") \
    X(AntiAffinityGroup, "0009", GT_R1, "Anti-Affinity Group") \
    X(BondPort, "000f", GT_R1, "Bond Port") \
    X(ControlDomain, NULL, GT_RECOGNISED, "Control Domain") \
    X(Cpu, NULL, GT_RECOGNISED, "Cpu") \
    X(CpuCompatibilityGroup, "0011", GT_R1, "Cpu Compatibility Group") \
    X(FileServer, "0004", GT_R1, "File Server") \
    X(FileServerPlugin, NULL, GT_R1, "File Server Plugin") \
    X(FileSystem, "0005", GT_R1, "File System") \
    X(Job, NULL, GT_R1, "Job") \
    X(Manager, "0001", GT_R1, "Manager") \
    X(Network, NULL, GT_R1, "Network") \
    X(PeriodicTask, "001f", GT_R1, "Periodic Task") \
    X(PhysicalDisk, "0018", GT_R1, "Physical Disk") \
    X(Port, "000e", GT_R1, "Port") \
    X(Repository, "0003", GT_R1, "Repository") \
    X(RepositoryExport, "001b", GT_R1, "Repository Export") \
    X(Server, NULL, GT_R1, "Server") \
    X(ServerController, "001a", GT_R1, "Server Controller") \
    X(ServerPool, "0002", GT_R1, "Server Pool") \
    X(ServerPoolNetworkPolicy, "001e", GT_R1, "Server Pool Network Policy") \
    X(ServerUpdateGroup, "001d", GT_R1, "Server Update Group") \
    X(ServerUpdateRepository, "001c", GT_R1, "Server Update Repository") \
    X(StorageArray, "000a", GT_R1, "Storage Array") \
    X(StorageArrayPlugin, NULL, GT_R1, "Storage Array Plugin") \
    X(StorageInitiator, "000d", GT_R1, "Storage Initiator") \
    X(Tag, "0008", GT_R1, "Tag") \
    X(VirtualAppliance, "0019", GT_R1, "Virtual Appliance") \
    X(VirtualApplianceVirtualDisk, "0019", GT_R1, "Virtual Appliance Virtual Disk") \
    X(VirtualApplianceVm, "0019", GT_R1, "Virtual Appliance VM") \
    X(VirtualCdrom, "0015", GT_R1, "Virtual Cdrom") \
    X(VirtualDisk, "0012", GT_R1, "Virtual Disk") \
    X(VlanInterface, "0020", GT_R1, "Vlan Interface") \
    X(Vm, "0006", GT_R1, "VM") \
    X(VmCloneCustomizer, "0014", GT_R1, "VM Clone Customizer") \
    X(VmCloneNetworkMapping, "0017", GT_R1, "VM Clone Network Mapping") \
    X(VmCloneStorageMapping, "0016", GT_R1, "VM Clone Storage Mapping") \
    X(VmDiskMapping, "0013", GT_R1, "VM Disk Mapping") \
    X(Vnic, "0007", GT_R1, "Vnic") \
    X(VolumeGroup, "000b", GT_R1, "Volume Group")

#define GR_FORMS(X) \
    X(create_AntiAffinityGroup, CREATE("AntiAffinityGroup", name_desc, p_pool, 1, \
        "create AntiAffinityGroup name=<name> [description=<text>] on ServerPool <instance>")) \
    X(create_FileServer, CREATE("FileServer", fileserver_attrs, NULL, 0, \
        "create FileServer name=<name> accessHost=<host> [adminServers=<Server,...>] " \
        "[description=<text>]")) \
    X(create_FileSystem, CREATE("FileSystem", fs_attrs, p_fsrv, 1, \
        "create FileSystem name=<name> physicalDisk=<PhysicalDisk> [description=<text>] on FileServer <instance>")) \
    X(create_RepositoryExport, CREATE("RepositoryExport", rexp_attrs, p_server, 1, \
        "create RepositoryExport name=<name> repository=<Repository> clientHostName=<host> " \
        "[options=<nfs options>] [description=<text>] on Server <instance>")) \
    X(edit_RepositoryExport, INST("edit", "RepositoryExport", rexp_edit_attrs, NULL, NULL)) \
    X(delete_RepositoryExport, INST("delete", "RepositoryExport", no_attrs, NULL, NULL)) \
    X(create_Network, CREATE("Network", net_attrs, NULL, 0, \
        "create Network name=<name> [roles=<role,...>] [server=<Server>] [description=<text>]")) \
    X(create_Repository, CREATE("Repository", repo_attrs, p_repo_parent, 1, \
        "create Repository name=<name> [description=<text>] on FileSystem <instance>")) \
    X(create_ServerPool, CREATE("ServerPool", pool_attrs, NULL, 0, \
        "create ServerPool name=<name> clusterEnable=No")) \
    X(create_Tag, CREATE("Tag", name_desc, NULL, 0, "create Tag name=<name> [description=<text>]")) \
    X(create_CpuCompatibilityGroup, CREATE("CpuCompatibilityGroup", name_desc, NULL, 0, \
        "create CpuCompatibilityGroup name=<name> [description=<text>]")) \
    X(create_VirtualDisk, CREATE("VirtualDisk", vdisk_attrs, p_repo, 1, \
        "create VirtualDisk name=<name> size=<GiB> sparse=<Yes|No> shareable=<Yes|No> " \
        "on Repository <instance>")) \
    X(create_Vm, CREATE("Vm", vm_attrs, p_pool, 0, \
        "create Vm name=<name> repository=<Repository> domainType=<type> [on ServerPool <instance>]")) \
    X(create_VmDiskMapping, CREATE("VmDiskMapping", dmap_attrs, p_vm, 1, \
        "create VmDiskMapping slot=<slot> virtualDisk|physicalDisk|virtualCdrom=<disk> " \
        "on Vm <instance>"), .one_of = dmap_one_of) \
    X(create_Vnic, CREATE("Vnic", vnic_attrs, p_vm, 1, \
        "create Vnic name=<name> network=<Network> [macAddress=<mac>] on Vm <instance>")) \
    X(create_VmCloneCustomizer, CREATE("VmCloneCustomizer", name_desc, p_vm, 1, \
        "create VmCloneCustomizer name=<name> [description=<text>] on Vm <instance>")) \
    X(create_VmCloneStorageMapping, CREATE("VmCloneStorageMapping", cstore_attrs, p_cust, 1, \
        "create VmCloneStorageMapping cloneType=<type> name=<name> vmDiskMapping=<VmDiskMapping> " \
        "repository=<Repository> [description=<text>] on VmCloneCustomizer <instance>")) \
    X(create_VmCloneNetworkMapping, CREATE("VmCloneNetworkMapping", cnet_attrs, p_cust, 1, \
        "create VmCloneNetworkMapping name=<name> vnic=<Vnic> network=<Network> [description=<text>] " \
        "on VmCloneCustomizer <instance>")) \
    X(edit_AntiAffinityGroup, INST("edit", "AntiAffinityGroup", name_desc, NULL, NULL)) \
    X(edit_FileServer, INST("edit", "FileServer", fileserver_attrs, NULL, NULL)) \
    X(edit_Network, INST("edit", "Network", net_attrs, NULL, NULL)) \
    X(edit_Repository, INST("edit", "Repository", repo_attrs, NULL, NULL)) \
    X(edit_ServerPool, INST("edit", "ServerPool", pool_attrs, NULL, NULL)) \
    X(edit_Tag, INST("edit", "Tag", name_desc, NULL, NULL)) \
    X(edit_CpuCompatibilityGroup, INST("edit", "CpuCompatibilityGroup", name_desc, NULL, NULL)) \
    X(edit_VirtualDisk, INST("edit", "VirtualDisk", vdisk_attrs, NULL, NULL)) \
    X(edit_Vm, INST("edit", "Vm", vm_attrs, NULL, NULL)) \
    X(edit_VmDiskMapping, INST("edit", "VmDiskMapping", dmap_attrs, NULL, NULL), \
        .one_of = dmap_one_of) \
    X(edit_Vnic, INST("edit", "Vnic", vnic_attrs, NULL, NULL)) \
    X(edit_Server, INST("edit", "Server", server_attrs, NULL, NULL)) \
    X(edit_FileSystem, INST("edit", "FileSystem", name_desc_edit, NULL, NULL)) \
    X(edit_PhysicalDisk, INST("edit", "PhysicalDisk", pdisk_attrs, NULL, NULL)) \
    X(edit_VirtualCdrom, INST("edit", "VirtualCdrom", name_desc_edit, NULL, NULL)) \
    X(edit_Manager, INST("edit", "Manager", name_desc_edit, NULL, NULL)) \
    X(edit_VmCloneCustomizer, INST("edit", "VmCloneCustomizer", name_desc, NULL, NULL)) \
    X(edit_VmCloneStorageMapping, INST("edit", "VmCloneStorageMapping", cstore_attrs, NULL, NULL)) \
    X(edit_VmCloneNetworkMapping, INST("edit", "VmCloneNetworkMapping", cnet_attrs, NULL, NULL)) \
    X(delete_AntiAffinityGroup, INST("delete", "AntiAffinityGroup", no_attrs, NULL, NULL)) \
    X(delete_FileServer, INST("delete", "FileServer", no_attrs, NULL, NULL)) \
    X(delete_Network, INST("delete", "Network", no_attrs, NULL, NULL)) \
    X(delete_Repository, INST("delete", "Repository", no_attrs, NULL, NULL)) \
    X(delete_ServerPool, INST("delete", "ServerPool", no_attrs, NULL, NULL)) \
    X(delete_Tag, INST("delete", "Tag", no_attrs, NULL, NULL)) \
    X(delete_CpuCompatibilityGroup, INST("delete", "CpuCompatibilityGroup", no_attrs, NULL, NULL)) \
    X(delete_VirtualDisk, INST("delete", "VirtualDisk", no_attrs, NULL, NULL)) \
    X(delete_Vm, INST("delete", "Vm", no_attrs, NULL, NULL)) \
    X(delete_VmDiskMapping, INST("delete", "VmDiskMapping", no_attrs, NULL, NULL)) \
    X(delete_Vnic, INST("delete", "Vnic", no_attrs, NULL, NULL)) \
    X(delete_Server, INST("delete", "Server", no_attrs, NULL, NULL)) \
    X(delete_VirtualCdrom, INST("delete", "VirtualCdrom", no_attrs, NULL, NULL)) \
    X(delete_FileSystem, INST("delete", "FileSystem", no_attrs, NULL, NULL)) \
    X(delete_Job, INST("delete", "Job", no_attrs, NULL, NULL)) \
    X(delete_VmCloneCustomizer, INST("delete", "VmCloneCustomizer", no_attrs, NULL, NULL)) \
    X(delete_VmCloneStorageMapping, INST("delete", "VmCloneStorageMapping", no_attrs, NULL, NULL)) \
    X(delete_VmCloneNetworkMapping, INST("delete", "VmCloneNetworkMapping", no_attrs, NULL, NULL)) \
    X(refresh_FileServer, INST("refresh", "FileServer", no_attrs, NULL, NULL)) \
    X(refresh_FileSystem, INST("refresh", "FileSystem", no_attrs, NULL, NULL)) \
    X(refresh_PhysicalDisk, INST("refresh", "PhysicalDisk", no_attrs, NULL, NULL)) \
    X(refresh_Repository, INST("refresh", "Repository", no_attrs, NULL, NULL)) \
    X(refresh_Server, INST("refresh", "Server", no_attrs, NULL, NULL)) \
    X(refresh_StorageArray, INST("refresh", "StorageArray", no_attrs, NULL, NULL)) \
    X(add_Server, PAIR("add", "Server", p_server_to, NULL)) \
    X(add_Vm, PAIR("add", "Vm", p_vm_to, NULL)) \
    X(add_Tag, PAIR("add", "Tag", p_tag_to, NULL)) \
    X(add_ServerPool, PAIR("add", "ServerPool", p_repo, NULL)) \
    X(add_Port, PAIR("add", "Port", p_port_to, NULL)) \
    X(add_Vnic, PAIR("add", "Vnic", p_vnic_to, NULL)) \
    X(remove_Server, PAIR("remove", "Server", p_server_to, NULL)) \
    X(remove_Vm, PAIR("remove", "Vm", p_vm_to, NULL)) \
    X(remove_Tag, PAIR("remove", "Tag", p_tag_to, NULL)) \
    X(remove_ServerPool, PAIR("remove", "ServerPool", p_repo, NULL)) \
    X(remove_Port, PAIR("remove", "Port", p_port_to, NULL)) \
    X(remove_Vnic, PAIR("remove", "Vnic", p_vnic_to, NULL)) \
    X(start_Vm, INST("start", "Vm", no_attrs, NULL, "start Vm <instance>")) \
    X(stop_Vm, INST("stop", "Vm", no_attrs, NULL, "stop Vm <instance>")) \
    X(kill_Vm, INST("kill", "Vm", no_attrs, NULL, "kill Vm <instance>")) \
    X(restart_Vm, INST("restart", "Vm", no_attrs, NULL, "restart Vm <instance>")) \
    X(suspend_Vm, INST("suspend", "Vm", no_attrs, NULL, "suspend Vm <instance>")) \
    X(resume_Vm, INST("resume", "Vm", no_attrs, NULL, "resume Vm <instance>")) \
    X(migrate_Vm, INST("migrate", "Vm", migrate_attrs, \
        "Without a destination a stopped VM becomes Unassigned", \
        "migrate Vm <instance> [destServer=<Server>] [destServerPool=<ServerPool>]")) \
    X(clone_Vm, INST("clone", "Vm", vmclone_attrs, NULL, \
        "clone Vm <instance> destType=<Vm|VmTemplate> destName=<name> [serverPool=<ServerPool>] " \
        "[cloneCustomizer=<VmCloneCustomizer>] [targetRepository=<Repository>]")) \
    X(moveVmToRepository_Vm, INST("moveVmToRepository", "Vm", move_attrs, NULL, \
        "moveVmToRepository Vm <instance> cloneCustomizer=<VmCloneCustomizer> " \
        "targetRepository=<Repository>")) \
    X(getVmCfgFileContent_Vm, INST("getVmCfgFileContent", "Vm", no_attrs, NULL, \
        "getVmCfgFileContent Vm <instance>")) \
    X(sendVmMessage_Vm, INST("sendVmMessage", "Vm", msg_attrs, \
        "message is at most 1024 bytes with log=Yes and 8192 bytes with log=No", \
        "sendVmMessage Vm <instance> key=<key> message=<text> [log=<Yes|No>]"), \
        .check = check_vm_message) \
    X(getVmSentMessages_Vm, INST("getVmSentMessages", "Vm", no_attrs, \
        "the messages sent with log=Yes, oldest first, as key = message", \
        "getVmSentMessages Vm <instance>")) \
    X(clearVmAllSentMessages_Vm, INST("clearVmAllSentMessages", "Vm", no_attrs, \
        "forgets the messages sent with log=Yes", "clearVmAllSentMessages Vm <instance>")) \
    X(getVmReceivedMessages_Vm, INST("getVmReceivedMessages", "Vm", no_attrs, \
        "what the running VM's guest sent the Manager, oldest first, as key = message", \
        "getVmReceivedMessages Vm <instance>")) \
    X(clearVmAllRcvdMessages_Vm, INST("clearVmAllRcvdMessages", "Vm", no_attrs, \
        "forgets what the running VM's guest sent the Manager", "clearVmAllRcvdMessages Vm <instance>")) \
    X(start_Server, INST("start", "Server", no_attrs, "powers the server on through its ServerController; Running when its agent answers", "start Server <instance>")) \
    X(stop_Server, INST("stop", "Server", no_attrs, "orderly shutdown (IPMI soft off); refused while VMs run unless maintenanceMode=Yes", "stop Server <instance>")) \
    X(kill_Server, INST("kill", "Server", no_attrs, "IPMI power off at once; its VMs are handled as after a server failure (HA)", "kill Server <instance>")) \
    X(restart_Server, INST("restart", "Server", no_attrs, "stop, then start, through the ServerController; the same rule as stop", "restart Server <instance>")) \
    X(takeOwnership_Server, INST("takeOwnership", "Server", pw_attrs, NULL, \
        "takeOwnership Server <instance> password=<password>")) \
    X(releaseOwnership_Server, INST("releaseOwnership", "Server", no_attrs, NULL, \
        "releaseOwnership Server <instance>")) \
    X(setMaintenanceMode_Server, INST("setMaintenanceMode", "Server", maint_attrs, \
        "the same as edit Server maintenanceMode=Yes|No", "setMaintenanceMode Server <instance> mode=<on|off>")) \
    X(updateAgentPassword_Server, INST("updateAgentPassword", "Server", pw_attrs, NULL, \
        "updateAgentPassword Server <instance> password=<password>")) \
    X(addPolicyServer_ServerPool, INST("addPolicyServer", "ServerPool", polsrv_attrs, NULL, \
        "addPolicyServer ServerPool <instance> server=<Server>")) \
    X(removePolicyServer_ServerPool, INST("removePolicyServer", "ServerPool", polsrv_rm_attrs, \
        "the server's VMs are no longer moved, nor the server powered off, by the pool's policy", \
        "removePolicyServer ServerPool <instance> server=<Server>")) \
    X(takeOwnership_Repository, INST("takeOwnership", "Repository", repo_own_attrs, NULL, \
        "takeOwnership Repository <instance> [serverPool=<ServerPool>]")) \
    X(exportVirtualAppliance_Repository, INST("exportVirtualAppliance", "Repository", \
        export_attrs, "the VMs must be stopped; an OVF 1.1 OVA with stream-optimized VMDK disks", \
        "exportVirtualAppliance Repository <instance> name=<name> vms=<Vm,...>"), .creates = 1) \
    X(importVirtualCdrom_Repository, INST("importVirtualCdrom", "Repository", import_attrs, \
        "url is http, https or ftp; Oracle's doubled slashes (http:////host//my.iso) are accepted", \
        "importVirtualCdrom Repository <instance> url=<url> [proxy=<host>]"), .creates = 1) \
    X(importVirtualDisk_Repository, INST("importVirtualDisk", "Repository", import_attrs, \
        "url is http, https or ftp; Oracle's doubled slashes (http:////host//my.img) are accepted", \
        "importVirtualDisk Repository <instance> url=<url> [proxy=<host>]"), .creates = 1) \
    X(importVirtualAppliance_Repository, INST("importVirtualAppliance", "Repository", import_attrs, \
        "url names an .ova package (OVF 1.x or 2.0); its disks become raw images", \
        "importVirtualAppliance Repository <instance> url=<url> [proxy=<host>]"), .creates = 1) \
    X(importAssembly_Repository, INST("importAssembly", "Repository", import_attrs, \
        "deprecated: importVirtualAppliance", \
        "importAssembly Repository <instance> url=<url> [proxy=<host>]"), .creates = 1) \
    X(importTemplate_Repository, INST("importTemplate", "Repository", import_attrs, \
        "url names an .ova package with one VM; it becomes a template (a Vm in TEMPLATE state)", \
        "importTemplate Repository <instance> url=<url> [proxy=<host>]"), .creates = 1) \
    X(createVmFromVirtualAppliance_VirtualApplianceVm, INST("createVmFromVirtualAppliance", \
        "VirtualApplianceVm", no_attrs, "the new Vm is Unassigned: migrate it to a pool to start it", \
        "createVmFromVirtualAppliance VirtualApplianceVm <instance>"), .creates = 1) \
    X(createVmFromAssembly_VirtualApplianceVm, INST("createVmFromAssembly", "VirtualApplianceVm", no_attrs, \
        "deprecated: createVmFromVirtualAppliance", "createVmFromAssembly AssemblyVm <instance>"), .creates = 1) \
    X(edit_VirtualAppliance, INST("edit", "VirtualAppliance", name_desc_edit, NULL, NULL)) \
    X(edit_VirtualApplianceVm, INST("edit", "VirtualApplianceVm", name_desc_edit, NULL, NULL)) \
    X(edit_VirtualApplianceVirtualDisk, INST("edit", "VirtualApplianceVirtualDisk", name_desc_edit, NULL, NULL)) \
    X(delete_VirtualAppliance, INST("delete", "VirtualAppliance", no_attrs, NULL, NULL)) \
    X(clone_VirtualDisk, INST("clone", "VirtualDisk", vdclone_attrs, \
        "cloneType also accepts the 3.2 spellings Sparse and nonSparse; THIN_CLONE: a reflink in the same OCFS2 repository", \
        "clone VirtualDisk <instance> target=<Repository> cloneType=<type> [name=<name>]")) \
    X(cloneVdToRepo_VirtualDisk, INST("cloneVdToRepo", "VirtualDisk", vdcopy_attrs, NULL, \
        "cloneVdToRepo VirtualDisk <instance> target=<Repository> cloneType=<type>")) \
    X(cloneCdToRepo_VirtualCdrom, INST("cloneCdToRepo", "VirtualCdrom", vdcopy_attrs, NULL, \
        "cloneCdToRepo VirtualCdrom <instance> target=<Repository> cloneType=<type>")) \
    X(cloneVdToPd_VirtualDisk, INST("cloneVdToPd", "VirtualDisk", pdcopy_attrs, \
        "a block copy through iSCSI onto a free LUN at least as big; THIN_CLONE is refused", \
        "cloneVdToPd VirtualDisk <instance> target=<PhysicalDisk> cloneType=<type>")) \
    X(clonePdToRepo_PhysicalDisk, INST("clonePdToRepo", "PhysicalDisk", vdcopy_attrs, \
        "a new VirtualDisk '<LUN> (clone)' of the LUN's size; THIN_CLONE is refused", \
        "clonePdToRepo PhysicalDisk <instance> target=<Repository> cloneType=<type>")) \
    X(clonePdToPd_PhysicalDisk, INST("clonePdToPd", "PhysicalDisk", pdcopy_attrs, \
        "a block copy through iSCSI onto a free LUN at least as big; THIN_CLONE is refused", \
        "clonePdToPd PhysicalDisk <instance> target=<PhysicalDisk> cloneType=<type>")) \
    X(abort_Job, INST("abort", "Job", no_attrs, NULL, "abort Job <instance>")) \
    X(addAdminServer_FileServer, INST("addAdminServer", "FileServer", admin_attrs, NULL, \
        "addAdminServer FileServer <instance> server=<Server>")) \
    X(removeAdminServer_FileServer, INST("removeAdminServer", "FileServer", admin_attrs, NULL, \
        "removeAdminServer FileServer <instance> server=<Server>")) \
    X(addAccessHost_StorageArray, INST("addAccessHost", "StorageArray", access_attrs, NULL, \
        "addAccessHost StorageArray <instance> accessHost=<host> [accessPort=<port>] " \
        "[accessUsername=<user>] [accessPassword=<password>]")) \
    /* SAN storage arrays (doc/command-language.md §4.4, SAN storage) */ \
    X(create_ServerController, CREATE("ServerController", sctl_attrs, p_server, 1, \
        "create ServerController ipAddress=<host> userName=<user> [password=<password>] name=<name> " \
        "[port=<port>] [description=<text>] on Server <instance>")) \
    X(edit_ServerController, INST("edit", "ServerController", sctl_attrs, NULL, NULL)) \
    X(delete_ServerController, INST("delete", "ServerController", no_attrs, NULL, NULL)) \
    /* Network policies of a pool's DRS (doc/object-model.md §7.7) */ \
    X(create_ServerPoolNetworkPolicy, CREATE("ServerPoolNetworkPolicy", netpol_attrs, p_pool, 1, \
        "create ServerPoolNetworkPolicy [policyEnable=<Yes|No>] [policyThreshold=<1-100>] " \
        "[direction=<RECEIVE|TRANSMIT>] network=<Network> name=<name> [description=<text>] " \
        "on ServerPool <instance>")) \
    X(edit_ServerPoolNetworkPolicy, INST("edit", "ServerPoolNetworkPolicy", netpol_attrs, NULL, NULL)) \
    X(delete_ServerPoolNetworkPolicy, INST("delete", "ServerPoolNetworkPolicy", no_attrs, NULL, NULL)) \
    /* The Manager's recurring work (doc/object-model.md §7.7): list, show, edit as Oracle VM 3.4 */ \
    X(edit_PeriodicTask, INST("edit", "PeriodicTask", ptask_attrs, NULL, NULL)) \
    /* Server updates (doc/command-language.md, Server updates) */ \
    X(create_ServerUpdateGroup, CREATE("ServerUpdateGroup", name_desc, p_pool, 1, \
        "create ServerUpdateGroup name=<name> [description=<text>] on ServerPool <instance>")) \
    X(edit_ServerUpdateGroup, INST("edit", "ServerUpdateGroup", name_desc, NULL, NULL)) \
    X(delete_ServerUpdateGroup, INST("delete", "ServerUpdateGroup", no_attrs, NULL, NULL)) \
    X(create_ServerUpdateRepository, CREATE("ServerUpdateRepository", sur_attrs, p_sug, 1, \
        "create ServerUpdateRepository repositoryName=<name> url=<url> enabled=<Yes|No> " \
        "pkgSignatureType=<NONE|GPG|CA> [pkgSignatureKey=<url>] name=<name> [description=<text>] " \
        "on ServerUpdateGroup <instance>")) \
    X(edit_ServerUpdateRepository, INST("edit", "ServerUpdateRepository", sur_attrs, NULL, NULL)) \
    X(delete_ServerUpdateRepository, INST("delete", "ServerUpdateRepository", no_attrs, NULL, NULL)) \
    X(checkUpToDate_Server, INST("checkUpToDate", "Server", no_attrs, \
        "asks the server's agent whether its update repositories offer newer packages; sets Up To Date", \
        "checkUpToDate Server <instance>")) \
    X(upgrade_Server, INST("upgrade", "Server", no_attrs, \
        "maintenance mode, install the updates, restart, maintenance mode off", "upgrade Server <instance>")) \
    X(create_StorageArray, CREATE("StorageArray", sarray_attrs, NULL, 0, \
        "create StorageArray name=<name> plugin=<plugin> storageType=<ISCSI|FIBRECHANNEL> " \
        "[accessHost=<host>] [accessPort=<port>] [useChap=<Yes|No>] [accessUsername=<user> " \
        "accessPassword=<password>] [pluginPrivateData=<text>] [description=<text>]")) \
    X(edit_StorageArray, INST("edit", "StorageArray", sarray_attrs, NULL, NULL)) \
    X(delete_StorageArray, INST("delete", "StorageArray", no_attrs, NULL, NULL)) \
    X(validate_StorageArray, INST("validate", "StorageArray", no_attrs, NULL, \
        "validate StorageArray <instance>")) \
    X(addAdminServer_StorageArray, INST("addAdminServer", "StorageArray", admin_attrs, NULL, \
        "addAdminServer StorageArray <instance> server=<Server>")) \
    X(removeAdminServer_StorageArray, INST("removeAdminServer", "StorageArray", admin_attrs, NULL, \
        "removeAdminServer StorageArray <instance> server=<Server>")) \
    X(removeAccessHost_StorageArray, INST("removeAccessHost", "StorageArray", rmaccess_attrs, NULL, \
        "removeAccessHost StorageArray <instance> accessHost=<host>")) \
    X(refreshStorageLayer_Server, INST("refreshStorageLayer", "Server", no_attrs, NULL, \
        "refreshStorageLayer Server <instance>")) \
    X(create_AccessGroup, CREATE("AccessGroup", name_desc, p_sarray, 1, \
        "create AccessGroup name=<name> [description=<text>] on StorageArray <instance>")) \
    X(edit_AccessGroup, INST("edit", "AccessGroup", name_desc_edit, NULL, NULL)) \
    X(delete_AccessGroup, INST("delete", "AccessGroup", no_attrs, NULL, NULL)) \
    X(add_StorageInitiator, PAIR("add", "StorageInitiator", p_agroup, NULL)) \
    X(remove_StorageInitiator, PAIR("remove", "StorageInitiator", p_agroup, NULL)) \
    X(add_PhysicalDisk, PAIR("add", "PhysicalDisk", p_agroup, NULL)) \
    X(remove_PhysicalDisk, PAIR("remove", "PhysicalDisk", p_agroup, NULL)) \
    X(create_PhysicalDisk, CREATE("PhysicalDisk", pdisk_attrs, p_vgroup, 1, \
        "create PhysicalDisk name=<name> size=<GiB> [thinProvision=<Yes|No>] [shareable=<Yes|No>] " \
        "on VolumeGroup <instance>")) \
    X(delete_PhysicalDisk, INST("delete", "PhysicalDisk", no_attrs, NULL, NULL)) \
    /* bonds, VLAN interfaces and port MTUs (doc/command-language.md §4.4, Networks) */ \
    X(create_BondPort, CREATE("BondPort", bond_attrs, p_server, 1, \
        "create BondPort ethernetPorts=<Port,...> mode=<ACTIVE_PASSIVE|LINK_AGGREGATION|LOAD_BALANCED> " \
        "[mtu=<bytes>] [interfaceName=<bondN>] name=<name> [description=<text>] on Server <instance>")) \
    X(edit_BondPort, INST("edit", "BondPort", bond_attrs, NULL, NULL)) \
    X(delete_BondPort, INST("delete", "BondPort", no_attrs, NULL, NULL)) \
    X(add_BondPort, PAIR("add", "BondPort", p_net, NULL)) \
    X(remove_BondPort, PAIR("remove", "BondPort", p_net, NULL)) \
    X(create_VlanInterface, CREATE("VlanInterface", vlan_attrs, p_vlan_on, 1, \
        "create VlanInterface vlanId=<1..4094> [mtu=<bytes>] name=<name> [description=<text>] " \
        "on Port <instance>")) \
    X(edit_VlanInterface, INST("edit", "VlanInterface", vlan_attrs, NULL, NULL)) \
    X(delete_VlanInterface, INST("delete", "VlanInterface", no_attrs, NULL, NULL)) \
    X(add_VlanInterface, PAIR("add", "VlanInterface", p_net, NULL)) \
    X(remove_VlanInterface, PAIR("remove", "VlanInterface", p_net, NULL)) \
    X(edit_Port, INST("edit", "Port", port_attrs, NULL, NULL)) \
    X(embeddedCreate_Port, INST("embeddedCreate", "Port", ipc_attrs, IPC_HELP, \
        "embeddedCreate Port <instance> ipAddressConfig ipAddressConfigType=<STATIC|DYNAMIC> " \
        "[ipAddress=<ip>] [ipNetmask=<mask>]"), .keyword = "ipAddressConfig") \
    X(embeddedEdit_Port, INST("embeddedEdit", "Port", ipc_edit_attrs, IPC_HELP, \
        "embeddedEdit Port <instance> ipAddressConfig id=1 ipAddressConfigType=<STATIC|DYNAMIC> " \
        "[ipAddress=<ip>] [ipNetmask=<mask>]"), .keyword = "ipAddressConfig") \
    X(embeddedDelete_Port, INST("embeddedDelete", "Port", ipc_id_attrs, NULL, \
        "embeddedDelete Port <instance> ipAddressConfig id=1"), .keyword = "ipAddressConfig") \
    X(embeddedCreate_BondPort, INST("embeddedCreate", "BondPort", ipc_attrs, IPC_HELP, \
        "embeddedCreate BondPort <instance> ipAddressConfig ipAddressConfigType=<STATIC|DYNAMIC> " \
        "[ipAddress=<ip>] [ipNetmask=<mask>]"), .keyword = "ipAddressConfig") \
    X(embeddedEdit_BondPort, INST("embeddedEdit", "BondPort", ipc_edit_attrs, IPC_HELP, \
        "embeddedEdit BondPort <instance> ipAddressConfig id=1 ipAddressConfigType=<STATIC|DYNAMIC> " \
        "[ipAddress=<ip>] [ipNetmask=<mask>]"), .keyword = "ipAddressConfig") \
    X(embeddedDelete_BondPort, INST("embeddedDelete", "BondPort", ipc_id_attrs, NULL, \
        "embeddedDelete BondPort <instance> ipAddressConfig id=1"), .keyword = "ipAddressConfig") \
    X(embeddedCreate_VlanInterface, INST("embeddedCreate", "VlanInterface", ipc_attrs, IPC_HELP, \
        "embeddedCreate VlanInterface <instance> ipAddressConfig ipAddressConfigType=<STATIC|DYNAMIC> " \
        "[ipAddress=<ip>] [ipNetmask=<mask>]"), .keyword = "ipAddressConfig") \
    X(embeddedEdit_VlanInterface, INST("embeddedEdit", "VlanInterface", ipc_edit_attrs, IPC_HELP, \
        "embeddedEdit VlanInterface <instance> ipAddressConfig id=1 ipAddressConfigType=<STATIC|DYNAMIC> " \
        "[ipAddress=<ip>] [ipNetmask=<mask>]"), .keyword = "ipAddressConfig") \
    X(embeddedDelete_VlanInterface, INST("embeddedDelete", "VlanInterface", ipc_id_attrs, NULL, \
        "embeddedDelete VlanInterface <instance> ipAddressConfig id=1"), .keyword = "ipAddressConfig") \
    X(discoverServer, MGR("discoverServer", discover_attrs, NULL, \
        "discoverServer ipAddress=<host> password=<password> [takeOwnership=<Yes|No>]")) \
    X(ackEvent, MGR("ackEvent", ack_attrs, NULL, "ackEvent eventId=<id>")) \
    X(getEvents, MGR("getEvents", events_attrs, EVENTS_HELP, \
        "getEvents [objType=<Type> objId=<id>] [severity=<severity>] [acknowledged=<Yes|No>] " \
        "[startTime=<time>] [endTime=<time>] [amount=<n>]"), .check = check_events) \
    X(getEventsForObject, MGR("getEventsForObject", obj_events_attrs, \
        "Lists every event of the object, acknowledged or not", \
        "getEventsForObject objType=<Type> objId=<id>")) \
    X(getTriageEvent, MGR("getTriageEvent", obj_events_attrs, \
        "Lists the open event of the object with the highest severity (the newest of equals)", \
        "getTriageEvent objType=<Type> objId=<id>")) \
    X(getEventListByQuery, MGR("getEventListByQuery", query_events_attrs, EVENTS_HELP, \
        "getEventListByQuery [objType=<Type> objIds=<id,...>] [severity=<severity>] " \
        "[severityEqualityType=<LT|LTE|GT|GTE|EQ|NE>] [eventTypes=<type,...>] " \
        "[eventEqualityType=<LIKE|NOT_LIKE>] [acknowledged=<Yes|No>] [userAckable=<Yes|No>] " \
        "[startTime=<time>] [endTime=<time>] [maxResults=<n>]"), .check = check_events_query) \
    X(getManagerTime, MGR("getManagerTime", no_attrs, NULL, "getManagerTime")) \
    X(getStatList, MGR("getStatList", stat_attrs, \
        EVENTS_HELP, \
        "getStatList objType=<Type> objId=<id> statType=<type> startTime=<time> [endTime=<time>]")) \
    X(getAverageStat, MGR("getAverageStat", stat_attrs, EVENTS_HELP, \
        "getAverageStat objType=<Type> objId=<id> statType=<type> startTime=<time> [endTime=<time>]")) \
    X(getLatestStatForList, MGR("getLatestStatForList", stat_latest_attrs, NULL, \
        "getLatestStatForList objType=<Type> ids=<id,...> statType=<type>")) \
    X(getStatListByQuery, MGR("getStatListByQuery", stat_query_attrs, EVENTS_HELP, \
        "getStatListByQuery objType=<Type> objIds=<id,...> statType=<type> equalityType=<LT|LTE|GT|GTE|EQ|NE> " \
        "statValue=<n> [startTime=<time>] [endTime=<time>] [maxResults=<n>]")) \
    X(getStatsConfig, MGR("getStatsConfig", no_attrs, NULL, "getStatsConfig")) \
    X(setStatsConfig, MGR("setStatsConfig", stats_cfg_attrs, NULL, \
        "setStatsConfig [statisticsEnabled=<Yes|No>] [samplingInterval=<s>] [holdTime=<min>] " \
        "[fsSamplingInterval=<s>]")) \
    X(getArchiveConfig, MGR("getArchiveConfig", no_attrs, NULL, "getArchiveConfig")) \
    X(setArchiveConfig, MGR("setArchiveConfig", archive_cfg_attrs, NULL, "setArchiveConfig interval=<min>")) \
    X(getVnicMacAddrRange, MGR("getVnicMacAddrRange", no_attrs, NULL, "getVnicMacAddrRange")) \
    X(setVnicMacAddrRange, MGR("setVnicMacAddrRange", macrange_attrs, NULL, \
        "setVnicMacAddrRange start=<mac> end=<mac>")) \
    X(set, MGR("set", set_attrs, NULL, \
        "set OutputMode|EndLineChars|CommandMode|CommandTimeout|AlphabetizeAttributes=<value>"), \
        .one_of = set_one_of) \
    X(showclisession, MGR("showclisession", no_attrs, NULL, "showclisession")) \
    X(showversion, MGR("showversion", no_attrs, NULL, "showversion")) \
    X(showobjtypes, MGR("showobjtypes", no_attrs, NULL, "showobjtypes")) \
    X(showcustomcmds, MGR("showcustomcmds", no_attrs, NULL, "showcustomcmds <objectType>"), \
        .type_arg = 1) \
    X(showallcustomcmds, MGR("showallcustomcmds", no_attrs, NULL, "showallcustomcmds")) \
    X(help, MGR("help", no_attrs, NULL, "help")) \
    X(exit, MGR("exit", no_attrs, NULL, "exit"))

#endif
