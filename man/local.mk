# man/: pages. ovm-cli.7 is the hand-written language reference followed by
# the attribute tables that grammar/gen-man-tables generates (committed as
# man/ovm-cli-tables.7.inc, shipped by grammar/local.mk).
man_MANS += man/ovmsh.1 man/ovm-cli.7 man/ovmd.8 man/ovmd.yaml.5
EXTRA_DIST += man/ovmsh.1 man/ovm-cli.7.in man/ovmd.8 man/ovmd.yaml.5
CLEANFILES += man/ovm-cli.7

man/ovm-cli.7: $(top_srcdir)/man/ovm-cli.7.in $(top_srcdir)/man/ovm-cli-tables.7.inc
	$(AM_V_GEN)$(MKDIR_P) man && \
	cat $(top_srcdir)/man/ovm-cli.7.in $(top_srcdir)/man/ovm-cli-tables.7.inc > $@-t && \
	mv $@-t $@
