package mm

import (
	"errors"
	"fmt"
)

// Pool accounts for the host memory that the guest of one kernel causes weft to hold
// (its frames, page-table nodes, VMAs, files and whatever else the kernel charges), so
// that no guest can take more host memory than weft allows.
type Pool struct {
	// Limit caps the bytes in use; 0 means no cap.
	Limit  int64
	frames int64 // frames allocated to address spaces or reserved for files
	used   int64 // bytes: frames*FrameBytes plus everything charged with Charge
	peak   int64 // the most bytes in use at once

	// Work counts what every address space of the pool did, for the kernel's cost
	// model. The kernel, on its one goroutine, reads it before and after each piece
	// of work to charge the task that did it.
	Work Work

	// spaces are the live address spaces drawing on the pool (made by New or Fork,
	// not yet Released), in no particular order: a file truncated under its shared
	// mappings takes its pages back from each (ZapFile).
	spaces []*AddressSpace

	// nextPFN is the frame number the next frame allocated gets (Frame.PFN);
	// offlined holds the frame numbers of frames taken out of use (SoftOffline,
	// Poison, PoisonPFN), each still charged as one frame, until UnpoisonPFN.
	nextPFN  uint64
	offlined map[uint64]bool

	// Reclaim, if set, is asked for room when a charge would take over past its
	// limit (memcg.go): it frees what it can, for as's page fault, and reports
	// whether the charge should be tried again.
	Reclaim func(over *MemCounter, as *AddressSpace) bool
}

// register adds as to the pool's live address spaces.
func (p *Pool) register(as *AddressSpace) {
	as.poolIndex = len(p.spaces)
	p.spaces = append(p.spaces, as)
}

// unregister removes as from the pool's live address spaces.
func (p *Pool) unregister(as *AddressSpace) {
	i := as.poolIndex
	if i < 0 || i >= len(p.spaces) || p.spaces[i] != as {
		return
	}
	last := p.spaces[len(p.spaces)-1]
	p.spaces[i], last.poolIndex = last, i
	p.spaces[len(p.spaces)-1] = nil
	p.spaces = p.spaces[:len(p.spaces)-1]
	as.poolIndex = -1
}

// ZapFile unmaps, from every shared mapping of file in every address space, the pages
// of the file from page first on (truncate(2) shrinking a mapped file: Linux's
// unmap_mapping_range). The mappings stay; touching those pages again raises SIGBUS
// while they lie past the file's end, and maps the file's new page once it has grown.
func (p *Pool) ZapFile(file FilePages, first uint64) {
	for _, as := range p.spaces {
		as.zapFile(file, first)
	}
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
func (p *Pool) InUse() int64 { return p.frames }

// Used reports the bytes in use: frames and the kernel's records charged to the pool.
func (p *Pool) Used() int64 { return p.used }

// Peak reports the most bytes in use at once.
func (p *Pool) Peak() int64 { return p.peak }

// Fits reports whether n more bytes fit under the cap.
func (p *Pool) Fits(n int64) bool { return p.Limit <= 0 || p.used+n <= p.Limit }

// Charge takes n bytes of the cap for a host allocation made for the guest, and reports
// false (taking nothing) if the cap does not allow it.
func (p *Pool) Charge(n int64) bool {
	if !p.Fits(n) {
		return false
	}
	p.used += n
	p.peak = max(p.peak, p.used)
	return true
}

// charge takes n bytes even past the cap. It is for the few allocations that cannot
// fail once an operation has begun, each bounded by a few nodes and checked before.
func (p *Pool) charge(n int64) {
	p.used += n
	p.peak = max(p.peak, p.used)
}

// Uncharge gives back n bytes taken with Charge.
func (p *Pool) Uncharge(n int64) { p.used -= n }

// Reserve takes n frames' worth of the cap for memory that is not in an address space
// (a file's pages), and reports false if the cap does not allow it.
func (p *Pool) Reserve(n int64) bool {
	if !p.Charge(n * FrameBytes) {
		return false
	}
	p.frames += n
	return true
}

// Unreserve gives back n frames taken with Reserve.
func (p *Pool) Unreserve(n int64) {
	p.frames -= n
	p.used -= n * FrameBytes
}

func (p *Pool) alloc() *Frame {
	if !p.Reserve(1) {
		return nil
	}
	if p.nextPFN == 0 {
		p.nextPFN = FirstPFN
	}
	p.nextPFN++
	return &Frame{refs: 1, pfn: p.nextPFN - 1}
}

// FirstPFN is the frame number of the first frame a pool hands out: the first page of
// RAM on QEMU's riscv64 "virt" machine (0x80000000). Frame numbers are handed out in
// order and never reused, so that one names one frame for the life of the kernel.
const FirstPFN = 0x80000

// offline takes f, which no entry maps any more, out of use: its contents go, its
// charge stays until UnpoisonPFN.
func (p *Pool) offline(f *Frame) {
	if p.offlined == nil {
		p.offlined = map[uint64]bool{}
	}
	p.offlined[f.pfn] = true
}

// ErrNotPoisoned is UnpoisonPFN's answer for a frame number that names no frame taken
// out of use.
var ErrNotPoisoned = errors.New("mm: the frame is not poisoned")

// UnpoisonPFN puts the frame numbered pfn, taken out of use by a memory failure or a
// soft offline, back into use (Linux's unpoison_memory, for the hwpoison debugfs
// interface): its charge goes back to the pool.
func (p *Pool) UnpoisonPFN(pfn uint64) error {
	if !p.offlined[pfn] {
		return ErrNotPoisoned
	}
	delete(p.offlined, pfn)
	p.free()
	return nil
}

// ValidPFN reports whether pfn names a frame the pool has handed out (Linux's
// pfn_valid: a page of RAM).
func (p *Pool) ValidPFN(pfn uint64) bool { return pfn >= FirstPFN && pfn < p.nextPFN }

// free returns an allocated frame's memory to the pool.
func (p *Pool) free() { p.Unreserve(1) }

// VMA is one mapped region [Start, End) with uniform permissions.
type VMA struct {
	Start, End uint64
	Perm       Perm
	Shared     bool   // MAP_SHARED: writes are seen by every process that shares it
	Name       string // "[heap]", "[stack]", a file path, or "" for anonymous memory

	// Pager, for a private file mapping, reads a page's first contents when it is
	// first touched, from file offset Off + (page address - Start); nil for memory
	// that starts as zeros.
	Pager Pager
	Off   uint64

	// Locked is set by mlock(2) and friends (VM_LOCKED): see mlock.go.
	Locked bool
	// WipeOnFork (madvise MADV_WIPEONFORK) makes a forked child see the range as
	// new zero-filled memory; DontFork (MADV_DONTFORK) leaves it out of the child.
	WipeOnFork, DontFork bool
	// DontDump (madvise MADV_DONTDUMP) leaves the range out of core dumps.
	DontDump bool
	// Droppable (mmap(2) MAP_DROPPABLE): private anonymous memory whose pages memory
	// pressure may take at any time (Reclaim), reading as zeros afterwards.
	Droppable bool
	// NoMayWrite (Linux's VM_MAYWRITE clear): a shared mapping of a file opened
	// read-only, which mprotect may never make writable.
	NoMayWrite bool
	// GrowsDown (MAP_GROWSDOWN, VM_GROWSDOWN): a fault in the free space just below
	// the mapping extends it down to the faulting page (growStack).
	GrowsDown bool
	// Unreadable: the program asked for no PROT_READ (VM_READ clear). RISC-V pages
	// that may be written or run are readable all the same (Perm has PermRead), but
	// /proc/PID/maps shows what was asked for, as Linux's vm_flags do.
	Unreadable bool

	// Holder, if set, is told of each VMA that maps it as it comes and goes (a
	// System V shared memory segment counts its attachments so; see SetHolder; a
	// file mapped shared counts its mappings so).
	Holder Holder

	// Huge, for a hugetlb mapping (MAP_HUGETLB, a hugetlbfs file: hugetlb.go), is what
	// its huge pages come from; nil for every other mapping.
	Huge *HugeMapping

	// File, for a shared mapping of a file in memory (MapFile), is the file whose own
	// pages the mapping maps, page Off/PageSize at Start: each page is mapped when
	// first touched, and a page wholly past the file's end is a bus error (SIGBUS).
	File FilePages
}

// FilePages is a file whose own pages shared mappings map (mmap(2) MAP_SHARED of a
// tmpfs file): a store through a mapping is what a read of the file sees.
type FilePages interface {
	// FilePage returns the frame of the file's page i, allocating it (and charging
	// the memory cap) if it is a hole, for a load or a store (write); the state says
	// how it may be mapped, or why there is no frame.
	FilePage(i uint64, write bool) (f *Frame, st PageState)
}

// PageState is what FilePages.FilePage says of a page.
type PageState int

const (
	// PageWritable: the frame may be mapped as the VMA allows.
	PageWritable PageState = iota
	// PageReadOnly: the frame may be read, but a store must ask again first: the
	// file system gives the page its blocks at the first write (ext4's
	// page_mkwrite) and has not yet.
	PageReadOnly
	// PagePastEOF: the page lies wholly past the file's end; nothing is allocated.
	PagePastEOF
	// PageNoMemory: the memory cap cannot take the page.
	PageNoMemory
	// PageNoSpace: the file system has no room for the page's blocks.
	PageNoSpace
)

// pageFault is the fault a FilePage state other than a frame gives.
func pageFault(st PageState, vaddr uint64, acc Access) *Fault {
	kind := OutOfMemory
	switch st {
	case PagePastEOF:
		kind = PastEOF
	case PageNoSpace:
		kind = NoSpace
	}
	return &Fault{Addr: vaddr, Access: acc, Kind: kind}
}

// Holder is what a mapping belongs to that must know how many VMAs map it: Hold(+1)
// when one is made (mapped, split off, copied by fork), Hold(-1) when one goes.
type Holder interface{ Hold(delta int) }

// Pager supplies the contents of a private file mapping on demand, so that mapping a
// large file costs nothing until its pages are touched, and then one counted frame
// each.
type Pager interface {
	// ReadPage fills p (one page) from the file at off; bytes past the file's end
	// are zero.
	ReadPage(off uint64, p []byte)
}

// Stats counts memory events of one address space.
type Stats struct {
	PageFaults   uint64 // pages allocated on first touch (minor faults)
	COWCopies    uint64 // frames copied on a write after fork
	Resident     uint64 // pages present now
	PeakResident uint64 // the most pages present at once
}

// MaxMapCount is the most VMAs one address space may have: Linux's default
// vm.max_map_count. Past it, calls that would add a mapping fail with ENOMEM.
const MaxMapCount = 65530

// Errors from the calls that change mappings; the syscalls turn each into ENOMEM.
var (
	ErrBadRange    = errors.New("mm: bad mapping range")
	ErrNotMapped   = errors.New("mm: range not mapped")
	ErrMapCount    = errors.New("mm: too many mappings (vm.max_map_count)")
	ErrOutOfMemory = errors.New("mm: out of memory")
)

// AddressSpace is the memory of one process.
type AddressSpace struct {
	root *node
	vmas vmaTree
	pool *Pool

	// Gen changes whenever a translation that a hart may have cached stops being
	// valid (unmap, protect, fork making pages copy-on-write). Harts compare it before
	// running and flush their TLBs when it moved.
	Gen uint64

	BrkStart, Brk uint64 // program break: [BrkStart, Brk) is the heap
	MmapBase      uint64 // mmap allocates top-down below this address
	// LockFuture (mlockall(MCL_FUTURE)) locks each new mapping as it is made.
	LockFuture bool
	// LockFutureOnFault (with MCL_ONFAULT) leaves those mappings' pages to be made
	// present when touched.
	LockFutureOnFault bool
	// StackLimit is RLIMIT_STACK's soft limit, which the kernel keeps here: a
	// MAP_GROWSDOWN mapping may not grow larger (0: no limit).
	StackLimit uint64

	Stats Stats

	// Memcg is the memory cgroup counter that the frames as allocates are charged
	// to (nil: none); the kernel sets it (memcg.go).
	Memcg *MemCounter

	poolIndex int // where as is in pool.spaces
}

// New returns an empty address space drawing frames from pool.
func New(pool *Pool) *AddressSpace {
	as := &AddressSpace{pool: pool}
	as.root = as.newNode(levels - 1)
	pool.Work.NodesAllocated++
	pool.register(as)
	return as
}

// VMAs returns the mappings in address order. It builds a new slice each time (O(n)):
// it is for reports such as /proc/PID/maps, not for hot paths. The caller must not
// modify the VMAs.
func (as *AddressSpace) VMAs() []*VMA { return as.vmas.all() }

// MapCount reports how many VMAs as has.
func (as *AddressSpace) MapCount() int { return as.vmas.count }

// Mapped reports the bytes that as's VMAs cover.
func (as *AddressSpace) Mapped() uint64 { return as.vmas.mapped }

// Find returns the VMA containing addr, or nil.
func (as *AddressSpace) Find(addr uint64) *VMA { return as.vmas.find(addr) }

// Overlaps reports whether any mapping overlaps [start, start+length).
func (as *AddressSpace) Overlaps(start, length uint64) bool {
	v := as.vmas.ceil(start)
	return v != nil && v.Start < start+length
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
			if acc != Store || !e.mkwrite && (e.shared || (private && e.frame.refs == 1 && !e.lazy && !e.cow)) {
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
		if v = as.growStack(vaddr); v == nil {
			return nil, &Fault{Addr: vaddr, Access: acc, Kind: Unmapped}
		}
	}
	if v.Perm&acc.perm() == 0 {
		return nil, &Fault{Addr: vaddr, Access: acc, Kind: Protection}
	}
	if v.Huge != nil {
		return as.populateHuge(v, vaddr, acc)
	}
	return as.populate(v, vaddr, acc)
}

// populate makes the page at vaddr, inside v, present and, for a Store, private.
func (as *AddressSpace) populate(v *VMA, vaddr uint64, acc Access) (*Frame, *Fault) {
	if e, _ := as.lookup(vaddr >> PageShift); e != nil && e.marker != 0 {
		return nil, &Fault{Addr: vaddr, Access: acc, Kind: e.marker.fault()}
	}
	// The walk below may create or copy a node on each level under the root, and then
	// take a frame: make sure all of it fits before changing anything.
	if v.File != nil {
		e, _ := as.lookup(vaddr >> PageShift)
		if e == nil || e.frame == nil {
			return as.populateFile(v, vaddr, acc)
		}
		if e.mkwrite && acc == Store {
			return as.mkwrite(v, vaddr, acc)
		}
	}
	// The memory cgroup is charged first: making room there may unmap pages of as
	// itself (Reclaim), which the walk below must see.
	var memcg *MemCounter
	if as.Memcg != nil && as.needsFrame(vaddr>>PageShift, acc) {
		if !as.chargePage() {
			return nil, &Fault{Addr: vaddr, Access: acc, Kind: CgroupOOM}
		}
		memcg = as.Memcg
	}
	if !as.pool.Fits(as.pathCost(vaddr>>PageShift) + FrameBytes) {
		memcg.uncharge()
		return nil, &Fault{Addr: vaddr, Access: acc, Kind: OutOfMemory}
	}
	e := as.mutable(vaddr>>PageShift, true)
	if acc == Store {
		e.lazy = false // written since MADV_FREE: no longer free to drop
	}
	switch {
	case e.frame == nil:
		f := as.pool.alloc()
		if f == nil {
			memcg.uncharge()
			return nil, &Fault{Addr: vaddr, Access: acc, Kind: OutOfMemory}
		}
		f.memcg = memcg
		if v.Pager != nil {
			v.Pager.ReadPage(v.Off+(vaddr&^PageMask-v.Start), f.Data[:])
		}
		*e = pte{frame: f, perm: v.Perm, shared: v.Shared}
		as.pool.Work.PagesZeroed++
		as.Stats.PageFaults++
		as.Stats.Resident++
		as.Stats.PeakResident = max(as.Stats.PeakResident, as.Stats.Resident)
	case acc == Store && !e.shared && e.frame.refs > 1:
		f := as.pool.alloc()
		if f == nil {
			memcg.uncharge()
			return nil, &Fault{Addr: vaddr, Access: acc, Kind: OutOfMemory}
		}
		f.memcg = memcg
		f.Data = e.frame.Data
		f.copied = true
		e.frame.refs--
		e.frame = f
		as.Stats.COWCopies++
		as.pool.Work.PagesCopied++
		as.pool.Work.Refs++
		as.Gen++ // translations of this page cached anywhere now point at the old frame
	default:
		memcg.uncharge() // needsFrame foresaw an allocation the walk did not need
	}
	return e.frame, nil
}

// SetGrowsDown marks the mappings in [start, start+length) MAP_GROWSDOWN (growStack),
// which also keeps mmap's choice of addresses StackGuardGap below them.
func (as *AddressSpace) SetGrowsDown(start, length uint64) error {
	end := start + length
	if err := as.splitAround(start, end); err != nil {
		return err
	}
	var vs []*VMA
	as.vmas.overlapping(start, end, func(v *VMA) { vs = append(vs, v) })
	for _, v := range vs {
		as.vmas.remove(v) // gapStart changes: the tree's summaries with it
		v.GrowsDown = true
		as.vmas.insert(v)
	}
	return nil
}

// StackGuardGap is the free space a growing stack mapping keeps above the mapping
// below it (Linux's stack_guard_gap: 256 pages).
const StackGuardGap = 256 * PageSize

// growStack extends the MAP_GROWSDOWN mapping just above vaddr, if there is one, down
// to vaddr's page, and returns it; nil if there is none or it may not grow so far: it
// would come within StackGuardGap of the mapping below (unless that one grows down
// too, or is PROT_NONE), or pass StackLimit (Linux's expand_downwards and
// acct_stack_growth).
func (as *AddressSpace) growStack(vaddr uint64) *VMA {
	v := as.vmas.ceil(vaddr)
	if v == nil || !v.GrowsDown || vaddr >= v.Start || vaddr < PageSize {
		return nil
	}
	start := vaddr &^ PageMask
	if as.StackLimit != 0 && v.End-start > as.StackLimit {
		return nil
	}
	var prev *VMA // the mapping just below v, if it ends within the gap
	as.vmas.overlapping(sub(start, StackGuardGap), start, func(w *VMA) { prev = w })
	if prev != nil && !prev.GrowsDown && prev.Perm != 0 {
		return nil
	}
	as.resize(v, start, v.End)
	return v
}

// mkwrite is the first store to a shared file page mapped for reading only (pte
// mkwrite): the file gives the page what a write needs, or the store is a bus error.
func (as *AddressSpace) mkwrite(v *VMA, vaddr uint64, acc Access) (*Frame, *Fault) {
	vpn := vaddr >> PageShift
	if !as.pool.Fits(as.pathCost(vpn)) {
		return nil, &Fault{Addr: vaddr, Access: acc, Kind: OutOfMemory}
	}
	f, st := v.File.FilePage((v.Off+(vaddr&^PageMask-v.Start))>>PageShift, true)
	if st != PageWritable {
		return nil, pageFault(st, vaddr, acc)
	}
	e := as.mutable(vpn, true)
	if f != e.frame {
		panic(fmt.Sprintf("mm: a shared file page at %#x is frame %p, the file's is %p", vaddr, e.frame, f))
	}
	e.mkwrite = false
	return e.frame, nil
}

// populateFile maps the file's page for vaddr, inside v, a shared file mapping: a bus
// error if the page lies wholly past the file's end (mmap(2): "An attempt to access a
// page of the buffer beyond the end of the mapped file results in SIGBUS").
func (as *AddressSpace) populateFile(v *VMA, vaddr uint64, acc Access) (*Frame, *Fault) {
	vpn := vaddr >> PageShift
	if !as.pool.Fits(as.pathCost(vpn)) {
		return nil, &Fault{Addr: vaddr, Access: acc, Kind: OutOfMemory}
	}
	f, st := v.File.FilePage((v.Off+(vaddr&^PageMask-v.Start))>>PageShift, acc == Store)
	if st != PageWritable && st != PageReadOnly {
		return nil, pageFault(st, vaddr, acc)
	}
	e := as.mutable(vpn, true)
	f.refs++
	*e = pte{frame: f, perm: v.Perm, shared: true, mkwrite: st == PageReadOnly}
	as.pool.Work.Refs++
	as.Stats.PageFaults++
	as.Stats.Resident++
	as.Stats.PeakResident = max(as.Stats.PeakResident, as.Stats.Resident)
	return f, nil
}

// MapFile maps file's pages from page off/PageSize on at [start, start+length),
// shared, replacing whatever was there: each page is mapped when first touched
// (mmap(2) MAP_SHARED of a file in memory). off must be page-aligned. The file is
// the VMA's Holder too, if it is one, so that it knows whether it is mapped.
func (as *AddressSpace) MapFile(start, length uint64, perm Perm, name string, file FilePages, off uint64) error {
	h, _ := file.(Holder)
	return as.insertVMA(&VMA{Start: start, End: start + length, Perm: perm, Shared: true, Name: name, File: file, Off: off, Holder: h})
}

// zapFile unmaps the pages of file from page first on from as's shared mappings of it.
func (as *AddressSpace) zapFile(file FilePages, first uint64) {
	zapped := false
	for _, v := range as.vmas.all() {
		if v.File != file {
			continue
		}
		lo := v.Start
		if fp := v.Off >> PageShift; fp < first {
			lo = v.Start + (first-fp)<<PageShift
		}
		if lo < v.Start || lo >= v.End { // (the shift above may wrap)
			continue
		}
		as.clear(lo>>PageShift, v.End>>PageShift)
		zapped = true
	}
	if zapped {
		as.Gen++
	}
}

// Map maps [start, start+length) with perm, replacing whatever was there (as MAP_FIXED
// does). start and length must be page-aligned. Shared anonymous memory is allocated at
// once so that a later fork shares the frames rather than each side faulting its own.
func (as *AddressSpace) Map(start, length uint64, perm Perm, shared bool, name string) error {
	if err := as.newVMA(start, length, perm, shared, name); err != nil {
		return err
	}
	if shared {
		// Allocated whatever the protection: a PROT_NONE mapping made accessible by
		// a later mprotect must still be the memory a fork shares.
		v := as.Find(start)
		for a := start; a < start+length; a += PageSize {
			if _, f := as.populate(v, a, Load); f != nil {
				as.Unmap(start, length)
				return f
			}
		}
	}
	return nil
}

// addVMA inserts v, charging the pool for it.
func (as *AddressSpace) addVMA(v *VMA) error {
	if as.vmas.count >= MaxMapCount {
		return ErrMapCount
	}
	if !as.pool.Charge(vmaCost(v)) {
		return ErrOutOfMemory
	}
	as.vmas.insert(v)
	if v.Holder != nil {
		v.Holder.Hold(1)
	}
	return nil
}

// dropVMA removes v and gives its cost back.
func (as *AddressSpace) dropVMA(v *VMA) {
	as.vmas.remove(v)
	as.pool.Uncharge(vmaCost(v))
	vmaGone(v)
}

// vmaGone tells what v maps that v is gone: its holder, and the huge page pool, of
// the reservations a private hugetlb mapping did not use there.
func vmaGone(v *VMA) {
	if v.Holder != nil {
		v.Holder.Hold(-1)
	}
	if v.Huge != nil && v.Huge.File == nil {
		v.Huge.release(v.Start, v.End)
	}
}

// resize changes v's bounds, keeping the tree ordered.
func (as *AddressSpace) resize(v *VMA, start, end uint64) {
	as.vmas.remove(v)
	v.Start, v.End = start, end
	as.vmas.insert(v)
}

// MapPaged maps [start, start+length) privately with contents that pager supplies on
// first touch, from file offset off on (mmap(2) MAP_PRIVATE of a file).
func (as *AddressSpace) MapPaged(start, length uint64, perm Perm, name string, pager Pager, off uint64) error {
	return as.insertVMA(&VMA{Start: start, End: start + length, Perm: perm, Name: name, Pager: pager, Off: off})
}

// split makes addr a VMA boundary if it falls inside one.
func (as *AddressSpace) split(addr uint64) error {
	v := as.Find(addr)
	if v == nil || v.Start == addr {
		return nil
	}
	if v.Huge != nil && addr&HugeMask != 0 {
		return ErrHugeAlign
	}
	tail := *v
	tail.Start = addr
	tail.Off += addr - v.Start
	if as.vmas.count >= MaxMapCount {
		return ErrMapCount
	}
	if !as.pool.Charge(vmaCost(&tail)) {
		return ErrOutOfMemory
	}
	as.resize(v, v.Start, addr)
	as.vmas.insert(&tail)
	if tail.Holder != nil {
		tail.Holder.Hold(1)
	}
	return nil
}

// splitAround makes start and end VMA boundaries.
func (as *AddressSpace) splitAround(start, end uint64) error {
	if err := as.split(start); err != nil {
		return err
	}
	return as.split(end)
}

// Unmap removes every mapping in [start, start+length). Unmapping nothing is not an
// error; it fails (changing nothing) only when splitting a mapping would pass
// MaxMapCount or the memory cap, as munmap(2) fails with ENOMEM.
func (as *AddressSpace) Unmap(start, length uint64) error {
	end := start + length
	if err := as.CheckHugeSplit(start, end); err != nil {
		return err
	}
	if err := as.splitAround(start, end); err != nil {
		return err
	}
	var gone []*VMA
	as.vmas.overlapping(start, end, func(v *VMA) { gone = append(gone, v) })
	for _, v := range gone {
		as.dropVMA(v)
	}
	as.clear(start>>PageShift, (end+PageMask)>>PageShift)
	as.Gen++
	return nil
}

func (as *AddressSpace) dropFrame(f *Frame) {
	as.Stats.Resident--
	f.refs--
	as.pool.Work.Refs++
	if f.refs == 0 {
		as.lastRef(f)
	}
}

// lastRef lets go of a frame no entry points at any more: a pool frame goes back to
// the pool; a huge page's frame may be the last of its page (hugetlb.go); a file's
// frame stays with the file.
func (as *AddressSpace) lastRef(f *Frame) {
	switch {
	case f.huge != nil:
		f.huge.unmapped()
	case !f.external:
		as.freeFrame(f)
	}
}

// newVMA checks a mapping's range (page-aligned, not empty, below AddrLimit), unmaps
// whatever was there and inserts the new VMA in address order.
func (as *AddressSpace) newVMA(start, length uint64, perm Perm, shared bool, name string) error {
	return as.insertVMA(&VMA{Start: start, End: start + length, Perm: perm, Shared: shared, Name: name})
}

// insertVMA is newVMA for a VMA the caller filled in.
func (as *AddressSpace) insertVMA(v *VMA) error {
	start, length := v.Start, v.End-v.Start
	if start&PageMask != 0 || length&PageMask != 0 || v.End <= start || v.End > AddrLimit {
		return ErrBadRange
	}
	v.Locked = v.Locked || as.LockFuture
	if !as.pool.Fits(vmaCost(v) + 2*vmaBytes) {
		return ErrOutOfMemory
	}
	if err := as.Unmap(start, length); err != nil {
		return err
	}
	// Like Linux's vma_merge, anonymous private memory joins a neighbour with the same
	// permissions, so that a program mapping page after page holds one VMA, not
	// thousands, and does not run into MaxMapCount.
	mergeable := func(w *VMA) bool {
		return w != nil && !v.Shared && !w.Shared && v.Huge == nil && w.Huge == nil && v.Name == "" && w.Name == "" && v.Pager == nil && w.Pager == nil && w.Perm == v.Perm && w.Locked == v.Locked &&
			w.WipeOnFork == v.WipeOnFork && w.DontFork == v.DontFork && w.GrowsDown == v.GrowsDown && w.DontDump == v.DontDump && w.NoMayWrite == v.NoMayWrite && w.Unreadable == v.Unreadable && w.Droppable == v.Droppable
	}
	prev, next := as.Find(start-1), as.Find(start+length)
	switch {
	case start > 0 && mergeable(prev) && mergeable(next):
		end := next.End
		as.dropVMA(next)
		as.resize(prev, prev.Start, end)
	case start > 0 && mergeable(prev):
		as.resize(prev, prev.Start, start+length)
	case mergeable(next):
		as.resize(next, start, next.End)
	default:
		return as.addVMA(v)
	}
	return nil
}

// MapFrames maps the given frames (a file's pages) at start, shared: every address
// space that maps them sees the same memory, and so does the file (mmap(2)
// MAP_SHARED). The mapping replaces whatever was there.
func (as *AddressSpace) MapFrames(start uint64, frames []*Frame, perm Perm, name string) error {
	n := uint64(len(frames))
	if !as.pool.Fits(tableBytes(n)) {
		return ErrOutOfMemory
	}
	if err := as.newVMA(start, n*PageSize, perm, true, name); err != nil {
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
			return ErrNotMapped
		}
		a = v.End
	}
	if err := as.CheckHugeSplit(start, end); err != nil {
		return err
	}
	lo, hi := start>>PageShift, end>>PageShift
	if !as.pool.Fits(as.copyCost(lo, hi) + 2*vmaBytes) {
		return ErrOutOfMemory
	}
	if err := as.splitAround(start, end); err != nil {
		return err
	}
	as.vmas.overlapping(start, end, func(v *VMA) { v.Perm = perm })
	as.visit(lo, hi, true, func(_ uint64, e *pte) {
		if e.frame != nil {
			e.perm = perm
		}
	})
	as.Gen++
	return nil
}

// UserTop is the end of user space (TASK_SIZE of Sv48: the lower half of the
// addresses), and UnmappedBase where mmap's bottom-up search starts (Linux's
// TASK_UNMAPPED_BASE, a third of it).
const (
	UserTop      = AddrLimit / 2
	UnmappedBase = (UserTop/3 + PageMask) &^ PageMask
)

// FindFree returns the highest page-aligned gap of length bytes below MmapBase or,
// when there is none, the lowest between UnmappedBase and UserTop (as Linux's
// top-down search falls back to a bottom-up one, up to the whole Sv48 space); 0 if
// there is none. Page 0 is never handed out.
func (as *AddressSpace) FindFree(length uint64) uint64 {
	if a := as.vmas.highestFree(length, PageSize, as.MmapBase); a != 0 {
		return a
	}
	return as.vmas.lowestFree(length, max(UnmappedBase, as.MmapBase), UserTop)
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
		if as.Overlaps(oldEnd, newEnd-oldEnd) {
			return as.Brk
		}
		if !as.pool.Fits(int64(newEnd - oldEnd)) {
			return as.Brk
		}
		if v := as.Find(oldEnd - 1); v != nil && v.End == oldEnd && v.Name == "[heap]" {
			as.resize(v, v.Start, newEnd)
		} else if err := as.Map(oldEnd, newEnd-oldEnd, PermRead|PermWrite, false, "[heap]"); err != nil {
			return as.Brk
		}
	case newEnd < oldEnd:
		if as.Unmap(newEnd, oldEnd-newEnd) != nil {
			return as.Brk
		}
	}
	as.Brk = addr
	return as.Brk
}

// Fork returns a copy-on-write copy of as: the page table's root is copied and every
// subtree below it is shared until one side writes to it. The VMAs are copied (as Linux's
// dup_mmap does). It fails if the copy does not fit under the memory cap.
func (as *AddressSpace) Fork() (*AddressSpace, error) {
	if !as.pool.Charge(as.vmas.cost()) {
		return nil, ErrOutOfMemory
	}
	if !as.pool.Fits(interiorBytes) {
		as.pool.Uncharge(as.vmas.cost())
		return nil, ErrOutOfMemory
	}
	c := &AddressSpace{
		poolIndex: -1,
		pool:      as.pool,
		vmas:      as.vmas.clone(),
		BrkStart:  as.BrkStart, Brk: as.Brk, MmapBase: as.MmapBase, StackLimit: as.StackLimit,
		Memcg: as.Memcg,
		Stats: Stats{Resident: as.Stats.Resident, PeakResident: as.Stats.Resident},
	}
	c.root = as.newNode(levels - 1)
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
	// mlock(2): memory locks are not inherited by a child created by fork; what
	// the mappings belong to learns of the child's copies.
	for _, v := range c.vmas.all() {
		v.Locked = false
		if v.Holder != nil {
			v.Holder.Hold(1)
		}
		if v.Huge != nil {
			v.Huge = v.Huge.childCopy() // a private one's reservations stay the parent's
		}
	}
	// madvise(2): a MADV_DONTFORK range is not in the child at all, and a
	// MADV_WIPEONFORK one is there but reads as zeros.
	for _, v := range c.vmas.all() {
		switch {
		case v.DontFork:
			c.clear(v.Start>>PageShift, v.End>>PageShift)
			c.dropVMA(v)
		case v.WipeOnFork:
			c.clear(v.Start>>PageShift, v.End>>PageShift)
		}
	}
	as.pool.Work.VMAsCopied += uint64(as.vmas.count)
	as.pool.register(c)
	as.Gen++ // the parent's writable translations are copy-on-write now
	return c, nil
}

// Release drops every mapping, returning the frames no one else uses to the pool.
func (as *AddressSpace) Release() {
	if as.root != nil {
		as.release(as.root, levels-1)
	}
	as.root = nil // a released address space maps nothing, and holds no memory
	as.pool.Uncharge(as.vmas.cost())
	for _, v := range as.vmas.all() {
		vmaGone(v)
	}
	as.vmas = vmaTree{}
	as.Stats.Resident = 0
	as.pool.unregister(as)
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

// EachPage calls fn for every page present in as, in address order, with its frame
// and whether another address space or page-table entry may see the same frame (it
// lies below a page-table node shared since fork, or the frame has several entries).
// For tools that show memory (weft view); it does not change anything.
func (as *AddressSpace) EachPage(fn func(vaddr uint64, f *Frame, shared bool)) {
	var walk func(n *node, level int, base uint64, sharedPath bool)
	walk = func(n *node, level int, base uint64, sharedPath bool) {
		sharedPath = sharedPath || n.refs > 1
		shift := PageShift + levelBits*level
		if level == 0 {
			for i := range n.ptes {
				if e := &n.ptes[i]; e.frame != nil {
					fn(base|uint64(i)<<PageShift, e.frame, sharedPath || e.shared || e.frame.refs > 1)
				}
			}
			return
		}
		for i, k := range n.kids {
			if k != nil {
				walk(k, level-1, base|uint64(i)<<shift, sharedPath)
			}
		}
	}
	if as.root != nil {
		walk(as.root, levels-1, 0, false)
	}
}

// Refs reports how many page-table entries point at f.
func (f *Frame) Refs() int { return int(f.refs) }
