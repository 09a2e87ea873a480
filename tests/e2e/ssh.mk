# tests/e2e SSH front end tests: the real OpenSSH client, sshpass and expect
# against shell/sshd-standalone on 127.0.0.1 and a free port (helpers and
# the engine choice in ssh-lib.sh).
SSH_E2E_TESTS = tests/e2e/ssh-exec.sh tests/e2e/ssh-auth.sh tests/e2e/ssh-expect.sh \
	tests/e2e/ssh-concurrent.sh
TESTS += $(SSH_E2E_TESTS)
EXTRA_DIST += $(SSH_E2E_TESTS) tests/e2e/ssh-lib.sh
