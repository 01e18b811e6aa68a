package vfs

import "weft/internal/mm"

// A regular file in memory keeps its bytes in a slice until it is first mapped
// MAP_SHARED. From then on its contents live in page frames (pages), which the mappings
// and read(2)/write(2) share, so a store through a mapping is what the next read sees,
// and a write is what every mapping sees (mmap(2)).

// CanSharePages reports whether the file can be mapped MAP_SHARED through its own
// pages: an in-memory regular file (host files get private copies).
func (n *Inode) CanSharePages() bool {
	return n.Mode&S_IFMT == S_IFREG && n.hm == nil && n.gen == nil
}

// NewSharedPages reports how many frames SharePages(first, count) would create.
func (n *Inode) NewSharedPages(first, count uint64) int64 {
	want := first + count
	if n.pages == nil { // the first shared mapping also moves the file's bytes to frames
		return int64(max(want, uint64(len(n.data)+mm.PageSize-1)/mm.PageSize))
	}
	return int64(want - min(want, uint64(len(n.pages))))
}

// SharePages returns frames for the file's pages [first, first+count), converting the
// file to page frames on its first shared mapping and adding zero pages past its end
// as the mapping asks (the file's size does not change).
func (n *Inode) SharePages(first, count uint64) []*mm.Frame {
	if n.pages == nil {
		n.size = int64(len(n.data))
		for off := 0; off < len(n.data); off += mm.PageSize {
			f := mm.NewFileFrame()
			copy(f.Data[:], n.data[off:])
			n.pages = append(n.pages, f)
		}
		n.data = nil
	}
	for uint64(len(n.pages)) < first+count {
		n.pages = append(n.pages, mm.NewFileFrame())
	}
	return n.pages[first : first+count]
}

// pagedRead reads the paged file at off.
func (n *Inode) pagedRead(p []byte, off int64) int {
	if off >= n.size {
		return 0
	}
	p = p[:min(int64(len(p)), n.size-off)]
	done := 0
	for done < len(p) {
		pos := off + int64(done)
		done += copy(p[done:], n.pages[pos/mm.PageSize].Data[pos%mm.PageSize:])
	}
	return done
}

// pagedWrite writes the paged file at off, growing it as needed.
func (n *Inode) pagedWrite(p []byte, off int64) int {
	end := off + int64(len(p))
	for int64(len(n.pages))*mm.PageSize < end {
		n.pages = append(n.pages, mm.NewFileFrame())
	}
	done := 0
	for done < len(p) {
		pos := off + int64(done)
		f := n.pages[pos/mm.PageSize]
		if f.Decoded != nil { // the page may hold code someone runs
			f.Decoded.Invalidate()
			f.Decoded = nil
		}
		done += copy(f.Data[pos%mm.PageSize:], p[done:])
	}
	n.size = max(n.size, end)
	return done
}

// pagedTruncate sets the paged file's size; the bytes past it read as zeros if it grows
// again. Frames past the end stay with the mappings that hold them.
func (n *Inode) pagedTruncate(size int64) {
	if size < n.size {
		for pos := size; pos < n.size && pos/mm.PageSize < int64(len(n.pages)); {
			f := n.pages[pos/mm.PageSize]
			k := copy(f.Data[pos%mm.PageSize:], make([]byte, min(mm.PageSize-pos%mm.PageSize, n.size-pos)))
			pos += int64(k)
		}
		n.pages = n.pages[:(size+mm.PageSize-1)/mm.PageSize]
	}
	n.size = size
}

// pagedContents returns a copy of the paged file's bytes.
func (n *Inode) pagedContents() []byte {
	b := make([]byte, n.size)
	n.pagedRead(b, 0)
	return b
}
