package vfs

import (
	"math"

	"weft/internal/abi/linux"
	"weft/internal/mm"
)

// A regular file in memory (the guest's /tmp, /home/user, /dev/shm: weft's tmpfs) keeps
// its contents in page frames, one per 4 KiB page, which MAP_SHARED mappings map
// directly: a store through a mapping is what the next read sees, and a write is what
// every mapping sees (mmap(2)). A page never written is a hole (nil) and reads as
// zeros, so a sparse file costs only the pages it holds.
//
// Everything the file system keeps in memory for the guest counts against the
// kernel's memory cap (--max-memory), as tmpfs pages count against a machine's RAM:
// each page, the nodes of the tree that holds the pages (pages.go), each inode and
// name, each symbolic link's target. A write the cap cannot take fails with ENOSPC, as
// on a full tmpfs, after whatever part of it fitted. The file system gives the memory
// back when a file is gone: unlinked, no longer open and no longer mapped shared.
// Pages that attachments of a removed System V segment still hold then pass to the memory
// pool, which takes them back when the last mapping goes; a page truncated away from
// under shared mappings is unmapped from them first (mm.Pool.ZapFile).

// Costs charged besides the pages themselves: the host memory of an inode with its
// directory entry, and of a page slot.
const (
	inodeCost = 512
	slotCost  = 8
)

// charge takes n bytes of the memory cap for the file system, and reports false
// (taking nothing) when the cap does not allow it. The pool counts whole pages: the
// file system reserves as many as its byte count needs.
func (fs *FS) charge(n int64) bool {
	want := (fs.bytes + n + mm.PageSize - 1) / mm.PageSize
	if want > fs.reserved {
		if fs.Mem != nil && !fs.Mem.Reserve(want-fs.reserved) {
			return false
		}
		fs.reserved = want
	}
	fs.bytes += n
	return true
}

// uncharge gives back n bytes that charge took.
func (fs *FS) uncharge(n int64) {
	fs.bytes -= n
	want := (fs.bytes + mm.PageSize - 1) / mm.PageSize
	if want < fs.reserved {
		if fs.Mem != nil {
			fs.Mem.Unreserve(fs.reserved - want)
		}
		fs.reserved = want
	}
}

// Charge takes n bytes of the memory cap for something the kernel holds on the guest's
// behalf for a while (a program file read for execve), false if the cap is reached.
func (fs *FS) Charge(n int64) bool { return fs.charge(n) }

// Uncharge gives back what Charge took.
func (fs *FS) Uncharge(n int64) { fs.uncharge(n) }

// MemoryBytes reports the bytes the file system holds for the guest now.
func (fs *FS) MemoryBytes() int64 { return fs.bytes }

// CanSharePages reports whether the file can be mapped MAP_SHARED through its own
// pages: an in-memory regular file (host files get private copies).
func (n *Inode) CanSharePages() bool {
	return n.Mode&S_IFMT == S_IFREG && n.hm == nil && n.gen == nil && n.huge == nil
}

// page returns the frame of page i, allocating (and charging) it if it is a hole.
func (n *Inode) page(i int64) *mm.Frame {
	n.thaw() // every caller changes the page, or maps it
	if f := n.pages.get(i); f != nil {
		return f
	}
	if !n.fs.charge(mm.PageSize) {
		return nil
	}
	f := mm.NewFileFrame()
	if !n.pages.set(n.fs, i, f) {
		n.fs.uncharge(mm.PageSize)
		return nil
	}
	if e := n.ext2Of(); e != nil {
		e.newPage(n, i) // its blocks are holes until something fills them
	}
	return f
}

// SharePages returns frames for the file's pages [first, first+count), filling holes
// and adding zero pages past its end as the mapping asks (the file's size does not
// change). It fails with ENOMEM, taking nothing, when the cap cannot hold the pages.
func (n *Inode) SharePages(first, count uint64) ([]*mm.Frame, error) {
	end := first + count
	if end < first || end > MaxFileSize/mm.PageSize {
		return nil, linux.ENOMEM
	}
	var need int64
	for i := first; i < end; i++ {
		if n.pages.get(int64(i)) == nil {
			need++
		}
	}
	if !n.fs.charge(need * mm.PageSize) {
		return nil, linux.ENOMEM
	}
	n.fs.uncharge(need * mm.PageSize) // page() charges each one again
	out := make([]*mm.Frame, 0, count)
	for i := first; i < end; i++ {
		f := n.page(int64(i))
		if f == nil {
			return nil, linux.ENOMEM // only the slots could not be charged
		}
		out = append(out, f)
	}
	return out, nil
}

// FilePage returns the frame of the file's page i for a shared mapping that touches
// it (mm.FilePages): allocated (and charged) if it is a hole, none if the cap cannot
// take it or the page lies wholly past the file's end. On ext2 with blocks smaller
// than a page (ext2_holes.go), a store (write) gives the page its blocks up to the
// file's end, and fails on a full file system (a bus error); a load of a page that
// still has holes maps it read-only, so that the first store comes back here
// (ext4_page_mkwrite).
func (n *Inode) FilePage(i uint64, write bool) (*mm.Frame, mm.PageState) {
	if pages := uint64(n.size / mm.PageSize); i > pages || i == pages && n.size%mm.PageSize == 0 {
		return nil, mm.PagePastEOF
	}
	f := n.page(int64(i))
	e := n.ext2Of()
	switch {
	case f == nil:
		return nil, mm.PageNoMemory
	case e == nil:
		return f, mm.PageWritable
	case !write:
		if e.mappedHoles(n, int64(i)) {
			return f, mm.PageReadOnly
		}
		return f, mm.PageWritable
	case !e.fillMapped(n, int64(i)):
		return nil, mm.PageNoSpace
	}
	return f, mm.PageWritable
}

// Hold counts the shared mappings of the file (mm.Holder), so that a truncation knows
// whether it must take pages back from mappings.
func (n *Inode) Hold(delta int) {
	n.mappings += delta
	if n.mappings == 0 {
		n.maybeFree() // the last mapping of a file unlinked and closed
	}
}

// pagedRead reads the file at off.
func (n *Inode) pagedRead(p []byte, off int64) int {
	if off >= n.size {
		return 0
	}
	p = p[:min(int64(len(p)), n.size-off)]
	done := 0
	for done < len(p) {
		pos := off + int64(done)
		i, in := pos/mm.PageSize, pos%mm.PageSize
		chunk := p[done:min(len(p), done+int(mm.PageSize-in))]
		if f := n.pages.get(i); f != nil {
			copy(chunk, f.Data[in:])
		} else {
			clear(chunk)
		}
		done += len(chunk)
	}
	return done
}

// pagedWrite writes the file at off, growing it as needed. When the memory cap runs
// out it stops: it returns what it wrote, and ENOSPC if that is nothing.
func (n *Inode) pagedWrite(p []byte, off int64) (int, error) {
	e := n.ext2Of()
	if e != nil && off+int64(len(p)) > n.size {
		e.grows(n, n.size)
	}
	done := 0
	for done < len(p) {
		pos := off + int64(done)
		f := n.page(pos / mm.PageSize)
		if f == nil {
			break
		}
		limit := len(p)
		if e != nil {
			// The blocks the write covers, as far as the file system has room.
			in := pos % mm.PageSize
			end := min(mm.PageSize, in+int64(len(p)-done))
			to := (end + e.bs - 1) / e.bs
			got := e.fill(n, pos/mm.PageSize, in/e.bs, to)
			if got < to {
				limit = done + int(max(0, got*e.bs-in))
			}
		}
		if f.Decoded != nil { // the page may hold code someone runs
			f.Decoded.Invalidate()
			f.Decoded = nil
		}
		k := copy(f.Data[pos%mm.PageSize:], p[done:limit])
		done += k
		if limit < len(p) || k == 0 {
			break // the file system is full
		}
	}
	n.size = max(n.size, off+int64(done))
	if done == 0 && len(p) > 0 {
		return 0, linux.ENOSPC
	}
	return done, nil
}

// pagedTruncate sets the file's size. Pages past the new end are let go (a mapping
// that still holds one keeps it), and the bytes past the end in the last page are
// zeroed, so that the file reads as zeros there if it grows again.
func (n *Inode) pagedTruncate(size int64) {
	n.thaw()
	if e := n.ext2Of(); e != nil {
		if size > n.size {
			e.grows(n, n.size)
		} else {
			defer e.truncated(n, size) // once the pages are gone
		}
	}
	if size < n.size {
		keep := size / mm.PageSize
		if size%mm.PageSize != 0 {
			keep++
		}
		if in := size % mm.PageSize; in != 0 && n.pages.get(keep-1) != nil {
			f := n.pages.get(keep - 1)
			clear(f.Data[in:])
			if f.Decoded != nil {
				f.Decoded.Invalidate()
				f.Decoded = nil
			}
		}
		if n.mappings > 0 && n.fs.Mem != nil {
			// Mappings lose the pages past the new end (Linux's
			// truncate_pagecache): touching them is a bus error from now on.
			n.fs.Mem.ZapFile(n, uint64(keep))
		}
		n.dropPages(keep)
	}
	n.size = size
}

// dropPages lets go of the pages from first on.
func (n *Inode) dropPages(first int64) {
	if e := n.ext2Of(); e != nil {
		e.dropHoles(n, first, math.MaxInt64)
	}
	n.pages.clearFrom(n.fs, first, func(f *mm.Frame) {
		if f.Disown() {
			n.fs.uncharge(mm.PageSize)
		} else {
			// A mapping still holds the page: its reservation passes to the pool,
			// which releases it with the last mapping.
			n.fs.bytes -= mm.PageSize
			n.fs.reserved--
		}
	})
}

// pagedContents returns a copy of the file's bytes.
func (n *Inode) pagedContents() []byte {
	b := make([]byte, n.size)
	n.pagedRead(b, 0)
	return b
}

// maybeFree gives back what a file held once nothing can reach it: no directory entry
// links it, no open file description refers to it and no shared mapping maps it. A directory or symbolic link goes with its last entry.
func (n *Inode) maybeFree() {
	gone := n.Nlink == 0
	if n.IsDir() {
		gone = n.unlinked
	}
	if !gone || n.opens > 0 || n.mappings > 0 || n.freed || n.fs == nil || n.huge != nil && n.huge.Mapped() {
		return // (a shared mapping keeps the file, as a VMA's vm_file does)
	}
	n.freed = true
	if n.huge != nil {
		n.huge.Truncate(0) // its pages and reservations go back to the pool
	}
	if m := n.mnt; m != nil && m.huge != nil {
		m.huge.inodes-- // (nr_inodes)
	}
	if n.Mode&S_IFMT == S_IFREG && n.hm == nil {
		n.dropPages(0) // and the tree's nodes with them
	}
	n.fs.uncharge(n.charged)
	n.charged = 0
	if e := n.ext2Of(); e != nil {
		e.freeIno(n)
	}
}

// NewAnonFile returns an in-memory regular file that no directory links (memfd_create,
// O_TMPFILE), owned by c, charged to the memory cap (ENOSPC past it). It is freed when
// its last open file description goes.
func (fs *FS) NewAnonFile(c Cred, perm uint32) (*Inode, error) {
	if !fs.charge(inodeCost) {
		return nil, linux.ENOSPC
	}
	n := fs.newInode(S_IFREG|perm, c.UID, c.GID)
	n.charged = inodeCost
	n.Nlink = 0
	return n, nil
}

// NewTmpFile makes an unnamed regular file in dir (open(2)'s O_TMPFILE): c needs
// write and search permission on dir; mode gets dir's set-group-ID treatment. A
// linkable file may later be given a name with linkat(2) (without O_EXCL); a host
// directory cannot hold one (EOPNOTSUPP, as a file system without tmpfile support).
func (fs *FS) NewTmpFile(c Cred, dir *Inode, mode uint32, linkable bool) (*Inode, error) {
	if !dir.IsDir() {
		return nil, linux.ENOTDIR
	}
	if err := dir.Writable(); err != nil {
		return nil, err
	}
	if !Check(c, dir, MayWrite|MayExec) {
		return nil, linux.EACCES
	}
	if dir.hm != nil && !dir.hm.overlay || dir.lookupFn != nil {
		return nil, linux.EOPNOTSUPP
	}
	gid, mode := newOwnership(c, dir, S_IFREG|mode&0o7777)
	n, err := fs.NewAnonFile(c, mode&0o7777)
	if err != nil {
		return nil, err
	}
	n.GID, n.mnt, n.linkable = gid, dir.mnt, linkable
	if err := fs.joinFS(dir, n); err != nil {
		n.mnt = nil // it never had an inode number there
		n.maybeFree()
		return nil, err
	}
	return n, nil
}

// ResidentPages counts the pages an in-memory file holds (System V shared memory's
// rss).
func (n *Inode) ResidentPages() int {
	return int(n.pages.count)
}

// Allocate gives the in-memory file n's pages in [off, off+length) frames of their own,
// charged to the memory cap, as fallocate(2) does on tmpfs: later writes there cannot
// fail for lack of memory. The size grows to off+length unless keepSize. Past the cap
// it fails with ENOSPC, keeping what it allocated, as a full tmpfs would.
func (n *Inode) Allocate(off, length int64, keepSize bool) error {
	if err := n.copyUpForChange(); err != nil {
		return err
	}
	if n.huge != nil {
		return n.hugeAllocate(off, length, keepSize)
	}
	end := off + length
	e := n.ext2Of()
	for i := off / mm.PageSize; i < (end+mm.PageSize-1)/mm.PageSize; i++ {
		if n.page(i) == nil {
			return linux.ENOSPC
		}
		if e != nil {
			to := (min(mm.PageSize, end-i*mm.PageSize) + e.bs - 1) / e.bs
			if e.fill(n, i, max(0, off-i*mm.PageSize)/e.bs, to) < to {
				return linux.ENOSPC
			}
		}
	}
	if !keepSize && end > n.size {
		n.size = end
	}
	n.Touch()
	return nil
}

// PunchHole makes [off, off+length) of the in-memory file n read as zeros, as
// fallocate(FALLOC_FL_PUNCH_HOLE) does: whole pages no mapping holds are given back,
// the rest of the range is cleared in place (so that every mapping sees the zeros).
// The size does not change.
func (n *Inode) PunchHole(off, length int64) error {
	if err := n.copyUpForChange(); err != nil {
		return err
	}
	if n.huge != nil {
		return n.hugePunchHole(off, length)
	}
	n.thaw()
	end := off + length // (shmem_truncate_range: a page wholly inside goes, past the size too)
	// Only the pages present need anything: a hole reads as zeros already.
	for i, f := n.pages.next(off / mm.PageSize); f != nil && i*mm.PageSize < end; i, f = n.pages.next(i + 1) {
		pos, next := max(off, i*mm.PageSize), min((i+1)*mm.PageSize, end)
		if pos%mm.PageSize == 0 && next-pos == mm.PageSize && f.Refs() == 0 {
			if e := n.ext2Of(); e != nil {
				e.dropHoles(n, i, i+1)
			}
			n.pages.remove(n.fs, i)
			f.Disown()
			n.fs.uncharge(mm.PageSize)
			continue
		}
		clear(f.Data[pos%mm.PageSize : pos%mm.PageSize+(next-pos)])
		if f.Decoded != nil {
			f.Decoded.Invalidate()
			f.Decoded = nil
		}
	}
	n.Touch()
	return nil
}

// copyUpForChange makes n a file weft can change in memory: a guest root's file is
// copied up; a host mount's files and synthetic ones cannot be (EOPNOTSUPP, EACCES).
func (n *Inode) copyUpForChange() error {
	if n.overlay() {
		if err := n.CopyUp(); err != nil {
			return err
		}
	}
	switch {
	case n.hm != nil:
		return linux.EOPNOTSUPP
	case n.gen != nil:
		return linux.EACCES
	}
	return nil
}

// seekHole finds the first data (hole false) or hole (hole true) at or after off, as
// lseek's SEEK_DATA and SEEK_HOLE do on tmpfs: a page never written is a hole, and
// the end of the file is one. Past the end it is ENXIO. A file whose pages weft does
// not hold (a host file, a synthetic one) is data throughout.
func (n *Inode) seekHole(off int64, hole bool) (int64, error) {
	size := n.Size()
	if off < 0 || off >= size {
		return 0, linux.ENXIO
	}
	if n.hm != nil || n.gen != nil {
		if hole {
			return size, nil
		}
		return off, nil
	}
	if !hole {
		i, f := n.pages.next(off / mm.PageSize)
		if f == nil || i >= (size+mm.PageSize-1)/mm.PageSize {
			return 0, linux.ENXIO
		}
		return max(off, i*mm.PageSize), nil
	}
	// A hole: the first page from off's on that is absent (at most one more than the
	// pages present, each of which is memory the guest holds).
	for i := off / mm.PageSize; i*mm.PageSize < size; i++ {
		if n.pages.get(i) == nil {
			return max(off, i*mm.PageSize), nil
		}
	}
	return size, nil
}

// Blocks is st_blocks, in 512-byte units: for a file in memory, what its pages hold
// (a hole holds nothing, as on tmpfs); for others, the size rounded up.
func (n *Inode) Blocks() int64 {
	if e := n.ext2Of(); e != nil {
		return e.inodeBlocks(n) * (e.bs / 512)
	}
	if n.huge != nil {
		return int64(n.huge.Pages()) * (mm.HugeSize / 512)
	}
	if n.Mode&S_IFMT == S_IFREG && n.hm == nil && n.gen == nil && n.readAt == nil && n.set == nil {
		return n.pages.count * (mm.PageSize / 512)
	}
	size := n.Size()
	return size/512 + min(size%512, 1)
}
