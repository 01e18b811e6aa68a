// Package cpu implements one RISC-V hart (RV64GC, user mode): registers, software TLBs
// and the execution engines that run its instructions (engine.go): the block engine,
// the compiler engine (amd64) and the reference interpreter, which give identical
// results.
//
// cpu knows nothing of an operating system. The kernel loads a task's registers and
// address space into a Hart and calls Run with a budget of instructions; Run returns a
// Stop when something needs the kernel: an ecall, a fault, an illegal instruction, or the
// budget spent. The kernel never reaches inside the loop and the loop never calls the
// kernel.
//
// Harts of one kernel share a Bus so that an LR/SC reservation held by one hart is
// broken by another hart's store to the same address. All harts run on the kernel's one
// simulation goroutine; nothing here is safe for concurrent use.
package cpu

import (
	"encoding/binary"

	"weft/internal/mm"
)

// StopReason says why Run returned.
type StopReason uint8

const (
	StopBudget     StopReason = iota // the instruction budget is spent
	StopEcall                        // ecall at PC; the kernel resumes at PC+4
	StopEbreak                       // ebreak at PC
	StopIllegal                      // illegal or unsupported instruction at PC
	StopFault                        // memory access fault at PC (see Fault)
	StopMisaligned                   // misaligned atomic access at PC (see Fault.Addr)
	// StopSync: a scheduling point (Hart.SyncPoints) at PC, not yet executed: an AMO,
	// an LR or a fence, with Addr the address an AMO or LR would access.
	StopSync
	// StopCall: the hart is about to execute the instruction at PC, one of
	// Hart.CallPoints (a function's entry, or a return address a checker waits for),
	// reached by a jump or at the start of a run.
	StopCall
)

func (r StopReason) String() string {
	return [...]string{"budget", "ecall", "ebreak", "illegal instruction", "fault", "misaligned", "sync", "call"}[r]
}

// Stop describes why and where a hart stopped.
type Stop struct {
	Reason StopReason
	PC     uint64   // the instruction that stopped the hart (not retired)
	Insn   uint32   // StopIllegal: the instruction bits
	Fault  mm.Fault // StopFault, StopMisaligned: the failing access
	Addr   uint64   // StopSync: the address of the access (0 for a fence)
	Write  bool     // StopSync: the access writes (an AMO, a store)
	Plain  bool     // StopSync: at a plain load or store (MemPoints), not an atomic
	Size   uint8    // StopSync at a plain access: its size in bytes
	// Fenced: the plain access is next to a fence (fence then store, or load then
	// fence): how compilers emit C11's acquire, release and seq_cst loads and stores
	// on RISC-V, so most likely an atomic access, not a plain one.
	Fenced bool
}

// Context is the architectural state of one thread: what a context switch saves.
type Context struct {
	X    [32]uint64 // X[0] is always zero
	F    [32]uint64 // float registers, single values NaN-boxed
	PC   uint64
	FCSR uint32 // frm in bits 7:5, fflags in bits 4:0
}

const (
	tlbSize  = 8192
	itlbSize = 64
	zeroReg  = 32 // writes to x0 land here
)

// A TLB entry's key is the page number tagged with its set's epoch (above the page
// number's 36 bits), so that flushing a set is one increment of its epoch.
type tlbEntry struct {
	key   uint64
	frame *mm.Frame
}

type itlbEntry struct {
	key uint64
	dp  *decodedPage
}

const (
	epochShift = mm.AddrBits - mm.PageShift // page numbers fit below this bit
	maxEpoch   = 1 << (63 - epochShift)
	// hiddenKey, above every epoch, marks an entry the fast paths must not match: a
	// page a debugger watches (Hart.DebugWatch, HideWatched).
	hiddenKey = 1 << 63
)

// tlbSets is how many address spaces' translations a hart keeps.
const tlbSets = 4

// tlbSet is the translations cached for one address space.
type tlbSet struct {
	mem   *mm.AddressSpace
	gen   uint64 // mem.Gen when the entries were valid
	used  uint64 // when the hart last switched to it, for LRU replacement
	epoch uint64 // entries of other epochs are stale
	tag   uint64 // epoch << epochShift: a valid entry's key is vpn^tag
	// The write TLB has an epoch of its own, so that it can be flushed alone: it must
	// never hold a frame with decoded code or one that another hart has reserved (so
	// that the store fast path is one probe and never looks at the frame), and both
	// can change while the read translations stay good.
	wepoch uint64
	wtag   uint64
	// held is the last page whose store found it reserved by another hart (key
	// vpn^tag, its frame): kept off the write TLB, stores to it still need no walk
	// while the read translations stay good.
	heldKey   uint64
	heldFrame *mm.Frame
	// link changes whenever any entry of the set may have gone stale; engines that
	// cache translations of their own (chained blocks) compare it. It is unique across
	// the sets of a bus.
	link uint64
	bus  *Bus
	// owner is the hart the set belongs to, which counts its flushes; live counts
	// the entries filled since the last flush (what the next flush throws away).
	owner *Hart
	live  uint64
	// jc is the block engine's jump cache (nil for other engines); entries of other
	// links are stale.
	jc   *[jcSize]jcEntry
	rtlb [tlbSize]tlbEntry
	wtlb [tlbSize]tlbEntry
	itlb [itlbSize]itlbEntry
}

// flush invalidates every entry by moving to a new epoch; only when the epochs run out
// does it clear the arrays.
func (s *tlbSet) flush() {
	s.owner.TLBFlushes++
	s.owner.events++
	s.owner.TLBEntriesFlushed += s.live
	s.live = 0
	s.heldKey, s.heldFrame = 0, nil
	s.epoch++
	if s.epoch >= maxEpoch || s.epoch == 1 {
		for i := range s.rtlb {
			s.rtlb[i] = tlbEntry{}
		}
		for i := range s.itlb {
			s.itlb[i] = itlbEntry{}
		}
		s.epoch = 1
	}
	s.tag = s.epoch << epochShift
	s.flushWrites()
	s.bus.links++
	s.link = s.bus.links
	if s.mem != nil {
		s.gen = s.mem.Gen
	}
}

// flushWrites invalidates the write TLB alone.
func (s *tlbSet) flushWrites() {
	s.wepoch++
	if s.wepoch >= maxEpoch || s.wepoch == 1 {
		for i := range s.wtlb {
			s.wtlb[i] = tlbEntry{}
		}
		s.wepoch = 1
	}
	s.wtag = s.wepoch << epochShift
}

// key is the tag a valid entry for page vpn carries.
func (s *tlbSet) key(vpn uint64) uint64 { return vpn ^ s.tag }

// filled notes a miss refilled into a slot whose old key was old, in a TLB whose
// current epoch is epoch: the slot holds one more live entry unless it held one of this
// epoch already.
func (h *Hart) filled(old, epoch uint64) {
	h.TLBMisses++
	h.events++
	if (old&^hiddenKey)>>epochShift != epoch {
		h.tlb.live++
	}
}

// Bus connects the harts of one machine.
type Bus struct {
	harts []*Hart
	// holders counts the harts that hold an LR reservation.
	holders int
	// links numbers the flushes of every TLB set on the bus (tlbSet.link).
	links uint64
	// code holds the decoded code of every hart on the bus.
	code codeCache
	// Engine executes the harts' instructions; nil means DefaultEngine. Set it before
	// the first NewHart.
	Engine Engine
	// Profile, when not nil, counts the instructions retired by address, for a guest
	// profile. The block engine counts each block at its first instruction's address
	// (a block never spans a call or a return); the interpreter does not count.
	Profile map[uint64]uint64
}

// Bus returns the bus the hart is on.
func (h *Hart) Bus() *Bus { return h.bus }

// flushWrites drops every write translation of every hart on the bus: a frame just
// got decoded code, or a reservation, and may sit in any of them.
func (b *Bus) flushWrites(except *Hart) {
	for _, h := range b.harts {
		if h == except {
			continue
		}
		for _, s := range h.sets {
			if s != nil {
				s.flushWrites()
			}
		}
	}
}

// relink gives every TLB set of the bus a new link (tlbSet.link).
func (b *Bus) relink() {
	for _, h := range b.harts {
		for _, s := range h.sets {
			if s != nil {
				b.links++
				s.link = b.links
			}
		}
	}
}

// NewHart adds a hart to the bus.
func (b *Bus) NewHart() *Hart {
	if b.Engine == nil {
		b.Engine = DefaultEngine
	}
	b.code.bus = b
	h := &Hart{bus: b}
	h.exec = b.Engine.newExecutor(h)
	h.tlb = &tlbSet{bus: b, owner: h}
	h.tlb.flush()
	h.TLBFlushes = 0 // a new hart's TLB starts empty: nothing was flushed
	h.sets[0] = h.tlb
	b.harts = append(b.harts, h)
	return h
}

// Hart is one RISC-V hardware thread.
type Hart struct {
	x      [256]uint64 // x[0..31] are the registers; x[32] absorbs writes to x0
	f      [32]uint64
	pc     uint64
	fflags uint8
	frm    uint8

	mem *mm.AddressSpace
	// tlb holds the translations of mem; sets keeps those of the address spaces the
	// hart ran most recently, so that switching back to a process does not start with
	// empty TLBs (as ASIDs spare a real CPU's TLB).
	tlb   *tlbSet
	sets  [tlbSets]*tlbSet
	stamp uint64

	// The LR/SC reservation: a frame and offset, so that it works across processes
	// that share memory.
	resFrame *mm.Frame
	resOff   uint64
	// watching is set while another hart holds a reservation: stores that miss the
	// write TLB then check whether they break it. A reserved frame is never in another
	// hart's write TLB (setReservation flushes them), so stores to it always miss.
	watching bool

	bus  *Bus
	exec executor

	// Retired counts the instructions this hart has retired.
	Retired uint64

	// NoASID makes the hart keep the translations of one address space only, and
	// flush them whenever it switches to another (a CPU without ASIDs, or a kernel that
	// does not use them). Without it the hart keeps the TLBs of the last tlbSets
	// address spaces it ran, tagged as ASIDs tag a real TLB's entries.
	NoASID bool
	// TLBMisses counts translations the hart looked up in the page table because its
	// TLBs did not hold them (data and instruction); TLBFlushes counts flushes of a
	// TLB set, and TLBEntriesFlushed the live entries those flushes threw away.
	TLBMisses, TLBFlushes, TLBEntriesFlushed uint64
	// ASSwitches counts the times the hart changed address space (a satp write).
	ASSwitches uint64
	// SyncPoints makes the hart stop (StopSync) before each AMO, LR and fence, so that
	// the kernel can decide there who runs next (schedule search). Off, it costs one
	// test per atomic instruction and nothing elsewhere.
	SyncPoints bool
	// PassPoint says that the instruction at which the next run starts was already
	// stopped at (StopSync): the run executes it instead of stopping there again.
	PassPoint bool
	// MemPoints makes the interpreter (not the block engine) stop as well before each
	// load and store whose base register is not sp: an access that may be to
	// memory shared with other threads, where a preemption can split a read-modify-write
	// of plain code. Off, it costs the interpreter one test per load and store.
	MemPoints bool
	// CallPoints makes the interpreter (not the block engine) stop (StopCall) before
	// executing an instruction at one of these pcs when a taken jump or branch reaches
	// it, or a run starts at it (unless PassPoint says the run starts past that stop).
	// The caller may change the set between runs. Nil costs one test per taken jump.
	CallPoints map[uint64]bool
	// callPass is the pc at which this run starts past its call point (PassPoint).
	callPass uint64
	// syncPass is the address of the one instruction of this run allowed past its
	// scheduling point (the run's first, with PassPoint); ^0 when none or once used.
	syncPass uint64
	// Breaks, if not nil, are a debugger's breakpoints, sorted: a run ends, with
	// StopBudget and less than its budget retired, before an instruction at one of
	// them (its first instruction excepted), so that the debugger sees the guest there
	// and nowhere else. The block engine looks for them once per block it enters.
	Breaks []uint64
	// DebugWatch, if not nil, is asked on each data TLB miss whether a debugger
	// watches the page of addr for the access acc. The hart never caches a watched
	// page's translation, so every access to it asks again; it stops before one the
	// function does not pass, with StopFault and a Fault of Kind mm.Watched.
	DebugWatch func(addr uint64, acc mm.Access) (watched, pass bool)
	// TimeBase is the virtual time in nanoseconds at the start of the next Run; the
	// time CSR reads it (advanced by one nanosecond per instruction) at 10 MHz, the
	// usual timebase of RISC-V Linux systems.
	TimeBase uint64

	// events counts what Lockstep must look at after a step when it happens: a lookup
	// in the address space's page table (Hart.page, which may count work), a TLB miss
	// or flush, an address-space switch. A step that changes none is priced as an
	// instruction and nothing else.
	events uint64
}

// Load gives the hart a thread's registers and address space. The kernel clears the
// LR reservation itself when it switches threads (ClearReservation), as Linux does.
func (h *Hart) Load(c *Context, as *mm.AddressSpace) {
	copy(h.x[:32], c.X[:])
	h.x[0] = 0
	h.f = c.F
	h.pc = c.PC
	h.fflags = uint8(c.FCSR & 0x1f)
	h.frm = uint8(c.FCSR >> 5 & 7)
	if as != h.mem {
		h.switchTLB(as)
	}
}

// switchTLB makes as the hart's address space, reusing the translations cached for it
// if the hart ran it recently and nothing invalidated them since.
func (h *Hart) switchTLB(as *mm.AddressSpace) {
	if h.mem != nil {
		h.ASSwitches++ // the first address space a hart gets replaces none
		h.events++
	}
	h.mem = as
	h.stamp++
	if h.NoASID {
		s := h.sets[0]
		s.mem, s.used = as, h.stamp
		s.flush()
		h.tlb = s
		return
	}
	victim := 0
	for i, s := range h.sets {
		if s != nil && s.mem == as {
			h.tlb = s
			s.used = h.stamp
			if s.gen != as.Gen {
				s.flush()
			}
			return
		}
		if s == nil || (h.sets[victim] != nil && s.used < h.sets[victim].used) {
			victim = i
		}
	}
	s := h.sets[victim]
	if s == nil {
		s = &tlbSet{bus: h.bus, owner: h}
		h.sets[victim] = s
	}
	s.mem, s.used = as, h.stamp
	s.flush()
	h.tlb = s
}

// Save stores the hart's registers into c.
func (h *Hart) Save(c *Context) {
	copy(c.X[:], h.x[:32])
	c.F = h.f
	c.PC = h.pc
	c.FCSR = uint32(h.frm)<<5 | uint32(h.fflags)
}

// Mem returns the address space the hart runs in.
func (h *Hart) Mem() *mm.AddressSpace { return h.mem }

// ClearReservation drops the hart's LR reservation (a trap does, on Linux).
func (h *Hart) ClearReservation() { h.setReservation(nil, 0) }

// setReservation makes (f, off) the hart's reservation, or drops it when f is nil,
// keeping the bus's count of holders. A new reserved frame leaves every other hart's
// write TLB, so that their stores to it take the slow path, which breaks it: this
// costs a few epoch increments per LR instead of a scan of the TLBs per run.
func (h *Hart) setReservation(f *mm.Frame, off uint64) {
	switch {
	case h.resFrame == nil && f != nil:
		h.bus.holders++
	case h.resFrame != nil && f == nil:
		h.bus.holders--
	}
	if f != nil && f != h.resFrame {
		h.bus.flushWrites(h)
	}
	h.resFrame, h.resOff = f, off
}

// FlushDecodeCache makes the hart fetch instructions afresh (fence.i and the
// riscv_flush_icache syscall).
func (h *Hart) FlushDecodeCache() { h.bus.code.flushAll() }

// prepareRun brings the TLBs up to date before a run: other harts or the kernel may have
// changed mappings, and other harts' reservations must be watched.
func (h *Hart) prepareRun() {
	h.syncPass = ^uint64(0)
	h.callPass = ^uint64(0)
	if h.PassPoint {
		h.syncPass = h.pc
		h.callPass = h.pc
	}
	h.prepareStep()
}

// prepareStep is the part of prepareRun that Lockstep repeats (inline) before every
// instruction.
func (h *Hart) prepareStep() {
	if h.tlb.gen != h.mem.Gen {
		h.tlb.flush()
	}
	own := 0
	if h.resFrame != nil {
		own = 1
	}
	h.watching = h.bus.holders > own
}

// syncStop reports whether the AMO, LR or fence at pc is a scheduling point at which
// the hart must stop now (called only when SyncPoints is on), with the stop.
func (h *Hart) syncStop(in *inst, pc uint64) (Stop, bool) {
	if pc == h.syncPass {
		h.syncPass = ^uint64(0)
		return Stop{}, false
	}
	if in.op == SC_W || in.op == SC_D {
		// The LR before it was the point: a switch between them fails the SC anyway.
		return Stop{}, false
	}
	s := Stop{Reason: StopSync}
	if in.op != FENCE {
		s.Addr = h.x[in.rs1]
		s.Write = in.op != LR_W && in.op != LR_D
	}
	return s, true
}

// memStop is syncStop for a plain load or store at pc to addr (MemPoints).
func (h *Hart) memStop(in *inst, pc, addr uint64, write bool) (Stop, bool) {
	if in.rs1 == 2 {
		return Stop{}, false // sp-relative: the thread's own stack (fp, s0, is often not a frame pointer)
	}
	if pc == h.syncPass {
		h.syncPass = ^uint64(0)
		return Stop{}, false
	}
	size := loadSize[in.op]
	if write {
		size = storeSize[in.op]
	}
	fenced := h.fenceAt(pc, pc-4) || h.fenceAt(pc, pc+uint64(in.len))
	return Stop{Reason: StopSync, Addr: addr, Write: write, Plain: true, Size: uint8(size), Fenced: fenced}, true
}

// fenceAt reports whether the instruction at a, on the page of pc (the one being
// executed, so mapped and present), is a fence. A 32-bit word read where a compressed
// instruction's neighbour begins cannot look like one: its low bits are not 11.
func (h *Hart) fenceAt(pc, a uint64) bool {
	if a>>mm.PageShift != pc>>mm.PageShift || a&mm.PageMask > mm.PageSize-4 {
		return false
	}
	f, fault := h.page(pc, mm.Fetch)
	if fault != nil {
		return false
	}
	raw := binary.LittleEndian.Uint32(f.Data[a&mm.PageMask:])
	return raw&0x707f == 0x000f // MISC-MEM, funct3 0: fence
}

func (h *Hart) reservedByOther(f *mm.Frame) bool {
	for _, o := range h.bus.harts {
		if o != h && o.resFrame == f {
			return true
		}
	}
	return false
}

// breakReservations clears other harts' reservations on the word at f+off.
func (h *Hart) breakReservations(f *mm.Frame, off uint64, size uint64) {
	for _, o := range h.bus.harts {
		if o != h && o.resFrame == f && o.resOff+8 > off && off+size > o.resOff {
			o.setReservation(nil, 0)
		}
	}
}

// frameFor translates addr for a load or store through the TLB, filling it on a miss.
func (h *Hart) frameFor(addr uint64, acc mm.Access) (*mm.Frame, *mm.Fault) {
	vpn := addr >> mm.PageShift
	tlb, key := &h.tlb.rtlb, h.tlb.key(vpn)
	if acc == mm.Store {
		tlb, key = &h.tlb.wtlb, vpn^h.tlb.wtag
	}
	e := &tlb[vpn%tlbSize]
	if e.key == key {
		return e.frame, nil
	}
	watched := false
	if h.DebugWatch != nil {
		var pass bool
		if watched, pass = h.DebugWatch(addr, acc); watched && !pass {
			return nil, &mm.Fault{Addr: addr, Access: acc, Kind: mm.Watched}
		}
	}
	if e.key == key|hiddenKey {
		// In the TLB, hidden from the fast paths while a debugger watches (or
		// watched) the page: a hit, as it would be without the debugger.
		if !watched {
			e.key = key
		}
		return e.frame, nil
	}
	if acc == mm.Store && h.tlb.heldKey == vpn^h.tlb.tag {
		// The page another hart held a reservation on when it was last stored to: if
		// it still does (and the frame has no decoded code yet), no walk is needed.
		if f := h.tlb.heldFrame; f.Decoded == nil && h.watching && h.reservedByOther(f) {
			return f, nil
		}
	}
	f, fault := h.page(addr, acc)
	if fault != nil {
		return nil, fault
	}
	if acc == mm.Store {
		if f.Decoded != nil { // a store to code: drop its decoded instructions
			f.Decoded.Invalidate()
			f.Decoded = nil
		}
		// The store may have copied the page (copy-on-write): drop any read entry
		// that still points at the old frame.
		if r := &h.tlb.rtlb[vpn%tlbSize]; r.key&^hiddenKey == h.tlb.key(vpn) {
			r.frame = f
		}
		if h.watching && h.reservedByOther(f) {
			h.tlb.heldKey, h.tlb.heldFrame = vpn^h.tlb.tag, f
			return f, nil // keep this page on the slow path
		}
	}
	epoch := h.tlb.epoch
	if acc == mm.Store {
		epoch = h.tlb.wepoch
	}
	h.filled(e.key, epoch)
	if watched {
		// A debugger watches it: cached and counted as without the debugger, so
		// that the run's counts and virtual times stay the same, but hidden from
		// the fast paths, so that every access to it comes here.
		key |= hiddenKey
	}
	*e = tlbEntry{key: key, frame: f}
	return f, nil
}

// load reads size bytes at addr (the slow path: misses, page-crossing accesses).
func (h *Hart) load(addr uint64, size uint64) (uint64, *mm.Fault) {
	off := addr & mm.PageMask
	if off+size <= mm.PageSize {
		f, fault := h.frameFor(addr, mm.Load)
		if fault != nil {
			return 0, fault
		}
		d := f.Data[off : off+size]
		switch size {
		case 1:
			return uint64(d[0]), nil
		case 2:
			return uint64(binary.LittleEndian.Uint16(d)), nil
		case 4:
			return uint64(binary.LittleEndian.Uint32(d)), nil
		}
		return binary.LittleEndian.Uint64(d), nil
	}
	var v uint64
	for i := uint64(0); i < size; i++ {
		b, fault := h.load(addr+i, 1)
		if fault != nil {
			return 0, fault
		}
		v |= b << (8 * i)
	}
	return v, nil
}

// store writes the low size bytes of v at addr (the slow path).
func (h *Hart) store(addr uint64, size uint64, v uint64) *mm.Fault {
	off := addr & mm.PageMask
	if off+size > mm.PageSize {
		// Check both pages before writing either, so a faulting store writes nothing.
		if _, fault := h.frameFor(addr+size-1, mm.Store); fault != nil {
			return fault
		}
		for i := uint64(0); i < size; i++ {
			if fault := h.store(addr+i, 1, v>>(8*i)); fault != nil {
				return fault
			}
		}
		return nil
	}
	f, fault := h.frameFor(addr, mm.Store)
	if fault != nil {
		return fault
	}
	putLE(f.Data[off:off+size], size, v)
	if h.watching {
		h.breakReservations(f, off, size)
	}
	return nil
}

// putLE stores the low size bytes of v little-endian at the start of d.
func putLE(d []byte, size uint64, v uint64) {
	switch size {
	case 1:
		d[0] = byte(v)
	case 2:
		binary.LittleEndian.PutUint16(d, uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(d, uint32(v))
	default:
		binary.LittleEndian.PutUint64(d, v)
	}
}

// breakIn reports whether a breakpoint of Breaks lies in [lo, hi).
func (h *Hart) breakIn(lo, hi uint64) bool {
	b := h.Breaks
	i, j := 0, len(b)
	for i < j { // the first breakpoint at or after lo
		m := int(uint(i+j) >> 1)
		if b[m] < lo {
			i = m + 1
		} else {
			j = m
		}
	}
	return i < len(b) && b[i] < hi
}

// HideWatched hides the TLB entries of every hart of the bus that translate pages
// lo to hi-1 (page numbers) of as, so that the next access to them takes the slow path
// and asks DebugWatch, without counting a flush or a miss: a debugger that sets a
// watchpoint changes nothing the run counts.
func (b *Bus) HideWatched(as *mm.AddressSpace, lo, hi uint64) {
	for _, h := range b.harts {
		for _, s := range h.sets {
			if s == nil || s.mem != as {
				continue
			}
			for vpn := lo; vpn < hi && vpn-lo < tlbSize; vpn++ {
				if e := &s.rtlb[vpn%tlbSize]; e.key == vpn^s.tag {
					e.key |= hiddenKey
				}
				if e := &s.wtlb[vpn%tlbSize]; e.key == vpn^s.wtag {
					e.key |= hiddenKey
				}
			}
		}
	}
}
