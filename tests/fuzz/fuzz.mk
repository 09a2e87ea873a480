# fuzz targets: built with --enable-fuzzers; corpora replayed by replay-* in make check
# (lexer/parser in tests/unit/grammar.mk, xmlrpc in tests/unit/xmlrpc.mk; the
# targets below cover the config loader, authorized_keys, the agent's XML-RPC
# dispatch and the discovery documents). See tests/fuzz/FUZZING.md.
# The sources under test are compiled into each target (not linked from the
# libraries) so that a fuzzer build instruments them.
fuzz_config_src = tests/fuzz/fuzz-config.c backend/daemon/config.c shell/sshd/sshd_config.c shell/sshd/ssh_startups.c
fuzz_config_cflags = $(AM_CFLAGS) $(YAML_CFLAGS) $(SSH_CFLAGS) $(CURL_CFLAGS) $(SQLITE_CFLAGS)
fuzz_config_ldadd = lib/libovm.a $(YAML_LIBS) $(SSH_LIBS) $(CRYPT_LIBS) $(XML_LIBS)
fuzz_discover_src = tests/fuzz/fuzz-discover.c backend/flows/discover.c
fuzz_discover_cflags = $(AM_CFLAGS) $(XML_CFLAGS)
fuzz_discover_ldadd = lib/libovm.a $(XML_LIBS)
fuzz_authkeys_src = tests/fuzz/fuzz-authkeys.c shell/sshd/ssh_keys.c
fuzz_authkeys_cflags = $(AM_CFLAGS) $(SSH_CFLAGS)
fuzz_authkeys_ldadd = lib/libovm.a $(SSH_LIBS) $(XML_LIBS)
fuzz_agent_src = tests/fuzz/fuzz-agent-dispatch.c agent/dispatch.c agent/faults.c agent/vmcfg.c \
	agent/sim_state.c agent/sim_persist.c agent/sim_host.c agent/sim_net.c agent/sim_netload.c agent/sim_pool.c agent/sim_repo.c agent/sim_export.c agent/sim_storage.c agent/import.c \
	agent/san.c agent/san_methods.c agent/san_tgt.c agent/san_tgt_acl.c agent/san_copy.c \
	agent/sim_vm.c agent/sim_domain.c agent/sim_migrate.c agent/sim_cluster.c \
	agent/sim_update.c agent/yum.c agent/yum_gpg.c agent/yum.h agent/rpmver.c agent/rpmver.h \
	agent/driver.c agent/drv_sim.c agent/vm_lifecycle.c \
	agent/appliance.c agent/ova_disk.c agent/ova_export.c agent/ovf.c agent/ustar.c
fuzz_agent_cflags = $(AM_CFLAGS) $(CURL_CFLAGS) $(ISCSI_CFLAGS) $(XML_CFLAGS)
fuzz_agent_ldadd = lib/libovm.a $(CURL_LIBS) $(ISCSI_LIBS) $(OPENSSL_LIBS) $(ZLIB_LIBS) $(XML_LIBS) $(PTHREAD_LIBS)

check_PROGRAMS += tests/fuzz/replay-config tests/fuzz/replay-discover \
	tests/fuzz/replay-authkeys tests/fuzz/replay-agent-dispatch
tests_fuzz_replay_config_SOURCES = $(fuzz_config_src) tests/fuzz/replay-main.c
tests_fuzz_replay_config_CFLAGS = $(fuzz_config_cflags)
tests_fuzz_replay_config_LDADD = $(fuzz_config_ldadd)
tests_fuzz_replay_discover_SOURCES = $(fuzz_discover_src) tests/fuzz/replay-main.c
tests_fuzz_replay_discover_CFLAGS = $(fuzz_discover_cflags)
tests_fuzz_replay_discover_LDADD = $(fuzz_discover_ldadd)
tests_fuzz_replay_authkeys_SOURCES = $(fuzz_authkeys_src) tests/fuzz/replay-main.c
tests_fuzz_replay_authkeys_CFLAGS = $(fuzz_authkeys_cflags)
tests_fuzz_replay_authkeys_LDADD = $(fuzz_authkeys_ldadd)
tests_fuzz_replay_agent_dispatch_SOURCES = $(fuzz_agent_src) tests/fuzz/replay-main.c
tests_fuzz_replay_agent_dispatch_CFLAGS = $(fuzz_agent_cflags)
tests_fuzz_replay_agent_dispatch_LDADD = $(fuzz_agent_ldadd)

TESTS += tests/fuzz/replay-corpora.sh
EXTRA_DIST += tests/fuzz/replay-corpora.sh tests/fuzz/FUZZING.md tests/fuzz/corpus/config \
	tests/fuzz/corpus/discover tests/fuzz/corpus/authkeys tests/fuzz/corpus/agent-dispatch

if FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-config tests/fuzz/fuzz-discover tests/fuzz/fuzz-authkeys \
	tests/fuzz/fuzz-agent-dispatch
tests_fuzz_fuzz_config_SOURCES = $(fuzz_config_src)
tests_fuzz_fuzz_config_CFLAGS = $(fuzz_config_cflags) -fsanitize=fuzzer
tests_fuzz_fuzz_config_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_config_LDADD = $(fuzz_config_ldadd)
tests_fuzz_fuzz_discover_SOURCES = $(fuzz_discover_src)
tests_fuzz_fuzz_discover_CFLAGS = $(fuzz_discover_cflags) -fsanitize=fuzzer
tests_fuzz_fuzz_discover_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_discover_LDADD = $(fuzz_discover_ldadd)
tests_fuzz_fuzz_authkeys_SOURCES = $(fuzz_authkeys_src)
tests_fuzz_fuzz_authkeys_CFLAGS = $(fuzz_authkeys_cflags) -fsanitize=fuzzer
tests_fuzz_fuzz_authkeys_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_authkeys_LDADD = $(fuzz_authkeys_ldadd)
tests_fuzz_fuzz_agent_dispatch_SOURCES = $(fuzz_agent_src)
tests_fuzz_fuzz_agent_dispatch_CFLAGS = $(fuzz_agent_cflags) -fsanitize=fuzzer
tests_fuzz_fuzz_agent_dispatch_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_agent_dispatch_LDADD = $(fuzz_agent_ldadd)
endif
