# tests/unit documentation test: README.md, doc/, man/, bench/README.md and
# code comments cite only documents of the repository, and every
# "doc/<file>.md §N" citation names a section that exists.
TESTS += tests/unit/test-docs.sh
EXTRA_DIST += tests/unit/test-docs.sh
