/* MAC addresses (N-3) and Vnic commands: the rules, then the job that changes the
 * store, rewrites the VM's vm.cfg and reverts when the agent refuses. */
#include "backend/ops/ops_network.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/jobs/events.h"
#include "backend/flows/flow.h"
#include "backend/ops/generic.h"
#include "backend/flows/model.h"
#include "backend/ops/ops.h"
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* ---- MAC addresses (N-3) ---- */

static int mac_parse(const char *s, uint64_t *out)
{
    unsigned b[6];
    char tail;
    if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | b[i];
    *out = v;
    return 0;
}

static void mac_format(uint64_t v, char *buf, size_t len)
{
    snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", (unsigned)(v >> 40 & 255), (unsigned)(v >> 32 & 255),
             (unsigned)(v >> 24 & 255), (unsigned)(v >> 16 & 255), (unsigned)(v >> 8 & 255), (unsigned)(v & 255));
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The lowest address of the Manager range used by no Vnic; -1 when full. */
static int mac_lowest_free(engine *e, char *buf, size_t len)
{
    obj *m = store_get(e->st, e->manager_id);
    uint64_t lo, hi;
    if (!m || mac_parse(obj_get(m, "macStart"), &lo) || mac_parse(obj_get(m, "macEnd"), &hi))
        return -1;
    obj **v;
    size_t n = store_list(e->st, "Vnic", &v), k = 0;
    uint64_t *used = xmalloc((n ? n : 1) * sizeof *used);
    for (size_t i = 0; i < n; i++)
        if (mac_parse(obj_get(v[i], "macAddress"), &used[k]) == 0)
            k++;
    free(v);
    qsort(used, k, sizeof *used, u64_cmp);
    uint64_t cand = lo;
    for (size_t i = 0; i < k && cand <= hi; i++)
        if (used[i] == cand)
            cand++;
    free(used);
    if (cand > hi)
        return -1;
    mac_format(cand, buf, len);
    return 0;
}

static obj *mac_user(engine *e, const char *mac)
{
    obj **v;
    size_t n = store_find_by(e->st, "Vnic", "macAddress", mac, &v);
    obj *hit = n ? v[0] : NULL;
    free(v);
    return hit;
}

static char *mac_full_text(engine *e)
{
    obj *m = store_get(e->st, e->manager_id);
    return xasprintf("No free MAC address left in %s-%s; widen it with setVnicMacAddrRange",
                     m ? obj_gets(m, "macStart") : "", m ? obj_gets(m, "macEnd") : "");
}

/* ---- Vnic rules ---- */

/* §5.5: Vnics are added, removed and moved only on Stopped, Running and Template VMs. */
static char *vm_state_rule(const obj *vm, const char *action)
{
    obj_status st = status_get(vm);
    if (st == ST_STOPPED || st == ST_RUNNING || st == ST_TEMPLATE)
        return NULL;
    return xasprintf("Cannot %s Vm %s: its status is %s", action, vm->name, status_name(st));
}

/* N-1 */
static int check_vm_network(cmdctx *c, const obj *net)
{
    if (has_role(net, "VIRTUAL_MACHINE"))
        return 0;
    result_fail(c->res, "Network %s has no VIRTUAL_MACHINE role", net->name);
    return -1;
}

/* N-2 */
static int check_vnic_count(cmdctx *c, const obj *vm)
{
    obj **v;
    size_t n = store_find_by(c->e->st, "Vnic", "vm", vm->id, &v);
    free(v);
    const char *dt = obj_gets(vm, "domainType");
    size_t max = !strcmp(dt, "XEN_HVM") ? VNICS_MAX_HVM : VNICS_MAX_OTHER;
    if (n < max)
        return 0;
    result_fail(c->res, "Vm %s already has %zu Vnics, the maximum for domainType %s", vm->name, n, dt);
    return -1;
}

static int fail_text(cmdctx *c, char *text)
{
    if (!text)
        return 0;
    result_fail(c->res, "%s", text);
    free(text);
    return -1;
}

/* ---- the Vnic job: store change, configure_vm, revert on failure ---- */

typedef enum { VP_CREATE, VP_EDIT, VP_DELETE } vnic_op;

/* The Vnic as it was before the job changed it, to put it back. */
typedef struct vnic_snap {
    int existed;
    char *name;
    char **keys, **vals;
    size_t n;
} vnic_snap;

typedef struct vnic_plan {
    vnic_op op;
    char vm_id[64], repo_id[64];
    const char *action;   /* state-rule words, re-checked when the job runs */
    gplan *g;             /* the Vnic id, new name and attributes ("" = unset) */
    int call;             /* the VM lives on an agent: rewrite its vm.cfg */
    agent_target t;
    vnic_snap snap;
} vnic_plan;

static void snap_clear(vnic_snap *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->keys[i]);
        free(s->vals[i]);
    }
    free(s->keys);
    free(s->vals);
    free(s->name);
    memset(s, 0, sizeof *s);
}

static void vnic_plan_free(void *arg)
{
    vnic_plan *p = arg;
    if (!p)
        return;
    gplan_free(p->g);
    snap_clear(&p->snap);
    free(p);
}

static void snap_take(vnic_snap *s, const obj *o)
{
    snap_clear(s);
    if (!o)
        return;
    s->existed = 1;
    s->name = xstrdup(o->name);
    s->keys = xcalloc(o->nattrs ? o->nattrs : 1, sizeof *s->keys);
    s->vals = xcalloc(o->nattrs ? o->nattrs : 1, sizeof *s->vals);
    for (size_t i = 0; i < o->nattrs; i++) {
        s->keys[i] = xstrdup(o->attrs[i].key);
        s->vals[i] = xstrdup(o->attrs[i].value);
    }
    s->n = o->nattrs;
}

/* Puts the Vnic back as snapped (write lock held). */
static void snap_restore(engine *e, const vnic_snap *s, const char *id)
{
    obj *o = store_get(e->st, id);
    if (!s->existed) {
        if (o)
            store_delete(e->st, o);
        return;
    }
    if (!o)
        o = store_create(e->st, "Vnic", id, s->name);
    obj_rename(e->st, o, s->name);
    for (size_t i = 0; i < s->n; i++)
        obj_set(e->st, o, s->keys[i], s->vals[i]);
    /* attributes the job added that the snapshot did not have */
    for (size_t i = o->nattrs; i-- > 0;) {
        int known = 0;
        for (size_t k = 0; k < s->n && !known; k++)
            known = !strcmp(o->attrs[i].key, s->keys[k]);
        if (!known) {
            char *key = xstrdup(o->attrs[i].key);
            obj_unset(e->st, o, key);
            free(key);
        }
    }
}

/* Picks the MAC of a new Vnic under the write lock, so that concurrent jobs
 * never hand out the same address; heap error text or NULL. */
static char *vnic_pick_mac(engine *e, gplan *g)
{
    const char *given = NULL;
    for (size_t i = 0; i < g->n; i++)
        if (!strcmp(g->keys[i], "macAddress"))
            given = g->vals[i];
    if (given) {
        obj *other = mac_user(e, given);
        return other ? xasprintf("MAC address %s is already used by Vnic %s", given, other->name) : NULL;
    }
    char mac[32];
    if (mac_lowest_free(e, mac, sizeof mac) != 0)
        return mac_full_text(e);
    gplan_set(g, "macAddress", mac);
    if (!g->name)
        g->name = xstrdup(mac);
    return NULL;
}

/* Applies the plan to the store (write lock held); heap error text or NULL. */
static char *vnic_apply(engine *e, vnic_plan *p, obj *vm)
{
    char *err = vm_state_rule(vm, p->action);
    if (!err && p->op == VP_CREATE)
        err = vnic_pick_mac(e, p->g);
    obj *vnic = store_get(e->st, p->g->id);
    if (!err && p->op != VP_CREATE && !vnic)
        err = xasprintf("Vnic %s no longer exists", p->g->id);
    if (err)
        return err;
    snap_take(&p->snap, vnic);
    store_begin(e->st);
    if (p->op == VP_DELETE) {
        relations_on_delete(e, vnic); /* its clone network mappings go with it */
        store_delete(e->st, vnic);
    } else {
        if (!vnic) {
            vnic = store_create(e->st, "Vnic", p->g->id, p->g->name);
            obj_setf(e->st, vnic, "created", "%lld", (long long)ovm_unique_ms_id());
            obj_set(e->st, vnic, "vm", vm->id);
        }
        gplan_apply(e, p->g, vnic);
    }
    store_commit(e->st);
    return NULL;
}

static int run_vnic_plan(job *j, vnic_plan *p)
{
    engine *e = j->eng;
    store_wrlock(e->st);
    store_set_actor(e->st, j->id);
    obj *vm = store_get(e->st, p->vm_id);
    char *err = vm ? vnic_apply(e, p, vm) : xasprintf("Vm %s no longer exists", p->vm_id);
    xr_value *cfg = !err && p->call ? vm_config(e, vm) : NULL;
    store_set_actor(e->st, 0);
    store_unlock(e->st);
    if (err) {
        job_fail(j, "Job failed: %s", err);
        free(err);
        return -1;
    }
    int rc = cfg ? agent_configure_vm(AGENT_JOB(j, &p->t), p->repo_id, p->vm_id, cfg, NULL) : 0;
    xr_free(cfg);
    if (rc != 0) {
        store_wrlock(e->st);
        store_set_actor(e->st, j->id);
        snap_restore(e, &p->snap, p->g->id);
        store_set_actor(e->st, 0);
        store_unlock(e->st);
        return -1;
    }
    if (p->op == VP_CREATE)
        j->result_obj = xstrdup(p->g->id);
    return 0;
}

static int run_vnic(job *j)
{
    return run_vnic_plan(j, j->plan);
}

/* Chooses the server whose agent rewrites the VM's vm.cfg: its own server
 * when it runs, else a server with its repository presented. A VM without a
 * repository has no vm.cfg and needs no call. 0 ok, -1 after result_fail. */
static int vm_agent(cmdctx *c, const obj *vm, vnic_plan *p)
{
    obj *repo = store_get(c->e->st, obj_gets(vm, "repository"));
    if (!repo)
        return 0;
    obj *pick = NULL;
    if (status_get(vm) == ST_RUNNING) {
        pick = store_get(c->e->st, obj_gets(vm, "server"));
        if (pick && !server_usable(pick))
            pick = NULL;
    }
    char **ids;
    size_t n = split_list(obj_get(repo, "presentedServers"), &ids);
    for (size_t i = 0; i < n && !pick; i++) {
        obj *s = store_get(c->e->st, ids[i]);
        if (s && server_usable(s))
            pick = s;
    }
    free_list(ids, n);
    if (!pick) {
        result_fail(c->res, "Repository %s is not presented to any owned Running server", repo->name);
        return -1;
    }
    p->call = 1;
    snprintf(p->repo_id, sizeof p->repo_id, "%s", repo->id);
    agent_target_of(c->e, pick, &p->t);
    return 0;
}

static vnic_plan *vnic_plan_new(vnic_op op, const obj *vm, const char *vnic_id, const char *action)
{
    vnic_plan *p = xcalloc(1, sizeof *p);
    p->op = op;
    p->action = action;
    snprintf(p->vm_id, sizeof p->vm_id, "%s", vm->id);
    p->g = gplan_new("Vnic", vnic_id, NULL);
    return p;
}

/* The job for plan p on vm (NULL after result_fail; p is consumed). */
static job *vnic_job(cmdctx *c, vnic_plan *p, const obj *vm, const char *operation, const char *name)
{
    if (fail_text(c, vm_state_rule(vm, p->action)) != 0 || vm_agent(c, vm, p) != 0) {
        vnic_plan_free(p);
        return NULL;
    }
    const job_spec spec = {.operation = operation, .type = "Vnic", .fn = run_vnic, .plan_free = vnic_plan_free};
    return spec_job(c, &spec, name, p, p->op == VP_CREATE ? NULL : p->g->id, vm->id, NULL);
}

job *prepare_create_vnic(cmdctx *c)
{
    obj *vm = resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance);
    obj *net = vm ? resolve_ref(c, "Network", gr_get(c->cmd, "network")) : NULL;
    if (!net || check_vm_network(c, net) != 0 || check_vnic_count(c, vm) != 0)
        return NULL;
    const char *mac = gr_get(c->cmd, "macAddress");
    uint64_t v;
    if (mac && (mac_parse(mac, &v) != 0 || (v >> 40 & 1))) {
        result_fail(c->res, "Invalid value '%s' for macAddress; expected a unicast MAC address", mac);
        return NULL;
    }
    obj *other = mac ? mac_user(c->e, mac) : NULL;
    if (other) {
        result_fail(c->res, "MAC address %s is already used by Vnic %s", mac, other->name);
        return NULL;
    }
    char free_mac[32];
    if (!mac && mac_lowest_free(c->e, free_mac, sizeof free_mac) != 0) {
        fail_text(c, mac_full_text(c->e));
        return NULL;
    }
    char id[64];
    new_object_id(c->cmd->type, id, sizeof id);
    vnic_plan *p = vnic_plan_new(VP_CREATE, vm, id, "add a Vnic to");
    gplan_take_attrs(p->g, c->cmd);
    gplan_set(p->g, "network", net->id);
    const char *name = gr_get(c->cmd, "name");
    if (name)
        p->g->name = xstrdup(name);
    return vnic_job(c, p, vm, "Create", name ? name : mac ? mac : free_mac);
}

job *prepare_delete_vnic(cmdctx *c)
{
    obj *vnic = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *vm = vnic ? store_get(c->e->st, obj_gets(vnic, "vm")) : NULL;
    if (!vnic)
        return NULL;
    if (!vm) { /* an orphan cannot be on any agent: drop it from the store */
        return gplan_delete_job(c, vnic);
    }
    vnic_plan *p = vnic_plan_new(VP_DELETE, vm, vnic->id, "remove a Vnic from");
    return vnic_job(c, p, vm, "Delete", vnic->name);
}

/* Moves vnic to net (NULL clears its network): an edit of the VM's vm.cfg. */
static job *vnic_move_job(cmdctx *c, obj *vnic, const obj *net, gplan *extra, const char *operation)
{
    obj *vm = store_get(c->e->st, obj_gets(vnic, "vm"));
    if (!vm) {
        result_fail(c->res, "Cannot find Vm with id: %s", obj_gets(vnic, "vm"));
        gplan_free(extra);
        return NULL;
    }
    vnic_plan *p = vnic_plan_new(VP_EDIT, vm, vnic->id, "edit");
    if (extra) {
        gplan_free(p->g);
        p->g = extra;
    }
    gplan_set(p->g, "network", net ? net->id : "");
    return vnic_job(c, p, vm, operation, vnic->name);
}

job *prepare_edit_vnic(cmdctx *c)
{
    obj *vnic = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    if (!vnic)
        return NULL;
    const char *netref = gr_get(c->cmd, "network");
    if (!netref) /* name and description are not in vm.cfg: a store edit */
        return gplan_prepare_edit(c, vnic, 0);
    obj *net = resolve_ref(c, "Network", netref);
    if (!net || check_vm_network(c, net) != 0)
        return NULL;
    gplan *g = gplan_edit_plan(c, vnic, 0);
    return g ? vnic_move_job(c, vnic, net, g, "Edit") : NULL;
}

/* ---- add Vnic to Vm, remove Vnic from Vm ----
 * Since Oracle VM 3.3.1 a Vnic always belongs to a Vm, so adding one to a Vm
 * moves it there with its MAC and network, and removing it from its Vm deletes
 * it (doc/object-model.md §6.14). A move rewrites two vm.cfg files: the
 * destination's first, so that its failure leaves the Vnic where it was, then
 * the source's; when that fails, the Vnic goes back to the source. */
typedef struct vnic_move {
    vnic_plan *to, *from, *back;
} vnic_move;

static void vnic_move_free(void *arg)
{
    vnic_move *m = arg;
    vnic_plan_free(m->to);
    vnic_plan_free(m->from);
    vnic_plan_free(m->back);
    free(m);
}

static int run_vnic_move(job *j)
{
    vnic_move *m = j->plan;
    if (run_vnic_plan(j, m->to) != 0)
        return -1;
    if (!m->from || run_vnic_plan(j, m->from) == 0) /* no source Vm: an orphan Vnic */
        return 0;
    if (run_vnic_plan(j, m->back) != 0)
        log_warn("job %lld: Vnic %s could not go back to Vm %s", (long long)j->id, m->to->g->id, m->from->vm_id);
    return -1;
}

/* One leg of a move: a rewrite of vm's vm.cfg after the Vnic's vm becomes
 * owner (NULL: unchanged). NULL after result_fail. */
static vnic_plan *move_leg(cmdctx *c, const obj *vnic, const obj *vm, const obj *owner)
{
    vnic_plan *p = vnic_plan_new(VP_EDIT, vm, vnic->id, owner ? "add a Vnic to" : "remove a Vnic from");
    if (owner)
        gplan_set(p->g, "vm", owner->id);
    if (fail_text(c, vm_state_rule(vm, p->action)) != 0 || vm_agent(c, vm, p) != 0) {
        vnic_plan_free(p);
        return NULL;
    }
    return p;
}

static job *prepare_vnic_to_vm(cmdctx *c, obj *vnic, obj *dst)
{
    obj *src = store_get(c->e->st, obj_gets(vnic, "vm"));
    if (src == dst) {
        result_fail(c->res, "Vnic %s is already on Vm %s", vnic->name, dst->name);
        return NULL;
    }
    if (check_vnic_count(c, dst) != 0)
        return NULL;
    vnic_move *m = xcalloc(1, sizeof *m);
    m->to = move_leg(c, vnic, dst, dst);
    m->from = m->to && src ? move_leg(c, vnic, src, NULL) : NULL;
    m->back = m->from ? move_leg(c, vnic, dst, src) : NULL;
    if (!m->back && (src || !m->to)) {
        vnic_move_free(m);
        return NULL;
    }
    const job_spec spec = {.operation = "Add Vnic to", .type = "Vm", .fn = run_vnic_move, .plan_free = vnic_move_free};
    job *j = spec_job(c, &spec, dst->name, m, vnic->id, dst->id, src ? src->id : NULL, NULL);
    free(j->name);
    j->name = xasprintf("Add Vnic: %s to Vm: %s", vnic->name, dst->name);
    return j;
}

static job *prepare_vnic_from_vm(cmdctx *c, obj *vnic, obj *vm)
{
    if (!obj_is(vnic, "vm", vm->id)) {
        result_fail(c->res, "Vnic %s is not on Vm %s", vnic->name, vm->name);
        return NULL;
    }
    vnic_plan *p = vnic_plan_new(VP_DELETE, vm, vnic->id, "remove a Vnic from");
    job *j = vnic_job(c, p, vm, "Remove Vnic from", vm->name);
    if (j) {
        free(j->name);
        j->name = xasprintf("Remove Vnic: %s from Vm: %s", vnic->name, vm->name);
    }
    return j;
}

static job *prepare_vnic_member(cmdctx *c, int add)
{
    obj *vnic = resolve_instance(c, c->cmd->type, &c->cmd->instance);
    obj *net = vnic ? resolve_instance(c, c->cmd->ptype, &c->cmd->pinstance) : NULL;
    if (!net)
        return NULL;
    if (!strcmp(net->type, "Vm"))
        return add ? prepare_vnic_to_vm(c, vnic, net) : prepare_vnic_from_vm(c, vnic, net);
    if (add && check_vm_network(c, net) != 0)
        return NULL;
    if (!add && !obj_is(vnic, "network", net->id)) {
        result_fail(c->res, "Vnic %s is not in Network %s", vnic->name, net->name);
        return NULL;
    }
    job *j = vnic_move_job(c, vnic, add ? net : NULL, NULL, add ? "Add Vnic to" : "Remove Vnic from");
    if (j) {
        job_lock(j, net->id);
        free(j->name);
        j->name = xasprintf("%s Vnic: %s %s Network: %s", add ? "Add" : "Remove", vnic->name, add ? "to" : "from",
                            net->name);
    }
    return j;
}

job *prepare_add_vnic(cmdctx *c)
{
    return prepare_vnic_member(c, 1);
}

job *prepare_remove_vnic(cmdctx *c)
{
    return prepare_vnic_member(c, 0);
}
