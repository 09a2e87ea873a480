# Real QEMU guests (TCG) under session-mode libvirtd hosts started by the
# tests themselves (tests/lib/libvirt.sh); skipped where libvirt, QEMU or
# root are missing.
LIBVIRT_E2E_TESTS = tests/e2e/libvirt-harness.sh tests/e2e/libvirt-workflow.sh tests/e2e/libvirt-monitor.sh tests/e2e/libvirt-bridges.sh \
	tests/e2e/libvirt-demo.sh
TESTS += $(LIBVIRT_E2E_TESTS)
EXTRA_DIST += $(LIBVIRT_E2E_TESTS) tests/lib/libvirt.sh tests/guest/boot.S \
	tools/demo-libvirt.sh
# The QEMU capability probe kept for the hosts of later tests.
CLEANFILES += tests/libvirt-caps.tar
