# tests/e2e rules-vm: the Tier 1 Vm rules of doc/object-model.md §5.4-§6.15 end to end
# (ovmsh -> ovmd -> ovm-agentd sims), one TAP line per checked rule case.
RULES_VM_TESTS = tests/e2e/rules-vm-states.sh tests/e2e/rules-vm-create.sh \
	tests/e2e/rules-vm-placement.sh tests/e2e/rules-vm-clone.sh tests/e2e/rules-vm-more.sh tests/e2e/rules-vm-vnics.sh \
	tests/e2e/rules-vm-messages.sh
TESTS += $(RULES_VM_TESTS)
EXTRA_DIST += $(RULES_VM_TESTS) tests/e2e/rules-vm-lib.sh
# issue 11: clone customizers, moveVmToRepository and the clone verbs (agents on 127.0.62.x)
TESTS += tests/e2e/clone-customizer.sh
EXTRA_DIST += tests/e2e/clone-customizer.sh
# issue 12 item 5: statistics with history (agents on 127.0.70.x)
TESTS += tests/e2e/stats.sh
EXTRA_DIST += tests/e2e/stats.sh
# issue 12 item 2: PeriodicTask (no agents)
TESTS += tests/e2e/periodic.sh
EXTRA_DIST += tests/e2e/periodic.sh
# issue 12 item 4: the DRS policy (agents on 127.0.70.x)
TESTS += tests/e2e/policies.sh
EXTRA_DIST += tests/e2e/policies.sh
# issue 12 item 1: network policies of DRS (agents on 127.0.75.x)
TESTS += tests/e2e/netpolicy.sh
EXTRA_DIST += tests/e2e/netpolicy.sh
