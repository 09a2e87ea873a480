# tests/unit grammar tests
