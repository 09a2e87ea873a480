/* The sim driver's operations (driver.h), implemented in sim_domain.c,
 * sim_migrate.c and drv_sim.c. */
#ifndef OVM_AGENT_SIM_DRIVER_H
#define OVM_AGENT_SIM_DRIVER_H
#include "agent/sim.h"

xr_value *simdrv_start(struct call_ctx *c, const char *repo, const char *vm);
xr_value *simdrv_stop(struct call_ctx *c, const char *vm, int force);
xr_value *simdrv_guest_shutdown(struct call_ctx *c, const char *vm);
xr_value *simdrv_reboot(struct call_ctx *c, const char *vm);
xr_value *simdrv_pause(struct call_ctx *c, const char *vm, int paused);
xr_value *simdrv_save(struct call_ctx *c, const char *repo, const char *vm, int checkpoint);
xr_value *simdrv_restore(struct call_ctx *c, const char *repo, const char *vm, int paused);
xr_value *simdrv_list_vm(struct call_ctx *c, const char *vm);
xr_value *simdrv_list_vms(struct call_ctx *c);
xr_value *simdrv_set_cpu_load(struct call_ctx *c, const char *vm, int64_t load);
xr_value *simdrv_migrate(struct call_ctx *c, const char *repo, const char *vm, const char *dest, int live,
                         int ssl);
xr_value *simdrv_crash(struct call_ctx *c);
xr_value *simdrv_receive(struct call_ctx *c, const char *repo, const char *vm, const xr_value *rec);
/* Bridge bookkeeping in the agent state (also used by the libvirt driver,
 * which has no bridges of its own to make in session mode). */
xr_value *simdrv_bridge(struct call_ctx *c, const char *action, const char *bridge, const char *dev);
#endif
