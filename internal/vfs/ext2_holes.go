package vfs

import (
	"math/bits"

	"weft/internal/mm"
)

// Blocks smaller than a page. A file on ext2 (or ext4) holds the blocks that writes
// filled, not whole pages: a new page starts with all its blocks as holes, a write
// fills the blocks it covers, and a shared mapping's fault fills the page's blocks
// up to the file's end (ext4_page_mkwrite). Each fill needs room on the file system,
// else the write stops with ENOSPC, and the fault is a bus error, as on Linux. When a
// file grows past a page that still has holes, its mappings lose the page
// (pagecache_isize_extended write-protects it), so that the next write through them
// faults and fills the blocks, or fails on a full file system (LTP's mmap16). The
// write-back leaves the holes unwritten; e.holes counts them, so that usedBlocks
// counts blocks, not pages.

// blocksPerPage is how many of the file system's blocks a page holds.
func (e *ext2FS) blocksPerPage() int64 { return mm.PageSize / e.bs }

// newPage marks every block of n's new page i a hole.
func (e *ext2FS) newPage(n *Inode, i int64) {
	mask := uint8(1)<<e.blocksPerPage() - 1
	if n.holes == nil {
		n.holes = map[int64]uint8{}
	}
	e.holes += int64(bits.OnesCount8(mask &^ n.holes[i]))
	n.holes[i] = mask
}

// fill gives blocks [from, to) of n's page i blocks where they are holes, in order
// while the file system has room, and returns the block it stopped at (to if it
// filled them all).
func (e *ext2FS) fill(n *Inode, i, from, to int64) int64 {
	h := n.holes[i]
	to = min(to, e.blocksPerPage())
	if h == 0 {
		return to
	}
	k := from
	for ; k < to; k++ {
		if h&(1<<k) == 0 {
			continue
		}
		if e.usedBlocks()+1 > int64(e.blocks-e.firstData) {
			break
		}
		h &^= 1 << k
		e.holes--
	}
	if h == 0 {
		delete(n.holes, i)
	} else {
		n.holes[i] = h
	}
	return k
}

// mappedHoles reports whether n's page i has holes up to the file's end, which a
// store through a mapping must fill first.
func (e *ext2FS) mappedHoles(n *Inode, i int64) bool {
	end := min(e.blocksPerPage(), (n.size-i*mm.PageSize+e.bs-1)/e.bs)
	return n.holes[i]&(uint8(1)<<end-1) != 0
}

// fillMapped fills what a shared mapping's fault on n's page i needs: the page's
// blocks up to the file's end.
func (e *ext2FS) fillMapped(n *Inode, i int64) bool {
	end := min(e.blocksPerPage(), (n.size-i*mm.PageSize+e.bs-1)/e.bs)
	return e.fill(n, i, 0, end) == end
}

// dropHoles forgets the holes of n's pages [first, end), which the file lets go.
func (e *ext2FS) dropHoles(n *Inode, first, end int64) {
	for i, h := range n.holes { // each entry changes by itself: the order does not matter
		if i >= first && i < end {
			e.holes -= int64(bits.OnesCount8(h))
			delete(n.holes, i)
		}
	}
}

// truncated gives back the blocks past the file's new end (size) in the page it
// falls in (ext4_truncate frees them); the pages past it are gone (dropHoles).
func (e *ext2FS) truncated(n *Inode, size int64) {
	in, i := size%mm.PageSize, size/mm.PageSize
	if in == 0 || n.pages.get(i) == nil {
		return
	}
	h := n.holes[i]
	for k := (in + e.bs - 1) / e.bs; k < e.blocksPerPage(); k++ {
		if h&(1<<k) == 0 {
			h |= 1 << k
			e.holes++
		}
	}
	if h != 0 {
		if n.holes == nil {
			n.holes = map[int64]uint8{}
		}
		n.holes[i] = h
	}
}

// grows is told that n grows past old: the page old ends in leaves the shared
// mappings if it has holes, so that a write through them faults and fills them.
func (e *ext2FS) grows(n *Inode, old int64) {
	if old%mm.PageSize == 0 || n.holes[old/mm.PageSize] == 0 || n.mappings == 0 || n.fs.Mem == nil {
		return
	}
	n.fs.Mem.ZapFile(n, uint64(old/mm.PageSize))
}

// isHole reports whether block k of n's page i is a hole.
func isHole(n *Inode, i, k int64) bool {
	return n.holes[i]&(1<<k) != 0
}
