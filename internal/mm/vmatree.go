package mm

import "unsafe"

// vmaTree holds an address space's VMAs ordered by address: a treap (a binary search
// tree kept balanced by random heap priorities) whose nodes also record, for their
// subtree, the lowest start, the highest end and the largest free gap between two of its
// VMAs (a mapping that grows down starts, for these, a stack guard gap lower: gapStart). Finding, inserting and removing a VMA take O(log n) expected steps, and so does
// finding the highest free range of a given size (as Linux's augmented VMA tree does),
// so that a guest with tens of thousands of mappings cannot make each mmap scan them all.
//
// A VMA's Start and End are keys: they change only through remove and insert.
type vmaTree struct {
	root   *vmaNode
	count  int    // VMAs in the tree
	mapped uint64 // bytes they cover
	seed   uint64 // priority generator (xorshift); shapes the tree, nothing the guest sees
}

type vmaNode struct {
	v           *VMA
	prio        uint64
	left, right *vmaNode
	// For the subtree: its lowest Start, highest End, and largest gap between the End
	// of one of its VMAs and the Start of the next.
	lo, hi, gap uint64
}

// vmaBytes is what one VMA costs the host: the record and its tree node, each rounded up
// to the allocator's next 16 bytes (a name is charged by its length, see vmaCost).
const vmaBytes = int64((unsafe.Sizeof(VMA{})+15)&^15 + (unsafe.Sizeof(vmaNode{})+15)&^15)

func vmaCost(v *VMA) int64 { return vmaBytes + int64(len(v.Name)) }

// gapStart is where v's claim on the address space begins: its Start, less the stack
// guard gap below a mapping that grows down, which mmap leaves free (Linux's
// vm_start_gap).
func gapStart(v *VMA) uint64 {
	if v.GrowsDown {
		return sub(v.Start, StackGuardGap)
	}
	return v.Start
}

func (n *vmaNode) update() {
	n.lo, n.hi, n.gap = gapStart(n.v), n.v.End, 0
	if l := n.left; l != nil {
		n.lo = min(l.lo, n.lo)
		n.gap = max(l.gap, sub(gapStart(n.v), l.hi))
	}
	if r := n.right; r != nil {
		n.hi = r.hi
		n.gap = max(n.gap, r.gap, sub(r.lo, n.v.End))
	}
}

func (t *vmaTree) nextPrio() uint64 {
	if t.seed == 0 {
		t.seed = 0x9e3779b97f4a7c15
	}
	t.seed ^= t.seed << 13
	t.seed ^= t.seed >> 7
	t.seed ^= t.seed << 17
	return t.seed
}

// split divides n into the VMAs starting below key and the rest.
func split(n *vmaNode, key uint64) (l, r *vmaNode) {
	if n == nil {
		return nil, nil
	}
	if n.v.Start < key {
		n.right, r = split(n.right, key)
		n.update()
		return n, r
	}
	l, n.left = split(n.left, key)
	n.update()
	return l, n
}

// join joins two treaps where every VMA of a lies below every VMA of b.
func join(a, b *vmaNode) *vmaNode {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a.right = join(a.right, b)
		a.update()
		return a
	default:
		b.left = join(a, b.left)
		b.update()
		return b
	}
}

func (t *vmaTree) insert(v *VMA) {
	n := &vmaNode{v: v, prio: t.nextPrio()}
	n.update()
	l, r := split(t.root, v.Start)
	t.root = join(join(l, n), r)
	t.count++
	t.mapped += v.End - v.Start
}

// remove takes out the VMA that starts at v.Start (which must be v).
func (t *vmaTree) remove(v *VMA) {
	l, r := split(t.root, v.Start)
	_, r = split(r, v.Start+1)
	t.root = join(l, r)
	t.count--
	t.mapped -= v.End - v.Start
}

// find returns the VMA containing addr, or nil.
func (t *vmaTree) find(addr uint64) *VMA {
	n := t.root
	for n != nil {
		switch {
		case addr < n.v.Start:
			n = n.left
		case addr >= n.v.End:
			n = n.right
		default:
			return n.v
		}
	}
	return nil
}

// ceil returns the lowest VMA that ends above addr, or nil.
func (t *vmaTree) ceil(addr uint64) *VMA {
	var best *VMA
	for n := t.root; n != nil; {
		if n.v.End > addr {
			best = n.v
			n = n.left
		} else {
			n = n.right
		}
	}
	return best
}

// overlapping calls fn, in address order, for every VMA that overlaps [lo, hi). fn must
// not change the tree.
func (t *vmaTree) overlapping(lo, hi uint64, fn func(*VMA)) {
	var walk func(n *vmaNode)
	walk = func(n *vmaNode) {
		if n == nil || n.hi <= lo || n.lo >= hi {
			return
		}
		walk(n.left)
		if n.v.Start < hi && n.v.End > lo {
			fn(n.v)
		}
		walk(n.right)
	}
	walk(t.root)
}

// all returns the VMAs in address order.
func (t *vmaTree) all() []*VMA {
	out := make([]*VMA, 0, t.count)
	t.overlapping(0, ^uint64(0), func(v *VMA) { out = append(out, v) })
	return out
}

// highestFree returns the highest page-aligned address a >= floor with [a, a+length)
// free and a+length <= top, or 0 if there is none.
func (t *vmaTree) highestFree(length, floor, top uint64) uint64 {
	return t.findFree(length, floor, top, false)
}

// lowestFree is highestFree for the lowest such address.
func (t *vmaTree) lowestFree(length, floor, top uint64) uint64 {
	return t.findFree(length, floor, top, true)
}

// findFree searches the tree for a free range of length bytes in [floor, top): the
// lowest or the highest, skipping every subtree whose gaps are all too short.
func (t *vmaTree) findFree(length, floor, top uint64, lowest bool) uint64 {
	if top < floor || top-floor < length {
		return 0
	}
	// search looks in n, whose VMAs all lie in [lo, hi) where everything else is free.
	var search func(n *vmaNode, lo, hi uint64) uint64
	search = func(n *vmaNode, lo, hi uint64) uint64 {
		lo, hi = max(lo, floor), min(hi, top)
		switch {
		case hi <= lo || hi-lo < length:
			return 0
		case n == nil && lowest:
			return lo
		case n == nil:
			return hi - length
		case max(sub(n.lo, lo), sub(hi, n.hi), n.gap) < length:
			return 0 // no free range in here is long enough
		}
		if lowest {
			if a := search(n.left, lo, gapStart(n.v)); a != 0 {
				return a
			}
			return search(n.right, n.v.End, hi)
		}
		if a := search(n.right, n.v.End, hi); a != 0 {
			return a
		}
		return search(n.left, lo, gapStart(n.v))
	}
	return search(t.root, 0, ^uint64(0))
}

// sub is a-b, or 0 when b >= a.
func sub(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return 0
}

// clone returns a copy of the tree with copies of its VMAs.
func (t *vmaTree) clone() vmaTree {
	var cp func(n *vmaNode) *vmaNode
	cp = func(n *vmaNode) *vmaNode {
		if n == nil {
			return nil
		}
		v := *n.v
		c := *n
		c.v = &v
		c.left, c.right = cp(n.left), cp(n.right)
		return &c
	}
	c := *t
	c.root = cp(t.root)
	return c
}

// cost is what the tree's VMAs cost the host, in bytes.
func (t *vmaTree) cost() int64 {
	var sum int64
	t.overlapping(0, ^uint64(0), func(v *VMA) { sum += vmaCost(v) })
	return sum
}
