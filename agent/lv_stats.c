/* Running-VM records (doc/agent-protocol.md §7) and host memory from libvirt's
 * numbers: plain arithmetic, kept apart so unit tests can pin it down. */
#include "agent/lv.h"
#include <string.h>
#include "lib/util.h"

/* Xen's flags are r running, b blocked, p paused, s shut down, c crashed, d
 * dying. libvirt reports one state; a running QEMU guest is "r" (QEMU does
 * not tell whether the vCPUs are idle). */
static const struct {
    int state;
    const char *flags;
} state_map[] = {
    {VIR_DOMAIN_NOSTATE, "------"},
    {VIR_DOMAIN_RUNNING, "r-----"},
    {VIR_DOMAIN_BLOCKED, "-b----"},
    {VIR_DOMAIN_PAUSED, "--p---"},
    {VIR_DOMAIN_SHUTDOWN, "---s--"},
    {VIR_DOMAIN_SHUTOFF, "---s-d"},
    {VIR_DOMAIN_CRASHED, "----c-"},
    {VIR_DOMAIN_PMSUSPENDED, "--p---"},
};

const char *lv_state_flags(int state)
{
    for (size_t i = 0; i < sizeof state_map / sizeof *state_map; i++)
        if (state_map[i].state == state)
            return state_map[i].flags;
    return "------";
}

static unsigned long long param_ull(const virTypedParameter *p, int n, const char *field, unsigned long long dflt)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(p[i].field, field) != 0)
            continue;
        switch (p[i].type) {
        case VIR_TYPED_PARAM_INT: return p[i].value.i < 0 ? dflt : (unsigned long long)p[i].value.i;
        case VIR_TYPED_PARAM_UINT: return p[i].value.ui;
        case VIR_TYPED_PARAM_LLONG: return p[i].value.l < 0 ? dflt : (unsigned long long)p[i].value.l;
        case VIR_TYPED_PARAM_ULLONG: return p[i].value.ul;
        default: return dflt;
        }
    }
    return dflt;
}

static xr_value *devices(const char *vnc_location)
{
    xr_value *dev = xr_struct(), *vfb = xr_array(), *con = xr_array();
    if (vnc_location && *vnc_location) {
        xr_value *fb = xr_struct();
        xr_struct_set(fb, "type", xr_string("vnc"));
        xr_struct_set(fb, "location", xr_string(vnc_location));
        xr_array_add(vfb, fb);
    }
    xr_value *cons = xr_struct();
    xr_struct_set(cons, "protocol", xr_string("vt100"));
    xr_struct_set(cons, "location", xr_string(LV_CONSOLE_FILE));
    xr_array_add(con, cons);
    xr_struct_set(dev, "vif", xr_array());
    xr_struct_set(dev, "vbd", xr_array());
    xr_struct_set(dev, "vfb", vfb);
    xr_struct_set(dev, "console", con);
    xr_struct_set(dev, "vkbd", xr_array());
    return dev;
}

xr_value *lv_record(const char *name, const char *uuid, int domid, const virTypedParameter *p, int n,
                    const virDomainInfo *info, const char *vnc_location)
{
    /* Without a balloon, stats carry no memory: the domain info has it. */
    unsigned long long cur_kib = param_ull(p, n, "balloon.current", info ? info->memory : 0);
    unsigned long long max_kib = param_ull(p, n, "balloon.maximum", info ? info->maxMem : cur_kib);
    unsigned long long vcpus = param_ull(p, n, "vcpu.current", info ? info->nrVirtCpu : 1);
    xr_value *r = xr_struct();
    xr_struct_set(r, "name", xr_string(name));
    xr_struct_set(r, "uuid", xr_string(uuid));
    xr_struct_set(r, "domid", xr_int(domid));
    int state = (int)param_ull(p, n, "state.state", info ? info->state : VIR_DOMAIN_NOSTATE);
    xr_struct_set(r, "state", xr_string(lv_state_flags(state)));
    xr_struct_set(r, "memory", xr_int((int64_t)(cur_kib / 1024)));
    xr_struct_set(r, "maxmem", xr_int((int64_t)(max_kib / 1024)));
    xr_struct_set(r, "vcpus", xr_int((int64_t)param_ull(p, n, "vcpu.maximum", vcpus)));
    xr_struct_set(r, "online_vcpus", xr_int((int64_t)vcpus));
    xr_struct_set(r, "cpu_time", xr_double((double)param_ull(p, n, "cpu.time", info ? info->cpuTime : 0) / 1e9));
    xr_struct_set(r, "cpu_weight", xr_int(27500));
    xr_struct_set(r, "cpu_cap", xr_int(0));
    xr_struct_set(r, "start_time", xr_double(0));
    xr_struct_set(r, "on_poweroff", xr_string("destroy"));
    xr_struct_set(r, "on_reboot", xr_string("restart"));
    xr_struct_set(r, "on_crash", xr_string("restart"));
    xr_struct_set(r, "builder", xr_string("hvm"));
    xr_struct_set(r, "bootloader", xr_string(""));
    xr_struct_set(r, "device", devices(vnc_location));
    return r;
}

int64_t lv_free_mb(unsigned long long free_kib, unsigned long long buffers_kib, unsigned long long cached_kib)
{
    return (int64_t)((free_kib + buffers_kib + cached_kib) / 1024);
}

double lv_cpu_percent(double busy0, double t0, double busy1, double t1, double cpus)
{
    if (t1 <= t0 || cpus <= 0 || busy1 < busy0)
        return -1; /* no interval yet, or a restarted counter */
    double pct = (busy1 - busy0) * 100.0 / ((t1 - t0) * cpus);
    return pct > 100.0 ? 100.0 : pct;
}
