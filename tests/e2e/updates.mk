# Server updates from real YUM repositories (issue 12 item 3): agents on
# 127.0.69.x and python3 -m http.server serving repositories built at test time.
TESTS += tests/e2e/server-updates.sh
EXTRA_DIST += tests/e2e/server-updates.sh
# issue 12 item 4: an upgrade rollout over four servers with a failure on the third (agents on 127.0.78.x)
TESTS += tests/e2e/upgrade-rollout.sh
EXTRA_DIST += tests/e2e/upgrade-rollout.sh tests/lib/yum.sh
