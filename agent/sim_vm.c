/* VM definitions: vm.cfg files in the repositories (doc/agent-protocol.md §8). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "agent/sim.h"
#include "agent/vmcfg.h"
#include "lib/util.h"

int sim_check_ids(struct call_ctx *c, const char *repo_id, const char *vm_id)
{
    if (sim_valid_name(repo_id) && sim_valid_name(vm_id))
        return 0;
    call_fault(c, "exceptions.ValueError:invalid repository or VM id: '%s' '%s'", repo_id, vm_id);
    return -1;
}

xr_value *sim_read_vmcfg(struct call_ctx *c, const char *repo_id, const char *vm_id)
{
    if (sim_check_ids(c, repo_id, vm_id) != 0)
        return NULL;
    char *dir = sim_vm_dir(c->sim, repo_id, vm_id);
    char *path = xasprintf("%s/vm.cfg", dir);
    char *text = ovm_read_file(path, NULL);
    int e = errno;
    free(path);
    free(dir);
    if (!text)
        return call_fault(c, "exceptions.OSError:[Errno %d] %s: '/OVS/Repositories/%s/VirtualMachines/%s/vm.cfg'",
                          e, strerror(e), repo_id, vm_id);
    char err[128];
    xr_value *cfg = vmcfg_parse(text, err, sizeof err);
    free(text);
    if (!cfg)
        return call_fault(c, "exceptions.SyntaxError:vm.cfg of %s: %s", vm_id, err);
    return cfg;
}

int sim_write_vmcfg(struct call_ctx *c, const char *repo_id, const char *vm_id, const xr_value *cfg)
{
    strbuf sb = STRBUF_INIT;
    char err[128];
    if (vmcfg_format(cfg, &sb, err, sizeof err) != 0) {
        sb_free(&sb);
        call_fault(c, "exceptions.TypeError:cannot write vm.cfg: %s", err);
        return -1;
    }
    char *dir = sim_vm_dir(c->sim, repo_id, vm_id);
    char *path = xasprintf("%s/vm.cfg", dir);
    int rc = ovm_write_file_atomic(path, sb.buf ? sb.buf : "", sb.len, 0644);
    if (rc != 0)
        call_fault(c, "exceptions.IOError:[Errno %d] %s: '/OVS/Repositories/%s/VirtualMachines/%s/vm.cfg'",
                   errno, strerror(errno), repo_id, vm_id);
    free(path);
    free(dir);
    sb_free(&sb);
    return rc;
}

SIM_HANDLER(h_create_vm)
{
    const char *repo = xr_get_str(argv[0]), *vm = xr_get_str(argv[1]);
    if (sim_check_ids(c, repo, vm) != 0)
        return NULL;
    char *dir = sim_vm_dir(c->sim, repo, vm);
    if (mkdir(dir, 0755) != 0) {
        int e = errno;
        free(dir);
        return call_fault(c, "exceptions.OSError:[Errno %d] %s: '/OVS/Repositories/%s/VirtualMachines/%s'",
                          e, strerror(e), repo, vm);
    }
    if (sim_write_vmcfg(c, repo, vm, argv[2]) != 0)
        sim_rm_rf(dir);
    free(dir);
    return c->fault ? NULL : xr_nil();
}

/* configure_vm and set_vm_config: replace the whole configuration. */
SIM_HANDLER(h_configure_vm)
{
    const char *repo = xr_get_str(argv[0]), *vm = xr_get_str(argv[1]);
    xr_value *old = sim_read_vmcfg(c, repo, vm);
    if (!old)
        return NULL;
    xr_free(old);
    if (sim_write_vmcfg(c, repo, vm, argv[2]) != 0)
        return NULL;
    int64_t vcpus;
    const struct driver *drv = c->sim->drv;
    if (drv->vm_running(c->sim, vm) && xr_get_int64(xr_struct_get(argv[2], "vcpus"), &vcpus) == 0 && vcpus > 0)
        return drv->set_vcpus ? drv->set_vcpus(c, vm, vcpus) : driver_unsupported(c);
    return xr_nil();
}

SIM_HANDLER(h_get_vm_config)
{
    return sim_read_vmcfg(c, xr_get_str(argv[0]), xr_get_str(argv[1]));
}

/* The file itself, as getVmCfgFileContent prints it (project choice: Oracle's
 * agent reads it through its generic file calls). */
SIM_HANDLER(h_get_vm_config_file)
{
    const char *repo = xr_get_str(argv[0]), *vm = xr_get_str(argv[1]);
    if (sim_check_ids(c, repo, vm) != 0)
        return NULL;
    char *dir = sim_vm_dir(c->sim, repo, vm);
    char *path = xasprintf("%s/vm.cfg", dir);
    char *text = ovm_read_file(path, NULL);
    int e = errno;
    free(path);
    free(dir);
    if (!text)
        return call_fault(c, "exceptions.OSError:[Errno %d] %s: '/OVS/Repositories/%s/VirtualMachines/%s/vm.cfg'",
                          e, strerror(e), repo, vm);
    xr_value *v = xr_string(text);
    free(text);
    return v;
}

SIM_HANDLER(h_delete_vm)
{
    const char *repo = xr_get_str(argv[0]), *vm = xr_get_str(argv[1]);
    if (sim_check_ids(c, repo, vm) != 0)
        return NULL;
    if (c->sim->drv->vm_running(c->sim, vm))
        return call_fault(c, "exceptions.RuntimeError:VM %s is running; stop it first", vm);
    char *dir = sim_vm_dir(c->sim, repo, vm);
    struct stat st;
    if (stat(dir, &st) != 0 || sim_rm_rf(dir) != 0)
        call_fault(c, "exceptions.OSError:[Errno %d] %s: '/OVS/Repositories/%s/VirtualMachines/%s'",
                   errno, strerror(errno), repo, vm);
    free(dir);
    return c->fault ? NULL : xr_nil();
}

SIM_HANDLER(h_configure_vm_ha)
{
    const char *repo = xr_get_str(argv[0]), *vm = xr_get_str(argv[1]);
    int ha = 0;
    xr_get_bool(argv[2], &ha);
    xr_value *cfg = sim_read_vmcfg(c, repo, vm);
    if (!cfg)
        return NULL;
    xr_struct_set(cfg, "OVM_high_availability", xr_bool(ha));
    int rc = sim_write_vmcfg(c, repo, vm, cfg);
    xr_free(cfg);
    return rc ? NULL : xr_nil();
}

SIM_HANDLER(h_send_to_guest)
{
    if (!c->sim->drv->send_to_guest)
        return driver_unsupported(c);
    return c->sim->drv->send_to_guest(c, xr_get_str(argv[1]), argv[2]);
}

SIM_HANDLER(h_get_guest_messages)
{
    if (!c->sim->drv->guest_messages)
        return driver_unsupported(c);
    return c->sim->drv->guest_messages(c, xr_get_str(argv[1]), 0);
}

SIM_HANDLER(h_clear_guest_messages)
{
    if (!c->sim->drv->guest_messages)
        return driver_unsupported(c);
    return c->sim->drv->guest_messages(c, xr_get_str(argv[1]), 1);
}
