/* ovmd.yaml (ovmd.yaml(5)): a mapping of documented keys; nested mappings
 * are addressed with dots ("agent.port"). Unknown keys are errors so that a
 * typo never silently falls back to a default. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "backend/daemon/config.h"
#include "lib/util.h"

/* version: what showversion prints; Oracle's CLI scripts check for 3.4. */
static int parse_version(void *obj, const char *key, const char *v, char **err)
{
    engine_config *cfg = obj;
    if (strncmp(v, "3.4.", 4) != 0) {
        *err = xasprintf("%s: must start with 3.4., got '%s'", key, v);
        return -1;
    }
    free(cfg->version);
    cfg->version = xstrdup(v);
    return 0;
}

static void print_version(const void *obj, const conf_key *k, FILE *fp)
{
    fprintf(fp, "%s %s\n", k->key, ((const engine_config *)obj)->version);
}

#define EK(field) offsetof(engine_config, field)
/* The engine's keys of ovmd.yaml(5); ssh.* and auth.* are the SSH front
 * end's (sshd_config_keys). Derived defaults are filled by configure(). */
static const conf_key engine_keys[] = {
    {"state_dir", CT_STR, EK(state_dir), 0, 0, "/var/lib/ovmd", NULL, NULL, NULL},
    {"socket", CT_STR, EK(socket_path), 0, 0, NULL, "STATE_DIR/engine.sock", NULL, NULL},
    {"database", CT_STR, EK(db_path), 0, 0, NULL, "STATE_DIR/ovmd.db", NULL, NULL},
    {"log_file", CT_STR, EK(log_file), 0, 0, NULL, "standard error", NULL, NULL},
    {"version", CT_CUSTOM, 0, 0, 0, "3.4.6.0", NULL, parse_version, print_version},
    {"jobs.workers", CT_INT, EK(workers), 1, 256, "16", NULL, NULL, NULL},
    {"jobs.max_queued", CT_INT, EK(max_queued), 1, 10000000, "1000", NULL, NULL, NULL},
    {"jobs.vm_stop_timeout", CT_INT, EK(vm_stop_timeout), 1, 86400, "300", NULL, NULL, NULL},
    {"power.ipmi_timeout", CT_INT, EK(ipmi_timeout), 1, 600, "10", NULL, NULL, NULL},
    {"power.wait_timeout", CT_INT, EK(power_timeout), 1, 86400, "600", NULL, NULL, NULL},
    {"agent.port", CT_INT, EK(agent_port), 1, 65535, "8899", NULL, NULL, NULL},
    {"agent.connect_timeout", CT_LONG, EK(agent_connect_timeout), 1, 600, "10", NULL, NULL, NULL},
    {"agent.call_timeout", CT_LONG, EK(agent_call_timeout), 1, 86400, "120", NULL, NULL, NULL},
    {"agent.long_timeout", CT_LONG, EK(agent_long_timeout), 1, 86400, "900", NULL, NULL, NULL},
    {"monitor.poll_interval", CT_INT, EK(poll_interval), 0, 3600, "10", NULL, NULL, NULL},
    {"monitor.offline_after", CT_INT, EK(offline_after), 1, 86400, "60", NULL, NULL, NULL},
    {"monitor.threads", CT_INT, EK(monitor_threads), 1, 1024, "32", NULL, NULL, NULL},
    {"stats.sampling_interval", CT_INT, EK(stats_interval), 0, 31536000, "0", NULL, NULL, NULL},
    {"stats.hold_time", CT_INT, EK(stats_hold), 0, 31536000, "0", NULL, NULL, NULL},
    {"stats.archive_interval", CT_INT, EK(stats_archive), 0, 31536000, "0", NULL, NULL, NULL},
    {"policy.period", CT_INT, EK(policy_period), 0, 3600, "0", NULL, NULL, NULL},
    {"monitor.ha_delay", CT_INT, EK(ha_delay), -1, 3600, "-1", NULL, NULL, NULL},
    {"store.backup_interval", CT_INT, EK(backup_interval), 0, 365 * 86400, "86400", NULL, NULL, NULL},
    {"store.backup_dir", CT_STR, EK(backup_dir), 0, 0, NULL, "STATE_DIR/backups", NULL, NULL},
    {"store.backup_keep", CT_INT, EK(backup_keep), 1, 1000, "7", NULL, NULL, NULL},
};
#undef EK
#define N_ENGINE_KEYS (sizeof engine_keys / sizeof engine_keys[0])

const conf_key *engine_config_keys(size_t *n)
{
    *n = N_ENGINE_KEYS;
    return engine_keys;
}

void engine_config_defaults(engine_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    conftab_defaults(engine_keys, N_ENGINE_KEYS, cfg);
    cfg->ssh = xcalloc(1, sizeof *cfg->ssh);
    sshd_config_defaults(cfg->ssh);
}

void engine_config_free(engine_config *cfg)
{
    free(cfg->state_dir);
    free(cfg->socket_path);
    free(cfg->db_path);
    free(cfg->log_file);
    free(cfg->version);
    free(cfg->backup_dir);
    if (cfg->ssh) {
        sshd_config_free(cfg->ssh);
        free(cfg->ssh);
    }
    memset(cfg, 0, sizeof *cfg);
}

void engine_config_print(const engine_config *cfg, FILE *fp)
{
    conftab_print(engine_keys, N_ENGINE_KEYS, cfg, fp);
    sshd_config_print(cfg->ssh, fp);
}

static int apply_key(engine_config *cfg, const char *key, const char *v, char **err)
{
    int rc = conftab_apply(engine_keys, N_ENGINE_KEYS, cfg, key, v, err);
    if (rc == 0)
        rc = sshd_config_apply(cfg->ssh, key, v, err);
    if (rc == 0)
        *err = xasprintf("unknown key '%s'", key);
    return rc == 1 ? 0 : -1;
}

/* Walks a mapping node, applying scalar leaves with their dotted path. */
static int walk(engine_config *cfg, yaml_document_t *doc, yaml_node_t *node, const char *prefix, char **err)
{
    if (node->type != YAML_MAPPING_NODE) {
        *err = xasprintf("%s: expected a mapping", *prefix ? prefix : "top level");
        return -1;
    }
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (!k || !v || k->type != YAML_SCALAR_NODE) {
            *err = xstrdup("keys must be plain scalars");
            return -1;
        }
        char *key = *prefix ? xasprintf("%s.%s", prefix, (char *)k->data.scalar.value)
                            : xstrdup((char *)k->data.scalar.value);
        int rc = v->type == YAML_MAPPING_NODE ? walk(cfg, doc, v, key, err)
                 : v->type == YAML_SCALAR_NODE ? apply_key(cfg, key, (char *)v->data.scalar.value, err)
                                               : (*err = xasprintf("%s: lists are not accepted here", key), -1);
        free(key);
        if (rc)
            return -1;
    }
    return 0;
}

int engine_config_load_buffer(engine_config *cfg, const char *buf, size_t len, const char *name, char **err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    int rc = -1;
    char *why = NULL;
    if (!yaml_parser_load(&parser, &doc)) {
        why = xasprintf("line %zu: %s", parser.problem_mark.line + 1, parser.problem ? parser.problem : "syntax error");
    } else {
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        rc = root ? walk(cfg, &doc, root, "", &why) : 0;
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    if (rc) {
        *err = xasprintf("%s: %s", name, why ? why : "invalid");
        free(why);
    }
    return rc;
}

int engine_config_load(engine_config *cfg, const char *path, int optional, char **err)
{
    size_t len = 0;
    char *buf = ovm_read_file(path, &len);
    if (!buf) {
        if (optional && errno == ENOENT)
            return 0;
        *err = xasprintf("%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = engine_config_load_buffer(cfg, buf, len, path, err);
    free(buf);
    return rc;
}
