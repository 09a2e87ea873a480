/* Private to grammar/: the type catalogue as an X-macro so that types.c and
 * commands.c derive their tables from one list, plus small shared helpers. */
#ifndef OVM_GRAMMAR_INTERNAL_H
#define OVM_GRAMMAR_INTERNAL_H
#include "grammar/grammar.h"

/* X(name, id type code, level, job-name label), alphabetical
 * (cli-contract §4.1 and §9; object-model §1). */
#define GR_TYPE_LIST(X) \
    X(AccessGroup, "000c", GT_RECOGNISED, "Access Group") \
    X(AntiAffinityGroup, "0009", GT_R1, "Anti-Affinity Group") \
    X(BondPort, "000f", GT_RECOGNISED, "Bond Port") \
    X(ControlDomain, NULL, GT_RECOGNISED, "Control Domain") \
    X(Cpu, NULL, GT_RECOGNISED, "Cpu") \
    X(CpuCompatibilityGroup, "0011", GT_R1, "Cpu Compatibility Group") \
    X(FileServer, "0004", GT_R1, "File Server") \
    X(FileServerPlugin, NULL, GT_RECOGNISED, "File Server Plugin") \
    X(FileSystem, "0005", GT_R1, "File System") \
    X(Job, NULL, GT_R1, "Job") \
    X(Manager, "0001", GT_R1, "Manager") \
    X(Network, NULL, GT_R1, "Network") \
    X(PeriodicTask, NULL, GT_RECOGNISED, "Periodic Task") \
    X(PhysicalDisk, "0018", GT_R1, "Physical Disk") \
    X(Port, "000e", GT_R1, "Port") \
    X(Repository, "0003", GT_R1, "Repository") \
    X(RepositoryExport, "001b", GT_RECOGNISED, "Repository Export") \
    X(Server, NULL, GT_R1, "Server") \
    X(ServerController, "001a", GT_RECOGNISED, "Server Controller") \
    X(ServerPool, "0002", GT_R1, "Server Pool") \
    X(ServerPoolNetworkPolicy, NULL, GT_RECOGNISED, "Server Pool Network Policy") \
    X(ServerUpdateGroup, NULL, GT_RECOGNISED, "Server Update Group") \
    X(ServerUpdateRepository, "001c", GT_RECOGNISED, "Server Update Repository") \
    X(StorageArray, "000a", GT_RECOGNISED, "Storage Array") \
    X(StorageArrayPlugin, NULL, GT_RECOGNISED, "Storage Array Plugin") \
    X(StorageInitiator, "000d", GT_RECOGNISED, "Storage Initiator") \
    X(Tag, "0008", GT_R1, "Tag") \
    X(VirtualAppliance, "0019", GT_RECOGNISED, "Virtual Appliance") \
    X(VirtualApplianceVirtualDisk, NULL, GT_RECOGNISED, "Virtual Appliance Virtual Disk") \
    X(VirtualApplianceVm, NULL, GT_RECOGNISED, "Virtual Appliance VM") \
    X(VirtualCdrom, "0015", GT_R1, "Virtual Cdrom") \
    X(VirtualDisk, "0012", GT_R1, "Virtual Disk") \
    X(VlanInterface, "0020", GT_RECOGNISED, "Vlan Interface") \
    X(Vm, "0006", GT_R1, "VM") \
    X(VmCloneCustomizer, "0014", GT_RECOGNISED, "VM Clone Customizer") \
    X(VmCloneNetworkMapping, "0017", GT_RECOGNISED, "VM Clone Network Mapping") \
    X(VmCloneStorageMapping, "0016", GT_RECOGNISED, "VM Clone Storage Mapping") \
    X(VmDiskMapping, "0013", GT_R1, "VM Disk Mapping") \
    X(Vnic, "0007", GT_R1, "Vnic") \
    X(VolumeGroup, "000b", GT_RECOGNISED, "Volume Group")

/* NULL-terminated canonical type names, for objType= enums. */
extern const char *const gr_type_names[];

/* Heap array of heap strings that grows one line at a time. */
typedef struct gr_lines {
    char **v;
    size_t n, cap;
} gr_lines;
void gr_lines_add(gr_lines *l, char *line); /* takes ownership of line */
void gr_lines_addf(gr_lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1 if the command form is a verb-level form on an object (not manager). */
static inline int gr_cmd_is_typed(const gr_cmd *c) { return c->type != NULL; }
/* 1 if verb is one of the generic verbs of §4.2/§4.3 (not a custom command). */
int gr_verb_is_generic(const char *verb);
/* Canonical spelling of a known verb, or NULL. */
const char *gr_verb_canonical(const char *word);
/* 1 if any form of verb takes an object type. */
int gr_verb_is_typed(const char *verb);
/* Keyword introducing the parent for a verb ("on", "to", "from") or NULL. */
const char *gr_parent_keyword(const char *verb);
/* Validates and canonicalises one value: heap canonical value or NULL with *err. */
char *gr_check_value(const gr_attr *a, const char *v, char **err);
#endif
