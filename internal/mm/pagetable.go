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

import (
	"fmt"
	"unsafe"
)

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
	// Watched: a debugger watches the page (cpu.Hart.DebugWatch); not the guest's
	// fault, and never delivered to it.
	Watched
	// PastEOF: the page of a shared file mapping lies wholly past the file's end
	// (SIGBUS, BUS_ADRERR).
	PastEOF
	// CgroupOOM: the page could not be charged to the memory cgroup, whose limit
	// reclaim could not make room under (memcg.go); the kernel's OOM killer acts.
	CgroupOOM
	// HWPoison: the page had a memory failure (Poison: madvise MADV_HWPOISON), and
	// touching it again is a machine check (SIGBUS, BUS_MCEERR_AR).
	HWPoison
	// Guard: the page lies in a guard region (madvise MADV_GUARD_INSTALL); Linux's
	// fault handler answers VM_FAULT_SIGSEGV, which riscv raises as SIGSEGV with
	// SEGV_MAPERR (arch/riscv/mm/fault.c, mm_fault_error).
	Guard
	// NoSpace: the page of a shared file mapping needs blocks its file system has no
	// room for (SIGBUS, BUS_ADRERR, as ext4_page_mkwrite's ENOSPC).
	NoSpace
	// NoHugePage: a hugetlb mapping's page could not be had from the huge page pool
	// (MAP_NORESERVE, or a fork's child copying a page), or the page was taken from
	// this copy of the mapping (SIGBUS, BUS_ADRERR).
	NoHugePage
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
	case Watched:
		return fmt.Sprintf("%v to 0x%x: watched by a debugger", f.Access, f.Addr)
	case PastEOF:
		return fmt.Sprintf("%v to 0x%x: past the end of the mapped file", f.Access, f.Addr)
	case CgroupOOM:
		return fmt.Sprintf("%v to 0x%x: out of memory in the memory cgroup", f.Access, f.Addr)
	case HWPoison:
		return fmt.Sprintf("%v to 0x%x: memory failure (a poisoned page)", f.Access, f.Addr)
	case Guard:
		return fmt.Sprintf("%v to 0x%x: a guard region", f.Access, f.Addr)
	case NoSpace:
		return fmt.Sprintf("%v to 0x%x: no room on the mapped file's file system", f.Access, f.Addr)
	case NoHugePage:
		return fmt.Sprintf("%v to 0x%x: no huge page in the pool", f.Access, f.Addr)
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
	// memcg is the memory cgroup counter the frame is charged to (memcg.go), nil
	// for none.
	memcg *MemCounter
	// huge is the huge page the frame is part of (hugetlb.go), nil for most.
	huge *HugePage
	// refs counts the page-table entries that point at this frame (in any address
	// space). A private frame with refs > 1 is copied before it is written.
	refs int32
	// external marks a frame that belongs to someone else (a file's page, see
	// NewFileFrame): the pool did not allocate it and does not take it back.
	external bool
	// copied marks a frame made by copying a shared one on a write (copy-on-write),
	// for tools that show memory (weft view).
	copied bool
	// pfn is the frame's number (Pool.alloc), as Linux numbers physical pages: what
	// /proc/PID/pagemap shows CAP_SYS_ADMIN and the memory-failure messages name. 0 for
	// a file's frame.
	pfn  uint64
	Data [PageSize]byte
}

// PFN is the frame's number (0 for a file's page).
func (f *Frame) PFN() uint64 { return f.pfn }

// Copied reports whether f was made by copying a shared frame on a write.
func (f *Frame) Copied() bool { return f.copied }

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
	// mkwrite marks a shared file page mapped for reading only: the first store goes
	// back to the file (FilePages) before it may write.
	mkwrite bool
	// lazy marks a page MADV_FREE let go of and no one has written since: memory
	// pressure may drop it (memcg.go). A store clears it, so the fast path of Page
	// sends stores to such a page through the slow one.
	lazy bool
	// cow marks a hugetlbfs file's page mapped MAP_PRIVATE: a store copies it even
	// when this is the only entry (hugetlb.go), so the fast path sends stores on.
	cow bool
	// marker, when set, stands in an entry that has no frame: an access faults
	// (with the fault the marker names) instead of mapping a new page.
	marker marker
}

// marker is what a page-table entry without a frame says about its page, as Linux's
// non-present entries (swap entries and PTE markers) do.
type marker uint8

const (
	// markerPoison: the page had a memory failure (Poison); an access faults with
	// HWPoison until the entry goes (munmap, MADV_DONTNEED), as Linux's hwpoison
	// swap entries.
	markerPoison marker = iota + 1
	// markerGuard: a guard region (GuardInstall, madvise MADV_GUARD_INSTALL); an
	// access faults with Guard. Only GuardRemove and munmap clear it: MADV_DONTNEED
	// and MADV_FREE leave it, as Linux's PTE_MARKER_GUARD.
	markerGuard
)

// fault is the fault an access to a page marked m raises.
func (m marker) fault() FaultKind {
	if m == markerGuard {
		return Guard
	}
	return HWPoison
}

// node is a page-table node. Leaves (level 0) use ptes; the others use kids.
type node struct {
	refs int32
	kids *[fanout]*node
	ptes *[fanout]pte
}

// FrameBytes is what one Frame costs the host: Go's allocator rounds its 4 KiB of data
// and header (4120 bytes) up to the 4864-byte size class (runtime/sizeclasses.go).
// TestFrameBytes measures it.
const FrameBytes = 4864

// What page-table nodes cost the host, charged to the pool like frames (each size is
// one of Go's size classes: 24-byte headers take 32, the 4 KiB and 8 KiB arrays their
// own size).
var (
	interiorBytes = int64(32 + unsafe.Sizeof([fanout]*node{}))
	leafBytes     = int64(32 + unsafe.Sizeof([fanout]pte{}))
	// pathBytes bounds what one walk from the root to a leaf can create or copy.
	pathBytes = (levels-2)*interiorBytes + leafBytes
)

func nodeBytes(level int) int64 {
	if level == 0 {
		return leafBytes
	}
	return interiorBytes
}

// tableBytes bounds the nodes needed to map n pages that have none yet.
func tableBytes(n uint64) int64 {
	leaves := int64(n/fanout) + 2
	return leaves*leafBytes + (leaves/fanout+2)*int64(levels-2)*interiorBytes
}

// newNode allocates a node, charging the pool. Callers check beforehand that the pool
// has room (pathBytes for a walk, copyCost for a range); the charge itself cannot fail
// so that a walk never stops half-way.
func (as *AddressSpace) newNode(level int) *node {
	as.pool.charge(nodeBytes(level))
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
// or frame, and the caller gives up its reference on n.
func (as *AddressSpace) clone(n *node, level int) *node {
	w := &as.pool.Work
	w.NodesCopied++
	c := as.newNode(level)
	if n.ptes != nil {
		*c.ptes = *n.ptes
		for i := range c.ptes {
			if f := c.ptes[i].frame; f != nil {
				f.refs++
				w.Refs++
			}
		}
	} else {
		*c.kids = *n.kids
		for _, k := range c.kids {
			if k != nil {
				k.refs++
				w.Refs++
			}
		}
	}
	n.refs-- // n was shared, so others still hold it
	w.Refs++
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
		as.root = as.newNode(levels - 1)
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
			k = as.newNode(level - 1)
			as.pool.Work.NodesAllocated++
			n.kids[i] = k
		case k.refs > 1:
			k = as.clone(k, level-1)
			n.kids[i] = k
		}
		n = k
	}
	return &n.ptes[index(vpn, 0)]
}

// pathCost is what mutable(vpn, true) would allocate: each node on the way that is
// missing, shared, or below a shared node.
func (as *AddressSpace) pathCost(vpn uint64) int64 {
	if as.root == nil {
		return pathBytes + interiorBytes
	}
	var cost int64
	n, shared := as.root, false
	for level := levels - 1; level > 0; level-- {
		k := n.kids[index(vpn, level)]
		if k == nil {
			for l := level - 1; l >= 0; l-- {
				cost += nodeBytes(l)
			}
			return cost
		}
		shared = shared || k.refs > 1
		if shared {
			cost += nodeBytes(level - 1)
		}
		n = k
	}
	return cost
}

// visit calls fn for every entry with a page-table path in [lo, hi) (page numbers),
// skipping absent subtrees. With mutate set, shared nodes on the way are copied first so
// fn may change the entries; the caller checks first that copyCost(lo, hi) fits.
func (as *AddressSpace) visit(lo, hi uint64, mutate bool, fn func(vpn uint64, e *pte)) {
	if as.root != nil {
		as.visitNode(as.root, levels-1, 0, lo, hi, mutate, fn)
	}
}

func (as *AddressSpace) visitNode(n *node, level int, base, lo, hi uint64, mutate bool, fn func(uint64, *pte)) {
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
			k = as.clone(k, level-1)
			n.kids[i] = k
		}
		as.visitNode(k, level-1, start, lo, hi, mutate, fn)
	}
}

// copyCost is what a mutating visit of [lo, hi) would allocate: every node in the range
// that is shared, or lies below a shared node, is copied.
func (as *AddressSpace) copyCost(lo, hi uint64) int64 {
	var cost int64
	var walk func(n *node, level int, base uint64, shared bool)
	walk = func(n *node, level int, base uint64, shared bool) {
		span := uint64(1) << (uint(level) * levelBits)
		for i := 0; i < fanout && level > 0; i++ {
			start := base + uint64(i)*span
			k := n.kids[i]
			if k == nil || start+span <= lo {
				continue
			}
			if start >= hi {
				return
			}
			s := shared || k.refs > 1
			if s {
				cost += nodeBytes(level - 1)
			}
			walk(k, level-1, start, s)
		}
	}
	if as.root != nil {
		walk(as.root, levels-1, 0, false)
	}
	return cost
}

// clear removes every entry in [lo, hi) (page numbers). A subtree that lies wholly in
// the range is dropped without being copied, shared or not; only the nodes at the
// range's two edges are copied when shared, a few nodes at most, charged even past the
// cap so that unmapping never fails half-way.
func (as *AddressSpace) clear(lo, hi uint64) {
	if as.root == nil {
		return
	}
	var walk func(n *node, level int, base uint64)
	walk = func(n *node, level int, base uint64) {
		span := uint64(1) << (uint(level) * levelBits)
		for i := 0; i < fanout; i++ {
			start := base + uint64(i)*span
			if start+span <= lo {
				continue
			}
			if start >= hi {
				return
			}
			if level == 0 {
				e := &n.ptes[i]
				if e.frame != nil {
					as.dropFrame(e.frame)
				}
				*e = pte{} // a marked entry goes too
				continue
			}
			k := n.kids[i]
			if k == nil {
				continue
			}
			if start >= lo && start+span <= hi {
				as.Stats.Resident -= present(k, level-1)
				as.release(k, level-1)
				n.kids[i] = nil
				continue
			}
			if k.refs > 1 {
				k = as.clone(k, level-1)
				n.kids[i] = k
			}
			walk(k, level-1, start)
		}
	}
	walk(as.root, levels-1, 0)
}

// present counts the pages mapped below n.
func present(n *node, level int) uint64 {
	var c uint64
	if level == 0 {
		for i := range n.ptes {
			if n.ptes[i].frame != nil {
				c++
			}
		}
		return c
	}
	for _, k := range n.kids {
		if k != nil {
			c += present(k, level-1)
		}
	}
	return c
}

// release drops one reference to n, a node at level; the last reference drops n's
// children and frames and gives n's memory back. Shared subtrees cost nothing to
// release, so a forked child exits in constant time.
func (as *AddressSpace) release(n *node, level int) {
	w := &as.pool.Work
	n.refs--
	w.Refs++
	if n.refs > 0 {
		return
	}
	as.pool.Uncharge(nodeBytes(level))
	w.NodesFreed++
	if n.ptes != nil {
		for i := range n.ptes {
			if f := n.ptes[i].frame; f != nil {
				f.refs--
				w.Refs++
				if f.refs == 0 {
					as.lastRef(f)
				}
			}
		}
		return
	}
	for _, k := range n.kids {
		if k != nil {
			as.release(k, level-1)
		}
	}
}

// Disown is called by the file that owns f (NewFileFrame) when it lets go of the page
// (the file was deleted or truncated). A frame no page table maps is simply dropped:
// Disown reports true, and the file gives back the memory it reserved for it. A frame
// that mappings still hold becomes an ordinary pool frame: the file's reservation
// passes to the pool, which releases it with the last mapping, as for anonymous memory.
func (f *Frame) Disown() bool {
	if f.refs == 0 {
		return true
	}
	f.external = false
	return false
}

// PageState reports, without faulting anything in, whether the page at vaddr is in
// memory, and whether its frame may be seen by more than this entry (a MAP_SHARED
// page, or one still shared with another address space after fork), and whether its
// entry holds a marker instead (a poisoned page or a guard page, which Linux's
// page table holds as non-present swap-type entries): for /proc/PID/pagemap.
func (as *AddressSpace) PageState(vaddr uint64) (present, exclusive, sharedMap, marked bool) {
	e, private := as.lookup(vaddr >> PageShift)
	if e == nil || e.frame == nil {
		return false, false, false, e != nil && e.marker != 0
	}
	return true, private && e.frame.refs == 1, e.shared, false
}

// PagePFN is the frame number of the page present at vaddr (0 if none, or a file's).
func (as *AddressSpace) PagePFN(vaddr uint64) uint64 {
	e, _ := as.lookup(vaddr >> PageShift)
	if e == nil || e.frame == nil {
		return 0
	}
	return e.frame.pfn
}

// Guarded reports whether the page at vaddr is a guard page (GuardInstall).
func (as *AddressSpace) Guarded(vaddr uint64) bool {
	e, _ := as.lookup(vaddr >> PageShift)
	return e != nil && e.marker == markerGuard
}
