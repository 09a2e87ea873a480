# tests/e2e agent tests: real ovm-agentd processes on 127.0.0.2/127.0.0.3,
# driven with curl over HTTPS (helpers in tests/lib/agent.sh).
AGENT_E2E_TESTS = tests/e2e/agent-basic.sh tests/e2e/agent-lifecycle.sh tests/e2e/agent-faults.sh \
	tests/e2e/agent-relative-paths.sh tests/e2e/agent-port.sh
TESTS += $(AGENT_E2E_TESTS)
EXTRA_DIST += $(AGENT_E2E_TESTS) tests/lib/agent.sh tests/e2e/agent-slowloris.py
# The libvirt driver against a session libvirtd (skips without libvirt/QEMU).
TESTS += tests/e2e/agent-libvirt-smoke.sh
EXTRA_DIST += tests/e2e/agent-libvirt-smoke.sh
