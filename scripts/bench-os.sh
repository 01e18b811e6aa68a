#!/usr/bin/env bash
# Times processes and threads on three systems running the same C programs
# (bench/costs): the host's Linux (compiled natively), qemu-riscv64, and weft (host
# time, one simulated CPU, as the native runs are pinned to one CPU):
#
#   fork+exit+wait of a small process; of a process with a 256 MiB heap touched;
#   pthread_create+join; a pipe ping-pong between two processes (a round trip); a
#   futex ping-pong between two threads.
#
# Each cost is (time of 2N iterations - time of N) / N, so start-up does not count;
# the best of 3. Usage: scripts/bench-os.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3
[ "${1:-}" = --quick ] && runs=1
for tool in riscv64-linux-gnu-gcc qemu-riscv64 cc; do
	command -v "$tool" >/dev/null || { echo "bench-os: $tool is missing (scripts/test.sh installs the tools)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/weft" ./cmd/weft
make -s -C bench/costs all native

. scripts/bench-lib.sh

# per RUNNER N PROG ARGS... (the iteration count is the last argument)
per() {
	local runner=$1 n=$2 prog=$3
	shift 3
	local cmd=()
	case $runner in
	native) cmd=("bench/costs/bin/native-$prog") ;;
	qemu) cmd=(qemu-riscv64 "bench/costs/bin/$prog") ;;
	weft) cmd=("$tmp/weft" run --cpus 1 "bench/costs/bin/$prog") ;;
	esac
	local t1 t2
	t1=$(best "${cmd[@]}" "$@" "$n")
	t2=$(best "${cmd[@]}" "$@" "$((2 * n))")
	awk -v a="$t1" -v b="$t2" -v n="$n" 'BEGIN { print (b - a) * 1e6 / n }'
}

fmt() { printf "%10.1f µs" "$1"; }

printf "%-34s %13s %13s %13s\n" "per operation (host time)" "Linux native" "qemu-riscv64" "weft"
row() {
	local label=$1 n=$2
	shift 2
	printf "%-34s %s %s %s\n" "$label" "$(fmt "$(per native "$n" "$@")")" \
		"$(fmt "$(per qemu "$n" "$@")")" "$(fmt "$(per weft "$n" "$@")")"
}
row "fork+exit+wait"                     400 create process
row "fork+exit+wait, 256 MiB heap"       100 forkheap 256
row "pthread_create+join"                400 create thread
row "pipe round trip, 2 processes"      4000 switch process
row "futex round trip, 2 threads"       4000 switch thread
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); $(go version | cut -d' ' -f3); $(qemu-riscv64 --version | head -1)"
