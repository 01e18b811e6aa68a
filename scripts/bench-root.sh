#!/usr/bin/env bash
# bench-root.sh times Debian's dynamically linked programs from the default guest root
# under weft and under qemu-riscv64 -L ROOT: the same binaries, the best of N runs of
# each (wall-clock), and weft's instruction count for each command. The Python
# workloads in bench/py (calls, sorting, strings: what Lua's benchmarks exercise) are
# mounted into the guest at their host path, where qemu finds them too.
#
#   scripts/bench-root.sh [N]     (default N=5)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}
root=$(scripts/rootfs.sh --default)
go build -o weft ./cmd/weft
runs=$n
py=$PWD/bench/py
mount=(--mount "$py:$py")
stats=$(mktemp)
trap 'rm -f "$stats"' EXIT
# shellcheck source=bench-lib.sh
. scripts/bench-lib.sh
printf '%-34s %14s %9s %9s %7s\n' command instructions weft qemu ratio
while IFS='|' read -r name args; do
	read -ra argv <<<"${args//\$py/$py}"
	# One run of each first: the same output, and weft's instruction count.
	wout=$(./weft run --stats --root "$root" "${mount[@]}" "${argv[@]}" 2>"$stats")
	qout=$(qemu-riscv64 -L "$root" "$root/usr/bin/${argv[0]}" "${argv[@]:1}")
	[ "$wout" = "$qout" ] || { echo "bench-root: $name: weft and qemu-riscv64 print different output" >&2; exit 1; }
	insns=$(sed -n 's/^weft: \([0-9]*\) instructions.*/\1/p' "$stats")
	w=$(best ./weft run --root "$root" "${mount[@]}" "${argv[@]}")
	q=$(best qemu-riscv64 -L "$root" "$root/usr/bin/${argv[0]}" "${argv[@]:1}")
	printf '%-34s %14s %8.3fs %8.3fs %6.1fx\n' "$name" "$insns" "$w" "$q" "$(echo "$w / $q" | bc -l)"
done <<'EOF'
python3 -c pass|python3 -c pass
python3 -c 'sum(range(10**6))'|python3 -c sum(range(10**6))
ls /usr/bin|ls /usr/bin
sort /etc/passwd|sort /etc/passwd
python3 bench/py/fib.py|python3 $py/fib.py
python3 bench/py/sort.py|python3 $py/sort.py
python3 bench/py/strings.py|python3 $py/strings.py
EOF
