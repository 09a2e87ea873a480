# tests/golden: byte-exact ovmsh transcripts. tests/golden/run.sh runs every
# tests/golden/*.in against a fresh ovmd (and simulated agents when the
# transcript asks for them) and prints one TAP line per transcript.
# The whole directory is distributed so that new transcripts need no edit here.
TESTS += tests/golden/run.sh
EXTRA_DIST += tests/golden tests/lib/ovmd.sh
