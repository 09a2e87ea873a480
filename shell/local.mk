# shell/client/: ovmsh, the local client of the engine; shell/sshd/: the SSH front end of ovmd
# (its sessions run the same client code against the engine socket).
bin_PROGRAMS += ovmsh
ovmsh_SOURCES = shell/client/ovmsh.c shell/client/client.h shell/client/client_conn.c \
	shell/client/client_batch.c shell/client/client_rl.c
ovmsh_LDADD = grammar/libgrammar.a lib/libovm.a $(XML_LIBS) $(READLINE_LIBS)

# The SSH front end of ovmd (issue 3). ovmd links shell/libsshd.a with
# $(SSH_LIBS) $(SECCOMP_LIBS) $(CRYPT_LIBS) $(READLINE_LIBS) $(PTHREAD_LIBS) and calls sshd_run.
noinst_LIBRARIES += shell/libsshd.a
shell_libsshd_a_SOURCES = shell/sshd/sshd.h shell/sshd/sshd.c shell/sshd/sshd_config.c \
	shell/sshd/ssh_session.h shell/sshd/ssh_session.c shell/sshd/ssh_shell.h shell/sshd/ssh_shell.c \
	shell/sshd/ssh_keys.h shell/sshd/ssh_keys.c shell/sshd/ssh_lockout.h shell/sshd/ssh_lockout.c \
	shell/sshd/ssh_startups.h shell/sshd/ssh_startups.c shell/sshd/sshd_unthrottle.c \
	shell/sshd/ssh_privsep.h shell/sshd/ssh_privsep.c shell/sshd/ssh_broker.h shell/sshd/ssh_broker.c \
	shell/client/client.h shell/client/client_conn.c shell/client/client_batch.c shell/client/client_rl.c
shell_libsshd_a_CFLAGS = $(AM_CFLAGS) $(SSH_CFLAGS) $(SECCOMP_CFLAGS)
SSHD_LDADD = shell/libsshd.a grammar/libgrammar.a lib/libovm.a $(XML_LIBS) \
	$(SSH_LIBS) $(SECCOMP_LIBS) $(CRYPT_LIBS) $(READLINE_LIBS) $(PTHREAD_LIBS)

# Test harnesses: the listener alone, and a stand-in engine socket.
check_PROGRAMS += shell/sshd-standalone shell/ssh-fake-engine
shell_sshd_standalone_SOURCES = shell/sshd/sshd-standalone.c
shell_sshd_standalone_CFLAGS = $(AM_CFLAGS) $(SSH_CFLAGS)
shell_sshd_standalone_LDADD = $(SSHD_LDADD)
shell_ssh_fake_engine_SOURCES = shell/sshd/ssh_fake_engine.c
shell_ssh_fake_engine_LDADD = lib/libovm.a $(XML_LIBS)
EXTRA_DIST += man/ovmd-ssh.inc bench/ssh-latency.sh
