# tests/e2e packaging test: the .deb packages build from a fresh copy of the
# tree, pass lintian, and their daemons start from the unpacked files as an
# unprivileged user (issue 10 item 8).
TESTS += tests/e2e/packaging.sh
EXTRA_DIST += tests/e2e/packaging.sh
