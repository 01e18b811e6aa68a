package vfs

import (
	"fmt"
	"testing"

	"weft/internal/abi/linux"
	"weft/internal/mm"
)

// root has root's file privileges (its capabilities).
var root = Cred{UID: 0, GID: 0, Priv: PrivDACOverride | PrivDACReadSearch | PrivFowner | PrivFsetid | PrivSysAdmin}

func newFS(t *testing.T) *FS {
	t.Helper()
	return New(1000, 1000, func(p []byte) { clear(p) })
}

func mustDir(t *testing.T, fs *FS, path string) *Inode {
	t.Helper()
	n, err := fs.Lookup(root, fs.Root, path, true)
	if err != nil || !n.IsDir() {
		t.Fatalf("Lookup(%q) = %v, %v; want a directory", path, n, err)
	}
	return n
}

func TestSymlinkResolution(t *testing.T) {
	fs := newFS(t)
	tmp := mustDir(t, fs, "/tmp")
	if _, err := fs.Create(root, tmp, "end", S_IFREG|0o644); err != nil {
		t.Fatal(err)
	}
	link := func(name, target string) {
		if err := fs.Symlink(root, tmp, name, target); err != nil {
			t.Fatalf("Symlink(%q, %q): %v", name, target, err)
		}
	}
	link("self", "self/x")
	link("a", "b")
	link("b", "a")
	link("m", "m/m/m/m")
	for i := 0; i < 41; i++ { // c0 -> c1 -> ... -> c40 -> end
		target := fmt.Sprintf("c%d", i+1)
		if i == 40 {
			target = "end"
		}
		link(fmt.Sprintf("c%d", i), target)
	}
	link("dangling", "/tmp/nowhere")
	cases := []struct {
		path   string
		follow bool
		want   error
	}{
		{"/tmp/self", true, linux.ELOOP},
		{"/tmp/self", false, nil},
		{"/tmp/self/y", false, linux.ELOOP},
		{"/tmp/a", true, linux.ELOOP},
		{"/tmp/a/x", false, linux.ELOOP},
		{"/tmp/m/m/m/m/m", true, linux.ELOOP},
		{"/tmp/c1", true, nil},         // 40 links: Linux's limit
		{"/tmp/c0", true, linux.ELOOP}, // 41
		{"/tmp/c0", false, nil},        // the link itself
		{"/tmp/dangling", true, linux.ENOENT},
		{"/tmp/end/", true, linux.ENOTDIR},
		{"/tmp/./../tmp//end", true, nil},
	}
	for _, c := range cases {
		before := fs.WalkSteps
		_, err := fs.Lookup(root, fs.Root, c.path, c.follow)
		if err != c.want {
			t.Errorf("Lookup(%q, follow=%v) = %v, want %v", c.path, c.follow, err, c.want)
		}
		if fs.WalkSteps == before {
			t.Errorf("Lookup(%q) counted no walk steps", c.path)
		}
	}
}

func TestLookupCreate(t *testing.T) {
	fs := newFS(t)
	tmp := mustDir(t, fs, "/tmp")
	fs.Symlink(root, tmp, "dl", "/tmp/target")
	fs.Symlink(root, tmp, "loop", "loop")
	dir, name, n, err := fs.LookupCreate(root, fs.Root, "/tmp/dl", true)
	if err != nil || dir != tmp || name != "target" || n != nil {
		t.Errorf("LookupCreate(/tmp/dl) = %v, %q, %v, %v; want /tmp, \"target\", nil, nil", dir, name, n, err)
	}
	if _, name, n, _ := fs.LookupCreate(root, fs.Root, "/tmp/dl", false); name != "dl" || n == nil {
		t.Errorf("LookupCreate(/tmp/dl, nofollow) = %q, %v; want the link itself", name, n)
	}
	if _, _, _, err := fs.LookupCreate(root, fs.Root, "/tmp/loop", true); err != linux.ELOOP {
		t.Errorf("LookupCreate(/tmp/loop) = %v, want ELOOP", err)
	}
}

func TestRenameRules(t *testing.T) {
	fs := newFS(t)
	tmp := mustDir(t, fs, "/tmp")
	a, _ := fs.Create(root, tmp, "a", S_IFDIR|0o755)
	b, _ := fs.Create(root, a, "b", S_IFDIR|0o755)
	c, _ := fs.Create(root, b, "c", S_IFDIR|0o755)
	fs.Create(root, tmp, "f", S_IFREG|0o644)
	e, _ := fs.Create(root, tmp, "e", S_IFDIR|0o755)
	proc := fs.newInode(S_IFDIR|0o555, 0, 0)
	proc.lookupFn = func(string) *Inode { return nil }
	if err := fs.Mount("/proc", proc); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		oldDir  *Inode
		oldName string
		newDir  *Inode
		newName string
		flags   uint32
		want    error
	}{
		{"exchange with a descendant", tmp, "a", b, "c", RENAME_EXCHANGE, linux.EINVAL},
		{"exchange a descendant with its ancestor", b, "c", tmp, "a", RENAME_EXCHANGE, linux.EINVAL},
		{"into its own subtree", tmp, "a", c, "d", 0, linux.EINVAL},
		{"onto its own child", tmp, "a", a, "b", 0, linux.EINVAL},
		{"file over directory", tmp, "f", tmp, "a", 0, linux.EISDIR},
		{"directory over file", tmp, "a", tmp, "f", 0, linux.ENOTDIR},
		{"over a non-empty directory", tmp, "e", tmp, "a", 0, linux.ENOTEMPTY},
		{"exchange with nothing", tmp, "a", tmp, "zz", RENAME_EXCHANGE, linux.ENOENT},
		{"noreplace", tmp, "f", tmp, "e", RENAME_NOREPLACE, linux.EEXIST},
		{"both flags", tmp, "f", tmp, "e", RENAME_NOREPLACE | RENAME_EXCHANGE, linux.EINVAL},
		{"into /proc", tmp, "f", proc, "f", 0, linux.EXDEV},
		{"a mount point", fs.Root, "proc", fs.Root, "proc2", 0, linux.EBUSY},
		{"dot", tmp, ".", tmp, "x", 0, linux.EBUSY},
	}
	for _, tc := range cases {
		if err := fs.Rename(root, tc.oldDir, tc.oldName, tc.newDir, tc.newName, tc.flags); err != tc.want {
			t.Errorf("%s: Rename = %v, want %v", tc.name, err, tc.want)
		}
	}
	if err := fs.Unlink(root, fs.Root, "proc", true); err != linux.EBUSY {
		t.Errorf("rmdir /proc = %v, want EBUSY", err)
	}
	// The tree is whole: a, b and c are where they were.
	if n, err := fs.Lookup(root, fs.Root, "/tmp/a/b/c", true); err != nil || n != c {
		t.Errorf("Lookup(/tmp/a/b/c) = %v, %v after the refused renames", n, err)
	}
	if err := fs.Rename(root, tmp, "a", tmp, "e", RENAME_EXCHANGE); err != nil {
		t.Fatalf("exchanging two unrelated directories: %v", err)
	}
	if n, _ := fs.Lookup(root, fs.Root, "/tmp/e/b/c", true); n != c || fs.PathOf(c) != "/tmp/e/b/c" {
		t.Errorf("after the exchange, /tmp/e/b/c = %v (path %q)", n, fs.PathOf(c))
	}
	_ = e
}

func TestMountPaths(t *testing.T) {
	fs := newFS(t)
	for _, p := range []string{"/tmp/../srv", "/a/./b", "relative", "/", "/dev/null/x"} {
		if err := fs.Mount(p, fs.newInode(S_IFDIR|0o755, 0, 0)); err == nil {
			t.Errorf("Mount(%q) succeeded", p)
		}
	}
	if err := fs.Mount("/srv/data", fs.newInode(S_IFDIR|0o755, 0, 0)); err != nil {
		t.Errorf("Mount(/srv/data) = %v", err)
	}
	if fs.lookupPlain("tmp").children[".."] != nil {
		t.Errorf("a literal \"..\" entry appeared in /tmp")
	}
}

// TestMemoryAccounting follows a file's memory through the pool: written pages count,
// a write past the cap fails with ENOSPC after what fitted, and the memory comes back
// when the file is unlinked and closed, not before.
func TestMemoryAccounting(t *testing.T) {
	fs := newFS(t)
	pool := &mm.Pool{Limit: 64 * mm.FrameBytes}
	fs.Mem = pool
	tmp := mustDir(t, fs, "/tmp")
	n, err := fs.Create(root, tmp, "f", S_IFREG|0o644)
	if err != nil {
		t.Fatal(err)
	}
	base := pool.InUse()
	f := Open(n, O_RDWR, "/tmp/f")
	buf := make([]byte, 16*mm.PageSize)
	total := 0
	var werr error
	for i := 0; i < 10 && werr == nil; i++ {
		var k int
		k, werr = f.Write(buf)
		total += k
	}
	if werr != linux.ENOSPC {
		t.Fatalf("writing past the cap: %v, want ENOSPC", werr)
	}
	if total == 0 || total%mm.PageSize != 0 || pool.Used() > pool.Limit {
		t.Errorf("wrote %d bytes; pool in use %d of %d bytes", total, pool.Used(), pool.Limit)
	}
	if got := n.Size(); got != int64(total) {
		t.Errorf("size %d after writing %d", got, total)
	}
	if err := fs.Unlink(root, tmp, "f", false); err != nil {
		t.Fatal(err)
	}
	if pool.InUse() <= base {
		t.Errorf("the memory came back while the file was still open")
	}
	f.DecRef()
	if pool.InUse() >= base {
		t.Errorf("pool in use %d after the file went, want below %d (its inode too)", pool.InUse(), base)
	}
	if fs.MemoryBytes() != 0 {
		t.Errorf("the file system still holds %d bytes", fs.MemoryBytes())
	}
}

// TestSharedPagesOutliveFile maps a file's pages, deletes the file, and checks that the
// pages pass to the pool and come back with the mapping.
func TestSharedPagesOutliveFile(t *testing.T) {
	fs := newFS(t)
	pool := &mm.Pool{Limit: 1024 * mm.FrameBytes}
	fs.Mem = pool
	tmp := mustDir(t, fs, "/tmp")
	for cycle := 0; cycle < 50; cycle++ {
		n, err := fs.Create(root, tmp, "shm", S_IFREG|0o600)
		if err != nil {
			t.Fatal(err)
		}
		frames, err := n.SharePages(0, 256)
		if err != nil {
			t.Fatalf("cycle %d: SharePages: %v (pool %d of %d bytes)", cycle, err, pool.Used(), pool.Limit)
		}
		as := mm.New(pool)
		if err := as.MapFrames(0x10000000, frames, mm.PermRead|mm.PermWrite, "/tmp/shm"); err != nil {
			t.Fatal(err)
		}
		fs.Unlink(root, tmp, "shm", false)
		as.Unmap(0x10000000, 256*mm.PageSize)
		as.Release() // its page-table nodes count against the pool too
	}
	if pool.InUse() != 0 || pool.Used() != 0 {
		t.Errorf("pool in use %d frames, %d bytes after every file and mapping went, want 0", pool.InUse(), pool.Used())
	}
}

func TestPageTreeSparse(t *testing.T) {
	fs := New(1000, 1000, func([]byte) {})
	var tr pageTree
	idx := []int64{0, 511, 512, 1 << 20, 1<<51 - 1, 7}
	for _, i := range idx {
		if !tr.set(fs, i, mm.NewFileFrame()) {
			t.Fatalf("set(%d) failed", i)
		}
	}
	if tr.count != int64(len(idx)) {
		t.Fatalf("count = %d, want %d", tr.count, len(idx))
	}
	var got []int64
	for i, f := tr.next(0); f != nil; i, f = tr.next(i + 1) {
		got = append(got, i)
	}
	want := []int64{0, 7, 511, 512, 1 << 20, 1<<51 - 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pages in order = %v, want %v", got, want)
	}
	if tr.get(1<<20+1) != nil || tr.get(-1) != nil || tr.slot(fs, -1) != nil {
		t.Fatalf("a hole or a negative index has a page")
	}
	// The nodes on six paths, not a slot per page: a few tens of KiB at most.
	if b := fs.MemoryBytes(); b > 64<<10 {
		t.Fatalf("memory charged = %d bytes, want at most 64 KiB", b)
	}
	var dropped []int64
	tr.clearFrom(fs, 512, func(f *mm.Frame) { dropped = append(dropped, 0) })
	if len(dropped) != 3 || tr.count != 3 || tr.get(511) == nil || tr.get(512) != nil {
		t.Fatalf("after clearFrom(512): dropped %d, count %d", len(dropped), tr.count)
	}
	tr.clearFrom(fs, 0, func(*mm.Frame) {})
	if tr.root != nil || fs.MemoryBytes() != 0 {
		t.Fatalf("after clearing everything: root %v, %d bytes charged", tr.root, fs.MemoryBytes())
	}
}
