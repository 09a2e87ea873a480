# tests/e2e rules-infra: Tier 1 server, pool, repository and disk rules of
# doc/object-model.md that need the agent side or a second Manager. The golden
# transcripts tests/golden/rules-infra-*.in run with tests/golden/run.sh.
RULES_INFRA_TESTS = tests/e2e/rules-infra-agent.sh
TESTS += $(RULES_INFRA_TESTS)
EXTRA_DIST += $(RULES_INFRA_TESTS)
# issue 12 item 1: bonds, VLAN interfaces, MTUs and IP configuration (agents on 127.0.67.x)
TESTS += tests/e2e/net-bonds-vlans.sh
EXTRA_DIST += tests/e2e/net-bonds-vlans.sh
