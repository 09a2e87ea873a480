/* The command registry: every command form of the grammar (by its id, see
 * grammar/forms.h) bound to exactly one operation of the ops_*.c tables, or
 * refused by the grammar itself. Dispatch looks operations up by form id. */
#include <pthread.h>
#include <stdlib.h>
#include "backend/ops/ops.h"
#include "lib/strbuf.h"
#include "lib/util.h"

static const op *const *op_tables(void)
{
    static const op *const tables[] = {ops_session, ops_generic, ops_server, ops_pool, ops_storage,
                                       ops_vm,      ops_network, ops_network_bond, ops_network_ip, ops_misc,   ops_stats, ops_events, ops_san, ops_appliance,
                                       ops_vm_customizer, ops_vm_messages, ops_cpugroup,
                                       ops_server_power, ops_ocfs2, ops_repo_export,
                                       ops_server_update, ops_pool_netpolicy, NULL};
    return tables;
}

static const op *by_id[GR_NFORMS];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

/* The first binding of each form wins; registry_check reports any second. */
static void build_index(void)
{
    for (const op *const *t = op_tables(); *t; t++)
        for (const op *o = *t; o->form != GR_NFORMS; o++)
            if ((unsigned)o->form < GR_NFORMS && !by_id[o->form])
                by_id[o->form] = o;
}

const op *registry_op(gr_form_id id)
{
    pthread_once(&index_once, build_index);
    return (unsigned)id < GR_NFORMS ? by_id[id] : NULL;
}

static size_t bindings(gr_form_id id)
{
    size_t n = 0;
    for (const op *const *t = op_tables(); *t; t++)
        for (const op *o = *t; o->form != GR_NFORMS; o++)
            n += o->form == id;
    return n;
}

/* "<verb> [<Type>]" of a form, for the report. */
static void form_name(strbuf *sb, const gr_cmd *c)
{
    sb_addf(sb, "%s%s%s", c->verb, c->type ? " " : "", c->type ? c->type : "");
}

static int check_form(const gr_cmd *c, strbuf *sb)
{
    char *why = gr_refusal(c, gr_type_find(c->type));
    size_t n = bindings(c->id), want = why ? 0 : 1;
    free(why);
    if (n == want)
        return 0;
    form_name(sb, c);
    sb_addf(sb, want ? ": %zu operations, expected one\n" : ": refused by the grammar, yet %zu operations\n", n);
    return 1;
}

/* Operations whose form id is not one of the grammar's. */
static int check_entries(strbuf *sb)
{
    int bad = 0;
    for (const op *const *t = op_tables(); *t; t++)
        for (const op *o = *t; o->form != GR_NFORMS; o++)
            if ((unsigned)o->form > GR_NFORMS || (!o->now == !o->prepare)) {
                sb_addf(sb, "operation %d of table %zu: no form, or not exactly one of now/prepare\n",
                        (int)o->form, (size_t)(t - op_tables()));
                bad++;
            }
    return bad;
}

int registry_check(char **report)
{
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "");
    size_t n;
    const gr_cmd *const *c = gr_cmds(&n);
    int bad = check_entries(&sb);
    for (size_t i = 0; i < n; i++) {
        if (c[i]->id != (gr_form_id)i) {
            sb_addf(&sb, "form %zu has id %d\n", i, (int)c[i]->id);
            bad++;
        }
        bad += check_form(c[i], &sb);
    }
    *report = sb_detach(&sb, NULL);
    return bad;
}
