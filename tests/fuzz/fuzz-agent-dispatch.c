/* Fuzz target for the agent's XML-RPC entry (agent/dispatch.c): the input is
 * an HTTP request body; it is decoded as a methodCall and dispatched against a
 * throwaway simulated host in a private temporary directory. The answer must
 * always be a well-formed methodResponse. migrate_vm is skipped because it
 * opens a connection to an address taken from the input. The sim state is
 * reset after every input so that runs are reproducible. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/sim.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmlrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_state {
    struct sim *sim;
    xr_value *initial;   /* copy of the fresh sim state */
};

static struct fuzz_state *setup(void)
{
    static struct fuzz_state fs;
    if (fs.sim)
        return &fs;
    log_set_level(LOG_ERR_ - 1);
    char tmpl[] = "/tmp/fuzz-agent-XXXXXX";
    char *dir = mkdtemp(tmpl);
    if (!dir)
        abort();
    struct agent_config cfg = {.listen = "127.0.0.1", .port = 8899, .state_dir = dir,
                               .memory_mb = 65536, .cpus = 8, .nfs_size_gb = 100};
    fs.sim = sim_open(&cfg, "fuzz-agent-password");
    if (!fs.sim)
        abort();
    fs.sim->stopping = 1; /* sleeps and hangs return at once */
    fs.initial = xr_copy(fs.sim->st);
    return &fs;
}

static void check_answer(const char *out, size_t len)
{
    char err[256];
    xr_value *res = NULL;
    int code = 0;
    char *fs = NULL;
    int rc = xr_decode_response(out, len, &res, &code, &fs, err, sizeof err);
    if (rc != 0 && rc != 1)
        abort();
    xr_free(res);
    free(fs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_state *fs = setup();
    char err[256];
    char *method = NULL;
    xr_value *params = NULL;
    if (xr_decode_call((const char *)data, size, &method, &params, err, sizeof err) == 0 &&
        strcmp(method, "migrate_vm") != 0) {
        size_t len = 0;
        char *out = dispatch_call(fs->sim, method, params, &len);
        check_answer(out, len);
        free(out);
        xr_free(fs->sim->st);
        fs->sim->st = xr_copy(fs->initial);
    }
    free(method);
    xr_free(params);
    return 0;
}
