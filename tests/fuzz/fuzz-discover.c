/* Fuzz target for the engine's reading of agent discovery documents
 * (backend/flows/discover.c): hostile XML from an agent must be refused or read
 * into bounded fields, never crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "backend/flows/discover.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*facts_parser)(const char *xml, server_facts *f, char **err);

static void parse_facts(facts_parser fn, const char *xml)
{
    server_facts f;
    char *err = NULL;
    memset(&f, 0, sizeof f);
    if (fn(xml, &f, &err) != 0 && !err)
        abort(); /* a refusal always carries its reason */
    free(err);
}

static void parse_repo(const char *xml)
{
    repo_files r;
    char *err = NULL;
    memset(&r, 0, sizeof r);
    if (parse_discover_repositories(xml, "0004fb0000030000aaaa", &r, &err) == 0)
        repo_files_free(&r);
    else if (!err)
        abort();
    free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The documents arrive as XML-RPC strings: NUL-terminated text. */
    char *xml = xmalloc(size + 1);
    memcpy(xml, data, size);
    xml[size] = '\0';
    parse_facts(parse_discover_server, xml);
    parse_facts(parse_discover_hardware, xml);
    parse_facts(parse_discover_network, xml);
    parse_repo(xml);
    free(xml);
    return 0;
}
