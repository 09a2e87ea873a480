/* The host's network devices beyond the bridges: bonds, VLAN interfaces,
 * MTUs and IP configuration (doc/agent-protocol.md §5.7). The state is kept
 * in st and persisted with it; discover_network reports it back (sim_host.c
 * calls sim_net_report). Like a real host, the agent refuses what the kernel
 * would: a port enslaved twice, a device that is gone, an MTU the NIC cannot
 * take, a VLAN id out of range or twice on one device, an address already on
 * another device. Both drivers keep this record (the libvirt driver does not
 * touch the host's NICs: its test hosts have none to spare). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/sim.h"
#include "lib/util.h"

#define NIC_COUNT 4    /* eth0 (in the installer's bond0) .. eth3 */
#define MTU_MIN 68     /* the kernel's minimum for IPv4 */
#define MTU_MAX 9000   /* what the simulated NICs take (jumbo frames) */

static const char *const bond_modes[] = {"active-backup", "802.3ad", "balance-alb", NULL};
static const int bond_mode_nums[] = {1, 4, 6};

/* 1 if dev is a physical port of the host that has not disappeared. */
static int nic_present(struct sim *s, const char *dev)
{
    int n = -1;
    if (sscanf(dev, "eth%d", &n) != 1 || n < 0 || n >= NIC_COUNT)
        return 0;
    char buf[16];
    snprintf(buf, sizeof buf, "eth%d", n);
    const xr_value *gone = xr_struct_get(s->st, "nics_gone");
    return !strcmp(buf, dev) && !(gone && xr_struct_get(gone, dev));
}

static xr_value *bonds(struct sim *s)
{
    return sim_member(s->st, "bonds", XR_STRUCT);
}

static xr_value *vlans(struct sim *s)
{
    return sim_member(s->st, "vlans", XR_STRUCT);
}

/* The bond holding dev as a slave ("bond0" for eth0), or NULL. */
static const char *master_of(struct sim *s, const char *dev)
{
    if (!strcmp(dev, "eth0"))
        return "bond0";
    const xr_value *b = bonds(s);
    for (size_t i = 0; i < b->n; i++) {
        const xr_value *sl = xr_struct_get(b->items[i], "slaves");
        for (size_t k = 0; sl && k < sl->n; k++)
            if (!strcmp(xr_get_str(sl->items[k]), dev))
                return b->keys[i];
    }
    return NULL;
}

/* 1 if dev exists on the host: a present port, bond0, a bond or a VLAN interface. */
static int dev_exists(struct sim *s, const char *dev)
{
    return nic_present(s, dev) || !strcmp(dev, "bond0") || xr_struct_get(bonds(s), dev) ||
           xr_struct_get(vlans(s), dev);
}

/* Capacity of dev in Mbit/s (0 when it does not exist): each simulated NIC
 * runs at SIM_NIC_MBPS; an active-backup bond has one slave's, an
 * aggregating bond the sum of its slaves' (concepts guide 6.12.3); a VLAN
 * interface its device's. */
int64_t sim_net_speed(struct sim *s, const char *dev)
{
    if (!dev_exists(s, dev))
        return 0;
    if (nic_present(s, dev) || !strcmp(dev, "bond0"))
        return SIM_NIC_MBPS;
    const xr_value *v = xr_struct_get(vlans(s), dev), *b = xr_struct_get(bonds(s), dev);
    if (v)
        return xr_get_str(xr_struct_get(v, "device")) ? sim_net_speed(s, xr_get_str(xr_struct_get(v, "device")))
                                                       : SIM_NIC_MBPS;
    const xr_value *sl = xr_struct_get(b, "slaves");
    size_t n = sl ? sl->n : 0;
    const char *mode = xr_get_str(xr_struct_get(b, "mode"));
    return mode && !strcmp(mode, "active-backup") ? SIM_NIC_MBPS : (int64_t)n * SIM_NIC_MBPS;
}

static int mode_num(const char *mode)
{
    for (int i = 0; bond_modes[i]; i++)
        if (!strcmp(bond_modes[i], mode))
            return bond_mode_nums[i];
    return -1;
}

/* 0, or -1 after a fault: the NICs take MTU_MIN..MTU_MAX. */
static int check_mtu(struct call_ctx *c, const char *dev, int64_t mtu)
{
    if (mtu >= MTU_MIN && mtu <= MTU_MAX)
        return 0;
    call_fault(c, "exceptions.ValueError:%s cannot take MTU %lld (%d..%d)", dev, (long long)mtu, MTU_MIN, MTU_MAX);
    return -1;
}

/* 0 if dev can join a bond: a present port in no bond; else -1 after a fault. */
static int check_slave(struct call_ctx *c, const char *dev)
{
    struct sim *s = c->sim;
    const char *m = nic_present(s, dev) ? master_of(s, dev) : NULL;
    if (!nic_present(s, dev))
        call_fault(c, "exceptions.RuntimeError:no such device: %s", dev);
    else if (m)
        call_fault(c, "exceptions.RuntimeError:%s is already enslaved to %s", dev, m);
    return c->fault ? -1 : 0;
}

SIM_HANDLER(h_ovs_bond_create)
{
    struct sim *s = c->sim;
    const char *bond = xr_get_str(argv[0]), *mode = xr_get_str(argv[1]);
    const xr_value *slaves = argv[2];
    int64_t mtu = 1500;
    xr_get_int64(argv[3], &mtu);
    if (strncmp(bond, "bond", 4) || !sim_valid_name(bond) || !strcmp(bond, "bond0"))
        return call_fault(c, "exceptions.ValueError:invalid bond name: '%s'", bond);
    if (xr_struct_get(bonds(s), bond))
        return call_fault(c, "exceptions.RuntimeError:%s already exists", bond);
    if (mode_num(mode) < 0)
        return call_fault(c, "exceptions.ValueError:unknown bonding mode: %s", mode);
    if (slaves->n == 0)
        return call_fault(c, "exceptions.ValueError:a bond needs at least one slave");
    for (size_t i = 0; i < slaves->n; i++) {
        const char *d = xr_get_str(slaves->items[i]);
        if (!d)
            return call_fault(c, "exceptions.TypeError:slave names must be strings");
        for (size_t k = 0; k < i; k++)
            if (!strcmp(d, xr_get_str(slaves->items[k])))
                return call_fault(c, "exceptions.ValueError:%s given twice", d);
        if (check_slave(c, d) != 0 || check_mtu(c, d, mtu) != 0)
            return NULL;
    }
    xr_value *b = xr_struct();
    xr_struct_set(b, "mode", xr_string(mode));
    xr_struct_set(b, "slaves", xr_copy(slaves));
    xr_struct_set(b, "mtu", xr_int(mtu));
    xr_struct_set(bonds(s), bond, b);
    return xr_nil();
}

/* The bond named by argv[0], or NULL after a fault. */
static xr_value *bond_arg(struct call_ctx *c, xr_value *const *argv)
{
    const char *bond = xr_get_str(argv[0]);
    xr_value *b = (xr_value *)xr_struct_get(bonds(c->sim), bond);
    if (!b)
        call_fault(c, "exceptions.RuntimeError:no such bond: %s", bond);
    return b;
}

/* The name of a VLAN interface on dev ("eth1.20"), or NULL when it has none. */
static const char *vlan_on(struct sim *s, const char *dev)
{
    const xr_value *v = vlans(s);
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(sim_str(v->items[i], "device", ""), dev))
            return v->keys[i];
    return NULL;
}

SIM_HANDLER(h_ovs_bond_edit)
{
    xr_value *b = bond_arg(c, argv);
    const char *mode = xr_get_str(argv[1]);
    int64_t mtu = 0;
    xr_get_int64(argv[2], &mtu);
    if (!b)
        return NULL;
    if (*mode && mode_num(mode) < 0)
        return call_fault(c, "exceptions.ValueError:unknown bonding mode: %s", mode);
    const xr_value *sl = xr_struct_get(b, "slaves");
    for (size_t i = 0; mtu && i < sl->n; i++)
        if (check_mtu(c, xr_get_str(sl->items[i]), mtu) != 0)
            return NULL;
    if (*mode)
        xr_struct_set(b, "mode", xr_string(mode));
    if (mtu)
        xr_struct_set(b, "mtu", xr_int(mtu));
    return xr_nil();
}

SIM_HANDLER(h_ovs_bond_delete)
{
    const char *bond = xr_get_str(argv[0]);
    if (!bond_arg(c, argv))
        return NULL;
    const char *v = vlan_on(c->sim, bond);
    if (v)
        return call_fault(c, "exceptions.RuntimeError:%s still carries VLAN interface %s", bond, v);
    const xr_value *br = xr_struct_get(c->sim->st, "bridges");
    for (size_t i = 0; br && i < br->n; i++)
        if (!strcmp(xr_get_str(br->items[i]) ? xr_get_str(br->items[i]) : "", bond))
            return call_fault(c, "exceptions.RuntimeError:%s is a port of bridge %s", bond, br->keys[i]);
    sim_struct_del(bonds(c->sim), bond);
    sim_struct_del(sim_member(c->sim->st, "ipcfg", XR_STRUCT), bond);
    return xr_nil();
}

/* Slaves of b without dev (a new array). */
static xr_value *slaves_without(const xr_value *b, const char *dev)
{
    const xr_value *sl = xr_struct_get(b, "slaves");
    xr_value *out = xr_array();
    for (size_t i = 0; i < sl->n; i++)
        if (strcmp(xr_get_str(sl->items[i]), dev) != 0)
            xr_array_add(out, xr_copy(sl->items[i]));
    return out;
}

SIM_HANDLER(h_ovs_bond_slave)
{
    const char *action = xr_get_str(argv[0]), *bond = xr_get_str(argv[1]), *dev = xr_get_str(argv[2]);
    xr_value *b = bond_arg(c, argv + 1);
    if (!b)
        return NULL;
    xr_value *sl = (xr_value *)xr_struct_get(b, "slaves");
    if (!strcmp(action, "add")) {
        if (check_slave(c, dev) != 0 || check_mtu(c, dev, sim_int(b, "mtu", 1500)) != 0)
            return NULL;
        xr_array_add(sl, xr_string(dev));
        return xr_nil();
    }
    if (strcmp(action, "remove") != 0)
        return call_fault(c, "exceptions.ValueError:unknown action: %s", action);
    xr_value *rest = slaves_without(b, dev);
    if (rest->n == sl->n) {
        xr_free(rest);
        return call_fault(c, "exceptions.RuntimeError:%s is not a slave of %s", dev, bond);
    }
    if (rest->n == 0) {
        xr_free(rest);
        return call_fault(c, "exceptions.RuntimeError:%s is the last slave of %s; delete the bond instead", dev, bond);
    }
    xr_struct_set(b, "slaves", rest);
    return xr_nil();
}

SIM_HANDLER(h_ovs_vlan_config)
{
    struct sim *s = c->sim;
    const char *action = xr_get_str(argv[0]), *dev = xr_get_str(argv[1]);
    int64_t id = 0;
    xr_get_int64(argv[2], &id);
    char *name = xasprintf("%s.%lld", dev, (long long)id);
    xr_value *r = NULL;
    if (!strcmp(action, "add")) {
        if (id < 1 || id > 4094)
            call_fault(c, "exceptions.ValueError:VLAN id %lld out of range 1..4094", (long long)id);
        else if (!dev_exists(s, dev))
            call_fault(c, "exceptions.RuntimeError:no such device: %s", dev);
        else if (xr_struct_get(vlans(s), dev))
            call_fault(c, "exceptions.RuntimeError:%s is a VLAN interface; VLANs are not stacked", dev);
        else if (xr_struct_get(vlans(s), name))
            call_fault(c, "exceptions.RuntimeError:%s already has VLAN %lld", dev, (long long)id);
        else {
            xr_value *v = xr_struct();
            xr_struct_set(v, "device", xr_string(dev));
            xr_struct_set(v, "vlan_id", xr_int(id));
            xr_struct_set(v, "mtu", xr_int(1500));
            xr_struct_set(vlans(s), name, v);
            r = xr_nil();
        }
    } else if (!strcmp(action, "remove")) {
        if (!xr_struct_get(vlans(s), name))
            call_fault(c, "exceptions.RuntimeError:no such device: %s", name);
        else {
            sim_struct_del(vlans(s), name);
            sim_struct_del(sim_member(s->st, "ipcfg", XR_STRUCT), name);
            r = xr_nil();
        }
    } else {
        call_fault(c, "exceptions.ValueError:unknown action: %s", action);
    }
    free(name);
    return r;
}

SIM_HANDLER(h_ovs_mtu_config)
{
    struct sim *s = c->sim;
    const char *dev = xr_get_str(argv[0]);
    int64_t mtu = 0;
    xr_get_int64(argv[1], &mtu);
    if (!dev_exists(s, dev))
        return call_fault(c, "exceptions.RuntimeError:no such device: %s", dev);
    if (check_mtu(c, dev, mtu) != 0)
        return NULL;
    xr_value *v = (xr_value *)xr_struct_get(vlans(s), dev);
    xr_value *b = (xr_value *)xr_struct_get(bonds(s), dev);
    if (v)
        xr_struct_set(v, "mtu", xr_int(mtu));
    else if (b)
        xr_struct_set(b, "mtu", xr_int(mtu));
    else
        xr_struct_set(sim_member(s->st, "mtus", XR_STRUCT), dev, xr_int(mtu));
    return xr_nil();
}

/* The device other than dev holding address ip, or NULL. */
static const char *address_holder(struct sim *s, const char *dev, const char *ip)
{
    const xr_value *cfg = sim_member(s->st, "ipcfg", XR_STRUCT);
    for (size_t i = 0; i < cfg->n; i++)
        if (strcmp(cfg->keys[i], dev) != 0 && !strcmp(sim_str(cfg->items[i], "ip", ""), ip))
            return cfg->keys[i];
    return NULL;
}

/* 0 if ip and netmask are a usable IPv4 host address and a contiguous mask; else -1 after a fault. */
static int check_address(struct call_ctx *c, const char *ip, const char *netmask)
{
    struct in_addr a, m;
    if (inet_pton(AF_INET, ip, &a) != 1 || !a.s_addr || (ntohl(a.s_addr) >> 28) >= 14)
        call_fault(c, "exceptions.ValueError:invalid IPv4 address: '%s'", ip);
    else if (inet_pton(AF_INET, netmask, &m) != 1 || !m.s_addr || (~ntohl(m.s_addr) & (~ntohl(m.s_addr) + 1)))
        call_fault(c, "exceptions.ValueError:invalid netmask: '%s'", netmask);
    return c->fault ? -1 : 0;
}

SIM_HANDLER(h_ovs_ip_config)
{
    struct sim *s = c->sim;
    const char *dev = xr_get_str(argv[0]), *type = xr_get_str(argv[1]);
    const char *ip = xr_get_str(argv[2]), *mask = xr_get_str(argv[3]);
    xr_value *cfg = sim_member(s->st, "ipcfg", XR_STRUCT);
    if (!dev_exists(s, dev))
        return call_fault(c, "exceptions.RuntimeError:no such device: %s", dev);
    if (!strcmp(type, "none")) {
        sim_struct_del(cfg, dev);
        return xr_nil();
    }
    if (strcmp(type, "static") != 0 && strcmp(type, "dhcp") != 0)
        return call_fault(c, "exceptions.ValueError:unknown address type: %s", type);
    const char *other = !strcmp(type, "static") ? address_holder(s, dev, ip) : NULL;
    if (!strcmp(type, "static") && check_address(c, ip, mask) != 0)
        return NULL;
    if (other)
        return call_fault(c, "exceptions.RuntimeError:address %s is already configured on %s", ip, other);
    xr_value *v = xr_struct();
    xr_struct_set(v, "type", xr_string(type));
    xr_struct_set(v, "ip", xr_string(!strcmp(type, "static") ? ip : ""));
    xr_struct_set(v, "netmask", xr_string(!strcmp(type, "static") ? mask : ""));
    xr_struct_set(cfg, dev, v);
    return xr_nil();
}

/* Test hook: the port disappears as a failed NIC does; the kernel drops it from its bond. */
SIM_HANDLER(h_sim_nic_remove)
{
    struct sim *s = c->sim;
    const char *dev = xr_get_str(argv[0]);
    if (!nic_present(s, dev) || !strcmp(dev, "eth0"))
        return call_fault(c, "exceptions.ValueError:no removable port: %s", dev);
    const char *m = master_of(s, dev);
    xr_value *b = m ? (xr_value *)xr_struct_get(bonds(s), m) : NULL;
    if (b)
        xr_struct_set(b, "slaves", slaves_without(b, dev));
    xr_struct_set(sim_member(s->st, "nics_gone", XR_STRUCT), dev, xr_bool(1));
    return xr_nil();
}

/* ---- discover_network ---- */

static void report_ipcfg(struct sim *s, strbuf *sb, const char *dev)
{
    const xr_value *v = xr_struct_get(sim_member(s->st, "ipcfg", XR_STRUCT), dev);
    if (!v)
        return;
    sb_adds(sb, "<Family>");
    sim_xml_el(sb, "Config_Type", sim_str(v, "type", ""));
    sim_xml_el(sb, "Address", sim_str(v, "ip", ""));
    sim_xml_el(sb, "Netmask", sim_str(v, "netmask", ""));
    sb_adds(sb, "</Family>");
}

static void report_device(strbuf *sb, const char *dev, int64_t mtu)
{
    sb_adds(sb, "<Device Name=\"");
    sb_add_xml(sb, dev);
    sb_adds(sb, "\">");
    sim_xml_el(sb, "Basename", dev);
    sim_xml_elf(sb, "MTU", "%lld", (long long)mtu);
    sb_adds(sb, "<Link_Status>UP</Link_Status>");
}

static void report_bond(struct sim *s, strbuf *sb, const char *name, const xr_value *b)
{
    report_device(sb, name, sim_int(b, "mtu", 1500));
    const xr_value *sl = xr_struct_get(b, "slaves");
    strbuf list = STRBUF_INIT;
    for (size_t k = 0; k < sl->n; k++)
        sb_addf(&list, "%s%s", k ? " " : "", xr_get_str(sl->items[k]));
    sim_xml_el(sb, "Slaves", list.len ? list.buf : "");
    sb_free(&list);
    sim_xml_elf(sb, "Bonding_Mode", "%d", mode_num(sim_str(b, "mode", "active-backup")));
    report_ipcfg(s, sb, name);
    sb_adds(sb, "</Device>");
}

/* The ports eth1.., the bonds and the VLAN interfaces as <Device> elements
 * (eth0 and bond0 are written by discover_network itself). mac(s, n) names port n's MAC. */
void sim_net_report(struct sim *s, strbuf *sb, void (*mac)(struct sim *, int, char *, size_t))
{
    const xr_value *mtus = sim_member(s->st, "mtus", XR_STRUCT);
    for (int n = 1; n < NIC_COUNT; n++) {
        char dev[16], m[32];
        snprintf(dev, sizeof dev, "eth%d", n);
        if (!nic_present(s, dev))
            continue;
        mac(s, n, m, sizeof m);
        report_device(sb, dev, sim_int(mtus, dev, 1500));
        sim_xml_el(sb, "MAC", m);
        sb_adds(sb, "<Speed>1000</Speed>");
        const char *master = master_of(s, dev);
        if (master)
            sim_xml_el(sb, "Master", master);
        report_ipcfg(s, sb, dev);
        sb_adds(sb, "</Device>");
    }
    const xr_value *b = bonds(s), *v = vlans(s);
    for (size_t i = 0; i < b->n; i++)
        report_bond(s, sb, b->keys[i], b->items[i]);
    for (size_t i = 0; i < v->n; i++) {
        report_device(sb, v->keys[i], sim_int(v->items[i], "mtu", 1500));
        sim_xml_el(sb, "Parent", sim_str(v->items[i], "device", ""));
        sim_xml_elf(sb, "VLAN_Id", "%lld", (long long)sim_int(v->items[i], "vlan_id", 0));
        report_ipcfg(s, sb, v->keys[i]);
        sb_adds(sb, "</Device>");
    }
}
