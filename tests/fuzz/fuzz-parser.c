/* Fuzz target: parsing and validation of arbitrary commands, plus the '?'
 * listing for the same text. Every failure must carry a one-line message, and
 * '?' and TAB (the partial walk) accept every command that parses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "grammar/grammar.h"
#include "lib/util.h"

/* The walk that '?' and TAB use goes on after a command that parses. */
static void partial_agrees(const char *cmd)
{
    char *text = xasprintf("%s ", cmd), *cur;
    gr_walk w;
    gr_walk_partial(text, &w, &cur);
    if (w.where == GW_END || *cur)
        abort();
    gr_walk_free(&w);
    free(cur);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *cmd = xstrndup((const char *)data, size), *err = NULL;
    gr_command c;
    if (gr_parse(cmd, &c, &err) == 0) {
        if (!c.help && !c.def)
            abort();
        if (!c.help)
            partial_agrees(cmd);
        gr_command_free(&c);
    } else {
        if (!err || strchr(err, '\n'))
            abort();
        free(err);
    }
    char **lines;
    size_t n = gr_question_lines(cmd, 4, &lines);
    gr_free_strv(lines, n);
    free(cmd);
    return 0;
}
