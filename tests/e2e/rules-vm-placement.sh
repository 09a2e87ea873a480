#!/usr/bin/env bash
# doc/object-model.md §6.4 (L-1..L-4, L-6, L-7), §5.3 and §6.11 (MM-1, MM-4..MM-6),
# §6.5 live migration (M-1..M-4, M-8, M-10, M-11), §6.9 anti-affinity
# (A-1..A-5, A-7, A-8) and §6.6 cold migration (C-1..C-6): placement and
# refusals with exact Error Msg texts, effects checked on the agents.
# ovs02: 8192 MB, 32 threads; ovs03: 16384 MB, 2 threads (pool1); ovs04 (pool2).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/lib/agent.sh"
. "$top_srcdir/tests/lib/ovmd.sh"
. "$top_srcdir/tests/e2e/rules-vm-lib.sh"

RV_OPTS_2="--memory-mb 8192 --cpus 32" RV_OPTS_3="--memory-mb 16384 --cpus 2" RV_OPTS_4="--memory-mb 16384" \
    rv_setup placement 3
rv_pool pool1 ovs02 ovs03
rv_pool pool2 ovs04
rv_repo pool1
R="repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=1024"
vmid() { ovm "show Vm name=$1"; idof; }
usable() { ovm "show Server name=$1"; field 'Usable Memory (MB)'; }
nopool="No server in ServerPool pool1 can start Vm"

# L-1
step "an unassigned Vm" "create Vm name=u1 $R"
refused "L-1 an unassigned Vm cannot start" "start Vm name=u1" "Vm u1 is not in a server pool; migrate it to a server pool first"

# L-2 no VM role, maintenance mode (MM-1: at once)
step "ovs02 utility only, ovs03 in maintenance mode" "edit Server name=ovs02 roles=UTILITY; edit Server name=ovs03 maintenanceMode=Yes; create Vm name=a1 $R cpuCount=2 on ServerPool name=pool1"
refused "L-2 no VM role / MM-1 maintenance mode" "start Vm name=a1" "$nopool a1: ovs02: no VM role; ovs03: maintenance mode"
step "ovs03 leaves maintenance mode" "edit Server name=ovs03 maintenanceMode=No; start Vm name=a1"
check "L-2 a1 runs on ovs03, the only VM server" test "$(vm_host a1)" = ovs03
check "L-2 the agent of ovs03 runs a1" agent_runs 3 "$(vmid a1)"
# M-3
refused "M-3 a destination without the VM role" "migrate Vm name=a1 destServer=ovs02" "Server ovs02 cannot receive Vm a1: no VM role"
step "ovs02 gets the VM role back" "edit Server name=ovs02 roles=VM,UTILITY"

# L-4 BALANCE_SERVER (pool) and BEST_SERVER (Vm overrides the pool)
step "pool1 uses BALANCE_SERVER; b1 starts" "edit ServerPool name=pool1 startPolicy=BALANCE_SERVER; create Vm name=b1 $R cpuCount=2 on ServerPool name=pool1; start Vm name=b1"
check "L-4 BALANCE_SERVER puts b1 on ovs02 (ovs03 has 2 threads for 4 vCPUs)" test "$(vm_host b1)" = ovs02
check "L-4 the agent of ovs02 runs b1" agent_runs 2 "$(vmid b1)"
step "b2 with startPolicy=BEST_SERVER starts" "create Vm name=b2 $R startPolicy=BEST_SERVER on ServerPool name=pool1; start Vm name=b2"
check "L-4 BEST_SERVER puts b2 on ovs03 (most usable memory)" test "$(vm_host b2)" = ovs03
step "pool1 back to BEST_SERVER; stop b2" "edit ServerPool name=pool1 startPolicy=BEST_SERVER; stop Vm name=b2"

# MM-4, MM-5: maintenance mode in an unclustered pool only sets the flag
step "MM-4 ovs02 enters maintenance mode with b1 running" "edit Server name=ovs02 maintenanceMode=Yes"
check "MM-4 b1 still Running on ovs02" test "$(vm_field b1 Status)/$(vm_host b1)" = "Running/ovs02"
check "MM-4 the agent of ovs02 still runs b1" agent_runs 2 "$(vmid b1)"
# L-3
step "c1 pinned to ovs02 with CURRENT_SERVER" "create Vm name=c1 $R server=ovs03 startPolicy=CURRENT_SERVER on ServerPool name=pool1; migrate Vm name=c1 destServer=ovs03"
step "C-3 destServer= on a stopped Vm records the server" "edit Server name=ovs02 maintenanceMode=No; migrate Vm name=c1 destServer=ovs02; edit Server name=ovs02 maintenanceMode=Yes"
check "C-3 c1 is assigned to ovs02" test "$(vm_field c1 Status)/$(vm_host c1)" = "Stopped/ovs02"
refused "L-3 CURRENT_SERVER refuses a server in maintenance mode" "start Vm name=c1" \
    "Start policy CURRENT_SERVER: Server ovs02 cannot start Vm c1: maintenance mode"
step "MM-5 ovs02 leaves maintenance mode" "edit Server name=ovs02 maintenanceMode=No"
check "MM-5 nothing moved: b1 on ovs02, a1 on ovs03" test "$(vm_host b1)/$(vm_host a1)" = "ovs02/ovs03"
step "L-3 CURRENT_SERVER starts c1" "start Vm name=c1"
check "L-3 c1 runs on ovs02 although ovs03 has more memory" test "$(vm_host c1)" = ovs02
check "L-3 the agent of ovs02 runs c1" agent_runs 2 "$(vmid c1)"

# L-2 inbound lock; §5.3 the Vm assigned to a locked server may start there; MM-6
step "MM-6 ovs03 inbound-locked with a1 running; ovs02 in maintenance mode" "edit Server name=ovs03 inboundMigrationLocked=Yes; edit Server name=ovs02 maintenanceMode=Yes; create Vm name=x1 $R on ServerPool name=pool1"
check "MM-6 a1 still runs on ovs03" test "$(vm_field a1 Status)/$(vm_host a1)" = "Running/ovs03"
refused "L-2 maintenance mode and inbound migration locked" "start Vm name=x1" "$nopool x1: ovs02: maintenance mode; ovs03: inbound migration locked"
step "§5.3 b2, assigned to the locked ovs03, starts there" "start Vm name=b2"
check "§5.3 b2 runs on ovs03" test "$(vm_host b2)" = ovs03
# M-4
step "ovs02 leaves maintenance mode" "edit Server name=ovs02 maintenanceMode=No"
refused "M-4 inbound migration locked destination" "migrate Vm name=b1 destServer=ovs03" "Server ovs03 cannot receive Vm b1: inbound migration locked"
step "ovs03 unlocked, ovs02 in maintenance" "edit Server name=ovs03 inboundMigrationLocked=No; edit Server name=ovs02 maintenanceMode=Yes"
refused "M-4 destination in maintenance mode" "migrate Vm name=a1 destServer=ovs02" "Server ovs02 cannot receive Vm a1: maintenance mode"
step "ovs02 leaves maintenance mode" "edit Server name=ovs02 maintenanceMode=No"
# M-1, M-2
refused "M-1 destination is the current server" "migrate Vm name=a1 destServer=ovs03" "Vm a1 already runs on Server ovs03"
refused "M-2 destination in another pool" "migrate Vm name=a1 destServer=ovs04" \
    "Live migration is only possible within ServerPool pool1; stop Vm a1 to move it to another pool"
# L-2 memory, M-11 memory
u2=$(usable ovs02); u3=$(usable ovs03)
step "a Vm of 20000 MB" "create Vm name=big repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=20000 on ServerPool name=pool1"
refused "L-2 needs memory" "start Vm name=big" "$nopool big: ovs02: needs 20000 MB with $u2 MB usable; ovs03: needs 20000 MB with $u3 MB usable"
step "a Vm of $((u2 + 1)) MB runs on ovs03" "create Vm name=fat repository=repo1 domainType=XEN_HVM_PV_DRIVERS memory=$((u2 + 1)) on ServerPool name=pool1; start Vm name=fat"
refused "M-11 destination lacks memory" "migrate Vm name=fat destServer=ovs02" "Server ovs02 cannot receive Vm fat: needs $((u2 + 1)) MB with $u2 MB usable"
step "kill fat" "kill Vm name=fat"
# L-2 network missing
step "a Network without ports and a Vm on it" "create Network name=vmnet; create Vm name=n1 $R on ServerPool name=pool1; create Vnic name=nv network=vmnet on Vm name=n1"
refused "L-2 Network missing" "start Vm name=n1" "$nopool n1: ovs02: Network vmnet missing; ovs03: Network vmnet missing"
# L-2 repository not presented; M-8
step "repo2 presented to ovs03 only, its disk mapped by a1 (hot plug)" \
    "create Repository name=repo2 on FileSystem name=nfs:/repo2; add Server name=ovs03 to Repository name=repo2; create VirtualDisk name=r2d size=1 sparse=Yes shareable=No on Repository name=repo2; remove Server name=ovs02 from Repository name=repo2; create VmDiskMapping slot=1 virtualDisk=r2d on Vm name=a1"
refused "M-8 destination without a repository of the Vm" "migrate Vm name=a1 destServer=ovs02" "Server ovs02 has no access to Repository repo2 used by Vm a1"
step "r2d moves to the stopped n1 (without its Vnic), ovs03 in maintenance" \
    "delete Vnic name=nv; delete VmDiskMapping name=$(ovm 'show Vm name=a1'; sed -n 's/^  VmDiskMapping 1 = \([^ ]*\) .*/\1/p' <<<"$out"); create VmDiskMapping slot=1 virtualDisk=r2d on Vm name=n1; edit Server name=ovs03 maintenanceMode=Yes"
refused "L-2 Repository not presented" "start Vm name=n1" "$nopool n1: ovs02: Repository repo2 not presented; ovs03: maintenance mode"
step "ovs03 leaves maintenance mode" "edit Server name=ovs03 maintenanceMode=No"
# L-2 huge pages
step "a huge-pages Vm; ovs02 in maintenance" "create Vm name=hp $R hugePagesEnabled=Yes on ServerPool name=pool1; edit Server name=ovs02 maintenanceMode=Yes"
refused "L-2 huge pages mismatch" "start Vm name=hp" "$nopool hp: ovs02: maintenance mode; ovs03: huge pages mismatch"
step "ovs02 leaves maintenance mode" "edit Server name=ovs02 maintenanceMode=No"

# Anti-affinity. a1, b2 on ovs03; b1, c1 on ovs02.
step "group g1 with a1 and b1" "create AntiAffinityGroup name=g1 on ServerPool name=pool1; add Vm name=a1 to AntiAffinityGroup name=g1; add Vm name=b1 to AntiAffinityGroup name=g1"
# A-2
refused "A-2 b2 runs on ovs03 with a1" "add Vm name=b2 to AntiAffinityGroup name=g1" \
    "Job failed: Vm b2 and Vm a1 of AntiAffinityGroup g1 both run on Server ovs03; migrate one of them first"
ovm "show AntiAffinityGroup name=g1"
check "A-2 b2 was not added" bash -c "! grep -q '$(vmid b2)' <<<'$out'"
# A-4 / M-11
refused "A-4 migrate a1 onto b1's server" "migrate Vm name=a1 destServer=ovs02" "Server ovs02 cannot receive Vm a1: anti-affinity with b1"
# A-1, A-7
step "a Vm in pool2 and a template" "add Server name=ovs04 to Repository name=repo1; create Vm name=p2 $R on ServerPool name=pool2; clone Vm name=u1 destType=VmTemplate destName=tpl"
refused "A-1 a Vm of another pool" "add Vm name=p2 to AntiAffinityGroup name=g1" "Vm p2 is not in ServerPool pool1 of AntiAffinityGroup g1"
refused "A-7 templates cannot join" "add Vm name=tpl to AntiAffinityGroup name=g1" "Templates cannot join an AntiAffinityGroup"
# A-3, A-5, A-8
step "x1 joins g1 and g2 {b2}" "create AntiAffinityGroup name=g2 on ServerPool name=pool1; add Vm name=b2 to AntiAffinityGroup name=g2; add Vm name=x1 to AntiAffinityGroup name=g2; add Vm name=x1 to AntiAffinityGroup name=g1"
refused "A-3/A-8 both groups apply" "start Vm name=x1" "$nopool x1: ovs02: anti-affinity with b1; ovs03: anti-affinity with a1"
step "A-8 delete g1" "delete AntiAffinityGroup name=g1"
step "ovs02 inbound-locked" "edit Server name=ovs02 inboundMigrationLocked=Yes"
refused "A-5 a locked server is never chosen to satisfy a group" "start Vm name=x1" "$nopool x1: ovs02: inbound migration locked; ovs03: anti-affinity with b2"
step "A-8 ovs02 unlocked, x1 starts outside g2's server" "edit Server name=ovs02 inboundMigrationLocked=No; start Vm name=x1"
check "A-8 x1 runs on ovs02 (g2 excludes ovs03)" test "$(vm_host x1)" = ovs02

# M-10, C-5: server-local network
step "l1 on the server-local network loc of ovs03" "create Network name=loc server=ovs03; create Vm name=l1 $R on ServerPool name=pool1; create Vnic name=lv network=loc on Vm name=l1; start Vm name=l1"
check "§6.4 l1 runs on ovs03, the server of its network" test "$(vm_host l1)" = ovs03
refused "M-10 live migration with a server-local network" "migrate Vm name=l1 destServer=ovs02" \
    "Vm l1 uses server-local Network loc; remove that Vnic before migrating"
step "stop l1" "stop Vm name=l1"
refused "C-5 a Vm with a server-local network cannot leave its pool" "migrate Vm name=l1 destServerPool=pool2" \
    "Vm l1 uses server-local Network loc; remove that Vnic first"
refused "C-5 nor become unassigned" "migrate Vm name=l1" "Vm l1 uses server-local Network loc; remove that Vnic first"

# L-6, L-7
step "L-7 restart a1" "restart Vm name=a1"
check "L-7 a1 Running on the same server" test "$(vm_field a1 Status)/$(vm_host a1)" = "Running/ovs03"
check "L-7 the agent of ovs03 runs a1" agent_runs 3 "$(vmid a1)"
step "L-6 kill a1 with highAvailability=Yes" "edit Vm name=a1 highAvailability=Yes; kill Vm name=a1"
check "L-6 a1 Stopped, High Availability cleared" test "$(vm_field a1 Status)/$(vm_field a1 'High Availability')" = "Stopped/No"
check "L-6 no agent runs a1" bash -c "! grep -q '$(vmid a1)' <<<'$(agent_vms 2)$(agent_vms 3)'"

# C-1, C-2, C-4, C-6
refused "C-1 pool change needs a stopped Vm" "migrate Vm name=b1 destServerPool=pool2" "Cannot migrate Vm b1: its status is Running"
step "repo1 unpresented from ovs04" "remove Server name=ovs04 from Repository name=repo1"
refused "C-2 V-5 applies to the target pool" "migrate Vm name=a1 destServerPool=pool2" "Repository repo1 is not presented to any server of ServerPool pool2"
step "C-4 a1 in g2 moves to pool2" "add Vm name=a1 to AntiAffinityGroup name=g2; add Server name=ovs04 to Repository name=repo1; migrate Vm name=a1 destServerPool=pool2"
ovm "show Vm name=a1"
check "C-6 a1 in pool2 with no server" test "$(sed -n 's/^  Server Pool = .*\[\(.*\)\]$/\1/p' <<<"$out")/$(field Server)" = "pool2/"
ovm "show AntiAffinityGroup name=g2"
check "C-4 a1 left g2" bash -c "! grep -q '$(vmid a1)' <<<'$out'"
step "C-6 a1 starts in pool2" "start Vm name=a1"
check "C-6 a1 runs on ovs04" test "$(vm_host a1)" = ovs04

# Oracle VM 3.3's add Vm to Server|ServerPool, remove Vm from them: the
# same migrations (live to a server; a stopped Vm to a pool or Unassigned).
pool_of() { ovm "show Vm name=$1"; sed -n 's/^  Server Pool = .*\[\(.*\)\]$/\1/p' <<<"$out"; }
step "stop a1" "stop Vm name=a1"
refused "remove Vm from a pool it is not in" "remove Vm name=a1 from ServerPool name=pool1" "Vm a1 is not in ServerPool pool1"
step "remove Vm from ServerPool: a1 becomes Unassigned" "remove Vm name=a1 from ServerPool name=pool2"
check "a1 has no pool now" test -z "$(pool_of a1)"
step "add Vm to ServerPool: a1 joins pool2 again" "add Vm name=a1 to ServerPool name=pool2"
check "a1 is in pool2 again" test "$(pool_of a1)" = pool2
step "a1 starts on ovs04" "start Vm name=a1"
refused "add Vm to a Server of another pool while running" "add Vm name=a1 to Server name=ovs02" \
    "Live migration is only possible within ServerPool pool2; stop Vm a1 to move it to another pool"
step "mv1 runs in pool1" "create Vm name=mv1 repository=repo1 domainType=XEN_HVM on ServerPool name=pool1; start Vm name=mv1"
other=ovs02; [ "$(vm_host mv1)" = ovs02 ] && other=ovs03
mv1=$(vmid mv1)
check "mv1 has an id" test -n "$mv1"
step "add Vm to Server: mv1 migrates live to $other" "add Vm name=mv1 to Server name=$other"
check "mv1 runs on $other" test "$(vm_host mv1)" = "$other"
check "the agent of $other runs mv1" agent_runs "${other#ovs0}" "$mv1"
refused "remove Vm from a Server it is not on" "remove Vm name=mv1 from Server name=ovs04" "Vm mv1 is not in Server ovs04"
rv_stop
tap_done
