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
/* This project's provisioning plug-in: LUNs made with tgtadm on a tgtd that
 * runs on the admin server (agent/san_tgt.c). */
#define TGT_PLUGIN_IMPL "ovmsh.tgt.TgtPlugin"
#define TGT_PLUGIN_NAME "ovmsh tgt Plugin"
#define TGT_PLUGIN_ID "ovmsh.tgt.TgtPlugin (1.0.0)"

/* The agent implementation of array's plug-in. */
const char *san_impl(const obj *array);
/* 1 if array's plug-in creates, resizes and deletes LUNs. */
int san_provisions(const obj *array);
/* Sets the attributes a LUN record se gives a PhysicalDisk (write lock held). */
void san_lun_attrs(engine *e, obj *pd, const xr_value *se);

/* list and show StorageArrayPlugin / FileServerPlugin: 1 when c's type is one
 * of them (c->res filled), else 0. */
int san_plugin_now(cmdctx *c, int show);
/* The storage server struct (ss) the agent's SCSI plug-in takes for array
 * (store lock held; the caller frees it). */
xr_value *san_ss_arg(const obj *array);
/* The first owned, running admin server of array, or NULL after failing c. */
obj *san_admin_server(cmdctx *c, const obj *array);
/* Job step: removes object id and applies its relations (cascades,
 * detaches), in one transaction. */
void san_store_remove(job *j, const char *id);

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
/* Fails c with "Storage plug-in <p> does not support this operation" for the
 * array o (an array, or an object of one) belongs to. */
void san_refuse(cmdctx *c, const obj *o);
job *prepare_add_initiator(cmdctx *c);
job *prepare_remove_initiator(cmdctx *c);
job *prepare_add_pdisk(cmdctx *c);
job *prepare_remove_pdisk(cmdctx *c);
job *prepare_edit_pdisk(cmdctx *c);
/* ops_san_mask.c: LUN masking by the access groups of a masking plug-in */
job *prepare_create_agroup(cmdctx *c);
job *prepare_delete_agroup(cmdctx *c);
/* 1 if group is real on its array (made by create AccessGroup on an array
 * whose plug-in masks LUNs), 0 for a default or generic group. */
int san_group_masks(const obj *group);
/* The job adding (add) or removing member, a StorageInitiator or a
 * PhysicalDisk, to or from masking group g; NULL after failing c. */
job *san_mask_job(cmdctx *c, obj *g, obj *member, int add);
/* add/remove PhysicalDisk pd to/from masking group g, checked first. */
job *san_mask_disk(cmdctx *c, obj *pd, obj *g, int add);
/* ops_san_provision.c: PhysicalDisks through a provisioning plug-in */
job *prepare_create_pdisk(cmdctx *c);
job *prepare_delete_pdisk(cmdctx *c);
job *prepare_resize_pdisk(cmdctx *c, obj *pd);
/* ops_pd_clone.c: block copies between images and LUNs */
job *prepare_clone_vd_to_pd(cmdctx *c);
job *prepare_clone_pd_to_repo(cmdctx *c);
job *prepare_clone_pd_to_pd(cmdctx *c);
#endif
