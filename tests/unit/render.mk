# tests/unit render tests: the output renderers (backend/librender.a, linked
# into the engine by backend/local.mk) and the completion engine.
noinst_LIBRARIES += backend/librender.a
backend_librender_a_SOURCES = backend/render/render.c backend/render/result.h

check_PROGRAMS += tests/unit/test-render
TESTS += tests/unit/test-render
tests_unit_test_render_SOURCES = tests/unit/test-render.c
tests_unit_test_render_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_render_LDADD = backend/librender.a lib/libovm.a $(XML_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test-complete
TESTS += tests/unit/test-complete
tests_unit_test_complete_SOURCES = tests/unit/test-complete.c
tests_unit_test_complete_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_complete_LDADD = completions/libcomplete.a grammar/libgrammar.a lib/libovm.a \
	$(XML_LIBS) $(CMOCKA_LIBS)

# The show tables against the grammar: one default per attribute, enum labels.
check_PROGRAMS += tests/unit/test-model-data
TESTS += tests/unit/test-model-data
tests_unit_test_model_data_SOURCES = tests/unit/test-model-data.c
tests_unit_test_model_data_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_model_data_LDADD = $(ENGINE_LIBS) $(CMOCKA_LIBS)
