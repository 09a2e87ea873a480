# Server power through real IPMI (issue 12 item 2): OpenIPMI's ipmi_sim as the
# BMC of each simulated host (agents on 127.0.65.x, BMCs on 127.0.65.1x).
TESTS += tests/e2e/server-power.sh
EXTRA_DIST += tests/e2e/server-power.sh tests/lib/ipmi.sh tests/lib/ipmi-chassis.sh
# The DPM policy powering servers off and on through those BMCs (issue 12
# item 4; agents on 127.0.72.x, BMCs on 127.0.72.1x).
TESTS += tests/e2e/policies-dpm.sh
EXTRA_DIST += tests/e2e/policies-dpm.sh
