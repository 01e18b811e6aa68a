#!/bin/sh
# Speed benchmark: runs the programs in bench/ under weft, under qemu-riscv64 and
# natively, checks that all three print the same checksum line, and prints a table.
#
#	scripts/bench.sh [--quick]
#
# Each measurement is run 3 times and the best (smallest) time is reported; --quick runs
# each once. "weft s" is the time weft's --stats line reports (the guest's run, without
# loading weft and the program); "wall s" is the wall time of the whole weft process.
# MIPS are guest instructions (as weft counts them) per second; qemu runs the same
# binary, so its MIPS are the same count divided by qemu's wall time.
# Needs Go, make, riscv64-linux-gnu-gcc and qemu-riscv64; a host cc is optional (native
# column). WEFT_ENGINE=interp (or block) measures that engine instead of the default
# (the compiler engine on amd64); the last line names the engine weft's --stats reported.
set -eu

runs=3
case "${1:-}" in
--quick) runs=1 ;;
"") ;;
-h | --help)
	sed -n '2,15s/^# \{0,1\}//p' "$0"
	exit 0
	;;
*)
	echo "usage: $0 [--quick]" >&2
	exit 2
	;;
esac

die() {
	echo "bench: $*" >&2
	exit 1
}

missing=
command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 || missing="$missing gcc-riscv64-linux-gnu"
command -v qemu-riscv64 >/dev/null 2>&1 || missing="$missing qemu-user"
command -v make >/dev/null 2>&1 || missing="$missing make"
if [ -n "$missing" ]; then
	die "missing tools; on Debian/Ubuntu install them with: apt-get install$missing"
fi
command -v go >/dev/null 2>&1 || die "go is not on PATH"

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$root"

echo "bench: building weft" >&2
go build -o "$tmp/weft" ./cmd/weft
echo "bench: building the programs" >&2
make -s -C bench >&2
native=yes
if ! command -v cc >/dev/null 2>&1; then
	echo "bench: no host cc: skipping the native column" >&2
	native=no
elif ! make -s -C bench native >&2; then
	echo "bench: native build failed: skipping the native column" >&2
	native=no
fi

progs="intloop memwalk calls bytecode float atomics"

# weft's flags for a program: atomics runs 4 threads on 4 CPUs interleaved at every
# instruction, what costs weft a hart switch per instruction.
flags() {
	case $1 in
	atomics) echo "--cpus 4 --step 1" ;;
	esac
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b + 0 < a + 0) print b; else print a }'; }

# check NAME WHAT FILE: the output FILE must equal the reference checksum line.
check() {
	if ! cmp -s "$tmp/ref" "$3"; then
		{
			echo "bench: $1: $2 printed a different checksum"
			echo "  expected (first weft run):"
			sed 's/^/    /' "$tmp/ref"
			echo "  got:"
			sed 's/^/    /' "$3"
		} >&2
		exit 1
	fi
}

table="$tmp/table"
printf '%-9s %9s %8s %8s %7s %8s %8s %8s %9s\n' \
	program "Minsns" "weft s" "wall s" "MIPS" "qemu s" "MIPS" "native s" "weft/qemu" >"$table"

for p in $progs; do
	bin="bench/bin/$p"
	[ -x "$bin" ] || die "$bin was not built"
	best_weft= best_wall= best_qemu= best_native= insns=
	i=1
	while [ "$i" -le "$runs" ]; do
		echo "bench: $p: run $i/$runs: weft" >&2
		t0=$(now)
		status=0
		# shellcheck disable=SC2046 # flags are words
		"$tmp/weft" run --stats $(flags "$p") "$bin" >"$tmp/out" 2>"$tmp/err" || status=$?
		t1=$(now)
		if [ "$status" -ne 0 ]; then
			{
				echo "bench: $p: weft exited with status $status; its stderr:"
				sed 's/^/    /' "$tmp/err"
				echo "  reproduce: (cd $root && go build -o /tmp/weft-bench ./cmd/weft && make -C bench && /tmp/weft-bench run --stats $bin)"
			} >&2
			exit 1
		fi
		line=$(grep '^weft: [0-9]* instructions in ' "$tmp/err" | tail -n 1 || true)
		[ -n "$line" ] || die "$p: no --stats line in weft's stderr: $(cat "$tmp/err")"
		n=$(echo "$line" | awk '{ print $2 }')
		secs=$(echo "$line" | awk '{ print $5 }')
		engine=$(echo "$line" | sed -n 's/.*, \([a-z]*\) engine$/\1/p')
		if [ -z "$insns" ]; then
			insns=$n
			cp "$tmp/out" "$tmp/ref"
			[ -s "$tmp/ref" ] || die "$p: weft's run printed nothing"
		elif [ "$n" != "$insns" ]; then
			die "$p: weft is not deterministic: $insns instructions in the first run, $n in run $i"
		fi
		check "$p" "weft (run $i)" "$tmp/out"
		best_weft=$(min "$best_weft" "$secs")
		best_wall=$(min "$best_wall" "$(elapsed "$t0" "$t1")")

		echo "bench: $p: run $i/$runs: qemu" >&2
		t0=$(now)
		status=0
		qemu-riscv64 "$bin" >"$tmp/out" 2>"$tmp/err" || status=$?
		t1=$(now)
		[ "$status" -eq 0 ] || die "$p: qemu-riscv64 exited with status $status: $(cat "$tmp/err")"
		check "$p" "qemu-riscv64" "$tmp/out"
		best_qemu=$(min "$best_qemu" "$(elapsed "$t0" "$t1")")

		if [ "$native" = yes ]; then
			echo "bench: $p: run $i/$runs: native" >&2
			t0=$(now)
			status=0
			"bench/bin/native-$p" >"$tmp/out" 2>"$tmp/err" || status=$?
			t1=$(now)
			[ "$status" -eq 0 ] || die "$p: the native build exited with status $status: $(cat "$tmp/err")"
			check "$p" "the native build" "$tmp/out"
			best_native=$(min "$best_native" "$(elapsed "$t0" "$t1")")
		fi
		i=$((i + 1))
	done
	awk -v p="$p" -v n="$insns" -v w="$best_weft" -v wall="$best_wall" -v q="$best_qemu" -v nat="$best_native" 'BEGIN {
		printf "%-9s %9.1f %8.3f %8.3f %7.1f %8.3f %8.1f %8s %9.1f\n", p, n / 1e6, w, wall,
			n / w / 1e6, q, n / q / 1e6, nat == "" ? "-" : sprintf("%.3f", nat), wall / q
	}' >>"$table"
done

cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$root" status --porcelain 2>/dev/null)" ]; then
	rev="$rev+dirty"
fi
echo
cat "$table"
echo "best of $runs; weft $rev, engine ${engine:-unknown}; $(nproc) CPUs, ${cpu:-unknown CPU}; $(go version); $(qemu-riscv64 --version | head -n 1)"
