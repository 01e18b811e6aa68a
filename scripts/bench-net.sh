#!/usr/bin/env bash
# Times a socket round trip (a 64-byte message to another process and back) over a
# Unix stream socketpair and over a TCP connection on 127.0.0.1, on three systems
# running the same C program (bench/net/pingpong.c): the host's Linux (compiled
# natively), qemu-riscv64, and weft (host time, one simulated CPU; the native and qemu
# runs pin both processes to CPU 0).
#
# Each cost is (time of 2N round trips - time of N) / N, so start-up does not count;
# the best of 3. Usage: scripts/bench-net.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3
n=20000
[ "${1:-}" = --quick ] && { runs=1; n=5000; }
for tool in riscv64-linux-gnu-gcc qemu-riscv64 cc; do
	command -v "$tool" >/dev/null || { echo "bench-net: $tool is missing (scripts/test.sh installs the tools)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/weft" ./cmd/weft
make -s -C bench/net

. scripts/bench-lib.sh

# per RUNNER MODE: microseconds per round trip.
per() {
	local cmd=()
	case $1 in
	native) cmd=(bench/net/bin/native-pingpong) ;;
	qemu) cmd=(qemu-riscv64 bench/net/bin/pingpong) ;;
	weft) cmd=("$tmp/weft" run --cpus 1 bench/net/bin/pingpong) ;;
	esac
	local t1 t2
	t1=$(best "${cmd[@]}" "$2" "$n")
	t2=$(best "${cmd[@]}" "$2" "$((2 * n))")
	awk -v a="$t1" -v b="$t2" -v n="$n" 'BEGIN { printf "%10.1f µs", (b - a) * 1e6 / n }'
}

printf "%-30s %13s %13s %13s\n" "round trip (host time)" "Linux native" "qemu-riscv64" "weft"
for mode in unix tcp; do
	label="Unix socketpair"
	[ $mode = tcp ] && label="TCP on 127.0.0.1"
	printf "%-30s %s %s %s\n" "$label" "$(per native $mode)" "$(per qemu $mode)" "$(per weft $mode)"
done
