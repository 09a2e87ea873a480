/* Server commands: discoverServer, takeOwnership, releaseOwnership,
 * updateAgentPassword, refresh, edit and delete Server (doc/object-model.md §5.1-§5.3, §6.2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backend/ca.h"
#include "backend/discover.h"
#include "backend/events.h"
#include "backend/generic.h"
#include "backend/ha.h"
#include "backend/model.h"
#include "backend/ops.h"
#include "backend/crashpoint.h"
#include "lib/log.h"
#include "lib/util.h"

typedef struct srv_plan {
    agent_target t;
    int take;                /* take ownership */
    int must_be_unowned;     /* takeOwnership: refuse if owned elsewhere */
    char server_id[64];      /* existing Server (refresh, takeOwnership) or "" */
    char new_password[256];  /* updateAgentPassword */
    gplan *edit;             /* edit Server: attributes to store */
    int push_roles, push_ntp;
    char roles[64], ntp[1024];
    evac_plan *evac;         /* maintenanceMode=Yes in a clustered pool (MM-2) */
    char kick_pool[64];      /* maintenanceMode=No: HA retries in this pool (H-5) */
} srv_plan;

static void srv_plan_free(void *arg)
{
    srv_plan *p = arg;
    if (p) {
        gplan_free(p->edit);
        ha_evac_free(p->evac);
        free(p);
    }
}

/* ---- talking to the agent ---- */

static int fetch_xml(job *j, agent_target *t, const char *method, char **xml)
{
    xr_value *res = NULL;
    if (agent_job_call(j, t, method, j->eng->cfg.agent_call_timeout, &res, 0) != 0)
        return -1;
    const char *s = xr_get_str(res);
    if (!s) {
        job_fail(j, "Job failed on Server %s: %s did not return a discovery document", t->name, method);
        xr_free(res);
        return -1;
    }
    *xml = xstrdup(s);
    xr_free(res);
    return 0;
}

static int check_api_version(job *j, const agent_target *t, const xr_value *ver)
{
    int64_t v = 0;
    if (ver->type != XR_ARRAY || ver->n == 0 || xr_get_int64(ver->items[0], &v) || v != 3) {
        job_fail(j, "Job failed: The Oracle VM Agent at %s does not speak API version 3", t->ep.host);
        return -1;
    }
    return 0;
}

/* An owned server is reached with mutual TLS only (doc/agent-protocol.md §4 item 4):
 * a certificate failure makes it Unknown until takeOwnership. */
static int trusted_contact(job *j, agent_target *t)
{
    xr_value *ver = NULL;
    int rc = agent_job_call(j, t, "get_api_version", j->eng->cfg.agent_call_timeout, &ver, 0);
    if (rc == 0)
        rc = check_api_version(j, t, ver);
    xr_free(ver);
    return rc;
}

/* First contact: pin the agent's key and check the password and API version. */
static int first_contact(job *j, agent_target *t)
{
    engine *e = j->eng;
    char *err = NULL;
    if (t->ep.ca_file[0])
        return trusted_contact(j, t);
    int rc = agentc_fetch_pin(e->ac, &t->ep, t->ep.pin, sizeof t->ep.pin, &err);
    if (rc != AGC_OK) {
        job_fail(j, "Job failed: Cannot reach the Oracle VM Agent at %s:%d: %s", t->ep.host, t->ep.port,
                 err ? err : "no answer");
        free(err);
        return -1;
    }
    xr_value *ver = NULL;
    rc = agent_try_call(e, t, "get_api_version", e->cfg.agent_call_timeout, &ver, &err, 0);
    if (rc == AGC_AUTH) {
        job_fail(j, "Job failed: The Oracle VM Agent at %s rejected the password", t->ep.host);
    } else if (rc != AGC_OK) {
        job_fail(j, "Job failed: Cannot reach the Oracle VM Agent at %s:%d: %s", t->ep.host, t->ep.port,
                 err ? err : "no answer");
    } else if (check_api_version(j, t, ver) != 0) {
        rc = -1;
    }
    free(err);
    xr_free(ver);
    return rc == AGC_OK ? 0 : -1;
}

static int read_facts(job *j, agent_target *t, server_facts *f)
{
    char *xml = NULL, *err = NULL;
    memset(f, 0, sizeof *f);
    int rc = fetch_xml(j, t, "discover_server", &xml);
    if (rc == 0 && parse_discover_server(xml, f, &err) != 0)
        rc = -1;
    free(xml);
    xml = NULL;
    if (rc == 0 && (fetch_xml(j, t, "discover_hardware", &xml) || parse_discover_hardware(xml, f, &err)))
        rc = -1;
    free(xml);
    xml = NULL;
    if (rc == 0 && (fetch_xml(j, t, "discover_network", &xml) || parse_discover_network(xml, f, &err)))
        rc = -1;
    free(xml);
    if (err) {
        job_fail(j, "Job failed on Server %s: %s", t->name, err);
        free(err);
    }
    return rc;
}

static int owned_elsewhere(engine *e, const server_facts *f)
{
    return f->manager_uuid[0] && strcmp(f->manager_uuid, "none") != 0 && strcmp(f->manager_uuid, e->manager_id) != 0;
}

/* Outcome of take_ownership(). */
enum { TAKE_OK = 0, TAKE_REFUSED = 1, TAKE_TRUST_FAILED = 2 };

/* The take_ownership struct of doc/agent-protocol.md §4 item 3, with a freshly issued
 * server identity; NULL after failing the job. *fpr gets the fingerprint
 * of the issued certificate. */
static xr_value *ownership_struct(job *j, const char *server_id, char *fpr, unsigned fprlen)
{
    engine *e = j->eng;
    char *bundle = NULL, *err = NULL;
    char *ca_pem = ca_cert_pem(e->ca);
    if (!ca_pem || ca_issue_server(e->ca, server_id, &bundle, &err) != 0 ||
        ca_fingerprint(bundle, fpr, fprlen) != 0) {
        job_fail(j, "Job failed: %s", err ? err : "cannot read the Manager certificate authority");
        free(err);
        free(ca_pem);
        if (bundle)
            memset(bundle, 0, strlen(bundle));
        free(bundle);
        return NULL;
    }
    xr_value *st = xr_struct();
    xr_struct_set(st, "manager_uuid", xr_string(e->manager_id));
    xr_struct_set(st, "manager_event_url", xr_string("https://127.0.0.1:7002/ovm/agent/event"));
    xr_struct_set(st, "manager_statistic_url", xr_string("https://127.0.0.1:7002/ovm/agent/statistic"));
    xr_struct_set(st, "manager_certificate", xr_string(ca_pem));
    xr_struct_set(st, "signed_server_certificate", xr_string(bundle));
    memset(bundle, 0, strlen(bundle));
    free(bundle);
    free(ca_pem);
    return st;
}

/* The agent restarts its TLS after take_ownership: wait ~2 s, then retry
 * with mutual TLS until it answers (doc/agent-protocol.md §4 item 3). Only transport
 * failures are retried; a certificate failure is final. */
static int reconnect_trusted(job *j, agent_target *t)
{
    engine *e = j->eng;
    long budget_ms = (e->cfg.agent_connect_timeout > 0 ? e->cfg.agent_connect_timeout : 10) * 2000L;
    int rc = AGC_TRANSPORT;
    char *err = NULL;
    usleep(2000 * 1000);
    for (long waited = 0; rc == AGC_TRANSPORT && waited <= budget_ms && !e->stopping; waited += 500) {
        free(err);
        err = NULL;
        xr_value *ver = NULL;
        rc = agent_try_call(e, t, "get_api_version", e->cfg.agent_call_timeout, &ver, &err, 0);
        xr_free(ver);
        if (rc == AGC_TRANSPORT)
            usleep(500 * 1000);
    }
    if (rc != AGC_OK)
        log_warn("agent %s: no mutual TLS after take_ownership: %s", t->ep.host, err ? err : "no answer");
    free(err);
    /* Repeated as a job call so that the job fails with the standard text. */
    return rc == AGC_OK ? 0 : trusted_contact(j, t);
}

/* discover_server over the new channel must name this Manager. */
static int confirm_owner(job *j, agent_target *t)
{
    char *xml = NULL, *err = NULL;
    server_facts f;
    memset(&f, 0, sizeof f);
    int rc = fetch_xml(j, t, "discover_server", &xml);
    if (rc == 0 && parse_discover_server(xml, &f, &err) != 0)
        rc = -1;
    if (rc == 0 && strcmp(f.manager_uuid, j->eng->manager_id) != 0) {
        job_fail(j, "Job failed on Server %s: the agent reports Manager %s after take_ownership", t->name,
                 f.manager_uuid[0] ? f.manager_uuid : "none");
        rc = -1;
    } else if (err) {
        job_fail(j, "Job failed on Server %s: %s", t->name, err);
    }
    free(err);
    free(xml);
    return rc;
}

/* Hands the agent a certificate signed by the Manager CA, then switches t to
 * mutual TLS without the password (doc/agent-protocol.md §4 items 3-4). */
static int take_ownership(job *j, agent_target *t, const char *server_id, char *fpr, unsigned fprlen)
{
    engine *e = j->eng;
    xr_value *st = ownership_struct(j, server_id, fpr, fprlen);
    server_endpoint_client_cert(e, &t->ep);
    if (!st || agent_job_call(j, t, "take_ownership", e->cfg.agent_call_timeout, NULL, 1, st) != 0)
        return TAKE_REFUSED;
    crash_point("discover.owned"); /* the agent is ours; the store has no trust record yet */
    server_endpoint_trust(e, server_id, &t->ep);
    memset(t->ep.password, 0, sizeof t->ep.password);
    if (reconnect_trusted(j, t) != 0 || confirm_owner(j, t) != 0)
        return TAKE_TRUST_FAILED;
    xr_value *ntp = xr_array();
    xr_array_add(ntp, xr_string("127.127.1.0"));
    if (agent_job_call(j, t, "set_statistics_interval", e->cfg.agent_call_timeout, NULL, 1, xr_int(20)) != 0 ||
        agent_job_call(j, t, "set_ntp", e->cfg.agent_call_timeout, NULL, 2, ntp, xr_bool(1)) != 0)
        return TAKE_TRUST_FAILED;
    return TAKE_OK;
}

/* ---- recording what discovery found (write lock held) ---- */

static void subnet_of(const char *ip, const char *mask, char *hex, size_t hl, char *dotted, size_t dl)
{
    unsigned a[4] = {0}, m[4] = {255, 255, 255, 0};
    sscanf(ip, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]);
    if (mask && *mask)
        sscanf(mask, "%u.%u.%u.%u", &m[0], &m[1], &m[2], &m[3]);
    for (int i = 0; i < 4; i++)
        a[i] &= m[i] & 255;
    snprintf(hex, hl, "%02x%02x%02x%02x", a[0], a[1], a[2], a[3]);
    snprintf(dotted, dl, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

static obj *ensure_mgmt_network(engine *e, const server_facts *f, const char *ip)
{
    char hex[16], dotted[32];
    subnet_of(ip, f->netmask, hex, sizeof hex, dotted, sizeof dotted);
    obj *n = store_get(e->st, hex);
    if (!n) {
        n = store_create(e->st, "Network", hex, dotted);
        obj_setf(e->st, n, "created", "%lld", (long long)ovm_unique_ms_id());
        obj_set(e->st, n, "roles", "MANAGEMENT,CLUSTER_HEARTBEAT,LIVE_MIGRATE,VIRTUAL_MACHINE");
        obj_set(e->st, n, "management", "Yes");
    }
    return n;
}

static void ensure_port(engine *e, obj *s, const char *dev, const char *mac, const char *network)
{
    obj **ports;
    size_t n = store_find_by(e->st, "Port", "server", s->id, &ports);
    obj *p = NULL;
    for (size_t i = 0; i < n; i++)
        if (obj_is(ports[i], "device", dev))
            p = ports[i];
    free(ports);
    char *name = xasprintf("%s on %s", dev, s->name);
    if (!p) {
        char id[64];
        ovm_new_id("000e", "", id, sizeof id);
        p = store_create(e->st, "Port", id, name);
        obj_setf(e->st, p, "created", "%lld", (long long)ovm_unique_ms_id());
        obj_set(e->st, p, "server", s->id);
        obj_set(e->st, p, "device", dev);
        if (network)
            obj_set(e->st, p, "network", network);
    }
    obj_rename(e->st, p, name);
    if (mac && *mac)
        obj_set(e->st, p, "macAddress", mac);
    free(name);
}

static void ensure_cpu_group(engine *e, obj *s, const server_facts *f)
{
    char *name = xasprintf("Default_%s_Family:%s_Model:%s", f->cpu_vendor[0] ? f->cpu_vendor : "Unknown",
                           f->cpu_family, f->cpu_model);
    obj **all;
    size_t n = store_list(e->st, "CpuCompatibilityGroup", &all);
    obj *g = NULL;
    for (size_t i = 0; i < n && !g; i++)
        if (!strcmp(all[i]->name, name))
            g = all[i];
    free(all);
    if (!g) {
        char id[64];
        ovm_new_id("0011", "", id, sizeof id);
        g = store_create(e->st, "CpuCompatibilityGroup", id, name);
        obj_setf(e->st, g, "created", "%lld", (long long)ovm_unique_ms_id());
        obj_set(e->st, g, "default", "Yes");
    }
    obj_set(e->st, s, "cpuCompatibilityGroup", g->id);
    free(name);
}

static char *unique_server_name(engine *e, const char *want, const char *ip)
{
    if (want && *want && !name_taken(e, "Server", want, NULL))
        return xstrdup(want);
    return xstrdup(ip);
}

static void record_facts(engine *e, obj *s, const server_facts *f, const agent_target *t)
{
    obj_set(e->st, s, "hostname", f->hostname);
    obj_set(e->st, s, "ipAddress", t->ep.host);
    obj_setf(e->st, s, "agentPort", "%d", t->ep.port);
    obj_set(e->st, s, "agentPin", t->ep.pin);
    obj_set(e->st, s, "processorType", f->cpu_type[0] ? f->cpu_type : "x86_64");
    long long procs = f->threads_per_core * f->cores_per_socket * f->sockets * (f->nodes ? f->nodes : 1);
    obj_setf(e->st, s, "processors", "%lld", procs);
    obj_setf(e->st, s, "socketsPopulated", "%lld", f->sockets);
    obj_setf(e->st, s, "coresPerSocket", "%lld", f->cores_per_socket);
    obj_setf(e->st, s, "threadsPerCore", "%lld", f->threads_per_core);
    obj_setf(e->st, s, "processorSpeed", "%.3f", (double)f->cpukhz / 1e6);
    obj_setf(e->st, s, "memory", "%lld", f->total_pages / 256);
    obj_set(e->st, s, "hypervisorType", "Xen");
    obj_set(e->st, s, "xenVersion", f->xen_version);
    obj_set(e->st, s, "ovmVersion", f->ovm_version);
    obj_set(e->st, s, "agentVersion", f->agent_version);
    obj_set(e->st, s, "manufacturer", f->manufacturer);
    obj_set(e->st, s, "productName", f->product);
    obj_set(e->st, s, "serialNumber", f->serial);
    obj_set(e->st, s, "biosVersion", f->bios_version);
    obj_set(e->st, s, "biosReleaseDate", f->bios_date);
    obj_set(e->st, s, "bootTime", f->boot_time);
    obj_setf(e->st, s, "lastContact", "%lld", (long long)ovm_now_ms());
    obj *net = ensure_mgmt_network(e, f, t->ep.host);
    ensure_port(e, s, "eth0", f->eth0_mac, net->id);
    ensure_cpu_group(e, s, f);
}

int server_rediscover_network(job *j, agent_target *t)
{
    char *xml = NULL, *err = NULL;
    server_facts f;
    memset(&f, 0, sizeof f);
    if (fetch_xml(j, t, "discover_network", &xml) != 0)
        return -1;
    int rc = parse_discover_network(xml, &f, &err);
    free(xml);
    if (rc != 0) {
        job_fail(j, "Job failed on Server %s: %s", t->name, err ? err : "unreadable discover_network document");
        free(err);
        return -1;
    }
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *s = store_get_typed(e->st, "Server", t->id);
    if (s) /* a port lost since discovery comes back outside any network */
        ensure_port(e, s, "eth0", f.eth0_mac, NULL);
    store_commit(e->st);
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    return 0;
}

/* Trust material of a Server (write lock held). An owned server is reached
 * with certificates and its password is forgotten (doc/agent-protocol.md §4 item 4);
 * the password of a server we do not own is kept for partial refreshes. */
static void record_trust(engine *e, obj *s, const agent_target *t, int owned_by_us, const char *fpr)
{
    if (owned_by_us && fpr && *fpr) {
        obj_set(e->st, s, "agentCertificate", fpr);
        obj_unset(e->st, s, "agentPassword");
    } else if (!owned_by_us) {
        obj_unset(e->st, s, "agentCertificate");
        if (t->ep.password[0])
            obj_set(e->st, s, "agentPassword", t->ep.password);
    }
}

/* Creates or updates the Server for discovered facts. Returns its id in id. */
static void store_server(job *j, const server_facts *f, const agent_target *t, int owned_by_us, int other,
                         const char *fpr, char *id, size_t idlen)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    store_begin(e->st);
    obj *s = store_get_typed(e->st, "Server", f->unique_id);
    if (!s) {
        char *name = unique_server_name(e, f->hostname, t->ep.host);
        s = store_create(e->st, "Server", f->unique_id, name);
        obj_setf(e->st, s, "created", "%lld", (long long)ovm_unique_ms_id());
        free(name);
    }
    record_facts(e, s, f, t);
    record_trust(e, s, t, owned_by_us, fpr);
    obj_set(e->st, s, "ownership", owned_by_us ? "Owned" : other ? "Owned by another Manager" : "Unowned");
    obj_set(e->st, s, "managerUuid", other ? f->manager_uuid : owned_by_us ? e->manager_id : "");
    obj_set(e->st, s, "status", owned_by_us ? "Running" : "Unknown");
    store_commit(e->st);
    store_set_actor(e->st, 0);
    snprintf(id, idlen, "%s", s->id);
    store_unlock(e->st);
}

static int run_discover(job *j)
{
    srv_plan *p = j->plan;
    engine *e = j->eng;
    if (first_contact(j, &p->t) != 0)
        return -1;
    server_facts f;
    if (read_facts(j, &p->t, &f) != 0)
        return -1;
    int other = owned_elsewhere(e, &f);
    int ours = !other && !strcmp(f.manager_uuid, e->manager_id);
    int taken = TAKE_OK;
    char fpr[128] = "";
    /* Taking ownership again (even of an agent that names us) issues a new
     * key pair: the way back from a certificate failure (doc/agent-protocol.md §4.5). */
    if (p->take && !other && !p->t.ep.ca_file[0]) {
        job_progress(j, "Taking ownership of %s", p->t.ep.host);
        taken = take_ownership(j, &p->t, f.unique_id, fpr, sizeof fpr);
        if (taken == TAKE_REFUSED)
            return -1;
        ours = 1;
    }
    char id[64];
    store_server(j, &f, &p->t, ours, other, fpr, id, sizeof id);
    free(j->result_obj);
    j->result_obj = xstrdup(id);
    if (taken != TAKE_OK) {
        server_trust_lost(e, id, "the agent cannot be reached with certificates after take_ownership");
        return -1;
    }
    if (other && (p->take || p->must_be_unowned)) {
        job_fail(j, "Job failed: Server %s is owned by another Manager (%s); release it there, then run takeOwnership",
                 f.hostname, f.manager_uuid);
        return -1;
    }
    return 0;
}

/* ---- discoverServer ---- */

static job *prepare_discover(cmdctx *c)
{
    const char *ip = gr_get(c->cmd, "ipAddress");
    const char *pw = gr_get(c->cmd, "password");
    const char *take = gr_get(c->cmd, "takeOwnership");
    const char *port = gr_get(c->cmd, "port");
    /* username, if given, is "oracle": the grammar's enum admits nothing else */
    srv_plan *p = xcalloc(1, sizeof *p);
    snprintf(p->t.ep.host, sizeof p->t.ep.host, "%s", ip);
    p->t.ep.port = port ? atoi(port) : c->e->cfg.agent_port;
    snprintf(p->t.ep.user, sizeof p->t.ep.user, "oracle");
    snprintf(p->t.ep.password, sizeof p->t.ep.password, "%s", pw ? pw : "");
    snprintf(p->t.name, sizeof p->t.name, "%s", ip);
    p->take = !take || !strcmp(take, "Yes");
    obj **known;
    size_t n = store_find_by(c->e->st, "Server", "ipAddress", ip, &known);
    if (n)
        snprintf(p->server_id, sizeof p->server_id, "%s", known[0]->id);
    free(known);
    job *j = cmd_job(c, "Discover", "Server", ip, p->server_id[0] ? p->server_id : NULL, NULL);
    j->kind = "SEQUENCE";
    j->fn = run_discover;
    j->plan = p;
    j->plan_free = srv_plan_free;
    return j;
}

static obj *server_instance(cmdctx *c)
{
    return resolve_instance(c, c->cmd->type, &c->cmd->instance);
}

static srv_plan *plan_for(cmdctx *c, obj *s)
{
    srv_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->server_id, sizeof p->server_id, "%s", s->id);
    return p;
}

static job *server_job(cmdctx *c, const char *operation, obj *s, job_fn fn, srv_plan *p)
{
    job *j = cmd_job(c, operation, "Server", s->name, s->id, NULL);
    j->fn = fn;
    j->plan = p;
    j->plan_free = srv_plan_free;
    return j;
}

/* ---- takeOwnership / releaseOwnership / updateAgentPassword ---- */

static job *prepare_take(cmdctx *c)
{
    obj *s = server_instance(c);
    if (!s)
        return NULL;
    if (obj_is(s, "ownership", "Owned") && !obj_is(s, "status", "Unknown")) {
        result_fail(c->res, "Server %s is already owned by this Manager", s->name);
        return NULL;
    }
    srv_plan *p = plan_for(c, s);
    snprintf(p->t.ep.password, sizeof p->t.ep.password, "%s", gr_get(c->cmd, "password"));
    p->t.ep.pin[0] = '\0';
    p->t.ep.ca_file[0] = '\0'; /* the password, once, then a new key pair */
    p->take = 1;
    p->must_be_unowned = 1;
    return server_job(c, "Take Ownership of", s, run_discover, p);
}

static int run_release(job *j)
{
    srv_plan *p = j->plan;
    engine *e = j->eng;
    if (agent_job_call(j, &p->t, "release_ownership", e->cfg.agent_call_timeout, NULL, 1,
                       xr_string(e->manager_id)) != 0)
        return -1;
    store_wrlock(e->st);
    obj *s = store_get(e->st, p->server_id);
    if (s) {
        store_set_actor(e->st, j->id);
        obj_set(e->st, s, "ownership", "Unowned");
        obj_set(e->st, s, "managerUuid", "");
        obj_set(e->st, s, "status", "Unknown");
        obj_unset(e->st, s, "ntpServers");
        obj_unset(e->st, s, "agentCertificate"); /* the agent dropped our CA and its certificate */
        obj_unset(e->st, s, "agentPassword");
        store_set_actor(e->st, 0);
    }
    store_unlock(e->st);
    return 0;
}

static const char *presented_repo(engine *e, const obj *s)
{
    obj **repos;
    size_t n = store_list(e->st, "Repository", &repos);
    const char *name = NULL;
    for (size_t i = 0; i < n && !name; i++)
        if (obj_list_has(repos[i], "presentedServers", s->id))
            name = repos[i]->name;
    free(repos);
    return name;
}

static job *prepare_release(cmdctx *c)
{
    obj *s = server_instance(c);
    if (!s)
        return NULL;
    if (!obj_is(s, "ownership", "Owned")) {
        result_fail(c->res, "Server %s is not owned by this Manager; take ownership first", s->name);
        return NULL;
    }
    obj *pool = store_get(c->e->st, obj_gets(s, "serverPool"));
    if (pool) {
        result_fail(c->res, "Cannot release Server %s: it belongs to ServerPool %s", s->name, pool->name);
        return NULL;
    }
    const char *repo = presented_repo(c->e, s);
    if (repo) {
        result_fail(c->res, "Cannot release Server %s: Repository %s is presented to it", s->name, repo);
        return NULL;
    }
    return server_job(c, "Release Ownership of", s, run_release, plan_for(c, s));
}

static int run_update_password(job *j)
{
    srv_plan *p = j->plan;
    engine *e = j->eng;
    /* Over mutual TLS the certificate authenticates the Manager, which no
     * longer knows the old password: the 3.2 two-argument form. */
    int rc = p->t.ep.password[0]
                 ? agent_job_call(j, &p->t, "update_agent_password", e->cfg.agent_call_timeout, NULL, 3,
                                  xr_string("oracle"), xr_string(p->new_password), xr_string(p->t.ep.password))
                 : agent_job_call(j, &p->t, "update_agent_password", e->cfg.agent_call_timeout, NULL, 2,
                                  xr_string("oracle"), xr_string(p->new_password));
    return rc == 0 ? 0 : -1; /* owned servers use certificates: the password is not kept */
}

static job *prepare_update_password(cmdctx *c)
{
    obj *s = server_instance(c);
    if (!s)
        return NULL;
    if (!obj_is(s, "ownership", "Owned")) {
        result_fail(c->res, "Server %s is not owned by this Manager; take ownership first", s->name);
        return NULL;
    }
    srv_plan *p = plan_for(c, s);
    snprintf(p->new_password, sizeof p->new_password, "%s", gr_get(c->cmd, "password"));
    return server_job(c, "Update Agent Password of", s, run_update_password, p);
}

/* ---- refresh Server ---- */

static job *prepare_refresh(cmdctx *c)
{
    obj *s = server_instance(c);
    if (!s)
        return NULL;
    const char *st = status_of(s);
    if (strcmp(st, "Running") != 0 && strcmp(st, "Unknown") != 0) {
        result_fail(c->res, "Cannot refresh Server %s: its status is %s", s->name, st);
        return NULL;
    }
    srv_plan *p = plan_for(c, s);
    p->t.ep.pin[0] = '\0'; /* refresh re-reads the agent's key, as at discovery */
    return server_job(c, "Refresh", s, run_discover, p);
}

/* ---- edit Server ---- */

static int run_edit_server(job *j)
{
    srv_plan *p = j->plan;
    engine *e = j->eng;
    if (p->push_roles) {
        const char *roles = !strcmp(p->roles, "VM,UTILITY") || !strcmp(p->roles, "UTILITY,VM") ? "xen,utility"
                            : !strcmp(p->roles, "VM")                                      ? "xen"
                            : !strcmp(p->roles, "UTILITY")                                 ? "utility"
                                                                                           : "";
        if (agent_job_call(j, &p->t, "update_server_roles", e->cfg.agent_call_timeout, NULL, 1, xr_string(roles)))
            return -1;
    }
    if (p->push_ntp) {
        xr_value *servers = xr_array();
        char **items;
        size_t n = split_list(p->ntp[0] ? p->ntp : "127.127.1.0", &items);
        for (size_t i = 0; i < n; i++)
            xr_array_add(servers, xr_string(items[i]));
        free_list(items, n);
        if (agent_job_call(j, &p->t, "set_ntp", e->cfg.agent_call_timeout, NULL, 2, servers, xr_bool(1)))
            return -1;
    }
    j->plan = p->edit;
    int rc = gplan_run_edit(j);
    j->plan = p;
    if (rc == 0 && p->evac)
        rc = ha_evacuate(j, p->evac);
    if (rc == 0 && p->kick_pool[0]) {
        store_wrlock(e->st);
        ha_kick(e, p->kick_pool);
        store_unlock(e->st);
    }
    return rc;
}

static int check_roles(cmdctx *c, obj *s, const char *roles)
{
    int want_vm = strstr(roles, "VM") != NULL, has_vm = !obj_get(s, "roles") || strstr(obj_gets(s, "roles"), "VM");
    if (want_vm == has_vm)
        return 0;
    obj **vms;
    size_t n = store_find_by(c->e->st, "Vm", "server", s->id, &vms);
    free(vms);
    if (!obj_get(s, "serverPool") || n) {
        result_fail(c->res,
                    "The VM role of Server %s can only change while it is in a server pool and has no Vms", s->name);
        return -1;
    }
    return 0;
}

static job *prepare_edit_server(cmdctx *c)
{
    obj *s = server_instance(c);
    if (!s)
        return NULL;
    int only_names = 1;
    for (size_t i = 0; i < c->cmd->nattrs; i++)
        if (strcmp(c->cmd->attrs[i].key, "name") && strcmp(c->cmd->attrs[i].key, "description"))
            only_names = 0;
    const char *st = status_of(s);
    if (!only_names) {
        if (!obj_is(s, "ownership", "Owned")) {
            result_fail(c->res, "Server %s is not owned by this Manager; take ownership first", s->name);
            return NULL;
        }
        if (strcmp(st, "Running") && strcmp(st, "Stopped")) {
            result_fail(c->res, "Cannot edit Server %s: its status is %s", s->name, st);
            return NULL;
        }
    }
    const char *roles = gr_get(c->cmd, "roles");
    if (roles && check_roles(c, s, roles))
        return NULL;
    const char *ntp = gr_get(c->cmd, "ntpServers"); /* at most 8: the grammar's max_items */
    gplan *edit = gplan_edit_plan(c, s, 1);
    if (!edit)
        return NULL;
    srv_plan *p = plan_for(c, s);
    p->edit = edit;
    p->push_roles = roles && !strcmp(st, "Running");
    p->push_ntp = ntp && !strcmp(st, "Running");
    snprintf(p->roles, sizeof p->roles, "%s", roles ? roles : "");
    snprintf(p->ntp, sizeof p->ntp, "%s", ntp ? ntp : "");
    job *j = server_job(c, "Edit", s, run_edit_server, p);
    const char *mm = gr_get(c->cmd, "maintenanceMode");
    if (mm && !strcmp(mm, "Yes") && !strcmp(st, "Running"))
        p->evac = ha_evac_plan(c->e, j, s);
    else if (mm && !strcmp(mm, "No"))
        snprintf(p->kick_pool, sizeof p->kick_pool, "%s", obj_gets(s, "serverPool"));
    return j;
}

/* ---- delete Server ---- */

static int run_delete_server(job *j)
{
    srv_plan *p = j->plan;
    engine *e = j->eng;
    if (p->take) { /* owned and reachable: release first (S-11) */
        char *err = NULL;
        int rc = agent_try_call(e, &p->t, "release_ownership", e->cfg.agent_call_timeout, NULL, &err, 1,
                                xr_string(e->manager_id));
        if (rc != AGC_OK)
            log_warn("delete Server %s: release_ownership failed: %s", p->t.name, err ? err : "");
        free(err);
    }
    store_wrlock(e->st);
    store_begin(e->st);
    obj *s = store_get(e->st, p->server_id);
    if (s) {
        obj **ports;
        size_t n = store_find_by(e->st, "Port", "server", s->id, &ports);
        for (size_t i = 0; i < n; i++)
            store_delete(e->st, ports[i]);
        free(ports);
        obj **fsv;
        n = store_list(e->st, "FileServer", &fsv);
        for (size_t i = 0; i < n; i++)
            obj_list_remove(e->st, fsv[i], "adminServers", s->id);
        free(fsv);
        obj **vms;
        n = store_find_by(e->st, "Vm", "server", s->id, &vms);
        for (size_t i = 0; i < n; i++)
            obj_unset(e->st, vms[i], "server");
        free(vms);
        store_delete(e->st, s);
    }
    store_commit(e->st);
    store_unlock(e->st);
    return 0;
}

static job *prepare_delete_server(cmdctx *c)
{
    obj *s = server_instance(c);
    if (!s)
        return NULL;
    obj *pool = store_get(c->e->st, obj_gets(s, "serverPool"));
    if (pool) {
        result_fail(c->res, "Cannot delete Server %s: it is in use by ServerPool %s", s->name, pool->name);
        return NULL;
    }
    const char *repo = presented_repo(c->e, s);
    if (repo) {
        result_fail(c->res, "Cannot delete Server %s: it is in use by Repository %s", s->name, repo);
        return NULL;
    }
    const char *st = status_of(s);
    if (!strcmp(st, "Starting") || !strcmp(st, "Stopping")) {
        result_fail(c->res, "Cannot delete Server %s: its status is %s", s->name, st);
        return NULL;
    }
    srv_plan *p = plan_for(c, s);
    p->take = obj_is(s, "ownership", "Owned") && !strcmp(st, "Running");
    return server_job(c, "Delete", s, run_delete_server, p);
}

const op ops_server[] = {
    {GR_F_discoverServer, NULL, prepare_discover, 0},
    {GR_F_takeOwnership_Server, NULL, prepare_take, 0},
    {GR_F_releaseOwnership_Server, NULL, prepare_release, 0},
    {GR_F_updateAgentPassword_Server, NULL, prepare_update_password, 0},
    {GR_F_refresh_Server, NULL, prepare_refresh, 0},
    {GR_F_edit_Server, NULL, prepare_edit_server, 0},
    {GR_F_delete_Server, NULL, prepare_delete_server, 0},
    OPS_END,
};
