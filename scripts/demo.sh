#!/usr/bin/env bash
# Installs what weft needs, builds weft (./weft) and the bundled example programs, runs
# hello world under weft, then the guided tour: one lesson per property of processes
# and threads, each with the evidence weft measured. Each step says what it does
# first: on a fresh machine the installs and the first build take a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'demo.sh: %s\n' "$*" >&2; }
. scripts/setup.sh
say "checking for Go, the riscv64 cross compiler, qemu-riscv64 and make (installing what is missing)"
weft_setup

say "building weft: go build -o weft ./cmd/weft (the first build fetches the Go toolchain go.mod names, and takes a minute or two)"
go build -o weft ./cmd/weft
say "building the example programs for riscv64: make -C examples"
make -s -C examples
say "ready"
echo
echo "\$ ./weft run examples/bin/hello"
./weft run examples/bin/hello
echo
# The lesson programs just built from examples/lessons; plain ./weft demo runs the copies
# built into weft, which are the same bytes (TestEmbeddedMatchSources checks).
./weft demo --dir examples/bin

echo
say "a real userland: building (once) a guest root from Debian trixie's riscv64 packages: scripts/rootfs.sh --default"
root=$(scripts/rootfs.sh --default)
say "ready: $root"
echo
echo "# Debian's dash, procps and python3, dynamically linked, in weft: a shell starts python3,"
echo "# which forks; each process starts a second thread, and ps lists them all (NLWP: threads)."
cmd='python3 -c "import os, threading, time; pid = os.fork(); t = threading.Thread(target=time.sleep, args=(1,)); t.start(); print(\"process\", os.getpid(), \"runs\", threading.active_count(), \"threads\", flush=True); t.join(); os._exit(0) if pid == 0 else os.waitpid(pid, 0)" & sleep 0.5; ps -o pid,ppid,stat,nlwp,comm; wait'
echo "\$ ./weft run --root $root --summary sh -c '$cmd'"
./weft run --root "$root" --summary sh -c "$cmd"
