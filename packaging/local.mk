# packaging/: what `make install` adds around the programs: systemd units
# (run ovmd and ovm-agentd as their own unprivileged users), sysusers.d
# entries creating those users, and the example configuration. debian/
# builds .deb packages from the same install (README.md, Installing).

# Units: the install paths of the programs are filled in at build time.
unit_templates = packaging/ovmd.service.in packaging/ovm-agentd.service.in
EXTRA_DIST += $(unit_templates)
if INSTALL_UNITS
systemdsystemunit_DATA = packaging/ovmd.service packaging/ovm-agentd.service
dist_sysusers_DATA = packaging/sysusers.d/ovmd.conf packaging/sysusers.d/ovm-agentd.conf
else
EXTRA_DIST += packaging/sysusers.d/ovmd.conf packaging/sysusers.d/ovm-agentd.conf
endif
CLEANFILES += packaging/ovmd.service packaging/ovm-agentd.service

UNIT_GEN = $(MKDIR_P) packaging && sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g'
packaging/ovmd.service: $(top_srcdir)/packaging/ovmd.service.in Makefile
	$(AM_V_GEN)$(UNIT_GEN) $(top_srcdir)/packaging/ovmd.service.in > $@-t && mv $@-t $@
packaging/ovm-agentd.service: $(top_srcdir)/packaging/ovm-agentd.service.in Makefile
	$(AM_V_GEN)$(UNIT_GEN) $(top_srcdir)/packaging/ovm-agentd.service.in > $@-t && mv $@-t $@

# Example configuration, SOURCE:DESTINATION below sysconfdir. An existing
# file is the administrator's: install keeps it, and uninstall removes only a
# file still identical to the example.
conf_examples = packaging/ovmd.yaml:ovmd/ovmd.yaml packaging/ovm-agentd.default:default/ovm-agentd
EXTRA_DIST += packaging/ovmd.yaml packaging/ovm-agentd.default

install-data-local:
	@for pair in $(conf_examples); do \
	  src=$(top_srcdir)/$${pair%%:*}; dst="$(DESTDIR)$(sysconfdir)/$${pair#*:}"; \
	  if test -e "$$dst"; then echo "keeping $$dst"; continue; fi; \
	  echo " $(INSTALL_DATA) $$src $$dst"; \
	  $(MKDIR_P) "$${dst%/*}" && $(INSTALL_DATA) "$$src" "$$dst" || exit 1; \
	done

uninstall-local:
	@for pair in $(conf_examples); do \
	  src=$(top_srcdir)/$${pair%%:*}; dst="$(DESTDIR)$(sysconfdir)/$${pair#*:}"; \
	  if cmp -s "$$src" "$$dst"; then echo " rm -f $$dst"; rm -f "$$dst"; fi; \
	done

# make distcheck installs below its own prefix: the systemd and
# bash-completion folders must follow it there, or (as root) it would write
# into the machine's /lib/systemd/system. The single quotes pass ${prefix}
# and ${datadir} through configure into the Makefile, as the defaults are.
AM_DISTCHECK_CONFIGURE_FLAGS = \
	--with-systemdsystemunitdir='$${prefix}/lib/systemd/system' \
	--with-sysusersdir='$${prefix}/lib/sysusers.d' \
	--with-bash-completion-dir='$${datadir}/bash-completion/completions'

# The tests a package build runs (debian/rules): the compiled unit tests,
# which need no daemon, port or guest.
check-unit:
	@tests=; for t in $(TESTS); do \
	  case " $(check_PROGRAMS) " in *" $$t "*) tests="$$tests $$t";; esac; \
	done; \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="$$tests"
.PHONY: check-unit

# debian/: `dpkg-buildpackage -us -uc -b` in an unpacked release builds the
# packages ovmd and ovm-agentd (tests/e2e/packaging.sh).
EXTRA_DIST += debian/changelog debian/control debian/copyright debian/rules debian/source/format \
	debian/ovmd.install debian/ovmd.postinst debian/ovmd.postrm \
	debian/ovm-agentd.install debian/ovm-agentd.postinst debian/ovm-agentd.postrm
