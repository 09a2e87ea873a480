# tests/e2e engine tests: ovmsh -> real ovmd -> real ovm-agentd processes on
# 127.0.0.2-4, checked in list/show and on the agent side.
ENGINE_E2E_TESTS = tests/e2e/tier1-workflow.sh tests/e2e/crash-recovery.sh tests/e2e/agent-misbehaves.sh tests/e2e/ovmsh-client.sh tests/e2e/demo.sh tests/e2e/demo-failures.sh tests/e2e/demo-fresh-clone.sh tests/e2e/progress-cancel.sh tests/e2e/rules-net-n13.sh tests/e2e/events.sh \
	tests/e2e/jobs-backpressure.sh tests/e2e/create-spread.sh tests/e2e/imports.sh \
	tests/e2e/san-iscsi.sh tests/e2e/san-masking.sh tests/e2e/ocfs2-repos.sh tests/e2e/clone-pd.sh tests/e2e/storage-workflow.sh \
	tests/e2e/appliances.sh
TESTS += $(ENGINE_E2E_TESTS)
EXTRA_DIST += $(ENGINE_E2E_TESTS) tests/lib/ovmd.sh tests/lib/fleet.sh tests/lib/loopback.sh tests/lib/tgt.sh tests/lib/cli.sh

# Documentation agrees with the parsers: every ovmd.yaml key and ovmd option.
TESTS += tests/unit/test-man-keys.sh
EXTRA_DIST += tests/unit/test-man-keys.sh
