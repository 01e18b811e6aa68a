package mm

import (
	"errors"
	"sort"
)

// Pool accounts for the frames of every address space of one kernel, so that no guest
// can take more host memory than weft allows.
type Pool struct {
	// MaxFrames caps the frames in use; 0 means no cap.
	MaxFrames int64
	inUse     int64
	peak      int64

	// Work counts what every address space of the pool did, for the kernel's cost
	// model. The kernel, on its one goroutine, reads it before and after each piece
	// of work to charge the task that did it.
	Work Work
}

// Work counts units of memory-management work (see internal/kernel/cost).
type Work struct {
	NodesAllocated uint64 // page-table nodes created (zeroed)
	NodesCopied    uint64 // page-table nodes copied: a fork's root, a shared node written below
	NodesFreed     uint64 // page-table nodes whose last reference was dropped
	Refs           uint64 // references taken or dropped on shared nodes and frames
	VMAsCopied     uint64 // mapping records copied by fork
	PagesZeroed    uint64 // frames allocated zero-filled (first touch)
	PagesCopied    uint64 // frames copied on a write after fork (copy-on-write)
	PagesFreed     uint64 // frames whose last reference was dropped
	BytesCopied    uint64 // bytes the kernel copied to or from guest memory
}

// InUse reports the frames currently allocated.
func (p *Pool) InUse() int64 { return p.inUse }

// Reserve takes n frames' worth of the cap for memory that is not in an address space
// (a file's pages), and reports false if the cap does not allow it.
func (p *Pool) Reserve(n int64) bool {
	if p.MaxFrames > 0 && p.inUse+n > p.MaxFrames {
		return false
	}
	p.inUse += n
	p.peak = max(p.peak, p.inUse)
	return true
}

// Peak reports the largest number of frames allocated at once.
func (p *Pool) Peak() int64 { return p.peak }

func (p *Pool) alloc() *Frame {
	if p.MaxFrames > 0 && p.inUse >= p.MaxFrames {
		return nil
	}
	p.inUse++
	if p.inUse > p.peak {
		p.peak = p.inUse
	}
	return &Frame{refs: 1}
}

// VMA is one mapped region [Start, End) with uniform permissions.
type VMA struct {
	Start, End uint64
	Perm       Perm
	Shared     bool   // MAP_SHARED: writes are seen by every process that shares it
	Name       string // "[heap]", "[stack]", a file path, or "" for anonymous memory
}

// Stats counts memory events of one address space.
type Stats struct {
	PageFaults   uint64 // pages allocated on first touch (minor faults)
	COWCopies    uint64 // frames copied on a write after fork
	Resident     uint64 // pages present now
	PeakResident uint64 // the most pages present at once
}

// AddressSpace is the memory of one process.
type AddressSpace struct {
	root *node
	vmas []*VMA // sorted by Start, non-overlapping
	pool *Pool

	// Gen changes whenever a translation that a hart may have cached stops being
	// valid (unmap, protect, fork making pages copy-on-write). Harts compare it before
	// running and flush their TLBs when it moved.
	Gen uint64

	BrkStart, Brk uint64 // program break: [BrkStart, Brk) is the heap
	MmapBase      uint64 // mmap allocates top-down below this address

	Stats Stats
}

// New returns an empty address space drawing frames from pool.
func New(pool *Pool) *AddressSpace {
	pool.Work.NodesAllocated++
	return &AddressSpace{root: newNode(levels - 1), pool: pool}
}

// VMAs returns the mappings in address order. The caller must not modify them.
func (as *AddressSpace) VMAs() []*VMA { return as.vmas }

// Find returns the VMA containing addr, or nil.
func (as *AddressSpace) Find(addr uint64) *VMA {
	i := sort.Search(len(as.vmas), func(i int) bool { return as.vmas[i].End > addr })
	if i < len(as.vmas) && as.vmas[i].Start <= addr {
		return as.vmas[i]
	}
	return nil
}

// Page returns the frame backing vaddr for an access of the given kind, allocating it
// on first touch and copying it if it is shared copy-on-write and acc is a Store. The
// returned frame may be cached by the caller until Gen changes.
func (as *AddressSpace) Page(vaddr uint64, acc Access) (*Frame, *Fault) {
	vpn := vaddr >> PageShift
	if vaddr < AddrLimit {
		if e, private := as.lookup(vpn); e != nil && e.frame != nil {
			if e.perm&acc.perm() == 0 {
				return nil, &Fault{Addr: vaddr, Access: acc, Kind: Protection}
			}
			if acc != Store || e.shared || (private && e.frame.refs == 1) {
				return e.frame, nil
			}
		}
	}
	return as.fault(vaddr, acc)
}

// fault handles the slow cases of Page: a page not yet present, or a write to a page
// shared copy-on-write.
func (as *AddressSpace) fault(vaddr uint64, acc Access) (*Frame, *Fault) {
	v := as.Find(vaddr)
	if v == nil {
		return nil, &Fault{Addr: vaddr, Access: acc, Kind: Unmapped}
	}
	if v.Perm&acc.perm() == 0 {
		return nil, &Fault{Addr: vaddr, Access: acc, Kind: Protection}
	}
	return as.populate(v, vaddr, acc)
}

// populate makes the page at vaddr, inside v, present and, for a Store, private.
func (as *AddressSpace) populate(v *VMA, vaddr uint64, acc Access) (*Frame, *Fault) {
	e := as.mutable(vaddr>>PageShift, true)
	switch {
	case e.frame == nil:
		f := as.pool.alloc()
		if f == nil {
			return nil, &Fault{Addr: vaddr, Access: acc, Kind: OutOfMemory}
		}
		*e = pte{frame: f, perm: v.Perm, shared: v.Shared}
		as.pool.Work.PagesZeroed++
		as.Stats.PageFaults++
		as.Stats.Resident++
		as.Stats.PeakResident = max(as.Stats.PeakResident, as.Stats.Resident)
	case acc == Store && !e.shared && e.frame.refs > 1:
		f := as.pool.alloc()
		if f == nil {
			return nil, &Fault{Addr: vaddr, Access: acc, Kind: OutOfMemory}
		}
		f.Data = e.frame.Data
		e.frame.refs--
		e.frame = f
		as.Stats.COWCopies++
		as.pool.Work.PagesCopied++
		as.pool.Work.Refs++
		as.Gen++ // translations of this page cached anywhere now point at the old frame
	}
	return e.frame, nil
}

// Map maps [start, start+length) with perm, replacing whatever was there (as MAP_FIXED
// does). start and length must be page-aligned. Shared anonymous memory is allocated at
// once so that a later fork shares the frames rather than each side faulting its own.
func (as *AddressSpace) Map(start, length uint64, perm Perm, shared bool, name string) error {
	if err := as.newVMA(start, length, perm, shared, name); err != nil {
		return err
	}
	if shared {
		for a := start; a < start+length; a += PageSize {
			if _, f := as.fault(a, Load); f != nil {
				as.Unmap(start, length)
				return f
			}
		}
	}
	return nil
}

// split makes addr a VMA boundary if it falls inside one.
func (as *AddressSpace) split(addr uint64) {
	v := as.Find(addr)
	if v == nil || v.Start == addr {
		return
	}
	tail := *v
	tail.Start = addr
	v.End = addr
	i := sort.Search(len(as.vmas), func(i int) bool { return as.vmas[i].Start > addr })
	as.vmas = append(as.vmas, nil)
	copy(as.vmas[i+1:], as.vmas[i:])
	as.vmas[i] = &tail
}

// Unmap removes every mapping in [start, start+length). Unmapping nothing is not an error.
func (as *AddressSpace) Unmap(start, length uint64) {
	end := start + length
	as.split(start)
	as.split(end)
	kept := as.vmas[:0]
	for _, v := range as.vmas {
		if v.Start >= start && v.End <= end {
			continue
		}
		kept = append(kept, v)
	}
	for i := len(kept); i < len(as.vmas); i++ {
		as.vmas[i] = nil
	}
	as.vmas = kept
	as.visit(start>>PageShift, (end+PageMask)>>PageShift, true, func(_ uint64, e *pte) {
		if e.frame != nil {
			as.dropFrame(e.frame)
			*e = pte{}
		}
	})
	as.Gen++
}

func (as *AddressSpace) dropFrame(f *Frame) {
	as.Stats.Resident--
	f.refs--
	as.pool.Work.Refs++
	if f.refs == 0 && !f.external {
		as.pool.inUse--
		as.pool.Work.PagesFreed++
	}
}

// newVMA checks a mapping's range (page-aligned, not empty, below AddrLimit), unmaps
// whatever was there and inserts the new VMA in address order.
func (as *AddressSpace) newVMA(start, length uint64, perm Perm, shared bool, name string) error {
	if start&PageMask != 0 || length&PageMask != 0 || length == 0 || start+length > AddrLimit || start+length < start {
		return errors.New("mm: bad mapping range")
	}
	as.Unmap(start, length)
	v := &VMA{Start: start, End: start + length, Perm: perm, Shared: shared, Name: name}
	i := sort.Search(len(as.vmas), func(i int) bool { return as.vmas[i].Start >= start })
	as.vmas = append(as.vmas, nil)
	copy(as.vmas[i+1:], as.vmas[i:])
	as.vmas[i] = v
	return nil
}

// MapFrames maps the given frames (a file's pages) at start, shared: every address
// space that maps them sees the same memory, and so does the file (mmap(2)
// MAP_SHARED). The mapping replaces whatever was there.
func (as *AddressSpace) MapFrames(start uint64, frames []*Frame, perm Perm, name string) error {
	if err := as.newVMA(start, uint64(len(frames))*PageSize, perm, true, name); err != nil {
		return err
	}
	for j, f := range frames {
		e := as.mutable((start>>PageShift)+uint64(j), true)
		f.refs++
		*e = pte{frame: f, perm: perm, shared: true}
		as.Stats.Resident++
	}
	as.Stats.PeakResident = max(as.Stats.PeakResident, as.Stats.Resident)
	return nil
}

// Protect changes the permissions of [start, start+length), which must be fully mapped
// (ENOMEM otherwise, as mprotect(2) says).
func (as *AddressSpace) Protect(start, length uint64, perm Perm) error {
	end := start + length
	for a := start; a < end; {
		v := as.Find(a)
		if v == nil {
			return errors.New("mm: range not mapped")
		}
		a = v.End
	}
	as.split(start)
	as.split(end)
	for _, v := range as.vmas {
		if v.Start >= start && v.End <= end {
			v.Perm = perm
		}
	}
	as.visit(start>>PageShift, end>>PageShift, true, func(_ uint64, e *pte) {
		if e.frame != nil {
			e.perm = perm
		}
	})
	as.Gen++
	return nil
}

// FindFree returns the highest page-aligned gap of length bytes below MmapBase, or 0.
func (as *AddressSpace) FindFree(length uint64) uint64 {
	top := as.MmapBase
	for i := len(as.vmas) - 1; i >= 0; i-- {
		v := as.vmas[i]
		if v.Start >= top {
			continue
		}
		if v.End <= top && top-v.End >= length {
			return top - length
		}
		top = v.Start
	}
	if top >= length+PageSize { // never hand out page 0
		return top - length
	}
	return 0
}

// SetBrk moves the program break as brk(2) does and returns the new break; on failure
// the break stays where it was and is returned unchanged.
func (as *AddressSpace) SetBrk(addr uint64) uint64 {
	if addr < as.BrkStart || addr >= AddrLimit {
		return as.Brk
	}
	oldEnd := (as.Brk + PageMask) &^ PageMask
	newEnd := (addr + PageMask) &^ PageMask
	switch {
	case newEnd > oldEnd:
		// The heap may not grow into another mapping.
		i := sort.Search(len(as.vmas), func(i int) bool { return as.vmas[i].End > oldEnd })
		if i < len(as.vmas) && as.vmas[i].Start < newEnd {
			return as.Brk
		}
		if as.pool.MaxFrames > 0 && int64((newEnd-oldEnd)>>PageShift) > as.pool.MaxFrames-as.pool.inUse {
			return as.Brk
		}
		if v := as.Find(oldEnd - 1); v != nil && v.End == oldEnd && v.Name == "[heap]" {
			v.End = newEnd
		} else if err := as.Map(oldEnd, newEnd-oldEnd, PermRead|PermWrite, false, "[heap]"); err != nil {
			return as.Brk
		}
	case newEnd < oldEnd:
		as.Unmap(newEnd, oldEnd-newEnd)
	}
	as.Brk = addr
	return as.Brk
}

// Fork returns a copy-on-write copy of as: the page table's root is copied and every
// subtree below it is shared until one side writes to it.
func (as *AddressSpace) Fork() *AddressSpace {
	c := &AddressSpace{
		root:     &node{refs: 1, kids: new([fanout]*node)},
		pool:     as.pool,
		BrkStart: as.BrkStart, Brk: as.Brk, MmapBase: as.MmapBase,
		Stats: Stats{Resident: as.Stats.Resident, PeakResident: as.Stats.Resident},
	}
	if as.root != nil {
		*c.root.kids = *as.root.kids
	}
	as.pool.Work.NodesCopied++
	for _, k := range c.root.kids {
		if k != nil {
			k.refs++
			as.pool.Work.Refs++
		}
	}
	as.pool.Work.VMAsCopied += uint64(len(as.vmas))
	c.vmas = make([]*VMA, len(as.vmas))
	for i, v := range as.vmas {
		cp := *v
		c.vmas[i] = &cp
	}
	as.Gen++ // the parent's writable translations are copy-on-write now
	return c
}

// Release drops every mapping, returning the frames no one else uses to the pool.
func (as *AddressSpace) Release() {
	if as.root != nil {
		as.release(as.root)
	}
	as.root = nil // a released address space maps nothing, and holds no memory
	as.vmas = nil
	as.Stats.Resident = 0
	as.Gen++
}

// Resident counts the pages present in as, and how many of them are shared with
// another address space: a frame that another page-table entry also points at, a page
// in a page-table subtree still shared after fork, or MAP_SHARED memory.
func (as *AddressSpace) Resident() (pages, shared uint64) {
	var walk func(n *node, level int, sharedPath bool)
	walk = func(n *node, level int, sharedPath bool) {
		sharedPath = sharedPath || n.refs > 1
		if level == 0 {
			for i := range n.ptes {
				e := &n.ptes[i]
				if e.frame == nil {
					continue
				}
				pages++
				if sharedPath || e.shared || e.frame.refs > 1 {
					shared++
				}
			}
			return
		}
		for _, k := range n.kids {
			if k != nil {
				walk(k, level-1, sharedPath)
			}
		}
	}
	if as.root != nil {
		walk(as.root, levels-1, false)
	}
	return pages, shared
}
