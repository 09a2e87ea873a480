/* discoverServer: talking to the agent and recording what discovery found. */
#include "backend/ops/ops_server.h"
#include "backend/ops/ops_network.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backend/agentc/ca.h"
#include "backend/flows/discover.h"
#include "backend/jobs/events.h"
#include "backend/ops/generic.h"
#include "backend/monitor/ha.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "lib/crashpoint.h"
#include "lib/log.h"
#include "lib/util.h"

/* ---- talking to the agent ---- */

/* discover: one of the discover_* calls without arguments. */
static int fetch_xml(job *j, agent_target *t, agent_discover_server_fn *discover, char **xml)
{
    xr_value *res = NULL;
    agent_ctx *c = AGENT_JOB(j, t);
    if (discover(c, &res) != 0)
        return -1;
    const char *s = xr_get_str(res);
    if (!s) {
        job_fail(j, "Job failed on Server %s: %s did not return a discovery document", t->name, c->method);
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
    int rc = agent_get_api_version(AGENT_JOB(j, t), &ver);
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
    rc = agent_get_api_version(AGENT_TRY(e, t, &err), &ver);
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
    int rc = fetch_xml(j, t, agent_discover_server, &xml);
    if (rc == 0 && parse_discover_server(xml, f, &err) != 0)
        rc = -1;
    free(xml);
    xml = NULL;
    if (rc == 0 && (fetch_xml(j, t, agent_discover_hardware, &xml) || parse_discover_hardware(xml, f, &err)))
        rc = -1;
    free(xml);
    xml = NULL;
    if (rc == 0 && (fetch_xml(j, t, agent_discover_network, &xml) || parse_discover_network(xml, f, &err)))
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
        rc = agent_get_api_version(AGENT_TRY(e, t, &err), &ver);
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
    int rc = fetch_xml(j, t, agent_discover_server, &xml);
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
    int rc = st ? agent_take_ownership(AGENT_JOB(j, t), st, NULL, NULL) : -1;
    xr_free(st);
    if (rc != 0)
        return TAKE_REFUSED;
    crash_point("discover.owned"); /* the agent is ours; the store has no trust record yet */
    server_endpoint_trust(e, server_id, &t->ep);
    memset(t->ep.password, 0, sizeof t->ep.password);
    if (reconnect_trusted(j, t) != 0 || confirm_owner(j, t) != 0)
        return TAKE_TRUST_FAILED;
    xr_value *ntp = xr_array();
    xr_array_add(ntp, xr_string("127.127.1.0"));
    rc = agent_set_statistics_interval(AGENT_JOB(j, t), 20, NULL);
    if (rc == 0)
        rc = agent_set_ntp(AGENT_JOB(j, t), ntp, 1, NULL);
    xr_free(ntp);
    return rc == 0 ? TAKE_OK : TAKE_TRUST_FAILED;
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
    net_ensure_port(e, s, "eth0", f->eth0_mac, net->id);
    net_sync_devices(e, s, f);
    ensure_cpu_group(e, s, f);
}

int server_rediscover_network(job *j, agent_target *t)
{
    char *xml = NULL, *err = NULL;
    server_facts f;
    memset(&f, 0, sizeof f);
    if (fetch_xml(j, t, agent_discover_network, &xml) != 0)
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
    if (s) { /* a port lost since discovery comes back outside any network */
        net_ensure_port(e, s, "eth0", f.eth0_mac, NULL);
        net_sync_devices(e, s, &f);
    }
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
    status_set(e->st, s, owned_by_us ? ST_RUNNING : ST_UNKNOWN);
    store_commit(e->st);
    store_set_actor(e->st, 0);
    snprintf(id, idlen, "%s", s->id);
    store_unlock(e->st);
}

int run_discover(job *j)
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

job *prepare_discover(cmdctx *c)
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
    static const job_spec spec = {.operation = "Discover", .type = "Server", .fn = run_discover,
                                  .plan_free = srv_plan_free, .kind = "SEQUENCE"};
    return spec_job(c, &spec, ip, p, p->server_id[0] ? p->server_id : NULL, NULL);
}

obj *server_instance(cmdctx *c)
{
    return resolve_instance(c, c->cmd->type, &c->cmd->instance);
}

srv_plan *plan_for(cmdctx *c, obj *s)
{
    srv_plan *p = xcalloc(1, sizeof *p);
    agent_target_of(c->e, s, &p->t);
    snprintf(p->server_id, sizeof p->server_id, "%s", s->id);
    return p;
}

job *server_job(cmdctx *c, const char *operation, obj *s, job_fn fn, srv_plan *p)
{
    return spec_job(c, &(job_spec){.operation = operation, .type = "Server", .fn = fn, .plan_free = srv_plan_free},
                    s->name, p, s->id, NULL);
}
