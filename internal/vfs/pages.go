package vfs

import "weft/internal/mm"

// An in-memory file's pages are kept by index in a radix tree of 512-way nodes, as
// Linux keeps a file's page cache in an XArray: a sparse file costs the pages it holds
// and a few nodes on the path to each, whatever its size, so a page written at 4 GiB
// or at 2^62 bytes costs no more than one at 0. Each node counts against the memory
// cap: its header, and its slots, which grow (doubling, up to 512) as far as the
// highest one used, so a small file costs a few slots, not a node of 512. Holes are
// nil entries, or whole subtrees never made.

const (
	pageBits   = 9
	pageFanout = 1 << pageBits
	// pageNodeCost is the host memory of a node's header; each slot costs slotCost.
	pageNodeCost = 64
)

// PageNode is one node of a file's page tree: an interior node's children, or a
// leaf's pages (exported for the checkpoint copier, which shares the pages no
// mapping holds: SharedFrame).
type PageNode struct {
	kids  []*PageNode // an interior node's children, up to pageFanout
	pages []*mm.Frame // a leaf's pages, up to pageFanout
	used  int         // the non-nil entries
	leaf  bool
}

// slots is how many entries n has room for now.
func (n *PageNode) slots() int {
	if n.leaf {
		return len(n.pages)
	}
	return len(n.kids)
}

// grow makes room for entry s, charging fs for the new slots; false if the cap
// cannot take them.
func (n *PageNode) grow(fs *FS, s int) bool {
	have := n.slots()
	if s < have {
		return true
	}
	want := min(pageFanout, max(s+1, 2*have))
	if !fs.charge(int64(want-have) * slotCost) {
		return false
	}
	if n.leaf {
		n.pages = append(n.pages, make([]*mm.Frame, want-have)...)[:want:want]
	} else {
		n.kids = append(n.kids, make([]*PageNode, want-have)...)[:want:want]
	}
	return true
}

// cost is what n holds of the memory cap.
func (n *PageNode) cost() int64 { return pageNodeCost + int64(n.slots())*slotCost }

// pageTree is a file's pages by index.
type pageTree struct {
	root   *PageNode
	height int   // the root's level: it covers pages [0, pageFanout^(height+1))
	count  int64 // the pages present
	// acct, if set, counts the pages too: an ext2 file system's total (ext2.go).
	acct *int64
}

// covers reports whether the tree's root spans page i.
func (t *pageTree) covers(i int64) bool {
	return t.root != nil && i>>((t.height+1)*pageBits) == 0
}

// get returns page i, or nil for a hole.
func (t *pageTree) get(i int64) *mm.Frame {
	if i < 0 || !t.covers(i) {
		return nil
	}
	n := t.root
	for level := t.height; level > 0; level-- {
		s := int((i >> (level * pageBits)) & (pageFanout - 1))
		if s >= len(n.kids) || n.kids[s] == nil {
			return nil
		}
		n = n.kids[s]
	}
	if s := int(i & (pageFanout - 1)); s < len(n.pages) {
		return n.pages[s]
	}
	return nil
}

// slot returns the entry for page i, making the nodes and slots on the way (charged
// to fs); nil when the cap cannot take them.
func (t *pageTree) slot(fs *FS, i int64) **mm.Frame {
	if i < 0 {
		return nil // (no file has such a page: the callers check offsets first)
	}
	if t.root == nil {
		if !fs.charge(pageNodeCost) {
			return nil
		}
		t.root, t.height = &PageNode{leaf: true}, 0
	}
	for !t.covers(i) {
		if !fs.charge(pageNodeCost) {
			return nil
		}
		up := &PageNode{}
		if !up.grow(fs, 0) {
			fs.uncharge(pageNodeCost)
			return nil
		}
		up.kids[0], up.used = t.root, 1
		t.root, t.height = up, t.height+1
	}
	n := t.root
	for level := t.height; level > 0; level-- {
		s := int((i >> (level * pageBits)) & (pageFanout - 1))
		if !n.grow(fs, s) {
			return nil
		}
		if n.kids[s] == nil {
			if !fs.charge(pageNodeCost) {
				return nil
			}
			n.kids[s] = &PageNode{leaf: level == 1}
			n.used++
		}
		n = n.kids[s]
	}
	s := int(i & (pageFanout - 1))
	if !n.grow(fs, s) {
		return nil
	}
	return &n.pages[s]
}

// set puts f at page i (its node made by slot); f must not be nil.
func (t *pageTree) set(fs *FS, i int64, f *mm.Frame) bool {
	s := t.slot(fs, i)
	if s == nil {
		return false
	}
	if *s == nil {
		t.leaf(i).used++
		t.count++
		if t.acct != nil {
			*t.acct++
		}
	}
	*s = f
	return true
}

// leaf returns the leaf holding page i, which exists.
func (t *pageTree) leaf(i int64) *PageNode {
	n := t.root
	for level := t.height; level > 0; level-- {
		n = n.kids[(i>>(level*pageBits))&(pageFanout-1)]
	}
	return n
}

// next returns the first page at or after i that is present, and its index; nil if
// there is none.
func (t *pageTree) next(i int64) (int64, *mm.Frame) {
	if t.root == nil || i < 0 || !t.covers(i) {
		return 0, nil
	}
	return t.nextIn(t.root, t.height, 0, i)
}

// nextIn is next within node n of the given level, whose first page is base.
func (t *pageTree) nextIn(n *PageNode, level int, base, i int64) (int64, *mm.Frame) {
	shift := level * pageBits
	for s := max(0, (i-base)>>shift); s < int64(n.slots()); s++ {
		at := base + s<<shift
		if level == 0 {
			if f := n.pages[s]; f != nil {
				return at, f
			}
			continue
		}
		if k := n.kids[s]; k != nil {
			if j, f := t.nextIn(k, level-1, at, max(i, at)); f != nil {
				return j, f
			}
		}
	}
	return 0, nil
}

// clearFrom removes the pages from first on, calling drop for each (in order), and
// gives back the nodes left empty.
func (t *pageTree) clearFrom(fs *FS, first int64, drop func(*mm.Frame)) {
	if t.root == nil {
		return
	}
	if t.clearIn(fs, t.root, t.height, 0, max(first, 0), drop) {
		fs.uncharge(t.root.cost())
		t.root, t.height = nil, 0
	}
}

// clearIn is clearFrom within n; it reports whether n is now empty.
func (t *pageTree) clearIn(fs *FS, n *PageNode, level int, base, first int64, drop func(*mm.Frame)) bool {
	shift := level * pageBits
	for s := max(0, (first-base)>>shift); s < int64(n.slots()); s++ {
		at := base + s<<shift
		if level == 0 {
			if f := n.pages[s]; f != nil {
				n.pages[s] = nil
				n.used--
				t.count--
				if t.acct != nil {
					*t.acct--
				}
				drop(f)
			}
			continue
		}
		if k := n.kids[s]; k != nil && t.clearIn(fs, k, level-1, at, max(first, at), drop) {
			n.kids[s] = nil
			n.used--
			fs.uncharge(k.cost())
		}
	}
	return n.used == 0
}

// remove takes page i out of the tree (the caller deals with the frame), giving back
// the nodes left empty.
func (t *pageTree) remove(fs *FS, i int64) {
	if t.get(i) == nil {
		return
	}
	t.clearRange(fs, i, i+1)
}

// clearRange is clearFrom for the pages in [first, end) only, without a callback.
func (t *pageTree) clearRange(fs *FS, first, end int64) {
	if t.root != nil && t.clearRangeIn(fs, t.root, t.height, 0, first, end) {
		fs.uncharge(t.root.cost())
		t.root, t.height = nil, 0
	}
}

func (t *pageTree) clearRangeIn(fs *FS, n *PageNode, level int, base, first, end int64) bool {
	shift := level * pageBits
	for s := max(0, (first-base)>>shift); s < int64(n.slots()); s++ {
		at := base + s<<shift
		if at >= end {
			break
		}
		if level == 0 {
			if n.pages[s] != nil {
				n.pages[s] = nil
				n.used--
				t.count--
				if t.acct != nil {
					*t.acct--
				}
			}
			continue
		}
		if k := n.kids[s]; k != nil && t.clearRangeIn(fs, k, level-1, at, max(first, at), end) {
			n.kids[s] = nil
			n.used--
			fs.uncharge(k.cost())
		}
	}
	return n.used == 0
}

// each calls fn with the slot of every page present, in order (fn may replace the
// page with another, not with nil).
func (t *pageTree) each(fn func(i int64, slot **mm.Frame)) {
	if t.root != nil {
		t.eachIn(t.root, t.height, 0, fn)
	}
}

func (t *pageTree) eachIn(n *PageNode, level int, base int64, fn func(int64, **mm.Frame)) {
	shift := level * pageBits
	for s := int64(0); s < int64(n.slots()); s++ {
		at := base + s<<shift
		if level == 0 {
			if n.pages[s] != nil {
				fn(at, &n.pages[s])
			}
		} else if k := n.kids[s]; k != nil {
			t.eachIn(k, level-1, at, fn)
		}
	}
}

// SharedFrame reports whether a checkpoint may share f, a page of an in-memory file,
// instead of copying it: no address space maps it, and it has no decode cache (which
// belongs to one kernel's CPUs).
func SharedFrame(f *mm.Frame) bool { return f.Refs() == 0 && f.Decoded == nil }
