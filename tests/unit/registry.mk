# tests/unit registry and layer tests. The registry: every grammar form bound to exactly one engine
# operation or refused by the grammar (backend/ops/registry.c).
check_PROGRAMS += tests/unit/test-registry
TESTS += tests/unit/test-registry
tests_unit_test_registry_SOURCES = tests/unit/test-registry.c
tests_unit_test_registry_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_registry_LDADD = $(ENGINE_LIBS) $(CMOCKA_LIBS)

# The layers of the tree: include rules between folders, SQL only in the
# store, the scheduler and job names, file and function sizes (the rules are
# data: tests/unit/layers.rules).
TESTS += tests/unit/test-layers.sh
EXTRA_DIST += tests/unit/test-layers.sh tests/unit/layers.rules
