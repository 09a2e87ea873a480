# tests/e2e agent tests
