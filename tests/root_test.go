package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"weft/tests/internal/guestroot"
)

// Debian's own riscv64 programs, dynamically linked, run from a guest root that
// scripts/rootfs.sh builds from trixie's packages (dash, busybox-static, coreutils,
// procps, python3) and caches. Programs that exec nothing are compared with
// qemu-riscv64 -L ROOT; when a program execs another, qemu-user runs the host's program
// instead of the guest's (it has no guest file system), so those cases carry their
// expected output, written from what the commands print on Linux.

// guestRoot returns the default guest root; the test fails, never skips, when it
// cannot be had.
func guestRoot(t *testing.T) string {
	t.Helper()
	dir, err := guestroot.Path(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

type rootCase struct {
	name string
	argv []string // the guest's command line; /t is tests/root
	// qemu, when set, is the command qemu-riscv64 -L ROOT runs as the oracle (paths
	// on the host); else want and status are the expected output and exit status.
	qemu   []string
	want   string
	status int
	root   bool // run as root (uid and gid 0)
}

func TestGuestRoot(t *testing.T) {
	if standIn() {
		t.Skip("qemu-weft.sh stands in for weft: it has no --root")
	}
	root := guestRoot(t)
	dir := filepath.Join(repoRoot, "tests", "root")
	py := filepath.Join(root, "usr", "bin", "python3")
	cases := []rootCase{
		{name: "python threads", argv: []string{"python3", "/t/threads.py"}, qemu: []string{py, "threads.py"}},
		{name: "python fork, pipe, segfault, signal", argv: []string{"python3", "/t/forks.py"}, qemu: []string{py, "forks.py"}},
		{name: "python multiprocessing", argv: []string{"python3", "/t/mp.py"}, qemu: []string{py, "mp.py"}},
		{name: "python version", argv: []string{"python3", "-c", "import sys, os; print(sys.version_info[:2], os.uname().machine, os.getuid() >= 0)"},
			qemu: []string{py, "-c", "import sys, os; print(sys.version_info[:2], os.uname().machine, os.getuid() >= 0)"}},
		{name: "python subprocess", argv: []string{"python3", "/t/subproc.py"},
			want: "'one\\nTWO\\n' 3\na\nb\nFileNotFoundError 2\n"},
		{name: "#! script", argv: []string{"/t/script.sh", "a", "b"},
			want: "script /t/script.sh args 2 first a\nONE TWO THREE \n"},
		{name: "dash pipeline", argv: []string{"sh", "-c", "printf '3\\n1\\n2\\n' | sort -n | tr '\\n' ' '; echo; ls /usr/bin/python3 | wc -l; exit 4"},
			want: "1 2 3 \n1\n", status: 4},
		{name: "busybox", argv: []string{"busybox", "sh", "-c", "seq 5 | busybox wc -l; echo $((6 * 7))"},
			want: "5\n42\n"},
		{name: "ps sees the guest's processes", argv: []string{"sh", "-c", "sleep 1 & ps -o pid,ppid,stat,comm; wait"},
			want: "    PID    PPID STAT COMMAND\n      2       1 S    sh\n      3       2 S    sleep\n      4       2 R    ps\n"},
		{name: "the root is read-only below", argv: []string{"sh", "-c", "echo changed > /etc/hostname 2>/dev/null || echo refused; id -un; cat /etc/hostname"},
			want: "refused\nuser\nweft\n"},
		{name: "root's changes stay in memory", argv: []string{"sh", "-c", "echo changed > /etc/hostname; cat /etc/hostname; rm /etc/hosts; ls /etc/hosts 2>&1; mkdir -p /opt/x && cp /etc/passwd /opt/x/ && wc -l < /opt/x/passwd"},
			want: "changed\nls: cannot access '/etc/hosts': No such file or directory\n6\n", root: true},
		// e2fsprogs on a loop device: mke2fs formats it, weft mounts the ext2 file
		// system, and after the unmount e2fsck -fn finds what weft wrote clean; a
		// read-only mount finds the files again (inode 12: mke2fs made lost+found 11).
		{name: "mke2fs, mount, e2fsck", root: true, argv: []string{"sh", "-c", "cd /tmp && truncate -s 8M img && " +
			"busybox losetup /dev/loop0 img && /sbin/mke2fs -q -b 1024 /dev/loop0 2>/dev/null && mkdir m && " +
			"busybox mount -t ext2 /dev/loop0 m && echo hi > m/f && ln -s f m/l && mkdir m/d && ln m/f m/d/g && " +
			"busybox umount m && /sbin/e2fsck -fn /dev/loop0 >/dev/null && echo clean && " +
			"busybox mount -o ro -t ext2 /dev/loop0 m && ls m && cat m/d/g && stat -c '%i %h %s %b %D %o' m/f"},
			want: "clean\nd\nf\nl\nlost+found\nhi\n12 2 3 2 700 1024\n"},
		// kmod: the drivers are built in (modules.builtin and its index, written by
		// weft's kernel), so modprobe has nothing to load, rmmod refuses, lsmod lists
		// nothing; busybox's dmesg reads the kernel log through syslog(2).
		{name: "kmod and dmesg", root: true, argv: []string{"sh", "-c", "/sbin/modprobe hwpoison_inject && echo loaded; " +
			"/sbin/rmmod hwpoison_inject 2>&1; /sbin/modprobe nosuch 2>&1; lsmod; echo '<6>note' > /dev/kmsg; busybox dmesg | cut -d']' -f2"},
			want: "loaded\nrmmod: ERROR: Module hwpoison_inject is builtin.\nmodprobe: FATAL: Module nosuch not found in directory /lib/modules/6.13.0-weft\n" +
				"Module                  Size  Used by\n Linux version 6.13.0-weft (weft) #1 SMP PREEMPT weft\n note\n"},
		// The same with mkfs.ext4 (extents, 64bit, flex_bg, metadata_csum, the orphan
		// file): a sparse file of seven extents takes a tree of depth 1, a truncated
		// file keeps its nanoseconds, and e2fsck -fn finds the device clean; an ext3
		// image mounts as ext3, an ext4 one does not (EINVAL).
		{name: "mkfs.ext4, mount, e2fsck", root: true, argv: []string{"sh", "-c", "cd /tmp && truncate -s 16M img && " +
			"busybox losetup /dev/loop0 img && /sbin/mkfs.ext4 -q -b 1024 /dev/loop0 2>/dev/null && mkdir m && " +
			"busybox mount -t ext4 /dev/loop0 m && cd m && for i in 0 1 2 3 4 5 6; do echo $i | " +
			"dd of=sparse bs=1024 seek=$((i*2)) conv=notrunc 2>/dev/null; done && echo hi > f && mkdir d && mv f d/g && " +
			"ln -s d/g l && seq 1 3000 > t && truncate -s 5000 t && touch -d '2020-01-02 03:04:05.123456789' t && " +
			"cp /etc/passwd sparse2 && cd .. && busybox umount m && /sbin/e2fsck -fn /dev/loop0 >/dev/null && echo clean && " +
			"/sbin/debugfs -R 'ex /sparse' /dev/loop0 2>/dev/null | grep -c '^ 1/ 1' && " +
			"busybox mount -o ro -t ext4 /dev/loop0 m && ls m && cat m/l && stat -c '%s %b %y' m/t && " +
			"[ \"$(md5sum < m/sparse2)\" = \"$(md5sum < /etc/passwd)\" ] && echo same && busybox umount m && " +
			"busybox mount -t ext3 /dev/loop0 m 2>/dev/null || echo not ext3 && " +
			"/sbin/mkfs.ext3 -q -F -b 1024 /dev/loop0 2>/dev/null && busybox mount -t ext3 /dev/loop0 m && " +
			"for i in 0 1 2 3 4 5 6; do echo $i | dd of=m/s bs=1024 seek=$((i*2)) conv=notrunc 2>/dev/null; done && " +
			"busybox umount m && /sbin/e2fsck -fn /dev/loop0 >/dev/null && echo ext3 clean && " +
			"/sbin/debugfs -R 'stat /s' /dev/loop0 2>/dev/null | grep -c EXTENTS || :"},
			want: "clean\n7\nd\nl\nlost+found\nsparse\nsparse2\nt\nhi\n5000 10 2020-01-02 03:04:05.123456789 +0000\nsame\nnot ext3\next3 clean\n0\n", status: 0},
		// A journal that needs recovery, written by debugfs's journal commands (with
		// and without checksums v3): the mount replays it, a block logged and
		// later revoked keeps its old contents, the device is clean after.
		{name: "ext4 journal replay", root: true, argv: []string{"sh", "-c", "cd /tmp && truncate -s 16M img && " +
			"busybox losetup /dev/loop0 img && mkdir m && for opt in '' -c; do /sbin/mkfs.ext4 -q -F -b 1024 /dev/loop0 2>/dev/null && " +
			"busybox mount -t ext4 /dev/loop0 m && echo original > m/f && echo other > m/g && busybox umount m && " +
			"{ echo replayed; head -c 1015 /dev/zero; } > blk && { echo revoked; head -c 1016 /dev/zero; } > blk2 && " +
			"B=$(/sbin/debugfs -R 'bmap /f 0' /dev/loop0 2>/dev/null) && C=$(/sbin/debugfs -R 'bmap /g 0' /dev/loop0 2>/dev/null) && " +
			"printf 'jo %s\\njw -b %s blk\\njw -b %s blk2\\njc\\njo\\njw -r %s\\njc\\n' \"$opt\" $B $C $C > cmds && " +
			"/sbin/debugfs -w -f cmds /dev/loop0 >/dev/null 2>&1 && /sbin/dumpe2fs -h /dev/loop0 2>/dev/null | grep -c needs_recovery && " +
			"busybox mount -t ext4 /dev/loop0 m && head -n 1 m/f m/g && busybox umount m && " +
			"/sbin/e2fsck -fn /dev/loop0 >/dev/null && echo clean; done"},
			want: "1\n==> m/f <==\nreplayed\n\n==> m/g <==\nother\nclean\n1\n==> m/f <==\nreplayed\n\n==> m/g <==\nother\nclean\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			acquire(t)
			flags := []string{"run", "--root", root, "--mount", dir + ":/t"}
			if c.root {
				flags = append(flags, "--uid", "0", "--gid", "0")
			}
			got := run(append(append([]string{weftBin}, flags...), c.argv...), os.Environ(), "", dir)
			if bytes.Contains(got.stderr, []byte("panic:")) {
				t.Fatalf("weft panicked:\n%s", got.stderr)
			}
			if c.qemu != nil {
				want := run(append([]string{"qemu-riscv64", "-L", root}, c.qemu...), qemuEnv, "", dir)
				// weft's stderr carries its own remarks (a fault report); compare
				// what the programs print and how they end.
				got.stderr, want.stderr = nil, nil
				compare(t, "weft", got, "qemu", want)
				return
			}
			if string(got.stdout) != c.want || got.exitCode != c.status {
				t.Errorf("%s: exit %d, want %d; stdout:\n%s", strings.Join(c.argv, " "), got.exitCode, c.status,
					lineDiff("want", c.want, "weft", string(got.stdout)))
				t.Logf("stderr:\n%s", got.stderr)
			}
		})
	}
}

// TestGuestRootHostUntouched checks that nothing a guest does in its root reaches the
// host directory: the files it changed and removed are as they were.
func TestGuestRootHostUntouched(t *testing.T) {
	if standIn() {
		t.Skip("qemu-weft.sh stands in for weft: it has no --root")
	}
	root := guestRoot(t)
	before, err := os.ReadFile(filepath.Join(root, "etc", "hostname"))
	if err != nil {
		t.Fatal(err)
	}
	r := run([]string{weftBin, "run", "--root", root, "--uid", "0", "--gid", "0", "sh", "-c",
		"echo x > /etc/hostname; rm -f /etc/hosts; chmod 777 /etc/passwd; mkdir /newdir; mv /etc/group /etc/group.old; echo ok"},
		os.Environ(), "", t.TempDir())
	if string(r.stdout) != "ok\n" {
		t.Fatalf("guest: %s, stdout %q, stderr %s", r.status, r.stdout, r.stderr)
	}
	after, err := os.ReadFile(filepath.Join(root, "etc", "hostname"))
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("/etc/hostname on the host changed: %q -> %q (%v)", before, after, err)
	}
	for _, p := range []string{"etc/hosts", "etc/group"} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Errorf("%s on the host: %v", p, err)
		}
	}
	if st, err := os.Stat(filepath.Join(root, "etc", "passwd")); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("/etc/passwd on the host: mode %v (%v), want 0644", st.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(root, "newdir")); err == nil {
		t.Errorf("the guest's /newdir reached the host")
	}
}
