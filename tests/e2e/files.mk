# tests/e2e file-mode tests: what ovmd creates is private; loose state is
# tightened, a foreign state directory refused (issue 10 item 7).
TESTS += tests/e2e/file-modes.sh
EXTRA_DIST += tests/e2e/file-modes.sh
