#!/usr/bin/env bash
# ovmsh test command (see README.md): installs missing Debian build/test
# dependencies, builds in build/ and runs `make check`, repeats in build-asan/
# under AddressSanitizer + UBSan, then runs `make distcheck`.
# The last line of output is always "N passed, M failed[, K skipped]".
#
# Usage: ./test.sh [--quick]    --quick: skip the ASan build and distcheck.
# Works without a tty or stdin; exit status is non-zero if anything failed.
set -u
exec </dev/null

here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 1

quick=0
for arg in "$@"; do
    case $arg in
        --quick) quick=1 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "test.sh: unknown option '$arg'" >&2; exit 2 ;;
    esac
done

jobs=$(nproc 2>/dev/null || echo 2)
asan_flags="-g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer"
# Step failures that are not test results (install, configure, build).
step_failures=0
failed_steps=()

. "$here/tools/deps.sh"

# step NAME COMMAND...: runs a build step, records its failure.
step() {
    local name=$1; shift
    echo "== $name"
    if ! "$@"; then
        echo "== $name: FAILED" >&2
        step_failures=$((step_failures + 1))
        failed_steps+=("$name")
        return 1
    fi
}

bootstrap() {
    mkdir -p m4 && autoreconf -fi  # m4/: no macros of ours, but aclocal warns without it
}

# build_and_check DIR [configure variables...]
build_and_check() {
    local dir=$1; shift
    mkdir -p "$dir" || return 1
    # Stale .trs files from an earlier run would be counted otherwise.
    find "$dir" -name '*.trs' -delete 2>/dev/null
    (cd "$dir" && "$here/configure" -q "$@") || return 1
    (cd "$dir" && make -j"$jobs" >make.log 2>&1) || { tail -40 "$dir/make.log" >&2; return 1; }
    # A failing test is counted from its .trs file; make check failing with
    # no failing .trs (a check program that does not build) is a step failure.
    (cd "$dir" && make -j"$jobs" check) && return 0
    grep -rqE '^:test-result: *(FAIL|XPASS|ERROR)' --include='*.trs' "$dir"
}

distcheck() {
    (cd build && make -j"$jobs" distcheck >distcheck.log 2>&1) || { tail -60 build/distcheck.log >&2; return 1; }
}

# count_results DIR...: sums the results of every .trs file into pass/fail/
# skip and prints the log path of every failing test.
pass=0 fail=0 skip=0
count_results() {
    local trs r
    while IFS= read -r trs; do
        while IFS= read -r r; do
            case $r in
                PASS) pass=$((pass + 1)) ;;
                FAIL|XPASS|ERROR) fail=$((fail + 1)) ;;
                # A known failure (TAP TODO) has not passed: it counts as skipped.
                SKIP|XFAIL) skip=$((skip + 1)) ;;
            esac
        done < <(sed -n 's/^:test-result: *\([A-Z]*\).*/\1/p' "$trs")
        if grep -Eq '^:test-result: *(FAIL|XPASS|ERROR)' "$trs"; then
            echo "failing log: $here/${trs%.trs}.log"
        fi
    done < <(find "$@" -name '*.trs' -not -path '*/ovmsh-*/*' 2>/dev/null | sort)
}

step "install dependencies" install_deps
step "autoreconf" bootstrap
dirs=()
if step "build + check (build/)" build_and_check build; then :; fi
dirs+=(build)
if [ "$quick" -eq 0 ]; then
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    export ASAN_OPTIONS UBSAN_OPTIONS
    step "build + check (build-asan/)" build_and_check build-asan \
        CFLAGS="$asan_flags" LDFLAGS="-fsanitize=address,undefined"
    dirs+=(build-asan)
    step "distcheck (build/)" distcheck
fi

count_results "${dirs[@]}"
for s in "${failed_steps[@]+"${failed_steps[@]}"}"; do
    echo "failed step: $s"
done
fail=$((fail + step_failures))
line="$pass passed, $fail failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ "$fail" -eq 0 ]
