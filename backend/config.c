/* ovmd.yaml (ovmd.yaml(5)): a mapping of documented keys; nested mappings
 * are addressed with dots ("agent.port"). Unknown keys are errors so that a
 * typo never silently falls back to a default. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "backend/engine.h"
#include "lib/util.h"

void engine_config_defaults(engine_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->state_dir = xstrdup("/var/lib/ovmd");
    cfg->version = xstrdup("3.4.6.0");
    cfg->workers = 16;
    cfg->agent_port = 8899;
    cfg->agent_connect_timeout = 10;
    cfg->agent_call_timeout = 120;
    cfg->agent_long_timeout = 900;
    cfg->poll_interval = 10;
    cfg->offline_after = 60;
    cfg->monitor_threads = 32;
    cfg->ha_delay = -1;
    cfg->vm_stop_timeout = 300;
    cfg->backup_interval = 86400;
    cfg->backup_keep = 7;
    sshd_config_defaults(&cfg->ssh);
}

void engine_config_free(engine_config *cfg)
{
    free(cfg->state_dir);
    free(cfg->socket_path);
    free(cfg->db_path);
    free(cfg->log_file);
    free(cfg->version);
    free(cfg->backup_dir);
    sshd_config_free(&cfg->ssh);
    memset(cfg, 0, sizeof *cfg);
}

static int set_int(int *dst, const char *key, const char *v, int min, int max, char **err)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < min || n > max) {
        *err = xasprintf("%s: expected an integer from %d to %d, got '%s'", key, min, max, v);
        return -1;
    }
    *dst = (int)n;
    return 0;
}

static int set_long(long *dst, const char *key, const char *v, int min, int max, char **err)
{
    int n;
    if (set_int(&n, key, v, min, max, err))
        return -1;
    *dst = n;
    return 0;
}

static int set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = xstrdup(v);
    return 0;
}

static int apply_key(engine_config *cfg, const char *key, const char *v, char **err)
{
    if (!strcmp(key, "state_dir"))
        return set_str(&cfg->state_dir, v);
    if (!strcmp(key, "socket"))
        return set_str(&cfg->socket_path, v);
    if (!strcmp(key, "database"))
        return set_str(&cfg->db_path, v);
    if (!strcmp(key, "log_file"))
        return set_str(&cfg->log_file, v);
    if (!strcmp(key, "version")) {
        if (strncmp(v, "3.4.", 4) != 0) {
            *err = xasprintf("version: must start with 3.4. (cli-contract §6), got '%s'", v);
            return -1;
        }
        return set_str(&cfg->version, v);
    }
    if (!strcmp(key, "jobs.workers"))
        return set_int(&cfg->workers, key, v, 1, 256, err);
    if (!strcmp(key, "jobs.vm_stop_timeout"))
        return set_int(&cfg->vm_stop_timeout, key, v, 1, 86400, err);
    if (!strcmp(key, "agent.port"))
        return set_int(&cfg->agent_port, key, v, 1, 65535, err);
    if (!strcmp(key, "agent.connect_timeout"))
        return set_long(&cfg->agent_connect_timeout, key, v, 1, 600, err);
    if (!strcmp(key, "agent.call_timeout"))
        return set_long(&cfg->agent_call_timeout, key, v, 1, 86400, err);
    if (!strcmp(key, "agent.long_timeout"))
        return set_long(&cfg->agent_long_timeout, key, v, 1, 86400, err);
    if (!strcmp(key, "store.backup_interval"))
        return set_int(&cfg->backup_interval, key, v, 0, 365 * 86400, err);
    if (!strcmp(key, "store.backup_dir"))
        return set_str(&cfg->backup_dir, v);
    if (!strcmp(key, "store.backup_keep"))
        return set_int(&cfg->backup_keep, key, v, 1, 1000, err);
    if (!strcmp(key, "monitor.poll_interval"))
        return set_int(&cfg->poll_interval, key, v, 0, 3600, err);
    if (!strcmp(key, "monitor.offline_after"))
        return set_int(&cfg->offline_after, key, v, 1, 86400, err);
    if (!strcmp(key, "monitor.threads"))
        return set_int(&cfg->monitor_threads, key, v, 1, 1024, err);
    if (!strcmp(key, "monitor.ha_delay"))
        return set_int(&cfg->ha_delay, key, v, -1, 3600, err);
    int rc = sshd_config_apply(&cfg->ssh, key, v, err);
    if (rc == 1)
        return 0;
    if (rc == 0)
        *err = xasprintf("unknown key '%s'", key);
    return -1;
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
