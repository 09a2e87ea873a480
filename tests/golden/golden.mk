# tests/golden: byte-exact ovmsh transcripts. tests/golden/run.sh runs every
# tests/golden/*.in against a fresh ovmd (and simulated agents when the
# transcript asks for them) and prints one TAP line per transcript.
TESTS += tests/golden/run.sh
EXTRA_DIST += tests/golden/run.sh tests/golden/expand.pl tests/golden/normalise.pl tests/lib/ovmd.sh

# The transcripts are shipped by pattern so that a new one needs no edit
# here. (Naming the directory in EXTRA_DIST would ship the build tree's
# tests/golden, which holds run.log and run.trs, instead of the sources.)
dist-hook: dist-golden
dist-golden:
	$(MKDIR_P) $(distdir)/tests/golden
	cp -p $(srcdir)/tests/golden/*.in $(srcdir)/tests/golden/*.out $(distdir)/tests/golden/
.PHONY: dist-golden
