# shellcheck shell=bash
# Sourced by weft's scripts: makes sure the tools weft needs are installed on a Debian
# or Ubuntu machine, installing the missing ones with apt-get (through sudo when not
# root), and puts Go on PATH. It fails, never skips, when a tool cannot be had.
#
#   Go >= 1.21           to build weft; go.mod asks for Go 1.26, which a Go >= 1.21 fetches
#                        by itself through the Go module proxy (GOTOOLCHAIN=auto)
#   riscv64-linux-gnu-gcc  builds the example and test programs (gcc-riscv64-linux-gnu)
#   qemu-riscv64         the reference the differential tests compare against (qemu-user)
#   gdb-multiarch        the debugger tests/gdb_test.go drives against weft run --gdb
#   make
#   autoconf automake m4 bison flex file   build the LTP subset for tests/ltp
#   chromium             the headless browser tests/view_test.go drives weft view in

weft_go_ok() {
	command -v go >/dev/null 2>&1 || return 1
	local v
	v=$(go env GOVERSION 2>/dev/null) || return 1
	v=${v#go}
	local major=${v%%.*} rest=${v#*.}
	local minor=${rest%%.*}
	[ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 21 ]; }
}

# weft_debian_mirror prints the Debian archive the host's apt configuration already
# uses (a "deb URI suite" line or a deb822 "URIs:" field), so that weft's scripts never
# name a mirror of their own.
weft_debian_mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		sed -nE -e 's/^deb(\s+\[[^]]*\])?\s+(\S+)\s.*/\2/p' -e 's/^URIs:\s+(\S+).*/\1/p' "$f"
	done | grep -E '/debian/?$' | head -n1
}

weft_setup() {
	# Debian's Go packages default to GOTOOLCHAIN=local; weft needs the toolchain go.mod
	# names, which Go downloads through the module proxy when allowed to.
	export GOTOOLCHAIN=auto
	local sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || { echo "weft setup: need root or sudo to install packages" >&2; return 1; }
		sudo="sudo"
	fi
	for d in /usr/local/go/bin /usr/lib/go-1.2[1-9]/bin; do
		[ -x "$d/go" ] && ! weft_go_ok && export PATH="$d:$PATH"
	done
	local pkgs=()
	command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 || pkgs+=(gcc-riscv64-linux-gnu libc6-dev-riscv64-cross)
	command -v qemu-riscv64 >/dev/null 2>&1 || pkgs+=(qemu-user)
	command -v make >/dev/null 2>&1 || pkgs+=(make)
	command -v gdb-multiarch >/dev/null 2>&1 || pkgs+=(gdb-multiarch)
	# The LTP suite (tests/ltp) builds with autotools, bison and flex.
	for tool in autoconf automake m4 bison flex file; do
		command -v "$tool" >/dev/null 2>&1 || pkgs+=("$tool")
	done
	# weft view's test drives the page in a real headless browser.
	command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
	weft_go_ok || pkgs+=(go)
	[ ${#pkgs[@]} -eq 0 ] && return 0

	echo "weft setup: installing ${pkgs[*]} with apt-get (a few minutes on a fresh machine)" >&2
	export DEBIAN_FRONTEND=noninteractive
	echo "weft setup: apt-get update" >&2
	$sudo apt-get update -qq || return 1
	local want=()
	for p in "${pkgs[@]}"; do
		[ "$p" = go ] || want+=("$p")
	done
	if [[ " ${pkgs[*]} " == *" go "* ]]; then
		local gopkg=""
		for v in 1.24 1.23 1.22; do
			if apt-cache show "golang-$v-go" >/dev/null 2>&1; then gopkg="golang-$v-go"; break; fi
		done
		local mirror
		mirror=$(weft_debian_mirror)
		if [ -z "$gopkg" ] && [ -n "$mirror" ] && grep -q 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
			echo "weft setup: Debian 12's own Go is too old; adding bookworm-backports (from $mirror) for golang-1.23-go" >&2
			echo "deb $mirror bookworm-backports main" |
				$sudo tee /etc/apt/sources.list.d/weft-bookworm-backports.list >/dev/null
			$sudo apt-get update -qq || return 1
			gopkg=golang-1.23-go
		fi
		[ -n "$gopkg" ] || gopkg=golang-go
		want+=("$gopkg")
	fi
	echo "weft setup: apt-get install ${want[*]}" >&2
	$sudo apt-get install -y -qq "${want[@]}" >/dev/null || { echo "weft setup: apt-get install ${want[*]} failed" >&2; return 1; }
	for d in /usr/lib/go-1.2[1-9]/bin; do
		[ -x "$d/go" ] && ! weft_go_ok && export PATH="$d:$PATH"
	done
	local missing=""
	command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 || missing+=" riscv64-linux-gnu-gcc"
	command -v qemu-riscv64 >/dev/null 2>&1 || missing+=" qemu-riscv64"
	command -v make >/dev/null 2>&1 || missing+=" make"
	command -v gdb-multiarch >/dev/null 2>&1 || missing+=" gdb-multiarch"
	for tool in autoconf automake m4 bison flex file chromium; do
		command -v "$tool" >/dev/null 2>&1 || missing+=" $tool"
	done
	weft_go_ok || missing+=" go>=1.21"
	if [ -n "$missing" ]; then
		echo "weft setup: still missing:$missing" >&2
		return 1
	fi
}
