# tests/e2e trust tests: the Manager CA, ownership with mutual TLS, refused
# certificates both ways, release, TLS 1.1 refused (doc/agent-protocol.md §4).
TRUST_E2E_TESTS = tests/e2e/trust.sh
TESTS += $(TRUST_E2E_TESTS)
EXTRA_DIST += $(TRUST_E2E_TESTS)
