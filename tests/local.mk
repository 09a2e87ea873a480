# Tests: every program here prints TAP; each area owns one fragment.
include $(top_srcdir)/tests/fuzz/fuzz.mk
include $(top_srcdir)/tests/unit/grammar.mk
include $(top_srcdir)/tests/unit/xmlrpc.mk
include $(top_srcdir)/tests/unit/render.mk
include $(top_srcdir)/tests/unit/store.mk
include $(top_srcdir)/tests/unit/docs.mk
include $(top_srcdir)/tests/e2e/agent.mk
include $(top_srcdir)/tests/golden/golden.mk
include $(top_srcdir)/tests/e2e/ssh.mk
include $(top_srcdir)/tests/e2e/engine.mk
include $(top_srcdir)/tests/e2e/files.mk
include $(top_srcdir)/tests/e2e/rules-infra.mk
include $(top_srcdir)/tests/e2e/rules-vm.mk
include $(top_srcdir)/tests/e2e/trust.mk
include $(top_srcdir)/tests/e2e/ha.mk
include $(top_srcdir)/tests/e2e/safety.mk
include $(top_srcdir)/tests/e2e/netns.mk
