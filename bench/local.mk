# bench build rules: the issue-2 benchmark (bench/engine-vs-virsh.sh) is run
# by hand, never by make check. `make bench` builds its helper.
EXTRA_DIST += bench/engine-vs-virsh.sh bench/README.md bench/failover.sh bench/monitor-load.sh bench/libvirt-vs-virsh.sh \
	bench/create-curve.sh bench/demo-start.sh bench/ssh-preauth-flood.sh bench/bulk-create.sh bench/bench-lib.sh \
	bench/import-clone.sh bench/drs-rebalance.sh

noinst_PROGRAMS += bench/ovm-latency
bench_ovm_latency_SOURCES = bench/ovm-latency.c
bench_ovm_latency_LDADD = lib/libovm.a $(XML_LIBS)

.PHONY: bench
bench: bench/ovm-latency$(EXEEXT) ovmd$(EXEEXT) ovmsh$(EXEEXT) ovm-agentd$(EXEEXT)
