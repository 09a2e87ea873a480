# tests/e2e SSH front end tests: the real OpenSSH client, sshpass and expect
# against shell/sshd-standalone on 127.0.0.1 and a free port (helpers and
# the engine choice in ssh-lib.sh).
SSH_E2E_TESTS = tests/e2e/ssh-exec.sh tests/e2e/ssh-auth.sh tests/e2e/ssh-expect.sh \
	tests/e2e/ssh-concurrent.sh tests/e2e/ssh-ovmd.sh tests/e2e/ssh-preauth.sh \
	tests/e2e/ssh-huge-line.sh tests/e2e/ssh-throttle.sh tests/e2e/ssh-log-hygiene.sh \
	tests/e2e/ssh-privsep.sh
TESTS += $(SSH_E2E_TESTS)
EXTRA_DIST += $(SSH_E2E_TESTS) tests/e2e/ssh-lib.sh tests/e2e/ssh-flood.py \
	tests/e2e/ssh-log-hygiene.py

# Unit tests of the pure parts (config keys, hashing, from=, lockout).
check_PROGRAMS += shell/test-sshd-config
shell_test_sshd_config_SOURCES = shell/sshd/test-sshd-config.c
shell_test_sshd_config_CFLAGS = $(AM_CFLAGS) $(SSH_CFLAGS) $(CMOCKA_CFLAGS)
shell_test_sshd_config_LDADD = $(SSHD_LDADD) $(CMOCKA_LIBS)
TESTS += shell/test-sshd-config
