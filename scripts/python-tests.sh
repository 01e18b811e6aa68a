#!/usr/bin/env bash
# python-tests.sh runs CPython's own tests for processes, threads and signals, from
# Debian's libpython3.13-testsuite, under weft in a guest root, and prints each test
# module's result line and the tests that failed.
#
#   scripts/python-tests.sh [MODULE...]   default: the modules below
#
# The root (the default packages plus libpython3.13-testsuite) is built once and
# cached. Each module runs in a fresh weft with regrtest's own result summary; the
# log of each is kept in $WEFT_PYTEST_LOGS (default ./python-tests-logs).
set -euo pipefail
cd "$(dirname "$0")/.."
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(test_fork1 test_threading test_subprocess test_signal test_os test_multiprocessing_fork)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/weft
root="$cache/rootfs-trixie-pytests"
scripts/rootfs.sh "$root" dash busybox-static coreutils procps python3 libpython3.13-testsuite >&2
logs=${WEFT_PYTEST_LOGS:-python-tests-logs}
mkdir -p "$logs"
weft="$logs/weft" # its own build: other scripts rebuild ./weft
go build -o "$weft" ./cmd/weft
for m in "${modules[@]}"; do
	start=$(date +%s)
	set +e
	"$weft" run --root "$root" --cpus 2 --max-insns 2000000000000 --max-memory 8G \
		python3 -m test "$m" -v >"$logs/$m.log" 2>&1
	status=$?
	set -e
	secs=$(($(date +%s) - start))
	summary=$(grep -E '^Total tests:' "$logs/$m.log" | tail -1 || true)
	result=$(grep -E '^Result:' "$logs/$m.log" | tail -1 || true)
	printf '%-28s exit %-3s %5ss  %s  %s\n' "$m" "$status" "$secs" "${summary:-no summary}" "${result:-}"
	grep -E '\.\.\. (FAIL|ERROR)$' "$logs/$m.log" | sed 's/^/    /' | sort -u | head -40 || true
done
