package vfs

import (
	"encoding/binary"
	"slices"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/mm"
)

// The second extended file system (ext2) on a block device (a loop device): "The
// Second Extended File System" (Dave Poirier) for the on-disk format, Linux's fs/ext2
// for what the kernel checks and accepts.
//
// weft keeps a mounted ext2 file system the way it keeps a tmpfs: as its own in-memory
// inodes (mount.go), read from the device when it is mounted. The device's bytes are
// brought up to date by a write-back (ext2_sync.go) at sync(2), syncfs(2), fsync(2) of
// one of its files, a remount read-only and the unmount, as a page cache writes back
// on Linux: a reader of the device sees the file system as of the last write-back.
// Inode numbers are the file system's own, allocated when a file is made, and space is
// counted as files grow, so that a full file system refuses a write with ENOSPC before
// the write-back has to place it.

// EXT2_SUPER_MAGIC is ext2's magic number, in the superblock and statfs(2)'s f_type.
const EXT2_SUPER_MAGIC = 0xef53

// Feature flags (the superblock's s_feature_*) weft looks at. The other compatible
// ones (dir_prealloc, resize_inode, dir_index, has_journal) need nothing of a writer
// that keeps the reserved inodes and blocks as they are and writes directories linearly.
const (
	ext2CompatExtAttr = 0x8

	ext2IncompatFiletype = 0x2

	ext2RoCompatSparseSuper = 0x1
	ext2RoCompatLargeFile   = 0x2
	ext2RoCompatBtreeDir    = 0x4
)

// ext2IncompatSupported are the incompatible features weft can read and write (Linux's
// ext2 also has meta_bg, which weft does not): any other one refuses the mount. Of the
// read-only compatible ones, an unknown one makes the mount read-only.
const (
	ext2IncompatSupported = ext2IncompatFiletype
	ext2RoCompatSupported = ext2RoCompatSparseSuper | ext2RoCompatLargeFile | ext2RoCompatBtreeDir
)

// Numbers from the format.
const (
	ext2SuperOffset = 1024
	ext2RootIno     = 2
	ext2GoodOldIno  = 11 // s_first_ino of a revision 0 file system
	ext2NDirBlocks  = 12
	ext2LinkMax     = 32000 // EXT2_LINK_MAX
	ext2IndexFl     = 0x1000
	ext2GroupDesc   = 32
	ext2StateValid  = 1
	ext2OldInode    = 128 // the inode fields ext2 uses; larger inodes keep the rest
)

// EUCLEAN is what a corrupt file system gives (Linux's EFSCORRUPTED).
var errCorrupt error = linux.EUCLEAN

// deviceHolder is a device that counts its openers (a loop device, which LOOP_CLR_FD
// detaches only at its last close).
type deviceHolder interface {
	Opened(*File)
	Release(*File)
}

// BlockDevice is what an ext2 file system is read from and written to (a loop device).
type BlockDevice interface {
	PRead(p []byte, off int64) (int, error)
	PWrite(p []byte, off int64) (int, error)
	Size() int64
}

// ext2Group is a block group's descriptor.
type ext2Group struct {
	blockBitmap, inodeBitmap, inodeTable uint32
}

// ext2FS is a mounted ext2 file system: its geometry and what it has allocated. It
// belongs to the simulation goroutine, as the inodes do.
type ext2FS struct {
	fs  *FS
	m   *MemMount
	dev BlockDevice

	sb                []byte // the superblock as read and last written
	bs                int64  // block size
	blocks, firstData uint32
	bpg, ipg, inodes  uint32
	isize             int64
	firstIno          uint32
	groups            []ext2Group
	gdtBlocks, rsvGDT uint32
	compat, incompat  uint32
	roCompat          uint32
	itableBlocks      uint32
	forcedRO          bool
	fixed             bitset // blocks the write-back never moves: metadata, reserved inodes'
	fixedCount        int64
	inodeUsed         bitset // inode numbers in use (the reserved ones included)
	usedInodes        int64
	written           bitset // inodes the last write-back wrote as in use
	reserved          map[uint32][]byte
	extra             map[uint32][]byte // a loaded inode's bytes past the first 128
	nextIno           uint32            // where the search for a free inode starts
	dataPages         int64             // pages the mount's regular files hold
	holes             int64             // blocks of those pages that are holes (ext2_holes.go)
	metaBlocks        int64             // blocks of directories, slow symlinks, xattrs
	charged           int64
	pointers          int64 // block pointers the mount has followed (eachBlock)
	// ready is set once the tree is loaded: a mount that failed half-way writes
	// nothing back.
	ready bool

	// What ext3 and ext4 add (ext4.go). ext4 is set when the ext4 driver mounted
	// the file system (as ext3 or ext4), which reads nanosecond timestamps.
	ext4          bool
	fsType        string            // "ext2", "ext3" or "ext4": the type the mount asked for
	descSize      int64             // a group descriptor's size: 32, or s_desc_size under 64bit
	csum          bool              // metadata_csum: checksums verified on read, made on write
	csumSeed      uint32            // the seed of every metadata checksum
	orphanIno     uint32            // the orphan file's inode (0: none), kept as the reserved ones are
	journalBlocks int64             // the internal journal's blocks (ext4_statfs counts them overhead)
	gen           map[uint32]uint32 // a loaded inode's i_generation, where not 0
	readOnlyDev   bool              // the device refuses writes (a journal cannot be replayed)
}

// bitset is a set of small numbers.
type bitset []uint64

func newBitset(n int64) bitset          { return make(bitset, (n+63)/64) }
func (b bitset) has(i int64) bool       { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) set(i int64)            { b[i/64] |= 1 << (i % 64) }
func (b bitset) clear(i int64)          { b[i/64] &^= 1 << (i % 64) }
func (b bitset) bytes() int64           { return int64(len(b)) * 8 }
func le16(b []byte, off int) uint32     { return uint32(binary.LittleEndian.Uint16(b[off:])) }
func le32(b []byte, off int) uint32     { return binary.LittleEndian.Uint32(b[off:]) }
func put16(b []byte, off int, v uint32) { binary.LittleEndian.PutUint16(b[off:], uint16(v)) }
func put32(b []byte, off int, v uint32) { binary.LittleEndian.PutUint32(b[off:], v) }

// readAt reads len(p) bytes of the device at off: EIO if the device is shorter.
func (e *ext2FS) readAt(p []byte, off int64) error {
	n, err := e.dev.PRead(p, off)
	if err != nil || n != len(p) {
		return linux.EIO
	}
	return nil
}

// readBlock reads block b, which must be inside the file system.
func (e *ext2FS) readBlock(b uint32) ([]byte, error) {
	if b < e.firstData || b >= e.blocks {
		return nil, errCorrupt
	}
	p := make([]byte, e.bs)
	return p, e.readAt(p, int64(b)*e.bs)
}

// hasSuper reports whether group g keeps a copy of the superblock and descriptors:
// every group, or with sparse_super groups 0, 1 and the powers of 3, 5 and 7.
// Under sparse_super2, group 0 and the two that s_backup_bgs names.
func (e *ext2FS) hasSuper(g uint32) bool {
	if e.compat&ext4CompatSparseSuper2 != 0 {
		return g == 0 || g == le32(e.sb, sbBackupBgs) || g == le32(e.sb, sbBackupBgs+4)
	}
	if e.roCompat&ext2RoCompatSparseSuper == 0 || g <= 1 {
		return true
	}
	for _, p := range []uint32{3, 5, 7} {
		x := p
		for x < g {
			x *= p
		}
		if x == g {
			return true
		}
	}
	return false
}

// groupStart is the first block of group g.
func (e *ext2FS) groupStart(g uint32) int64 {
	return int64(e.firstData) + int64(g)*int64(e.bpg)
}

// groupEnd is one past the last block of group g.
func (e *ext2FS) groupEnd(g uint32) int64 {
	return min(e.groupStart(g)+int64(e.bpg), int64(e.blocks))
}

// ext2Opts are the mount options that /proc/PID/mounts shows (ext2_show_options): the
// errors behaviour, and the user_xattr and acl switches (0: not given; 1 on, -1 off).
type ext2Opts struct {
	errors         string
	userXattr, acl int
}

// CheckExt2Options checks the mount options of fstype ("ext2", "ext3" or "ext4"):
// those Linux's driver accepts (ext2_param_specs, ext4_param_specs), those that change
// nothing weft does included; anything else is EINVAL. (errors= matters to a file
// system that finds corruption while mounted; weft finds it only when mounting, which
// then fails.)
func CheckExt2Options(fstype, data string) error {
	_, err := ext2Options(fstype, data)
	return err
}

// IsExt2Type reports whether fstype is one the ext2 driver and its ext4 extension
// mount.
func IsExt2Type(fstype string) bool {
	return fstype == "ext2" || fstype == "ext3" || fstype == "ext4"
}

// ext4Flags and ext4Valued are the options ext4 accepts beyond ext2's, without and
// with a value (ext4_param_specs). Journal, allocation, discard and I/O tuning change
// nothing in weft, which writes back whole at sync and unmount.
var (
	ext4Flags = []string{"nouid32", "norecovery", "noload", "journal_checksum",
		"nojournal_checksum", "journal_async_commit", "abort", "prjquota", "nobarrier",
		"i_version", "delalloc", "nodelalloc", "warn_on_error", "nowarn_on_error",
		"nolazytime", "mblk_io_submit", "nomblk_io_submit", "block_validity",
		"noblock_validity", "noauto_da_alloc", "dioread_nolock", "nodioread_nolock",
		"dioread_lock", "discard", "nodiscard", "noinit_itable", "inlinecrypt",
		"nombcache", "no_mbcache", "prefetch_block_bitmaps", "index", "noindex",
		"barrier", "auto_da_alloc", "init_itable", "test_dummy_encryption"}
	ext4Valued = []string{"commit", "min_batch_time", "max_batch_time", "journal_dev",
		"journal_path", "data", "data_err", "usrjquota", "grpjquota", "jqfmt", "stripe",
		"debug_want_extra_isize", "inode_readahead_blks", "journal_ioprio",
		"max_dir_size_kb", "mb_optimize_scan", "barrier", "auto_da_alloc", "init_itable",
		"test_dummy_encryption"}
)

func ext2Options(fstype, data string) (ext2Opts, error) {
	var o ext2Opts
	for _, opt := range strings.Split(data, ",") {
		name, val, hasVal := strings.Cut(opt, "=")
		if fstype != "ext2" && name != "errors" && name != "" {
			if !hasVal && slices.Contains(ext4Flags, name) {
				continue
			}
			if hasVal && slices.Contains(ext4Valued, name) {
				if name == "data" && val != "journal" && val != "ordered" && val != "writeback" {
					return o, linux.EINVAL
				}
				continue
			}
		}
		switch name {
		case "":
		case "errors":
			if val != "continue" && val != "remount-ro" && val != "panic" {
				return o, linux.EINVAL
			}
			o.errors = val
		case "acl", "noacl", "user_xattr", "nouser_xattr", "bsddf", "minixdf", "grpid",
			"bsdgroups", "nogrpid", "sysvgroups", "nocheck", "debug", "oldalloc",
			"orlov", "nobh", "xip", "dax", "grpquota", "noquota", "quota", "usrquota",
			"reservation", "noreservation", "ro", "rw", "nosuid", "nodev", "noexec",
			"relatime", "noatime", "strictatime", "lazytime", "sync", "async":
			if hasVal {
				return o, linux.EINVAL
			}
			switch name {
			case "acl":
				o.acl = 1
			case "noacl":
				o.acl = -1
			case "user_xattr":
				o.userXattr = 1
			case "nouser_xattr":
				o.userXattr = -1
			}
		case "check", "resuid", "resgid", "sb":
			if !hasVal {
				return o, linux.EINVAL
			}
		default:
			return o, linux.EINVAL
		}
	}
	return o, nil
}

// showOptions is what ext2_show_options adds to a mount's line in /proc/PID/mounts:
// the errors behaviour (the superblock's s_errors unless errors= said otherwise), and
// user_xattr and acl where they are on (the superblock's default mount options
// unless the mount said otherwise), or off against a default that has them.
func (e *ext2FS) showOptions(o ext2Opts) string {
	if e.ext4 {
		return e.showExt4Options(o)
	}
	errs := o.errors
	if errs == "" {
		switch le16(e.sb, 60) {
		case 1:
			errs = "continue"
		case 3:
			errs = "panic"
		default:
			errs = "remount-ro"
		}
	}
	out := ""
	if errs == "remount-ro" {
		if s := le16(e.sb, 60); s == 1 || s == 3 {
			out += ",errors=remount-ro"
		}
	} else {
		out += ",errors=" + errs
	}
	defs := le32(e.sb, 256) // s_default_mount_opts
	for _, x := range []struct {
		set  int
		bit  uint32
		name string
	}{{o.userXattr, 0x4, "user_xattr"}, {o.acl, 0x8, "acl"}} {
		on := x.set == 1 || x.set == 0 && defs&x.bit != 0
		switch {
		case on:
			out += "," + x.name
		case defs&x.bit != 0:
			out += ",no" + x.name
		}
	}
	return out
}

// showExt4Options is what _ext4_show_options adds: only what differs from the
// defaults, the superblock's s_errors and ext4's user_xattr and acl (on whatever the
// superblock's default mount options say).
func (e *ext2FS) showExt4Options(o ext2Opts) string {
	out := ""
	code := map[string]uint32{"continue": 1, "remount-ro": 2, "panic": 3}[o.errors]
	if o.errors != "" && code != le16(e.sb, 60) {
		out += ",errors=" + o.errors
	}
	if o.userXattr == -1 {
		out += ",nouser_xattr"
	}
	if o.acl == -1 {
		out += ",noacl"
	}
	return out
}

// MountExt2 mounts the ext2 file system on dev on the directory at, in mount namespace
// ns (the checks of MountTmpfs). data is mount(2)'s option string; a read-only device,
// or flags with MS_RDONLY, make a read-only mount. A device without an ext2 file system, or with
// one weft cannot use, is EINVAL; a corrupt one EUCLEAN or EIO.
func (fs *FS) MountExt2(ns *MountNS, at *Inode, source, fstype string, dev BlockDevice, devRdev uint64, readOnlyDev bool, flags uint64, data string) (*MemMount, error) {
	if !IsExt2Type(fstype) {
		return nil, linux.ENODEV
	}
	opts, err := ext2Options(fstype, data)
	if err != nil {
		return nil, err
	}
	if err := fs.checkMountPoint(at); err != nil {
		return nil, err
	}
	e := &ext2FS{fs: fs, dev: dev, fsType: fstype, ext4: fstype != "ext2", readOnlyDev: readOnlyDev}
	if err := e.readSuper(); err != nil {
		return nil, err
	}
	if e.forcedRO {
		flags |= MS_RDONLY
	}
	if readOnlyDev && flags&MS_RDONLY == 0 {
		return nil, linux.EACCES
	}
	if !fs.charge(e.charged) {
		return nil, linux.ENOMEM
	}
	m, err := fs.MountTree(ns, at, source, flags, fstype, "", nil)
	if err != nil {
		fs.uncharge(e.charged)
		return nil, err
	}
	m.ext2, m.dev, e.m = e, devRdev, m
	m.Options = strings.TrimPrefix(e.showOptions(opts), ",")
	if err := e.load(m.root); err != nil {
		fs.Unmount(m, true, nil)
		return nil, err
	}
	e.ready = true
	if flags&MS_RDONLY == 0 {
		if err := e.markMounted(); err != nil {
			e.ready = false
			fs.Unmount(m, true, nil)
			return nil, err
		}
	}
	if h, ok := dev.(deviceHolder); ok {
		h.Opened(nil) // the mount holds the device open, as an opener would
	}
	return m, nil
}

// markMounted records a mount for writing on the device: a file system mounted for
// writing is not clean until it is unmounted, and the mount count and time go up
// (ext2_setup_super).
func (e *ext2FS) markMounted() error {
	put16(e.sb, 58, le16(e.sb, 58)&^ext2StateValid)
	put16(e.sb, 52, le16(e.sb, 52)+1)
	put32(e.sb, 44, uint32(e.fs.now()/1e9))
	return e.writeSuper()
}

// readSuper reads and checks the superblock and the group descriptors (ext2_fill_super,
// ext2_check_descriptors), and works out which blocks are the file system's own.
func (e *ext2FS) readSuper() error {
	e.sb = make([]byte, 1024)
	if e.dev.Size() < ext2SuperOffset+1024 || e.readAt(e.sb, ext2SuperOffset) != nil {
		return linux.EINVAL
	}
	sb := e.sb
	if le16(sb, 56) != EXT2_SUPER_MAGIC {
		return linux.EINVAL
	}
	logBS := le32(sb, 24)
	if logBS > 2 { // blocks of 1, 2 or 4 KiB: no larger than a page
		return linux.EINVAL
	}
	e.bs = 1024 << logBS
	e.blocks, e.firstData = le32(sb, 4), le32(sb, 20)
	e.bpg, e.ipg, e.inodes = le32(sb, 32), le32(sb, 40), le32(sb, 0)
	rev := le32(sb, 76)
	e.isize, e.firstIno = 128, ext2GoodOldIno
	if rev > 1 {
		return linux.EINVAL
	}
	if rev == 1 {
		e.isize, e.firstIno = int64(le16(sb, 88)), le32(sb, 84)
		e.compat, e.incompat, e.roCompat = le32(sb, 92), le32(sb, 96), le32(sb, 100)
		e.rsvGDT = le16(sb, 206)
	}
	incompatOK, roCompatOK := uint32(ext2IncompatSupported), uint32(ext2RoCompatSupported)
	if e.ext4 {
		incompatOK, roCompatOK = ext4IncompatSupported, ext4RoCompatSupported
		if e.fsType == "ext3" {
			incompatOK, roCompatOK = ext3IncompatSupported, ext3RoCompatSupported
		}
	}
	e.descSize = ext2GroupDesc
	if e.incompat&ext4Incompat64bit != 0 {
		e.descSize = int64(le16(sb, sbDescSize))
		if e.descSize < 64 || e.descSize > 1024 || e.descSize&(e.descSize-1) != 0 {
			return linux.EINVAL // ext4_fill_super: "unsupported descriptor size"
		}
		if le32(sb, sbBlocksHi) != 0 {
			return linux.EINVAL // more blocks than weft's 32-bit block numbers reach
		}
	}
	switch {
	case e.incompat&^incompatOK != 0:
		return linux.EINVAL // "couldn't mount because of unsupported optional features"
	case e.incompat&ext4IncompatRecover != 0 && e.compat&ext4CompatHasJournal == 0:
		return errCorrupt // needs_recovery without a journal
	case e.incompat&ext4IncompatRecover != 0 && e.readOnlyDev:
		return linux.EROFS // ext4_load_journal: "write access unavailable, cannot proceed"
	case e.isize < 128 || e.isize > e.bs || e.isize&(e.isize-1) != 0:
		return linux.EINVAL
	case e.bpg == 0 || e.ipg == 0 || int64(e.bpg) > e.bs*8 || int64(e.ipg) > e.bs*8:
		return linux.EINVAL
	case e.bs == 1024 && e.firstData != 1, e.bs > 1024 && e.firstData != 0:
		return linux.EINVAL // the superblock is in the first data block
	case e.blocks <= e.firstData || int64(e.blocks)*e.bs > e.dev.Size():
		return linux.EINVAL // "bad geometry: block count exceeds size of device"
	case e.firstIno <= ext2RootIno || e.firstIno > e.inodes:
		return linux.EINVAL
	}
	if e.ext4 && e.roCompat&ext4RoCompatMetadataCsum != 0 {
		// ext4_fill_super: the checksum type must be crc32c, and the superblock's
		// own checksum right (EFSBADCRC, EBADMSG to the caller).
		if sb[sbChecksumType] != 1 {
			return linux.EINVAL
		}
		if le32(sb, sbChecksum) != superCsum(sb) {
			return linux.EBADMSG
		}
		e.csum = true
		if e.incompat&ext4IncompatCsumSeed != 0 {
			e.csumSeed = le32(sb, sbChecksumSeed)
		} else {
			e.csumSeed = crc32c(^uint32(0), sb[104:120])
		}
	}
	if e.roCompat&^roCompatOK != 0 || e.roCompat&ext4RoCompatOrphanPresent != 0 {
		e.forcedRO = true
	}
	if e.ext4 && e.compat&ext4CompatOrphanFile != 0 {
		e.orphanIno = le32(sb, sbOrphanFileIno)
		if e.orphanIno < e.firstIno || e.orphanIno > e.inodes {
			return errCorrupt
		}
	}
	ngroups := (int64(e.blocks) - int64(e.firstData) + int64(e.bpg) - 1) / int64(e.bpg)
	if ngroups*int64(e.ipg) != int64(e.inodes) {
		return linux.EINVAL
	}
	e.gdtBlocks = uint32((ngroups*e.descSize + e.bs - 1) / e.bs)
	e.itableBlocks = uint32((int64(e.ipg)*e.isize + e.bs - 1) / e.bs)
	if int64(e.firstData)+1+int64(e.gdtBlocks)+int64(e.rsvGDT) > int64(e.blocks) {
		return linux.EINVAL
	}
	// The bitsets and descriptors are the guest's doing: charged (by MountExt2).
	// So are the bytes of the reserved inodes, which the mount keeps (e.reserved).
	e.charged = 2*(int64(e.blocks)/8+int64(e.inodes)/8) + ngroups*16 + 4096 +
		int64(e.firstIno)*(e.isize+reservedEntryCost)
	if e.fs.Mem != nil && e.fs.Mem.Limit > 0 && e.charged > e.fs.Mem.Limit {
		return linux.ENOMEM
	}
	// The descriptor blocks are read whole into a buffer the image sizes: charged
	// while the mount reads them.
	gdtBytes := int64(e.gdtBlocks) * e.bs
	if !e.fs.charge(gdtBytes) {
		return linux.ENOMEM
	}
	defer e.fs.uncharge(gdtBytes)
	gdt := make([]byte, gdtBytes)
	if err := e.readAt(gdt, int64(e.firstData+1)*e.bs); err != nil {
		return err
	}
	e.fixed = newBitset(int64(e.blocks))
	e.inodeUsed = newBitset(int64(e.inodes) + 1)
	e.written = newBitset(int64(e.inodes) + 1)
	e.groups = make([]ext2Group, ngroups)
	for g := range e.groups {
		d := gdt[int64(g)*e.descSize:]
		gr := ext2Group{le32(d, 0), le32(d, 4), le32(d, 8)}
		if e.descSize >= 64 && (le32(d, 32) != 0 || le32(d, 36) != 0 || le32(d, 40) != 0) {
			return errCorrupt // above the 32-bit block numbers weft keeps
		}
		if (e.csum || e.ext4 && e.roCompat&ext4RoCompatGdtCsum != 0) && le16(d, 30) != e.groupCsum(uint32(g), d) {
			return linux.EBADMSG // ext4_check_descriptors: "Checksum for group %u failed"
		}
		first, end := e.groupStart(uint32(g)), e.groupEnd(uint32(g))
		if e.incompat&ext4IncompatFlexBG != 0 {
			// flex_bg: a group's bitmaps and table may be in any group.
			first, end = int64(e.firstData)+1, int64(e.blocks)
		}
		in := func(b uint32, n uint32) bool { return int64(b) >= first && int64(b)+int64(n) <= end }
		if !in(gr.blockBitmap, 1) || !in(gr.inodeBitmap, 1) || !in(gr.inodeTable, e.itableBlocks) {
			return errCorrupt // ext2_check_descriptors
		}
		e.groups[g] = gr
		if e.hasSuper(uint32(g)) {
			start, gend := e.groupStart(uint32(g)), e.groupEnd(uint32(g))
			for b := start; b < start+1+int64(e.gdtBlocks)+int64(e.rsvGDT) && b < gend; b++ {
				e.markFixed(b)
			}
		}
		e.markFixed(int64(gr.blockBitmap))
		e.markFixed(int64(gr.inodeBitmap))
		for b := int64(0); b < int64(e.itableBlocks); b++ {
			e.markFixed(int64(gr.inodeTable) + b)
		}
	}
	if e.incompat&ext4IncompatRecover != 0 {
		// The journal holds transactions that may not have reached their places:
		// replay them (ext4_journal.go), clear needs_recovery on the device, and
		// read what is there now.
		if err := e.recoverJournal(le32(sb, sbJournalIno)); err != nil {
			return err
		}
		if err := e.readAt(sb, ext2SuperOffset); err != nil {
			return err
		}
		put32(sb, 96, le32(sb, 96)&^ext4IncompatRecover)
		if err := e.writeSuper(); err != nil {
			return err
		}
		return e.readSuper()
	}
	// The reserved inodes other than the root (bad blocks, the resize inode's reserved
	// descriptor blocks, a journal) keep their bytes and their blocks as they are.
	// So does the orphan file, which no directory names.
	e.reserved = map[uint32][]byte{}
	e.extra = map[uint32][]byte{}
	e.gen = map[uint32]uint32{}
	journal := uint32(0)
	if e.compat&ext4CompatHasJournal != 0 {
		journal = le32(sb, sbJournalIno)
	}
	for ino := uint32(1); ino < e.firstIno || ino <= e.orphanIno; ino++ {
		if ino >= e.firstIno && ino != e.orphanIno {
			ino = e.orphanIno
		}
		e.inodeUsed.set(int64(ino))
		e.usedInodes++
		if ino == ext2RootIno {
			continue
		}
		raw, err := e.readInode(ino)
		if err != nil {
			return err
		}
		e.reserved[ino] = raw
		mode := le16(raw, 0)
		if le16(raw, 26) == 0 && mode == 0 {
			continue
		}
		if mode&S_IFMT == S_IFLNK && e.fastSymlink(raw) {
			continue
		}
		if err := e.eachBlock(ino, raw, func(_ int64, b uint32, _ blockKind) error {
			e.markFixed(int64(b))
			if ino == journal {
				e.journalBlocks++
			}
			return nil
		}); err != nil {
			return err
		}
	}
	e.nextIno = e.firstIno
	return nil
}

// genEntryCost is what an entry of e.gen costs.
const genEntryCost = 16

// reservedEntryCost is what an entry of e.reserved costs beside the inode's bytes: its
// key and slice header in the map.
const reservedEntryCost = 32

func (e *ext2FS) markFixed(b int64) {
	if b < int64(e.firstData) || b >= int64(e.blocks) || e.fixed.has(b) {
		return
	}
	e.fixed.set(b)
	e.fixedCount++
}

// inodeOffset is where inode ino is on the device.
func (e *ext2FS) inodeOffset(ino uint32) int64 {
	g, i := (ino-1)/e.ipg, (ino-1)%e.ipg
	return int64(e.groups[g].inodeTable)*e.bs + int64(i)*e.isize
}

// readInode reads inode ino's bytes.
// A bad checksum is EBADMSG (ext4_iget: EFSBADCRC).
func (e *ext2FS) readInode(ino uint32) ([]byte, error) {
	if ino == 0 || ino > e.inodes {
		return nil, errCorrupt
	}
	raw := make([]byte, e.isize)
	if err := e.readAt(raw, e.inodeOffset(ino)); err != nil {
		return nil, err
	}
	if e.ext4 && ext2OldInode+e.extraIsize(raw) > e.isize {
		return nil, errCorrupt // ext4_iget: "bad extra_isize"
	}
	if !e.inodeCsumOK(ino, raw) {
		return nil, linux.EBADMSG
	}
	return raw, nil
}

// fastSymlink reports whether a symbolic link's target is in its block pointers
// (ext2_inode_is_fast_symlink: no blocks but an extended attribute block).
func (e *ext2FS) fastSymlink(raw []byte) bool {
	ea := int64(0)
	if le32(raw, 104) != 0 {
		ea = e.bs / 512
	}
	return int64(le32(raw, 28))-ea == 0
}

// maxFileBlocks is how many blocks the twelve direct pointers and the three indirect
// trees address.
func (e *ext2FS) maxFileBlocks() int64 {
	apb := e.bs / 4
	return ext2NDirBlocks + apb + apb*apb + apb*apb*apb
}

// eachBlock calls fn for every block of inode ino's block map or extent tree, in
// logical order: the data blocks with their logical number, and the indirect or tree
// blocks (blockMeta) as they are met. A pointer outside the file system is
// corruption.
func (e *ext2FS) eachBlock(ino uint32, raw []byte, fn func(logical int64, b uint32, kind blockKind) error) error {
	if e.ext4 && le32(raw, 32)&ext4ExtentsFl != 0 {
		return e.eachExtent(raw[40:100], -1, e.inodeSeed(ino, le32(raw, 100)), fn)
	}
	apb := e.bs / 4
	var walk func(b uint32, depth int, base int64) error
	walk = func(b uint32, depth int, base int64) error {
		if b == 0 {
			return nil
		}
		if b < e.firstData || b >= e.blocks {
			return errCorrupt
		}
		// In a sound file system every block belongs to one file once: a mount
		// that meets more pointers than there are blocks is reading a corrupt
		// tree (an indirect block that points at itself, again and again).
		if e.pointers++; e.pointers > int64(e.blocks) {
			return errCorrupt
		}
		if depth == 0 {
			return fn(base, b, blockData)
		}
		if err := fn(base, b, blockMeta); err != nil {
			return err
		}
		blk, err := e.readBlock(b)
		if err != nil {
			return err
		}
		span := int64(1)
		for i := 1; i < depth; i++ {
			span *= apb
		}
		for i := int64(0); i < apb; i++ {
			if err := walk(le32(blk, int(i*4)), depth-1, base+i*span); err != nil {
				return err
			}
		}
		return nil
	}
	for i := 0; i < ext2NDirBlocks; i++ {
		if err := walk(le32(raw, 40+4*i), 0, int64(i)); err != nil {
			return err
		}
	}
	base := int64(ext2NDirBlocks)
	span := apb
	for depth := 1; depth <= 3; depth++ {
		if err := walk(le32(raw, 40+4*(ext2NDirBlocks+depth-1)), depth, base); err != nil {
			return err
		}
		base += span
		span *= apb
	}
	return nil
}

// inodeSize is an inode's size: i_size, with i_size_high for a regular file.
func inodeSize(raw []byte) int64 {
	size := int64(le32(raw, 4))
	if le16(raw, 0)&S_IFMT == S_IFREG {
		size |= int64(le32(raw, 108)) << 32
	}
	return size
}

// load reads the tree below the root directory into weft's inodes, root first, each
// directory's entries in the order they are on the device.
func (e *ext2FS) load(root *Inode) error {
	fs := e.fs
	raw, err := e.readInode(ext2RootIno)
	if err != nil {
		return err
	}
	if le16(raw, 0)&S_IFMT != S_IFDIR || le16(raw, 26) == 0 {
		return errCorrupt
	}
	e.setAttrs(root, ext2RootIno, raw)
	byIno := map[uint32]*Inode{ext2RootIno: root}
	type pending struct {
		dir *Inode
		raw []byte
	}
	queue := []pending{{root, raw}}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		ents, err := e.readDir(uint32(d.dir.Ino), d.raw)
		if err != nil {
			return err
		}
		for _, ent := range ents {
			if ent.name == "." || ent.name == ".." {
				continue
			}
			if ent.ino < e.firstIno && ent.ino != ext2RootIno || ent.ino == e.orphanIno || ent.ino > e.inodes || len(ent.name) > maxName {
				return errCorrupt
			}
			if d.dir.children[ent.name] != nil {
				return errCorrupt // the same name twice
			}
			if n := byIno[ent.ino]; n != nil {
				if n.IsDir() { // a directory has one name
					return errCorrupt
				}
				if !fs.charge(int64(len(ent.name) + slotCost)) {
					return linux.ENOMEM
				}
				n.charged += int64(len(ent.name) + slotCost)
				d.dir.children[ent.name] = n
				n.Nlink++
				continue
			}
			craw, err := e.readInode(ent.ino)
			if err != nil {
				return err
			}
			mode := le16(craw, 0)
			if le16(craw, 26) == 0 || mode&S_IFMT == 0 {
				return errCorrupt // an entry naming a free inode
			}
			// The bytes kept past 128, and the generation's entry.
			cost := int64(inodeCost+len(ent.name)) + e.isize - ext2OldInode + genEntryCost
			if !fs.charge(cost) {
				return linux.ENOMEM
			}
			n := fs.newInode(mode, 0, 0)
			n.charged = cost
			e.setAttrs(n, ent.ino, craw)
			fs.link(d.dir, ent.name, n)
			byIno[ent.ino] = n
			if err := e.loadContents(n, ent.ino, craw); err != nil {
				return err
			}
			if n.IsDir() {
				queue = append(queue, pending{n, craw})
			}
		}
	}
	// What the directories, long symbolic links and attribute blocks take, for
	// usedBlocks.
	for _, n := range e.tree() {
		if n.Mode&S_IFMT != S_IFREG {
			e.metaBlocks += e.inodeBlocks(n)
		} else if e.encodeXattrs(n) != nil {
			e.metaBlocks++
		}
	}
	return nil
}

// setAttrs gives n inode ino's number, mode, owner, times and flags, and marks the
// number used.
func (e *ext2FS) setAttrs(n *Inode, ino uint32, raw []byte) {
	n.Ino = uint64(ino)
	n.Mode = le16(raw, 0)
	n.UID = le16(raw, 2) | le16(raw, 120)<<16
	n.GID = le16(raw, 24) | le16(raw, 122)<<16
	n.Atime, n.Ctime, n.Mtime = e.ext4Time(raw, 8, 140), e.ext4Time(raw, 12, 132), e.ext4Time(raw, 16, 136)
	n.AttrFlags = le32(raw, 32) & (FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | FS_NOATIME_FL)
	if e.isize > ext2OldInode {
		e.extra[ino] = append([]byte{}, raw[ext2OldInode:]...)
	}
	if g := le32(raw, 100); g != 0 {
		e.gen[ino] = g
	}
	e.written.set(int64(ino))
	e.adopt(n, ino)
}

// adopt makes n an inode of the file system with number ino.
func (e *ext2FS) adopt(n *Inode, ino uint32) {
	n.Ino = uint64(ino)
	if !e.inodeUsed.has(int64(ino)) {
		e.inodeUsed.set(int64(ino))
		e.usedInodes++
	}
	n.pages.acct = &e.dataPages
}

// loadContents reads a file's data, a symbolic link's target, a device's number and
// the extended attributes.
func (e *ext2FS) loadContents(n *Inode, ino uint32, raw []byte) error {
	size := inodeSize(raw)
	switch n.Mode & S_IFMT {
	case S_IFREG:
		limit := e.maxFileBlocks()
		if e.ext4 && le32(raw, 32)&ext4ExtentsFl != 0 {
			limit = 1 << 32 // an extent's logical block is 32 bits
		}
		if size < 0 || size > limit*e.bs || size > MaxFileSize {
			return errCorrupt
		}
		err := e.eachBlock(ino, raw, func(logical int64, b uint32, kind blockKind) error {
			if kind != blockData {
				return nil // an unwritten extent reads as zeros: a hole
			}
			off := logical * e.bs
			if off >= size {
				return nil // blocks past the end (preallocated): given back at the write-back
			}
			blk, err := e.readBlock(b)
			if err != nil {
				return err
			}
			if _, err := n.pagedWrite(blk[:min(e.bs, size-off)], off); err != nil {
				return linux.ENOMEM
			}
			return nil
		})
		if err != nil {
			return err
		}
		n.size = size
	case S_IFLNK:
		if size <= 0 || size >= e.bs || size >= 4096 {
			return errCorrupt
		}
		var target []byte
		if e.fastSymlink(raw) {
			if size > 60 {
				return errCorrupt
			}
			target = raw[40 : 40+size]
		} else {
			b := le32(raw, 40)
			blk, err := e.readBlock(b)
			if err != nil {
				return err
			}
			target = blk[:size]
		}
		if !e.fs.charge(size) {
			return linux.ENOMEM
		}
		n.charged += size
		n.target = string(target)
	case S_IFCHR, S_IFBLK:
		if old := le32(raw, 40); old != 0 {
			n.Rdev = uint64(old>>8&0xff)<<8 | uint64(old&0xff) // old_decode_dev
		} else {
			n.Rdev = uint64(le32(raw, 44)) // new_encode_dev's layout is weft's
		}
	case S_IFIFO:
		n.dev = pipeEnd{&Pipe{named: true}}
	case S_IFDIR, S_IFSOCK:
	default:
		return errCorrupt
	}
	if e.ext4 && le16(raw, 118) != 0 {
		return errCorrupt // an attribute block past weft's 32-bit block numbers
	}
	if err := e.loadIbodyXattrs(n, ino, raw); err != nil {
		return err
	}
	return e.loadXattrs(n, le32(raw, 104))
}

// ext2Dirent is one directory entry.
type ext2Dirent struct {
	ino  uint32
	name string
}

// readDir reads a directory's entries (linear: a dir_index directory's tree blocks
// read as entries that span their block, as Linux's ext2 reads them).
func (e *ext2FS) readDir(ino uint32, raw []byte) ([]ext2Dirent, error) {
	seed := e.inodeSeed(ino, le32(raw, 100))
	size := int64(le32(raw, 4))
	if size%e.bs != 0 || size > 1<<30 {
		return nil, errCorrupt
	}
	var ents []ext2Dirent
	err := e.eachBlock(ino, raw, func(logical int64, b uint32, kind blockKind) error {
		if kind == blockMeta || logical*e.bs >= size {
			return nil
		}
		if kind == blockUnwritten {
			return errCorrupt // a directory's blocks are all written
		}
		blk, err := e.readBlock(b)
		if err != nil {
			return err
		}
		if !e.dirTailOK(blk, seed) {
			return linux.EBADMSG
		}
		for off := int64(0); off < e.bs; {
			if off+8 > e.bs {
				return errCorrupt
			}
			ino, recLen, nameLen := le32(blk, int(off)), int64(le16(blk, int(off)+4)), int64(blk[off+6])
			if e.incompat&ext2IncompatFiletype == 0 {
				nameLen = int64(le16(blk, int(off)+6))
			}
			// ext2_check_folio: rec_len a multiple of 4, room for the name, inside
			// the block.
			if recLen < 12 || recLen%4 != 0 || recLen < 8+nameLen || off+recLen > e.bs {
				return errCorrupt
			}
			if ino != 0 {
				if nameLen == 0 {
					return errCorrupt
				}
				ents = append(ents, ext2Dirent{ino, string(blk[off+8 : off+8+nameLen])})
			}
			off += recLen
		}
		return nil
	})
	return ents, err
}

// statfs reports the file system's sizes as ext2_statfs does (bsddf, the default:
// the blocks the superblocks, descriptors, bitmaps and inode tables take are not
// counted in f_blocks).
func (e *ext2FS) statfs(info FSInfo) FSInfo {
	info.Type, info.BlockSize, info.FragSize, info.NameLen = EXT2_SUPER_MAGIC, uint64(e.bs), uint64(e.bs), 255
	overhead := int64(e.firstData) + int64(len(e.groups))*(2+int64(e.itableBlocks))
	for g := range e.groups {
		if e.hasSuper(uint32(g)) {
			overhead += 1 + int64(e.gdtBlocks)
		}
	}
	used := e.fixedCount
	for _, n := range e.tree() {
		used += e.inodeBlocks(n)
	}
	rsv := uint64(le32(e.sb, 8))
	if e.ext4 {
		// ext4_statfs: the overhead mke2fs recorded, or the one counted with the
		// journal's blocks; and the clusters ext4 holds back under extents (1 in 50,
		// at most 4096: ext4_calculate_resv_clusters).
		overhead += e.journalBlocks
		if o := le32(e.sb, sbOverhead); o != 0 {
			overhead = int64(o)
		}
		if e.incompat&ext4IncompatExtents != 0 {
			rsv += min(uint64(e.blocks)/50, 4096)
		}
	}
	info.Blocks = uint64(int64(e.blocks) - overhead)
	info.Free = uint64(max(0, int64(e.blocks-e.firstData)-used))
	info.Avail = info.Free - min(info.Free, rsv)
	info.Files = uint64(e.inodes)
	info.FreeFiles = uint64(int64(e.inodes) - e.usedInodes)
	info.ID = uint64(le32(e.sb, 104)^le32(e.sb, 112)) | uint64(le32(e.sb, 108)^le32(e.sb, 116))<<32
	return info
}

// usedBlocks is a bound on the blocks in use, cheap enough to check at every block a
// file gains: the fixed metadata, the data blocks with the indirect blocks that map
// them, and the directories, symbolic links and attribute blocks the last
// write-back placed, with one block for each made since. A file system that this
// bound calls full refuses to grow further (ENOSPC).
func (e *ext2FS) usedBlocks() int64 {
	data := e.dataPages*(mm.PageSize/e.bs) - e.holes
	ind := data/(e.bs/4-1) + 3
	return e.fixedCount + data + ind + e.metaBlocks
}

// allocIno gives a new file an inode number: the lowest free one (ENOSPC if none).
func (e *ext2FS) allocIno(n *Inode) error {
	for i := int64(0); i < int64(e.inodes); i++ {
		ino := e.nextIno
		e.nextIno++
		if e.nextIno > e.inodes {
			e.nextIno = e.firstIno
		}
		if !e.inodeUsed.has(int64(ino)) {
			e.adopt(n, ino)
			return nil
		}
	}
	return linux.ENOSPC
}

// freeIno gives a file's inode number back when the file is gone.
func (e *ext2FS) freeIno(n *Inode) {
	ino := int64(n.Ino)
	if ino >= int64(e.firstIno) && ino <= int64(e.inodes) && e.inodeUsed.has(ino) {
		e.inodeUsed.clear(ino)
		e.usedInodes--
		delete(e.extra, uint32(ino))
		delete(e.gen, uint32(ino))
		if uint32(ino) < e.nextIno {
			e.nextIno = uint32(ino)
		}
	}
}

// DeviceMounted reports whether a file system on the block device n is mounted.
func (fs *FS) DeviceMounted(n *Inode) bool {
	return fs.mountedFrom(n.dev) != nil
}

// mountedFrom returns the mount of a file system on dev, or nil.
func (fs *FS) mountedFrom(dev Device) *MemMount {
	if dev == nil {
		return nil
	}
	for _, m := range fs.memMounts {
		if m.ext2 != nil && any(m.ext2.dev) == any(dev) {
			return m
		}
	}
	return nil
}

// MountBlockDevice mounts the ext2 file system on the block device src (mount(2)):
// ENOTBLK if src is not a block device, EBUSY if a file system on it is mounted
// already; the rest is MountExt2's.
func (fs *FS) MountBlockDevice(ns *MountNS, at, src *Inode, source, fstype string, flags uint64, data string) (*MemMount, error) {
	if src.Mode&S_IFMT != S_IFBLK {
		return nil, linux.ENOTBLK
	}
	l, ok := src.dev.(*Loop)
	if !ok {
		return nil, linux.ENXIO
	}
	if fs.mountedFrom(l) != nil {
		return nil, linux.EBUSY
	}
	return fs.MountExt2(ns, at, source, fstype, l, src.Rdev, l.Flags&LO_FLAGS_READ_ONLY != 0, flags, data)
}

// ext2Of returns the ext2 file system n is on, or nil.
func (n *Inode) ext2Of() *ext2FS {
	if n.mnt != nil {
		return n.mnt.ext2
	}
	return nil
}

// joinFS gives n, new in dir, what dir's file system needs of a new inode: on ext2, an
// inode number (ENOSPC when they are all used) and room for a directory's or a long
// symbolic link's block.
func (fs *FS) joinFS(dir, n *Inode) error {
	if m := dir.mnt; m != nil && m.huge != nil {
		return fs.hugeJoin(m, n)
	}
	e := dir.ext2Of()
	if e == nil {
		return nil
	}
	var blocks int64
	if n.IsDir() || (n.Mode&S_IFMT == S_IFLNK && len(n.target) >= 60) {
		blocks = 1
	}
	if e.usedBlocks()+blocks > int64(e.blocks-e.firstData) {
		return linux.ENOSPC
	}
	if err := e.allocIno(n); err != nil {
		return err
	}
	if e.ext4 && e.isize > ext2OldInode {
		// ext4's large inodes: the extra fields, charged to the inode.
		if !fs.charge(e.isize - ext2OldInode) {
			e.freeIno(n)
			return linux.ENOSPC
		}
		n.charged += e.isize - ext2OldInode
		e.extra[uint32(n.Ino)] = e.newExtra(n)
	}
	e.metaBlocks += blocks
	return nil
}

// maxLinks is the most links a file on n's file system may have (s_max_links; 0: no
// limit weft enforces). Under dir_nlink a directory has no limit: ext4_inc_count
// records a link count past EXT4_LINK_MAX as 1, which never reaches the limit.
func (n *Inode) maxLinks() uint32 {
	e := n.ext2Of()
	switch {
	case e == nil:
		return 0
	case !e.ext4:
		return ext2LinkMax
	case n.IsDir() && e.roCompat&ext4RoCompatDirNlink != 0:
		return 0
	}
	return ext4LinkMax
}

// BlockSize is the st_blksize of a file: the block size of an ext2 file system, a page
// elsewhere.
func (n *Inode) BlockSize() uint32 {
	if e := n.ext2Of(); e != nil {
		return uint32(e.bs)
	}
	return mm.PageSize
}

// DevNumber is the st_dev of a file: the block device an ext2 file system is on, 1
// (weft's one anonymous device) for everything else.
func (n *Inode) DevNumber() uint64 {
	if n.mnt != nil && n.mnt.ext2 != nil {
		return n.mnt.dev
	}
	return 1
}
