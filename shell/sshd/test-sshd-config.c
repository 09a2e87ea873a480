/* Unit tests of the SSH front end's pure parts: ovmd.yaml keys, password
 * hashing, from= patterns, the password throttle and the startups table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "shell/sshd/ssh_keys.h"
#include "shell/sshd/ssh_lockout.h"
#include "shell/sshd/ssh_startups.h"
#include "shell/sshd/sshd.h"

static int apply(sshd_config *c, const char *k, const char *v)
{
    char *err = NULL;
    int rc = sshd_config_apply(c, k, v, &err);
    if (rc < 0)
        assert_non_null(err);
    free(err);
    return rc;
}

static void test_defaults(void **state)
{
    sshd_config c;
    sshd_config_defaults(&c);
    assert_int_equal(c.port, 10000);
    assert_int_equal(c.max_tries, 6);
    assert_int_equal(c.login_grace, 120);
    assert_int_equal(c.lockout_failures, 5);
    assert_int_equal(c.lockout_minutes, 30);
    assert_int_equal(c.unknown_hashes, 4);
    assert_int_equal(c.startups.start, 100);
    assert_int_equal(c.startups.rate, 30);
    assert_int_equal(c.startups.full, 300);
    assert_int_equal(c.startups.per_source, 60);
    assert_int_equal(c.enabled, 1);
    assert_null(c.listen);
    assert_non_null(sshd_config_user(&c, "admin"));
    assert_string_equal(sshd_config_user(&c, "admin")->hash, "");
    sshd_config_finish(&c, "/st", NULL);
    assert_string_equal(c.host_key_dir, "/st/ssh");
    assert_string_equal(c.authorized_keys, "/st/authorized_keys");
    assert_string_equal(c.engine_socket, "/st/engine.sock");
    sshd_config_free(&c);
}

static void test_apply_keys(void **state)
{
    sshd_config c;
    sshd_config_defaults(&c);
    assert_int_equal(apply(&c, "ssh.port", "2222"), 1);
    assert_int_equal(c.port, 2222);
    assert_int_equal(apply(&c, "ssh.port", "0"), -1);
    assert_int_equal(apply(&c, "ssh.port", "12x"), -1);
    assert_int_equal(apply(&c, "ssh.listen", "127.0.0.1:4000"), 1);
    assert_string_equal(c.listen, "127.0.0.1");
    assert_int_equal(c.port, 4000);
    assert_int_equal(apply(&c, "ssh.listen", "[::1]:4001"), 1);
    assert_string_equal(c.listen, "::1");
    assert_int_equal(c.port, 4001);
    assert_int_equal(apply(&c, "ssh.listen", "::"), 1);
    assert_string_equal(c.listen, "::");
    assert_int_equal(apply(&c, "ssh.listen", "1.2.3.4:99999"), -1);
    assert_int_equal(apply(&c, "ssh.enabled", "false"), 1);
    assert_int_equal(c.enabled, 0);
    assert_int_equal(apply(&c, "ssh.enabled", "maybe"), -1);
    assert_int_equal(apply(&c, "auth.max_tries", "3"), 1);
    assert_int_equal(c.max_tries, 3);
    assert_int_equal(apply(&c, "auth.max_tries", "0"), -1);
    assert_int_equal(apply(&c, "auth.login_grace_time", "0"), 1);
    assert_int_equal(apply(&c, "auth.lockout_failures", "0"), 1);
    assert_int_equal(apply(&c, "auth.lockout_minutes", "-1"), -1);
    assert_int_equal(apply(&c, "ssh.max_startups", "10:30:100"), 1);
    assert_int_equal(c.startups.full, 100);
    assert_int_equal(apply(&c, "ssh.max_startups", "10:30"), -1);
    assert_int_equal(c.startups.full, 100); /* a bad value changes nothing */
    assert_int_equal(apply(&c, "ssh.per_source_max_startups", "0"), 1);
    assert_int_equal(apply(&c, "auth.unknown_user_hashes", "0"), -1);
    assert_int_equal(apply(&c, "auth.authorized_keys", "/k/%u"), 1);
    assert_string_equal(c.authorized_keys, "/k/%u");
    assert_int_equal(apply(&c, "ssh.host_key_dir", ""), -1);
    assert_int_equal(apply(&c, "engine.workers", "4"), 0);
    assert_int_equal(apply(&c, "ssh.nonsense", "4"), 0);
    sshd_config_free(&c);
}

static void test_users(void **state)
{
    sshd_config c;
    sshd_config_defaults(&c);
    const char *h = "$6$saltsalt$0123456789abcdefghijklmnopqrstuvwxyz";
    assert_int_equal(apply(&c, "auth.users.ops", h), 1);
    assert_null(sshd_config_user(&c, "admin")); /* naming a user drops the default */
    assert_string_equal(sshd_config_user(&c, "ops")->hash, h);
    assert_int_equal(apply(&c, "auth.users.admin", ""), 1);
    assert_int_equal(c.nusers, 2);
    assert_int_equal(apply(&c, "auth.users.ops", "plaintext"), -1);
    assert_int_equal(apply(&c, "auth.users.bad name", h), -1);
    assert_int_equal(apply(&c, "auth.users.", h), -1);
    sshd_config_free(&c);
}

static void test_passwords(void **state)
{
    char *h = NULL;
    assert_int_equal(ovmd_hash_password("s3cret", &h), 0);
    assert_true(strncmp(h, "$y$", 3) == 0 || strncmp(h, "$6$", 3) == 0);
    assert_null(strstr(h, "s3cret"));
    assert_int_equal(ovmd_check_password("s3cret", h), 1);
    assert_int_equal(ovmd_check_password("s3creT", h), 0);
    assert_int_equal(ovmd_check_password("", h), 0);
    char *h2 = NULL;
    assert_int_equal(ovmd_hash_password("s3cret", &h2), 0);
    assert_string_not_equal(h, h2); /* salted */
    assert_int_equal(ovmd_check_password("s3cret", ""), 0);
    assert_int_equal(ovmd_check_password("s3cret", NULL), 0);
    free(h);
    free(h2);
}

static void test_from_patterns(void **state)
{
    assert_int_equal(ssh_keys_from_match("127.0.0.1", "127.0.0.1"), 1);
    assert_int_equal(ssh_keys_from_match("127.0.0.*", "127.0.0.9"), 1);
    assert_int_equal(ssh_keys_from_match("127.0.0.?", "127.0.0.19"), 0);
    assert_int_equal(ssh_keys_from_match("10.0.0.0/8,192.168.1.1", "10.200.3.4"), 1);
    assert_int_equal(ssh_keys_from_match("10.0.0.0/8", "11.0.0.1"), 0);
    assert_int_equal(ssh_keys_from_match("0.0.0.0/0", "8.8.8.8"), 1);
    assert_int_equal(ssh_keys_from_match("*,!127.0.0.2", "127.0.0.2"), 0);
    assert_int_equal(ssh_keys_from_match("!127.0.0.2,*", "127.0.0.1"), 1);
    assert_int_equal(ssh_keys_from_match("10.0.0.0/33", "10.0.0.1"), 0);
    assert_int_equal(ssh_keys_from_match("", "127.0.0.1"), 0);
}

/* A throttle table in a fresh temporary directory. */
static ssh_lockout *new_table(const ssh_lockout_policy *pol, char *dir, size_t len)
{
    snprintf(dir, len, "/tmp/test-throttle.XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[300];
    snprintf(path, sizeof path, "%s/t", dir);
    ssh_lockout *l = ssh_lockout_create(path, pol);
    assert_non_null(l);
    return l;
}

static void drop_table(ssh_lockout *l, const char *dir)
{
    char path[300];
    snprintf(path, sizeof path, "%s/t", dir);
    ssh_lockout_free(l);
    unlink(path);
    rmdir(dir);
}

static void test_throttle(void **state)
{
    ssh_lockout_policy pol = {5, 30 * 60, 4};
    char dir[64];
    ssh_lockout *l = new_table(&pol, dir, sizeof dir);
    for (int i = 0; i < 5; i++) /* the free failures */
        assert_int_equal(ssh_lockout_fail(l, "admin", "127.0.0.2"), 0);
    assert_int_equal(ssh_lockout_wait(l, "admin", "127.0.0.2"), 0);
    assert_int_equal(ssh_lockout_fail(l, "admin", "127.0.0.2"), 1); /* then 1 s, 2 s, 4 s ... */
    assert_int_equal(ssh_lockout_fail(l, "admin", "127.0.0.2"), 2);
    assert_int_equal(ssh_lockout_fail(l, "admin", "127.0.0.2"), 4);
    assert_true(ssh_lockout_wait(l, "admin", "127.0.0.2") >= 3);
    for (int i = 0; i < 20; i++)
        ssh_lockout_fail(l, "admin", "127.0.0.2");
    assert_int_equal(ssh_lockout_fail(l, "admin", "127.0.0.2"), 30 * 60); /* capped */
    /* The owner elsewhere, and other names from there, are untouched. */
    assert_int_equal(ssh_lockout_wait(l, "admin", "127.0.0.1"), 0);
    assert_int_equal(ssh_lockout_wait(l, "ops", "127.0.0.2"), 0);
    /* IPv6 counts by /64. */
    for (int i = 0; i < 6; i++)
        ssh_lockout_fail(l, "admin", i % 2 ? "2001:db8::1" : "2001:db8::2:3");
    assert_true(ssh_lockout_wait(l, "admin", "2001:db8::99") > 0);
    assert_int_equal(ssh_lockout_wait(l, "admin", "2001:db8:0:1::1"), 0);
    /* A success, and the local clear, release a pair. */
    ssh_lockout_success(l, "admin", "2001:db8::5");
    assert_int_equal(ssh_lockout_wait(l, "admin", "2001:db8::99"), 0);
    assert_int_equal(ssh_lockout_clear(l, "admin", NULL), 1);
    assert_int_equal(ssh_lockout_wait(l, "admin", "127.0.0.2"), 0);
    drop_table(l, dir);
}

static void test_throttle_shared(void **state)
{
    ssh_lockout_policy pol = {1, 60, 2};
    char dir[64], path[300];
    ssh_lockout *l = new_table(&pol, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/t", dir);
    ssh_lockout *other = ssh_lockout_attach(path); /* as ovmd --unthrottle does */
    assert_non_null(other);
    ssh_lockout_fail(l, "x", "10.0.0.1");
    ssh_lockout_fail(l, "x", "10.0.0.1");
    assert_true(ssh_lockout_wait(other, "x", "10.0.0.1") > 0);
    assert_int_equal(ssh_lockout_clear(other, NULL, "10.0.0.1"), 1);
    assert_int_equal(ssh_lockout_wait(l, "x", "10.0.0.1"), 0);
    ssh_lockout_free(other);
    /* The unknown-user budget: 2 a second, then none. */
    assert_int_equal(ssh_lockout_hash_token(l), 1);
    assert_int_equal(ssh_lockout_hash_token(l), 1);
    assert_int_equal(ssh_lockout_hash_token(l), 0);
    drop_table(l, dir);
    assert_null(ssh_lockout_attach(path)); /* no table: a clear error, not a crash */
}

static void test_throttle_off(void **state)
{
    ssh_lockout_policy pol = {0, 60, 4};
    char dir[64];
    ssh_lockout *l = new_table(&pol, dir, sizeof dir);
    for (int i = 0; i < 50; i++)
        assert_int_equal(ssh_lockout_fail(l, "admin", "127.0.0.2"), 0);
    assert_int_equal(ssh_lockout_wait(l, "admin", "127.0.0.2"), 0);
    drop_table(l, dir);
}

static void test_startups(void **state)
{
    ssh_startup_limits lim = {0, 0, 0, 2};
    assert_int_equal(ssh_startups_parse("10:30:100", &lim), 0);
    assert_int_equal(lim.start, 10);
    assert_int_equal(lim.rate, 30);
    assert_int_equal(lim.full, 100);
    assert_int_equal(ssh_startups_parse("7", &lim), 0);
    assert_int_equal(lim.start, 7);
    assert_int_equal(lim.full, 7);
    assert_int_equal(ssh_startups_parse("10:30:5", &lim), -1); /* start > full */
    assert_int_equal(ssh_startups_parse("10:101:20", &lim), -1);
    assert_int_equal(ssh_startups_parse("0", &lim), -1);
    assert_int_equal(ssh_startups_parse("1:2", &lim), -1);
    assert_int_equal(ssh_startups_parse("-1:0:3", &lim), -1);
    assert_int_equal(ssh_startups_parse("2:50:4", &lim), 0);
    ssh_startups *t = ssh_startups_new(&lim);
    assert_non_null(t);
    int p[4][2];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pipe(p[i]), 0);
    assert_int_equal(ssh_startups_admit(t, "10.0.0.1", 0), SU_ACCEPT);
    assert_int_equal(ssh_startups_add(t, "10.0.0.1", p[0][0]), 0);
    assert_int_equal(ssh_startups_add(t, "10.0.0.1", p[1][0]), 0);
    assert_int_equal(ssh_startups_admit(t, "10.0.0.1", 99), SU_PER_SOURCE);
    /* 2 of full 4: from start on, rate% (50) rising to 100%. */
    assert_int_equal(ssh_startups_admit(t, "10.0.0.2", 49), SU_EARLY_DROP);
    assert_int_equal(ssh_startups_admit(t, "10.0.0.2", 50), SU_ACCEPT);
    assert_int_equal(ssh_startups_add(t, "10.0.0.2", p[2][0]), 0);
    assert_int_equal(ssh_startups_admit(t, "10.0.0.3", 74), SU_EARLY_DROP);
    assert_int_equal(ssh_startups_admit(t, "10.0.0.3", 75), SU_ACCEPT);
    assert_int_equal(ssh_startups_add(t, "10.0.0.3", p[3][0]), 0);
    assert_int_equal(ssh_startups_admit(t, "10.0.0.4", 99), SU_FULL);
    assert_int_equal(ssh_startups_count(t), 4);
    /* A login (one byte) and an exit (EOF) both free the entry. */
    assert_int_equal(write(p[0][1], "A", 1), 1);
    assert_int_equal(ssh_startups_event(t, p[0][0]), 1);
    close(p[1][1]);
    assert_int_equal(ssh_startups_event(t, p[1][0]), 0);
    assert_int_equal(ssh_startups_count(t), 2);
    assert_int_equal(ssh_startups_count_from(t, "10.0.0.1"), 0);
    struct pollfd pf[8];
    assert_int_equal(ssh_startups_pollfds(t, pf, 8), 2);
    ssh_startups_free(t);
    close(p[0][1]), close(p[2][1]), close(p[3][1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),      cmocka_unit_test(test_apply_keys),
        cmocka_unit_test(test_users),         cmocka_unit_test(test_passwords),
        cmocka_unit_test(test_from_patterns), cmocka_unit_test(test_throttle),
        cmocka_unit_test(test_throttle_shared), cmocka_unit_test(test_throttle_off),
        cmocka_unit_test(test_startups),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
