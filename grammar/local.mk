# grammar/: the command language as data, lexer, parser, validator and texts.
noinst_LIBRARIES += grammar/libgrammar.a
grammar_sources = grammar/grammar.h grammar/forms.h grammar/internal.h grammar/types.c grammar/commands.c grammar/lookup.c grammar/checks.c \
	grammar/lexer.c grammar/walk.c grammar/parser.c grammar/validate.c grammar/suggest.c grammar/texts.c grammar/question.c
grammar_libgrammar_a_SOURCES = $(grammar_sources)

# Prints the roff attribute tables committed as man/ovm-cli-tables.7.inc.
noinst_PROGRAMS += grammar/gen-man-tables
grammar_gen_man_tables_SOURCES = grammar/gen-man-tables.c
grammar_gen_man_tables_LDADD = grammar/libgrammar.a lib/libovm.a $(XML_LIBS)
EXTRA_DIST += man/ovm-cli-tables.7.inc
