# shell/: ovmsh, the local client of the engine (the SSH front end of ovmd
# adds its own rules here).
bin_PROGRAMS += ovmsh
ovmsh_SOURCES = shell/ovmsh.c shell/client.h shell/client_conn.c \
	shell/client_batch.c shell/client_rl.c
ovmsh_LDADD = grammar/libgrammar.a lib/libovm.a $(XML_LIBS) $(READLINE_LIBS)
