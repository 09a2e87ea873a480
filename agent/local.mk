# agent/: ovm-agentd, the XML-RPC agent daemon with the sim driver.
bin_PROGRAMS += ovm-agentd
# Everything but main.c: also linked into agent/test-simstate.
agent_core_sources = agent/agent.h \
	agent/httpd.c agent/httpd.h agent/httpd_admit.c agent/httpd_impl.h agent/tlscert.c agent/tlscert.h \
	agent/dispatch.c agent/dispatch.h agent/faults.c agent/faults.h \
	agent/vmcfg.c agent/vmcfg.h agent/sim.h agent/sim_state.c agent/sim_persist.c \
	agent/sim_host.c agent/sim_net.c agent/sim_netload.c agent/sim_pool.c agent/sim_repo.c agent/sim_export.c agent/sim_storage.c agent/import.c \
	agent/san.c agent/san.h agent/san_methods.c agent/san_tgt.c agent/san_tgt.h agent/san_tgt_acl.c agent/san_copy.c \
	agent/appliance.c agent/ova.h agent/ova_disk.c agent/ova_export.c agent/ovf.c agent/ovf.h agent/ustar.c agent/ustar.h \
	agent/sim_vm.c agent/sim_domain.c agent/sim_migrate.c agent/sim_cluster.c \
	agent/sim_update.c agent/yum.c agent/yum_gpg.c agent/yum.h agent/rpmver.c agent/rpmver.h \
	agent/driver.c agent/driver.h agent/drv_sim.c agent/sim_driver.h agent/vm_lifecycle.c \
	agent/authlimit.c agent/authlimit.h agent/connguard.c agent/connguard.h agent/certcache.c agent/certcache.h
ovm_agentd_SOURCES = agent/main.c $(agent_core_sources)
ovm_agentd_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(GNUTLS_CFLAGS) $(CURL_CFLAGS) $(ISCSI_CFLAGS) $(OPENSSL_CFLAGS) $(XML_CFLAGS)
ovm_agentd_LDADD = lib/libovm.a $(MHD_LIBS) $(GNUTLS_LIBS) $(CURL_LIBS) $(ISCSI_LIBS) $(OPENSSL_LIBS) $(ZLIB_LIBS) $(XML_LIBS) $(PTHREAD_LIBS)

# The libvirt driver, when configure found libvirt (--with-libvirt).
lv_sources = agent/lv.h agent/lv_xml.c agent/lv_bridge.c agent/lv_stats.c agent/lv_cpu.c agent/lv_conn.c agent/lv_domain.c agent/lv_ops.c \
	agent/lv_host.c agent/lv_caps.c agent/lv_migrate.c agent/drv_libvirt.c
if WITH_LIBVIRT
ovm_agentd_SOURCES += $(lv_sources)
ovm_agentd_CFLAGS += -DOVM_WITH_LIBVIRT $(LIBVIRT_CFLAGS)
ovm_agentd_LDADD += $(LIBVIRT_LIBS)
else
EXTRA_DIST += $(lv_sources)
endif

man_MANS += man/ovm-agentd.8
EXTRA_DIST += man/ovm-agentd.8

check_PROGRAMS += agent/test-units
agent_test_units_SOURCES = agent/test-units.c agent/rpmver.c agent/rpmver.h agent/vmcfg.c agent/faults.c agent/authlimit.c
agent_test_units_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(XML_CFLAGS)
agent_test_units_LDADD = lib/libovm.a $(CMOCKA_LIBS) $(XML_LIBS) $(PTHREAD_LIBS)
TESTS += agent/test-units

# The method table against lib/agent_methods.h: handlers, checked arguments, results.
check_PROGRAMS += agent/test-methods
agent_test_methods_SOURCES = agent/test-methods.c $(agent_core_sources)
agent_test_methods_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(MHD_CFLAGS) $(GNUTLS_CFLAGS) $(CURL_CFLAGS) $(ISCSI_CFLAGS) \
	$(OPENSSL_CFLAGS) $(XML_CFLAGS)
agent_test_methods_LDADD = lib/libovm.a $(CMOCKA_LIBS) $(MHD_LIBS) $(GNUTLS_LIBS) $(CURL_LIBS) $(ISCSI_LIBS) $(OPENSSL_LIBS) $(ZLIB_LIBS) \
	$(XML_LIBS) $(PTHREAD_LIBS)
TESTS += agent/test-methods

# The sim's incremental persistence (agent/sim_persist.c), with the sim driver only.
check_PROGRAMS += agent/test-simstate
agent_test_simstate_SOURCES = agent/test-simstate.c $(agent_core_sources)
agent_test_simstate_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(MHD_CFLAGS) $(GNUTLS_CFLAGS) $(CURL_CFLAGS) $(ISCSI_CFLAGS) \
	$(OPENSSL_CFLAGS) $(XML_CFLAGS)
agent_test_simstate_LDADD = lib/libovm.a $(CMOCKA_LIBS) $(MHD_LIBS) $(GNUTLS_LIBS) $(CURL_LIBS) $(ISCSI_LIBS) $(OPENSSL_LIBS) $(ZLIB_LIBS) \
	$(XML_LIBS) $(PTHREAD_LIBS)
TESTS += agent/test-simstate

check_PROGRAMS += agent/test-libvirt
agent_test_libvirt_SOURCES = agent/test-libvirt.c
agent_test_libvirt_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(XML_CFLAGS)
agent_test_libvirt_LDADD = lib/libovm.a $(CMOCKA_LIBS) $(XML_LIBS)
if WITH_LIBVIRT
agent_test_libvirt_SOURCES += agent/vmcfg.c agent/lv_xml.c agent/lv_stats.c agent/lv_caps.c
agent_test_libvirt_CFLAGS += -DOVM_WITH_LIBVIRT $(LIBVIRT_CFLAGS)
agent_test_libvirt_LDADD += $(LIBVIRT_LIBS)
endif
TESTS += agent/test-libvirt
