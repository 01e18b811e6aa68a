# shellcheck shell=bash
# Sourced by weft's timing scripts (bench-os.sh, bench-net.sh, bench-root.sh).

# best CMD...: the smallest wall-clock time of CMD over $runs runs, in seconds. A run
# that fails ends the script: a benchmark of a failing command measures nothing.
best() {
	local b=""
	for _ in $(seq "$runs"); do
		local s e t
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || { echo "$(basename "$0"): failed: $*" >&2; exit 1; }
		e=$(date +%s.%N)
		t=$(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }')
		if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
	done
	echo "$b"
}
