package vfs

import (
	"testing"

	"weft/internal/abi/linux"
)

// TestTmpfsMount follows a tmpfs through mount, a read-only remount and umount, as
// LTP's needs_rofs setup and mount(2), umount2(2) and tmpfs(5) describe it.
func TestTmpfsMount(t *testing.T) {
	fs := newFS(t)
	tmp := mustDir(t, fs, "/tmp")
	mp, err := fs.Create(root, tmp, "mnt", S_IFDIR|0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Create(root, mp, "hidden", S_IFREG|0o644); err != nil {
		t.Fatal(err)
	}
	m, err := fs.MountTmpfs(mp, "src", 0)
	if err != nil {
		t.Fatalf("MountTmpfs = %v", err)
	}
	top := mustDir(t, fs, "/tmp/mnt")
	if top == mp || top.Mode != S_IFDIR|0o1777 || len(top.List()) != 0 {
		t.Fatalf("mounted root = %p mode %o entries %v, want a new empty 1777 directory", top, top.Mode, top.List())
	}
	if got := m.Path(fs); got != "/tmp/mnt" {
		t.Errorf("Path() = %q, want /tmp/mnt", got)
	}
	f, err := fs.Create(root, top, "file", S_IFREG|0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Link(root, f, tmp, "outside"); err != linux.EXDEV {
		t.Errorf("Link across the mount = %v, want EXDEV", err)
	}
	if err := fs.Rename(root, top, "file", tmp, "moved", 0); err != linux.EXDEV {
		t.Errorf("Rename across the mount = %v, want EXDEV", err)
	}
	if err := fs.Unlink(root, tmp, "mnt", true); err != linux.EBUSY {
		t.Errorf("rmdir of the mount point = %v, want EBUSY", err)
	}

	// Read-only: a file open for writing makes the remount busy.
	w := Open(f, O_WRONLY, "/tmp/mnt/file")
	if err := fs.Remount(m, MS_RDONLY); err != linux.EBUSY {
		t.Errorf("Remount(ro) with a writer = %v, want EBUSY", err)
	}
	w.DecRef()
	if err := fs.Remount(m, MS_RDONLY); err != nil {
		t.Fatalf("Remount(ro) = %v", err)
	}
	if err := f.Writable(); err != linux.EROFS {
		t.Errorf("Writable() on a read-only mount = %v, want EROFS", err)
	}
	if _, err := fs.Create(root, top, "new", S_IFREG|0o644); err != linux.EROFS {
		t.Errorf("Create on a read-only mount = %v, want EROFS", err)
	}
	if err := fs.Unlink(root, top, "file", false); err != linux.EROFS {
		t.Errorf("Unlink on a read-only mount = %v, want EROFS", err)
	}
	if info := fs.StatFS(f); info.Flags&ST_RDONLY == 0 || info.Type != TMPFS_MAGIC {
		t.Errorf("StatFS = %+v, want tmpfs with ST_RDONLY", info)
	}
	if info := fs.StatFS(tmp); info.Flags&ST_RDONLY != 0 {
		t.Errorf("StatFS(/tmp) = %+v, want writable", info)
	}

	// Unmount: busy while a file is open, then the hidden directory comes back and
	// the mount's memory is given back.
	r := Open(f, O_RDONLY, "/tmp/mnt/file")
	if err := fs.Unmount(m, false, nil); err != linux.EBUSY {
		t.Errorf("Unmount with an open file = %v, want EBUSY", err)
	}
	r.DecRef()
	before := fs.bytes
	if err := fs.Unmount(m, false, nil); err != nil {
		t.Fatalf("Unmount = %v", err)
	}
	if got := mustDir(t, fs, "/tmp/mnt"); got != mp || got.Child("hidden") == nil {
		t.Errorf("after Unmount /tmp/mnt = %p, want the covered directory %p", got, mp)
	}
	if fs.bytes >= before || len(fs.MemMounts()) != 0 || fs.MountOf(top) != nil && fs.mounts[top] {
		t.Errorf("after Unmount: %d bytes held (was %d), %d mounts", fs.bytes, before, len(fs.MemMounts()))
	}
	if _, err := fs.MountTmpfs(fs.Root, "", 0); err != linux.EINVAL {
		t.Errorf("MountTmpfs(/) = %v, want EINVAL", err)
	}
}

// TestMountNamespaces: a copy of a namespace has its mounts; what is mounted or
// unmounted in one namespace afterwards changes no other (mount_namespaces(7)).
func TestMountNamespaces(t *testing.T) {
	fs := newFS(t)
	tmp := mustDir(t, fs, "/tmp")
	mp, err := fs.Create(root, tmp, "mnt", S_IFDIR|0o755)
	if err != nil {
		t.Fatal(err)
	}
	first, err := fs.MountTmpfs(mp, "first", 0)
	if err != nil {
		t.Fatal(err)
	}
	a, b := &MountNS{ID: 1}, &MountNS{ID: 2}
	fs.CopyMounts(nil, a)
	in := func(ns *MountNS) Cred { c := root; c.MntNS = ns; return c }
	at := func(ns *MountNS) *Inode {
		n, err := fs.Lookup(in(ns), fs.Root, "/tmp/mnt", true)
		if err != nil {
			t.Fatalf("Lookup in %v: %v", ns, err)
		}
		return n
	}
	if at(a) != fs.MountRoot(first) || at(nil) != fs.MountRoot(first) {
		t.Fatalf("the copied namespace does not see the first mount")
	}
	// A mount made in a: b (made before it, from the first namespace) and the first
	// namespace do not see it.
	fs.CopyMounts(nil, b)
	second, err := fs.MountTmpfsIn(a, at(a), "second", 0)
	if err != nil {
		t.Fatalf("MountTmpfsIn(a) = %v", err)
	}
	if at(a) != fs.MountRoot(second) || at(b) != fs.MountRoot(first) || at(nil) != fs.MountRoot(first) {
		t.Errorf("after a mount in a: a sees %p (want second), b %p and first ns %p (want first)", at(a), at(b), at(nil))
	}
	// The first namespace mounts on the same directory: its mount goes below a's.
	third, err := fs.MountTmpfsIn(nil, at(nil), "third", 0)
	if err != nil {
		t.Fatalf("MountTmpfsIn(first ns) = %v", err)
	}
	if at(nil) != fs.MountRoot(third) || at(a) != fs.MountRoot(second) || at(b) != fs.MountRoot(first) {
		t.Errorf("after a mount in the first ns: it sees %p (want third), a %p (second), b %p (first)", at(nil), at(a), at(b))
	}
	// Unmounting first in b leaves it to the others; b sees the directory again.
	if err := fs.UnmountIn(b, first, false, nil); err != nil {
		t.Fatalf("UnmountIn(b, first) = %v", err)
	}
	if at(b) != mp || at(nil) != fs.MountRoot(third) {
		t.Errorf("after b's unmount: b sees %p (want the directory), the first ns %p (third)", at(b), at(nil))
	}
	// In the first namespace, first is under third: busy until third goes.
	if err := fs.UnmountIn(nil, first, false, nil); err != linux.EBUSY {
		t.Errorf("UnmountIn(first ns, first) under third = %v, want EBUSY", err)
	}
	for _, m := range []*MemMount{third, first} {
		if err := fs.UnmountIn(nil, m, false, nil); err != nil {
			t.Fatalf("UnmountIn(first ns, %s) = %v", m.Source, err)
		}
	}
	if at(nil) != mp || at(a) != fs.MountRoot(second) {
		t.Errorf("after the first ns unmounts: it sees %p (want the directory), a %p (second)", at(nil), at(a))
	}
	if got := len(fs.MemMountsIn(a)); got != 2 {
		t.Errorf("a has %d mounts, want 2 (first and second)", got)
	}
	// a unmounts second then first: the tree is back to the directory.
	for _, m := range []*MemMount{second, first} {
		if err := fs.UnmountIn(a, m, false, nil); err != nil {
			t.Fatalf("UnmountIn(a, %s) = %v", m.Source, err)
		}
	}
	if tmp.Child("mnt") != mp || len(fs.MemMounts()) != 0 {
		t.Errorf("after every unmount: /tmp/mnt is %p (want %p), %d mounts left", tmp.Child("mnt"), mp, len(fs.MemMounts()))
	}
}

// TestDropMountNS: when no process is left in a namespace, its own mounts go, and the
// ones it shared stay with the others.
func TestDropMountNS(t *testing.T) {
	fs := newFS(t)
	tmp := mustDir(t, fs, "/tmp")
	a, _ := fs.Create(root, tmp, "a", S_IFDIR|0o755)
	b, _ := fs.Create(root, tmp, "b", S_IFDIR|0o755)
	shared, err := fs.MountTmpfs(a, "shared", 0)
	if err != nil {
		t.Fatal(err)
	}
	ns := &MountNS{ID: 1}
	fs.CopyMounts(nil, ns)
	own, err := fs.MountTmpfsIn(ns, b, "own", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.MountTmpfsIn(ns, fs.MountRoot(own), "on-top", 0); err != nil {
		t.Fatal(err)
	}
	fs.DropMountNS(ns)
	if got := fs.MemMounts(); len(got) != 1 || got[0] != shared || shared.In(ns) {
		t.Errorf("after DropMountNS: mounts %v, want only the shared one, out of the namespace", got)
	}
	if tmp.Child("b") != b || tmp.Child("a") != fs.MountRoot(shared) {
		t.Errorf("after DropMountNS: /tmp/b is %p (want the directory %p), /tmp/a %p (want the shared mount)", tmp.Child("b"), b, tmp.Child("a"))
	}
}
