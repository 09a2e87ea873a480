/* The on-disk header of an OCFS2 file system on a LUN (doc/object-model.md
 * §3.1): this project's own format, a text block written
 * at byte 0 of the LUN through the array's admin server (agent methods
 * storage_plugin_readBlocks and storage_plugin_writeBlocks), so that any host
 * and any Manager that reaches the LUN can tell it is formatted, which file
 * system and repository it holds and which Manager owns them. */
#include "backend/ops/ocfs2.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/agentc/agentapi.h"
#include "backend/ops/ops_san.h"
#include "backend/ops/ops_storage.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* How much a read takes: the header and the places a real OCFS2 superblock
 * sits (block 2 of 512, 1K, 2K or 4K blocks) with its signature. */
#define PROBE_LEN (8192 + 8)
static const long real_sb_offsets[] = {1024, 2048, 4096, 8192};
#define REAL_SIGNATURE "OCFSV2"

xr_value *ocfs2_lun_se(const obj *pd)
{
    xr_value *se = xr_struct();
    xr_struct_set(se, "name", xr_string(obj_gets(pd, "lunName")));
    xr_struct_set(se, "target", xr_string(obj_gets(pd, "target")));
    xr_struct_set(se, "lun", xr_int(obj_get_int(pd, "lun", 0)));
    xr_struct_set(se, "page83_id", xr_string(obj_gets(pd, "page83Id")));
    xr_struct_set(se, "block_size", xr_int(512));
    return se;
}

int ocfs2_io_of(engine *e, const obj *pd, lun_io *io)
{
    memset(io, 0, sizeof *io);
    obj *a = store_get(e->st, obj_gets(pd, "storageArray"));
    obj *s = a ? admin_server(e, a) : NULL;
    if (!s)
        return -1;
    agent_target_of(e, s, &io->t);
    io->impl = san_impl(a);
    io->ss = san_ss_arg(a);
    io->se = ocfs2_lun_se(pd);
    snprintf(io->pd_name, sizeof io->pd_name, "%s", pd->name);
    return 0;
}

void ocfs2_io_free(lun_io *io)
{
    xr_free(io->ss);
    xr_free(io->se);
    io->ss = io->se = NULL;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Hex to bytes, NUL-terminated (NULs inside become spaces); NULL if malformed. */
static char *unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    char *out = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(out);
            return NULL;
        }
        out[i] = (char)(hi << 4 | lo);
        if (!out[i])
            out[i] = ' ';
    }
    out[n] = '\0';
    *len = n;
    return out;
}

static void field(char *dst, size_t len, const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (!strncmp(p, key, kl) && p[kl] == '=') {
            const char *v = p + kl + 1, *end = strchr(v, '\n');
            size_t n = end ? (size_t)(end - v) : strlen(v);
            snprintf(dst, len, "%.*s", (int)(n < len ? n : len - 1), v);
            return;
        }
    }
    dst[0] = '\0';
}

static void parse(const char *bytes, size_t n, lun_header *h)
{
    memset(h, 0, sizeof *h);
    if (n >= strlen(OCFS2_MAGIC) && !strncmp(bytes, OCFS2_MAGIC, strlen(OCFS2_MAGIC))) {
        char *text = xstrndup(bytes, n < OCFS2_HDR_LEN ? n : OCFS2_HDR_LEN);
        h->state = LUN_OURS;
        field(h->fs_uuid, sizeof h->fs_uuid, text, "FS_UUID");
        field(h->fs_label, sizeof h->fs_label, text, "FS_LABEL");
        field(h->mgr_uuid, sizeof h->mgr_uuid, text, "MGR_UUID");
        field(h->repo_uuid, sizeof h->repo_uuid, text, "REPO_UUID");
        field(h->repo_alias, sizeof h->repo_alias, text, "REPO_ALIAS");
        free(text);
        return;
    }
    for (size_t i = 0; i < sizeof real_sb_offsets / sizeof *real_sb_offsets; i++) {
        size_t off = (size_t)real_sb_offsets[i];
        if (off + strlen(REAL_SIGNATURE) <= n && !memcmp(bytes + off, REAL_SIGNATURE, strlen(REAL_SIGNATURE)))
            h->state = LUN_OTHER_FS;
    }
}

/* A job's call fails the job the usual way; a call without one reports in *err. */
static agent_ctx *lun_ctx(agent_ctx *c, engine *e, job *j, const lun_io *io, char **err)
{
    return j ? agent_job(c, j, &io->t) : agent_try(c, e, &io->t, err);
}

int ocfs2_read_header(engine *e, job *j, const lun_io *io, lun_header *h, char **err)
{
    xr_value *res = NULL;
    agent_ctx c;
    int rc = agent_storage_plugin_readBlocks(lun_ctx(&c, e, j, io, err), io->impl, io->ss, io->se, 0, PROBE_LEN,
                                             &res);
    if (rc != AGC_OK) {
        xr_free(res);
        return -1;
    }
    size_t n = 0;
    const char *hex = xr_get_str(res);
    char *bytes = hex ? unhex(hex, &n) : NULL;
    xr_free(res);
    if (!bytes) {
        static const char garbled[] = "the agent's read of the LUN is not hexadecimal";
        if (j)
            job_fail(j, "Job failed on Server %s: %s", io->t.name, garbled);
        else
            *err = xstrdup(garbled);
        return -1;
    }
    parse(bytes, n, h);
    free(bytes);
    return 0;
}

/* Copies s into the header, newlines and '=' out, so that one field stays one line. */
static void add_field(strbuf *sb, const char *key, const char *s)
{
    sb_addf(sb, "%s=", key);
    for (; s && *s; s++)
        sb_addf(sb, "%c", *s == '\n' || *s == '\r' ? ' ' : *s);
    sb_addf(sb, "\n");
}

int ocfs2_write_header(engine *e, job *j, const lun_io *io, const lun_header *h, char **err)
{
    strbuf sb = STRBUF_INIT;
    if (h->state == LUN_OURS) {
        sb_addf(&sb, "%s", OCFS2_MAGIC);
        add_field(&sb, "FS_UUID", h->fs_uuid);
        add_field(&sb, "FS_LABEL", h->fs_label);
        add_field(&sb, "MGR_UUID", h->mgr_uuid);
        add_field(&sb, "REPO_UUID", h->repo_uuid);
        add_field(&sb, "REPO_ALIAS", h->repo_alias);
    } else {
        sb_addf(&sb, "%s", OCFS2_WIPED);
    }
    size_t len = 0;
    char *text = sb_detach(&sb, &len);
    /* The rest of the header block is overwritten too: no old field survives. */
    char *block = xmalloc(OCFS2_HDR_LEN + 1);
    memset(block, '\n', OCFS2_HDR_LEN);
    memcpy(block, text, len < OCFS2_HDR_LEN ? len : OCFS2_HDR_LEN);
    block[OCFS2_HDR_LEN] = '\0';
    free(text);
    agent_ctx c;
    int rc = agent_storage_plugin_writeBlocks(lun_ctx(&c, e, j, io, err), io->impl, io->ss, io->se, 0, block, NULL);
    free(block);
    return rc == AGC_OK ? 0 : -1;
}

void ocfs2_header_of(engine *e, const obj *fs, const char *repo_id, const char *repo_alias, lun_header *h)
{
    memset(h, 0, sizeof *h);
    h->state = LUN_OURS;
    snprintf(h->fs_uuid, sizeof h->fs_uuid, "%s", fs->id);
    snprintf(h->fs_label, sizeof h->fs_label, "%s", fs->name);
    snprintf(h->mgr_uuid, sizeof h->mgr_uuid, "%s", e->manager_id);
    snprintf(h->repo_uuid, sizeof h->repo_uuid, "%s", repo_id ? repo_id : "");
    snprintf(h->repo_alias, sizeof h->repo_alias, "%s", repo_id && repo_alias ? repo_alias : "");
}
