# tests/unit xmlrpc tests
