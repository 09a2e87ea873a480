/* Fuzz target for the XML-RPC decoder: every input goes through both
 * xr_decode_response and xr_decode_call; whatever decodes is re-encoded and
 * decoded again, which must succeed (the encoder only writes what the
 * decoder accepts). */
#include <stdint.h>
#include <stdlib.h>
#include "lib/xmlrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static void fuzz_response(const char *buf, size_t size)
{
    char err[256];
    xr_value *res = NULL;
    int code = 0;
    char *fs = NULL;
    int rc = xr_decode_response(buf, size, &res, &code, &fs, err, sizeof err);
    if (rc == 0) {
        size_t len;
        char *again = xr_encode_response(res, &len);
        xr_value *res2 = NULL;
        check(xr_decode_response(again, len, &res2, &code, NULL, err, sizeof err) == 0);
        xr_free(res2);
        free(again);
    } else if (rc == 1) {
        size_t len;
        char *again = xr_encode_fault(code, fs, &len);
        check(xr_decode_response(again, len, NULL, &code, NULL, err, sizeof err) == 1);
        free(again);
    }
    xr_free(res);
    free(fs);
}

static void fuzz_call(const char *buf, size_t size)
{
    char err[256];
    char *method = NULL;
    xr_value *params = NULL;
    if (xr_decode_call(buf, size, &method, &params, err, sizeof err) == 0) {
        size_t len;
        char *again = xr_encode_call(method, params->items, params->n, &len);
        xr_value *p2 = NULL;
        check(xr_decode_call(again, len, NULL, &p2, err, sizeof err) == 0);
        xr_free(p2);
        free(again);
    }
    free(method);
    xr_free(params);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_response((const char *)data, size);
    fuzz_call((const char *)data, size);
    return 0;
}
