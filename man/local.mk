# man/: pages. ovm-cli.7 is the hand-written language reference followed by
# the attribute tables that grammar/gen-man-tables generates (committed as
# man/ovm-cli-tables.7.inc, shipped by grammar/local.mk). ovmd.8 and
# ovmd.yaml.5 share one description of the SSH and authentication settings,
# man/ovmd-ssh.inc, inserted at their @SSH_SECTION@ line.
man_MANS += man/ovmsh.1 man/ovm-cli.7 man/ovmd.8 man/ovmd.yaml.5
EXTRA_DIST += man/ovmsh.1 man/ovm-cli.7.in man/ovmd.8.in man/ovmd.yaml.5.in
CLEANFILES += man/ovm-cli.7 man/ovmd.8 man/ovmd.yaml.5

man/ovm-cli.7: $(top_srcdir)/man/ovm-cli.7.in $(top_srcdir)/man/ovm-cli-tables.7.inc
	$(AM_V_GEN)$(MKDIR_P) man && \
	cat $(top_srcdir)/man/ovm-cli.7.in $(top_srcdir)/man/ovm-cli-tables.7.inc > $@-t && \
	mv $@-t $@

MAN_WITH_SSH = sed -e '/@SSH_SECTION@/{r $(top_srcdir)/man/ovmd-ssh.inc' -e 'd;}'

man/ovmd.8: $(top_srcdir)/man/ovmd.8.in $(top_srcdir)/man/ovmd-ssh.inc
	$(AM_V_GEN)$(MKDIR_P) man && $(MAN_WITH_SSH) $(top_srcdir)/man/ovmd.8.in > $@-t && mv $@-t $@

man/ovmd.yaml.5: $(top_srcdir)/man/ovmd.yaml.5.in $(top_srcdir)/man/ovmd-ssh.inc
	$(AM_V_GEN)$(MKDIR_P) man && $(MAN_WITH_SSH) $(top_srcdir)/man/ovmd.yaml.5.in > $@-t && mv $@-t $@
