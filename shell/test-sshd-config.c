/* Unit tests of the SSH front end's pure parts: ovmd.yaml keys, password
 * hashing, from= patterns and the lockout table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "shell/ssh_keys.h"
#include "shell/ssh_lockout.h"
#include "shell/sshd.h"

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

static void test_lockout(void **state)
{
    ssh_lockout *l = ssh_lockout_new(2);
    assert_non_null(l);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ssh_lockout_fail(l, 0, 5, 30), 0);
    ssh_lockout_success(l, 0); /* resets: failures must be consecutive */
    for (int i = 0; i < 4; i++)
        assert_int_equal(ssh_lockout_fail(l, 0, 5, 30), 0);
    assert_int_equal(ssh_lockout_remaining(l, 0), 0);
    assert_int_equal(ssh_lockout_fail(l, 0, 5, 30), 1);
    long left = ssh_lockout_remaining(l, 0);
    assert_true(left > 29 * 60 && left <= 30 * 60);
    assert_int_equal(ssh_lockout_remaining(l, 1), 0);
    assert_int_equal(ssh_lockout_fail(l, 1, 0, 30), 0); /* 0 disables */
    assert_int_equal(ssh_lockout_remaining(l, 1), 0);
    assert_int_equal(ssh_lockout_remaining(l, 7), 0); /* out of range */
    ssh_lockout_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),      cmocka_unit_test(test_apply_keys),
        cmocka_unit_test(test_users),         cmocka_unit_test(test_passwords),
        cmocka_unit_test(test_from_patterns), cmocka_unit_test(test_lockout),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
