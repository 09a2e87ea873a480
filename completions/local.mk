# completions/: the completion engine (grammar + live names) used by the
# engine for TAB and '?', and the bash completion of the programs' options.
noinst_LIBRARIES += completions/libcomplete.a
completions_libcomplete_a_SOURCES = completions/complete.c completions/complete.h
EXTRA_DIST += completions/ovmsh.bash completions/ovmd.bash

# bash-completion loads a command's completion from a file named after the
# command: ovmsh.bash is installed as ovmsh, ovmd.bash (both daemons) as
# ovmd and ovm-agentd. bashcompletiondir comes from configure.
bashcompletion_DATA = completions/bash/ovmsh completions/bash/ovmd completions/bash/ovm-agentd
CLEANFILES += $(bashcompletion_DATA)

completions/bash/ovmsh: $(top_srcdir)/completions/ovmsh.bash
	$(AM_V_GEN)$(MKDIR_P) completions/bash && cp $(top_srcdir)/completions/ovmsh.bash $@
completions/bash/ovmd completions/bash/ovm-agentd: $(top_srcdir)/completions/ovmd.bash
	$(AM_V_GEN)$(MKDIR_P) completions/bash && cp $(top_srcdir)/completions/ovmd.bash $@
