# backend/: the engine (ovmd), one folder per layer, lowest first (doc/architecture.md §2;
# tests/unit/test-layers.sh checks which folder may include which):
#   store/   the sqlite store and all its SQL      jobs/    jobs, locks, the scheduler, events
#   agentc/  the typed agent client, the CA, IPMI  flows/   shared flows and the agent-facing model
#   render/  results, renderers, show data         monitor/ server polling and HA
#   ops/     checks and jobs of every command      daemon/  ovmd's main, config, socket listener
# engine.h is the process state every layer shares.
noinst_LIBRARIES += backend/libengine.a
backend_libengine_a_SOURCES = \
	backend/engine.h \
	backend/store/store.h backend/store/store_impl.h backend/store/store.c backend/store/store_index.c backend/store/store_obj.c \
	backend/store/store_names.c backend/store/store_names.h backend/store/store_tables.h backend/store/store_jobs.c backend/store/store_journal.c backend/store/store_events.c backend/store/store_messages.c backend/store/store_stats.c \
	backend/store/backup.c backend/store/backup.h \
	backend/jobs/jobs.h backend/jobs/jobs_impl.h backend/jobs/jobs.c backend/jobs/jobs_sched.c backend/jobs/jobs_restart.c backend/jobs/job_goals.c backend/jobs/job_undo.c \
	backend/jobs/events.c backend/jobs/events.h \
	backend/agentc/agentc.h backend/agentc/agentc_impl.h backend/agentc/agentc.c backend/agentc/agentc_tls.c \
	backend/agentc/agentc_outcome.c backend/agentc/ca.c backend/agentc/ca.h \
	backend/agentc/agentapi.c backend/agentc/agentapi.h backend/agentc/ipmi.c backend/agentc/ipmi.h \
	backend/flows/flow.h backend/flows/flow_place.c backend/flows/flow_start.c backend/flows/flow_migrate.c \
	backend/flows/flow_present.c backend/flows/flow_cluster.c backend/flows/flow_power.c backend/flows/server_load.c backend/flows/server_load.h backend/flows/model.c backend/flows/model.h \
	backend/flows/relations.c backend/flows/relations.h backend/flows/status.c backend/flows/status.h \
	backend/flows/discover.c backend/flows/discover.h backend/flows/recover.c backend/flows/recover.h \
	backend/render/show.c backend/render/show.h backend/render/show_rows.h backend/render/show_tables.c \
	backend/monitor/monitor.c backend/monitor/monitor.h backend/monitor/ha.c backend/monitor/ha.h backend/monitor/stats.c backend/monitor/stats.h backend/monitor/stats_net.c backend/monitor/policy.c backend/monitor/policy.h backend/monitor/policy_dpm.c backend/monitor/policy_int.h backend/monitor/policy_net.c backend/monitor/periodic.c backend/monitor/periodic.h \
	backend/ops/ops.h backend/ops/dispatch.c backend/ops/registry.c backend/ops/ops_common.c \
	backend/ops/generic.c backend/ops/generic.h backend/ops/cluster.c backend/ops/cluster.h \
	backend/ops/ops_session.c backend/ops/ops_generic.c backend/ops/ops_pool.c backend/ops/ops_misc.c backend/ops/ops_stats.c backend/ops/ops_events.c \
	backend/ops/ops_server.h backend/ops/ops_server.c backend/ops/ops_server_discover.c backend/ops/ops_server_owner.c \
	backend/ops/ops_server_cpugroup.c \
	backend/ops/ops_storage.h backend/ops/ops_storage.c backend/ops/ops_storage_fileserver.c \
	backend/ops/ops_storage_repo.c backend/ops/ops_storage_disk.c backend/ops/ops_storage_import.c \
	backend/ops/ops_san.c backend/ops/ops_san.h backend/ops/ops_san_refresh.c backend/ops/ops_san_group.c backend/ops/ops_san_mask.c \
	backend/ops/ops_san_provision.c \
	backend/ops/ocfs2.h backend/ops/ocfs2_header.c backend/ops/ops_ocfs2.c backend/ops/ops_ocfs2_repo.c backend/ops/ops_ocfs2_pool.c backend/ops/ops_pd_clone.c backend/ops/ops_ocfs2_pdrepo.c backend/ops/ops_repo_export.c \
	backend/ops/ops_appliance.h backend/ops/ops_appliance.c backend/ops/ops_appliance_vm.c \
	backend/ops/ops_vm.h backend/ops/ops_vm.c backend/ops/ops_vm_create.c backend/ops/ops_vm_lifecycle.c backend/ops/ops_vm_messages.c backend/ops/ops_server_power.c backend/ops/ops_server_update.c backend/ops/ops_pool_netpolicy.c \
	backend/ops/ops_vm_migrate.c backend/ops/ops_vm_clone.c backend/ops/ops_vm_customizer.c backend/ops/ops_vm_move.c backend/ops/ops_vm_mapping.c \
	backend/ops/ops_network.h backend/ops/ops_network.c backend/ops/ops_network_port.c backend/ops/ops_network_bond.c backend/ops/ops_network_sync.c backend/ops/ops_network_ip.c backend/ops/ops_network_vnic.c \
	backend/daemon/config.h backend/daemon/config.c backend/daemon/demo.c backend/daemon/demo.h \
	backend/daemon/listener.c backend/daemon/listener.h
backend_libengine_a_CFLAGS = $(AM_CFLAGS) $(SSH_CFLAGS) $(SQLITE_CFLAGS) $(CURL_CFLAGS) $(XML_CFLAGS) $(YAML_CFLAGS) \
	$(OPENSSL_CFLAGS) $(FREEIPMI_CFLAGS)

ENGINE_LIBS = backend/libengine.a shell/libsshd.a backend/librender.a completions/libcomplete.a grammar/libgrammar.a \
	lib/libovm.a $(SQLITE_LIBS) $(CURL_LIBS) $(XML_LIBS) $(YAML_LIBS) $(OPENSSL_LIBS) $(FREEIPMI_LIBS) $(SSH_LIBS) $(SECCOMP_LIBS) $(CRYPT_LIBS) $(READLINE_LIBS) $(PTHREAD_LIBS) -lm

# backend/daemon/engine.c: ovmd's main, the one place that joins the engine and the SSH server.
sbin_PROGRAMS += ovmd
ovmd_SOURCES = backend/daemon/engine.c
ovmd_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
ovmd_LDADD = $(ENGINE_LIBS)
