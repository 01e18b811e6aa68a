#!/usr/bin/env bash
# rootfs.sh makes a guest root file system for `weft run --root` from Debian's riscv64
# packages (the trixie release), through the Debian archive the host's apt
# configuration already uses: no mirror is named here.
#
#   scripts/rootfs.sh DIR [PACKAGE...]   make a root in DIR with these packages and
#                                        what they depend on
#   scripts/rootfs.sh --default          print the path of the default root, making it
#                                        first if it is not cached
#
# The default set is dash (/bin/sh), busybox-static, coreutils, procps (ps, top, free,
# pgrep), python3, grep, sed and ncurses-base (the terminfo top needs).
# apt runs with a private state directory and APT::Architecture=riscv64, so the host's
# own package state is never touched; packages are unpacked with dpkg-deb (their
# maintainer scripts never run: they are riscv64 programs), and the root then gets what
# those scripts and an installer would have added: the usrmerge links, /bin/sh,
# /etc/passwd, /etc/group, /etc/hosts, /etc/nsswitch.conf, /etc/hostname.
#
# A root is made once per package list and kept: DIR/.weft-rootfs records the list,
# and a DIR that already has it is left as it is. WEFT_DEBIAN_MIRROR overrides the
# archive found in the host's apt configuration (on Ubuntu, whose own archive has no
# Debian packages, it must be set).
set -euo pipefail

DEFAULT_PACKAGES=(dash busybox-static coreutils procps python3 grep sed ncurses-base e2fsprogs kmod)
SUITE=trixie

die() { echo "rootfs: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=setup.sh
. "$here/setup.sh"

if [ "${1:-}" = "--default" ]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/weft
	dir="$cache/rootfs-$SUITE-$(printf '%s\n' "${DEFAULT_PACKAGES[@]}" | sha256sum | cut -c1-12)"
	"$0" "$dir" "${DEFAULT_PACKAGES[@]}" >&2
	echo "$dir"
	exit 0
fi
[ $# -ge 1 ] || die "usage: rootfs.sh DIR [PACKAGE...] | rootfs.sh --default"
dir=$1
shift
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=("${DEFAULT_PACKAGES[@]}")
stamp="suite=$SUITE packages=${pkgs[*]}"
if [ -f "$dir/.weft-rootfs" ] && [ "$(cat "$dir/.weft-rootfs")" = "$stamp" ]; then
	echo "rootfs: $dir is up to date ($stamp)"
	exit 0
fi
[ ! -e "$dir" ] || [ -z "$(ls -A "$dir" 2>/dev/null)" ] || [ -f "$dir/.weft-rootfs" ] ||
	die "$dir exists and is not a root this script made; give an empty or new directory"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
for tool in apt-get dpkg-deb; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is missing: rootfs.sh needs a Debian or Ubuntu host"
done
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [ ! -r "$keyring" ]; then
	echo "rootfs: installing debian-archive-keyring" >&2
	$sudo apt-get install -y -qq debian-archive-keyring >&2 || die "cannot install debian-archive-keyring"
fi
mirror=${WEFT_DEBIAN_MIRROR:-$(weft_debian_mirror)}
[ -n "$mirror" ] || die "the host's apt configuration names no Debian archive; set WEFT_DEBIAN_MIRROR to one"

work=$(mktemp -d "${TMPDIR:-/tmp}/weft-rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/etc/sources.list.d" "$work/etc/preferences.d" "$work/etc/apt.conf.d" \
	"$work/state/lists/partial" "$work/cache/archives/partial"
touch "$work/state/status"
cat >"$work/etc/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $SUITE
Components: main
Architectures: riscv64
Signed-By: $keyring
EOF
apt=(apt-get -q
	-o "Dir::Etc=$work/etc" -o "Dir::Etc::SourceList=/dev/null"
	-o "Dir::Etc::SourceParts=$work/etc/sources.list.d"
	-o "Dir::Etc::Parts=$work/etc/apt.conf.d" -o "Dir::Etc::PreferencesParts=$work/etc/preferences.d"
	-o "Dir::State=$work/state" -o "Dir::State::status=$work/state/status"
	-o "Dir::Cache=$work/cache" -o "APT::Architecture=riscv64" -o "APT::Architectures=riscv64"
	-o "Debug::NoLocking=1" -o "APT::Sandbox::User=$(id -un)")
echo "rootfs: reading the $SUITE riscv64 package lists from $mirror" >&2
"${apt[@]}" update >&2 || die "apt-get update failed"
echo "rootfs: downloading ${pkgs[*]} and their dependencies" >&2
"${apt[@]}" install -y --download-only --no-install-recommends "${pkgs[@]}" >&2 ||
	die "apt-get could not download the packages"

new="$dir.new.$$"
rm -rf "$new"
mkdir -p "$new"
# usrmerge: /bin, /sbin and /lib are links into /usr, as on every Debian since 12.
mkdir -p "$new/usr/bin" "$new/usr/sbin" "$new/usr/lib"
for d in bin sbin lib; do ln -s "usr/$d" "$new/$d"; done
count=0
for deb in "$work"/cache/archives/*.deb; do
	dpkg-deb -x "$deb" "$new" || die "cannot unpack $deb"
	count=$((count + 1))
done
# What maintainer scripts and the installer would have made.
[ -e "$new/usr/bin/sh" ] || ln -s dash "$new/usr/bin/sh"
mkdir -p "$new/etc" "$new/tmp" "$new/root" "$new/home/user" "$new/proc" "$new/dev" "$new/var/tmp" "$new/run"
chmod 1777 "$new/tmp" "$new/var/tmp"
chown 1000:1000 "$new/home/user" 2>/dev/null || true
cat >"$new/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
user:x:1000:1000:weft user:/home/user:/bin/sh
EOF
cat >"$new/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
users:x:100:user
nogroup:x:65534:
user:x:1000:
EOF
echo weft >"$new/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tweft\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$new/etc/hosts"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\nnetworks: files\nprotocols: files\nservices: files\n' >"$new/etc/nsswitch.conf"
echo "$stamp" >"$new/.weft-rootfs"
rm -rf "$dir"
mv "$new" "$dir"
echo "rootfs: $dir: $count packages ($(du -sh "$dir" | cut -f1))" >&2
