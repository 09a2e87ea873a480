/* The domain methods of doc/agent-protocol.md §5.6: argument decoding only; what
 * happens to the domain is the driver's (driver.h). */
#include "agent/sim.h"

#define DRV(c) ((c)->sim->drv)

static int flag(xr_value *const *argv, size_t argc, size_t i, int dflt)
{
    int v = dflt;
    if (argc > i)
        xr_get_bool(argv[i], &v);
    return v;
}

SIM_HANDLER(h_start_vm)
{
    if (!DRV(c)->start)
        return driver_unsupported(c);
    return DRV(c)->start(c, xr_get_str(argv[0]), xr_get_str(argv[1]));
}

SIM_HANDLER(h_stop_vm)
{
    if (!DRV(c)->stop)
        return driver_unsupported(c);
    return DRV(c)->stop(c, xr_get_str(argv[1]), flag(argv, argc, 2, 0));
}

SIM_HANDLER(h_reboot_vm)
{
    if (!DRV(c)->reboot)
        return driver_unsupported(c);
    return DRV(c)->reboot(c, xr_get_str(argv[1]));
}

SIM_HANDLER(h_pause_vm)
{
    if (!DRV(c)->pause)
        return driver_unsupported(c);
    return DRV(c)->pause(c, xr_get_str(argv[1]), 1);
}

SIM_HANDLER(h_unpause_vm)
{
    if (!DRV(c)->pause)
        return driver_unsupported(c);
    return DRV(c)->pause(c, xr_get_str(argv[1]), 0);
}

SIM_HANDLER(h_save_vm)
{
    if (!DRV(c)->save)
        return driver_unsupported(c);
    return DRV(c)->save(c, xr_get_str(argv[0]), xr_get_str(argv[1]), flag(argv, argc, 2, 0));
}

SIM_HANDLER(h_restore_vm)
{
    if (!DRV(c)->restore)
        return driver_unsupported(c);
    return DRV(c)->restore(c, xr_get_str(argv[0]), xr_get_str(argv[1]), flag(argv, argc, 2, 0));
}

SIM_HANDLER(h_list_vm)
{
    return DRV(c)->list_vm ? DRV(c)->list_vm(c, xr_get_str(argv[1])) : driver_unsupported(c);
}

SIM_HANDLER(h_list_vms)
{
    return DRV(c)->list_vms ? DRV(c)->list_vms(c) : driver_unsupported(c);
}

SIM_HANDLER(h_migrate_vm)
{
    if (!DRV(c)->migrate)
        return driver_unsupported(c);
    return DRV(c)->migrate(c, xr_get_str(argv[0]), xr_get_str(argv[1]), xr_get_str(argv[2]),
                           flag(argv, argc, 3, 1), flag(argv, argc, 4, 0));
}

SIM_HANDLER(h_migration_target)
{
    if (!DRV(c)->migration_target)
        return driver_unsupported(c);
    return DRV(c)->migration_target(c, xr_get_str(argv[0]), xr_get_str(argv[1]));
}

SIM_HANDLER(h_sim_receive_domain)
{
    if (!DRV(c)->receive)
        return driver_unsupported(c);
    return DRV(c)->receive(c, xr_get_str(argv[0]), xr_get_str(argv[1]), argv[2]);
}

SIM_HANDLER(h_sim_guest_shutdown)
{
    if (!DRV(c)->guest_shutdown)
        return driver_unsupported(c);
    return DRV(c)->guest_shutdown(c, xr_get_str(argv[0]));
}

SIM_HANDLER(h_sim_set_cpu_load)
{
    if (!DRV(c)->set_cpu_load)
        return driver_unsupported(c);
    int64_t load = 0;
    xr_get_int64(argv[1], &load); /* dispatch checked it is an integer */
    return DRV(c)->set_cpu_load(c, xr_get_str(argv[0]), load);
}

SIM_HANDLER(h_sim_guest_message)
{
    if (!DRV(c)->guest_send)
        return driver_unsupported(c);
    return DRV(c)->guest_send(c, xr_get_str(argv[0]), xr_get_str(argv[1]), xr_get_str(argv[2]));
}
