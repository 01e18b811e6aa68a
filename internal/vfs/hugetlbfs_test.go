package vfs

import (
	"testing"

	"weft/internal/abi/linux"
	"weft/internal/mm"
)

func TestParseHugeOptions(t *testing.T) {
	pool := mm.NewHugePool(&mm.Pool{})
	pool.SetPersistent(10)
	tests := []struct {
		in    string
		want  HugeOptions
		shown string
		err   error
	}{
		{"", HugeOptions{Mode: -1, UID: -1, GID: -1, MaxPages: -1, MinPages: -1, MaxInodes: -1}, "pagesize=2M", nil},
		{"pagesize=2M,size=8M,min_size=4194304,nr_inodes=1k,mode=1770,uid=5,gid=6",
			HugeOptions{Mode: 0o1770, UID: 5, GID: 6, MaxPages: 4, MinPages: 2, MaxInodes: 1024},
			"mode=1770,uid=5,gid=6,pagesize=2M,size=8M,min_size=4M,nr_inodes=1024", nil},
		{"pagesize=2097152,size=50%", HugeOptions{Mode: -1, UID: -1, GID: -1, MaxPages: 5, MinPages: -1, MaxInodes: -1}, "pagesize=2M,size=10M", nil},
		{"size=3M", HugeOptions{Mode: -1, UID: -1, GID: -1, MaxPages: 1, MinPages: -1, MaxInodes: -1}, "pagesize=2M,size=2M", nil},
		{"pagesize=1G", HugeOptions{}, "", linux.EINVAL},
		{"pagesize=4k", HugeOptions{}, "", linux.EINVAL},
		{"size=2M,min_size=4M", HugeOptions{}, "", linux.EINVAL},
		{"mode=9", HugeOptions{}, "", linux.EINVAL},
		{"size=lots", HugeOptions{}, "", linux.EINVAL},
		{"huge=always", HugeOptions{}, "", linux.EINVAL},
	}
	for _, tc := range tests {
		got, err := ParseHugeOptions(tc.in, pool)
		if err != tc.err {
			t.Errorf("ParseHugeOptions(%q) error = %v, want %v", tc.in, err, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		shown := got.shown
		got.shown = ""
		if got != tc.want || shown != tc.shown {
			t.Errorf("ParseHugeOptions(%q) = %+v %q, want %+v %q", tc.in, got, shown, tc.want, tc.shown)
		}
	}
}

func TestHugetlbfsFiles(t *testing.T) {
	fs := newFS(t)
	fs.Mem = &mm.Pool{}
	fs.Huge = mm.NewHugePool(fs.Mem)
	fs.Huge.SetPersistent(2)
	tmp := mustDir(t, fs, "/tmp")
	mp, _ := fs.Create(root, tmp, "huge", S_IFDIR|0o755)
	o, _ := ParseHugeOptions("size=2M,nr_inodes=2", fs.Huge)
	m, err := fs.MountHugetlbfs(nil, mp, "none", 0, o)
	if err != nil {
		t.Fatal(err)
	}
	top := fs.MountRoot(m)
	if top.Mode != S_IFDIR|0o755 {
		t.Errorf("root mode %o, want 0755", top.Mode)
	}
	n, err := fs.Create(root, top, "f", S_IFREG|0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Create(root, top, "g", S_IFREG|0o600); err != linux.ENOSPC {
		t.Errorf("a third inode with nr_inodes=2 = %v, want ENOSPC", err)
	}
	f := Open(n, O_RDWR, "/tmp/huge/f")
	defer f.DecRef()
	if _, err := f.Write([]byte("x")); err != linux.EINVAL {
		t.Errorf("write = %v, want EINVAL", err)
	}
	for _, tc := range []struct {
		size int64
		err  error
	}{{mm.PageSize, linux.EINVAL}, {mm.HugeSize + 1, linux.EINVAL}, {2 * mm.HugeSize, nil}} {
		if err := n.Truncate(tc.size); err != tc.err {
			t.Errorf("Truncate(%d) = %v, want %v", tc.size, err, tc.err)
		}
	}
	if err := n.Allocate(0, 2*mm.HugeSize, true); err != linux.ENOSPC {
		t.Errorf("fallocate of 2 pages past size=2M = %v, want ENOSPC", err)
	}
	if n.HugeFile().Pages() != 1 || n.Blocks() != mm.HugeSize/512 {
		t.Errorf("pages %d blocks %d after fallocate, want 1 and %d", n.HugeFile().Pages(), n.Blocks(), mm.HugeSize/512)
	}
	hp := n.HugeFile().Lookup(0)
	copy(hp.Frame(1).Data[10:], "abc")
	b := make([]byte, 3)
	if c, _ := f.PRead(b, mm.PageSize+10); c != 3 || string(b) != "abc" {
		t.Errorf("read = %d %q, want the page's bytes", c, b)
	}
	if c, _ := f.PRead(b, mm.HugeSize+10); c != 3 || string(b) != "\x00\x00\x00" {
		t.Errorf("read of a hole = %d %q, want zeros", c, b)
	}
	info := fs.StatFS(n)
	if info.Type != HUGETLBFS_MAGIC || info.BlockSize != mm.HugeSize || info.Blocks != 1 || info.Free != 0 || info.Files != 2 || info.FreeFiles != 0 {
		t.Errorf("statfs = %+v", info)
	}
	if err := n.PunchHole(0, mm.HugeSize); err != nil || n.HugeFile().Pages() != 0 {
		t.Errorf("punching the page = %v, pages %d", err, n.HugeFile().Pages())
	}
	if _, free, _, _ := fs.Huge.Counts(); free != 2 {
		t.Errorf("free pages after the hole = %d, want 2", free)
	}
}
