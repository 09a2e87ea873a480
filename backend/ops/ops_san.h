/* SAN storage arrays (ops_san*.c): StorageArray, VolumeGroup, PhysicalDisk,
 * AccessGroup, StorageInitiator and the Manager's storage plug-ins
 * (doc/command-language.md §4.4, SAN storage; doc/object-model.md §3). */
#ifndef OVM_OPS_SAN_H
#define OVM_OPS_SAN_H
#include "backend/flows/model.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"

/* The generic SCSI plug-in: its agent implementation, CLI name and id. It is
 * passive (doc/object-model.md §3): it discovers and uses LUNs, it never
 * creates, resizes or deletes them. */
#define SCSI_PLUGIN_IMPL "oracle.generic.SCSIPlugin.GenericPlugin"
#define SCSI_PLUGIN_NAME "Oracle Generic SCSI Plugin"
#define SCSI_PLUGIN_ID "oracle.generic.SCSIPlugin.GenericPlugin (1.1.0)"
/* The refusal of everything a passive plug-in cannot do (§6.17). */
#define SAN_PASSIVE_TEXT "Storage plug-in " SCSI_PLUGIN_NAME " does not support this operation"

/* list and show StorageArrayPlugin / FileServerPlugin: 1 when c's type is one
 * of them (c->res filled), else 0. */
int san_plugin_now(cmdctx *c, int show);
/* The storage server struct (ss) the agent's SCSI plug-in takes for array
 * (store lock held; the caller frees it). */
xr_value *san_ss_arg(const obj *array);
/* The first owned, running admin server of array, or NULL. */
obj *san_admin_server(engine *e, const obj *array);

/* ops_san.c */
job *prepare_create_sarray(cmdctx *c);
job *prepare_edit_sarray(cmdctx *c);
job *prepare_delete_sarray(cmdctx *c);
job *prepare_validate_sarray(cmdctx *c);
job *prepare_add_access_host(cmdctx *c);
job *prepare_remove_access_host(cmdctx *c);
/* ops_san_refresh.c */
job *prepare_refresh_sarray(cmdctx *c);
job *prepare_refresh_pdisk(cmdctx *c);
job *prepare_refresh_storage_layer(cmdctx *c);
/* ops_san_group.c */
job *prepare_create_agroup(cmdctx *c);
job *prepare_add_initiator(cmdctx *c);
job *prepare_remove_initiator(cmdctx *c);
job *prepare_pdisk_passive(cmdctx *c);
job *prepare_edit_pdisk(cmdctx *c);
#endif
