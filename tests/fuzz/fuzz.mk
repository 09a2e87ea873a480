# fuzz targets: built with --enable-fuzzers; corpora replayed by replay-* in make check
