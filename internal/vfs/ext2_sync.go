package vfs

import (
	"slices"

	"weft/internal/abi/linux"
	"weft/internal/mm"
)

// The write-back of an ext2 file system: the whole tree laid out again on the device,
// every time, in a fixed order (inodes by number, each one's blocks in logical order,
// the next free block after the last one given), so that the same tree always gives
// the same bytes. What never moves (the superblock and descriptors with their
// reserved growth blocks, the bitmaps, the inode tables and the reserved inodes'
// blocks) is in e.fixed; everything else is free before the layout begins. The result
// is what a file system check expects: bitmaps that match the inodes, counts that
// match the bitmaps, directories with "." and "..", links counted.

// ext2FileType is the directory entry's file type byte (EXT2_FT_*).
func ext2FileType(mode uint32) byte {
	switch mode & S_IFMT {
	case S_IFREG:
		return 1
	case S_IFDIR:
		return 2
	case S_IFCHR:
		return 3
	case S_IFBLK:
		return 4
	case S_IFIFO:
		return 5
	case S_IFSOCK:
		return 6
	case S_IFLNK:
		return 7
	}
	return 0
}

// ext2Layout is one write-back's state.
type ext2Layout struct {
	e      *ext2FS
	bitmap bitset // blocks in use
	cursor int64  // where the search for a free block starts
	used   int64
	// dry counts blocks without placing or writing anything (inodeBlocks).
	dry bool
}

// alloc takes the next free block (ENOSPC if the file system is full).
func (l *ext2Layout) alloc() (uint32, error) {
	e := l.e
	if l.dry {
		l.used++ // blocks in a row, as an empty file system would give them
		return uint32(l.used), nil
	}
	total := int64(e.blocks) - int64(e.firstData)
	for i := int64(0); i < total; i++ {
		b := l.cursor
		l.cursor++
		if l.cursor >= int64(e.blocks) {
			l.cursor = int64(e.firstData)
		}
		if !l.bitmap.has(b) {
			l.bitmap.set(b)
			l.used++
			return uint32(b), nil
		}
	}
	return 0, linux.ENOSPC
}

// write writes block b (nothing in a dry run).
func (l *ext2Layout) write(b uint32, p []byte) error {
	if l.dry {
		return nil
	}
	n, err := l.e.dev.PWrite(p, int64(b)*l.e.bs)
	if err != nil || n != len(p) {
		return linux.EIO
	}
	return nil
}

// ext2Ind is an indirect block being filled.
type ext2Ind struct {
	b    uint32
	ptrs []byte
	kids []*ext2Ind
}

// placer gives a file's logical blocks device blocks, making the indirect blocks that
// map them.
type placer struct {
	l      *ext2Layout
	iblock [15]uint32
	roots  [3]*ext2Ind
	blocks int64 // blocks taken, indirect ones included
	acl    uint32
	// ext: the blocks are mapped by an extent tree (ext4.go), built from extents
	// and checksummed with the inode's seed.
	ext     bool
	extents []ext4Extent
	seed    uint32
}

func (p *placer) newInd() (*ext2Ind, error) {
	b, err := p.l.alloc()
	if err != nil {
		return nil, err
	}
	p.blocks++
	apb := p.l.e.bs / 4
	return &ext2Ind{b: b, ptrs: make([]byte, p.l.e.bs), kids: make([]*ext2Ind, apb)}, nil
}

// put writes data as logical block lb.
func (p *placer) put(lb int64, data []byte) error {
	e := p.l.e
	b, err := p.l.alloc()
	if err != nil {
		return err
	}
	p.blocks++
	if err := p.l.write(b, data); err != nil {
		return err
	}
	if p.ext {
		p.putExtent(lb, b)
		return nil
	}
	if lb < ext2NDirBlocks {
		p.iblock[lb] = b
		return nil
	}
	apb := e.bs / 4
	lb -= ext2NDirBlocks
	depth, span := 1, apb
	for lb >= span {
		lb -= span
		depth++
		span *= apb
	}
	if p.roots[depth-1] == nil {
		if p.roots[depth-1], err = p.newInd(); err != nil {
			return err
		}
		p.iblock[ext2NDirBlocks+depth-1] = p.roots[depth-1].b
	}
	node := p.roots[depth-1]
	for level := depth; level > 1; level-- {
		span /= apb
		i := lb / span
		lb %= span
		if node.kids[i] == nil {
			if node.kids[i], err = p.newInd(); err != nil {
				return err
			}
			put32(node.ptrs, int(i*4), node.kids[i].b)
		}
		node = node.kids[i]
	}
	put32(node.ptrs, int(lb*4), b)
	return nil
}

// finish writes the indirect blocks, or the extent tree.
func (p *placer) finish() error {
	if p.ext {
		return p.finishExtents()
	}
	var flush func(n *ext2Ind) error
	flush = func(n *ext2Ind) error {
		if n == nil {
			return nil
		}
		for _, k := range n.kids {
			if err := flush(k); err != nil {
				return err
			}
		}
		return p.l.write(n.b, n.ptrs)
	}
	for _, r := range p.roots {
		if err := flush(r); err != nil {
			return err
		}
	}
	return nil
}

// entryOf is what a directory's entry name leads to on this file system: the
// directory a guest mount hides rather than the mount, nil for something of another
// file system.
func (e *ext2FS) entryOf(c *Inode) *Inode {
	for c != nil && c.mnt != e.m && c.mnt != nil && c.mnt.root == c {
		c = c.mnt.covered
	}
	if c == nil || c.mnt != e.m {
		return nil
	}
	return c
}

// tree returns the inodes the mount's tree reaches, by number.
func (e *ext2FS) tree() []*Inode {
	seen := map[*Inode]bool{e.m.root: true}
	out := []*Inode{e.m.root}
	for i := 0; i < len(out); i++ {
		n := out[i]
		if !n.IsDir() {
			continue
		}
		for _, name := range n.Names() {
			c := e.entryOf(n.children[name])
			if c != nil && !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	slices.SortFunc(out, func(a, b *Inode) int {
		return int(int64(a.Ino) - int64(b.Ino))
	})
	return out
}

// dirBlocks lays directory n's entries out in blocks.
func (e *ext2FS) dirBlocks(n *Inode) [][]byte {
	parent := n.parent
	if n == e.m.root {
		parent = n
	}
	type ent struct {
		ino  uint32
		name string
		typ  byte
	}
	ents := []ent{{uint32(n.Ino), ".", 2}, {uint32(parent.Ino), "..", 2}}
	for _, name := range n.Names() {
		if c := e.entryOf(n.children[name]); c != nil {
			ents = append(ents, ent{uint32(c.Ino), name, ext2FileType(c.Mode)})
		}
	}
	// Under metadata_csum each block ends in a checksum entry (place fills it).
	room := int(e.bs)
	if e.csum {
		room -= ext4DirTail
	}
	var blocks [][]byte
	var blk []byte
	last, off := -1, 0
	for _, x := range ents {
		size := pad4(8 + len(x.name))
		if blk == nil || off+size > room {
			if blk != nil {
				put16(blk, last+4, uint32(room-last))
			}
			blk = make([]byte, e.bs)
			blocks = append(blocks, blk)
			off = 0
		}
		put32(blk, off, x.ino)
		put16(blk, off+4, uint32(size))
		blk[off+6] = byte(len(x.name))
		if e.incompat&ext2IncompatFiletype != 0 {
			blk[off+7] = x.typ
		}
		copy(blk[off+8:], x.name)
		last, off = off, off+size
	}
	put16(blk, last+4, uint32(room-last))
	return blocks
}

// encodeInode lays out inode n whose blocks p placed.
func (e *ext2FS) encodeInode(n *Inode, p *placer, size int64) []byte {
	raw := make([]byte, e.isize)
	if x := e.extra[uint32(n.Ino)]; x != nil {
		copy(raw[ext2OldInode:], x)
	}
	ino := uint32(n.Ino)
	put16(raw, 0, n.Mode)
	put16(raw, 2, n.UID&0xffff)
	put32(raw, 4, uint32(size))
	e.putExt4Time(raw, 8, 140, n.Atime)
	e.putExt4Time(raw, 12, 132, n.Ctime)
	e.putExt4Time(raw, 16, 136, n.Mtime)
	put16(raw, 24, n.GID&0xffff)
	links := min(n.Nlink, 0xffff)
	if e.ext4 && n.IsDir() && n.Nlink >= ext4LinkMax && e.roCompat&ext4RoCompatDirNlink != 0 {
		links = 1 // dir_nlink: too many to count (ext4_inc_count)
	}
	put16(raw, 26, links)
	sectors := p.blocks * (e.bs / 512)
	put32(raw, 28, uint32(sectors))
	if e.roCompat&ext4RoCompatHugeFile != 0 {
		put16(raw, 116, uint32(sectors>>32)) // l_i_blocks_high
	}
	flags := n.AttrFlags & (FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | FS_NOATIME_FL)
	if p.ext {
		flags |= ext4ExtentsFl
	}
	put32(raw, 32, flags)
	for i, b := range p.iblock {
		put32(raw, 40+4*i, b)
	}
	put32(raw, 100, e.gen[ino])
	put32(raw, 104, p.acl)
	if n.Mode&S_IFMT == S_IFREG {
		put32(raw, 108, uint32(size>>32))
	}
	put16(raw, 120, n.UID>>16)
	put16(raw, 122, n.GID>>16)
	e.setInodeCsum(ino, raw)
	return raw
}

// newPlacer starts the placement of inode n's blocks.
func (e *ext2FS) newPlacer(l *ext2Layout, n *Inode) *placer {
	p := &placer{l: l, ext: e.usesExtents(n)}
	if e.csum {
		p.seed = e.inodeSeed(uint32(n.Ino), e.gen[uint32(n.Ino)])
	}
	return p
}

// place lays n's blocks out with p, and returns the size the inode records.
func (e *ext2FS) place(n *Inode, p *placer) (int64, error) {
	size := int64(0)
	switch n.Mode & S_IFMT {
	case S_IFREG:
		size = n.size
		ppb := mm.PageSize / e.bs
		for i, f := n.pages.next(0); f != nil; i, f = n.pages.next(i + 1) {
			for k := int64(0); k < ppb && (i*ppb+k)*e.bs < size; k++ {
				if isHole(n, i, k) {
					continue // no write filled it: a hole on the device too
				}
				if err := p.put(i*ppb+k, f.Data[k*e.bs:(k+1)*e.bs]); err != nil {
					return 0, err
				}
			}
		}
	case S_IFDIR:
		blocks := e.dirBlocks(n)
		for i, b := range blocks {
			if e.csum && !p.l.dry {
				e.setDirTail(b, p.seed)
			}
			if err := p.put(int64(i), b); err != nil {
				return 0, err
			}
		}
		size = int64(len(blocks)) * e.bs
	case S_IFLNK:
		size = int64(len(n.target))
		if size < 60 {
			// A fast symbolic link: the target in the block pointers.
			for i := 0; i < len(n.target); i += 4 {
				var w [4]byte
				copy(w[:], n.target[i:])
				p.iblock[i/4] = le32(w[:], 0)
			}
		} else {
			blk := make([]byte, e.bs)
			copy(blk, n.target)
			if err := p.put(0, blk); err != nil {
				return 0, err
			}
		}
	case S_IFCHR, S_IFBLK:
		major, minor := uint32(n.Rdev>>8&0xfff), uint32(n.Rdev&0xff|n.Rdev>>12&0xfff00)
		if major < 256 && minor < 256 {
			p.iblock[0] = major<<8 | minor // old_encode_dev
		} else {
			p.iblock[1] = minor&0xff | major<<8 | (minor&^0xff)<<12 // new_encode_dev
		}
	}
	if err := p.finish(); err != nil {
		return 0, err
	}
	if blk := e.encodeXattrs(n); blk != nil {
		b, err := p.l.alloc()
		if err != nil {
			return 0, err
		}
		if e.csum && !p.l.dry {
			put32(blk, 16, e.xattrCsum(b, blk))
		}
		if err := p.l.write(b, blk); err != nil {
			return 0, err
		}
		p.acl = b
		p.blocks++
	}
	return size, nil
}

// inodeBlocks is how many blocks n takes on the device (its st_blocks, in blocks).
func (e *ext2FS) inodeBlocks(n *Inode) int64 {
	p := e.newPlacer(&ext2Layout{e: e, dry: true}, n)
	e.place(n, p)
	return p.blocks
}

// Sync writes the file system n is on to its device, if it is an ext2 file system
// mounted for writing (sync(2), syncfs(2), fsync(2)).
func (fs *FS) Sync(n *Inode) error {
	if e := n.ext2Of(); e != nil && !e.m.ReadOnly() {
		return e.sync(false)
	}
	return nil
}

// SyncAll writes back every ext2 file system mounted for writing (sync(2)).
func (fs *FS) SyncAll() {
	for _, m := range fs.memMounts {
		if m.ext2 != nil && !m.ReadOnly() {
			m.ext2.sync(false)
		}
	}
}

// sync lays the tree out on the device; clean marks the file system cleanly
// unmounted.
func (e *ext2FS) sync(clean bool) error {
	if !e.ready {
		return nil
	}
	l := &ext2Layout{e: e, bitmap: slices.Clone(e.fixed), cursor: int64(e.firstData), used: e.fixedCount}
	now := uint32(e.fs.now() / 1e9)
	nodes := e.tree()
	inUse := newBitset(int64(e.inodes) + 1)
	dirs := make([]int64, len(e.groups))
	large, xattrs := false, false
	var meta int64
	for _, n := range nodes {
		ino := uint32(n.Ino)
		p := e.newPlacer(l, n)
		size, err := e.place(n, p)
		if err != nil {
			return err
		}
		if n.Mode&S_IFMT == S_IFREG {
			large = large || size >= 1<<31
			if p.acl != 0 {
				meta++
			}
		} else {
			meta += p.blocks
		}
		if n.IsDir() {
			dirs[(ino-1)/e.ipg]++
		}
		xattrs = xattrs || p.acl != 0
		raw := e.encodeInode(n, p, size)
		if _, err := e.dev.PWrite(raw, e.inodeOffset(ino)); err != nil {
			return linux.EIO
		}
		inUse.set(int64(ino))
	}
	// Inodes in use at the last write-back and gone since: deleted (i_dtime set, no
	// links, no blocks), as ext2_free_inode leaves them.
	for ino := int64(e.firstIno); ino <= int64(e.inodes); ino++ {
		if e.written.has(ino) && !inUse.has(ino) {
			raw := make([]byte, e.isize)
			put32(raw, 20, now)
			e.setInodeCsum(uint32(ino), raw)
			if _, err := e.dev.PWrite(raw, e.inodeOffset(uint32(ino))); err != nil {
				return linux.EIO
			}
		}
	}
	e.written = inUse
	e.metaBlocks = meta
	// The bitmaps and the descriptors' counts.
	gdt := make([]byte, int64(e.gdtBlocks)*e.bs)
	if err := e.readAt(gdt, int64(e.firstData+1)*e.bs); err != nil {
		return err
	}
	var freeBlocks, freeInodes int64
	for g := range e.groups {
		gr := e.groups[g]
		bm := make([]byte, e.bs)
		start, end := e.groupStart(uint32(g)), e.groupEnd(uint32(g))
		free := int64(0)
		for i := int64(0); i < e.bs*8; i++ {
			if b := start + i; b >= end || l.bitmap.has(b) {
				bm[i/8] |= 1 << (i % 8) // in use, or padding past the group's end
			} else {
				free++
			}
		}
		if err := l.write(gr.blockBitmap, bm); err != nil {
			return err
		}
		im := make([]byte, e.bs)
		ifree, last := int64(0), int64(0)
		for i := int64(0); i < e.bs*8; i++ {
			ino := int64(g)*int64(e.ipg) + i + 1
			if i >= int64(e.ipg) || ino < int64(e.firstIno) || ino == int64(e.orphanIno) || inUse.has(ino) {
				im[i/8] |= 1 << (i % 8)
				if i < int64(e.ipg) {
					last = i + 1
				}
			} else {
				ifree++
			}
		}
		if err := l.write(gr.inodeBitmap, im); err != nil {
			return err
		}
		d := gdt[int64(g)*e.descSize:]
		e.putGroupCount(d, 12, 44, free)
		e.putGroupCount(d, 14, 46, ifree)
		e.putGroupCount(d, 16, 48, dirs[g])
		if e.csum || e.ext4 && e.roCompat&ext4RoCompatGdtCsum != 0 {
			// Both bitmaps are written whole, and the inode table is in use up to
			// the last inode in use (bg_itable_unused counts the rest).
			put16(d, 18, le16(d, 18)&^(ext4BgInodeUninit|ext4BgBlockUninit))
			e.putGroupCount(d, 28, 50, int64(e.ipg)-last)
			if e.csum {
				bsum, isum := crc32c(e.csumSeed, bm[:e.bpg/8]), crc32c(e.csumSeed, im[:e.ipg/8])
				put16(d, 24, bsum&0xffff)
				put16(d, 26, isum&0xffff)
				if e.descSize >= 64 {
					put16(d, 56, bsum>>16)
					put16(d, 58, isum>>16)
				}
			}
			put16(d, 30, e.groupCsum(uint32(g), d))
		}
		freeBlocks += free
		freeInodes += ifree
	}
	if _, err := e.dev.PWrite(gdt, int64(e.firstData+1)*e.bs); err != nil {
		return linux.EIO
	}
	put32(e.sb, 12, uint32(freeBlocks))
	put32(e.sb, 16, uint32(freeInodes))
	put32(e.sb, 48, now)
	if e.ext4 {
		// The orphans the old list names were released with the rest of what no
		// directory reaches (ext4_orphan_cleanup).
		put32(e.sb, sbLastOrphan, 0)
	}
	// Features the file system now uses, set as Linux sets them the first time
	// (ext2_update_dynamic_rev, then the feature).
	if large && e.roCompat&ext2RoCompatLargeFile == 0 {
		e.upgradeRev()
		e.roCompat |= ext2RoCompatLargeFile
		put32(e.sb, 100, e.roCompat)
	}
	if xattrs && e.compat&ext2CompatExtAttr == 0 {
		e.upgradeRev()
		e.compat |= ext2CompatExtAttr
		put32(e.sb, 92, e.compat)
	}
	if clean {
		put16(e.sb, 58, le16(e.sb, 58)|ext2StateValid)
	}
	return e.writeSuper()
}

// upgradeRev makes a revision 0 superblock a dynamic one, as ext2_update_dynamic_rev
// does before the first feature is set.
func (e *ext2FS) upgradeRev() {
	if le32(e.sb, 76) != 0 {
		return
	}
	put32(e.sb, 76, 1)
	put32(e.sb, 84, ext2GoodOldIno)
	put16(e.sb, 88, 128)
}

// putGroupCount writes a group descriptor's count: the low 16 bits at lo, the high
// ones at hi in a 64-byte descriptor.
func (e *ext2FS) putGroupCount(d []byte, lo, hi int, v int64) {
	put16(d, lo, uint32(v)&0xffff)
	if e.descSize >= 64 {
		put16(d, hi, uint32(v>>16))
	}
}

// writeSuper writes the primary superblock, with its checksum under metadata_csum.
func (e *ext2FS) writeSuper() error {
	if e.csum {
		put32(e.sb, sbChecksum, superCsum(e.sb))
	}
	if _, err := e.dev.PWrite(e.sb, ext2SuperOffset); err != nil {
		return linux.EIO
	}
	return nil
}
