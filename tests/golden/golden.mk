# tests/golden golden tests
