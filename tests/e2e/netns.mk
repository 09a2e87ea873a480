# HA failover with a host cut off by the network: one agent in a network
# namespace behind a veth pair (needs root; skipped otherwise).
NETNS_E2E_TESTS = tests/e2e/ha-netns.sh
TESTS += $(NETNS_E2E_TESTS)
EXTRA_DIST += $(NETNS_E2E_TESTS)
