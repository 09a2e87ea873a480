/* Fuzz target for the agent's XML-RPC entry (agent/dispatch.c): the input is
 * an HTTP request body; it is decoded as a methodCall and dispatched against a
 * throwaway simulated host in a private temporary directory. The answer must
 * always be a well-formed methodResponse. migrate_vm, the imports and the SAN
 * plug-in's iSCSI methods are skipped because they open a connection to an address
 * taken from the input; export_virtual_appliance because it runs qemu-img for every
 * disk. The sim state is
 * reset after every input so that runs are reproducible. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/sim.h"
#include "lib/log.h"

/* The SAN methods that log in to the iSCSI portal the input names, or run
 * tgtadm and write files where it says. */
static int san_method(const char *method)
{
    static const char *const net[] = {"storage_plugin_validate", "storage_plugin_listStorageElements",
                                      "storage_plugin_readBlocks", "storage_plugin_writeBlocks",
                                      "storage_plugin_createSE", "storage_plugin_resizeSE",
                                      "storage_plugin_destroySE", "storage_plugin_addToAccessGroup",
                                      "storage_plugin_removeFromAccessGroup", NULL};
    for (const char *const *m = net; *m; m++)
        if (strcmp(method, *m) == 0)
            return 1;
    return 0;
}
#include "lib/util.h"
#include "lib/xmlrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_state {
    struct sim *sim;
    xr_value *initial;   /* copy of the fresh sim state */
    char dir[64];        /* the sim's private state directory */
};

/* One sim per process (libFuzzer calls the target without a context). */
static struct fuzz_state fuzz;

static void teardown(void)
{
    xr_free(fuzz.initial);
    sim_close(fuzz.sim);
    sim_rm_rf(fuzz.dir);
}

static struct fuzz_state *setup(void)
{
    if (fuzz.sim)
        return &fuzz;
    log_set_level(LOG_ERR_ - 1);
    snprintf(fuzz.dir, sizeof fuzz.dir, "/tmp/fuzz-agent-XXXXXX");
    char *dir = mkdtemp(fuzz.dir);
    if (!dir)
        abort();
    struct agent_config cfg = {.listen = "127.0.0.1", .port = 8899, .state_dir = dir,
                               .memory_mb = 65536, .cpus = 8, .nfs_size_gb = 100};
    fuzz.sim = sim_open(&cfg, "fuzz-agent-password");
    if (!fuzz.sim)
        abort();
    fuzz.sim->stopping = 1; /* sleeps and hangs return at once */
    fuzz.initial = xr_copy(fuzz.sim->st);
    atexit(teardown);
    return &fuzz;
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
        strcmp(method, "migrate_vm") != 0 && strncmp(method, "import_", 7) != 0 && !san_method(method) &&
        strcmp(method, "export_virtual_appliance") != 0) {
        size_t len = 0;
        char *out = dispatch_call(fs->sim, method, params, 1, &len);
        check_answer(out, len);
        free(out);
        xr_free(fs->sim->st);
        fs->sim->st = xr_copy(fs->initial);
    }
    free(method);
    xr_free(params);
    return 0;
}
