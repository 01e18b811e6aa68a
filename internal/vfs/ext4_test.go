package vfs

import (
	"bytes"
	"encoding/binary"
	"testing"

	"weft/internal/abi/linux"
	"weft/internal/mm"
)

// makeExt4 is makeExt2's image with ext4's extents, flex_bg and metadata checksums:
// the superblock's, the descriptors' and the root inode's checksums made as the
// format says (the rest is weft's write-back's to make).
func makeExt4(bs, blocks, bpg, ipg uint32) *memDevice {
	dev := makeExt2(bs, blocks, bpg, ipg)
	sb := dev.b[1024:2048]
	le := binary.LittleEndian
	le.PutUint32(sb[96:], le.Uint32(sb[96:])|ext4IncompatExtents|ext4IncompatFlexBG)
	le.PutUint32(sb[100:], le.Uint32(sb[100:])|ext4RoCompatMetadataCsum|ext4RoCompatHugeFile|ext4RoCompatDirNlink)
	sb[sbChecksumType] = 1
	copy(sb[104:120], "weft-ext4-uuid!!")
	e := &ext2FS{sb: sb, csum: true, descSize: 32, isize: 128, firstData: 0}
	e.csumSeed = crc32c(^uint32(0), sb[104:120])
	first := uint32(0)
	if bs == 1024 {
		first = 1
	}
	groups := (blocks - first + bpg - 1) / bpg
	gdt := dev.b[(first+1)*bs:]
	for g := uint32(0); g < groups; g++ {
		d := gdt[g*32 : g*32+32]
		le.PutUint16(d[30:], uint16(e.groupCsum(g, d)))
	}
	rootInode := dev.b[int64(le.Uint32(gdt[8:]))*int64(bs)+128:][:128]
	e.setInodeCsum(ext2RootIno, rootInode)
	le.PutUint32(sb[sbChecksum:], superCsum(sb))
	return dev
}

func mountAs(t *testing.T, fs *FS, fstype string, dev BlockDevice, flags uint64) (*MemMount, *Inode) {
	t.Helper()
	mp := mustDir(t, fs, "/tmp").child("mnt")
	if mp == nil {
		var err error
		if mp, err = fs.Create(root, mustDir(t, fs, "/tmp"), "mnt", S_IFDIR|0o755); err != nil {
			t.Fatal(err)
		}
	}
	m, err := fs.MountExt2(nil, mp, "/dev/loop0", fstype, dev, 7<<8, false, flags, "")
	if err != nil {
		t.Fatalf("MountExt2(%s) = %v", fstype, err)
	}
	return m, fs.MountRoot(m)
}

// TestCrc: the two checksums against their standard check values ("123456789").
func TestCrc(t *testing.T) {
	in := []byte("123456789")
	if got := ^crc32c(^uint32(0), in); got != 0xe3069283 {
		t.Errorf("crc32c(123456789) = %#x, want 0xe3069283", got)
	}
	if got := crc16(0, in); got != 0xbb3d {
		t.Errorf("crc16(123456789) = %#x, want 0xbb3d", got)
	}
}

// TestExt4Time: timestamps past 2038 and before 1970 keep their seconds and
// nanoseconds through the extra word.
func TestExt4Time(t *testing.T) {
	e := &ext2FS{ext4: true, isize: 256}
	for _, ts := range []int64{0, 1_700_000_000_123_456_789, -1_000_000_000, -1, 5_000_000_000*1e9 + 7, 1<<31*1e9 + 999_999_999} {
		raw := make([]byte, 256)
		put16(raw, 128, 32)
		e.putExt4Time(raw, 8, 140, ts)
		if got := e.ext4Time(raw, 8, 140); got != ts {
			t.Errorf("ext4Time(putExt4Time(%d)) = %d", ts, got)
		}
	}
}

// TestExt4Extents: blocks placed apart make one extent each; past four the tree
// grows leaves (depth 1), past four leaves an index level (depth 2). Read back, the
// tree gives every block where it was put; a leaf with a wrong checksum is EBADMSG.
func TestExt4Extents(t *testing.T) {
	for _, c := range []struct {
		extents, depth int
		blocksEach     int64
	}{{1, 0, 1}, {4, 0, 3}, {5, 1, 2}, {84 * 4, 1, 1}, {84*4 + 1, 2, 1}} {
		e := &ext2FS{bs: 1024, blocks: 8192, firstData: 1, ext4: true, csum: true, csumSeed: 42,
			dev: &memDevice{make([]byte, 8192*1024)}}
		l := &ext2Layout{e: e, bitmap: newBitset(8192), cursor: 1}
		p := &placer{l: l, ext: true, seed: e.inodeSeed(12, 0)}
		want := map[int64][]byte{}
		for i := 0; i < c.extents; i++ {
			for k := int64(0); k < c.blocksEach; k++ {
				lb := int64(i)*(c.blocksEach+1) + k // a hole after each extent
				data := bytes.Repeat([]byte{byte(lb)}, 1024)
				want[lb] = data
				if err := p.put(lb, data); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := p.finish(); err != nil {
			t.Fatal(err)
		}
		raw := make([]byte, 128)
		put32(raw, 32, ext4ExtentsFl)
		for i, b := range p.iblock {
			put32(raw, 40+4*i, b)
		}
		if d := int(le16(raw, 46)); d != c.depth {
			t.Errorf("%d extents: depth %d, want %d", c.extents, d, c.depth)
		}
		got, meta := 0, 0
		var firstMeta uint32
		err := e.eachBlock(12, raw, func(lb int64, b uint32, kind blockKind) error {
			if kind == blockMeta {
				if meta++; firstMeta == 0 {
					firstMeta = b
				}
				return nil
			}
			blk, _ := e.readBlock(b)
			if !bytes.Equal(blk, want[lb]) {
				t.Errorf("%d extents: logical block %d reads %d..., want %v", c.extents, lb, blk[0], want[lb] != nil)
			}
			got++
			return nil
		})
		if err != nil || got != len(want) || int64(meta) != p.blocks-int64(len(want)) {
			t.Errorf("%d extents: eachBlock = %v, %d blocks, %d tree blocks; want %d and %d", c.extents, err, got, meta, len(want), p.blocks-int64(len(want)))
		}
		if firstMeta != 0 {
			e.dev.(*memDevice).b[int64(firstMeta)*1024+20]++
			e.pointers = 0
			if err := e.eachBlock(12, raw, func(int64, uint32, blockKind) error { return nil }); err != linux.EBADMSG {
				t.Errorf("%d extents: a tree block with a bad checksum: %v, want EBADMSG", c.extents, err)
			}
		}
	}
}

// TestExt4Mount: an ext4 image with checksums mounts as ext4 (not as ext2, which lacks
// extents, nor as ext3); files weft writes come back after a remount with their
// extents; a bad superblock checksum is EBADMSG; needs_recovery without a journal is
// corrupt.
func TestExt4Mount(t *testing.T) {
	fs := newFS(t)
	dev := makeExt4(1024, 2048, 8192, 64)
	mp := mustDir(t, fs, "/tmp")
	for _, typ := range []string{"ext2", "ext3"} {
		if _, err := fs.MountExt2(nil, mp, "", typ, dev, 0, false, 0, ""); err != linux.EINVAL {
			t.Errorf("mount of an ext4 image as %s = %v, want EINVAL", typ, err)
		}
	}
	m, top := mountAs(t, fs, "ext4", dev, 0)
	big := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	writeFile(t, fs, top, "big", big, 0)
	sparse := writeFile(t, fs, top, "sparse", []byte("x"), 0)
	for i := int64(1); i <= 6; i++ {
		writeFile(t, fs, top, "sparse", []byte{byte(i)}, i*16384)
	}
	d, err := fs.Create(root, top, "d", S_IFDIR|0o755)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Rename(root, top, "big", d, "moved", 0); err != nil {
		t.Fatal(err)
	}
	if err := fs.Unmount(m, false, nil); err != nil {
		t.Fatal(err)
	}
	m, top = mountAs(t, fs, "ext4", dev, MS_RDONLY)
	moved, err := fs.Lookup(root, top, "d/moved", true)
	if err != nil || !bytes.Equal(moved.pagedContents(), big) {
		t.Fatalf("d/moved after a remount: %v", err)
	}
	sparse, err = fs.Lookup(root, top, "sparse", true)
	if err != nil || sparse.Size() != 6*16384+1 || sparse.pagedContents()[5*16384] != 5 {
		t.Fatalf("sparse after a remount: %v", err)
	}
	raw, err := m.ext2.readInode(uint32(sparse.Ino))
	if err != nil || le32(raw, 32)&ext4ExtentsFl == 0 || le16(raw, 46) != 1 {
		t.Errorf("sparse's inode: %v, flags %#x, depth %d; want extents of depth 1", err, le32(raw, 32), le16(raw, 46))
	}
	if err := fs.Unmount(m, false, nil); err != nil {
		t.Fatal(err)
	}
	bad := &memDevice{bytes.Clone(dev.b)}
	bad.b[1024+200]++
	if _, err := fs.MountExt2(nil, mp, "", "ext4", bad, 0, false, 0, ""); err != linux.EBADMSG {
		t.Errorf("a bad superblock checksum: %v, want EBADMSG", err)
	}
	rec := &memDevice{bytes.Clone(dev.b)}
	sb := rec.b[1024:2048]
	put32(sb, 96, le32(sb, 96)|ext4IncompatRecover)
	put32(sb, sbChecksum, superCsum(sb))
	if _, err := fs.MountExt2(nil, mp, "", "ext4", rec, 0, false, 0, ""); err != errCorrupt {
		t.Errorf("needs_recovery without a journal: %v, want EUCLEAN", err)
	}
}

// TestExt2BlockHoles: with blocks smaller than a page, a file holds the blocks
// writes filled: 1 KiB written takes one block; a file grown past a page with holes
// cannot have them filled through a mapping on a full file system (a bus error, as
// LTP's mmap16 checks), while a write still fills what is left.
func TestExt2BlockHoles(t *testing.T) {
	fs := newFS(t)
	_, top := mountAs(t, fs, "ext4", makeExt4(1024, 512, 8192, 32), 0)
	free := fs.StatFS(top).Free
	a := writeFile(t, fs, top, "a", bytes.Repeat([]byte{1}, 1024), 0)
	if got := fs.StatFS(top).Free; got != free-1 {
		t.Errorf("free blocks after 1 KiB: %d, want %d", got, free-1)
	}
	if err := a.Truncate(2 * mm.PageSize); err != nil {
		t.Fatal(err)
	}
	fill := writeFile(t, fs, top, "fill", nil, 0)
	f := Open(fill, O_WRONLY, "fill")
	for off := int64(0); ; off += 1024 {
		if _, err := f.PWrite(make([]byte, 1024), off); err != nil {
			if err != linux.ENOSPC {
				t.Fatalf("filling: %v", err)
			}
			break
		}
	}
	f.DecRef()
	if _, err := Open(a, O_WRONLY, "a").PWrite([]byte{1}, 3*mm.PageSize); err != linux.ENOSPC {
		t.Errorf("a write to a new page on a full file system = %v, want ENOSPC", err)
	}
	if fr, st := a.FilePage(0, false); fr == nil || st != mm.PageReadOnly {
		t.Errorf("FilePage(0) to read a page with holes = %v, %v; want the page, PageReadOnly", fr, st)
	}
	if fr, st := a.FilePage(0, true); fr != nil || st != mm.PageNoSpace {
		t.Errorf("FilePage(0) to write a page with holes on a full file system = %v, %v; want PageNoSpace", fr, st)
	}
	if err := fill.Truncate(0); err != nil {
		t.Fatal(err)
	}
	if fr, st := a.FilePage(0, true); fr == nil || st != mm.PageWritable {
		t.Errorf("FilePage(0) to write with room = %v, %v; want the page, PageWritable", fr, st)
	}
	if _, st := a.FilePage(0, false); st != mm.PageWritable {
		t.Errorf("FilePage(0) to read once filled: %v, want PageWritable", st)
	}
}

func FuzzExt4Mount(f *testing.F) {
	fuzzMount(f, makeExt4(1024, 256, 8192, 16), "ext4")
}
