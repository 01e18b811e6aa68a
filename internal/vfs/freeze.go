package vfs

import "weft/internal/mm"

// Frozen pages: a kernel checkpoint (internal/kernel, checkpoint.go) shares the pages
// of in-memory files with the kernel it was taken from, and with every kernel restored
// from it, instead of copying them: a program's own file alone is hundreds of pages.
// Only pages no address space maps are shared (a mapped page is written by the guest
// directly); the first change to a file after a checkpoint (a write, a truncation, a
// hole punched, a page handed to a mapping) first gives the file private copies of
// them (thaw). Copying is not counted work: it is the host's bookkeeping, not the
// guest's, and a run goes the same with or without checkpoints.

// FreezePages marks every in-memory file's unmapped pages as shared from now on.
func (fs *FS) FreezePages() { fs.frozen++ }

// thaw gives n private copies of the pages it may share with a checkpoint, before n
// changes them or lets an address space map them.
func (n *Inode) thaw() {
	if n.fs == nil || n.thawed == n.fs.frozen {
		return
	}
	n.thawed = n.fs.frozen
	n.pages.each(func(_ int64, slot **mm.Frame) {
		if f := *slot; f.Refs() == 0 {
			c := mm.NewFileFrame()
			c.Data = f.Data
			*slot = c
		}
	})
}
