# tests/unit render tests
