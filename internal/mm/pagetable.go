// Package mm implements guest address spaces: a sparse four-level page table of 4 KiB
// frames, the VMAs that say what may be mapped where, brk and anonymous mmap, and
// copy-on-write sharing between address spaces.
//
// Sharing is structural. Forking an address space copies only the root of its page table;
// every lower node is shared and reference counted. A node with more than one reference
// is read-only for all its owners: the first write below it copies the node (path
// copying), and a frame referenced by more than one page-table entry is copied on its
// first write. So a fork costs the same whatever the size of the address space, and each
// process pays only for the pages it writes.
//
// An AddressSpace is owned by the kernel's single simulation goroutine; it has no locks.
package mm

import "fmt"

const (
	PageShift = 12
	PageSize  = 1 << PageShift
	PageMask  = PageSize - 1

	levelBits = 9
	fanout    = 1 << levelBits
	levels    = 4

	// AddrBits is the size of a guest virtual address: 4 levels of 9 bits above the page
	// offset, as in Sv48.
	AddrBits = PageShift + levels*levelBits
	// AddrLimit is the first address past the guest's address space.
	AddrLimit = uint64(1) << AddrBits
)

// Perm is a set of access permissions.
type Perm uint8

const (
	PermRead Perm = 1 << iota
	PermWrite
	PermExec
)

func (p Perm) String() string {
	b := []byte("---")
	if p&PermRead != 0 {
		b[0] = 'r'
	}
	if p&PermWrite != 0 {
		b[1] = 'w'
	}
	if p&PermExec != 0 {
		b[2] = 'x'
	}
	return string(b)
}

// Access is the kind of memory access that faulted.
type Access uint8

const (
	Load Access = iota
	Store
	Fetch
)

func (a Access) String() string {
	switch a {
	case Load:
		return "load"
	case Store:
		return "store"
	case Fetch:
		return "fetch"
	}
	return fmt.Sprintf("Access(%d)", uint8(a))
}

func (a Access) perm() Perm {
	switch a {
	case Store:
		return PermWrite
	case Fetch:
		return PermExec
	}
	return PermRead
}

// FaultKind says why an access failed.
type FaultKind uint8

const (
	// Unmapped: no VMA covers the address (SIGSEGV, SEGV_MAPERR).
	Unmapped FaultKind = iota
	// Protection: a VMA covers it but forbids the access (SIGSEGV, SEGV_ACCERR).
	Protection
	// OutOfMemory: the page could not be allocated within weft's memory cap.
	OutOfMemory
)

// Fault describes a failed guest memory access.
type Fault struct {
	Addr   uint64
	Access Access
	Kind   FaultKind
}

func (f *Fault) Error() string {
	switch f.Kind {
	case Protection:
		return fmt.Sprintf("%v to 0x%x not permitted", f.Access, f.Addr)
	case OutOfMemory:
		return fmt.Sprintf("%v to 0x%x: out of memory", f.Access, f.Addr)
	}
	return fmt.Sprintf("%v to unmapped address 0x%x", f.Access, f.Addr)
}

// Frame is one page of guest memory.
//
// The pointer field comes first: the garbage collector scans an object only up to its
// last pointer, so the 4 KiB of data after it cost the collector nothing. (With Data
// first, every collection would scan all of guest memory.)
type Frame struct {
	// Decoded is the interpreter's decode cache for this frame. The cpu package owns it;
	// mm invalidates it when the kernel writes to the frame.
	Decoded Invalidator
	// refs counts the page-table entries that point at this frame (in any address
	// space). A private frame with refs > 1 is copied before it is written.
	refs int32
	// external marks a frame that belongs to someone else (a file's page, see
	// NewFileFrame): the pool did not allocate it and does not take it back.
	external bool
	Data     [PageSize]byte
}

// NewFileFrame returns a frame that holds a page of a file. The file owns it; address
// spaces that map it MAP_SHARED only reference it.
func NewFileFrame() *Frame { return &Frame{external: true} }

// Invalidator is a cache derived from a frame's contents.
type Invalidator interface{ Invalidate() }

// pte is a page-table entry.
type pte struct {
	frame *Frame
	perm  Perm
	// shared marks a MAP_SHARED page: writes go to the frame in place, never copied.
	shared bool
}

// node is a page-table node. Leaves (level 0) use ptes; the others use kids.
type node struct {
	refs int32
	kids *[fanout]*node
	ptes *[fanout]pte
}

func newNode(level int) *node {
	n := &node{refs: 1}
	if level == 0 {
		n.ptes = new([fanout]pte)
	} else {
		n.kids = new([fanout]*node)
	}
	return n
}

func index(vpn uint64, level int) int {
	return int(vpn>>(uint(level)*levelBits)) & (fanout - 1)
}

// clone makes a private copy of a shared node: the copy takes a reference on every child
// or frame, and the caller gives up its reference on n. w counts the work.
func (n *node) clone(w *Work) *node {
	w.NodesCopied++
	c := &node{refs: 1}
	if n.ptes != nil {
		c.ptes = new([fanout]pte)
		*c.ptes = *n.ptes
		for i := range c.ptes {
			if f := c.ptes[i].frame; f != nil {
				f.refs++
				w.Refs++
			}
		}
	} else {
		c.kids = new([fanout]*node)
		*c.kids = *n.kids
		for _, k := range c.kids {
			if k != nil {
				k.refs++
				w.Refs++
			}
		}
	}
	w.Refs++
	n.refs-- // n was shared, so others still hold it
	return c
}

// lookup returns the entry for vpn without changing anything, or nil. The entry may
// belong to a shared node: the caller must not modify it.
func (as *AddressSpace) lookup(vpn uint64) (e *pte, private bool) {
	n := as.root
	if n == nil {
		return nil, false
	}
	private = true
	for level := levels - 1; level > 0; level-- {
		n = n.kids[index(vpn, level)]
		if n == nil {
			return nil, false
		}
		if n.refs > 1 {
			private = false
		}
	}
	return &n.ptes[index(vpn, 0)], private
}

// mutable returns the entry for vpn in nodes private to as, copying shared nodes on the
// way down and creating missing ones when create is set. It returns nil if the path does
// not exist and create is false.
func (as *AddressSpace) mutable(vpn uint64, create bool) *pte {
	if as.root == nil {
		if !create {
			return nil
		}
		as.root = newNode(levels - 1)
	}
	n := as.root
	for level := levels - 1; level > 0; level-- {
		i := index(vpn, level)
		k := n.kids[i]
		switch {
		case k == nil:
			if !create {
				return nil
			}
			k = newNode(level - 1)
			as.pool.Work.NodesAllocated++
			n.kids[i] = k
		case k.refs > 1:
			k = k.clone(&as.pool.Work)
			n.kids[i] = k
		}
		n = k
	}
	return &n.ptes[index(vpn, 0)]
}

// visit calls fn for every entry with a page-table path in [lo, hi) (page numbers),
// skipping absent subtrees. With mutate set, shared nodes on the way are copied first so
// fn may change the entries.
func (as *AddressSpace) visit(lo, hi uint64, mutate bool, fn func(vpn uint64, e *pte)) {
	if as.root != nil {
		visitNode(as.root, levels-1, 0, lo, hi, mutate, fn, &as.pool.Work)
	}
}

func visitNode(n *node, level int, base, lo, hi uint64, mutate bool, fn func(uint64, *pte), w *Work) {
	span := uint64(1) << (uint(level) * levelBits) // pages per entry at this level
	for i := 0; i < fanout; i++ {
		start := base + uint64(i)*span
		if start+span <= lo {
			continue
		}
		if start >= hi {
			return
		}
		if level == 0 {
			fn(start, &n.ptes[i])
			continue
		}
		k := n.kids[i]
		if k == nil {
			continue
		}
		if mutate && k.refs > 1 {
			k = k.clone(w)
			n.kids[i] = k
		}
		visitNode(k, level-1, start, lo, hi, mutate, fn, w)
	}
}

// release drops one reference to n; the last reference drops n's children and frames.
// Shared subtrees cost nothing to release, so a forked child exits in constant time.
func (as *AddressSpace) release(n *node) {
	w := &as.pool.Work
	n.refs--
	w.Refs++
	if n.refs > 0 {
		return
	}
	w.NodesFreed++
	if n.ptes != nil {
		for i := range n.ptes {
			if f := n.ptes[i].frame; f != nil {
				f.refs--
				w.Refs++
				if f.refs == 0 && !f.external {
					as.pool.inUse--
					w.PagesFreed++
				}
			}
		}
		return
	}
	for _, k := range n.kids {
		if k != nil {
			as.release(k)
		}
	}
}
