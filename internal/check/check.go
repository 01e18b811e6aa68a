// Package check finds misuse of glibc's pthread objects and of the heap in unmodified
// static riscv64 programs (weft run --check, weft explore --check), by stopping the
// hart at the entry of the functions it knows (cpu.Hart.CallPoints, found by the
// program's ELF symbols) and at every load and store (cpu.Hart.MemPoints):
//
//   - pthread mutexes and condition variables (pthread.go): use of a destroyed or an
//     uninitialised object, unlock of a mutex the calling thread does not hold, and
//     waiting on a condition variable with such a mutex;
//   - the heap (heap.go): free() puts the block in a quarantine instead of handing it
//     to glibc, and a load or store to a quarantined block is a use after free; so is
//     a second free of it.
//
// The kernel calls Call at a StopCall and Access at each plain or atomic access; the
// checker reads guest memory without side effects (mm's Peek) and changes a register
// only in one place, free's argument. Like the race detector it runs on the kernel's
// one goroutine and decides nothing the guest can observe except which freed block
// glibc gets back, which is a function of the run (so runs stay deterministic).
package check

import (
	"debug/elf"
	"fmt"
	"slices"
	"sort"
)

// Memory is a guest address space as the checker reads it: without faulting pages in
// or counting anything (mm.AddressSpace.Peek).
type Memory interface {
	Peek(buf []byte, addr uint64) error
}

// Thread is the thread that stopped, as the kernel describes it to the checker.
type Thread struct {
	TID   int
	Space any    // the address space's identity (its *mm.AddressSpace)
	Mem   Memory // the same address space, to read
	PC    uint64
	// Regs are the thread's integer registers; the checker may change them (free's
	// a0), and then sets Changed.
	Regs    *[32]uint64
	Changed bool
}

// Report is one misuse.
type Report struct {
	Kind string // what went wrong, e.g. "unlock of a mutex the thread does not hold"
	Func string // the function called (pthread_mutex_unlock), or "load"/"store"
	Addr uint64 // the object or the accessed address
	TID  int
	// Stack is where it happened: the pc (for a call: the call instruction), then the
	// calls that led there, innermost first.
	Stack  []uint64
	Detail string // more facts (the owner, the block's bounds)
	// Prev is the earlier event that makes it wrong (the destroy, the free), if any.
	Prev *Event
	// Threads are where the threads named were created (Create), by TID.
	Threads map[int]*Creation
}

// Creation is where a thread was created: by which thread, with which stack.
type Creation struct {
	Parent int
	Stack  []uint64
}

// Create records that parent created thread child at stack (the clone call), for the
// reports that name child.
func (c *Checker) Create(child, parent int, stack []uint64) {
	if c.created == nil {
		c.created = map[int]*Creation{}
	}
	if c.take(int64(len(stack))*8 + 64) {
		c.created[child] = &Creation{Parent: parent, Stack: slices.Clone(stack)}
	}
}

// Event is an earlier operation a report refers to.
type Event struct {
	What  string // "destroyed", "freed"
	TID   int
	Stack []uint64
}

func (r Report) String() string {
	s := fmt.Sprintf("%s: %s(0x%x) by tid %d at pc 0x%x", r.Kind, r.Func, r.Addr, r.TID, first(r.Stack))
	if r.Detail != "" {
		s += " (" + r.Detail + ")"
	}
	if r.Prev != nil {
		s += fmt.Sprintf("; %s by tid %d at pc 0x%x", r.Prev.What, r.Prev.TID, first(r.Prev.Stack))
	}
	return s
}

func first(s []uint64) uint64 {
	if len(s) == 0 {
		return 0
	}
	return s[0]
}

// fn is a function the checker stops at.
type fn uint8

const (
	fnNone fn = iota
	fnMutexInit
	fnMutexLock
	fnMutexTrylock
	fnMutexTimedlock
	fnMutexUnlock
	fnMutexDestroy
	fnCondInit
	fnCondWait
	fnCondTimedwait
	fnCondClockwait
	fnCondSignal
	fnCondBroadcast
	fnCondDestroy
	fnFree
	fnMalloc
	fnCalloc
	fnRealloc
	fnMemalign // memalign, aligned_alloc: (align, size)
	fnValloc   // valloc, pvalloc: (size)
	fnPosixMemalign
)

// fnNames maps ELF symbols, glibc's public names and its internal aliases, to what the
// checker does at their entry. Any of the names finds the function's address; in a
// static glibc the public name is often a weak alias of the internal one.
var fnNames = map[string]fn{
	"pthread_mutex_init": fnMutexInit, "__pthread_mutex_init": fnMutexInit,
	"pthread_mutex_lock": fnMutexLock, "__pthread_mutex_lock": fnMutexLock,
	"pthread_mutex_trylock": fnMutexTrylock, "__pthread_mutex_trylock": fnMutexTrylock,
	"pthread_mutex_timedlock": fnMutexTimedlock, "__pthread_mutex_timedlock": fnMutexTimedlock,
	"pthread_mutex_clocklock": fnMutexTimedlock, "__pthread_mutex_clocklock": fnMutexTimedlock,
	"pthread_mutex_unlock": fnMutexUnlock, "__pthread_mutex_unlock": fnMutexUnlock,
	"pthread_mutex_destroy": fnMutexDestroy, "__pthread_mutex_destroy": fnMutexDestroy,
	"pthread_cond_init": fnCondInit, "__pthread_cond_init": fnCondInit,
	"pthread_cond_wait": fnCondWait, "__pthread_cond_wait": fnCondWait,
	"pthread_cond_timedwait": fnCondTimedwait, "__pthread_cond_timedwait": fnCondTimedwait,
	"pthread_cond_clockwait": fnCondClockwait, "__pthread_cond_clockwait": fnCondClockwait,
	"pthread_cond_signal": fnCondSignal, "__pthread_cond_signal": fnCondSignal,
	"pthread_cond_broadcast": fnCondBroadcast, "__pthread_cond_broadcast": fnCondBroadcast,
	"pthread_cond_destroy": fnCondDestroy, "__pthread_cond_destroy": fnCondDestroy,
	"free": fnFree, "__libc_free": fnFree, "cfree": fnFree,
	"malloc": fnMalloc, "__libc_malloc": fnMalloc,
	"calloc": fnCalloc, "__libc_calloc": fnCalloc,
	"realloc": fnRealloc, "__libc_realloc": fnRealloc,
	"memalign": fnMemalign, "__libc_memalign": fnMemalign, "aligned_alloc": fnMemalign,
	"valloc": fnValloc, "__libc_valloc": fnValloc, "pvalloc": fnValloc, "__libc_pvalloc": fnValloc,
	"posix_memalign": fnPosixMemalign, "__posix_memalign": fnPosixMemalign,
}

var fnLabel = map[fn]string{
	fnMutexInit: "pthread_mutex_init", fnMutexLock: "pthread_mutex_lock", fnMutexTrylock: "pthread_mutex_trylock",
	fnMutexTimedlock: "pthread_mutex_timedlock", fnMutexUnlock: "pthread_mutex_unlock", fnMutexDestroy: "pthread_mutex_destroy",
	fnCondInit: "pthread_cond_init", fnCondWait: "pthread_cond_wait", fnCondTimedwait: "pthread_cond_timedwait",
	fnCondClockwait: "pthread_cond_clockwait", fnCondSignal: "pthread_cond_signal", fnCondBroadcast: "pthread_cond_broadcast",
	fnCondDestroy: "pthread_cond_destroy", fnFree: "free", fnMalloc: "malloc", fnCalloc: "calloc", fnRealloc: "realloc",
	fnMemalign: "memalign", fnValloc: "valloc", fnPosixMemalign: "posix_memalign",
}

// Checker holds the state of the checks of one run.
type Checker struct {
	entries map[uint64]fn
	// CallPoints is the set of pcs the harts stop at (cpu.Hart.CallPoints): the
	// entries, and the return addresses of allocations in progress. The checker
	// changes it as calls come and go; the kernel shares the one map with every hart.
	CallPoints map[uint64]bool
	retRefs    map[uint64]int   // return points by pc: calls in progress that return there
	pending    map[int][]call   // by TID: allocations in progress, innermost last
	spaces     map[any]*space   // by address space
	seen       map[seenKey]bool // reports already made
	// Unwind, if set, gives the stack of a thread that stopped: its pc, then the
	// calls that led there, innermost first. Without it a stack is the pc and the
	// call that ra returns to.
	Unwind func(t *Thread) []uint64
	// Quarantine bounds the bytes of freed blocks held back from glibc (0: 4 MiB);
	// MaxBlock is the largest block quarantined (0: 64 KiB); larger ones go to glibc.
	Quarantine, MaxBlock uint64
	// Charge, if set, takes n bytes of the run's memory cap for the checker's own
	// records (blocks, objects); when it refuses, a free goes straight to glibc and an
	// object is not tracked. Uncharge gives them back.
	Charge   func(n int64) bool
	Uncharge func(n int64)
	// Reports lists the distinct misuses found, first first; Max bounds it (0: 100).
	Reports []Report
	Max     int
	// Counts of what the checker saw, for --stats and tests.
	Calls, Accesses, Quarantined, Released uint64

	last    *space // the space of lastID, a cache for Hit
	lastID  any
	created map[int]*Creation // by TID (Create)
}

// call is an allocation in progress: where it returns, with which stack pointer.
type call struct {
	ra, sp uint64
	f      fn
	arg    uint64 // posix_memalign's memptr; realloc's old block
}

// New returns a checker for the program exe (an ELF file), or an error if exe is not
// an ELF file. A program without the functions (not glibc, or stripped) gets a checker
// that checks only what it finds.
func New(exe []byte) (*Checker, error) {
	f, err := elf.NewFile(bytesReaderAt(exe))
	if err != nil {
		return nil, err
	}
	if f.Type != elf.ET_EXEC {
		return nil, fmt.Errorf("not a static non-PIE executable (ELF type %v): --check finds glibc's functions by their link-time addresses", f.Type)
	}
	syms, _ := f.Symbols()
	c := &Checker{
		entries: map[uint64]fn{}, CallPoints: map[uint64]bool{}, retRefs: map[uint64]int{},
		pending: map[int][]call{}, spaces: map[any]*space{}, seen: map[seenKey]bool{},
	}
	for _, s := range syms {
		k, ok := fnNames[s.Name]
		if !ok || s.Value == 0 || elf.ST_TYPE(s.Info) != elf.STT_FUNC {
			continue
		}
		c.entries[s.Value] = k
		c.CallPoints[s.Value] = true
	}
	return c, nil
}

// Functions lists the functions found, by name, for tests and --stats.
func (c *Checker) Functions() []string {
	var out []string
	for _, f := range c.entries {
		out = append(out, fnLabel[f])
	}
	sort.Strings(out)
	return out
}

func (c *Checker) take(n int64) bool { return c.Charge == nil || c.Charge(n) }

func (c *Checker) give(n int64) {
	if c.Uncharge != nil {
		c.Uncharge(n)
	}
}

// stack is t's stack now.
func (c *Checker) stack(t *Thread) []uint64 {
	if c.Unwind != nil {
		return slices.Clone(c.Unwind(t))
	}
	return []uint64{t.PC, callSite(t.Mem, t.Regs[1])}
}

// callerStack is t's stack at a function's entry, from its caller: what a report about
// the call shows.
func (c *Checker) callerStack(t *Thread) []uint64 {
	s := c.stack(t)
	if len(s) > 1 {
		return s[1:]
	}
	return s
}

// report records r unless one like it (same kind, same place, same earlier place) was.
func (c *Checker) report(r Report) {
	key := seenKey{kind: r.Kind, pc: first(r.Stack)}
	if r.Prev != nil {
		key.prev = first(r.Prev.Stack)
	}
	limit := c.Max
	if limit == 0 {
		limit = 100
	}
	if c.seen[key] || len(c.Reports) >= limit {
		return
	}
	c.seen[key] = true
	for _, tid := range []int{r.TID, prevTID(r)} {
		if cr := c.created[tid]; cr != nil {
			if r.Threads == nil {
				r.Threads = map[int]*Creation{}
			}
			r.Threads[tid] = cr
		}
	}
	c.Reports = append(c.Reports, r)
}

func prevTID(r Report) int {
	if r.Prev == nil {
		return -1
	}
	return r.Prev.TID
}

// seenKey identifies a report for deduplication: its kind and the places involved.
type seenKey struct {
	kind     string
	pc, prev uint64
}

// Call handles the thread t stopped at one of CallPoints.
func (c *Checker) Call(t *Thread) {
	c.Calls++
	if c.returned(t) {
		return
	}
	f := c.entries[t.PC]
	sp := c.space(t.Space)
	switch f {
	case fnFree:
		c.free(t, sp)
	case fnMalloc, fnCalloc, fnRealloc, fnMemalign, fnValloc, fnPosixMemalign:
		c.allocEntry(t, sp, f)
	case fnNone:
	default:
		c.pthread(t, sp, f)
	}
}

// space is the state of one address space.
type space struct {
	objs map[uint64]*object // pthread objects by address
	// The heap: blocks glibc handed out (from the allocation functions' returns) by
	// page, and the quarantine.
	blocks  map[uint64][]*block // by page: the live or quarantined blocks on it
	queue   []*block            // the quarantine, oldest first
	qbytes  uint64
	byStart map[uint64]*block // live and quarantined blocks by start
}

func (c *Checker) space(id any) *space {
	s := c.spaces[id]
	if s == nil {
		s = &space{objs: map[uint64]*object{}, blocks: map[uint64][]*block{}, byStart: map[uint64]*block{}}
		c.spaces[id] = s
		c.lastID = nil
	}
	return s
}

// Access checks a load or store of size bytes at addr by t (any code, the C library's
// included: a freed block passed to memcpy is a use after free too).
func (c *Checker) Access(t *Thread, addr, size uint64, write bool) {
	c.Accesses++
	sp := c.spaces[t.Space]
	if sp == nil || len(sp.queue) == 0 {
		return
	}
	b := sp.find(addr, size)
	if b == nil || !b.freed {
		return
	}
	what := "load"
	if write {
		what = "store"
	}
	c.report(Report{Kind: "heap use after free", Func: what, Addr: addr, TID: t.TID, Stack: c.stack(t),
		Detail: fmt.Sprintf("%d bytes at offset %d of a %d-byte block at 0x%x", max(size, 1), addr-b.start, b.size, b.start),
		Prev:   &Event{What: "freed", TID: b.tid, Stack: b.stack}})
}

// Hit reports whether an access of size bytes at addr in the address space space
// touches a quarantined block: the kernel's quick test before it calls Access.
func (c *Checker) Hit(space any, addr, size uint64) bool {
	sp := c.last
	if c.lastID != space {
		sp = c.spaces[space]
		c.last, c.lastID = sp, space
	}
	if sp == nil || len(sp.queue) == 0 {
		return false
	}
	b := sp.find(addr, size)
	return b != nil && b.freed
}

// returned handles t's arrival at the return address of an allocation in progress,
// and reports whether it was one.
func (c *Checker) returned(t *Thread) bool {
	ps := c.pending[t.TID]
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
		if p.ra != t.PC || p.sp != t.Regs[2] {
			continue
		}
		// Calls above it were left by a longjmp: they will not return.
		for _, q := range ps[i:] {
			c.unref(q.ra)
		}
		c.pending[t.TID] = ps[:i]
		if len(ps[:i]) == 0 {
			delete(c.pending, t.TID)
		}
		c.allocReturn(t, c.space(t.Space), p)
		return true
	}
	return false
}

func (c *Checker) ref(pc uint64) {
	c.retRefs[pc]++
	c.CallPoints[pc] = true
}

func (c *Checker) unref(pc uint64) {
	c.retRefs[pc]--
	if c.retRefs[pc] <= 0 {
		delete(c.retRefs, pc)
		if _, entry := c.entries[pc]; !entry {
			delete(c.CallPoints, pc)
		}
	}
}

// Forget drops the state of an address space that is gone, giving back what it
// charged.
func (c *Checker) Forget(space any) {
	s := c.spaces[space]
	if s == nil {
		return
	}
	c.give(int64(len(s.byStart))*blockBytes + int64(len(s.objs))*objectBytes)
	delete(c.spaces, space)
	c.last, c.lastID = nil, nil
}

// Exit forgets what thread tid had in progress.
func (c *Checker) Exit(tid int) {
	for _, q := range c.pending[tid] {
		c.unref(q.ra)
	}
	delete(c.pending, tid)
}

// bytesReaderAt reads a byte slice (bytes.Reader without the import's state).
type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= int64(len(b)) {
		return 0, fmt.Errorf("read at %d past the end", off)
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, fmt.Errorf("short read at %d", off)
	}
	return n, nil
}
