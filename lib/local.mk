# lib/: the small internal library shared by ovmd, ovmsh and ovm-agentd.
noinst_LIBRARIES += lib/libovm.a
lib_libovm_a_SOURCES = lib/util.c lib/util.h lib/strbuf.c lib/strbuf.h \
	lib/log.c lib/log.h lib/fsmode.c lib/fsmode.h lib/proto.c lib/proto.h \
	lib/xmlrpc.c lib/xmlrpc.h lib/xmlrpc_encode.c lib/xmlrpc_decode.c lib/xmlrpc_impl.h lib/conftab.c lib/conftab.h \
	lib/crashpoint.c lib/crashpoint.h lib/text.c lib/text.h lib/lograte.c lib/lograte.h \
	lib/agent_methods.c lib/agent_methods.h
lib_libovm_a_CFLAGS = $(AM_CFLAGS) $(XML_CFLAGS)
