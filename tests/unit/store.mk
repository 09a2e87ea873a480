# tests/unit store tests
