/* Start-up clean-up of agent-side objects that a crash left without their
 * store object (ovmd(8), CRASH SAFETY). */
#ifndef OVM_RECOVER_H
#define OVM_RECOVER_H
#include <stdint.h>

struct engine;

/* For every "Create VM" job settled as interrupted at or after since_ms
 * whose VM is not in the store, removes the VM directory the agent may have
 * written before the crash (delete_vm in each repository, through a Running
 * server it is presented to). The store is the truth for VMs: an orphan is
 * removed rather than adopted, because its configuration was never accepted. */
void recover_interrupted_creates(struct engine *e, int64_t since_ms);
#endif
