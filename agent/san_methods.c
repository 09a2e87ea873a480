/* The generic SCSI plug-in's methods (doc/agent-protocol.md §5.9), for both
 * drivers: iSCSI arrays are real (agent/san.c, libiscsi); Fibre Channel arrays
 * are simulated, since this machine has no FC fabric: an FC array named by
 * its access host shows two LUNs whose ids and sizes follow from that name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/san.h"
#include "agent/san_tgt.h"
#include "agent/sim.h"
#include "lib/util.h"

static int is_fc(const xr_value *ss)
{
    return strcmp(sim_str(ss, "storage_type", "ISCSI"), "FIBRE_CHANNEL") == 0;
}

/* Refuses every plug-in but the generic SCSI and the tgt one. 0 or -1 after a fault. */
static int check_plugin(struct call_ctx *c, const char *impl, const xr_value *ss)
{
    if (!impl || (strcmp(impl, SAN_GENERIC_PLUGIN) != 0 && strcmp(impl, SAN_TGT_PLUGIN) != 0)) {
        call_fault(c, "exceptions.RuntimeError:unknown storage plug-in: '%s'", impl ? impl : "");
        return -1;
    }
    const char *host = sim_str(ss, "access_host", "");
    if (!*host) {
        call_fault(c, "exceptions.RuntimeError:storage server has no access_host");
        return -1;
    }
    return 0;
}

int san_check_tgt(struct call_ctx *c, const char *impl, const xr_value *ss)
{
    if (impl && strcmp(impl, SAN_TGT_PLUGIN) != 0) {
        call_fault(c, "exceptions.RuntimeError:storage plug-in '%s' cannot provision LUNs", impl);
        return -1;
    }
    return check_plugin(c, impl, ss);
}

static uint32_t fnv(const char *s, uint32_t h)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The simulated FC array: LUNs 1 and 2, 10 and 20 GiB. */
static xr_value *fc_elements(const xr_value *ss)
{
    const char *host = sim_str(ss, "access_host", "");
    xr_value *list = xr_array();
    for (int lun = 1; lun <= 2; lun++) {
        char *wwn = xasprintf("50:0a:09:8%d:%02x:%02x:%02x:%02x", lun, fnv(host, 1) & 0xff,
                              fnv(host, 2) & 0xff, fnv(host, 3) & 0xff, fnv(host, 4) & 0xff);
        char *name = xasprintf("%s:%d", wwn, lun);
        char *p83 = xasprintf("3600a0b80%08x%08x%06x%d", fnv(host, 5), fnv(host, 6),
                              fnv(host, 7) & 0xffffff, lun);
        xr_value *se = xr_struct();
        xr_struct_set(se, "name", xr_string(name));
        xr_struct_set(se, "target", xr_string(wwn));
        xr_struct_set(se, "lun", xr_int(lun));
        xr_struct_set(se, "page83_id", xr_string(p83));
        xr_struct_set(se, "vendor", xr_string("OVMSIM"));
        xr_struct_set(se, "product", xr_string("FC LUN"));
        xr_struct_set(se, "block_size", xr_int(512));
        xr_struct_set(se, "size", xr_int((int64_t)lun * 10 << 30));
        xr_struct_set(se, "status", xr_string("online"));
        xr_array_add(list, se);
        free(wwn);
        free(name);
        free(p83);
    }
    return list;
}

SIM_HANDLER(h_discover_storage_initiators)
{
    (void)argv, (void)argc;
    char *iqn = san_initiator_name(c->sim->hostname);
    xr_value *list = xr_array(), *ini = xr_struct();
    xr_struct_set(ini, "name", xr_string(iqn));
    xr_struct_set(ini, "type", xr_string("ISCSI"));
    xr_array_add(list, ini);
    free(iqn);
    return list;
}

/* The initiator a listing or validation logs in with: the tgt plug-in's
 * management path (SAN_TGT_ADMIN_IQN), which every target it makes admits,
 * or the host's own name for the generic plug-in (heap). */
static char *listing_iqn(struct call_ctx *c, const char *impl)
{
    if (impl && !strcmp(impl, SAN_TGT_PLUGIN))
        return xstrdup(SAN_TGT_ADMIN_IQN);
    return san_initiator_name(c->sim->hostname);
}

SIM_HANDLER(h_storage_plugin_validate)
{
    (void)argc;
    if (check_plugin(c, xr_get_str(argv[0]), argv[1]) != 0)
        return NULL;
    if (is_fc(argv[1]))
        return xr_nil();
    char *iqn = listing_iqn(c, xr_get_str(argv[0]));
    int rc = san_iscsi_validate(c, argv[1], iqn);
    free(iqn);
    return rc == 0 ? xr_nil() : NULL;
}

SIM_HANDLER(h_storage_plugin_listStorageElements)
{
    (void)argc;
    if (check_plugin(c, xr_get_str(argv[0]), argv[1]) != 0)
        return NULL;
    if (is_fc(argv[1]))
        return fc_elements(argv[1]);
    char *iqn = listing_iqn(c, xr_get_str(argv[0]));
    xr_value *list = san_iscsi_elements(c, argv[1], iqn);
    free(iqn);
    return list;
}

/* Reads and writes reach real LUNs only: the simulated FC LUNs hold no data. */
static int check_io(struct call_ctx *c, xr_value *const *argv)
{
    if (check_plugin(c, xr_get_str(argv[0]), argv[1]) != 0)
        return -1;
    if (is_fc(argv[1])) {
        call_fault(c, "exceptions.RuntimeError:simulated Fibre Channel LUNs hold no data");
        return -1;
    }
    return 0;
}

SIM_HANDLER(h_storage_plugin_readBlocks)
{
    (void)argc;
    int64_t offset = 0, len = 0;
    if (check_io(c, argv) != 0)
        return NULL;
    xr_get_int64(argv[3], &offset);
    xr_get_int64(argv[4], &len);
    char *iqn = san_initiator_name(c->sim->hostname);
    xr_value *v = san_iscsi_read(c, argv[1], argv[2], offset, len, iqn);
    free(iqn);
    return v;
}

SIM_HANDLER(h_storage_plugin_writeBlocks)
{
    (void)argc;
    int64_t offset = 0;
    if (check_io(c, argv) != 0)
        return NULL;
    xr_get_int64(argv[3], &offset);
    char *iqn = san_initiator_name(c->sim->hostname);
    int rc = san_iscsi_write(c, argv[1], argv[2], offset, xr_get_str(argv[4]), iqn);
    free(iqn);
    return rc == 0 ? xr_nil() : NULL;
}
