/* Fuzz target: ';' splitting and lexing of arbitrary bytes (doc/command-language.md §3). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "grammar/grammar.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *err = NULL;
    if (gr_check_line((const char *)data, size, &err) != 0) {
        free(err);
        /* Still exercise the splitter and lexer on the prefix before any NUL. */
    }
    char *line = xstrndup((const char *)data, size);
    char **cmds;
    size_t n = gr_split_commands(line, &cmds);
    for (size_t i = 0; i < n; i++) {
        gr_tokens t;
        if (gr_lex(cmds[i], &t, &err) == 0) {
            for (size_t j = 0; j < t.n; j++)
                if (t.v[j].off >= strlen(cmds[i]) || (t.v[j].key && t.v[j].voff > strlen(cmds[i])))
                    abort(); /* offsets must point into the command */
            gr_tokens_free(&t);
        } else {
            if (strncmp(err, "Syntax error: ", 14) != 0)
                abort();
            free(err);
        }
    }
    gr_free_strv(cmds, n);
    free(line);
    return 0;
}
