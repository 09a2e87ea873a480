/* Networks as Linux bridges for the libvirt driver (ovs_br_config).
 *
 * Why opt-in (--libvirt-bridges): enslaving a port to a bridge moves the
 * port's traffic onto the bridge, and on a host whose management address is
 * on that port this cuts the host off until the address is moved too; Oracle
 * VM Server's own scripts do that as part of installing the server. An agent
 * added to an existing KVM host must not do it unasked, so by default the
 * driver records bridges as the simulator does and VNICs use a bridge only
 * when the administrator made it. With the option the agent makes the bridge
 * (the kernel's bridge ioctls, the same calls as brctl; CAP_NET_ADMIN needed),
 * adds the port and brings both up; stop takes the port out and deletes the
 * bridge. What the kernel refuses comes back as a fault naming the bridge. */
#include "agent/lv.h"
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "agent/sim.h"
#include "agent/sim_driver.h"
#include "lib/log.h"
#include "lib/util.h"

/* 1 when dev is a port of bridge br, 0 when of none, -1 of another one. */
static int port_of(const char *dev, const char *br)
{
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof link, "/sys/class/net/%s/master", dev);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0)
        return 0;
    target[n] = '\0';
    return !strcmp(basename(target), br) ? 1 : -1;
}

static int set_up(int fd, const char *name, int up)
{
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
        return -1;
    ifr.ifr_flags = (short)(up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP);
    return ioctl(fd, SIOCSIFFLAGS, &ifr);
}

static int port_ioctl(int fd, unsigned long req, const char *br, const char *dev)
{
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", br);
    ifr.ifr_ifindex = (int)if_nametoindex(dev);
    if (!ifr.ifr_ifindex)
        return -1;
    return ioctl(fd, req, &ifr);
}

/* A kernel interface name: 1 to IFNAMSIZ-1 of [A-Za-z0-9_.-], not . or .. */
static int valid_ifname(const char *n)
{
    size_t len = strlen(n);
    if (!len || len >= IFNAMSIZ || !strcmp(n, ".") || !strcmp(n, ".."))
        return 0;
    return strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == len;
}

/* The bridge with dev as its port, both up. "" when done, else what failed;
 * a bridge this call made is deleted again when a later step fails. */
static const char *bridge_start(int fd, const char *br, const char *dev)
{
    if (!if_nametoindex(dev))
        return "no such network device";
    int member = port_of(dev, br);
    if (member < 0) {
        errno = EBUSY;
        return "the device is a port of another bridge";
    }
    int made = ioctl(fd, SIOCBRADDBR, br) == 0;
    if (!made && errno != EEXIST)
        return "cannot create the bridge";
    const char *what = "";
    if (!member && port_ioctl(fd, SIOCBRADDIF, br, dev) != 0)
        what = "cannot add the device to the bridge";
    else if (set_up(fd, dev, 1) != 0 || set_up(fd, br, 1) != 0)
        what = "cannot bring the bridge up";
    if (*what && made) {
        int e = errno;
        if (!member)
            port_ioctl(fd, SIOCBRDELIF, br, dev);
        ioctl(fd, SIOCBRDELBR, br);
        errno = e;
    }
    return what;
}

static const char *bridge_stop(int fd, const char *br, const char *dev)
{
    if (!if_nametoindex(br))
        return ""; /* already gone: stop is idempotent on the host */
    if (*dev && port_of(dev, br) == 1 && port_ioctl(fd, SIOCBRDELIF, br, dev) != 0)
        return "cannot take the device out of the bridge";
    if (set_up(fd, br, 0) != 0 || ioctl(fd, SIOCBRDELBR, br) != 0)
        return "cannot delete the bridge";
    return "";
}

/* Name rules first (interface names), then the kernel, then the
 * record the simulator keeps, which discover_network reports. */
xr_value *lv_bridge(struct call_ctx *c, const char *action, const char *bridge, const char *dev)
{
    struct lv *lv = c->sim->drv_priv;
    if (!lv->make_bridges)
        return simdrv_bridge(c, action, bridge, dev);
    if (!valid_ifname(bridge))
        return call_fault(c, "exceptions.ValueError:invalid bridge name: '%s'", bridge);
    if (*dev && !valid_ifname(dev))
        return call_fault(c, "exceptions.ValueError:invalid network device name: '%s'", dev);
    int start = !strcmp(action, "start");
    if (!start && strcmp(action, "stop") != 0)
        return call_fault(c, "exceptions.ValueError:unknown action: %s", action);
    xr_value *rec = sim_member(c->sim->st, "bridges", XR_STRUCT);
    int recorded = xr_struct_get(rec, bridge) != NULL;
    if (!start && !recorded && !if_nametoindex(bridge))
        return simdrv_bridge(c, action, bridge, dev); /* its "does not exist" fault */
    int fd = socket(AF_LOCAL, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return call_fault(c, "exceptions.OSError:[Errno %d] %s", errno, strerror(errno));
    const char *what = start ? bridge_start(fd, bridge, dev) : bridge_stop(fd, bridge, dev);
    int err = errno;
    close(fd);
    if (*what) {
        log_warn("bridge %s %s (port %s): %s: %s", bridge, action, dev, what, strerror(err));
        return call_fault(c, "exceptions.OSError:[Errno %d] %s %s: %s (%s)", err, action, bridge, what,
                          strerror(err));
    }
    log_info("bridge %s %s (port %s)", bridge, start ? "up" : "removed", dev);
    if (!recorded) /* made by hand, or before the agent lost its state: record it so stop clears it */
        xr_struct_set(rec, bridge, xr_string(dev));
    return simdrv_bridge(c, action, bridge, dev);
}
