package vfs

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"weft/internal/abi/linux"
)

// memDevice is a block device in a byte slice.
type memDevice struct{ b []byte }

func (d *memDevice) PRead(p []byte, off int64) (int, error) {
	if off >= int64(len(d.b)) {
		return 0, nil
	}
	return copy(p, d.b[off:]), nil
}

func (d *memDevice) PWrite(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > int64(len(d.b)) {
		return 0, linux.ENOSPC
	}
	return copy(d.b[off:], p), nil
}

func (d *memDevice) Size() int64 { return int64(len(d.b)) }

// makeExt2 lays out an empty ext2 file system as the format describes it (Poirier,
// sections 3 and 4): superblock, descriptors and their sparse_super copies, one bitmap
// of each kind and an inode table per group, and the root directory with "." and "..".
// The bitmaps are left empty: weft's write-back computes them from the tree.
func makeExt2(bs, blocks, bpg, ipg uint32) *memDevice {
	dev := &memDevice{make([]byte, int64(blocks)*int64(bs))}
	le := binary.LittleEndian
	firstData := uint32(0)
	if bs == 1024 {
		firstData = 1
	}
	groups := (blocks - firstData + bpg - 1) / bpg
	gdtBlocks := (groups*32 + bs - 1) / bs
	itb := (ipg*128 + bs - 1) / bs
	sb := make([]byte, 1024)
	for off, v := range map[int]uint32{0: groups * ipg, 4: blocks, 20: firstData, 32: bpg, 36: bpg, 40: ipg, 76: 1, 84: 11, 96: ext2IncompatFiletype, 100: ext2RoCompatSparseSuper | ext2RoCompatLargeFile} {
		le.PutUint32(sb[off:], v)
	}
	for bsLog := uint32(0); 1024<<bsLog < bs; bsLog++ {
		le.PutUint32(sb[24:], bsLog+1)
		le.PutUint32(sb[28:], bsLog+1)
	}
	le.PutUint16(sb[56:], EXT2_SUPER_MAGIC)
	le.PutUint16(sb[58:], ext2StateValid)
	le.PutUint16(sb[60:], 1)
	le.PutUint16(sb[88:], 128)
	copy(dev.b[1024:], sb)
	e := &ext2FS{roCompat: ext2RoCompatSparseSuper}
	gdt := make([]byte, gdtBlocks*bs)
	var rootDir uint32
	for g := uint32(0); g < groups; g++ {
		b := firstData + g*bpg
		if e.hasSuper(g) {
			b += 1 + gdtBlocks
		}
		le.PutUint32(gdt[g*32:], b)
		le.PutUint32(gdt[g*32+4:], b+1)
		le.PutUint32(gdt[g*32+8:], b+2)
		if g == 0 {
			rootDir = b + 2 + itb
		}
	}
	copy(dev.b[(firstData+1)*bs:], gdt)
	inode := dev.b[int64(le.Uint32(gdt[8:]))*int64(bs)+128:]
	le.PutUint16(inode[0:], S_IFDIR|0o755)
	le.PutUint32(inode[4:], bs)
	le.PutUint16(inode[26:], 2)
	le.PutUint32(inode[28:], bs/512)
	le.PutUint32(inode[40:], rootDir)
	dir := dev.b[rootDir*bs:]
	le.PutUint32(dir[0:], 2)
	le.PutUint16(dir[4:], 12)
	dir[6], dir[7], dir[8] = 1, 2, '.'
	le.PutUint32(dir[12:], 2)
	le.PutUint16(dir[16:], uint16(bs-12))
	dir[18], dir[19], dir[20], dir[21] = 2, 2, '.', '.'
	return dev
}

// mountExt2At mounts dev on a new directory /tmp/name.
func mountExt2At(t *testing.T, fs *FS, name string, dev BlockDevice, flags uint64) (*MemMount, *Inode) {
	t.Helper()
	tmp := mustDir(t, fs, "/tmp")
	mp := tmp.child(name)
	if mp == nil {
		var err error
		if mp, err = fs.Create(root, tmp, name, S_IFDIR|0o755); err != nil {
			t.Fatal(err)
		}
	}
	m, err := fs.MountExt2(nil, mp, "/dev/loop0", "ext2", dev, 7<<8, false, flags, "")
	if err != nil {
		t.Fatalf("MountExt2 = %v", err)
	}
	return m, fs.MountRoot(m)
}

func writeFile(t *testing.T, fs *FS, dir *Inode, name string, data []byte, off int64) *Inode {
	t.Helper()
	n := dir.child(name)
	if n == nil {
		var err error
		if n, err = fs.Create(root, dir, name, S_IFREG|0o644); err != nil {
			t.Fatalf("Create(%q) = %v", name, err)
		}
	}
	f := Open(n, O_RDWR, name)
	if _, err := f.PWrite(data, off); err != nil {
		t.Fatalf("PWrite(%q) = %v", name, err)
	}
	f.DecRef()
	return n
}

func readFile(t *testing.T, n *Inode) []byte {
	t.Helper()
	b := make([]byte, n.Size())
	f := Open(n, O_RDONLY, "")
	if _, err := f.PRead(b, 0); err != nil {
		t.Fatal(err)
	}
	f.DecRef()
	return b
}

// TestExt2RoundTrip makes every kind of file on an ext2 file system, unmounts it, and
// mounts the device again to find them as they were, for 1 KiB and 4 KiB blocks.
func TestExt2RoundTrip(t *testing.T) {
	for _, geo := range []struct{ bs, blocks, bpg, ipg uint32 }{
		{1024, 4096, 1024, 64}, // four groups: copies of the superblock in 0, 1 and 3
		{4096, 1024, 512, 128},
	} {
		fs := newFS(t)
		dev := makeExt2(geo.bs, geo.blocks, geo.bpg, geo.ipg)
		m, top := mountExt2At(t, fs, "mnt", dev, 0)
		if top.Ino != 2 || top.DevNumber() != 7<<8 || top.BlockSize() != geo.bs {
			t.Fatalf("root: ino %d dev %#x blksize %d, want 2, 0x700, %d", top.Ino, top.DevNumber(), top.BlockSize(), geo.bs)
		}
		small := writeFile(t, fs, top, "small", []byte("hello, ext2\n"), 0)
		big := bytes.Repeat([]byte("0123456789abcdef"), 400<<10/16) // through the double indirect tree
		writeFile(t, fs, top, "big", big, 0)
		writeFile(t, fs, top, "sparse", []byte("end"), 3<<20) // a hole of 3 MiB
		sub, err := fs.Create(root, top, "sub", S_IFDIR|0o750)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []struct{ name, target string }{{"short", "small"}, {"long", strings.Repeat("x/", 100)}} {
			if err := fs.Symlink(root, sub, s.name, s.target); err != nil {
				t.Fatal(err)
			}
		}
		if err := fs.Link(root, small, sub, "hard"); err != nil {
			t.Fatal(err)
		}
		if _, err := fs.Mknod(root, sub, "null", S_IFCHR|0o666, 1<<8|3); err != nil {
			t.Fatal(err)
		}
		if _, err := fs.Mknod(root, sub, "wide", S_IFBLK|0o600, 300<<8|(70000&0xff)|(70000&^0xff)<<12); err != nil {
			t.Fatal(err)
		}
		if _, err := fs.Mknod(root, sub, "fifo", S_IFIFO|0o644, 0); err != nil {
			t.Fatal(err)
		}
		if err := small.SetXattr(root, "user.colour", []byte("blue"), 0); err != nil {
			t.Fatal(err)
		}
		writeFile(t, fs, top, "gone", []byte("soon deleted"), 0)
		if err := fs.Unlink(root, top, "gone", false); err != nil {
			t.Fatal(err)
		}
		writeFile(t, fs, sub, "old", []byte("renamed"), 0)
		if err := fs.Rename(root, sub, "old", top, "new", 0); err != nil {
			t.Fatal(err)
		}
		small.UID, small.GID, small.Mode = 70000, 1234, S_IFREG|0o4751
		wantIno := small.Ino
		if err := fs.Unmount(m, false, nil); err != nil {
			t.Fatal(err)
		}

		_, top = mountExt2At(t, fs, "mnt", dev, 0)
		got := top.Names()
		if want := []string{"big", "new", "small", "sparse", "sub"}; strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("bs %d: root entries = %v, want %v", geo.bs, got, want)
		}
		small = top.child("small")
		if small == nil || string(readFile(t, small)) != "hello, ext2\n" || small.Ino != wantIno || small.Nlink != 2 ||
			small.UID != 70000 || small.GID != 1234 || small.Mode != S_IFREG|0o4751 {
			t.Fatalf("bs %d: small = %+v", geo.bs, small)
		}
		if v, err := small.GetXattr(root, "user.colour"); err != nil || string(v) != "blue" {
			t.Errorf("bs %d: user.colour = %q, %v; want blue", geo.bs, v, err)
		}
		if b := readFile(t, top.child("big")); !bytes.Equal(b, big) {
			t.Errorf("bs %d: big read back differs (%d bytes, want %d)", geo.bs, len(b), len(big))
		}
		sp := top.child("sparse")
		if b := readFile(t, sp); len(b) != 3<<20+3 || string(b[3<<20:]) != "end" || bytes.Count(b[:3<<20], []byte{0}) != 3<<20 {
			t.Errorf("bs %d: sparse read back wrong (%d bytes)", geo.bs, len(b))
		}
		if string(readFile(t, top.child("new"))) != "renamed" {
			t.Errorf("bs %d: renamed file lost", geo.bs)
		}
		sub = top.child("sub")
		if sub.Mode != S_IFDIR|0o750 || sub.Nlink != 2 || top.Nlink != 3 {
			t.Errorf("bs %d: sub mode %o nlink %d, root nlink %d", geo.bs, sub.Mode, sub.Nlink, top.Nlink)
		}
		if sub.child("hard") != small {
			t.Errorf("bs %d: hard link is not the same inode", geo.bs)
		}
		for name, target := range map[string]string{"short": "small", "long": strings.Repeat("x/", 100)} {
			if got, _ := sub.child(name).Readlink(); got != target {
				t.Errorf("bs %d: %s -> %q, want %q", geo.bs, name, got, target)
			}
		}
		if n := sub.child("null"); n.Mode != S_IFCHR|0o666 || n.Rdev != 1<<8|3 {
			t.Errorf("bs %d: null = %o %#x", geo.bs, n.Mode, n.Rdev)
		}
		if n := sub.child("wide"); n.Rdev != 300<<8|(70000&0xff)|(70000&^0xff)<<12 {
			t.Errorf("bs %d: wide rdev = %#x", geo.bs, n.Rdev)
		}
		if n := sub.child("fifo"); n.Mode != S_IFIFO|0o644 || n.FIFO() == nil {
			t.Errorf("bs %d: fifo = %o", geo.bs, n.Mode)
		}
		info := fs.StatFS(top)
		if info.Type != EXT2_SUPER_MAGIC || info.BlockSize != uint64(geo.bs) || info.Files != uint64(4*geo.ipg*geo.blocks/geo.bpg/4) {
			t.Errorf("bs %d: statfs = %+v", geo.bs, info)
		}
	}
}

// TestExt2Limits: a full file system refuses writes and new files with ENOSPC; link
// counts stop at ext2's 32000; a read-only mount refuses changes; bad options and
// features refuse the mount.
func TestExt2Limits(t *testing.T) {
	fs := newFS(t)
	dev := makeExt2(1024, 512, 8192, 32)
	m, top := mountExt2At(t, fs, "mnt", dev, 0)
	n, err := fs.Create(root, top, "fill", S_IFREG|0o644)
	if err != nil {
		t.Fatal(err)
	}
	f := Open(n, O_WRONLY, "fill")
	wrote, err := f.PWrite(make([]byte, 1<<20), 0)
	f.DecRef()
	if err != nil || wrote <= 0 || wrote >= 512<<10 {
		t.Errorf("writing 1 MiB to a 512 KiB file system: %d, %v; want a short write", wrote, err)
	}
	if _, err := f.PWrite([]byte("x"), 1<<20); err != linux.ENOSPC {
		t.Errorf("write on a full file system = %v, want ENOSPC", err)
	}
	var made int
	for made = 0; made < 64; made++ {
		if _, err := fs.Create(root, top, strings.Repeat("f", 3)+string(rune('A'+made)), S_IFREG|0o644); err != nil {
			if err != linux.ENOSPC {
				t.Errorf("Create past the inodes = %v, want ENOSPC", err)
			}
			break
		}
	}
	if made != 32-10-1 { // 32 inodes, the first 10 reserved, "fill"
		t.Errorf("made %d files, want %d", made, 32-10-1)
	}
	n.Nlink = ext2LinkMax
	if err := fs.Link(root, n, top, "one-too-many"); err != linux.EMLINK {
		t.Errorf("Link at 32000 links = %v, want EMLINK", err)
	}
	n.Nlink = 1
	if err := fs.Unmount(m, false, nil); err != nil {
		t.Fatal(err)
	}
	m, top = mountExt2At(t, fs, "mnt", dev, MS_RDONLY)
	if _, err := fs.Create(root, top, "x", S_IFREG|0o644); err != linux.EROFS {
		t.Errorf("Create on a read-only mount = %v, want EROFS", err)
	}
	if err := fs.Unmount(m, false, nil); err != nil {
		t.Fatal(err)
	}
	mp := mustDir(t, fs, "/tmp/mnt")
	if _, err := fs.MountExt2(nil, mp, "", "ext2", dev, 0, false, 0, "bogus"); err != linux.EINVAL {
		t.Errorf("mount with an unknown option = %v, want EINVAL", err)
	}
	if _, err := fs.MountExt2(nil, mp, "", "ext2", dev, 0, false, 0, "noacl,errors=remount-ro,user_xattr"); err != nil {
		t.Errorf("mount with noacl = %v", err)
	} else if err := fs.Unmount(fs.MountOf(mustDir(t, fs, "/tmp/mnt")), false, nil); err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(dev.b[1024+96:], ext2IncompatFiletype|0x40) // extents
	if _, err := fs.MountExt2(nil, mp, "", "ext2", dev, 0, false, 0, ""); err != linux.EINVAL {
		t.Errorf("mount with an unknown incompatible feature = %v, want EINVAL", err)
	}
	binary.LittleEndian.PutUint32(dev.b[1024+96:], ext2IncompatFiletype)
	binary.LittleEndian.PutUint32(dev.b[1024+100:], 0x400) // metadata_csum
	if m, err := fs.MountExt2(nil, mp, "", "ext2", dev, 0, false, 0, ""); err != nil || !m.ReadOnly() {
		t.Errorf("mount with an unknown read-only feature: %v, read-only %v; want a read-only mount", err, m != nil && m.ReadOnly())
	}
	if fs.MemoryBytes() < 0 {
		t.Errorf("memory accounting went negative")
	}
}

// FuzzExt2Mount mounts corrupted images and walks them: every outcome is an error or a
// tree, never a panic.
func FuzzExt2Mount(f *testing.F) {
	fuzzMount(f, makeExt2(1024, 64, 8192, 16), "ext2")
}

// fuzzMount fuzzes the mount of base as fstype, once weft has written files to it.
func fuzzMount(f *testing.F, base *memDevice, fstype string) {
	{
		fs := New(0, 0, func(p []byte) { clear(p) })
		mp, _ := fs.Create(root, fs.lookupPlain("tmp"), "m", S_IFDIR|0o755)
		m, err := fs.MountExt2(nil, mp, "", fstype, base, 0, false, 0, "")
		if err != nil {
			f.Fatal(err)
		}
		top := fs.MountRoot(m)
		d, _ := fs.Create(root, top, "d", S_IFDIR|0o755)
		n, _ := fs.Create(root, d, "f", S_IFREG|0o644)
		n.pagedWrite(bytes.Repeat([]byte{7}, 20000), 0)
		for i := int64(0); i < 6; i++ { // apart: extents enough for a tree of depth 1
			n.pagedWrite([]byte{1}, 40000+i*8192)
		}
		fs.Symlink(root, d, "l", strings.Repeat("t", 100))
		n.SetXattr(root, "user.a", []byte("b"), 0)
		if err := fs.Unmount(m, false, nil); err != nil {
			f.Fatal(err)
		}
	}
	f.Add([]byte{})
	f.Add([]byte{0x04, 0x38, 0xff})       // s_magic
	f.Add([]byte{0x04, 0x18, 0x09})       // s_log_block_size
	f.Add([]byte{0x08, 0x00, 0xff})       // a descriptor
	f.Add([]byte{0x14, 0x28, 0x40, 0x00}) // the root's first block
	f.Fuzz(func(t *testing.T, patch []byte) {
		dev := &memDevice{bytes.Clone(base.b)}
		// The input is (offset high, offset low, byte) triples over the image's
		// first 64 KiB, where all its metadata is.
		for i := 0; i+2 < len(patch); i += 3 {
			dev.b[int(patch[i])<<8|int(patch[i+1])] = patch[i+2]
		}
		fs := New(0, 0, func(p []byte) { clear(p) })
		fs.Mem = nil
		mp, _ := fs.Create(root, fs.lookupPlain("tmp"), "m", S_IFDIR|0o755)
		m, err := fs.MountExt2(nil, mp, "", fstype, dev, 0, false, 0, "")
		if err != nil {
			return
		}
		var walk func(n *Inode, depth int)
		walk = func(n *Inode, depth int) {
			if depth > 64 {
				t.Fatalf("a tree deeper than 64 directories")
			}
			for _, name := range n.Names() {
				c := n.children[name]
				if c.IsDir() {
					walk(c, depth+1)
				} else if c.Mode&S_IFMT == S_IFREG {
					c.pagedRead(make([]byte, 4096), 0)
				}
			}
		}
		walk(fs.MountRoot(m), 0)
		fs.Create(root, fs.MountRoot(m), "new", S_IFREG|0o644)
		fs.Unmount(m, false, nil)
		if m, err := fs.MountExt2(nil, mp, "", fstype, dev, 0, false, 0, ""); err == nil {
			walk(fs.MountRoot(m), 0)
			fs.Unmount(m, false, nil)
		}
	})
}

// TestExt2Options: the options Linux's ext2 takes, and what /proc/PID/mounts shows of
// them (ext2_show_options) for a superblock's s_errors and default mount options.
func TestExt2Options(t *testing.T) {
	for _, c := range []struct {
		data     string
		sErrors  uint32
		defaults uint32
		want     string
		err      error
	}{
		{"", 1, 0, ",errors=continue", nil},
		{"", 2, 0xc, ",user_xattr,acl", nil},
		{"noacl,errors=panic", 1, 0xc, ",errors=panic,user_xattr,noacl", nil},
		{"errors=remount-ro,nouser_xattr", 1, 0x4, ",errors=remount-ro,nouser_xattr", nil},
		{"acl,user_xattr,sb=1,resuid=0,nobh,minixdf", 2, 0, ",user_xattr,acl", nil},
		{"errors=ignore", 1, 0, "", linux.EINVAL},
		{"acl=1", 1, 0, "", linux.EINVAL},
		{"resuid", 1, 0, "", linux.EINVAL},
		{"mode=0755", 1, 0, "", linux.EINVAL},
	} {
		o, err := ext2Options("ext2", c.data)
		if err != c.err {
			t.Errorf("ext2Options(%q) = %v, want %v", c.data, err, c.err)
			continue
		}
		if err != nil {
			continue
		}
		e := &ext2FS{sb: make([]byte, 1024)}
		put16(e.sb, 60, c.sErrors)
		put32(e.sb, 256, c.defaults)
		if got := e.showOptions(o); got != c.want {
			t.Errorf("showOptions(%q, s_errors %d, defaults %#x) = %q, want %q", c.data, c.sErrors, c.defaults, got, c.want)
		}
	}
}

// TestExt2ReservedInodesCharged: the reserved inodes below s_first_ino, whose bytes a
// mount keeps, are charged to the memory cap however many the superblock declares.
func TestExt2ReservedInodesCharged(t *testing.T) {
	dev := makeExt2(1024, 4096, 8192, 8192)
	binary.LittleEndian.PutUint32(dev.b[1024+84:], 8192) // s_first_ino: all but one reserved
	fs := New(0, 0, func(p []byte) { clear(p) })
	if _, err := fs.Create(root, mustDir(t, fs, "/tmp"), "m", S_IFDIR|0o755); err != nil {
		t.Fatal(err)
	}
	before := fs.bytes
	m, _ := mountExt2At(t, fs, "m", dev, MS_RDONLY)
	if kept, got := int64(8191-1)*128, fs.bytes-before; got < kept {
		t.Errorf("mount charged %d bytes, keeps %d of reserved inodes", got, kept)
	}
	if err := fs.Unmount(m, false, nil); err != nil {
		t.Fatal(err)
	}
	if fs.bytes != before {
		t.Errorf("after unmount %d bytes charged, want %d", fs.bytes, before)
	}
}

// TestExt2UnmountInOneNamespace: unmounting an ext2 file system in one mount namespace
// while another still has it writes nothing back and leaves its superblock marked
// mounted (not clean); only the last unmount marks it clean (ext2_put_super).
func TestExt2UnmountInOneNamespace(t *testing.T) {
	fs := newFS(t)
	dev := makeExt2(1024, 2048, 1024, 64)
	m, _ := mountExt2At(t, fs, "mnt", dev, 0)
	state := func() uint16 { return binary.LittleEndian.Uint16(dev.b[ext2SuperOffset+58:]) & ext2StateValid }
	if state() != 0 {
		t.Fatal("mounted file system is marked clean")
	}
	other := &MountNS{ID: 1}
	fs.CopyMounts(nil, other)
	if err := fs.UnmountIn(other, m, false, nil); err != nil {
		t.Fatal(err)
	}
	if state() != 0 {
		t.Error("after an unmount in one namespace of two, the file system is marked clean")
	}
	if err := fs.UnmountIn(nil, m, false, nil); err != nil {
		t.Fatal(err)
	}
	if state() == 0 {
		t.Error("after the last unmount, the file system is not marked clean")
	}
}
