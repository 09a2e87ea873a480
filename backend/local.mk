# backend/: the engine (ovmd): store, jobs, operations per object area,
# agent client, monitor, events.
noinst_LIBRARIES += backend/libengine.a
backend_libengine_a_SOURCES = \
	backend/engine.h backend/config.c backend/crashpoint.c backend/crashpoint.h backend/backup.c backend/backup.h \
	backend/recover.c backend/recover.h \
	backend/store.c backend/store.h backend/store_names.c backend/store_names.h \
	backend/jobs.c backend/jobs.h \
	backend/events.c backend/events.h \
	backend/agentc.c backend/agentc.h backend/ca.c backend/ca.h \
	backend/model.c backend/model.h backend/flow.h backend/flow_place.c backend/flow_start.c \
	backend/flow_migrate.c backend/flow_present.c backend/flow_cluster.c \
	backend/discover.c backend/discover.h \
	backend/monitor.c backend/monitor.h backend/ha.c backend/ha.h backend/cluster.c backend/cluster.h backend/demo.c backend/demo.h \
	backend/listener.c backend/listener.h \
	backend/dispatch.c backend/registry.c backend/ops.h backend/ops_common.c \
	backend/generic.c backend/generic.h \
	backend/show.c backend/show.h \
	backend/ops_session.c backend/ops_generic.c backend/ops_server.c \
	backend/ops_pool.c backend/ops_storage.c backend/ops_vm.c \
	backend/ops_network.c backend/ops_misc.c
backend_libengine_a_CFLAGS = $(AM_CFLAGS) $(SSH_CFLAGS) $(SQLITE_CFLAGS) $(CURL_CFLAGS) $(XML_CFLAGS) $(YAML_CFLAGS) \
	$(OPENSSL_CFLAGS)

ENGINE_LIBS = backend/libengine.a shell/libsshd.a backend/librender.a completions/libcomplete.a grammar/libgrammar.a \
	lib/libovm.a $(SQLITE_LIBS) $(CURL_LIBS) $(XML_LIBS) $(YAML_LIBS) $(OPENSSL_LIBS) $(SSH_LIBS) $(CRYPT_LIBS) $(READLINE_LIBS) $(PTHREAD_LIBS) -lm

sbin_PROGRAMS += ovmd
ovmd_SOURCES = backend/engine.c
ovmd_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
ovmd_LDADD = $(ENGINE_LIBS)
