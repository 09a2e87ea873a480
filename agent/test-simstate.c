/* Unit tests of the sim's incremental persistence (agent/sim_persist.c):
 * one domain's change writes a bounded number of bytes whatever the number
 * of running domains, a restart loads exactly the state that was saved, and
 * a state directory of the old one-document layout is migrated.
 * Byte counts come from sim->saved_bytes, not from timing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "agent/sim.h"
#include "lib/util.h"

#define NDOMS 300
/* One domain file (a few hundred bytes) plus agent-state.xml (about 1 KB). */
#define ONE_CHANGE_MAX 4096

struct fixture {
    char dir[64];
    struct agent_config cfg;
    struct sim *s;
};

static struct sim *open_sim(struct fixture *f)
{
    f->s = sim_open(&f->cfg, "pw");
    assert_non_null(f->s);
    return f->s;
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/ovm-simstate.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->cfg.listen = "127.0.0.1";
    f->cfg.port = 8899;
    f->cfg.state_dir = f->dir;
    f->cfg.memory_mb = 1 << 30;
    f->cfg.cpus = 8;
    f->cfg.nfs_size_gb = 1;
    open_sim(f);
    char *vms = xasprintf("%s/OVS/Repositories/r1/VirtualMachines", f->dir);
    assert_int_equal(ovm_mkdir_p(vms, 0755), 0);
    free(vms);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sim_close(f->s);
    sim_rm_rf(f->dir);
    free(f);
    return 0;
}

/* Calls method(args...) through the dispatcher and asserts success. */
static void call(struct sim *s, const char *method, int n, ...)
{
    xr_value *params = xr_array();
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        xr_array_add(params, va_arg(ap, xr_value *));
    va_end(ap);
    size_t len;
    char *doc = dispatch_call(s, method, params, 1, &len);
    xr_free(params);
    xr_value *res = NULL;
    int code = 0;
    char *fault = NULL, err[128] = "";
    int rc = xr_decode_response(doc, len, &res, &code, &fault, err, sizeof err);
    if (rc != 0)
        fail_msg("%s: %s", method, fault ? fault : err);
    free(doc);
    free(fault);
    xr_free(res);
}

static void vm_id(int i, char *buf, size_t len)
{
    snprintf(buf, len, "0004fb0000060000%016x", i);
}

static void create_and_start(struct sim *s, int i)
{
    char id[40];
    vm_id(i, id, sizeof id);
    xr_value *cfg = xr_struct();
    xr_struct_set(cfg, "memory", xr_int(16));
    xr_struct_set(cfg, "vcpus", xr_int(1));
    call(s, "create_vm", 3, xr_string("r1"), xr_string(id), cfg);
    call(s, "start_vm", 2, xr_string("r1"), xr_string(id));
}

/* The state as one canonical document: host part, then every domain by id. */
static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *canon(const xr_value *st)
{
    xr_value *copy = xr_copy(st);
    sim_struct_del(copy, "domains");
    strbuf sb = STRBUF_INIT;
    char *host = xr_encode_response(copy, NULL);
    sb_addf(&sb, "%s", host);
    free(host);
    xr_free(copy);
    const xr_value *doms = xr_struct_get(st, "domains");
    char **keys = xcalloc(doms->n + 1, sizeof *keys);
    for (size_t i = 0; i < doms->n; i++)
        keys[i] = doms->keys[i];
    qsort(keys, doms->n, sizeof *keys, by_str);
    for (size_t i = 0; i < doms->n; i++) {
        char *d = xr_encode_response(xr_struct_get(doms, keys[i]), NULL);
        sb_addf(&sb, "%s=%s\n", keys[i], d);
        free(d);
    }
    free(keys);
    return sb.buf;
}

static size_t count_files(const char *dir)
{
    char *cmd = xasprintf("ls -A '%s/domains' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    free(cmd);
    size_t n = 0;
    assert_non_null(p);
    assert_int_equal(fscanf(p, "%zu", &n), 1);
    pclose(p);
    return n;
}

static void one_change_is_o1(void **state)
{
    struct fixture *f = *state;
    struct sim *s = f->s;
    create_and_start(s, 0);
    size_t first = s->saved_bytes;
    assert_true(first > 0 && first < ONE_CHANGE_MAX);
    for (int i = 1; i < NDOMS; i++)
        create_and_start(s, i);
    size_t last = s->saved_bytes;
    /* The same cost at NDOMS domains as at one, give or take digits. */
    assert_true(last < ONE_CHANGE_MAX);
    assert_true(last <= first + 64);
    char id[40];
    vm_id(NDOMS / 2, id, sizeof id);
    call(s, "pause_vm", 2, xr_string("r1"), xr_string(id));
    assert_true(s->saved_bytes > 0 && s->saved_bytes < ONE_CHANGE_MAX);
    call(s, "stop_vm", 2, xr_string("r1"), xr_string(id));
    assert_true(s->saved_bytes < ONE_CHANGE_MAX);
    /* The whole state is far bigger than what one change wrote. */
    size_t whole;
    free(xr_encode_response(s->st, &whole));
    assert_true(whole > 50 * ONE_CHANGE_MAX);
    assert_int_equal(count_files(f->dir), NDOMS - 1);
}

static void restart_loads_the_same(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 20; i++)
        create_and_start(f->s, i);
    char id[40];
    vm_id(3, id, sizeof id);
    call(f->s, "reboot_vm", 2, xr_string("r1"), xr_string(id));
    vm_id(4, id, sizeof id);
    call(f->s, "stop_vm", 2, xr_string("r1"), xr_string(id));
    vm_id(5, id, sizeof id);
    call(f->s, "send_to_guest", 3, xr_string("r1"), xr_string(id), xr_string("hello"));
    char *before = canon(f->s->st);
    sim_close(f->s);
    open_sim(f);
    char *after = canon(f->s->st);
    assert_string_equal(before, after);
    assert_non_null(strstr(after, "hello"));
    free(before);
    free(after);
    /* sim_crash loses every domain, on disk too */
    call(f->s, "sim_crash", 0);
    assert_int_equal(count_files(f->dir), 0);
    sim_close(f->s);
    open_sim(f);
    assert_int_equal(xr_struct_get(f->s->st, "domains")->n, 0);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void migrates_old_layout(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 10; i++)
        create_and_start(f->s, i);
    char *before = canon(f->s->st);
    /* The old layout: everything, domains too, in agent-state.xml; plus a
     * stray domain file and a temporary file of an interrupted write. */
    char *old = xr_encode_response(f->s->st, NULL);
    sim_close(f->s);
    f->s = NULL;
    char *path = xasprintf("%s/agent-state.xml", f->dir);
    write_file(path, old);
    char *stray = xasprintf("%s/domains/gone.xml", f->dir);
    write_file(stray, "<?xml version=\"1.0\"?><methodResponse><params><param><value><array><data>"
                      "<value><string>gone</string></value><value><struct></struct></value>"
                      "</data></array></value></param></params></methodResponse>");
    char *tmp = xasprintf("%s/domains/x.xml.tmp.123", f->dir);
    write_file(tmp, "partial");
    open_sim(f);
    char *after = canon(f->s->st);
    assert_string_equal(before, after);
    assert_int_equal(count_files(f->dir), 10);
    char *text = ovm_read_file(path, NULL);
    assert_non_null(text);
    assert_null(strstr(text, "0004fb0000060000")); /* no domain left in it */
    sim_close(f->s);
    open_sim(f);
    free(after);
    after = canon(f->s->st);
    assert_string_equal(before, after);
    free(text);
    free(tmp);
    free(stray);
    free(path);
    free(old);
    free(before);
    free(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(one_change_is_o1, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_loads_the_same, setup, teardown),
        cmocka_unit_test_setup_teardown(migrates_old_layout, setup, teardown),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
