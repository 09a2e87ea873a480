/* The table of drivers ovm-agentd knows (driver.h says why there are drivers). */
#include "agent/driver.h"
#include <string.h>
#include "agent/sim.h"

struct driver_row {
    const char *name;
    const struct driver *drv;   /* NULL: known, but not compiled in */
};

static const struct driver_row drivers[] = {
    {"sim", &sim_driver},
#ifdef OVM_WITH_LIBVIRT
    {"libvirt", &libvirt_driver},
#else
    {"libvirt", NULL},
#endif
};

const struct driver *driver_find(const char *name, int *built_in)
{
    for (size_t i = 0; i < sizeof drivers / sizeof *drivers; i++) {
        if (strcmp(drivers[i].name, name) != 0)
            continue;
        *built_in = drivers[i].drv != NULL;
        return drivers[i].drv;
    }
    *built_in = 1;
    return NULL;
}

const char *driver_names(void)
{
#ifdef OVM_WITH_LIBVIRT
    return "sim, libvirt";
#else
    return "sim";
#endif
}

xr_value *driver_unsupported(struct call_ctx *c)
{
    return call_fault(c, "exceptions.NotImplementedError:%s is not supported by the %s driver", c->method,
                      c->sim->drv->name);
}
