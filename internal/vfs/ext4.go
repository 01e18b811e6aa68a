package vfs

import (
	"encoding/binary"
	"errors"
	"hash/crc32"

	"weft/internal/abi/linux"
)

// ext4 (and ext3) on the ext2 driver: what Linux's fs/ext4 adds to the ext2 format
// (Documentation/filesystems/ext4/ in the kernel's tree for the layout), as far as
// trixie's mke2fs sets it by default: a journal, extent trees, 64-bit group
// descriptors, flexible block groups, metadata checksums (crc32c, seeded from the
// superblock), huge files, directory link counts past 65000, large inodes with
// nanosecond timestamps, and the orphan file.
//
// weft does not journal. A mounted file system lives in weft's inodes and reaches the
// device only at a write-back (ext2_sync.go), which lays the whole tree out in place;
// there is no crash between two writes of a write-back that a journal would have to
// make atomic, because nothing outside weft runs while a write-back is under way. The
// journal's blocks and inode are kept as they are (a clean journal: empty, s_start 0).
// A file system whose journal needs recovery (needs_recovery, left by a crash) has it
// replayed at the mount, as Linux does (ext4_journal.go).

// ErrNeedsRecovery refuses the mount of a file system whose journal needs a recovery
// weft cannot do (fast commits, unknown journal features); mount(2) gives EINVAL for
// it, and weft says why.
var ErrNeedsRecovery = errors.New("the journal needs recovery with features weft does not replay (fast commits): run e2fsck on the image first")

// Feature flags of ext3 and ext4 (s_feature_compat, _incompat, _ro_compat).
const (
	ext4CompatHasJournal   = 0x4
	ext4CompatSparseSuper2 = 0x200
	ext4CompatOrphanFile   = 0x1000

	ext4IncompatRecover  = 0x4
	ext4IncompatExtents  = 0x40
	ext4Incompat64bit    = 0x80
	ext4IncompatFlexBG   = 0x200
	ext4IncompatCsumSeed = 0x2000
	ext4IncompatLargeDir = 0x4000

	ext4RoCompatHugeFile      = 0x8
	ext4RoCompatGdtCsum       = 0x10
	ext4RoCompatDirNlink      = 0x20
	ext4RoCompatExtraIsize    = 0x40
	ext4RoCompatMetadataCsum  = 0x400
	ext4RoCompatOrphanPresent = 0x10000
)

// What each driver mounts: the incompatible features it reads and writes (any other
// refuses the mount, EINVAL) and the read-only compatible ones it keeps correct when
// it writes (any other makes the mount read-only). ext3 is ext4's driver asked to
// mount only what ext3 knew (ext4_feature_set_ok: "couldn't mount as ext3 due to
// feature incompatibilities"); needs_recovery is ext3's and ext4's (ext4_journal.go).
// ORPHAN_PRESENT means the orphan file lists inodes to release, which weft does not
// do: such a file system is mounted read-only.
const (
	ext3IncompatSupported = ext2IncompatFiletype | ext4IncompatRecover
	ext3RoCompatSupported = ext2RoCompatSupported
	ext4IncompatSupported = ext2IncompatFiletype | ext4IncompatRecover | ext4IncompatExtents |
		ext4Incompat64bit | ext4IncompatFlexBG | ext4IncompatCsumSeed | ext4IncompatLargeDir
	ext4RoCompatSupported = ext2RoCompatSupported | ext4RoCompatHugeFile | ext4RoCompatGdtCsum |
		ext4RoCompatDirNlink | ext4RoCompatExtraIsize | ext4RoCompatMetadataCsum
)

// Inode flags and numbers of the format.
const (
	ext4ExtentsFl = 0x80000
	ext4LinkMax   = 65000 // EXT4_LINK_MAX

	ext4ExtentMagic = 0xf30a
	ext4MaxInitLen  = 32768 // EXT_INIT_MAX_LEN: longer lengths mark unwritten extents
	ext4DirTail     = 12    // struct ext4_dir_entry_tail
	ext4DirTailFT   = 0xde  // EXT4_FT_DIR_CSUM

	ext4BgInodeUninit = 0x1
	ext4BgBlockUninit = 0x2

	// The superblock's fields past ext2's.
	sbChecksumType  = 0x175
	sbChecksumSeed  = 0x270
	sbChecksum      = 0x3fc
	sbOrphanFileIno = 0x280
	sbOverhead      = 0x248
	sbJournalIno    = 0xe0
	sbLastOrphan    = 0xe8
	sbDescSize      = 0xfe
	sbWantExtra     = 0x15e
	sbBlocksHi      = 0x150
	sbBackupBgs     = 0x24c
)

var crc32cTable = crc32.MakeTable(crc32.Castagnoli)

// crc32c is Linux's crc32c_le: the CRC register carried in and out as it is, with no
// inversion on either side (ext4_chksum).
func crc32c(crc uint32, p []byte) uint32 {
	return ^crc32.Update(^crc, crc32cTable, p)
}

// crc32cU32 is crc32c over v as four little-endian bytes.
func crc32cU32(crc, v uint32) uint32 {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return crc32c(crc, b[:])
}

// crc16 is Linux's crc16 (polynomial 0x8005, bit-reversed), which group descriptors
// carry under uninit_bg (gdt_csum) when metadata_csum is off.
func crc16(crc uint16, p []byte) uint16 {
	for _, c := range p {
		crc ^= uint16(c)
		for i := 0; i < 8; i++ {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0xa001
			} else {
				crc >>= 1
			}
		}
	}
	return crc
}

// superCsum is the superblock's checksum (ext4_superblock_csum).
func superCsum(sb []byte) uint32 {
	return crc32c(^uint32(0), sb[:sbChecksum])
}

// inodeSeed is the seed of an inode's checksums: its number and generation over the
// file system's seed (ext4_inode_csum_seed).
func (e *ext2FS) inodeSeed(ino, gen uint32) uint32 {
	return crc32cU32(crc32cU32(e.csumSeed, ino), gen)
}

// extraIsize is an inode's i_extra_isize (0 for 128-byte inodes).
func (e *ext2FS) extraIsize(raw []byte) int64 {
	if e.isize <= ext2OldInode {
		return 0
	}
	return int64(le16(raw, ext2OldInode))
}

// inodeCsum is inode raw's checksum with the checksum fields taken as zero
// (ext4_inode_csum); hi reports whether the inode has room for its upper half.
func (e *ext2FS) inodeCsum(ino uint32, raw []byte) (sum uint32, hi bool) {
	hi = e.isize > ext2OldInode && e.extraIsize(raw) >= 4
	c := make([]byte, len(raw))
	copy(c, raw)
	put16(c, 124, 0)
	if hi {
		put16(c, 130, 0)
	}
	return crc32c(e.inodeSeed(ino, le32(raw, 100)), c), hi
}

// inodeCsumOK checks inode raw's checksum. An inode of zeros passes, as e2fsprogs
// lets it (an inode mke2fs never wrote).
func (e *ext2FS) inodeCsumOK(ino uint32, raw []byte) bool {
	if !e.csum {
		return true
	}
	zero := true
	for _, b := range raw {
		if b != 0 {
			zero = false
			break
		}
	}
	if zero {
		return true
	}
	sum, hi := e.inodeCsum(ino, raw)
	got := le16(raw, 124)
	if hi {
		got |= le16(raw, 130) << 16
	} else {
		sum &= 0xffff
	}
	return got == sum
}

// setInodeCsum stores inode raw's checksum.
func (e *ext2FS) setInodeCsum(ino uint32, raw []byte) {
	if !e.csum {
		return
	}
	sum, hi := e.inodeCsum(ino, raw)
	put16(raw, 124, sum&0xffff)
	if hi {
		put16(raw, 130, sum>>16)
	}
}

// groupCsum is group g's descriptor checksum (ext4_group_desc_csum): crc32c under
// metadata_csum, crc16 under uninit_bg, over the descriptor without its checksum.
func (e *ext2FS) groupCsum(g uint32, d []byte) uint32 {
	if e.csum {
		c := make([]byte, e.descSize)
		copy(c, d)
		put16(c, 30, 0)
		return crc32c(crc32cU32(e.csumSeed, g), c) & 0xffff
	}
	var gb [4]byte
	binary.LittleEndian.PutUint32(gb[:], g)
	crc := crc16(0xffff, e.sb[104:120])
	crc = crc16(crc, gb[:])
	crc = crc16(crc, d[:30])
	if e.descSize > 32 {
		crc = crc16(crc, d[32:e.descSize])
	}
	return uint32(crc)
}

// extentTailOK checks the checksum after an extent block's entries (struct
// ext4_extent_tail), seeded by the inode that owns the block.
func (e *ext2FS) extentTailOK(blk []byte, seed uint32) bool {
	if !e.csum {
		return true
	}
	end := 12 + 12*int64(le16(blk, 4))
	if end+4 > int64(len(blk)) {
		return false
	}
	return le32(blk, int(end)) == crc32c(seed, blk[:end])
}

// dirTailOK checks a directory block's checksum if it ends in a checksum entry (a
// leaf block; the tree blocks of an indexed directory carry theirs elsewhere).
func (e *ext2FS) dirTailOK(blk []byte, seed uint32) bool {
	t := len(blk) - ext4DirTail
	if !e.csum || le32(blk, t) != 0 || le16(blk, t+4) != ext4DirTail || blk[t+6] != 0 || blk[t+7] != ext4DirTailFT {
		return true
	}
	return le32(blk, t+8) == crc32c(seed, blk[:t])
}

// setDirTail writes a directory leaf block's checksum entry.
func (e *ext2FS) setDirTail(blk []byte, seed uint32) {
	t := len(blk) - ext4DirTail
	put32(blk, t, 0)
	put16(blk, t+4, ext4DirTail)
	blk[t+6], blk[t+7] = 0, ext4DirTailFT
	put32(blk, t+8, crc32c(seed, blk[:t]))
}

// xattrCsum is an attribute block's checksum: the block's number, then the block
// with h_checksum taken as zero (ext4_xattr_block_csum).
func (e *ext2FS) xattrCsum(b uint32, blk []byte) uint32 {
	var nb [8]byte
	binary.LittleEndian.PutUint64(nb[:], uint64(b))
	c := make([]byte, len(blk))
	copy(c, blk)
	put32(c, 16, 0)
	return crc32c(crc32c(e.csumSeed, nb[:]), c)
}

// blockKind says what eachBlock hands its function: a data block, a block of the map
// itself (an indirect or extent tree block), or a block of an unwritten extent
// (allocated, read as zeros).
type blockKind int

const (
	blockData blockKind = iota
	blockMeta
	blockUnwritten
)

// eachExtent walks an extent tree (ext4_ext_check, ext4_extent_block_csum_verify):
// node is the inode's i_block or a tree block, depth what its parent says it has
// (-1 at the root). Extents outside the file system, a bad header or a bad checksum
// are corruption.
func (e *ext2FS) eachExtent(node []byte, depth int, seed uint32, fn func(logical int64, b uint32, kind blockKind) error) error {
	magic, entries, maxEnt, d := le16(node, 0), int(le16(node, 2)), int(le16(node, 4)), int(le16(node, 6))
	if magic != ext4ExtentMagic || entries > maxEnt || 12+12*maxEnt > len(node) || d > 5 || (depth >= 0 && d != depth) {
		return errCorrupt
	}
	for i := 0; i < entries; i++ {
		x := node[12+12*i:]
		if d > 0 {
			if le16(x, 8) != 0 {
				return errCorrupt // above the 32-bit block numbers weft keeps
			}
			b := le32(x, 4)
			if b < e.firstData || b >= e.blocks {
				return errCorrupt
			}
			if e.pointers++; e.pointers > int64(e.blocks) {
				return errCorrupt
			}
			if err := fn(int64(le32(x, 0)), b, blockMeta); err != nil {
				return err
			}
			blk, err := e.readBlock(b)
			if err != nil {
				return err
			}
			if !e.extentTailOK(blk, seed) {
				return linux.EBADMSG // EFSBADCRC
			}
			if err := e.eachExtent(blk, d-1, seed, fn); err != nil {
				return err
			}
			continue
		}
		lb, n, start := int64(le32(x, 0)), int64(le16(x, 4)), le32(x, 8)
		kind := blockData
		if n > ext4MaxInitLen {
			n -= ext4MaxInitLen
			kind = blockUnwritten
		}
		if le16(x, 6) != 0 || n == 0 || start < e.firstData || int64(start)+n > int64(e.blocks) {
			return errCorrupt
		}
		if e.pointers += n; e.pointers > int64(e.blocks) {
			return errCorrupt
		}
		for k := int64(0); k < n; k++ {
			if err := fn(lb+k, start+uint32(k), kind); err != nil {
				return err
			}
		}
	}
	return nil
}

// ext4Extent is one extent being written: len blocks from start, from logical block
// lb.
type ext4Extent struct {
	lb    int64
	start uint32
	len   int64
}

// putExtent adds physical block b as logical block lb to the extents, growing the
// last one when it continues it.
func (p *placer) putExtent(lb int64, b uint32) {
	if k := len(p.extents); k > 0 {
		x := &p.extents[k-1]
		if x.lb+x.len == lb && int64(x.start)+x.len == int64(b) && x.len < ext4MaxInitLen {
			x.len++
			return
		}
	}
	p.extents = append(p.extents, ext4Extent{lb, b, 1})
}

// finishExtents builds the extent tree over p.extents: up to four in the inode,
// otherwise leaves of as many as a block holds, then index blocks over them, until
// the top level fits the inode (ext4_ext_grow_indepth's shape).
func (p *placer) finishExtents() error {
	e := p.l.e
	type entry struct {
		lb   int64
		body [12]byte
	}
	level := make([]entry, len(p.extents))
	for i, x := range p.extents {
		level[i].lb = x.lb
		put32(level[i].body[:], 0, uint32(x.lb))
		put16(level[i].body[:], 4, uint32(x.len))
		put32(level[i].body[:], 8, x.start)
	}
	perBlock := int((e.bs - 12) / 12)
	depth := 0
	for len(level) > 4 {
		var up []entry
		for i := 0; i < len(level); i += perBlock {
			chunk := level[i:min(i+perBlock, len(level))]
			b, err := p.l.alloc()
			if err != nil {
				return err
			}
			p.blocks++
			blk := make([]byte, e.bs)
			put16(blk, 0, ext4ExtentMagic)
			put16(blk, 2, uint32(len(chunk)))
			put16(blk, 4, uint32(perBlock))
			put16(blk, 6, uint32(depth))
			for k, x := range chunk {
				copy(blk[12+12*k:], x.body[:])
			}
			if e.csum && !p.l.dry {
				end := 12 + 12*perBlock
				put32(blk, end, crc32c(p.seed, blk[:end]))
			}
			if err := p.l.write(b, blk); err != nil {
				return err
			}
			var idx entry
			idx.lb = chunk[0].lb
			put32(idx.body[:], 0, uint32(chunk[0].lb))
			put32(idx.body[:], 4, b)
			up = append(up, idx)
		}
		level = up
		depth++
	}
	var root [60]byte
	put16(root[:], 0, ext4ExtentMagic)
	put16(root[:], 2, uint32(len(level)))
	put16(root[:], 4, 4)
	put16(root[:], 6, uint32(depth))
	for k, x := range level {
		copy(root[12+12*k:], x.body[:])
	}
	for i := range p.iblock {
		p.iblock[i] = le32(root[:], 4*i)
	}
	return nil
}

// usesExtents reports whether inode n is written with an extent tree: on a file
// system with extents, every file with blocks (not a fast symbolic link or a device).
func (e *ext2FS) usesExtents(n *Inode) bool {
	if e.incompat&ext4IncompatExtents == 0 {
		return false
	}
	switch n.Mode & S_IFMT {
	case S_IFREG, S_IFDIR:
		return true
	case S_IFLNK:
		return len(n.target) >= 60
	}
	return false
}

// ext4Time reads a timestamp: the seconds at off, and where the inode has room
// for it, the extra word at extraOff (two more bits of seconds, then nanoseconds).
func (e *ext2FS) ext4Time(raw []byte, off, extraOff int) int64 {
	sec := int64(int32(le32(raw, off)))
	if !e.ext4 {
		return int64(le32(raw, off)) * 1e9
	}
	if e.isize > ext2OldInode && int64(extraOff+4-ext2OldInode) <= e.extraIsize(raw) {
		x := le32(raw, extraOff)
		sec += int64(x&3) << 32
		return sec*1e9 + int64(x>>2)
	}
	return sec * 1e9
}

// putExt4Time writes a timestamp as ext4Time reads it.
func (e *ext2FS) putExt4Time(raw []byte, off, extraOff int, t int64) {
	sec, nsec := t/1e9, t%1e9
	if nsec < 0 {
		sec, nsec = sec-1, nsec+1e9
	}
	put32(raw, off, uint32(sec))
	if e.ext4 && e.isize > ext2OldInode && int64(extraOff+4-ext2OldInode) <= e.extraIsize(raw) {
		put32(raw, extraOff, uint32((sec-int64(int32(sec)))>>32)&3|uint32(nsec)<<2)
	}
}

// newExtra gives a new inode's bytes past the first 128 on ext4: i_extra_isize as
// the superblock wants it, and the creation time.
func (e *ext2FS) newExtra(n *Inode) []byte {
	x := make([]byte, e.isize-ext2OldInode)
	want := int64(le16(e.sb, sbWantExtra))
	if want < 32 {
		want = 32 // sizeof(struct ext4_inode) - EXT4_GOOD_OLD_INODE_SIZE
	}
	if want > int64(len(x)) {
		want = int64(len(x)) &^ 3
	}
	put16(x, 0, uint32(want))
	raw := make([]byte, e.isize)
	copy(raw[ext2OldInode:], x)
	e.putExt4Time(raw, 144, 148, n.Ctime)
	return raw[ext2OldInode:]
}
