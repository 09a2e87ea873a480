# tests/unit store tests: the object store and the job queue of the engine
# (backend/libengine.a), each on a real sqlite file in a temporary directory;
# and the engine's count of jobs planned per server (server_load.c).
check_PROGRAMS += tests/unit/test-store tests/unit/test-jobs tests/unit/test-server-load
TESTS += tests/unit/test-store tests/unit/test-jobs tests/unit/test-server-load

tests_unit_test_store_SOURCES = tests/unit/test-store.c
tests_unit_test_store_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_store_LDADD = $(ENGINE_LIBS) $(CMOCKA_LIBS)

tests_unit_test_jobs_SOURCES = tests/unit/test-jobs.c
tests_unit_test_jobs_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_jobs_LDADD = $(ENGINE_LIBS) $(CMOCKA_LIBS)

tests_unit_test_server_load_SOURCES = tests/unit/test-server-load.c
tests_unit_test_server_load_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_server_load_LDADD = $(ENGINE_LIBS) $(CMOCKA_LIBS)
