#!/usr/bin/env bash
# Installs what weft needs, builds weft and the bundled examples, and runs each example
# under weft.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
weft_setup

go build -o weft ./cmd/weft
make -s -C examples
run() {
	echo
	echo "\$ ./weft run $*"
	./weft run "$@" || echo "(exit status $?)"
}
run examples/bin/hello
run --env GREETING=hi examples/bin/args one "two words" three
run --stats examples/bin/primes
