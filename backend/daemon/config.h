/* ovmd.yaml(5): loading, printing and freeing the engine's configuration
 * (config.c), including the SSH server's keys it owns through cfg->ssh. */
#ifndef OVM_DAEMON_CONFIG_H
#define OVM_DAEMON_CONFIG_H
#include <stddef.h>
#include <stdio.h>
#include "backend/engine.h"
#include "lib/conftab.h"
#include "shell/sshd/sshd.h"

/* Fills cfg with the documented defaults (ovmd.yaml(5)). */
void engine_config_defaults(engine_config *cfg);
/* Loads ovmd.yaml over the defaults. 0 ok, -1 with *err (heap). A missing
 * file is not an error when optional is set. */
int engine_config_load(engine_config *cfg, const char *path, int optional, char **err);
/* The same from an in-memory document of len bytes; name prefixes *err. */
int engine_config_load_buffer(engine_config *cfg, const char *buf, size_t len, const char *name, char **err);
void engine_config_free(engine_config *cfg);
/* The effective configuration as "key value" lines (ovmd --print-config);
 * password hashes are never printed. */
void engine_config_print(const engine_config *cfg, FILE *fp);
/* The engine's table of ovmd.yaml keys (ssh.* and auth.*: sshd_config_keys). */
const conf_key *engine_config_keys(size_t *n);
#endif
