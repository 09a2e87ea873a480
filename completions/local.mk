# completions/: the completion engine (grammar + live names) used by the
# engine for TAB and '?', and the bash completion of ovmsh's options.
noinst_LIBRARIES += completions/libcomplete.a
completions_libcomplete_a_SOURCES = completions/complete.c completions/complete.h
EXTRA_DIST += completions/ovmsh.bash
