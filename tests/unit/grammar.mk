# tests/unit grammar tests (cmocka, TAP), the man-table check and the
# replay of the grammar fuzz corpora.
grammar_test_ldadd = grammar/libgrammar.a lib/libovm.a $(XML_LIBS) $(CMOCKA_LIBS)
grammar_test_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

check_PROGRAMS += tests/unit/test-grammar-lexer tests/unit/test-grammar-parser \
	tests/unit/test-grammar-texts
TESTS += tests/unit/test-grammar-lexer tests/unit/test-grammar-parser \
	tests/unit/test-grammar-texts tests/unit/test-grammar-man.sh tests/unit/test-grammar-fuzz.sh
EXTRA_DIST += tests/unit/test-grammar-man.sh tests/unit/test-grammar-fuzz.sh \
	tests/fuzz/corpus/lexer tests/fuzz/corpus/parser
tests_unit_test_grammar_lexer_SOURCES = tests/unit/test-grammar-lexer.c
tests_unit_test_grammar_lexer_CFLAGS = $(grammar_test_cflags)
tests_unit_test_grammar_lexer_LDADD = $(grammar_test_ldadd)
tests_unit_test_grammar_parser_SOURCES = tests/unit/test-grammar-parser.c
tests_unit_test_grammar_parser_CFLAGS = $(grammar_test_cflags)
tests_unit_test_grammar_parser_LDADD = $(grammar_test_ldadd)
tests_unit_test_grammar_texts_SOURCES = tests/unit/test-grammar-texts.c
tests_unit_test_grammar_texts_CFLAGS = $(grammar_test_cflags)
tests_unit_test_grammar_texts_LDADD = $(grammar_test_ldadd)

# Fuzz targets replayed over their seed corpora in make check.
check_PROGRAMS += tests/fuzz/replay-grammar-lexer tests/fuzz/replay-grammar-parser
tests_fuzz_replay_grammar_lexer_SOURCES = tests/fuzz/fuzz-lexer.c tests/fuzz/replay-main.c
tests_fuzz_replay_grammar_lexer_LDADD = grammar/libgrammar.a lib/libovm.a $(XML_LIBS)
tests_fuzz_replay_grammar_parser_SOURCES = tests/fuzz/fuzz-parser.c tests/fuzz/replay-main.c
tests_fuzz_replay_grammar_parser_LDADD = grammar/libgrammar.a lib/libovm.a $(XML_LIBS)

if FUZZERS
# libFuzzer builds instrument the grammar sources themselves.
noinst_PROGRAMS += tests/fuzz/fuzz-lexer tests/fuzz/fuzz-parser
tests_fuzz_fuzz_lexer_SOURCES = tests/fuzz/fuzz-lexer.c $(grammar_sources)
tests_fuzz_fuzz_lexer_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_lexer_LDFLAGS = -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_lexer_LDADD = lib/libovm.a $(XML_LIBS)
tests_fuzz_fuzz_parser_SOURCES = tests/fuzz/fuzz-parser.c $(grammar_sources)
tests_fuzz_fuzz_parser_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_parser_LDFLAGS = -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_parser_LDADD = lib/libovm.a $(XML_LIBS)
endif
