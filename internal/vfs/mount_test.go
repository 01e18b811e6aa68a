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
