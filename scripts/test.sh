#!/usr/bin/env bash
# Installs what the tests need, then runs every check: gofmt, go vet, and go test over
# the whole module (unit tests, the decoder cross-check, and the differential tests that
# run each C program under weft and under qemu-riscv64).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
weft_setup

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
make -s -C tests/c
make -s -C examples
make -s -C bench/costs
go test -count=1 ./...
