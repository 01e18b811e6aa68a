#!/usr/bin/env bash
# Installs what the tests need, then runs every check: gofmt, go vet, and go test over
# the whole module (unit tests, the decoder cross-check, and the differential tests that
# run each C program under weft and under qemu-riscv64).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'test.sh: %s\n' "$*" >&2; }
. scripts/setup.sh
say "checking for Go, the riscv64 cross compiler, qemu-riscv64 and make (installing what is missing)"
weft_setup
say "gofmt and go vet"

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
say "building the riscv64 test, example and cost programs"
make -s -C tests/c
make -s -C tests/expect
make -s -C examples
make -s -C bench/costs
make -s -C tests/gdb
say "the guest root for tests/root_test.go: scripts/rootfs.sh --default (Debian trixie riscv64 packages, cached)"
scripts/rootfs.sh --default >/dev/null
say "go test ./... (builds weft, then runs each test program under weft and under qemu-riscv64;"
say "tests/ltp builds the LTP subset once, a few minutes, into the user's cache directory)"
go test -count=1 -timeout 45m ./...
