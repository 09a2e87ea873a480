/* Where a VM may run (object-model §6.4, §6.5, §6.9): eligibility of a server
 * for a VM with the reason words of rule L-2, and the start policies. */
#ifndef OVM_PLACEMENT_H
#define OVM_PLACEMENT_H
#include "backend/engine.h"

/* Why server s cannot take vm (heap string, e.g. "maintenance mode"), or NULL
 * when it can. for_start: the start rules (inbound lock waived for the VM's own
 * server); otherwise the live-migration target rules (M-3, M-4, M-8, M-11). Read lock held. */
char *placement_refusal(engine *e, const obj *vm, const obj *s, int for_start);
/* Picks the server to start vm on per its (or its pool's) start policy. NULL
 * with *why (heap, the full L-2 or L-3 Error Msg) when none is eligible. */
obj *placement_choose(engine *e, const obj *vm, char **why);
/* 1 if a VM status counts as using its server (Starting, Running, Stopping). */
int vm_is_active(const obj *vm);
/* Repositories a VM uses: its own plus those of its disks and ISOs (heap ids). */
size_t vm_repositories(engine *e, const obj *vm, char ***out);
/* Networks of a VM's Vnics (heap ids, unique). */
size_t vm_networks(engine *e, const obj *vm, char ***out);
/* Name of a server-local Network one of vm's Vnics uses (heap), or NULL (M-10, C-5). */
char *vm_local_network(engine *e, const obj *vm);
/* Compares dotted version strings numerically ("3.4.6-2105" vs "3.4.5"). */
int version_cmp(const char *a, const char *b);
#endif
