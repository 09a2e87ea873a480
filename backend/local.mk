# backend/: the engine (ovmd).
sbin_PROGRAMS += ovmd
ovmd_SOURCES = backend/engine.c
