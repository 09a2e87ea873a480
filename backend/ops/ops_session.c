/* Session and manager commands without a job (doc/command-language.md §6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/ops/ops.h"
#include "lib/util.h"

static const char *eol_name(const char *eol)
{
    return !strcmp(eol, "\r\n") ? "CRLF" : !strcmp(eol, "\r") ? "CR" : "LF";
}

static const char *mode_name(output_mode m)
{
    static const char *const names[] = {"Verbose", "Sparse", "Xml", "Json"};
    return names[m];
}

/* The grammar admits exactly one of the five keys, each with a checked value. */
static void apply_set(session *s, const char *key, const char *v)
{
    if (!ovm_strcasecmp(key, "OutputMode")) {
        s->mode = !ovm_strcasecmp(v, "Sparse") ? OM_SPARSE
                  : !ovm_strcasecmp(v, "Xml")  ? OM_XML
                  : !ovm_strcasecmp(v, "Json") ? OM_JSON
                                               : OM_VERBOSE;
    } else if (!ovm_strcasecmp(key, "EndLineChars")) {
        s->eol = !ovm_strcasecmp(v, "CR") ? "\r" : !ovm_strcasecmp(v, "LF") ? "\n" : "\r\n";
    } else if (!ovm_strcasecmp(key, "CommandMode")) {
        s->async = !ovm_strcasecmp(v, "Asynchronous");
    } else if (!ovm_strcasecmp(key, "CommandTimeout")) {
        s->timeout = atoi(v);
    } else {
        s->alphabetize = !ovm_strcasecmp(v, "Yes"); /* AlphabetizeAttributes */
    }
}

static void op_set(cmdctx *c)
{
    for (size_t i = 0; i < c->cmd->nattrs; i++)
        apply_set(c->ses, c->cmd->attrs[i].key, c->cmd->attrs[i].value);
}

static void op_showclisession(cmdctx *c)
{
    char tmo[16];
    snprintf(tmo, sizeof tmo, "%d", c->ses->timeout);
    c->res->kind = RD_SHOW;
    c->res->has_data = 1;
    result_show_add(c->res, "OutputMode", mode_name(c->ses->mode));
    result_show_add(c->res, "EndLineChars", eol_name(c->ses->eol));
    result_show_add(c->res, "CommandMode", c->ses->async ? "Asynchronous" : "Synchronous");
    result_show_add(c->res, "CommandTimeout", tmo);
    result_show_add(c->res, "AlphabetizeAttributes", c->ses->alphabetize ? "Yes" : "No");
}

static void op_showversion(cmdctx *c)
{
    c->res->plain = 1;
    c->res->kind = RD_TEXT;
    result_text_add(c->res, c->e->cfg.version);
}

static void add_lines(result *r, char **lines, size_t n)
{
    r->kind = RD_TEXT;
    r->has_data = 1;
    for (size_t i = 0; i < n; i++)
        result_text_add(r, lines[i]);
    gr_free_strv(lines, n);
}

static void op_help(cmdctx *c)
{
    char **lines;
    size_t n = gr_help_lines(&lines);
    add_lines(c->res, lines, n);
    c->res->plain = 1;
}

static void op_exit(cmdctx *c)
{
    c->exit_requested = 1;
}

static void op_showobjtypes(cmdctx *c)
{
    char **lines;
    size_t n = gr_showobjtypes_lines(&lines);
    add_lines(c->res, lines, n);
}

static void op_showcustomcmds(cmdctx *c)
{
    char **lines; /* the grammar requires the type argument */
    size_t n = gr_showcustomcmds_lines(c->cmd->type, &lines);
    add_lines(c->res, lines, n);
}

static void op_showallcustomcmds(cmdctx *c)
{
    char **lines;
    size_t n = gr_showallcustomcmds_lines(&lines);
    add_lines(c->res, lines, n);
}

static void op_getmanagertime(cmdctx *c)
{
    char buf[64];
    ovm_time_header(ovm_now_ms(), buf, sizeof buf);
    c->res->kind = RD_SHOW;
    c->res->has_data = 1;
    result_show_add(c->res, "Manager Time", buf);
}

const op ops_session[] = {
    {GR_F_set, op_set, NULL, 1},
    {GR_F_showclisession, op_showclisession, NULL, 1},
    {GR_F_showversion, op_showversion, NULL, 1},
    {GR_F_help, op_help, NULL, 1},
    {GR_F_exit, op_exit, NULL, 1},
    {GR_F_showobjtypes, op_showobjtypes, NULL, 1},
    {GR_F_showcustomcmds, op_showcustomcmds, NULL, 1},
    {GR_F_showallcustomcmds, op_showallcustomcmds, NULL, 1},
    {GR_F_getManagerTime, op_getmanagertime, NULL, 1},
    OPS_END,
};
