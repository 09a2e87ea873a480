# tests/unit lib tests (util paths, conftab, text, session framing) and xmlrpc tests: the codec (lib/xmlrpc*.c), the engine's agent client
# (backend/agentc/agentc.c, built in directly until the engine links it) and the
# replay of the XML-RPC fuzz corpus.
check_PROGRAMS += tests/unit/test-xmlrpc tests/unit/test-agentc
TESTS += tests/unit/test-xmlrpc tests/unit/test-agentc

tests_unit_test_xmlrpc_SOURCES = tests/unit/test-xmlrpc.c
tests_unit_test_xmlrpc_CFLAGS = $(AM_CFLAGS) $(XML_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_xmlrpc_LDADD = lib/libovm.a $(XML_LIBS) $(CMOCKA_LIBS) $(PTHREAD_LIBS)

tests_unit_test_agentc_SOURCES = tests/unit/test-agentc.c backend/agentc/agentc.c backend/agentc/agentc.h \
	backend/agentc/agentc_impl.h backend/agentc/agentc_tls.c backend/agentc/agentc_outcome.c \
	backend/agentc/agentapi.c backend/agentc/agentapi.h
tests_unit_test_agentc_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(OPENSSL_CFLAGS) $(MHD_CFLAGS) \
	$(XML_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_agentc_LDADD = lib/libovm.a $(MHD_LIBS) $(CURL_LIBS) $(OPENSSL_LIBS) \
	$(XML_LIBS) $(PTHREAD_LIBS) $(CMOCKA_LIBS)

# Fuzz target: replayed over its seed corpus by make check; a real libFuzzer
# binary with --enable-fuzzers.
FUZZ_XMLRPC_SRC = tests/fuzz/fuzz-xmlrpc.c
check_PROGRAMS += tests/fuzz/replay-xmlrpc
tests_fuzz_replay_xmlrpc_SOURCES = $(FUZZ_XMLRPC_SRC) tests/fuzz/replay-main.c
tests_fuzz_replay_xmlrpc_LDADD = lib/libovm.a $(XML_LIBS) $(PTHREAD_LIBS)

# The replay needs the corpus directory as argument; this generated wrapper
# passes it so that the test runs under the .sh TAP driver (the .sh.log rule
# depends on it, so make builds it before running it).
TESTS += tests/fuzz/replay-xmlrpc.sh
CLEANFILES += tests/fuzz/replay-xmlrpc.sh
EXTRA_DIST += tests/fuzz/corpus/xmlrpc
tests/fuzz/replay-xmlrpc.sh: $(top_srcdir)/tests/unit/xmlrpc.mk
	$(AM_V_GEN)$(MKDIR_P) tests/fuzz && \
	{ echo '#!/bin/sh'; \
	  echo 'exec "$${top_builddir:-.}/tests/fuzz/replay-xmlrpc" "$${top_srcdir:-$(abs_top_srcdir)}/tests/fuzz/corpus/xmlrpc"'; \
	} >$@.tmp && chmod +x $@.tmp && mv $@.tmp $@

if FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-xmlrpc
tests_fuzz_fuzz_xmlrpc_SOURCES = $(FUZZ_XMLRPC_SRC)
tests_fuzz_fuzz_xmlrpc_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_xmlrpc_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_xmlrpc_LDADD = lib/libovm.a $(XML_LIBS) $(PTHREAD_LIBS)
endif

# lib/util.c path helpers.
check_PROGRAMS += tests/unit/test-util-paths
TESTS += tests/unit/test-util-paths
tests_unit_test_util_paths_SOURCES = tests/unit/test-util-paths.c
tests_unit_test_util_paths_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_util_paths_LDADD = lib/libovm.a $(CMOCKA_LIBS) $(PTHREAD_LIBS)

# lib/conftab.c: configuration keys as data.
check_PROGRAMS += tests/unit/test-conftab
TESTS += tests/unit/test-conftab
tests_unit_test_conftab_SOURCES = tests/unit/test-conftab.c
tests_unit_test_conftab_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_conftab_LDADD = lib/libovm.a $(CMOCKA_LIBS) $(PTHREAD_LIBS)

# lib/text.c: refused code points, text from agents, log escaping.
check_PROGRAMS += tests/unit/test-text
TESTS += tests/unit/test-text
tests_unit_test_text_SOURCES = tests/unit/test-text.c
tests_unit_test_text_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_text_LDADD = lib/libovm.a $(XML_LIBS) $(CMOCKA_LIBS) $(PTHREAD_LIBS)

check_PROGRAMS += tests/unit/test-proto
TESTS += tests/unit/test-proto
tests_unit_test_proto_SOURCES = tests/unit/test-proto.c
tests_unit_test_proto_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_proto_LDADD = lib/libovm.a $(CMOCKA_LIBS) $(PTHREAD_LIBS)
