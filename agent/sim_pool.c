/* Ownership (doc/agent-protocol.md §4) and server pool membership. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent/sim.h"
#include "agent/tlscert.h"
#include "lib/log.h"
#include "lib/util.h"

/* 1 if the state dir holds a Manager-issued identity (the HTTPS service
 * then requires client certificates). */
static int has_trust_files(struct sim *s)
{
    char *path = xasprintf("%s/" TLSCERT_SIGNED_FILE, s->state_dir);
    int rc = access(path, F_OK) == 0;
    free(path);
    return rc;
}

/* A signed server certificate switches the agent to mutual TLS, so it must
 * come with a key and with the CA certificate to trust (a pre-3.3 Manager
 * sends neither). 0 or -1 after a fault. */
static int check_pems(struct call_ctx *c, const xr_value *args)
{
    const char *ca = xr_get_str(xr_struct_get(args, "manager_certificate"));
    const char *srv = xr_get_str(xr_struct_get(args, "signed_server_certificate"));
    if (!srv || !*srv)
        return 0;
    if (!ca || !strstr(ca, "-----BEGIN CERTIFICATE-----") || !strstr(srv, "-----BEGIN CERTIFICATE-----") ||
        !strstr(srv, "PRIVATE KEY-----")) {
        call_fault(c, "exceptions.ValueError:invalid certificate: PEM key and certificates expected");
        return -1;
    }
    return 0;
}

/* Keeps the PEM material handed over at take_ownership, for mutual TLS. */
static int store_pem(struct call_ctx *c, const xr_value *args, const char *key, const char *file)
{
    const char *pem = xr_get_str(xr_struct_get(args, key));
    char *path = xasprintf("%s/%s", c->sim->state_dir, file);
    int rc = 0;
    if (pem && *pem)
        rc = ovm_write_file_atomic(path, pem, strlen(pem), 0600);
    else
        unlink(path);
    if (rc != 0)
        call_fault(c, "exceptions.IOError:cannot write '%s'", path);
    free(path);
    return rc;
}

/* Accepts the 3.3+ struct form and the older (manager_uuid, api_url) form. */
static xr_value *ownership_args(struct call_ctx *c, xr_value *const *argv, size_t argc)
{
    if (argv[0]->type == XR_STRUCT && argc == 1)
        return xr_copy(argv[0]);
    if (argv[0]->type != XR_STRING)
        return call_fault(c, "exceptions.TypeError:take_ownership() argument 1 must be dict, not %s",
                          argv[0]->type == XR_ARRAY ? "list" : "int");
    xr_value *args = xr_struct();
    xr_struct_set(args, "manager_uuid", xr_copy(argv[0]));
    if (argc > 1)
        xr_struct_set(args, "manager_api_url", xr_copy(argv[1]));
    return args;
}

SIM_HANDLER(h_take_ownership)
{
    struct sim *s = c->sim;
    xr_value *args = ownership_args(c, argv, argc);
    if (!args)
        return NULL;
    const char *uuid = sim_str(args, "manager_uuid", "");
    const char *owner = sim_str(s->st, "manager_uuid", "");
    int had_trust = has_trust_files(s);
    if (!*uuid || !sim_valid_name(uuid))
        call_fault(c, "exceptions.ValueError:invalid manager_uuid: '%s'", uuid);
    else if (*owner && strcmp(owner, uuid) != 0)
        call_fault(c, "exceptions.RuntimeError:Server is already owned by manager %s", owner);
    else if (had_trust && !c->certified)
        /* The owner's UUID is no secret (discover_server shows it): only its
         * certificate may replace the trust (doc/agent-protocol.md §4 item 5). */
        call_fault(c, "exceptions.RuntimeError:Server is owned by manager %s with certificates; "
                      "take_ownership needs the client certificate of that Manager",
                   owner);
    else if (check_pems(c, args) == 0 && store_pem(c, args, "manager_certificate", TLSCERT_CA_FILE) == 0 &&
             store_pem(c, args, "signed_server_certificate", TLSCERT_SIGNED_FILE) == 0) {
        /* The agent restarts its TLS with the new identity (doc/agent-protocol.md §4.3). */
        if (had_trust || has_trust_files(s))
            s->tls_changed = 1;
        xr_struct_set(s->st, "manager_uuid", xr_string(uuid));
        xr_struct_set(s->st, "manager_event_url", xr_string(sim_str(args, "manager_event_url", "")));
        xr_struct_set(s->st, "manager_statistic_url", xr_string(sim_str(args, "manager_statistic_url", "")));
        xr_value *ntp = xr_array();
        xr_array_add(ntp, xr_string("127.127.1.0"));
        xr_struct_set(s->st, "ntp_servers", ntp);
        log_info("now owned by manager %s", uuid);
    }
    xr_free(args);
    return c->fault ? NULL : xr_nil();
}

SIM_HANDLER(h_release_ownership)
{
    struct sim *s = c->sim;
    const char *uuid = xr_get_str(argv[0]);
    const char *owner = sim_str(s->st, "manager_uuid", "");
    if (!*owner)
        return call_fault(c, "exceptions.RuntimeError:Server is not owned by any manager");
    if (strcmp(owner, uuid) != 0)
        return call_fault(c, "exceptions.RuntimeError:Server is owned by manager %s, not %s", owner, uuid);
    if (xr_struct_get(s->st, "pool"))
        return call_fault(c, "exceptions.RuntimeError:Server is still a member of server pool %s",
                          sim_str(xr_struct_get(s->st, "pool"), "uuid", ""));
    if (xr_struct_get(s->st, "repos")->n > 0)
        return call_fault(c, "exceptions.RuntimeError:Server still has repositories presented");
    xr_struct_set(s->st, "manager_uuid", xr_string(""));
    sim_struct_del(s->st, "manager_event_url");
    sim_struct_del(s->st, "manager_statistic_url");
    /* Back to the agent's own certificate and the password (doc/agent-protocol.md §4.6). */
    if (has_trust_files(s))
        s->tls_changed = 1;
    xr_value none = {.type = XR_STRUCT};
    store_pem(c, &none, "manager_certificate", TLSCERT_CA_FILE);
    store_pem(c, &none, "signed_server_certificate", TLSCERT_SIGNED_FILE);
    log_info("ownership released by manager %s", uuid);
    return xr_nil();
}

static int valid_roles(const char *roles)
{
    char *copy = xstrdup(roles), *save = NULL;
    int ok = 1;
    for (char *r = strtok_r(copy, ",", &save); r; r = strtok_r(NULL, ",", &save))
        if (strcmp(r, "xen") != 0 && strcmp(r, "utility") != 0)
            ok = 0;
    free(copy);
    return ok;
}

/* create_server_pool and join_server_pool take the same arguments. */
static xr_value *enter_pool(struct call_ctx *c, xr_value *const *argv)
{
    struct sim *s = c->sim;
    const char *alias = xr_get_str(argv[0]), *uuid = xr_get_str(argv[1]);
    const char *ip = xr_get_str(argv[5]), *roles = xr_get_str(argv[6]);
    const xr_value *cur = xr_struct_get(s->st, "pool");
    int64_t node;
    xr_get_int64(argv[3], &node);
    if (!*sim_str(s->st, "manager_uuid", ""))
        return call_fault(c, "exceptions.RuntimeError:Server is not owned by any manager");
    if (cur)
        return call_fault(c, "exceptions.RuntimeError:Server already belongs to server pool %s",
                          sim_str(cur, "uuid", ""));
    if (!valid_roles(roles))
        return call_fault(c, "exceptions.ValueError:invalid server roles: '%s'", roles);
    xr_value *pool = xr_struct();
    xr_struct_set(pool, "uuid", xr_string(uuid));
    xr_struct_set(pool, "alias", xr_string(alias));
    xr_struct_set(pool, "virtual_ip", xr_string(xr_get_str(argv[2]) ? xr_get_str(argv[2]) : ""));
    xr_struct_set(pool, "node_number", xr_int(node));
    xr_value *members = xr_array();
    xr_array_add(members, xr_string(ip));
    xr_struct_set(pool, "members", members);
    xr_struct_set(s->st, "pool", pool);
    xr_struct_set(s->st, "roles", xr_string(roles));
    return xr_nil();
}

SIM_HANDLER(h_create_server_pool)
{
    return enter_pool(c, argv);
}

SIM_HANDLER(h_join_server_pool)
{
    return enter_pool(c, argv);
}

static xr_value *exit_pool(struct call_ctx *c, const char *uuid)
{
    const xr_value *cur = xr_struct_get(c->sim->st, "pool");
    if (!cur || strcmp(sim_str(cur, "uuid", ""), uuid) != 0)
        return call_fault(c, "exceptions.RuntimeError:Server is not a member of server pool %s", uuid);
    sim_struct_del(c->sim->st, "pool");
    return xr_nil();
}

SIM_HANDLER(h_leave_server_pool)
{
    return exit_pool(c, xr_get_str(argv[0]));
}

SIM_HANDLER(h_destroy_server_pool)
{
    return exit_pool(c, xr_get_str(argv[0]));
}

SIM_HANDLER(h_set_pool_member_ip_list)
{
    xr_value *pool = xr_struct_get(c->sim->st, "pool");
    if (!pool)
        return call_fault(c, "exceptions.RuntimeError:Server is not a member of any server pool");
    for (size_t i = 0; i < argv[0]->n; i++)
        if (!xr_get_str(argv[0]->items[i]))
            return call_fault(c, "exceptions.TypeError:member IP addresses must be strings");
    xr_struct_set(pool, "members", xr_copy(argv[0]));
    return xr_nil();
}

SIM_HANDLER(h_update_server_roles)
{
    const char *roles = xr_get_str(argv[0]);
    if (!valid_roles(roles))
        return call_fault(c, "exceptions.ValueError:invalid server roles: '%s'", roles);
    xr_struct_set(c->sim->st, "roles", xr_string(roles));
    return xr_nil();
}

SIM_HANDLER(h_discover_server_pool)
{
    const xr_value *pool = xr_struct_get(c->sim->st, "pool");
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Discover_Server_Pool_Result>");
    if (pool) {
        sb_adds(&sb, "<Server_Pool>");
        sim_xml_el(&sb, "Unique_Id", sim_str(pool, "uuid", ""));
        sim_xml_el(&sb, "Pool_Alias", sim_str(pool, "alias", ""));
        sim_xml_el(&sb, "Master_Virtual_Ip", sim_str(pool, "virtual_ip", ""));
        sb_adds(&sb, "<Member_List>");
        const xr_value *m = xr_struct_get(pool, "members");
        for (size_t i = 0; m && i < m->n; i++) {
            sb_adds(&sb, "<Member>");
            sim_xml_el(&sb, "Registered_IP", xr_get_str(m->items[i]));
            sb_adds(&sb, "</Member>");
        }
        sb_adds(&sb, "</Member_List></Server_Pool>");
    }
    sb_adds(&sb, "</Discover_Server_Pool_Result>\n");
    return sim_xml_result(&sb);
}
