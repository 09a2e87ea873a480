# Server updates from real YUM repositories (issue 12 item 3): agents on
# 127.0.69.x and python3 -m http.server serving repositories built at test time.
TESTS += tests/e2e/server-updates.sh
EXTRA_DIST += tests/e2e/server-updates.sh
