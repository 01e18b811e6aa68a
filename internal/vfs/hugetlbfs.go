package vfs

import (
	"fmt"
	"strconv"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/mm"
)

// hugetlbfs (Documentation/admin-guide/mm/hugetlbpage.rst, fs/hugetlbfs/inode.c): a file
// system whose regular files hold huge pages from the kernel's pool (mm.HugePool). Its
// files are meant to be mapped: mmap maps the file's huge pages (shared) or copies
// them when written (private), ftruncate takes sizes in whole huge pages only, read(2)
// reads the pages (a hole reads as zeros) and write(2) is EINVAL, as the file system
// has no write method. A mount may limit the pages its files hold (size=), keep a
// minimum reserved in the pool (min_size=) and limit its inodes (nr_inodes=).

// HUGETLBFS_MAGIC is hugetlbfs's statfs(2) f_type (linux/magic.h).
const HUGETLBFS_MAGIC = 0x958458f6

// hugeMount is what a hugetlbfs mount keeps beyond a tmpfs's.
type hugeMount struct {
	spool     *mm.HugeSubpool
	maxInodes int64 // nr_inodes= (-1: no limit)
	inodes    int64 // inodes on the mount, its root included
}

// HugeOptions are a hugetlbfs mount's options, as ParseHugeOptions reads them.
type HugeOptions struct {
	Mode, UID, GID     int64 // the root directory's (-1: the defaults, 0755 and root)
	MaxPages, MinPages int64 // size= and min_size= in huge pages (-1: not given)
	MaxInodes          int64 // nr_inodes= (-1: not given)
	shown              string
}

// ParseHugeOptions parses hugetlbfs's mount options (hugetlbfs_parse_param): pagesize=
// must name the one huge page size; size= and min_size= are bytes with an optional
// K, M or G suffix, or a percentage of the pool's pages; nr_inodes= takes a suffix
// too; mode= is octal. Anything else is EINVAL.
func ParseHugeOptions(data string, pool *mm.HugePool) (HugeOptions, error) {
	o := HugeOptions{Mode: -1, UID: -1, GID: -1, MaxPages: -1, MinPages: -1, MaxInodes: -1}
	var shown []string
	for _, opt := range strings.Split(data, ",") {
		name, val, _ := strings.Cut(opt, "=")
		var err error
		switch name {
		case "", "rw", "ro", "nosuid", "nodev", "noexec", "relatime", "noatime", "strictatime", "lazytime":
			continue
		case "mode":
			var v uint64
			v, err = strconv.ParseUint(val, 8, 32)
			o.Mode = int64(v & 0o7777)
		case "uid", "gid":
			var v uint64
			v, err = strconv.ParseUint(val, 10, 32)
			if name == "uid" {
				o.UID = int64(v)
			} else {
				o.GID = int64(v)
			}
		case "pagesize":
			var v uint64
			if v, err = memparse(val); err == nil && v != mm.HugeSize {
				err = linux.EINVAL // "Unsupported page size"
			}
		case "size", "min_size":
			var pages int64
			if p, ok := strings.CutSuffix(val, "%"); ok {
				var pct uint64
				pct, err = strconv.ParseUint(p, 10, 32)
				pages = int64(pct) * pool.Persistent() / 100
			} else {
				var v uint64
				v, err = memparse(val)
				pages = int64(v >> mm.HugeShift)
			}
			if name == "size" {
				o.MaxPages = pages
			} else {
				o.MinPages = pages
			}
		case "nr_inodes":
			var v uint64
			v, err = memparse(val)
			o.MaxInodes = int64(min(v, 1<<62))
		default:
			return o, linux.EINVAL
		}
		if err != nil {
			return o, linux.EINVAL
		}
	}
	if o.MaxPages >= 0 && o.MinPages > o.MaxPages {
		return o, linux.EINVAL // "Minimum size can not be greater than maximum size"
	}
	// hugetlbfs_show_options: what /proc/PID/mounts lists.
	if o.Mode >= 0 && o.Mode != 0o755 {
		shown = append(shown, fmt.Sprintf("mode=%o", o.Mode))
	}
	if o.UID > 0 {
		shown = append(shown, fmt.Sprintf("uid=%d", o.UID))
	}
	if o.GID > 0 {
		shown = append(shown, fmt.Sprintf("gid=%d", o.GID))
	}
	shown = append(shown, fmt.Sprintf("pagesize=%dM", mm.HugeSize>>20))
	if o.MaxPages >= 0 {
		shown = append(shown, "size="+sizeString(o.MaxPages<<mm.HugeShift))
	}
	if o.MinPages >= 0 {
		shown = append(shown, "min_size="+sizeString(o.MinPages<<mm.HugeShift))
	}
	if o.MaxInodes >= 0 {
		shown = append(shown, fmt.Sprintf("nr_inodes=%d", o.MaxInodes))
	}
	o.shown = strings.Join(shown, ",")
	return o, nil
}

// Memparse reads a number with an optional K, M, G, T, P or E suffix (binary
// multiples), as the kernel's memparse does; overflow says the value does not fit in
// 64 bits (the caller decides what that means). A number that does not parse is
// EINVAL.
func Memparse(s string) (v uint64, overflow bool, err error) {
	shift := 0
	if n := len(s); n > 0 {
		if i := strings.IndexByte("KMGTPE", s[n-1]&^0x20); i >= 0 {
			shift, s = 10*(i+1), s[:n-1]
		}
	}
	if v, err = strconv.ParseUint(s, 0, 64); err != nil {
		return 0, false, linux.EINVAL
	}
	return v << shift, v > ^uint64(0)>>shift, nil
}

// memparse is Memparse for hugetlbfs's options, where a value past 64 bits is EINVAL.
func memparse(s string) (uint64, error) {
	v, overflow, err := Memparse(s)
	if err == nil && overflow {
		err = linux.EINVAL
	}
	return v, err
}

// sizeString writes a size as hugetlbfs_show_options does: in the largest of K, M or G
// that divides it.
func sizeString(n int64) string {
	for _, u := range []struct {
		shift int
		c     string
	}{{30, "G"}, {20, "M"}, {10, "K"}} {
		if n != 0 && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d%s", n>>u.shift, u.c)
		}
	}
	return fmt.Sprint(n)
}

// MountHugetlbfs mounts a new hugetlbfs on the directory at in mount namespace ns. Its
// minimum size is reserved in the pool now (ENOMEM if the pool cannot cover it).
func (fs *FS) MountHugetlbfs(ns *MountNS, at *Inode, source string, flags uint64, o HugeOptions) (*MemMount, error) {
	if err := fs.checkMountPoint(at); err != nil {
		return nil, err
	}
	if o.MaxInodes == 0 {
		return nil, linux.ENOMEM // not even the root fits
	}
	var spool *mm.HugeSubpool
	if o.MaxPages >= 0 || o.MinPages >= 0 {
		if spool = mm.NewHugeSubpool(fs.Huge, o.MaxPages, o.MinPages); spool == nil {
			return nil, linux.ENOMEM
		}
	}
	m, err := fs.MountTree(ns, at, source, flags, "hugetlbfs", o.shown, nil)
	if err != nil {
		spool.Release()
		return nil, err
	}
	m.huge = &hugeMount{spool: spool, maxInodes: o.MaxInodes, inodes: 1}
	m.root.Mode = S_IFDIR | 0o755
	if o.Mode >= 0 {
		m.root.Mode = S_IFDIR | uint32(o.Mode)
	}
	if o.UID >= 0 {
		m.root.UID = uint32(o.UID)
	}
	if o.GID >= 0 {
		m.root.GID = uint32(o.GID)
	}
	return m, nil
}

// hugeJoin gives n, new on the hugetlbfs mount m, an inode of the mount's (ENOSPC past
// nr_inodes) and, if it is a regular file, its huge page cache.
func (fs *FS) hugeJoin(m *MemMount, n *Inode) error {
	h := m.huge
	if h.maxInodes >= 0 && h.inodes >= h.maxInodes {
		return linux.ENOSPC
	}
	h.inodes++
	if n.Mode&S_IFMT == S_IFREG {
		fs.makeHuge(n, h.spool)
	}
	return nil
}

// makeHuge makes n, a new regular file, one whose contents are huge pages within spool's
// limits (nil: none).
func (fs *FS) makeHuge(n *Inode, spool *mm.HugeSubpool) {
	n.huge = mm.NewHugeFile(fs.Huge, spool)
	n.huge.Owner = n
}

// Unheld is told by the file's huge pages that their last mapping went: a file
// already unlinked and closed goes now.
func (n *Inode) Unheld() { n.maybeFree() }

// NewHugeAnonFile is NewAnonFile for memfd_create(MFD_HUGETLB): an unnamed file of huge
// pages, drawing on the pool with no mount's limits.
func (fs *FS) NewHugeAnonFile(c Cred, perm uint32) (*Inode, error) {
	n, err := fs.NewAnonFile(c, perm)
	if err != nil {
		return nil, err
	}
	fs.makeHuge(n, nil)
	return n, nil
}

// hugeRead reads the huge page file at off: holes read as zeros (hugetlbfs_read_iter).
func (n *Inode) hugeRead(p []byte, off int64) int {
	hf := n.huge
	if off >= hf.Size {
		return 0
	}
	p = p[:min(int64(len(p)), hf.Size-off)]
	for done := 0; done < len(p); {
		pos := off + int64(done)
		in := pos & mm.PageMask
		chunk := p[done:min(len(p), done+int(mm.PageSize-in))]
		if hp := hf.Lookup(uint64(pos >> mm.HugeShift)); hp != nil {
			copy(chunk, hp.Frame(int(pos & mm.HugeMask >> mm.PageShift)).Data[in:])
		} else {
			clear(chunk)
		}
		done += len(chunk)
	}
	return len(p)
}

// hugeTruncate sets the huge page file's size, which must be a whole number of huge
// pages (hugetlbfs_setattr: EINVAL); the pages past a smaller size are unmapped from
// every mapping and go back to the pool (hugetlb_vmtruncate).
func (n *Inode) hugeTruncate(size int64) error {
	if size&mm.HugeMask != 0 {
		return linux.EINVAL
	}
	hf := n.huge
	if size < hf.Size {
		first := uint64(size >> mm.HugeShift)
		if n.fs.Mem != nil {
			n.fs.Mem.ZapHuge(hf, first)
		}
		hf.Truncate(first)
	}
	hf.Size = size
	return nil
}

// hugeAllocate gives the huge page file its pages over [off, off+length), whole huge
// pages from the one off is in to the one off+length ends in (hugetlbfs_fallocate):
// ENOSPC when the pool or the mount has none left. The size grows to off+length unless
// keepSize.
func (n *Inode) hugeAllocate(off, length int64, keepSize bool) error {
	hf := n.huge
	first, end := uint64(off>>mm.HugeShift), uint64((off+length+mm.HugeMask)>>mm.HugeShift)
	for i := first; i < end; i++ {
		if hf.Page(i) == nil {
			return linux.ENOSPC
		}
	}
	if !keepSize && off+length > hf.Size {
		hf.Size = off + length
	}
	return nil
}

// hugePunchHole frees the whole huge pages inside [off, off+length), with their
// reservations, and zeroes the parts of those at the edges (hugetlbfs_punch_hole; the
// file's size stays).
func (n *Inode) hugePunchHole(off, length int64) error {
	hf := n.huge
	end := off + length
	lo, hi := uint64((off+mm.HugeMask)>>mm.HugeShift), uint64(end>>mm.HugeShift) // the whole pages
	if lo < hi {
		if n.fs.Mem != nil {
			n.fs.Mem.ZapHugeRange(hf, lo, hi)
		}
		hf.Remove(lo, hi)
	}
	// The edges: the part of the page off is in, and of the one end is in.
	for _, i := range hf.PagesIn(uint64(off>>mm.HugeShift), uint64((end+mm.HugeMask)>>mm.HugeShift)) {
		if i >= lo && i < hi {
			continue
		}
		hp := hf.Lookup(i)
		for pos := max(off, int64(i)<<mm.HugeShift); pos < min(end, int64(i+1)<<mm.HugeShift); {
			in := pos & mm.PageMask
			next := min(end, pos-in+mm.PageSize)
			clear(hp.Frame(int(pos & mm.HugeMask >> mm.PageShift)).Data[in : in+next-pos])
			pos = next
		}
	}
	return nil
}

// hugeStatfs is statfs(2) of a hugetlbfs mount: blocks are huge pages, the mount's
// limit and what is left of it (none when it has no size limit), and its inodes.
func (m *MemMount) hugeStatfs(info FSInfo) FSInfo {
	h := m.huge
	info.Type, info.BlockSize, info.FragSize = HUGETLBFS_MAGIC, mm.HugeSize, mm.HugeSize
	info.Blocks, info.Free, info.Avail, info.Files, info.FreeFiles = 0, 0, 0, 0, 0
	if h.spool != nil {
		if maxPages, used := h.spool.Limits(); maxPages >= 0 {
			info.Blocks = uint64(maxPages)
			info.Free = uint64(max(maxPages-used, 0))
			info.Avail = info.Free
		}
	}
	if h.maxInodes >= 0 {
		info.Files = uint64(h.maxInodes)
		info.FreeFiles = uint64(max(h.maxInodes-h.inodes, 0))
	}
	return info
}

// HugeFile returns the huge pages of a file on hugetlbfs, nil for any other inode.
func (n *Inode) HugeFile() *mm.HugeFile { return n.huge }
