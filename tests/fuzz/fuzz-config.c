/* Fuzz target for the ovmd.yaml loader (backend/daemon/config.c): any document is
 * either accepted or refused with a reason, never crashes, and the loaded
 * configuration frees cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include "backend/daemon/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    engine_config cfg;
    char *err = NULL;
    engine_config_defaults(&cfg);
    int rc = engine_config_load_buffer(&cfg, (const char *)data, size, "fuzz.yaml", &err);
    /* A refusal must say why; an acceptance must not leave a reason behind. */
    if ((rc != 0) != (err != NULL))
        abort();
    free(err);
    engine_config_free(&cfg);
    return 0;
}
