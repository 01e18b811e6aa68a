#!/usr/bin/env bash
# Installs what weft needs, builds weft (./weft), the bundled example programs and the
# cost benchmarks (for ./weft bench), runs
# hello world under weft, then the guided tour: one lesson per property of processes
# and threads, each with the evidence weft measured.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
weft_setup

go build -o weft ./cmd/weft
make -s -C examples
make -s -C bench/costs # for ./weft bench
echo "\$ ./weft run examples/bin/hello"
./weft run examples/bin/hello
echo
./weft demo
