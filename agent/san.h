/* SAN storage arrays on the agent (agent/san.c: iSCSI through libiscsi;
 * agent/san_methods.c: the methods of the generic SCSI plug-in, and the
 * simulated Fibre Channel arrays). */
#ifndef OVM_AGENT_SAN_H
#define OVM_AGENT_SAN_H
#include <stdint.h>
#include "agent/dispatch.h"
#include "lib/xmlrpc.h"

/* Oracle VM 3.4's generic SCSI plug-in (passive: discover and use only). */
#define SAN_GENERIC_PLUGIN "oracle.generic.SCSIPlugin.GenericPlugin"
/* This project's provisioning plug-in: LUNs made with tgtadm (san_tgt.c). */
#define SAN_TGT_PLUGIN "ovmsh.tgt.TgtPlugin"

/* 0 when impl is the tgt plug-in and ss names an access host; -1 after a fault. */
int san_check_tgt(struct call_ctx *c, const char *impl, const xr_value *ss);

/* The host's iSCSI initiator name, derived from its host name (heap). */
char *san_initiator_name(const char *hostname);
/* SendTargets at ss's access_host:access_port: 0, or -1 after a fault. */
int san_iscsi_validate(struct call_ctx *c, const xr_value *ss, const char *initiator);
/* The disk LUNs of every target the array lists, one struct each (name,
 * target, lun, page83_id, vendor, product, block_size, size, status);
 * NULL after a fault. */
xr_value *san_iscsi_elements(struct call_ctx *c, const xr_value *ss, const char *initiator);
/* len bytes at offset of the LUN se names, as hex; NULL after a fault. */
xr_value *san_iscsi_read(struct call_ctx *c, const xr_value *ss, const xr_value *se,
                         int64_t offset, int64_t len, const char *initiator);
/* Writes data's bytes at offset of the LUN se names: 0, or -1 after a fault. */
int san_iscsi_write(struct call_ctx *c, const xr_value *ss, const xr_value *se,
                    int64_t offset, const char *data, const char *initiator);

/* The session helpers agent/san_copy.c shares (san.c). */
struct iscsi_context;
struct scsi_task;
/* A context logged in to target (NULL: a discovery session); NULL after a fault. */
struct iscsi_context *san_login(struct call_ctx *c, const xr_value *ss, const char *target, const char *initiator);
void san_logout(struct iscsi_context *ctx);
/* t when it completed with GOOD status, else NULL after a fault (t freed). */
struct scsi_task *san_task_ok(struct call_ctx *c, struct iscsi_context *ctx, struct scsi_task *t, const char *what,
                              int lun);
/* The LUN's page 0x83 id as scsi_id prints it (heap), or NULL. */
char *san_page83(struct iscsi_context *ctx, int lun);
/* Takes a fresh session's UNIT ATTENTION with TEST UNIT READY. */
void san_clear_unit_attention(struct iscsi_context *ctx, int lun);
#endif
