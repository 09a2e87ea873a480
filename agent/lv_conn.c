/* The libvirt connection: opened lazily, checked before each use and
 * reopened after the daemon went away (its guests keep running and are found
 * again). A libvirt event loop thread serves keepalives and the close
 * callback that notices a dead daemon. libvirt's errors go to the agent log
 * and into fault texts, never to stderr. */
#include "agent/lv.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>
#include "agent/sim.h"
#include "lib/log.h"
#include "lib/util.h"

#define KEEPALIVE_INTERVAL_S 5
#define KEEPALIVE_COUNT 3
#define LOOP_WAKE_MS 200

static void on_error(void *arg, virErrorPtr err)
{
    (void)arg;
    if (err && err->message)
        log_debug("libvirt: %s", err->message);
}

static void on_wake(int timer, void *arg)
{
    (void)timer, (void)arg; /* only bounds how long the loop sleeps, for lv_close */
}

static void *event_loop(void *arg)
{
    struct lv *lv = arg;
    while (!lv->loop_stop)
        if (virEventRunDefaultImpl() < 0)
            log_warn("libvirt event loop: %s", virGetLastErrorMessage());
    return NULL;
}

int lv_open(struct lv *lv)
{
    virSetErrorFunc(NULL, on_error);
    if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
        log_err("cannot initialise libvirt: %s", virGetLastErrorMessage());
        return -1;
    }
    lv->wake_timer = virEventAddTimeout(LOOP_WAKE_MS, on_wake, NULL, NULL);
    if (pthread_create(&lv->loop, NULL, event_loop, lv) != 0) {
        log_err("cannot start the libvirt event loop thread");
        return -1;
    }
    lv->loop_started = 1;
    return 0;
}

static void on_close(virConnectPtr conn, int reason, void *arg)
{
    struct lv *lv = arg;
    (void)conn;
    log_warn("libvirt connection to %s closed (reason %d): reconnecting on next use", lv->uri, reason);
    /* Runs in the event loop thread while a caller may hold conn_lock:
     * only flag it; the next lv_conn reopens. */
    __atomic_store_n(&lv->conn_dead, 1, __ATOMIC_SEQ_CST);
}

static void drop_conn(struct lv *lv)
{
    if (!lv->conn)
        return;
    virConnectUnregisterCloseCallback(lv->conn, on_close);
    virConnectClose(lv->conn);
    lv->conn = NULL;
}

void lv_close(struct lv *lv)
{
    pthread_mutex_lock(&lv->conn_lock);
    drop_conn(lv);
    pthread_mutex_unlock(&lv->conn_lock);
    if (lv->loop_started) {
        lv->loop_stop = 1;
        pthread_join(lv->loop, NULL);
    }
    if (lv->wake_timer >= 0)
        virEventRemoveTimeout(lv->wake_timer);
}

static virConnectPtr reopen(struct lv *lv)
{
    drop_conn(lv);
    virConnectPtr conn = virConnectOpen(lv->uri);
    if (!conn)
        return NULL;
    if (virConnectSetKeepAlive(conn, KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT) < 0)
        log_debug("libvirt keepalive not available on %s", lv->uri);
    __atomic_store_n(&lv->conn_dead, 0, __ATOMIC_SEQ_CST);
    if (virConnectRegisterCloseCallback(conn, on_close, lv, NULL) < 0)
        log_debug("no close callback on %s", lv->uri);
    log_info("connected to libvirt at %s", lv->uri);
    lv->conn = conn;
    return conn;
}

virConnectPtr lv_conn_get(struct lv *lv)
{
    pthread_mutex_lock(&lv->conn_lock);
    virConnectPtr conn = lv->conn;
    if (!conn || __atomic_load_n(&lv->conn_dead, __ATOMIC_SEQ_CST) || virConnectIsAlive(conn) != 1)
        conn = reopen(lv);
    if (conn)
        virConnectRef(conn);
    pthread_mutex_unlock(&lv->conn_lock);
    return conn;
}

virConnectPtr lv_conn(struct call_ctx *c)
{
    struct lv *lv = LV(c->sim);
    virConnectPtr conn = lv_conn_get(lv);
    if (!conn)
        lv_fault(c, "cannot connect to libvirt at %s", lv->uri);
    return conn;
}

xr_value *lv_fault(struct call_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = xvasprintf(fmt, ap);
    va_end(ap);
    call_fault(c, "exceptions.RuntimeError:%s: %s", what, virGetLastErrorMessage());
    free(what);
    return NULL;
}

virDomainPtr lv_domain(struct call_ctx *c, virConnectPtr conn, const char *vm, int must_exist)
{
    virDomainPtr d = virDomainLookupByName(conn, vm);
    if (!d && virGetLastErrorCode() != VIR_ERR_NO_DOMAIN) {
        /* Not "no such domain": the daemon could not say (it went away...).
         * Never let that pass for a stopped VM. */
        if (c)
            lv_fault(c, "cannot look up VM %s", vm);
        return NULL;
    }
    if (d && virDomainIsActive(d) != 1) {
        virDomainFree(d);
        d = NULL;
    }
    if (!d && c && must_exist)
        call_fault(c, "exceptions.RuntimeError:Domain '%s' does not exist.", vm);
    return d;
}
