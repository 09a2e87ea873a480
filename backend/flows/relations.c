/* The relations table. Refusals are checked in table order, so the first
 * row of a type decides which referrer a "Cannot delete" names. */
#include "backend/flows/relations.h"
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"

const relation relations[] = {
    {"ServerPool", "Server", "serverPool", 0, REL_REFUSE, NULL},
    {"ServerPool", "Vm", "serverPool", 0, REL_REFUSE, NULL},
    {"ServerPool", "AntiAffinityGroup", "serverPool", 0, REL_CASCADE, NULL},
    {"ServerPool", "ServerPoolNetworkPolicy", "serverPool", 0, REL_CASCADE, NULL},
    {"Network", "ServerPoolNetworkPolicy", "network", 0, REL_REFUSE, NULL},
    {"Server", "Repository", "presentedServers", 1, REL_REFUSE, NULL},
    {"Server", "VlanInterface", "server", 0, REL_CASCADE, NULL},
    {"Server", "BondPort", "server", 0, REL_CASCADE, NULL},
    {"Server", "Port", "server", 0, REL_CASCADE, NULL},
    {"BondPort", "VlanInterface", "parent", 0, REL_REFUSE, NULL},
    {"BondPort", "Port", "bondPort", 0, REL_DETACH, NULL},
    {"Server", "FileServer", "adminServers", 1, REL_DETACH, NULL},
    {"Server", "Vm", "server", 0, REL_DETACH, NULL},
    {"Server", "ServerController", "server", 0, REL_CASCADE, NULL},
    {"Repository", "Vm", "repository", 0, REL_REFUSE, NULL},
    {"Repository", "VirtualDisk", "repository", 0, REL_REFUSE, NULL},
    {"Repository", "VirtualCdrom", "repository", 0, REL_REFUSE, NULL},
    {"Repository", "VirtualAppliance", "repository", 0, REL_REFUSE, NULL},
    {"VirtualAppliance", "VirtualApplianceVm", "virtualAppliance", 0, REL_CASCADE, NULL},
    {"VirtualAppliance", "VirtualApplianceVirtualDisk", "virtualAppliance", 0, REL_CASCADE, NULL},
    {"FileSystem", "Repository", "fileSystem", 0, REL_REFUSE, NULL},
    {"FileSystem", "ServerPool", "fileSystem", 0, REL_REFUSE, NULL},
    {"Network", "Port", "network", 0, REL_REFUSE, NULL},
    {"Network", "BondPort", "network", 0, REL_REFUSE, NULL},
    {"Network", "VlanInterface", "network", 0, REL_REFUSE, NULL},
    {"Network", "Vnic", "network", 0, REL_REFUSE, NULL},
    {"VirtualDisk", "VmDiskMapping", "virtualDisk", 0, REL_REFUSE, "vm"},
    {"VirtualCdrom", "VmDiskMapping", "virtualCdrom", 0, REL_REFUSE, "vm"},
    {"Vm", "VmDiskMapping", "vm", 0, REL_CASCADE, NULL},
    {"Vm", "Vnic", "vm", 0, REL_CASCADE, NULL},
    {"Vm", "AntiAffinityGroup", "vms", 1, REL_DETACH, NULL},
    {"Vm", "Tag", "members", 1, REL_DETACH, NULL},
    {"Server", "CpuCompatibilityGroup", "servers", 1, REL_DETACH, NULL},
    /* SAN storage arrays (backend/ops/ops_san*.c) */
    {"PhysicalDisk", "VmDiskMapping", "physicalDisk", 0, REL_REFUSE, "vm"},
    {"PhysicalDisk", "Repository", "physicalDisk", 0, REL_REFUSE, NULL},
    {"PhysicalDisk", "FileSystem", "physicalDisk", 0, REL_REFUSE, NULL},
    {"Repository", "RepositoryExport", "repository", 0, REL_REFUSE, NULL},
    {"Server", "RepositoryExport", "server", 0, REL_REFUSE, NULL},
    {"PhysicalDisk", "ServerPool", "physicalDisk", 0, REL_REFUSE, NULL},
    {"PhysicalDisk", "AccessGroup", "physicalDisks", 1, REL_DETACH, NULL},
    {"StorageArray", "PhysicalDisk", "storageArray", 0, REL_CASCADE, NULL},
    {"StorageArray", "VolumeGroup", "storageArray", 0, REL_CASCADE, NULL},
    {"StorageArray", "AccessGroup", "storageArray", 0, REL_CASCADE, NULL},
    {"Server", "StorageArray", "adminServers", 1, REL_DETACH, NULL},
    {"Server", "StorageInitiator", "server", 0, REL_CASCADE, NULL},
    {"StorageInitiator", "AccessGroup", "storageInitiators", 1, REL_DETACH, NULL},
    {"Vm", "VmCloneCustomizer", "vm", 0, REL_CASCADE, NULL},
    {"VmCloneCustomizer", "VmCloneStorageMapping", "customizer", 0, REL_CASCADE, NULL},
    {"VmCloneCustomizer", "VmCloneNetworkMapping", "customizer", 0, REL_CASCADE, NULL},
    {"VmDiskMapping", "VmCloneStorageMapping", "vmDiskMapping", 0, REL_CASCADE, NULL},
    {"Vnic", "VmCloneNetworkMapping", "vnic", 0, REL_CASCADE, NULL},
    {"Repository", "VmCloneStorageMapping", "repository", 0, REL_REFUSE, NULL},
    {"Network", "VmCloneNetworkMapping", "network", 0, REL_REFUSE, NULL},
    {"ServerPool", "ServerUpdateGroup", "serverPool", 0, REL_CASCADE, NULL},
    {"ServerUpdateGroup", "ServerUpdateRepository", "serverUpdateGroup", 0, REL_CASCADE, NULL},
    {NULL, NULL, NULL, 0, REL_REFUSE, NULL},
};

/* The objects of r->by_type that refer to id, in the store's order. */
static size_t referrers(engine *e, const relation *r, const char *id, obj ***out)
{
    if (!r->is_list)
        return store_find_by(e->st, r->by_type, r->attr, id, out);
    obj **all;
    size_t n = store_list(e->st, r->by_type, &all), k = 0;
    for (size_t i = 0; i < n; i++)
        if (obj_list_has(all[i], r->attr, id))
            all[k++] = all[i];
    *out = all;
    return k;
}

/* The first by name (then id) of the objects the referrers' via names: the
 * same one every time, whatever the referrers' ids are. */
static obj *first_via(engine *e, obj **v, size_t n, const char *via)
{
    obj *best = NULL;
    for (size_t i = 0; i < n; i++) {
        obj *x = store_get(e->st, obj_gets(v[i], via));
        if (x && (!best || ovm_strcasecmp(x->name, best->name) < 0 ||
                  (!ovm_strcasecmp(x->name, best->name) && strcmp(x->id, best->id) < 0)))
            best = x;
    }
    return best;
}

obj *relation_user(engine *e, const obj *o, const char **user_type)
{
    for (const relation *r = relations; r->type; r++) {
        if (r->on_delete != REL_REFUSE || strcmp(r->type, o->type) != 0)
            continue;
        obj **v;
        size_t n = referrers(e, r, o->id, &v);
        obj *user = !n ? NULL : r->via ? first_via(e, v, n, r->via) : v[0];
        free(v);
        if (user) {
            *user_type = user->type;
            return user;
        }
    }
    return NULL;
}

void relations_on_delete(engine *e, const obj *o)
{
    for (const relation *r = relations; r->type; r++) {
        if (r->on_delete == REL_REFUSE || strcmp(r->type, o->type) != 0)
            continue;
        obj **v;
        size_t n = referrers(e, r, o->id, &v);
        for (size_t i = 0; i < n; i++) {
            if (r->on_delete == REL_CASCADE) {
                /* What goes with o lets go of its own referrers too (a
                 * server's storage initiators leave their access groups). */
                relations_on_delete(e, v[i]);
                store_delete(e->st, v[i]);
            }
            else if (r->is_list)
                obj_list_remove(e->st, v[i], r->attr, o->id);
            else
                obj_unset(e->st, v[i], r->attr);
        }
        free(v);
    }
}
