#!/bin/sh
# A stand-in for weft, for checking the test suite itself before weft can
# run programs:  WEFT_BIN=$PWD/tests/qemu-weft.sh go test ./tests/
#
# "qemu-weft.sh run PROGRAM ARGS..." runs PROGRAM under qemu-riscv64 with
# weft's fixed guest environment, after making the same checks weft makes
# on its input, with messages in weft's style, so that TestBadInput
# passes too.  It is not part of weft and is never used unless WEFT_BIN
# points at it.
set -u
if [ "${1-}" = run ]; then
	shift
fi
if [ $# -lt 1 ]; then
	echo "weft: usage: weft run PROGRAM [ARGS...]" >&2
	exit 2
fi
prog=$1
fail() {
	echo "weft: $prog: $*" >&2
	exit 1
}
[ -e "$prog" ] || fail "no such file or directory"
[ -f "$prog" ] || fail "not a regular file"
# ELF header fields, as decimal bytes.
hdr=$(od -A n -t u1 -N 20 -v "$prog" | tr -s ' \n' '  ')
magic=$(echo $hdr | cut -d' ' -f1-4)
[ "$magic" = "127 69 76 70" ] || fail "not an ELF file"
class=$(echo $hdr | cut -d' ' -f5)
machine=$(echo $hdr | cut -d' ' -f19)
[ -n "$machine" ] || fail "not an ELF file (truncated header)"
[ "$machine" = 243 ] || fail "not a RISC-V executable (e_machine $machine)"
[ "$class" = 2 ] || fail "not a 64-bit ELF file (only riscv64 is supported)"
phdrs=$(riscv64-linux-gnu-readelf -lW "$prog" 2>&1)
case $phdrs in
*Error*) fail "truncated or corrupt ELF file" ;;
*INTERP*) fail "dynamically linked executables are not supported; link with -static" ;;
esac
# weft's default guest environment.  qemu-riscv64 7.2 hands its own
# environment to the guest in reverse order, hence the reversed list.
exec env -i \
	PWD=/home/user \
	LANG=C.UTF-8 \
	TERM=dumb \
	SHELL=/bin/sh \
	LOGNAME=user \
	USER=user \
	HOME=/home/user \
	PATH=/usr/local/bin:/usr/bin:/bin \
	qemu-riscv64 "$@"
