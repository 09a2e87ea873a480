# tests/unit registry test: every grammar form bound to exactly one engine
# operation or refused by the grammar (backend/ops/registry.c).
check_PROGRAMS += tests/unit/test-registry
TESTS += tests/unit/test-registry
tests_unit_test_registry_SOURCES = tests/unit/test-registry.c
tests_unit_test_registry_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_registry_LDADD = $(ENGINE_LIBS) $(CMOCKA_LIBS)
