# tests/e2e crash safety, backups and secrets (issue 4): SIGKILL at named
# crash points (OVMD_CRASH_AT), scheduled store backups and ovmd --restore,
# and the search for leaked secrets after a full workflow.
SAFETY_E2E_TESTS = tests/e2e/crash-points.sh tests/e2e/backup.sh tests/e2e/secrets.sh
TESTS += $(SAFETY_E2E_TESTS)
EXTRA_DIST += $(SAFETY_E2E_TESTS)
TESTS += tests/e2e/hostile-agent.sh
EXTRA_DIST += tests/e2e/hostile-agent.sh tests/e2e/hostile-agent.py
