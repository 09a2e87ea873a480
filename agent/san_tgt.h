/* The tgt provisioning plug-in's pieces that its LUN code (san_tgt.c) and its
 * access groups (san_tgt_acl.c) share. */
#ifndef OVM_AGENT_SAN_TGT_H
#define OVM_AGENT_SAN_TGT_H
#include "agent/dispatch.h"
#include "lib/xmlrpc.h"

/* The initiator name the plug-in's own management path (listing, creating
 * and growing LUNs) logs in with: the plug-in binds it on every target it
 * makes, as an array's out-of-band admin interface sees every LUN. The
 * servers' reads and writes log in with their own names and are masked. */
#define SAN_TGT_ADMIN_IQN "iqn.2026-12.org.ovmsh:tgt-admin"

typedef struct tgt_conf {
    char control[24], tid[24];
    char *dir;
} tgt_conf;

/* Parses ss.plugin_private; 0, or -1 after a fault. */
int tgt_conf_of(struct call_ctx *c, const xr_value *ss, tgt_conf *t);
/* Runs tgtadm -C <control> --lld iscsi <args...>; its stdout in *out when
 * out is not NULL (heap). The exit status, or -1 when it could not run. */
int tgtadm(const tgt_conf *t, const char *const *args, char **out);
/* The tid (as text, in tid) of the target of t's family (the array's target
 * and the ones its access groups made) that holds LUN lun; 0, or -1. */
int tgt_lun_home(const tgt_conf *t, int lun, char *tid, size_t len);
/* 1 if LUN number lun is used in any target of t's family, 0 if not, -1
 * when tgtadm cannot list the targets. */
int tgt_lun_used(const tgt_conf *t, int lun);
#endif
