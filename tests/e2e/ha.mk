# Clustered pools, HA and maintenance evacuation against real ovmd and agents.
HA_E2E_TESTS = tests/e2e/ha-failover.sh tests/e2e/ha-maintenance.sh tests/e2e/ha-maintenance-flows.sh \
	tests/e2e/monitor-stale-poll.sh
TESTS += $(HA_E2E_TESTS)
EXTRA_DIST += $(HA_E2E_TESTS) tests/e2e/ha-lib.sh bench/failover.sh
