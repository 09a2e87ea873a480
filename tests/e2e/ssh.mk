# tests/e2e SSH front end tests: the real OpenSSH client, sshpass and expect
# against shell/sshd-standalone (or ovmd) on 127.0.0.1; helpers in ssh-lib.sh.
SSH_E2E_TESTS = tests/e2e/ssh-exec.sh
TESTS += $(SSH_E2E_TESTS)
EXTRA_DIST += $(SSH_E2E_TESTS) tests/e2e/ssh-lib.sh
