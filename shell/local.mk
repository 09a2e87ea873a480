# shell/: ovmsh, the local client of the engine (the SSH front end of ovmd
# adds its own rules here).
bin_PROGRAMS += ovmsh
ovmsh_SOURCES = shell/ovmsh.c shell/client.h shell/client_conn.c \
	shell/client_batch.c shell/client_rl.c
ovmsh_LDADD = grammar/libgrammar.a lib/libovm.a $(XML_LIBS) $(READLINE_LIBS)

# The SSH front end of ovmd (issue 3). ovmd links shell/libsshd.a with
# $(SSH_LIBS) $(CRYPT_LIBS) $(READLINE_LIBS) $(PTHREAD_LIBS) and calls sshd_run.
noinst_LIBRARIES += shell/libsshd.a
shell_libsshd_a_SOURCES = shell/sshd.h shell/sshd.c shell/sshd_config.c \
	shell/ssh_session.h shell/ssh_session.c shell/ssh_shell.h shell/ssh_shell.c \
	shell/ssh_keys.h shell/ssh_keys.c shell/ssh_lockout.h shell/ssh_lockout.c \
	shell/ssh_startups.h shell/ssh_startups.c shell/sshd_unthrottle.c \
	shell/client.h shell/client_conn.c shell/client_batch.c shell/client_rl.c
shell_libsshd_a_CFLAGS = $(AM_CFLAGS) $(SSH_CFLAGS)
SSHD_LDADD = shell/libsshd.a grammar/libgrammar.a lib/libovm.a $(XML_LIBS) \
	$(SSH_LIBS) $(CRYPT_LIBS) $(READLINE_LIBS) $(PTHREAD_LIBS)

# Test harnesses: the listener alone, and a stand-in engine socket.
check_PROGRAMS += shell/sshd-standalone shell/ssh-fake-engine
shell_sshd_standalone_SOURCES = shell/sshd-standalone.c
shell_sshd_standalone_CFLAGS = $(AM_CFLAGS) $(SSH_CFLAGS)
shell_sshd_standalone_LDADD = $(SSHD_LDADD)
shell_ssh_fake_engine_SOURCES = shell/ssh_fake_engine.c
shell_ssh_fake_engine_LDADD = lib/libovm.a $(XML_LIBS)
EXTRA_DIST += man/ovmd-ssh.inc bench/ssh-latency.sh
