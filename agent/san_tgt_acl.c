/* Access groups of the tgt provisioning plug-in (doc/object-model.md §3, SAN
 * access groups; doc/agent-protocol.md §5.9): LUN masking with what tgtd
 * offers, an initiator-name ACL per target. Each access group the Manager
 * creates is a target of its own, "<array target>.ag.<group id>", whose ACL
 * holds the group's initiators; adding a PhysicalDisk moves its LUN (same
 * number, same backing file, same SCSI id and serial, so the same page 0x83
 * id) from the target it is in to the group's, and removing it moves the LUN
 * to "<array target>.unpresented", which admits no server. tgtd lists a
 * target in SendTargets and lets a session log in only for the initiators of
 * its ACL, so a server outside the group neither sees nor reads the LUN.
 * Every target the plug-in makes also admits SAN_TGT_ADMIN_IQN, its
 * management path. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/san.h"
#include "agent/san_tgt.h"
#include "agent/sim.h"
#include "lib/util.h"

typedef struct tgt_lu {
    int lun;
    char scsi_id[64], scsi_sn[64], path[512];
} tgt_lu;

typedef struct tgt_target {
    int tid;
    char name[256];
    tgt_lu *lus;
    size_t nlu;
    char **acl;
    size_t nacl;
} tgt_target;

typedef struct tgt_list {
    tgt_target *v;
    size_t n;
    const tgt_target *base; /* the array's own target (plugin_private tid) */
} tgt_list;

static void list_free(tgt_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].lus);
        for (size_t k = 0; k < l->v[i].nacl; k++)
            free(l->v[i].acl[k]);
        free(l->v[i].acl);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* "    Key: value" → value (the text after the first ": "), else NULL. */
static const char *value_of(const char *line, const char *key)
{
    const char *k = strstr(line, key);
    return k ? k + strlen(key) : NULL;
}

/* One line of tgtadm's target listing into l; *in_acl follows the section. */
static void parse_line(tgt_list *l, const char *line, int *in_acl)
{
    tgt_target *t = l->n ? &l->v[l->n - 1] : NULL;
    const char *v;
    int tid;
    char name[256];
    if (sscanf(line, "Target %d: %255s", &tid, name) == 2) {
        l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
        t = memset(&l->v[l->n++], 0, sizeof *l->v);
        t->tid = tid;
        snprintf(t->name, sizeof t->name, "%s", name);
        *in_acl = 0;
    } else if (!t) {
        return;
    } else if (!strncmp(line, "    ", 4) && line[4] != ' ') {
        *in_acl = !strcmp(line + 4, "ACL information:");
    } else if (*in_acl && !strncmp(line, "        ", 8)) {
        t->acl = xrealloc(t->acl, (t->nacl + 1) * sizeof *t->acl);
        t->acl[t->nacl++] = xstrdup(line + 8);
    } else if ((v = value_of(line, "        LUN: ")) && line[8] == 'L') {
        t->lus = xrealloc(t->lus, (t->nlu + 1) * sizeof *t->lus);
        memset(&t->lus[t->nlu], 0, sizeof *t->lus);
        t->lus[t->nlu++].lun = atoi(v);
    } else if (t->nlu && (v = value_of(line, "SCSI ID: "))) {
        snprintf(t->lus[t->nlu - 1].scsi_id, sizeof t->lus->scsi_id, "%s", v);
    } else if (t->nlu && (v = value_of(line, "SCSI SN: "))) {
        snprintf(t->lus[t->nlu - 1].scsi_sn, sizeof t->lus->scsi_sn, "%s", v);
    } else if (t->nlu && (v = value_of(line, "Backing store path: "))) {
        snprintf(t->lus[t->nlu - 1].path, sizeof t->lus->path, "%s", v);
    }
}

/* tgtd's targets, with t's own one in l->base. 0, or -1. */
static int list_targets(const tgt_conf *t, tgt_list *l)
{
    static const char *const show[] = {"--op", "show", "--mode", "target", NULL};
    char *out = NULL;
    memset(l, 0, sizeof *l);
    if (tgtadm(t, show, &out) != 0) {
        free(out);
        return -1;
    }
    int in_acl = 0;
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        parse_line(l, line, &in_acl);
    free(out);
    for (size_t i = 0; i < l->n && !l->base; i++)
        if (l->v[i].tid == atoi(t->tid))
            l->base = &l->v[i];
    if (!l->base)
        list_free(l);
    return l->base ? 0 : -1;
}

/* 1 if target x belongs to the array: its own target or one it made. */
static int in_family(const tgt_list *l, const tgt_target *x)
{
    size_t n = strlen(l->base->name);
    return x == l->base || (!strncmp(x->name, l->base->name, n) && x->name[n] == '.');
}

static tgt_target *find_name(tgt_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].name, name))
            return &l->v[i];
    return NULL;
}

/* The family target holding LUN lun (its entry in *lu), or NULL. */
static tgt_target *lun_home(tgt_list *l, int lun, const tgt_lu **lu)
{
    for (size_t i = 0; i < l->n; i++)
        for (size_t k = 0; in_family(l, &l->v[i]) && k < l->v[i].nlu; k++)
            if (l->v[i].lus[k].lun == lun) {
                if (lu)
                    *lu = &l->v[i].lus[k];
                return &l->v[i];
            }
    return NULL;
}

int tgt_lun_home(const tgt_conf *t, int lun, char *tid, size_t len)
{
    tgt_list l;
    if (list_targets(t, &l) != 0)
        return -1;
    const tgt_target *home = lun_home(&l, lun, NULL);
    if (home)
        snprintf(tid, len, "%d", home->tid);
    list_free(&l);
    return home ? 0 : -1;
}

int tgt_lun_used(const tgt_conf *t, int lun)
{
    tgt_list l;
    if (list_targets(t, &l) != 0)
        return -1;
    int used = lun_home(&l, lun, NULL) != NULL;
    list_free(&l);
    return used;
}

/* Runs tgtadm with args; on failure faults c with what (printf-like). */
static int run(struct call_ctx *c, const tgt_conf *t, const char *const *args, const char *what)
{
    if (tgtadm(t, args, NULL) == 0)
        return 0;
    call_fault(c, "exceptions.RuntimeError:tgtadm -C %s could not %s", t->control, what);
    return -1;
}

/* Binds (bind != 0) or unbinds initiator iqn on target tid. */
static int acl_set(struct call_ctx *c, const tgt_conf *t, int tid, const char *iqn, int bind)
{
    char tidbuf[16], what[512];
    snprintf(tidbuf, sizeof tidbuf, "%d", tid);
    snprintf(what, sizeof what, "%s initiator %s on target %d", bind ? "bind" : "unbind", iqn, tid);
    const char *const args[] = {"--op", bind ? "bind" : "unbind", "--mode", "target", "--tid", tidbuf,
                                "--initiator-name", iqn, NULL};
    return run(c, t, args, what);
}

/* The target named name, made (with the admin path in its ACL) when tgtd
 * has none; its tid, or -1 after a fault. l is listed anew after a make. */
static int ensure_target(struct call_ctx *c, const tgt_conf *t, tgt_list *l, const char *name)
{
    const tgt_target *x = find_name(l, name);
    if (x)
        return x->tid;
    int tid = 1;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].tid >= tid)
            tid = l->v[i].tid + 1;
    char tidbuf[16];
    snprintf(tidbuf, sizeof tidbuf, "%d", tid);
    const char *const args[] = {"--op", "new", "--mode", "target", "--tid", tidbuf, "-T", name, NULL};
    if (run(c, t, args, "make a target for the access group") != 0 ||
        acl_set(c, t, tid, SAN_TGT_ADMIN_IQN, 1) != 0)
        return -1;
    list_free(l);
    if (list_targets(t, l) != 0) {
        call_fault(c, "exceptions.RuntimeError:tgtadm -C %s cannot list the targets", t->control);
        return -1;
    }
    return tid;
}

/* Moves LUN lu from target from to target to under the same number, keeping
 * its backing file, SCSI id and serial (and so its page 0x83 id). */
static int move_lun(struct call_ctx *c, const tgt_conf *t, int from, const tgt_lu *lu, int to)
{
    char src[16], dst[16], num[16], params[200];
    snprintf(src, sizeof src, "%d", from);
    snprintf(dst, sizeof dst, "%d", to);
    snprintf(num, sizeof num, "%d", lu->lun);
    snprintf(params, sizeof params, "scsi_id=%s,scsi_sn=%s", lu->scsi_id, lu->scsi_sn);
    const char *const add[] = {"--op", "new", "--mode", "logicalunit", "--tid", dst, "--lun", num, "-b", lu->path, NULL};
    const char *const ids[] = {"--op", "update", "--mode", "logicalunit", "--tid", dst, "--lun", num,
                               "--params", params, NULL};
    const char *const del_new[] = {"--op", "delete", "--mode", "logicalunit", "--tid", dst, "--lun", num, NULL};
    const char *const del_old[] = {"--op", "delete", "--mode", "logicalunit", "--tid", src, "--lun", num, NULL};
    if (run(c, t, add, "add the LUN to the access group's target") != 0)
        return -1;
    if (run(c, t, ids, "keep the LUN's SCSI id") != 0 || run(c, t, del_old, "take the LUN from its target") != 0) {
        tgtadm(t, del_new, NULL); /* the LUN stays where it was */
        return -1;
    }
    return 0;
}

/* The record of element se once in target name: its copy, renamed. */
static xr_value *moved_record(const xr_value *se, const char *name, int lun)
{
    xr_value *r = xr_copy(se);
    char *full = xasprintf("%s:%d", name, lun);
    xr_struct_set(r, "target", xr_string(name));
    xr_struct_set(r, "name", xr_string(full));
    free(full);
    return r;
}

/* Moves the LUNs of elements into the target named dest (made when
 * missing); their records in out. 0, or -1 after a fault. */
static int move_all(struct call_ctx *c, const tgt_conf *t, tgt_list *l, const xr_value *elements,
                    const char *dest, xr_value *out)
{
    int to = elements->n ? ensure_target(c, t, l, dest) : 0;
    for (size_t i = 0; to >= 0 && i < elements->n; i++) {
        int lun = (int)sim_int(elements->items[i], "lun", -1);
        const tgt_lu *lu = NULL;
        const tgt_target *home = lun > 0 ? lun_home(l, lun, &lu) : NULL;
        if (!home) {
            call_fault(c, "exceptions.RuntimeError:LUN %d is in no target of %s", lun, l->base->name);
            return -1;
        }
        if (home->tid != to && move_lun(c, t, home->tid, lu, to) != 0)
            return -1;
        xr_array_add(out, moved_record(elements->items[i], dest, lun));
    }
    return to < 0 ? -1 : 0;
}

/* Binds or unbinds each initiator name of inits on target tid. */
static int acl_all(struct call_ctx *c, const tgt_conf *t, const tgt_target *x, const xr_value *inits, int bind)
{
    for (size_t i = 0; i < inits->n; i++) {
        const char *iqn = xr_get_str(inits->items[i]);
        int bound = 0;
        for (size_t k = 0; iqn && k < x->nacl; k++)
            bound |= !strcmp(x->acl[k], iqn);
        if (!iqn || !*iqn || !strcmp(iqn, SAN_TGT_ADMIN_IQN)) {
            call_fault(c, "exceptions.ValueError:invalid initiator name: '%s'", iqn ? iqn : "");
            return -1;
        }
        if (bound != bind && acl_set(c, t, x->tid, iqn, bind) != 0)
            return -1;
    }
    return 0;
}

/* "<array target>.<suffix>" (heap); NULL after a fault when group is no id. */
static char *family_name(struct call_ctx *c, const tgt_list *l, const char *prefix, const char *group)
{
    for (const char *p = group; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-') {
            call_fault(c, "exceptions.ValueError:invalid access group name: '%s'", group);
            return NULL;
        }
    char *name = xasprintf("%s.%s%s", l->base->name, prefix, group);
    for (char *p = name; *p; p++)
        *p = (char)tolower((unsigned char)*p); /* iSCSI names are lower case */
    return name;
}

/* The access group's target, when it holds no LUN and admits no server. */
static void drop_if_empty(const tgt_conf *t, const char *name)
{
    tgt_list l;
    if (list_targets(t, &l) != 0)
        return;
    const tgt_target *x = find_name(&l, name);
    int empty = x != NULL;
    for (size_t i = 0; x && i < x->nlu; i++)
        empty &= x->lus[i].lun == 0;
    for (size_t i = 0; x && i < x->nacl; i++)
        empty &= !strcmp(x->acl[i], SAN_TGT_ADMIN_IQN);
    if (empty) {
        char tid[16];
        snprintf(tid, sizeof tid, "%d", x->tid);
        const char *const del[] = {"--op", "delete", "--mode", "target", "--tid", tid, "--force", NULL};
        tgtadm(t, del, NULL);
    }
    list_free(&l);
}

/* add (add != 0) or remove initiators argv[3] and elements argv[4] to or
 * from access group argv[2]; the elements' records, or NULL after a fault. */
static xr_value *group_change(struct call_ctx *c, xr_value *const *argv, int add)
{
    tgt_conf t = {0};
    tgt_list l = {0};
    const xr_value *inits = argv[3], *elements = argv[4];
    if (san_check_tgt(c, xr_get_str(argv[0]), argv[1]) != 0 || tgt_conf_of(c, argv[1], &t) != 0)
        return NULL;
    if (list_targets(&t, &l) != 0) {
        call_fault(c, "exceptions.RuntimeError:tgtadm -C %s lists no target %s", t.control, t.tid);
        free(t.dir);
        return NULL;
    }
    char *gname = family_name(c, &l, "ag.", xr_get_str(argv[2]));
    char *park = gname ? family_name(c, &l, "", "unpresented") : NULL;
    xr_value *out = xr_array();
    int gtid = gname && (add || find_name(&l, gname)) ? ensure_target(c, &t, &l, gname) : -1;
    int rc = gtid < 0 ? -1 : acl_all(c, &t, find_name(&l, gname), inits, add);
    if (rc == 0)
        rc = move_all(c, &t, &l, elements, add ? gname : park, out);
    if (gname && !add && !c->fault && gtid < 0)
        call_fault(c, "exceptions.RuntimeError:access group %s has no target", xr_get_str(argv[2]));
    if (rc == 0 && !add)
        drop_if_empty(&t, gname);
    list_free(&l);
    free(gname);
    free(park);
    free(t.dir);
    if (rc != 0 || c->fault) {
        xr_free(out);
        return NULL;
    }
    return out;
}

SIM_HANDLER(h_storage_plugin_addToAccessGroup)
{
    (void)argc;
    return group_change(c, argv, 1);
}

SIM_HANDLER(h_storage_plugin_removeFromAccessGroup)
{
    (void)argc;
    return group_change(c, argv, 0);
}
